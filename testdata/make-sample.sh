#!/usr/bin/env bash
# Makes testdata/sample-base.img.xz: a small disk laid out like Raspberry Pi OS Lite (bookworm), with stock tools
# and no root. MBR with a fixed disk id; p1 FAT32 "bootfs" at 4 MiB (mkdosfs -F 32 -s 1 as pi-gen master);
# p2 ext4 "rootfs" made as pi-gen makes it (-O ^64bit,^huge_file, metadata_csum from Debian 12's mke2fs.conf),
# populated with -d, then e2fsck -fyD so its big directories are htree-indexed as kernel-written ones are.
# See docs/raspberry-pi-os-image.md §1 and docs/ext4-and-fat.md §16.3.
#
# usage: testdata/make-sample.sh [OUT.img.xz]    (default: testdata/sample-base.img.xz)
#        STYLE=trixie adds metadata_csum_seed,orphan_file and the trixie cmdline (" resize").
#        STYLE=trixie-cloudinit is trixie as Raspberry Pi OS ships it since 2025-11-24: cloud-init installed (dpkg
#        status) with pi-gen's NoCloud seeds on the boot partition, a locked UID 1000 "pi", machine-id
#        "uninitialized", the Wi-Fi radios' rfkill states saved as blocked, tzdata, locales (this host's files).
#        STYLE=trixie-unseeded is the same without the seeds, as the 2025-10-01 image (docs/raspberry-pi-os.md).
#        RAW=1 leaves OUT as an uncompressed .img.
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here/sample-base.img.xz}
style=${STYLE:-bookworm}
export TZ=UTC LC_ALL=C MTOOLS_SKIP_CHECK=1
# libext2fs 1.47.0 reads E2FSPROGS_FAKE_TIME (SOURCE_DATE_EPOCH only from 1.47.1).
epoch=1700000000
export E2FSPROGS_FAKE_TIME=$epoch

