#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Issue 14 (and issue 5 point 7 before it): what a build costs against the shell pipeline a user would otherwise
# run, on a Raspberry Pi OS-like disk image of real files, for four workloads:
#   (a) 20 MB of files into a new directory (/opt/inject) and config.txt into the boot FAT, from the multi-block
#       .img.xz base (with its .sha256 beside it, as Raspberry Pi publishes every image);
#   (b) ~1,000 small files spread over big directories the image already has (/etc, /usr/share/doc, and one file
#       into each of many existing /usr/share/doc/PACKAGE directories) plus one 20 MB file, from the same base;
#   (c) a repeat build from the raw image with a changed overlay (the (d) overlay with some files changed, one added)
#       after (d) filled the compressed-block cache;
#   (d) a first build from the raw image (every block compressed; empty cache) against `xz -T2 -6` of that image.
# Each hydrapi run is the real command line (target/hydrapi, the launcher with its bounded heap) against the same
# change made with `xz -dc` (or cp) → `debugfs -w` → `mcopy` → `xz -T$THREADS -6`, in the same run; wall time and
# peak RSS (GNU time) of each, ratios printed. Every output is checked by xz -t, e2fsck -fn and debugfs cat.
# Rootless: no loop devices or mounts.
#
# Usage: bench/rebuild-bench.sh
# Environment: IMAGE_MIB (whole image, default 2700), ROOT_DATA_MIB (real files in the root, default 1800),
#   INJECT_MIB (default 20), SMALL_FILES (default 1000), THREADS (default nproc), WORK (scratch dir; default a mktemp
#   dir, removed at exit), REUSE_BASE=1 (keep WORK's image and base from an earlier run with the same settings:
#   for development only, the base's xz time is then the earlier run's), HYDRAPI (command, default
#   target/hydrapi), JAVA_OPTS (passed to the launcher), WORKLOADS (default "a b d c"; a subset for development,
#   with SHELL_PIPELINE=0 to skip the pipelines; (c) needs (d) first).
set -Eeuo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
image_mib=${IMAGE_MIB:-2700}
data_mib=${ROOT_DATA_MIB:-1800}
inject_mib=${INJECT_MIB:-20}
small_files=${SMALL_FILES:-1000}
threads=${THREADS:-$(nproc)}
work=${WORK:-$(mktemp -d)}
if [[ -z ${WORK:-} ]]; then
    trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
export TZ=UTC E2FSPROGS_FAKE_TIME=1700000000
# set by timed() through printf -v, read through ${!name}
# shellcheck disable=SC2034
t_base='' rss_base='' cpu_base='' t_a='' rss_a='' t_a_sh='' rss_a_sh='' t_b='' rss_b='' t_b_sh='' rss_b_sh=''
# shellcheck disable=SC2034
t_c='' rss_c='' t_c_sh='' rss_c_sh='' t_d='' rss_d='' cpu_d=''

for tool in xz java mvn jq mke2fs debugfs e2fsck mkfs.vfat mcopy mtype sfdisk bc sha256sum /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "rebuild-bench: $tool is required" >&2; exit 2; }
done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
    "$(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(java -version 2>&1 | head -n 1), $(xz --version | head -n 1)"
echo "commit: $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet || echo ' (modified)')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== build (mvn package)"
(cd "$repo" && mvn -q -o -DskipTests package)
hydrapi=${HYDRAPI:-$repo/target/hydrapi}
export JAVA_OPTS=${JAVA_OPTS:-}
export SOURCE_DATE_EPOCH=1700000000
# Our own cache directory: (d) starts from an empty compressed-block cache, (c) finds what (d) left.
export XDG_CACHE_HOME=$work/cache
rm -rf "$XDG_CACHE_HOME"

now() { date +%s.%N; }
# timed LABEL CMD...: runs CMD under GNU time, sets t_LABEL (wall s), cpu_LABEL (user + system s, children included)
# and rss_LABEL (peak KiB)
timed() {
    local label=$1
    shift
    local log=$work/time-$label.log t0 t1
    t0=$(now)
    nice /usr/bin/time -v -o "$log" "$@"
    t1=$(now)
    printf -v "t_$label" '%s' "$(echo "$t1 - $t0" | bc)"
    printf -v "rss_$label" '%s' "$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")"
    printf -v "cpu_$label" '%s' "$(awk -F': ' '/(User|System) time/ {s += $2} END {print s}' "$log")"
}

