#!/usr/bin/env bash
# Builds the amazon-agent image (docker/amazon-agent/Dockerfile: the official amazon-ssm-agent package) on
# host networking.
#
#   docker/build-amazon-agent-image.sh [tag]        (default tag ssm-conformance/amazon-agent:latest)
#
# Environment: AGENT_DEB, a local amazon-ssm-agent .deb to install (default: download AGENT_URL, by default
# the official latest package for this architecture); BASE, the base image (default
# ssm-conformance/debian-base:trixie, from docker/build-base-image.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

tag="${1:-ssm-conformance/amazon-agent:latest}"
base="${BASE:-ssm-conformance/debian-base:trixie}"
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
cp docker/amazon-agent/Dockerfile docker/amazon-agent/entrypoint.sh docker/amazon-agent/seelog.xml "$context/"
deb=""
if [[ -n "${AGENT_DEB:-}" ]]; then
  if [[ ! -r "$AGENT_DEB" ]]; then
    echo "AGENT_DEB=$AGENT_DEB is not a readable file" >&2
    exit 2
  fi
  deb=amazon-ssm-agent.deb
  cp "$AGENT_DEB" "$context/$deb"
  echo "building $tag on $base from $AGENT_DEB"
else
  echo "building $tag on $base from ${AGENT_URL:-the official download}"
fi
DOCKER_BUILDKIT="${DOCKER_BUILDKIT:-0}" docker build --network host --force-rm --build-arg "BASE=$base" \
  --build-arg "AGENT_DEB=$deb" --build-arg "AGENT_URL=${AGENT_URL:-}" \
  --label "ssm-conformance.base=$base" -t "$tag" "$context"
echo "built $tag: $(docker run --rm --entrypoint amazon-ssm-agent "$tag" -version)"
