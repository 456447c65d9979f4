#!/usr/bin/env bash
# Puts a real consul binary at .tools/bin/consul (git-ignored).
# Uses a consul already on PATH; otherwise Debian's package from the bullseye suite,
# added beside the machine's own Debian source (same URIs), fetched with
# `apt-get download` and unpacked with `dpkg -x`. Nothing else is downloaded.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.tools/bin"
mkdir -p "$bin"

if [ -x "$bin/consul" ] && "$bin/consul" version >/dev/null 2>&1; then
  exit 0
fi
if found=$(command -v consul 2>/dev/null); then
  ln -sf "$found" "$bin/consul"
  echo "consul: using $found"
  exit 0
fi

sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
src=/etc/apt/sources.list.d/bellhop-bullseye.sources
if [ ! -f "$src" ]; then
  # Same URIs as the machine's own Debian source, bullseye suite.
  uris=$(awk '/^URIs:/ && /debian\/?$/ && !/security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$uris" ] || uris=$(awk '/^deb / && !/security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$uris" ] || { echo "install-consul: no Debian source found" >&2; exit 1; }
  printf 'Types: deb\nURIs: %s\nSuites: bullseye\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uris" | $sudo tee "$src" >/dev/null
  # Keep bullseye from ever being chosen for anything but an explicit download.
  printf 'Package: *\nPin: release n=bullseye\nPin-Priority: 50\n' | $sudo tee /etc/apt/preferences.d/bellhop-bullseye >/dev/null
fi
echo "consul: fetching Debian package from bullseye"
$sudo apt-get update -qq >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chown _apt "$tmp" 2>/dev/null || true # apt downloads as _apt where it can
(cd "$tmp" && apt-get download -qq consul/bullseye)
dpkg -x "$tmp"/consul_*.deb "$root/.tools/consul"
ln -sf "$root/.tools/consul/usr/bin/consul" "$bin/consul"
"$bin/consul" version | sed -n 1p # sed reads it all: head would SIGPIPE consul under pipefail
