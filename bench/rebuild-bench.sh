#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Issue 5 point 7: rebuild cost with block reuse against the shell pipeline a user would otherwise run.
#
# Builds a Raspberry Pi OS-like disk image (MBR; FAT32 boot at 8 MiB, 512 MiB; ext4 root filled with real files
# of this machine by mke2fs -d, the rest zeros, as after pi-gen's zerofree), compresses it with `xz -T2 -6` (the
# multi-block layout pi-gen publishes), then times:
#   (a) hydrapi rebuild injecting INJECT_MIB of real files into the root and one file into the boot FAT, writing a
#       new .img.xz (block reuse), against
#   (b) xz -dc → debugfs -w (mkdir + write) → mcopy → xz -T$(nproc) -6;
#   (c) hydrapi full recompression (ParallelXzWriter) against xz -T$(nproc) -6 of the same raw image.
# Prints wall times, ratios and peak RSS (GNU time). Rootless: no loop devices or mounts.
#
# (a) and (c) run the real command line, `java -jar target/hydrapi.jar build`, as a user would (JAVA_OPTS, empty by
# default, is passed to java: the figures are for the JVM's own defaults unless it says otherwise).
#
# Usage: bench/rebuild-bench.sh
# Environment: IMAGE_MIB (whole image, default 2700), ROOT_DATA_MIB (real files in the root, default 1800),
#   INJECT_MIB (default 20), THREADS (default nproc), WORK (scratch dir; default a mktemp dir, removed at exit),
#   JAVA_OPTS (default empty).
set -Eeuo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
image_mib=${IMAGE_MIB:-2700}
data_mib=${ROOT_DATA_MIB:-1800}
inject_mib=${INJECT_MIB:-20}
threads=${THREADS:-$(nproc)}
work=${WORK:-$(mktemp -d)}
if [[ -z ${WORK:-} ]]; then
    trap 'rm -rf "$work"' EXIT
fi
export TZ=UTC E2FSPROGS_FAKE_TIME=1700000000
# set by timed() through printf -v
t_base='' rss_base='' t_a='' rss_a='' t_b='' rss_b='' t_ch='' rss_ch='' t_cx='' rss_cx=''

for tool in xz java mvn jq mke2fs debugfs e2fsck mkfs.vfat mcopy mtype sfdisk bc /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "rebuild-bench: $tool is required" >&2; exit 2; }
done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
    "$(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(java -version 2>&1 | head -n 1), $(xz --version | head -n 1)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== build (mvn package)"
(cd "$repo" && mvn -q -DskipTests package)
jar=$repo/target/hydrapi.jar
# shellcheck disable=SC2206 # JAVA_OPTS is a list of words by design
java_opts=(${JAVA_OPTS:-})
export SOURCE_DATE_EPOCH=1700000000

# ---- the image --------------------------------------------------------------------------------------------------
boot_mib=512
root_start_mib=$((8 + boot_mib))
root_mib=$((image_mib - root_start_mib))
echo "== image: ${image_mib} MiB, boot ${boot_mib} MiB at 8 MiB, root ${root_mib} MiB with ${data_mib} MiB of files"

# Real files of this machine, in a stable order, up to data_mib (the root's contents) and inject_mib (the edit).
pick() { # pick DIR_LIST LIMIT_MIB OUT_LIST
    local limit=$(($2 << 20))
    # shellcheck disable=SC2086
    find $1 -xdev -type f -readable -size +0 -printf '%s %p\n' 2>/dev/null | LC_ALL=C sort -k2 |
        awk -v lim="$limit" '{ if (tot + $1 > lim) next; tot += $1; sub(/^[0-9]+ /, ""); print }' >"$3"
}
tree=$work/rootfs
rm -rf "$tree" && mkdir -p "$tree"
pick "/usr/lib /usr/share /usr/bin /usr/sbin /usr/libexec /etc" "$data_mib" "$work/root.list"
tar -cf - --ignore-failed-read -T "$work/root.list" 2>/dev/null | tar -xf - -C "$tree" 2>/dev/null || true
chmod -R u+rwX "$tree"
inject=$work/inject
rm -rf "$inject" && mkdir -p "$inject"
pick "/usr/lib/jvm /usr/lib/x86_64-linux-gnu" "$inject_mib" "$work/inject.list"
n=0
while read -r f; do cp "$f" "$inject/$((n++))-$(basename "$f")"; done <"$work/inject.list"
echo "   root tree $(du -sm "$tree" | cut -f1) MiB, inject $(du -sm "$inject" | cut -f1) MiB in $n files"
boot_file=$work/config.txt
printf 'dtparam=audio=on\ncamera_auto_detect=1\n# rebuild-bench\n' >"$boot_file"

