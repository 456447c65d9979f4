#!/usr/bin/env bash
# Regenerates k8s/bellhop.yaml: helm/bellhop rendered with default values (through helm-java, offline;
# no helm binary needed). packaging's ManifestsTest then checks that k8s/ matches the chart.
set -euo pipefail
cd "$(dirname "$0")/.."
MVN=${MVN:-mvn -B -ntp -q}
$MVN -pl packaging -am install -DskipTests
$MVN -pl packaging test -Dtest=ManifestsTest -Dsurefire.failIfNoSpecifiedTests=false -Dbellhop.manifests.write=true
echo "wrote k8s/bellhop.yaml"
