#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds small ext4 images in the styles a Raspberry Pi OS root filesystem comes in
# (docs/ext4-and-fat.md §1 and §16.3), for hydrapi.ext4 tests. Usage: make-ext4-fixtures.sh OUT_DIR
# Output: OUT_DIR/<style>.img for each style, and OUT_DIR/tree/ (the source tree).
# Deterministic: fixed UUID, hash seed, E2FSPROGS_FAKE_TIME and file times.
set -Eeuo pipefail

out=${1:?usage: make-ext4-fixtures.sh OUT_DIR}
export TZ=UTC LC_ALL=C
# libext2fs 1.47.0 reads no SOURCE_DATE_EPOCH (house-style.md, Fixtures).
export E2FSPROGS_FAKE_TIME=1700000000
readonly UUID=4d3c2b1a-5e6f-4a8b-9c0d-1e2f3a4b5c6d
readonly HASH_SEED=0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0

mkdir -p "$out"
tree="$out/tree"
rm -rf "$tree"
mkdir -p "$tree"/etc/systemd/system/multi-user.target.wants "$tree"/etc/many \
         "$tree"/usr/lib "$tree"/usr/bin "$tree"/var/lib "$tree"/home/pi "$tree"/empty

printf 'root:x:0:0:root:/root:/bin/bash\npi:x:1000:1000:,,,:/home/pi:/bin/bash\n' > "$tree/etc/passwd"
printf 'root:x:0:\nshadow:x:42:\npi:x:1000:\n' > "$tree/etc/group"
printf 'root:*:19000:0:99999:7:::\npi:%s:19000:0:99999:7:::\n' "\$y\$j9T\$salt\$hash" > "$tree/etc/shadow"
chown 0:42 "$tree/etc/shadow"
chmod 0640 "$tree/etc/shadow"
cat > "$tree/etc/fstab" <<'FSTAB'
proc            /proc           proc    defaults          0       0
PARTUUID=abcd1234-01  /boot/firmware  vfat    defaults          0       2
PARTUUID=abcd1234-02  /               ext4    defaults,noatime  0       1
FSTAB
printf '[Unit]\nDescription=demo\n[Service]\nExecStart=/usr/bin/true\n' \
    > "$tree/etc/systemd/system/demo.service"
ln -s /etc/systemd/system/demo.service "$tree/etc/systemd/system/multi-user.target.wants/demo.service"
printf 'PRETTY_NAME="Fixture OS"\n' > "$tree/usr/lib/os-release"
printf '#!/bin/sh\nexit 0\n' > "$tree/usr/bin/true"
chmod 0755 "$tree/usr/bin/true"
# Symlinks: relative intermediate ones, as in a merged-/usr Debian root.
ln -s usr/lib "$tree/lib"
ln -s usr/bin "$tree/bin"
ln -s ../usr/lib/os-release "$tree/etc/os-release"
# Fast (< 60 bytes, in i_block) and slow (own data block) symlinks.
ln -s /usr/share/zoneinfo/Etc/UTC "$tree/etc/localtime"
ln -s /very/long/target/path/that/does/not/exist/but/is/longer/than/sixty/bytes/for/a/slow/symlink \
    "$tree/etc/slowlink"
# A symlink loop, for the 40-hop limit.
ln -s loop-b "$tree/etc/loop-a"
ln -s loop-a "$tree/etc/loop-b"
# A directory with a few hundred entries, so that e2fsck -D indexes it (htree), including non-ASCII names.
for i in $(seq -w 1 400); do
    printf 'entry %s\n' "$i" > "$tree/etc/many/entry-$i.conf"
done
for n in café größe ñandú 日本語 "with space" "$(printf 'x%.0s' $(seq 1 200))"; do
    printf '%s\n' "$n" > "$tree/etc/many/$n"
