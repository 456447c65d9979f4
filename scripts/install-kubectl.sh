#!/usr/bin/env bash
# Puts a current kubectl at .tools/bin/kubectl (git-ignored): Debian sid's package `kubectl`
# (a static Go binary; bookworm's kubernetes-client is 1.20, too old for today's API), unpacked
# with dpkg -x. A kubectl on PATH is not used: the end-to-end tests need a known minor (1.30+).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.tools/bin"
mkdir -p "$bin"
if [ -x "$bin/kubectl" ] && "$bin/kubectl" version --client >/dev/null 2>&1; then
  exit 0
fi
bash "$root/scripts/debian-fetch.sh" sid kubectl "$root/.tools/kubectl"
ln -sf "$root/.tools/kubectl/usr/bin/kubectl" "$bin/kubectl"
"$bin/kubectl" version --client | sed -n 1p
