#!/usr/bin/env bash
# Builds the same fixed set of images from testdata/sample-base.img.xz with two hydrapi jars and compares every
# output file byte for byte (cmp): a refactoring must not change what hydrapi writes. SOURCE_DATE_EPOCH, the thread
# count and the inputs are fixed, and each run gets an empty cache directory of its own, so nothing but the jar
# differs between the two builds of a case. Nothing is downloaded (the modern pin's sources are fetched by the Pi).
#
# usage: testdata/compare-builds.sh OLD.jar NEW.jar
#        KEEP=1 keeps the work directory (its path is printed) to look at a difference.
# Prints one line per output file (same / DIFFERS / MISSING) and exits 1 if any differs. When the two jars write
# different manifest formats (issue 16 allows that change alone), an image is compared file by file instead (root
# through debugfs rdump, boot through mtools; run as root so owners survive), leaving out the manifest file, and the
# manifests are compared apart from their format, hydra_pin and recipes, which are printed.
set -Eeuo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 OLD.jar NEW.jar" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
old=$(realpath "$1")
new=$(realpath "$2")
base=$here/sample-base.img.xz
for f in "$old" "$new" "$base"; do
  [[ -f $f ]] || { echo "compare-builds.sh: $f not found" >&2; exit 2; }
done

work=$(mktemp -d)
if [[ ${KEEP:-} == 1 ]]; then
  echo "work directory: $work"
else
  trap 'rm -rf "$work"' EXIT
fi

# Fixed inputs: an SSH key, a password, and an overlay with a file per partition, a new directory and a symlink.
in=$work/inputs
mkdir -p "$in/overlay/etc/hydrapi-test/deep" "$in/overlay/boot/firmware"
echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHydrapiCompareBuildsFixedKeyNotARealOne0000 alice@example" \
  >"$in/alice.pub"
echo "correct horse battery staple" >"$in/password"
printf 'Built by compare-builds.sh\n' >"$in/overlay/etc/motd"
printf 'one\ntwo\n' >"$in/overlay/etc/hydrapi-test/deep/file.txt"
ln -s deep/file.txt "$in/overlay/etc/hydrapi-test/link"
printf '# compare-builds.sh\ndtparam=audio=off\n' >"$in/overlay/boot/firmware/extra.txt"
head -c 300000 /dev/zero | tr '\0' 'x' >"$in/overlay/etc/hydrapi-test/big.bin"
# An overlay with a manifest: rules for its own paths, for existing paths alone (the root's mount point included) and
# naming the user the same build adds; and missing parents on FAT.
mkdir -p "$in/rules/etc/hydrapi-rules" "$in/rules/boot/firmware/nested/deeper"
printf 'secret\n' >"$in/rules/etc/hydrapi-rules/secret"
printf 'nested\n' >"$in/rules/boot/firmware/nested/deeper/n.txt"
cat >"$in/rules/.hydrapi-manifest" <<'RULES'
0600 alice:shadow /etc/hydrapi-rules/secret
0700 -            /etc/hydrapi-rules
0640 -            /etc/hostname
0600 -            /etc/skel/.bashrc
-    daemon       /etc/ssh
0755 root:root    /
RULES

# NAME|ARGS: one build per line, ARGS split on spaces (@IN@ is the inputs directory).
cases=(
  "plain|"
  "user|--user alice --ssh-key @IN@/alice.pub --hostname h"
  "overlay|--overlay @IN@/overlay --ssh --cmdline-append quiet"
  "no-hydra|--user alice --no-hydra --ssh-key @IN@/alice.pub --password-file @IN@/password --timezone Europe/Berlin"
  "small-blocks|--user alice --overlay @IN@/overlay --xz-block-size 1"
  "rules|--user alice --overlay @IN@/rules --overlay @IN@/overlay"
)

build() { # JAR OUTDIR ARGS...
  local jar=$1 outdir=$2
  shift 2
  mkdir -p "$outdir/cache"
  env SOURCE_DATE_EPOCH=1700000000 TZ=UTC XDG_CACHE_HOME="$outdir/cache" HOME="$outdir" \
    java -jar "$jar" build --base "$base" --out "$outdir/out.img.xz" --threads 2 --quiet "$@" \
    >"$outdir/log" 2>&1 || { echo "build failed with $jar ($outdir/log):" >&2; cat "$outdir/log" >&2; return 1; }
}

