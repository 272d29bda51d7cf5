#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Makes (once) a minimal Debian bookworm root holding what the local first-boot stages need and what a QEMU boot of
# it needs (kernel, initramfs, systemd), caches it as a tar outside the clone, and unpacks it into DIR. One root serves
# the chroot test and the boot test, so a cold CI pays for one mmdebstrap run. Prints the cached tar's path.
# Needs root and mmdebstrap.
# Usage: testdata/make-debian-root.sh [DIR]     (SUITE=trixie, EXTRA_PACKAGES="...", NSPAWN_ONLY=1: see below)
#        ARCH=arm64: an arm64 root (qemu-user-static and binfmt-support run its maintainer scripts), whose initramfs is
#        built with MODULES=list and no module listed, like a Raspberry Pi OS initramfs met by another kernel: the bench
#        of `hydrapi try --kernel-deb` (bench/try-arm64-bench.sh).
set -Eeuo pipefail

dir=${1:-}
suite=${SUITE:-bookworm}
arch=${ARCH:-amd64}
# util-linux: runuser, flock, su; iproute2: the driver's default-route probe; curl: stage 01 (only after its
# network check); sudo and passwd: the account stages; postgresql: stage 08 against a real cluster.
packages=(postgresql sudo passwd login util-linux procps iproute2 curl ca-certificates xz-utils)
# The boot test (hydrapi try): systemd as init, udev for the by-partuuid links fstab names, dbus for logind (ACPI
# power button, hence a clean QMP power-down) and timedated (stage 01 asks it), a generic kernel whose
# initramfs-tools image (MODULES=most) holds virtio and ext4, e2fsprogs for the boot-time fsck, sshd as the recipe
# enables it.
packages+=(systemd-sysv udev dbus kmod "linux-image-$arch" initramfs-tools e2fsprogs openssh-server)
# SUITE=trixie EXTRA_PACKAGES="cloud-init": a trixie root with Debian's cloud-init, booted only by systemd-nspawn
# (NSPAWN_ONLY=1 leaves out what only a kernel boot needs), for cloud-init-boot.sh.
if [ "${NSPAWN_ONLY:-0}" = 1 ]; then
  packages=(postgresql sudo passwd login util-linux procps iproute2 curl ca-certificates xz-utils systemd-sysv dbus
            e2fsprogs openssh-server)
fi
read -r -a extra <<< "${EXTRA_PACKAGES:-}"
packages+=("${extra[@]}")
# Docs, man pages and locales are never read by the stages; neither are the drivers of hardware a QEMU guest does
# not have (a third of the root's size, and of the xz work of every image made from it).
excludes=('/usr/share/man/*' '/usr/share/locale/*' '/usr/share/doc/*')
for d in drivers/gpu drivers/media drivers/net/wireless drivers/net/ethernet drivers/infiniband drivers/staging \
         drivers/bluetooth drivers/iio drivers/isdn drivers/usb drivers/scsi sound net/wireless net/bluetooth \
         net/mac80211 fs/xfs fs/btrfs fs/ocfs2 fs/gfs2 fs/smb fs/ceph fs/nfs fs/nfsd; do
  excludes+=("/lib/modules/*/kernel/$d/*")
done
# PostgreSQL's JIT (llvmjit.so, loaded only for queries past jit_above_cost, and skipped when it cannot load) and the
# LLVM and Z3 libraries only it links: 130 MiB of the root.
excludes+=('/usr/lib/*/libLLVM-*' '/usr/lib/*/libz3.so*' '/usr/lib/postgresql/*/lib/llvmjit*'
           '/usr/lib/postgresql/*/lib/bitcode/*')
cache_dir=${HYDRAPI_CI_CACHE:-/var/cache/hydrapi-ci}
hooks=()
if [ "$arch" != amd64 ]; then
  # shellcheck disable=SC2016 # $1 is mmdebstrap's, expanded by the hook's shell
  hooks=(--architectures="$arch"
         --essential-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" && echo MODULES=list > "$1/etc/initramfs-tools/conf.d/pi-like"')
fi
key=$(printf '%s\n' "$suite" "${packages[@]}" "${excludes[@]}" "${hooks[@]}" | sha256sum | cut -c1-16)
tarball=$cache_dir/debian-root-$suite-$key.tar
[ "$arch" = amd64 ] || tarball=$cache_dir/debian-root-$suite-$arch-$key.tar

mkdir -p "$cache_dir"
# Two test runs at once build the tar once; a build of another root (arm64, minutes long) does not hold them up.
exec 8>"$tarball.lock"
flock 8
if [ ! -s "$tarball" ]; then
  command -v mmdebstrap >/dev/null || { echo "mmdebstrap missing: apt-get install mmdebstrap" >&2; exit 2; }
  # The host's own apt sources (same mirror, same keyring) when it is Debian; deb.debian.org otherwise.
  sources=/etc/apt/sources.list.d/debian.sources
  mirror=(http://deb.debian.org/debian)
  if [ -r "$sources" ] && grep -q "Suites:.*\b$suite\b" "$sources"; then mirror=(-); else sources=/dev/null; fi
  dpkgopts=()
  for e in "${excludes[@]}"; do dpkgopts+=("--dpkgopt=path-exclude=$e"); done
  # A throw-away root needs no fsync per file.
  mmdebstrap --variant=minbase --mode=root --format=tar --skip=output/mknod "${hooks[@]}" \
    --include="$(IFS=,; echo "${packages[*]}")" \
    "${dpkgopts[@]}" --dpkgopt=force-unsafe-io \
    --aptopt='Acquire::Retries "3"' \
    "$suite" "$tarball.part" "${mirror[@]}" < "$sources" >&2
  mv -f "$tarball.part" "$tarball"
fi

if [ -n "$dir" ]; then
  mkdir -p "$dir"
  tar -xpf "$tarball" --numeric-owner -C "$dir"
fi
echo "$tarball"
