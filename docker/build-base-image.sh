#!/usr/bin/env bash
# Builds a minimal Debian base image from Debian's package mirror alone: no image registry needed.
#
#   docker/build-base-image.sh [suite] [tag]
#
#   suite  a Debian suite debootstrap knows (default trixie: its nodejs is 20.x; bookworm's is 18)
#   tag    the image tag (default ssm-conformance/debian-base:<suite>)
#
# Cached by tag: when the image exists, nothing is done (FORCE=1 rebuilds). Needs root, debootstrap and a
# Docker engine. Environment: DEBIAN_MIRROR (default http://deb.debian.org/debian).
# The agent image is then built on it: BASE=<tag> docker/build-agent-image.sh
set -euo pipefail

suite="${1:-trixie}"
tag="${2:-ssm-conformance/debian-base:${suite}}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if [[ -z "${FORCE:-}" ]] && docker image inspect "$tag" >/dev/null 2>&1; then
  echo "base image $tag exists (FORCE=1 rebuilds it)"
  exit 0
fi
if [[ "$(id -u)" != 0 ]]; then
  echo "build-base-image: debootstrap needs root (run with sudo)" >&2
  exit 1
fi
if ! command -v debootstrap >/dev/null; then
  echo "build-base-image: debootstrap is missing (apt-get install debootstrap)" >&2
  exit 1
fi

rootfs="$(mktemp -d "${TMPDIR:-/tmp}/ssm-conformance-rootfs.XXXXXX")"
trap 'rm -rf "$rootfs"' EXIT

echo "debootstrap --variant=minbase $suite from $mirror"
debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$rootfs.log" 2>&1 || {
  tail -n 40 "$rootfs.log" >&2
  rm -f "$rootfs.log"
  exit 1
}
rm -f "$rootfs.log"

# As the official -slim images: no documentation or manual pages from later installs, no recommends,
# apt's caches cleaned after every install.
mkdir -p "$rootfs/etc/dpkg/dpkg.cfg.d" "$rootfs/etc/apt/apt.conf.d"
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
CFG
echo force-unsafe-io >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
cat >"$rootfs/etc/apt/apt.conf.d/docker-slim" <<'CFG'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };
Acquire::Languages "none";
CFG
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin \
  "$rootfs"/var/log/*.log "$rootfs"/etc/resolv.conf "$rootfs"/etc/hostname
printf '%s\n' "$suite" >"$rootfs/etc/ssm-conformance-base"

tar --numeric-owner -C "$rootfs" -c . |
  docker import --change 'ENV LANG=C.UTF-8' --change 'CMD ["bash"]' \
    --message "debootstrap --variant=minbase $suite $mirror" - "$tag" >/dev/null
echo "built base image $tag ($(docker image inspect --format '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}'))"