img=$work/base.img
rm -f "$img" && truncate -s "${image_mib}M" "$img"
printf 'label: dos\nlabel-id: 0x1a2b3c4d\n8MiB,%sMiB,c\n%sMiB,+,83\n' "$boot_mib" "$root_start_mib" |
    sfdisk -q "$img" >/dev/null
mkfs.vfat --invariant -F 32 -n bootfs --offset=$((8 * 2048)) "$img" $((boot_mib * 1024)) >/dev/null 2>&1
for f in /usr/share/common-licenses/*; do mcopy -i "$img@@8M" "$f" ::/ 2>/dev/null || true; done
mcopy -i "$img@@8M" "$boot_file" ::/config.txt
root=$work/root.img
rm -f "$root" && truncate -s "${root_mib}M" "$root"
mke2fs -q -F -t ext4 -T default -O ^64bit,^huge_file -U 11111111-2222-3333-4444-555555555555 \
    -E hash_seed=11111111-2222-3333-4444-555555555555 -L rootfs -d "$tree" "$root"
dd if="$root" of="$img" bs=4M seek=$((root_start_mib / 4)) conv=notrunc,sparse status=none
rm -f "$root"
rm -rf "$tree"
root_off=$((root_start_mib << 20))
echo "   $(stat -c %s "$img") bytes"

now() { date +%s.%N; }
# timed LABEL CMD...: runs CMD under GNU time, sets t_LABEL (wall s) and rss_LABEL (peak KiB)
timed() {
    local label=$1
    shift
    local log=$work/time-$label.log t0 t1
    t0=$(now)
    /usr/bin/time -v -o "$log" "$@"
    t1=$(now)
    printf -v "t_$label" '%s' "$(echo "$t1 - $t0" | bc)"
    printf -v "rss_$label" '%s' "$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")"
}

echo "== base: xz -T2 -6"
# shellcheck disable=SC2016 # expanded by the inner sh
timed base sh -c 'xz -T2 -6 -c "$0" >"$1"' "$img" "$work/base.img.xz"
xz -lvv "$work/base.img.xz" | grep -E '^  (Streams|Blocks|Sizes in headers|Ratio): +[0-9A-Z]' | sed 's/^/   /'

# ---- (a) hydrapi rebuild with block reuse ----------------------------------------------------------------------
echo "== (a) hydrapi rebuild: inject ${inject_mib} MiB into /opt/inject, config.txt into boot, threads $threads"
mkdir -p "$work/overlay/opt/inject" "$work/overlay/boot/firmware"
cp "$inject"/* "$work/overlay/opt/inject/"
cp "$boot_file" "$work/overlay/boot/firmware/"
timed a java "${java_opts[@]}" -jar "$jar" build --base "$work/base.img.xz" --out "$work/a.img.xz" \
    --overlay "$work/overlay" --threads "$threads" --json --quiet >"$work/a.json"
summary=$(jq -r '"\(.xzBlocks) blocks: \(.xzReusedBlocks) copied, \(.xzBlocks - .xzReusedBlocks) recompressed'\
' (\(.xzZeroBlocks) zero); \(.changedBytes) bytes of the disk changed"' "$work/a.json")
echo "   $summary"

# ---- (b) the shell pipeline ------------------------------------------------------------------------------------
echo "== (b) xz -dc | debugfs -w | mcopy | xz -T$threads -6"
{
    echo "mkdir /opt"
    echo "mkdir /opt/inject"
    for f in "$inject"/*; do echo "write $f /opt/inject/$(basename "$f")"; done
} >"$work/debugfs.cmds"
pipeline() {
    xz -dc "$work/base.img.xz" >"$work/b.img"
    debugfs -w -f "$work/debugfs.cmds" "$work/b.img?offset=$root_off" >/dev/null 2>"$work/debugfs.err"
    mcopy -o -i "$work/b.img@@8M" "$boot_file" ::/config.txt
    xz -T"$threads" -6 -c "$work/b.img" >"$work/b.img.xz"
}
export -f pipeline
export work root_off boot_file threads
timed b bash -c pipeline
if grep -v '^debugfs ' "$work/debugfs.err" | grep -q .; then
    echo "rebuild-bench: debugfs complained:" >&2
    cat "$work/debugfs.err" >&2
    exit 1
fi

# ---- (c) full recompression --------------------------------------------------------------------------------------
echo "== (c) full recompression of the raw image, $threads threads"
if [[ $threads == 2 ]]; then
    t_cx=$t_base
    rss_cx=$rss_base
    echo "   xz -T2 -6: same command as the base above, reusing its time"
else
    # shellcheck disable=SC2016 # expanded by the inner sh
    timed cx sh -c 'xz -T"$0" -6 -c "$1" >"$2"' "$threads" "$img" "$work/cx.img.xz"
fi
# The same command from the raw image: nothing to copy, every block compressed (the build manifest is the one
# change).
timed ch java "${java_opts[@]}" -jar "$jar" build --base "$img" --out "$work/ch.img.xz" --threads "$threads" \
    --quiet

# ---- checks (untimed) ------------------------------------------------------------------------------------------
echo "== checks"
xz -t "$work/a.img.xz"
xz -dc "$work/a.img.xz" >"$work/a.img"
for f in "$work/a.img" "$work/b.img"; do
    e2fsck -fn "$f?offset=$root_off" >"$work/e2fsck.log" 2>&1 ||
        { cat "$work/e2fsck.log" >&2; echo "rebuild-bench: e2fsck found errors in $f" >&2; exit 1; }
done
for f in "$inject"/*; do
    cmp -s "$f" <(debugfs -R "cat /opt/inject/$(basename "$f")" "$work/a.img?offset=$root_off" 2>/dev/null) ||
        { echo "rebuild-bench: /opt/inject/$(basename "$f") differs in (a)" >&2; exit 1; }
done
cmp -s "$boot_file" <(mtype -i "$work/a.img@@8M" ::/config.txt) ||
    { echo "rebuild-bench: config.txt differs in (a)" >&2; exit 1; }
xz -t "$work/ch.img.xz"
xz -dc "$work/ch.img.xz" >"$work/c.img"
e2fsck -fn "$work/c.img?offset=$root_off" >"$work/e2fsck.log" 2>&1 ||
    { cat "$work/e2fsck.log" >&2; echo "rebuild-bench: e2fsck found errors in (c)" >&2; exit 1; }
cmp -s <(head -c "$root_off" "$img") <(head -c "$root_off" "$work/c.img") ||
    { echo "rebuild-bench: (c) changed bytes before the root partition" >&2; exit 1; }
echo "   (a) xz -t, e2fsck -fn, debugfs cat of every injected file, mtype config.txt: OK; (b) e2fsck -fn: OK;" \
    "(c) xz -t, e2fsck -fn, boot partition and table identical to the raw image: OK"

# ---- report ----------------------------------------------------------------------------------------------------
mib() { echo "$(( $1 / 1024 ))"; }
size() { stat -c %s "$1"; }
echo
echo "image ${image_mib} MiB ($(size "$img") B), root data ${data_mib} MiB, injected ${inject_mib} MiB, threads $threads"
printf '%-44s %9s s %7s MiB RSS %14s B\n' \
    "base: xz -T2 -6" "$t_base" "$(mib "$rss_base")" "$(size "$work/base.img.xz")" \
    "(a) hydrapi rebuild (block reuse)" "$t_a" "$(mib "$rss_a")" "$(size "$work/a.img.xz")" \
    "(b) xz -dc, debugfs, mcopy, xz -T$threads -6" "$t_b" "$(mib "$rss_b")" "$(size "$work/b.img.xz")" \
    "(c) hydrapi full recompression" "$t_ch" "$(mib "$rss_ch")" "$(size "$work/ch.img.xz")" \
    "(c) xz -T$threads -6" "$t_cx" "$(mib "$rss_cx")" "$(size "$work/base.img.xz")"
echo "   (a) $summary"
printf 'ratio (a)/(b) = %.3f   (goal 0.10, acceptance 0.15)\n' "$(echo "$t_a / $t_b" | bc -l)"
printf 'ratio (c) hydrapi/xz = %.3f   (goal 1.3, acceptance 1.5)\n' "$(echo "$t_ch / $t_cx" | bc -l)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
