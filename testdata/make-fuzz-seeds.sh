#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Makes the seed corpora of the Jazzer fuzz targets with real tools (sfdisk, mkfs.vfat, mcopy, mke2fs -d, e2fsck -fyD,
# xz, gpg) and writes them as src/test/resources/hydrapi/PKG/CLASSInputs/fuzz/seed-*, where Jazzer finds them; inputs
# that once failed (finding-*) lie beside them and are never touched here. Disk and partition images are stored as
# hydrapi.testkit.SparseImage (size, then non-zero chunks), so the test classes must be compiled first:
#   mvn -q test-compile && testdata/make-fuzz-seeds.sh
# Deterministic apart from the gpg key and signature (new ones each run; any good pair will do).
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export TZ=UTC LC_ALL=C MTOOLS_SKIP_CHECK=1 SOURCE_DATE_EPOCH=1700000000 E2FSPROGS_FAKE_TIME=1700000000
readonly UUID=4d3c2b1a-5e6f-4a8b-9c0d-1e2f3a4b5c6d HASH_SEED=0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0
res=src/test/resources/hydrapi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp=target/test-classes:target/classes
[ -f target/test-classes/hydrapi/testkit/SparseImage.class ] || { echo "compile the tests first: mvn -q test-compile" >&2; exit 1; }

seeds() { # CLASS-DIR: a fresh seed directory (old seeds removed, findings kept)
    mkdir -p "$res/$1/fuzz"
    rm -f "$res/$1/fuzz"/seed-*
    printf '%s' "$res/$1/fuzz"
}
sparse() { java -cp "$cp" hydrapi.testkit.SparseImage "$1" "$2"; }

# --- a small root tree: passwd, fstab, os-release behind a symlink, a directory big enough for an htree, symlinks
tree=$work/tree
mkdir -p "$tree"/etc/d "$tree"/etc/skel "$tree"/usr/lib "$tree"/usr/bin "$tree"/var/lib
printf 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\npi:x:1000:1000:,,,:/home/pi:/bin/bash\n' \
    > "$tree/etc/passwd"
printf 'root:x:0:\ndaemon:x:1:\nsudo:x:27:pi\nshadow:x:42:\npi:x:1000:\n' > "$tree/etc/group"
printf 'proc /proc proc defaults 0 0\nPARTUUID=5ee1e2a3-01 /boot/firmware vfat defaults 0 2\nPARTUUID=5ee1e2a3-02 / ext4 defaults,noatime 0 1\n' \
    > "$tree/etc/fstab"
printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_CODENAME=bookworm\n' > "$tree/usr/lib/os-release"
ln -s ../usr/lib/os-release "$tree/etc/os-release"
ln -s /very/long/target/path/that/does/not/exist/but/is/longer/than/sixty/bytes "$tree/etc/slow"
printf '# ~/.bashrc\n' > "$tree/etc/skel/.bashrc"
# An ELF header as dpkg's would start: ELFCLASS64, little endian, e_machine 0xB7 (AArch64) at 0x12.
python3 -c 'import sys; h=bytearray(64); h[0:7]=b"\x7fELF\x02\x01\x01"; h[0x12]=0xB7; sys.stdout.buffer.write(bytes(h))' \
    > "$tree/usr/bin/dpkg"
for i in $(seq -w 1 40); do : > "$tree/etc/d/entry-with-a-longish-name-$i"; done
# More than 4 extents: the extent tree of a 4 KiB-block volume needs depth 1.
for k in 0 2 4 6 8 10; do
    printf '%-4096s' "run $k" | dd of="$tree/var/lib/fragmented.bin" bs=4096 seek="$k" conv=notrunc status=none
done
find "$tree" -exec touch -h -d @1690000000 {} +

ext4() { # OUT SIZE MKE2FS-OPTIONS...
    local out=$1 size=$2
    shift 2
    rm -f "$out"
    truncate -s "$size" "$out"
    mke2fs -q -F -t ext4 -L rootfs -U "$UUID" -E "hash_seed=$HASH_SEED" "$@" -d "$tree" "$out"
    e2fsck -fyD "$out" > /dev/null 2>&1 || [ $? -le 1 ]
}
ext4 "$work/e1k.img" 160K -b 1024 -N 80 -O ^has_journal,^resize_inode
ext4 "$work/e4k.img" 4M -b 4096 -N 128 -O ^has_journal,64bit
ext4 "$work/egdt.img" 160K -b 1024 -N 80 -O ^has_journal,^resize_inode,^metadata_csum,uninit_bg
ext4 "$work/ejournal.img" 8M -b 4096 -N 128 -O ^64bit,^huge_file
for f in e1k e4k egdt ejournal; do
    sparse "$work/$f.img" "$work/$f.sparse"
