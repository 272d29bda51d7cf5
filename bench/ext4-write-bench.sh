#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Cost of writing a file into an ext4 root through hydrapi's Ext4Writer, against copying the same bytes through
# the copy-on-write overlay alone (the floor: every byte must land in the overlay anyway). Issue: the ext4 write
# of 50 MB should cost under 2x the copy. Prints the ratio; not a timed test, not run in CI.
#
# Usage: bench/ext4-write-bench.sh [SIZE_MIB] [ROUNDS]   (default 50 and 5)
set -Eeuo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mib=${1:-50}
rounds=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for tool in mke2fs java mvn; do
  command -v "$tool" >/dev/null || { echo "ext4-write-bench: $tool is required" >&2; exit 2; }
done

(cd "$repo" && mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt)
cp="$repo/target/classes:$repo/target/test-classes:$(cat "$repo/target/cp.txt")"

# A pi-gen-style root (4 KiB blocks, metadata_csum, no 64bit) with room for the file.
img=$work/root.img
truncate -s $(((mib * 3 + 64) * 1024 * 1024)) "$img"
E2FSPROGS_FAKE_TIME=1700000000 mke2fs -q -F -t ext4 -T default -O ^64bit,^huge_file "$img"

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -n 1)"
java -cp "$cp" hydrapi.ext4.Ext4WriteBench "$img" "$mib" "$rounds"
