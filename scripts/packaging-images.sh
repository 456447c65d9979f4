#!/usr/bin/env bash
# Builds the container images bellhop/<name>:<version> (the chart's defaults) from images/<name>.Dockerfile.
# Needs a Docker engine (these development machines have none: the script says so and stops).
#   REGISTRY=registry.example.com/ PUSH=1 bash scripts/packaging-images.sh
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGES=(operator gateway auth geo profile rate hotel)
# The project version (the first <version> of the root pom), which is also the chart's appVersion.
VERSION=${VERSION:-$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)}
REGISTRY=${REGISTRY:-}
DOCKER=${DOCKER:-docker}

if ! command -v "$DOCKER" >/dev/null 2>&1 || ! "$DOCKER" info >/dev/null 2>&1; then
  echo "make images: no Docker engine reachable ('$DOCKER info' failed)." >&2
  echo "Building images needs one (Docker, or DOCKER=podman); run this on a machine that has it." >&2
  echo "The Dockerfiles are images/<name>.Dockerfile, built from the repository root after 'mvn package'." >&2
  exit 2
fi

${MVN:-mvn -B -ntp -q} package -DskipTests -pl operator,services/gateway,services/auth,services/geo,services/profile,services/rate,services/hotel -am
for name in "${IMAGES[@]}"; do
  tag="${REGISTRY}bellhop/${name}:${VERSION}"
  echo "building ${tag}"
  "$DOCKER" build -f "images/${name}.Dockerfile" -t "${tag}" .
  if [[ -n "${PUSH:-}" ]]; then
    "$DOCKER" push "${tag}"
  fi
done
