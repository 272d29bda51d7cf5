#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Makes a bootable disk laid out like Raspberry Pi OS Lite bookworm from the Debian root of make-debian-root.sh, for
# `hydrapi try` tests and benches: MBR (sfdisk) with a fixed disk id; p1 FAT32 "bootfs" at 4 MiB (mkfs.vfat) with
# cmdline.txt and config.txt as pi-gen writes them; p2 ext4 "rootfs" made as pi-gen makes it (mke2fs -O
# ^64bit,^huge_file -d), its fstab naming both by PARTUUID. See docs/raspberry-pi-os-image.md §1.
# The root partition is 3 GiB (ROOT_MIB): room for PostgreSQL and the stages' logs. Booted on a larger disk (hydrapi
# try --card-size), a stand-in of Raspberry Pi OS bookworm's first-boot resize grows it to the disk's end (below).
# Needs root (mke2fs -d keeps the root's owners), mmdebstrap, sfdisk, mkfs.vfat, mtools, e2fsprogs, xz.
#
# usage: testdata/make-debian-pi-image.sh OUT.img.xz     (RAW=1: OUT is a raw .img)
#        ARCH=arm64 PI_INITRAMFS=1: an arm64 root whose initramfs lies on the boot partition as initramfs8, whose
#        /boot holds no kernel and whose modules are of another kernel version, as on Raspberry Pi OS
#        (bench/try-arm64-bench.sh).
#        STYLE=trixie-cloudinit: a Debian trixie root with cloud-init (booted by systemd-nspawn, no kernel) laid out
#        like Raspberry Pi OS trixie since 2025-11-24: cmdline " resize", machine-id "uninitialized", no SSH host
#        keys, cloud-init reading NoCloud seeds from /boot/firmware (the seeds of SEED_DIR, else pi-gen's commented
#        ones), as Raspberry Pi's rpi-cloud-init-mods configures it (docs/raspberry-pi-os.md, "cloud-init").
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:?usage: make-debian-pi-image.sh OUT.img.xz}
root_mib=${ROOT_MIB:-3072}
export TZ=UTC LC_ALL=C MTOOLS_SKIP_CHECK=1

for tool in sfdisk mkfs.vfat mcopy mke2fs e2fsck xz; do
  command -v "$tool" >/dev/null || { echo "make-debian-pi-image.sh: $tool missing (apt-get install fdisk dosfstools mtools e2fsprogs xz-utils)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/hydrapi-pi-image.XXXXXX")
trap 'rm -rf --one-file-system "$work"' EXIT
root=$work/root
style=${STYLE:-bookworm}
if [ "$style" = trixie-cloudinit ]; then
  SUITE=trixie EXTRA_PACKAGES=cloud-init NSPAWN_ONLY=1 "$here/make-debian-root.sh" "$root" >/dev/null
else
  "$here/make-debian-root.sh" "$root" >/dev/null
fi

disk_id=5ee1e2a4
boot_start=8192                       # 4 MiB, as pi-gen
boot_sectors=$((64 * 2048))           # 64 MiB
root_start=$((boot_start + boot_sectors))
root_sectors=$((root_mib * 2048))
img=$work/disk.img
truncate -s $(((root_start + root_sectors) * 512)) "$img"
sfdisk --quiet "$img" <<SFDISK
label: dos
label-id: 0x$disk_id
unit: sectors
start=$boot_start, size=$boot_sectors, type=c
start=$root_start, size=$root_sectors, type=83
SFDISK

# ---- boot partition: pi-gen's cmdline.txt (stage1/00-boot-files) and a config.txt with auto_initramfs ----------
boot=$work/boot
mkdir -p "$boot"
if [ "$style" = trixie-cloudinit ]; then
  printf 'console=serial0,115200 console=tty1 root=PARTUUID=%s-02 rootfstype=ext4 fsck.repair=yes rootwait resize\n' \
    "$disk_id" > "$boot/cmdline.txt"
  if [ -n "${SEED_DIR:-}" ]; then
    cp "$SEED_DIR/user-data" "$SEED_DIR/meta-data" "$SEED_DIR/network-config" "$boot/"
  else
    printf 'dsmode: local\ninstance_id: rpios-image\n' > "$boot/meta-data"
    printf '#cloud-config\n# hostname: raspberrypi\n' > "$boot/user-data"
    printf '# network:\n#   version: 2\n' > "$boot/network-config"
  fi
else
  printf 'console=serial0,115200 console=tty1 root=PARTUUID=%s-02 rootfstype=ext4 fsck.repair=yes rootwait quiet init=/usr/lib/raspberrypi-sys-mods/firstboot\n' \
    "$disk_id" > "$boot/cmdline.txt"
