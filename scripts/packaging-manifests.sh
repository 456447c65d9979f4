#!/usr/bin/env bash
# Regenerates k8s/bellhop.yaml: helm/bellhop rendered with default values (through helm-java, offline;
# no helm binary needed), after copying crds/ into the chart's crds/. packaging's tests then check both.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f helm/bellhop/crds/*.yml
cp crds/*.yml helm/bellhop/crds/
MVN=${MVN:-mvn -B -ntp -q}
$MVN -pl packaging -am install -DskipTests
$MVN -pl packaging test -Dtest=ManifestsTest -Dsurefire.failIfNoSpecifiedTests=false -Dbellhop.manifests.write=true
echo "copied crds/ to helm/bellhop/crds/, wrote k8s/bellhop.yaml"