done
mkdir "$tree/etc/many/subdir"
# A few MB with a hole in the middle and a sparse tail.
head -c 1048576 /dev/zero | tr '\0' 'A' > "$tree/var/lib/big.bin"
dd if=/dev/zero bs=1 count=0 seek=2097152 of="$tree/var/lib/big.bin" status=none
head -c 1048576 /dev/zero | tr '\0' 'B' >> "$tree/var/lib/big.bin"
truncate -s 4194304 "$tree/var/lib/big.bin"
# Many small data runs, so the extent tree needs depth 1 (more than 4 extents).
rm -f "$tree/var/lib/fragmented.bin"
for k in 0 2 4 6 8 10 12 14; do
    printf '%-4096s' "run $k" | dd of="$tree/var/lib/fragmented.bin" bs=4096 seek="$k" conv=notrunc status=none
done
printf '' > "$tree/home/pi/.empty-file"
chown -R 1000:1000 "$tree/home/pi"
find "$tree" -exec touch -h -d @1690000000 {} +

# style name → extra mke2fs options; size in MiB
make_image() {
    local style=$1 size=$2
    shift 2
    local img="$out/$style.img"
    rm -f "$img"
    truncate -s "${size}M" "$img"
    mke2fs -q -F -t ext4 -L rootfs -U "$UUID" -E "hash_seed=$HASH_SEED" "$@" -d "$tree" "$img"
}

index_dirs() {
    # e2fsck -fyD exits 1 when it optimised directories, which is what we want.
    local rc=0
    e2fsck -fyD "$1" > /dev/null 2>&1 || rc=$?
    if (( rc > 1 )); then
        echo "e2fsck -fyD $1 failed with $rc" >&2
        exit 1
    fi
    e2fsck -fn "$1" > /dev/null 2>&1
}

# Debian 12 defaults as pi-gen applies them: no 64bit, no huge_file, no csum seed, no orphan_file.
make_image bookworm 32 -b 4096 -g 2048 -O ^64bit,^huge_file,^metadata_csum_seed,^orphan_file
index_dirs "$out/bookworm.img"
# Trixie-era e2fsprogs adds metadata_csum_seed and orphan_file.
make_image trixie 32 -b 4096 -g 2048 -O ^64bit,^huge_file,metadata_csum_seed,orphan_file
index_dirs "$out/trixie.img"
# The "small" fs type: 1 KiB blocks, s_first_data_block = 1, backups in groups 1 and 3. Its extra directory
# has more leaves than one 1 KiB dx_root holds (123), so e2fsck -D gives it a two-level htree.
mkdir -p "$tree/var/bigdir"
for i in $(seq -w 1 3000); do
    : > "$tree/var/bigdir/file-with-a-rather-long-name-number-$i"
done
touch -h -d @1690000000 "$tree/var/bigdir" "$tree"/var/bigdir/*
make_image 1k 32 -b 1024 -O ^64bit,^huge_file,^metadata_csum_seed,^orphan_file
index_dirs "$out/1k.img"
rm -rf "$tree/var/bigdir"
touch -h -d @1690000000 "$tree/var"
# The same 1 KiB layout at half the size and without bigdir: cheap to fsck many times (property tests).
make_image small1k 16 -b 1024 -O ^64bit,^huge_file,^metadata_csum_seed,^orphan_file
index_dirs "$out/small1k.img"
# 64-byte group descriptors.
make_image 64bit 32 -b 4096 -g 2048 -O 64bit,metadata_csum_seed,orphan_file
index_dirs "$out/64bit.img"
# An arm64-built image: unsigned directory hash. The hash flag is set before e2fsck -D builds the htrees.
make_image unsigned 32 -b 4096 -g 2048 -O ^64bit,^huge_file,^metadata_csum_seed,^orphan_file
debugfs -w -R 'ssv flags 2' "$out/unsigned.img" > /dev/null 2>&1
index_dirs "$out/unsigned.img"
# Pre-metadata_csum ext4 with uninit_bg: crc16 group descriptor checksums.
make_image gdtcsum 32 -b 4096 -g 2048 -O ^64bit,^huge_file,^metadata_csum,^metadata_csum_seed,^orphan_file,uninit_bg
index_dirs "$out/gdtcsum.img"