done
d=$(seeds ext4/Ext4VolumeFuzzTestInputs)
for f in e1k e4k egdt ejournal; do cp "$work/$f.sparse" "$d/seed-$f"; done
d=$(seeds ext4/Ext4WriterFuzzTestInputs)
for f in e1k e4k ejournal; do cp "$work/$f.sparse" "$d/seed-$f"; done

# --- FAT volumes: FAT12, FAT16 and FAT32 (as pi-gen makes the boot partition: -F 32 -s 1), long names, a subdirectory
boot=$work/boot
mkdir -p "$boot/overlays"
printf 'console=serial0,115200 console=tty1 root=PARTUUID=5ee1e2a3-02 rootfstype=ext4 fsck.repair=yes rootwait\n' \
    > "$boot/cmdline.txt"
printf 'dtparam=audio=on\n[all]\n' > "$boot/config.txt"
printf 'overlay\n' > "$boot/overlays/README"
printf 'a long name\n' > "$boot/overlays/a-long-overlay-name.dtbo"
fat() { # OUT KIB MKFS-OPTIONS...
    local out=$1 kib=$2
    shift 2
    rm -f "$out"
    mkfs.vfat --invariant -C -n bootfs "$@" "$out" "$kib" > /dev/null
    mcopy -m -i "$out" "$boot/cmdline.txt" "$boot/config.txt" ::/
    mmd -i "$out" ::/overlays
    mcopy -m -i "$out" "$boot"/overlays/* ::/overlays/
}
fat "$work/fat12.img" 256
fat "$work/fat16.img" 4200 -F 16 -s 1
fat "$work/fat32.img" 34000 -F 32 -s 1
d=$(seeds fat/FatVolumeFuzzTestInputs)
for f in fat12 fat16 fat32; do sparse "$work/$f.img" "$d/seed-$f"; done

# --- whole disks: Raspberry Pi OS's layout (FAT32 bootfs at 4 MiB, ext4 rootfs after it), disk id 5ee1e2a3
disk=$work/disk.img
truncate -s 48M "$disk"
printf 'label: dos\nlabel-id: 0x5ee1e2a3\nstart=8192, size=68000, type=c\nstart=76800, size=16384, type=83\n' \
    | sfdisk -q "$disk"
dd if="$work/fat32.img" of="$disk" bs=512 seek=8192 conv=notrunc,sparse status=none
dd if="$work/ejournal.img" of="$disk" bs=512 seek=76800 conv=notrunc,sparse status=none
d=$(seeds image/ImageViewFuzzTestInputs)
sparse "$disk" "$d/seed-raspios-layout"
d=$(seeds disk/MbrFuzzTestInputs)
head -c 1024 "$disk" > "$d/seed-raspios-layout"
mbr() { # NAME SFDISK-SCRIPT
    rm -f "$work/mbr.img"
    truncate -s 1G "$work/mbr.img"
    printf '%b' "$2" | sfdisk -q "$work/mbr.img"
    head -c 1024 "$work/mbr.img" > "$d/seed-$1"
}
mbr extended 'label: dos\nlabel-id: 0x12345678\nstart=2048, size=4096, type=c, bootable\nstart=8192, size=65536, type=5\nstart=10240, size=2048, type=83\n'
mbr four 'label: dos\nlabel-id: 0x0badf00d\nsize=1024, type=c\nsize=1024, type=83\nsize=1024, type=82\nsize=1024, type=83\n'
mbr gpt 'label: gpt\nsize=1024, type=linux\n'

# --- xz: xz-utils' single- and multi-block files, other checks, filter chains, concatenated streams with padding
d=$(seeds xz/XzFileFuzzTestInputs)
head -c 300000 "$work/e1k.img" > "$work/data"
xz -6 -c "$work/data" > "$d/seed-single-block"
xz -6 -T2 --block-size=65536 -c "$work/data" > "$d/seed-multi-block"
xz -1 -C sha256 --block-size=100000 -c "$work/data" > "$d/seed-sha256"
xz -1 -C none -c "$work/data" > "$d/seed-check-none"
xz -C crc32 --delta=dist=4 --lzma2=preset=1 -c "$work/data" > "$d/seed-delta"
xz --x86 --lzma2=preset=1 -c "$work/data" > "$d/seed-x86"
xz -c < /dev/null > "$d/seed-empty"
{ xz -1 -c "$work/data"; head -c 8 /dev/zero; xz -1 -C crc32 --block-size=50000 -c "$tree/etc/passwd"; } \
    > "$d/seed-two-streams"
# The byte-level parsers get the structures themselves: a Block Header, an Index, a Stream Header and Footer.
h=$(seeds xz/XzHeadersFuzzTestInputs)
python3 - "$d/seed-multi-block" "$d/seed-delta" "$h" <<'PY'
import struct, sys
out = sys.argv[3]
for n, path in enumerate(sys.argv[1:3]):
    x = open(path, 'rb').read()
    size = (x[12] + 1) * 4
    open(f'{out}/seed-block-header-{n}', 'wb').write(x[12:12 + size])
    backward = (struct.unpack('<I', x[-8:-4])[0] + 1) * 4
    open(f'{out}/seed-index-{n}', 'wb').write(x[-12 - backward:-12])
    open(f'{out}/seed-stream-header-{n}', 'wb').write(x[:12])
    open(f'{out}/seed-stream-footer-{n}', 'wb').write(x[-12:])
PY

# --- JSON documents: Imager's OS list shape and a build manifest
d=$(seeds trust/JsonDocumentsFuzzTestInputs)
cp "$res/trust/os_list_sample.json" "$d/seed-os-list"
cat > "$d/seed-manifest" <<'JSON'
{
  "hydrapi_manifest": 1,
  "tool_version": "0.1.0",
  "source_date_epoch": 1700000000,
  "base": {
    "name": "2025-05-13-raspios-bookworm-arm64-lite.img.xz",
    "url": null,
    "sha256": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "signature": "unsigned",
    "signer": null
  },
  "hydra_pin": "modern 241ab71 sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
  "paths": [
    {"path": "/boot/firmware/ssh", "type": "file", "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "mode": "0755", "uid": 0, "gid": 0},
    {"path": "/etc/hydra", "type": "directory", "sha256": null, "mode": "0755", "uid": 0, "gid": 0},
    {"path": "/etc/hydra/link", "type": "symlink", "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "mode": "0777", "uid": 0, "gid": 0}
  ]
}
JSON

# --- the files beside a base: .sha256, .sig and the --base-key keyring (fresh gpg keys; u16 length before each part)
export GNUPGHOME=$work/gnupg
mkdir -m 700 "$GNUPGHOME"
printf 'hydrapi fuzz base image\n' > "$work/base.img"
frame() { python3 -c 'import struct,sys
for p in sys.argv[1:]:
    b=open(p,"rb").read(); sys.stdout.buffer.write(struct.pack("<H",len(b))+b)' "$@"; }
d=$(seeds trust/BaseCheckFuzzTestInputs)
(cd "$work" && sha256sum base.img > base.img.sha256)
for algo in ed25519 rsa2048; do
    gpg -q --batch --passphrase '' --quick-gen-key "fuzz-$algo <fuzz@example.org>" "$algo" sign never 2>/dev/null
    gpg -q --batch --yes --local-user "fuzz-$algo" --detach-sign -o "$work/base.img.sig" "$work/base.img"
    gpg -q --batch --yes --local-user "fuzz-$algo" --armor --detach-sign -o "$work/base.img.asc" "$work/base.img"
    gpg -q --batch --export "fuzz-$algo" > "$work/key.gpg"
    gpg -q --batch --armor --export "fuzz-$algo" > "$work/key.asc"
    frame "$work/base.img.sha256" "$work/base.img.sig" "$work/key.gpg" > "$d/seed-$algo-binary"
    frame "$work/base.img.sha256" "$work/base.img.asc" "$work/key.asc" > "$d/seed-$algo-armored"
done

# --- overlay manifests
d=$(seeds assemble/OverlayManifestFuzzTestInputs)
cat > "$d/seed-readme" <<'EOF'
# MODE  OWNER[:GROUP]  PATH
0640    root:shadow    /etc/hydra/secret.env
-       hydra:hydra    /var/lib/hydra
0700    -              /root
EOF
printf '0755 1000:1000 /home/pi/\n04755 0 //usr/bin/tool\n- -: /etc\n' > "$d/seed-numeric"
echo "seeds written under $res"