for tool in sfdisk mkfs.vfat mcopy mmd mke2fs e2fsck debugfs xz; do
  command -v "$tool" >/dev/null || { echo "make-sample.sh: $tool missing (apt-get install fdisk dosfstools mtools e2fsprogs xz-utils)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

disk_id=5ee1e2a3
boot_start=8192        # 4 MiB
boot_sectors=81920     # 40 MiB: FAT32 with 512-byte clusters needs at least 65525 clusters
root_start=$((boot_start + boot_sectors))
root_sectors=81920     # 40 MiB
img=$work/disk.img
truncate -s $(((root_start + root_sectors) * 512)) "$img"
sfdisk --quiet "$img" <<SFDISK
label: dos
label-id: 0x$disk_id
unit: sectors
start=$boot_start, size=$boot_sectors, type=c
start=$root_start, size=$root_sectors, type=83
SFDISK

# ---- boot partition ------------------------------------------------------------------------------------
boot=$work/boot
mkdir -p "$boot/overlays"
cmdline="console=serial0,115200 console=tty1 root=PARTUUID=$disk_id-02 rootfstype=ext4 fsck.repair=yes rootwait"
if [ "${style%%-*}" = trixie ]; then cmdline="$cmdline resize"; else cmdline="$cmdline quiet init=/usr/lib/raspberrypi-sys-mods/firstboot"; fi
printf '%s\n' "$cmdline" > "$boot/cmdline.txt"
cat > "$boot/config.txt" <<'CFG'
# For more options and information see
# http://rptl.io/configtxt
dtparam=audio=on
camera_auto_detect=1
display_auto_detect=1
auto_initramfs=1
dtoverlay=vc4-kms-v3d
max_framebuffers=2
disable_fw_kms_setup=1
arm_64bit=1
disable_overscan=1
arm_boost=1

[cm4]
otg_mode=1

[all]
CFG
head -c 20000 /dev/zero | tr '\0' 'k' > "$boot/kernel8.img"
printf 'dtb' > "$boot/bcm2711-rpi-4-b.dtb"
printf 'dtb' > "$boot/bcm2712-rpi-5-b.dtb"
for i in $(seq 1 40); do printf 'overlay %s\n' "$i" > "$boot/overlays/overlay-number-$i.dtbo"; done
printf 'readme\n' > "$boot/overlays/README"
seeds=()
if [ "$style" = trixie-cloudinit ]; then
  # pi-gen stage2/04-cloud-init/files: every directive of user-data commented out, meta-data's instance_id.
  printf 'dsmode: local\ninstance_id: rpios-image\n' > "$boot/meta-data"
  printf '#cloud-config\n\n# hostname: raspberrypi\n# users:\n#   - name: pi\n#     groups: users,adm,sudo\n' > "$boot/user-data"
  printf '# network:\n#   version: 2\n#   ethernets:\n#     eth0:\n#       dhcp4: true\n' > "$boot/network-config"
  seeds=("$boot/meta-data" "$boot/user-data" "$boot/network-config")
fi
find "$boot" -exec touch -h -d @$epoch {} +
mkfs.vfat --invariant -F 32 -s 1 -n bootfs --offset=$boot_start "$img" $((boot_sectors / 2)) >/dev/null
moff="$img@@$((boot_start * 512))"
mcopy -m -i "$moff" "$boot/cmdline.txt" "$boot/config.txt" "$boot/kernel8.img" \
  "$boot/bcm2711-rpi-4-b.dtb" "$boot/bcm2712-rpi-5-b.dtb" "${seeds[@]}" ::/
mcopy -m -s -i "$moff" "$boot/overlays" ::/

# ---- root partition -----------------------------------------------------------------------------------
root=$work/root
mkdir -p "$root"/{etc/systemd/system/multi-user.target.wants,etc/skel,etc/ssh,boot/firmware,home,root,tmp,var/lib/systemd,usr/share/doc,usr/lib/raspberrypi-sys-mods,usr/bin,usr/sbin,var/empty}
cat > "$root/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
systemd-network:x:998:998:systemd Network Management:/:/usr/sbin/nologin
sshd:x:100:65534::/run/sshd:/usr/sbin/nologin
P
cat > "$root/etc/group" <<'G'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
sudo:x:27:
shadow:x:42:
users:x:100:
nogroup:x:65534:
systemd-network:x:998:
G
cat > "$root/etc/shadow" <<'S'
root:*:19700:0:99999:7:::
daemon:*:19700:0:99999:7:::
bin:*:19700:0:99999:7:::
sys:*:19700:0:99999:7:::
nobody:*:19700:0:99999:7:::
systemd-network:!*:19700::::::
sshd:!:19700::::::
S
cat > "$root/etc/gshadow" <<'GS'
root:*::
daemon:*::
bin:*::
sys:*::
adm:*::
sudo:*::
shadow:*::
users:*::
nogroup:*::
systemd-network:!*::
GS
cat > "$root/etc/fstab" <<F
proc            /proc           proc    defaults          0       0
PARTUUID=$disk_id-01  /boot/firmware  vfat    defaults          0       2
PARTUUID=$disk_id-02  /               ext4    defaults,noatime  0       1
F
if [ "${style%%-*}" = trixie ]; then
  # timesyncd's account and the empty clock file pi-gen leaves (raspberry-pi-os-image.md §2.7); the committed
  # bookworm sample stays as it was so the account IDs the tests expect do not move.
  echo 'systemd-timesync:x:997:997:systemd Time Synchronization:/:/usr/sbin/nologin' >> "$root/etc/passwd"
  echo 'systemd-timesync:x:997:' >> "$root/etc/group"
  echo 'systemd-timesync:!*:19700::::::' >> "$root/etc/shadow"
  echo 'systemd-timesync:!*::' >> "$root/etc/gshadow"
  mkdir -p "$root/var/lib/systemd/timesync"
  : > "$root/var/lib/systemd/timesync/clock"
fi
echo raspberrypi > "$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\traspberrypi\n' > "$root/etc/hosts"
printf 'export PATH\n' > "$root/etc/skel/.profile"
printf '# ~/.bashrc\n' > "$root/etc/skel/.bashrc"
printf '#!/bin/sh\nexit 0\n' > "$root/usr/lib/raspberrypi-sys-mods/firstboot"
chmod 0755 "$root/usr/lib/raspberrypi-sys-mods/firstboot"
: > "$root/etc/machine-id"
case "$style" in
  trixie-cloudinit|trixie-unseeded)
    # export-image/05-finalise: ConditionFirstBoot= units (rpi-resize) need "uninitialized", not an empty file.
    echo uninitialized > "$root/etc/machine-id"
    # The first user, locked, as trixie's images ship it (no password, no login shell, no passwordless sudo).
    echo 'pi:x:1000:1000:,,,:/home/pi:/usr/sbin/nologin' >> "$root/etc/passwd"
    echo 'pi:x:1000:' >> "$root/etc/group"
    echo 'pi:!:19700:0:99999:7:::' >> "$root/etc/shadow"
    echo 'pi:!::' >> "$root/etc/gshadow"
    sed -i 's/^sudo:x:27:$/sudo:x:27:pi/' "$root/etc/group"
    mkdir -p "$root/home/pi" "$root/var/lib/dpkg" "$root/etc/cloud" "$root/var/lib/systemd/rfkill" \
      "$root/usr/share/zoneinfo/Europe" "$root/usr/share/i18n"
    printf 'Package: cloud-init\nStatus: install ok installed\nPriority: optional\nVersion: 25.1.4-1+rpt1\n\n' \
      > "$root/var/lib/dpkg/status"
    printf 'Package: openssh-server\nStatus: install ok installed\nPriority: optional\nVersion: 1:10.0p1-7\n' \
      >> "$root/var/lib/dpkg/status"
    printf 'datasource_list: [ NoCloud, None ]\n' > "$root/etc/cloud/cloud.cfg"
    # pi-gen stage2/02-net-tweaks: the radios stay blocked until a Wi-Fi country is set.
    for radio in platform-3f300000.mmcnr platform-fe300000.mmcnr platform-1001100000.mmc; do
      echo 1 > "$root/var/lib/systemd/rfkill/$radio:wlan"
    done
    cp /usr/share/zoneinfo/UTC "$root/usr/share/zoneinfo/UTC"
    cp /usr/share/zoneinfo/Europe/Berlin "$root/usr/share/zoneinfo/Europe/Berlin"
    cp /usr/share/i18n/SUPPORTED "$root/usr/share/i18n/SUPPORTED"
    cp /usr/sbin/locale-gen "$root/usr/sbin/locale-gen"
    printf '# This file lists locales that you wish to have built.\n\n# de_DE.UTF-8 UTF-8\nen_GB.UTF-8 UTF-8\n' \
      > "$root/etc/locale.gen"
    mkdir -p "$root/etc/default"
    printf 'LANG=en_GB.UTF-8\n' > "$root/etc/default/locale"
    ;;
