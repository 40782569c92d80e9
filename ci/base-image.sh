#!/usr/bin/env bash
# Sets podman up on this machine (the settings of CONTAINERS.md) and makes
# the bare Debian 12 base image (debootstrap minbase -> podman import) when
# it is missing: no container registry is reachable here, a Debian mirror
# is. Prints the image name.
# Usage: ci/base-image.sh [IMAGE]   (default localhost/bookworm-base)
set -euo pipefail
base=${1:-${BASE_IMAGE:-localhost/bookworm-base}}
need=(podman buildah runc fuse-overlayfs slirp4netns uidmap debootstrap)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi
conf=/etc/containers/containers.conf.d/50-parley-ci.conf
if [ ! -f "$conf" ]; then
  # crun refuses this kind of machine's hybrid cgroups; podman's default
  # open-file limit is above the sandbox's hard limit (CONTAINERS.md).
  nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] || [ "$nofile" -gt 65536 ] && nofile=65536
  mkdir -p "$(dirname "$conf")"
  printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=4096:4096"]\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' \
    "$nofile" "$nofile" >"$conf"
fi

if ! podman image exists "$base" && [[ "$base" != localhost/* ]]; then
  podman pull -q "$base" >/dev/null  # a registry is reachable (e.g. GitHub's runners)
fi
if ! podman image exists "$base"; then
  rootfs=$(mktemp -d /tmp/parley-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  mirror=$(sed -nE 's/^URIs: *(http[^ ]*debian)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  mirror=${mirror:-http://deb.debian.org/debian}
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
  # Like Debian's slim images: no docs, man pages or locales.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/*
  grep -rl "Check-Valid-Until" /etc/apt/apt.conf.d/ 2>/dev/null | xargs -r -I{} cp {} "$rootfs/etc/apt/apt.conf.d/"
  tar -C "$rootfs" --numeric-owner -c . | podman import --change 'CMD ["/bin/bash"]' - "$base" >/dev/null
fi
echo "$base"
