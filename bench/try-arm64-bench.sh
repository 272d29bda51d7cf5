#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The arm64 proof of `hydrapi try --kernel-deb` (issue 7), too slow for CI: QEMU emulates the arm64 CPU (TCG) on an
# x86-64 host. Makes an arm64 Debian bookworm root (mmdebstrap through qemu-user-static), lays it out like Raspberry
# Pi OS (kernel and initramfs on the boot partition, as initramfs8, built with MODULES=list so it holds no module of
# the kernel that boots it; the root's modules renamed to another version, as a Raspberry Pi kernel's would be),
# builds a Hydra image with hydrapi, and boots it with `try --kernel-deb` and a Debian linux-image-*-arm64 package.
# Prints try's output and the wall times.
#
# usage: bench/try-arm64-bench.sh [WORKDIR]     (KERNEL_DEB=FILE: skip the download)
# Needs root, mmdebstrap, qemu-user-static and binfmt-support (arm64 binfmt enabled), qemu-system-arm, and for the
# download `dpkg --add-architecture arm64 && apt-get update`.
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${1:-$(mktemp -d "${TMPDIR:-/tmp}/hydrapi-try-arm64.XXXXXX")}
mkdir -p "$work"
jar=$here/target/hydrapi.jar
[ -f "$jar" ] || (cd "$here" && mvn -q -B -DskipTests package)
for tool in mmdebstrap qemu-system-aarch64 qemu-aarch64-static; do
  command -v "$tool" >/dev/null || { echo "bench: $tool missing (apt-get install mmdebstrap qemu-system-arm qemu-user-static binfmt-support)" >&2; exit 1; }
done
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || { echo "bench: arm64 binfmt not enabled (update-binfmts --enable qemu-aarch64)" >&2; exit 1; }

deb=${KERNEL_DEB:-}
if [ -z "$deb" ]; then
  pkg=$(apt-cache depends linux-image-arm64:arm64 | sed -n 's/.*Depends: \(linux-image-[^ :]*\).*/\1/p' | head -n 1)
  [ -n "$pkg" ] || { echo "bench: no linux-image-arm64:arm64 in apt's lists (dpkg --add-architecture arm64 && apt-get update)" >&2; exit 1; }
  (cd "$work" && apt-get download "$pkg:arm64" >/dev/null)
  deb=$(ls "$work/$pkg"_*_arm64.deb)
fi
echo "kernel package: $deb"

t0=$(date +%s)
ARCH=arm64 PI_INITRAMFS=1 "$here/testdata/make-debian-pi-image.sh" "$work/base.img.xz" >/dev/null
t1=$(date +%s)

ov=$work/overlay
mkdir -p "$ov/etc/systemd/system/hydra-firstboot.service.d"
# As in TryBootTest: no network, so a 5 s NTP wait instead of 180 s; a 3 GiB disk, so a 1 GiB free-space floor.
printf '[Service]\nEnvironment=HYDRA_FIRSTBOOT_TIME_WAIT=5\nEnvironment=HYDRA_FIRSTBOOT_MIN_FREE_KIB=1048576\n' \
  > "$ov/etc/systemd/system/hydra-firstboot.service.d/bench.conf"
[ -f "$work/key.pub" ] || ssh-keygen -q -t ed25519 -N '' -f "$work/key"
java -jar "$jar" build --base "$work/base.img.xz" --out "$work/hydra.img.xz" --user alice --ssh-key "$work/key.pub" \
  --hydra-pin legacy-2016 --overlay "$ov" --quiet
t2=$(date +%s)

rc=0
# 3 GiB of guest memory, as TryBootTest: no temporary swapfile on the small disk.
java -jar "$jar" try "$work/hydra.img.xz" --kernel-deb "$deb" --memory 3072 --timeout "${TIMEOUT:-5400}" || rc=$?
t3=$(date +%s)
echo
echo "try exit code: $rc"
echo "wall times: image $((t1 - t0)) s, build $((t2 - t1)) s, try $((t3 - t2)) s"
