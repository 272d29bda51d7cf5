#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Makes small FAT partition images with real tools, like pi-gen's boot partition (mkdosfs -n bootfs -F 32 -s 1):
#   fat32.img  FAT32, 1 sector per cluster, ~40 MiB, label bootfs
#   fat16.img  FAT16, 4 sectors per cluster, ~16 MiB, label bootfs
# each holding cmdline.txt, config.txt and overlays/ with 50 files (8.3 and long names), written by mcopy.
# Usage: make-fat-fixtures.sh OUTDIR
set -Eeuo pipefail
export TZ=UTC LC_ALL=C MTOOLS_SKIP_CHECK=1 SOURCE_DATE_EPOCH=1710506096

out=${1:?usage: make-fat-fixtures.sh OUTDIR}
mkdir -p "$out"
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT

# Fixed content and mtimes so that two runs give the same bytes.
mkdir -p "$tree/overlays"
printf 'console=serial0,115200 console=tty1 root=PARTUUID=abcd1234-02 rootfstype=ext4 fsck.repair=yes rootwait\n' \
    > "$tree/cmdline.txt"
{
    printf '# For more options and information see http://rptl.io/configtxt\n'
    printf 'dtparam=audio=on\ncamera_auto_detect=1\ndisplay_auto_detect=1\n'
    for i in $(seq 1 200); do printf '# padding line %03d to span several clusters\n' "$i"; done
    printf '[all]\n'
} > "$tree/config.txt"
for i in $(seq -w 1 30); do
    head -c $((10#$i * 997)) /dev/zero | tr '\0' "$(printf '\\%03o' $((65 + 10#$i % 26)))" > "$tree/overlays/ov$i.dtbo"
done
for i in $(seq -w 1 20); do
    seq 1 $((10#$i * 150)) > "$tree/overlays/a-long-overlay-name-number-$i.dtbo"
done
printf 'Important notes about overlays\n' > "$tree/overlays/README"
touch -d '2024-03-15 12:34:56' "$tree/cmdline.txt" "$tree/config.txt" "$tree"/overlays/*

make_image() {
    local img=$1 fatbits=$2 spc=$3 kib=$4
    rm -f "$img"
    mkfs.vfat --invariant -C -n bootfs -F "$fatbits" -s "$spc" "$img" "$kib" > /dev/null
    mcopy -m -i "$img" "$tree/cmdline.txt" "$tree/config.txt" ::/
    mmd -i "$img" ::/overlays
    mcopy -m -i "$img" "$tree"/overlays/* ::/overlays/
}

make_image "$out/fat32.img" 32 1 $((40 * 1024))
make_image "$out/fat16.img" 16 4 $((16 * 1024))