esac
for i in $(seq -w 1 300); do
  mkdir -p "$root/usr/share/doc/package-$i"
  printf 'Copyright of package %s\n' "$i" > "$root/usr/share/doc/package-$i/copyright"
done
ln -s /lib/systemd/system/ssh.service "$root/etc/systemd/system/sshd.service"
ln -s usr/bin "$root/bin"
ln -s usr/sbin "$root/sbin"
chmod 0640 "$root/etc/shadow" "$root/etc/gshadow"
chmod 1777 "$root/tmp"
chmod 0700 "$root/root"
find "$root" -exec touch -h -d @$epoch {} +

features=^64bit,^huge_file
[ "${style%%-*}" = trixie ] && features="$features,metadata_csum_seed,orphan_file"
rootfs=$work/rootfs.img
truncate -s $((root_sectors * 512)) "$rootfs"
# -T default: 4 KiB blocks and 256-byte inodes as on a real (GB-sized) root, not the "small" profile.
mke2fs -q -F -t ext4 -T default -L rootfs -O "$features" -U 0c5c8b4e-3d7e-4e55-9d55-3a0a2d61f001 \
  -E hash_seed=6a3b1f0e-2b45-4c1e-8f5d-0d9a7f1b2c01,root_owner=0:0 -d "$root" "$rootfs"
# mke2fs -d copies the builder's uid/gid: set Debian's owners explicitly so the script needs no root.
{
  (cd "$root" && find . -mindepth 1 | sort) | while read -r p; do
    printf 'sif "/%s" uid 0\nsif "/%s" gid 0\n' "${p#./}" "${p#./}"
  done
  printf 'sif /etc/shadow gid 42\nsif /etc/gshadow gid 42\n'
  if [ "${style%%-*}" = trixie ]; then
    for p in /var/lib/systemd/timesync /var/lib/systemd/timesync/clock; do printf 'sif %s uid 997\nsif %s gid 997\n' "$p" "$p"; done
  fi
  if [ -d "$root/home/pi" ]; then printf 'sif /home/pi uid 1000\nsif /home/pi gid 1000\nsif /home/pi mode 040700\n'; fi
} > "$work/owners.debugfs"
debugfs -w -f "$work/owners.debugfs" "$rootfs" >/dev/null 2>&1
e2fsck -fyD "$rootfs" >/dev/null || [ $? -le 1 ]
dd if="$rootfs" of="$img" bs=512 seek=$root_start conv=notrunc,sparse status=none

if [ "${RAW:-0}" = 1 ]; then
  mv "$img" "$out"
else
  # -T2 makes xz use its multi-threaded encoder: 24 MiB blocks with sizes in the headers, like pi-gen's images.
  xz -T2 -6 -c "$img" > "$out.tmp"
  mv "$out.tmp" "$out"
fi
echo "$out"