# A file-level account of one image: every path of the root (ext4, through debugfs rdump, run as root so owners
# survive) and of the boot partition (FAT, through mtools), each with type, mode, owner, size and SHA-256 or link
# target. PATHS_TO_SKIP are left out. Used when the manifest format changed, which changes the image's bytes.
listing() { # XZ WORKDIR SKIP...
  local xzf=$1 dir=$2
  shift 2
  mkdir -p "$dir/root" "$dir/boot"
  xz -dc "$xzf" >"$dir/disk.img"
  local starts
  mapfile -t starts < <(sfdisk -J "$dir/disk.img" | jq -r '.partitiontable.partitions[].start')
  debugfs -R "rdump / $dir/root" "$dir/disk.img?offset=$((starts[1] * 512))" >/dev/null 2>&1
  MTOOLS_SKIP_CHECK=1 mcopy -s -n -p -i "$dir/disk.img@@$((starts[0] * 512))" ::/ "$dir/boot/"
  rm -f "$dir/disk.img"
  # debugfs and mcopy report little through their exit codes: an empty copy would compare equal to another.
  [[ -f $dir/root/etc/passwd && -f $dir/boot/cmdline.txt ]] ||
    { echo "compare-builds.sh: copying $xzf's files out failed (no /etc/passwd or cmdline.txt in $dir)" >&2; exit 1; }
  local skip
  for skip in "$@"; do rm -f "$dir$skip"; done
  (cd "$dir" && find root boot -mindepth 1 -printf '%y %m %U:%G %s %p -> %l\n' | LC_ALL=C sort) >"$dir/listing"
  (cd "$dir" && find root boot -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) >>"$dir/listing"
  echo "$dir/listing"
}

# The manifest minus what a format change may change: its format number, hydra_pin (format 2) and recipes (3).
manifest_core() {
  jq -S 'del(.hydrapi_manifest, .hydra_pin, .recipes)' "$1"
}

differ=0
for c in "${cases[@]}"; do
  name=${c%%|*}
  args=${c#*|}
  args=${args//@IN@/$in}
  read -r -a argv <<<"$args"
  build "$old" "$work/old/$name" "${argv[@]}"
  build "$new" "$work/new/$name" "${argv[@]}"
  fa=$(jq .hydrapi_manifest "$work/old/$name/out.img.xz.manifest.json")
  fb=$(jq .hydrapi_manifest "$work/new/$name/out.img.xz.manifest.json")
  for f in out.img.xz out.img.xz.sha256 out.img.xz.manifest.json; do
    a=$work/old/$name/$f
    b=$work/new/$name/$f
    if [[ ! -f $a || ! -f $b ]]; then
      printf '%-8s %-14s %s\n' MISSING "$name" "$f"
      differ=1
    elif cmp -s "$a" "$b"; then
      printf '%-8s %-14s %s (%s bytes)\n' same "$name" "$f" "$(stat -c %s "$a")"
    elif [[ $fa != "$fb" && $f == out.img.xz.sha256 ]]; then
      printf '%-8s %-14s %s (the image holds the manifest)\n' differs "$name" "$f"
    elif [[ $fa != "$fb" && $f == out.img.xz.manifest.json ]]; then
      if [[ $(manifest_core "$a") == "$(manifest_core "$b")" ]]; then
        printf '%-8s %-14s %s: format %s -> %s; all but hydra_pin/recipes the same\n' same "$name" "$f" "$fa" "$fb"
        printf '         %-14s   old hydra_pin: %s\n' "" "$(jq -c .hydra_pin "$a")"
        printf '         %-14s   new recipes:   %s\n' "" "$(jq -c .recipes "$b")"
      else
        printf '%-8s %-14s %s (beyond the format change)\n' DIFFERS "$name" "$f"
        differ=1
      fi
    elif [[ $fa != "$fb" && $f == out.img.xz ]]; then
      # Same files apart from the manifest itself, whose bytes the format changes.
      la=$(listing "$a" "$work/old/$name/tree" /root/etc/hydrapi/manifest.json)
      lb=$(listing "$b" "$work/new/$name/tree" /root/etc/hydrapi/manifest.json)
      if diff -q <(sed "s|$work/old/$name/tree||" "$la") <(sed "s|$work/new/$name/tree||" "$lb") >/dev/null; then
        printf '%-8s %-14s %s: every file but the manifest the same (%s paths)\n' same "$name" "$f" \
          "$(grep -c . "$la")"
      else
        printf '%-8s %-14s %s (files differ: diff %s %s)\n' DIFFERS "$name" "$f" "$la" "$lb"
        differ=1
      fi
    else
      printf '%-8s %-14s %s\n' DIFFERS "$name" "$f"
      differ=1
    fi
  done
done
if [[ $differ == 0 ]]; then
  echo "all outputs identical (apart from a manifest format change, where one is shown)"
fi
exit "$differ"
