#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Wall-time comparison of xz-utils (`xz -T$(nproc) -6`) and hydrapi's ParallelXzWriter (xz-java raw LZMA2,
# one block per worker, 24 MiB blocks, preset 6) on an image-like payload: tar streams of this machine's
# /usr/lib and /usr/share interleaved with zero runs (free space), about 200 MiB. Not run in CI.
#
# Our writer runs through the test-scope main class hydrapi.xz.XzBench:
#   java -cp target/classes:target/test-classes:$(cat target/cp.txt) hydrapi.xz.XzBench IN OUT THREADS [PRESET]
# where target/cp.txt is written by `mvn dependency:build-classpath` (this script does both builds).
#
# Usage: bench/xz-bench.sh [PAYLOAD_MIB]   (run from anywhere; default 200)
# Environment: THREADS (default nproc), PRESET (default 6), WORK (scratch dir, default a mktemp dir, removed).
set -Eeuo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
payload_mib=${1:-200}
threads=${THREADS:-$(nproc)}
preset=${PRESET:-6}
work=${WORK:-$(mktemp -d)}
if [[ -z ${WORK:-} ]]; then
    trap 'rm -rf "$work"' EXIT
fi

for tool in xz tar java mvn sha256sum bc; do
    command -v "$tool" >/dev/null || { echo "xz-bench: $tool is required" >&2; exit 2; }
done

echo "== building (mvn test-compile, classpath to target/cp.txt)"
(cd "$repo" && mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt)
cp="$repo/target/classes:$repo/target/test-classes:$(cat "$repo/target/cp.txt")"

# Payload: 4 slices of tar data, each followed by a zero run; about 70 % data and 30 % zeros, like a
# pi-gen image after zerofree (xz-and-checksums.md §4).
img="$work/payload.img"
slice_mib=$((payload_mib * 7 / 40))
zero_mib=$((payload_mib * 3 / 40))
echo "== payload: ${payload_mib} MiB (4 × ${slice_mib} MiB tar + ${zero_mib} MiB zeros) in $work"
: >"$img"
for src in /usr/lib /usr/share /usr/bin /usr/include; do
    { tar -cf - --ignore-failed-read "$src" 2>/dev/null || true; } | head -c "$((slice_mib << 20))" >>"$img"
    head -c "$((zero_mib << 20))" /dev/zero >>"$img"
done
size=$(stat -c %s "$img")
echo "   $size bytes"

now() { date +%s.%N; }

echo "== xz -T$threads -$preset"
t0=$(now)
xz -T"$threads" -"$preset" -c "$img" >"$work/xz-utils.xz"
t1=$(now)
xz_s=$(echo "$t1 - $t0" | bc)

echo "== hydrapi ParallelXzWriter, $threads threads, preset $preset"
t0=$(now)
summary=$(java -Xmx4g -cp "$cp" hydrapi.xz.XzBench "$img" "$work/hydrapi.xz" "$threads" "$preset")
t1=$(now)
ours_s=$(echo "$t1 - $t0" | bc)

echo "== checking both outputs decode to the payload"
want=$(sha256sum <"$img" | cut -d' ' -f1)
for f in xz-utils.xz hydrapi.xz; do
    got=$(xz -dc "$work/$f" | sha256sum | cut -d' ' -f1)
    [[ $got == "$want" ]] || { echo "xz-bench: $f does not decode to the payload" >&2; exit 1; }
done

xz_size=$(stat -c %s "$work/xz-utils.xz")
ours_size=$(stat -c %s "$work/hydrapi.xz")
printf '%-10s %10s s %14s B\n' "xz-utils" "$xz_s" "$xz_size" "hydrapi" "$ours_s" "$ours_size"
echo "hydrapi blocks/zero blocks/bytes: $summary"
printf 'wall-time ratio hydrapi/xz-utils: %.2f   size ratio: %.4f\n' \
    "$(echo "$ours_s / $xz_s" | bc -l)" "$(echo "$ours_size / $xz_size" | bc -l)"