fi
printf 'dtparam=audio=on\ncamera_auto_detect=1\ndisplay_auto_detect=1\nauto_initramfs=1\narm_64bit=1\n' > "$boot/config.txt"
if [ "${PI_INITRAMFS:-0}" = 1 ]; then
  # Raspberry Pi OS keeps its kernels and initramfs on the boot partition, none in /boot.
  initrd=$(find "$root/boot" -maxdepth 1 -name 'initrd.img-*' | sort | tail -n 1)
  [ -n "$initrd" ] || { echo "make-debian-pi-image.sh: no initrd.img-* in the root's /boot" >&2; exit 1; }
  cp "$initrd" "$boot/initramfs8"
  rm -f "$root"/boot/vmlinuz-* "$root"/boot/initrd.img-* "$root"/vmlinuz* "$root"/initrd.img*
  # Its modules belong to the Raspberry Pi kernel, another version than any Debian kernel booted in its place.
  for m in "$root"/usr/lib/modules/*; do
    if [ -d "$m" ]; then mv "$m" "$m-v8+rpi"; fi
  done
fi
mkfs.vfat --invariant -F 32 -s 1 -n bootfs --offset=$boot_start "$img" $((boot_sectors / 2)) >/dev/null
mcopy -m -i "$img@@$((boot_start * 512))" "$boot"/* ::/

# ---- root partition -------------------------------------------------------------------------------------------
mkdir -p "$root/boot/firmware"
cat > "$root/etc/fstab" <<F
proc            /proc           proc    defaults          0       0
PARTUUID=$disk_id-01  /boot/firmware  vfat    defaults          0       2
PARTUUID=$disk_id-02  /               ext4    defaults,noatime  0       1
F
echo raspberrypi > "$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\traspberrypi\n' > "$root/etc/hosts"
# A stand-in for raspberrypi-sys-mods' bookworm firstboot, which cmdline.txt's init= runs before systemd: on a disk
# larger than the image (a card; hydrapi try --card-size) it grows the root partition to the disk's end and the
# filesystem into it, takes its init= out of cmdline.txt and reboots, as the real one does (sys-mods bookworm 3af395f:
# parted and resize2fs -f in the initramfs hook local-premount/firstboot, then usr/lib/raspberrypi-sys-mods/firstboot,
# which also gives the disk a new identifier and regenerates the SSH host keys; not done here). This root has neither
# the sys-mods initramfs hook nor parted: the MBR entry is written with dd and the kernel told with util-linux's
# resizepart (BLKPG), and resize2fs grows the mounted filesystem.
mkdir -p "$root/usr/lib/raspberrypi-sys-mods"
cat > "$root/usr/lib/raspberrypi-sys-mods/firstboot" <<'STANDIN'
#!/bin/sh
# hydrapi test stand-in for raspberrypi-sys-mods' firstboot (see testdata/make-debian-pi-image.sh).
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
say() { echo "firstboot (hydrapi test stand-in): $*" > /dev/console; }
mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sys /sys
dev=$(findmnt -n -o SOURCE /)
part=${dev##*/}
disk=$(basename "$(readlink -f "/sys/class/block/$part/..")")
num=$(cat "/sys/class/block/$part/partition")
start=$(cat "/sys/class/block/$part/start")
size=$(cat "/sys/class/block/$part/size")
end=$(cat "/sys/block/$disk/size")
if [ "$end" -gt 4294967296 ]; then end=4294967296; fi
new=$((end - start))
if [ "$num" -le 4 ] && [ "$new" -gt "$size" ]; then
  say "growing $dev from $size to $new sectors"
  # The partition entry's sector count: little-endian, 12 bytes into entry NUM of the table at byte 446.
  # shellcheck disable=SC2059 # the format is the four bytes
  printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $((new & 255)) $((new >> 8 & 255)) $((new >> 16 & 255)) $((new >> 24 & 255)))" \
    | dd of="/dev/$disk" bs=1 seek=$((446 + 16 * (num - 1) + 12)) count=4 conv=notrunc,fsync status=none
  resizepart "/dev/$disk" "$num" "$new"
  mount -o remount,rw /
  resize2fs "$dev" > /dev/console 2>&1
  mount -o remount,ro /
fi
mount /boot/firmware
sed -i 's| init=/usr/lib/raspberrypi-sys-mods/firstboot||' /boot/firmware/cmdline.txt
umount /boot/firmware
sync
say "rebooting"
reboot -f
STANDIN
chmod 0755 "$root/usr/lib/raspberrypi-sys-mods/firstboot"
# As pi-gen's export-image: an empty machine-id, so each Pi makes its own.
: > "$root/etc/machine-id"
if [ "$style" = trixie-cloudinit ]; then
  # export-image/05-finalise on trixie: "uninitialized" (ConditionFirstBoot=), host keys deleted (the Pi makes them).
  echo uninitialized > "$root/etc/machine-id"
  rm -f "$root"/etc/ssh/ssh_host_*
  mkdir -p "$root/etc/cloud/cloud.cfg.d"
  printf 'datasource_list: [ NoCloud, None ]\ndatasource:\n  NoCloud:\n    seedfrom: file:///boot/firmware/\n' \
    > "$root/etc/cloud/cloud.cfg.d/99_raspberry-pi.cfg"
fi
rootfs=$work/rootfs.img
truncate -s $((root_sectors * 512)) "$rootfs"
mke2fs -q -F -t ext4 -T default -L rootfs -O ^64bit,^huge_file -d "$root" "$rootfs"
# mke2fs -d leaves big directories linear; index them as a kernel-written root has them (as make-sample.sh does).
e2fsck -fyD "$rootfs" >/dev/null 2>&1 || [ $? -le 1 ]
dd if="$rootfs" of="$img" bs=1M seek=$((root_start * 512)) oflag=seek_bytes conv=notrunc,sparse status=none
rm -f "$rootfs"

if [ "${RAW:-0}" = 1 ]; then
  mv "$img" "$out"
else
  # Fastest preset, in blocks as pi-gen's xz -T0 writes them but of 4 MiB, not 24: hydrapi build copies the unchanged
  # ones and recompresses only the ~10 its edits touch, 40 MiB instead of 240 at preset 6 (minutes on a busy CI).
  # The .sha256 beside it, as Raspberry Pi publishes one, spares build its decode-everything check.
  xz -T2 -0 --block-size=4MiB -c "$img" > "$out.tmp"
  mv "$out.tmp" "$out"
  (cd "$(dirname "$out")" && sha256sum "$(basename "$out")" > "$(basename "$out").sha256")
fi
echo "$out"
