#!/usr/bin/env bash
# debian-fetch.sh SUITE PACKAGE DEST — unpacks Debian's PACKAGE from SUITE into DEST (dpkg -x).
# SUITE is added beside the machine's own Debian source (same URIs) and pinned low, so it is never
# chosen for anything but an explicit download. Nothing is installed; nothing else is downloaded.
set -euo pipefail
suite=$1 pkg=$2 dest=$3
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
src=/etc/apt/sources.list.d/bellhop-$suite.sources
if [ ! -f "$src" ]; then
  uris=$(awk '/^URIs:/ && /debian\/?$/ && !/security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$uris" ] || uris=$(awk '/^deb / && !/security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$uris" ] || { echo "debian-fetch: no Debian source found" >&2; exit 1; }
  printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$uris" "$suite" | $sudo tee "$src" >/dev/null
  printf 'Package: *\nPin: release n=%s\nPin-Priority: 50\n' "$suite" | $sudo tee "/etc/apt/preferences.d/bellhop-$suite" >/dev/null
fi
echo "$pkg: fetching Debian package from $suite"
$sudo apt-get update -qq >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chown _apt "$tmp" 2>/dev/null || true # apt downloads as _apt where it can
(cd "$tmp" && apt-get download -qq "$pkg/$suite")
mkdir -p "$dest"
dpkg -x "$tmp"/"${pkg}"_*.deb "$dest"
