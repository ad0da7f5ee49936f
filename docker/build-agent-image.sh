#!/usr/bin/env bash
# Builds the agent image (docker/agent/Dockerfile) from the repository, on host networking.
#
#   docker/build-agent-image.sh [tag]        (default tag ssm-conformance/agent:latest)
#
# Environment: BASE, the base image (default ssm-conformance/debian-base:trixie when that image exists,
# which docker/build-base-image.sh makes without a registry; otherwise debian:trixie-slim, pulled);
# EXTRA_CA_CERTS_FILE, PEM certificates the build stage trusts for npm (default: this machine's local CAs in
# /usr/local/share/ca-certificates, if any).
set -euo pipefail
cd "$(dirname "$0")/.."

tag="${1:-ssm-conformance/agent:latest}"
if [[ -z "${BASE:-}" ]]; then
  if docker image inspect ssm-conformance/debian-base:trixie >/dev/null 2>&1; then
    BASE=ssm-conformance/debian-base:trixie
  else
    BASE=debian:trixie-slim
  fi
fi

# CAs this machine trusts beyond Debian's set (a TLS-inspecting proxy in front of the npm registry):
# the build stage trusts them too. EXTRA_CA_CERTS_FILE overrides; set it to /dev/null for none.
ca_file="${EXTRA_CA_CERTS_FILE:-}"
extra_ca=""
if [[ -n "$ca_file" ]]; then
  extra_ca="$(cat "$ca_file")"
else
  shopt -s nullglob
  local_cas=(/usr/local/share/ca-certificates/*.crt /usr/local/share/ca-certificates/*/*.crt)
  shopt -u nullglob
  if ((${#local_cas[@]} > 0)); then
    extra_ca="$(cat "${local_cas[@]}")"
    ca_file="${local_cas[*]}"
  fi
fi
if [[ -n "$extra_ca" ]]; then
  echo "the build stage trusts $(grep -c 'BEGIN CERTIFICATE' <<<"$extra_ca") extra CA certificate(s) from $ca_file"
fi

echo "building $tag on $BASE"
# The legacy builder is enough (and the only one Debian's docker.io has without buildx).
DOCKER_BUILDKIT="${DOCKER_BUILDKIT:-0}" docker build --network host --build-arg "BASE=$BASE" \
  --build-arg "EXTRA_CA_CERTS=$extra_ca" \
  --label "ssm-conformance.base=$BASE" -f docker/agent/Dockerfile -t "$tag" .
echo "built $tag ($(docker image inspect --format '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}'))"
