#!/usr/bin/env bash
# Puts a real consul binary at .tools/bin/consul (git-ignored).
# Uses a consul already on PATH; otherwise Debian's package from the bullseye suite
# (scripts/debian-fetch.sh: apt-get download, dpkg -x). Nothing else is downloaded.
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

bash "$root/scripts/debian-fetch.sh" bullseye consul "$root/.tools/consul"
ln -sf "$root/.tools/consul/usr/bin/consul" "$bin/consul"
"$bin/consul" version | sed -n 1p # sed reads it all: head would SIGPIPE consul under pipefail