# ---- the image --------------------------------------------------------------------------------------------------
boot_mib=512
root_start_mib=$((8 + boot_mib))
root_mib=$((image_mib - root_start_mib))
root_off=$((root_start_mib << 20))
img=$work/base.img
stamp="$image_mib $data_mib $boot_mib v2"
if [[ ${REUSE_BASE:-} == 1 && -f $work/base.stamp && $(cat "$work/base.stamp") == "$stamp" && -f $img
    && -f $work/base.img.xz ]]; then
    echo "== image and base kept from an earlier run (REUSE_BASE=1)"
    read -r t_base rss_base cpu_base <"$work/base.time"
else
    rm -f "$work/base.stamp"
    echo "== image: ${image_mib} MiB, boot ${boot_mib} MiB at 8 MiB, root ${root_mib} MiB with ${data_mib} MiB of files"
    # Real files of this machine, in a stable order: all of /etc and /usr/share (the directories the workloads
    # write into hold what a system's hold), then programs and libraries up to data_mib.
    find /etc /usr/share /usr/bin /usr/sbin /usr/libexec /usr/lib -xdev -type f -readable -size +0 \
        -printf '%s %p\n' 2>/dev/null | LC_ALL=C sort -k2 |
        awk -v lim="$((data_mib << 20))" '
            { n++; size[n] = $1; sub(/^[0-9]+ /, ""); path[n] = $0 }
            END {
                for (i = 1; i <= n; i++) if (path[i] ~ /^\/(etc|usr\/share)\//) { tot += size[i]; print path[i] }
                for (i = 1; i <= n; i++) if (path[i] !~ /^\/(etc|usr\/share)\// && tot + size[i] <= lim) {
                    tot += size[i]; print path[i] }
            }' >"$work/root.list"
    tree=$work/rootfs
    rm -rf "$tree" && mkdir -p "$tree"
    tar -cf - --ignore-failed-read -T "$work/root.list" 2>/dev/null | tar -xf - -C "$tree" 2>/dev/null || true
    chmod -R u+rwX "$tree"
    rm -f "$img" && truncate -s "${image_mib}M" "$img"
    printf 'label: dos\nlabel-id: 0x1a2b3c4d\n8MiB,%sMiB,c\n%sMiB,+,83\n' "$boot_mib" "$root_start_mib" |
        sfdisk -q "$img" >/dev/null
    mkfs.vfat --invariant -F 32 -n bootfs --offset=$((8 * 2048)) "$img" $((boot_mib * 1024)) >/dev/null 2>&1
    for f in /usr/share/common-licenses/*; do mcopy -i "$img@@8M" "$f" ::/ 2>/dev/null || true; done
    printf 'dtparam=audio=on\ncamera_auto_detect=1\n' >"$work/config.base"
    mcopy -i "$img@@8M" "$work/config.base" ::/config.txt
    root=$work/root.img
    rm -f "$root" && truncate -s "${root_mib}M" "$root"
    mke2fs -q -F -t ext4 -T default -O ^64bit,^huge_file -U 11111111-2222-3333-4444-555555555555 \
        -E hash_seed=11111111-2222-3333-4444-555555555555 -L rootfs -d "$tree" "$root"
    dd if="$root" of="$img" bs=4M seek=$((root_start_mib / 4)) conv=notrunc,sparse status=none
    rm -f "$root"
    rm -rf "$tree"
    echo "   $(stat -c %s "$img") bytes, root tree $(wc -l <"$work/root.list") files"
    echo "== base: xz -T2 -6"
    # shellcheck disable=SC2016 # expanded by the inner sh
    timed base sh -c 'xz -T2 -6 -c "$0" >"$1"' "$img" "$work/base.img.xz"
    (cd "$work" && sha256sum base.img.xz >base.img.xz.sha256)
    echo "$t_base $rss_base $cpu_base" >"$work/base.time"
    echo "$stamp" >"$work/base.stamp"
fi
xz -lvv "$work/base.img.xz" | grep -E '^  (Streams|Blocks|Sizes in headers|Ratio): +[0-9A-Z]' | sed 's/^/   /'

# ---- overlays -----------------------------------------------------------------------------------------------------
# Files that exist in the base, for picking real directories.
root_list=$work/root.list
pick() { # pick DIR_LIST MIN_BYTES MAX_BYTES LIMIT_BYTES OUT_LIST: real files of this machine, in a stable order
    # shellcheck disable=SC2086
    find $1 -xdev -type f -readable -size +0 -printf '%s %p\n' 2>/dev/null | LC_ALL=C sort -k2 |
        awk -v lo="$2" -v hi="$3" -v lim="$4" '$1 >= lo && $1 <= hi { if (tot + $1 > lim) next; tot += $1;
            sub(/^[0-9]+ /, ""); print }' >"$5"
}
boot_file=$work/config.txt
printf 'dtparam=audio=on\ncamera_auto_detect=1\n# rebuild-bench\n' >"$boot_file"

# (a): INJECT_MIB of libraries into a new directory.
ov_a=$work/overlay-a
rm -rf "$ov_a" && mkdir -p "$ov_a/opt/inject" "$ov_a/boot/firmware"
pick "/usr/lib/jvm /usr/lib/x86_64-linux-gnu" 1 $((8 << 20)) $((inject_mib << 20)) "$work/inject.list"
n=0
while read -r f; do cp "$f" "$ov_a/opt/inject/$((n++))-$(basename "$f")"; done <"$work/inject.list"
cp "$boot_file" "$ov_a/boot/firmware/"

# (b): SMALL_FILES small files: a third new in /etc, a third new in /usr/share/doc, a third one each into existing
# /usr/share/doc/PACKAGE and /etc/SUBDIR directories of the image; one INJECT_MIB file; config.txt.
ov_b=$work/overlay-b
rm -rf "$ov_b" && mkdir -p "$ov_b/etc" "$ov_b/usr/share/doc" "$ov_b/boot/firmware"
pick "/usr/share/man /usr/share/i18n /usr/share/perl" 200 16384 $((1 << 30)) "$work/small.all"
head -n "$small_files" "$work/small.all" >"$work/small.list"
grep -oE '^/(usr/share/doc|etc)/[^/]+/' "$root_list" | sort -u | sed 's|/$||' >"$work/dirs.list"
third=$((small_files / 3))
i=0
while read -r f; do
    name=hb-$i-$(basename "$f")
    if ((i < third)); then
        cp "$f" "$ov_b/etc/$name"
    elif ((i < 2 * third)); then
        cp "$f" "$ov_b/usr/share/doc/$name"
    else
        d=$(sed -n "$(((i - 2 * third) % $(wc -l <"$work/dirs.list") + 1))p" "$work/dirs.list")
        mkdir -p "$ov_b$d"
        cp "$f" "$ov_b$d/$name"
    fi
    i=$((i + 1))
done <"$work/small.list"
head -c $((inject_mib << 20)) /dev/urandom >"$ov_b/usr/share/doc/hb-big.bin"
cp "$boot_file" "$ov_b/boot/firmware/"

# (d) and (c): the (a) overlay, then the same with a tenth of its files changed and one added.
ov_d=$ov_a
ov_c=$work/overlay-c
rm -rf "$ov_c" && cp -a "$ov_a" "$ov_c"
k=0
for f in "$ov_c"/opt/inject/*; do
    if ((k++ % 10 == 0)); then printf 'changed by rebuild-bench\n' >>"$f"; fi
done
cp /usr/share/common-licenses/GPL-3 "$ov_c/opt/inject/added-GPL-3"
echo "   overlays: (a) $(find "$ov_a" -type f | wc -l) files $(du -sm "$ov_a" | cut -f1) MiB;" \
    "(b) $(find "$ov_b" -type f | wc -l) files $(du -sm "$ov_b" | cut -f1) MiB in" \
    "$(find "$ov_b" -type f -printf '%h\n' | sort -u | wc -l) directories; (c) $(find "$ov_c" -type f | wc -l) files"

# debugfs commands that make an overlay's root-partition files (mkdir -p, then cd + write per file).
debugfs_cmds() { # debugfs_cmds OVERLAY OUT
    local ov=$1 out=$2
    : >"$out"
    (cd "$ov" && find . -path ./boot -prune -o -type d -print | sed 's|^\.||' | grep . | LC_ALL=C sort) |
        while read -r d; do echo "mkdir $d"; done >>"$out"
    (cd "$ov" && find . -path ./boot -prune -o -type f -print | sed 's|^\.||' | LC_ALL=C sort) |
        while read -r f; do
            echo "cd $(dirname "$f")"
            echo "rm $(basename "$f")"
            echo "write $ov$f $(basename "$f")"
        done >>"$out"
}

# pipeline LABEL FROM_XZ|FROM_RAW OVERLAY: the shell way, output $work/LABEL-sh.img.xz
pipeline() {
    local label=$1 from=$2 ov=$3
    debugfs_cmds "$ov" "$work/$label.cmds"
    # shellcheck disable=SC2016 # expanded by the inner bash
    timed "${label}_sh" bash -c '
        set -e
        if [[ $1 == xz ]]; then xz -dc "$2/base.img.xz" >"$2/$3-sh.img"; else cp "$2/base.img" "$2/$3-sh.img"; fi
        debugfs -w -f "$2/$3.cmds" "$2/$3-sh.img?offset=$4" >/dev/null 2>"$2/$3.debugfs.err"
        mcopy -o -i "$2/$3-sh.img@@8M" "$5" ::/config.txt
        xz -T"$6" -6 -c "$2/$3-sh.img" >"$2/$3-sh.img.xz"' _ "$from" "$work" "$label" "$root_off" "$boot_file" \
        "$threads"
    # Expected complaints: "rm" of a file that is not there yet, "mkdir" of a directory the image has (mkdir -p)
    if grep -v -e '^debugfs ' -e 'File not found by ext2_lookup' -e 'Ext2 directory already exists' \
            "$work/$label.debugfs.err" | grep -q .; then
        echo "rebuild-bench: debugfs complained in ($label):" >&2
        head "$work/$label.debugfs.err" >&2
        exit 1
    fi
}

# hb LABEL BASE OVERLAY [OPTION...]: hydrapi build, output $work/LABEL.img.xz, --json to $work/LABEL.json
hb() {
    local label=$1 base=$2 ov=$3
    shift 3
    timed "$label" "$hydrapi" build --base "$base" --out "$work/$label.img.xz" --overlay "$ov" \
        --threads "$threads" --json --quiet "$@" >"$work/$label.json"
}
summary() {
    jq -r '"\(.xzBlocks) blocks: \(.xzReusedBlocks) copied, \(.xzRecompressedBlocks) compressed'\
' (\(.xzZeroBlocks) zero, \(.xzCachedBlocks // 0) from the cache); \(.changedBytes) bytes of the disk changed"' \
        "$work/$1.json"
}

workloads=${WORKLOADS:-a b d c}
shell=${SHELL_PIPELINE:-1}
run() { [[ " $workloads " == *" $1 "* ]]; }
if run a; then
    echo "== (a) 20 MB into a new directory, from the .xz base"
    hb a "$work/base.img.xz" "$ov_a"
    echo "   $(summary a)"
    if [[ $shell == 1 ]]; then pipeline a xz "$ov_a"; fi
fi
if run b; then
    echo "== (b) $small_files small files over existing directories and one ${inject_mib} MB file, from the .xz base"
    hb b "$work/base.img.xz" "$ov_b"
    echo "   $(summary b)"
    if [[ $shell == 1 ]]; then pipeline b xz "$ov_b"; fi
fi
if run d; then
    echo "== (d) full compression from the raw image, empty cache"
    hb d "$img" "$ov_d"
    echo "   $(summary d)"
fi
if run c; then
    echo "== (c) repeat build from the raw image, changed overlay"
    hb c "$img" "$ov_c"
    echo "   $(summary c)"
    if [[ $shell == 1 ]]; then pipeline c raw "$ov_c"; fi
fi

# ---- checks (untimed) -----------------------------------------------------------------------------------------------
echo "== checks"
check() { # check LABEL OVERLAY: the output's xz, filesystem and every overlay file
    local label=$1 ov=$2 f
    xz -t "$work/$label.img.xz"
    xz -dc "$work/$label.img.xz" >"$work/$label.img"
    e2fsck -fn "$work/$label.img?offset=$root_off" >"$work/e2fsck-$label.log" 2>&1 ||
        { cat "$work/e2fsck-$label.log" >&2; echo "rebuild-bench: e2fsck found errors in ($label)" >&2; exit 1; }
    if grep -vE '^(Pass [1-5]|e2fsck |rootfs: [0-9]+/[0-9]+ files)' "$work/e2fsck-$label.log" | grep -q .; then
        cat "$work/e2fsck-$label.log" >&2
        echo "rebuild-bench: e2fsck printed more than its passes for ($label)" >&2
        exit 1
    fi
    rm -rf "$work/dump" && mkdir -p "$work/dump"
    (cd "$ov" && find . -path ./boot -prune -o -type f -print | sed 's|^\.||') >"$work/files.list"
    awk -v d="$work/dump" '{ printf "dump %s %s/%d\n", $0, d, NR }' "$work/files.list" |
        debugfs -f - "$work/$label.img?offset=$root_off" >/dev/null 2>&1
    n=0
    while read -r f; do
        n=$((n + 1))
        cmp -s "$ov$f" "$work/dump/$n" || { echo "rebuild-bench: $f differs in ($label)" >&2; exit 1; }
    done <"$work/files.list"
    cmp -s "$boot_file" <(mtype -i "$work/$label.img@@8M" ::/config.txt) ||
        { echo "rebuild-bench: config.txt differs in ($label)" >&2; exit 1; }
    rm -f "$work/$label.img"
}
for label in a b d c; do
    if run $label; then
        ov_var=ov_$label
        check $label "${!ov_var}"
    fi
done
for label in a b c; do
    if ! run $label || [[ $shell != 1 ]]; then
        continue
    fi
    xz -dc "$work/$label-sh.img.xz" >"$work/$label-sh.img"
    e2fsck -fn "$work/$label-sh.img?offset=$root_off" >"$work/e2fsck-$label-sh.log" 2>&1 ||
        { cat "$work/e2fsck-$label-sh.log" >&2; echo "rebuild-bench: e2fsck errors in ($label) shell" >&2; exit 1; }
    rm -f "$work/$label-sh.img"
done
echo "   ($workloads): xz -t, e2fsck -fn clean, debugfs dump of every overlay file, mtype config.txt: OK;" \
    "the shell pipeline's outputs: e2fsck -fn: OK"

# ---- report -----------------------------------------------------------------------------------------------------------
mib() { echo "$(($1 / 1024))"; }
size() { stat -c %s "$1"; }
echo
echo "image ${image_mib} MiB ($(size "$img") B), root data ${data_mib} MiB, threads $threads, JAVA_OPTS='$JAVA_OPTS'"
row() { printf '%-50s %9s s %8s s CPU %5s MiB RSS %11s B\n' "$1" "$2" "$5" "$(mib "$3")" "$(size "$4")"; }
row "base: xz -T2 -6 (the (d) reference)" "$t_base" "$rss_base" "$work/base.img.xz" "$cpu_base"
# shellcheck disable=SC2034 # read through ${!name_var}
label_a="(a) hydrapi: 20 MB into a new directory"
# shellcheck disable=SC2034
label_b="(b) hydrapi: $small_files small files + ${inject_mib} MB"
# shellcheck disable=SC2034
label_c="(c) hydrapi: raw base again, changed overlay"
# shellcheck disable=SC2034
label_d="(d) hydrapi: raw base, full compression"
for label in a b c d; do
    if ! run $label; then
        continue
    fi
    t_var=t_$label rss_var=rss_$label name_var=label_$label cpu_var=cpu_$label
    row "${!name_var}" "${!t_var}" "${!rss_var}" "$work/$label.img.xz" "${!cpu_var}"
    if [[ $label != d && $shell == 1 ]]; then
        t_var=t_${label}_sh rss_var=rss_${label}_sh cpu_var=cpu_${label}_sh
        row "($label) $([[ $label == c ]] && echo cp || echo xz -dc), debugfs, mcopy, xz -T$threads -6" \
            "${!t_var}" "${!rss_var}" "$work/$label-sh.img.xz" "${!cpu_var}"
    fi
done
for label in a b c d; do
    if run $label; then echo "   ($label) $(summary $label)"; fi
done
if [[ $shell == 1 ]]; then
    for label in a b c; do
        if run $label; then
            t_var=t_$label sh_var=t_${label}_sh cpu_var=cpu_$label cpu_sh_var=cpu_${label}_sh
            printf 'ratio (%s) = %.3f   (acceptance 0.10%s; CPU time %.3f)\n' "$label" \
                "$(echo "${!t_var} / ${!sh_var}" | bc -l)" "$([[ $label == c ]] || echo ', goal 0.05')" \
                "$(echo "${!cpu_var} / ${!cpu_sh_var}" | bc -l)"
        fi
    done
fi
if run d; then
    printf 'ratio (d) hydrapi/xz = %.3f   (acceptance 1.25; CPU time %.3f)\n' "$(echo "$t_d / $t_base" | bc -l)" \
        "$(echo "$cpu_d / $cpu_base" | bc -l)"
fi
for label in a b c d; do
    if run $label; then rss_var=rss_$label; printf 'peak RSS (%s) %s MiB   ' "$label" "$(mib "${!rss_var}")"; fi
done
echo "(acceptance 512)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
