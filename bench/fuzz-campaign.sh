#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The long fuzzing campaign (CI runs each target for seconds only): every Jazzer target in turn, one at a time under
# nice 19, until its JVM has used CPU_SECONDS of CPU time (user + system, JIT and GC included; default 600), then
# stopped with SIGINT so libFuzzer prints its totals. The corpus of each target grows across runs in
# target/fuzz-campaign/TARGET/corpus (seeded from src/test/resources/.../TARGETInputs/fuzz); this run's failing inputs
# land in target/fuzz-campaign/TARGET/findings. Prints one line per target: CPU and wall seconds, executions, coverage
# (libFuzzer's covered edges "cov" and features "ft" at the end), corpus size and findings.
# A finding is kept: copy it to src/test/resources/hydrapi/PKG/TARGETInputs/fuzz/finding-WHAT, fix the code, and
# `mvn -q test -Dtest=TARGET -Dhydrapi.fuzz=` replays it.
# Usage: bench/fuzz-campaign.sh [-t CPU_SECONDS] [TARGET...]   TARGET: a class name such as MbrFuzzTest; default all.
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

budget=600
if [ "${1:-}" = -t ]; then
    budget=$2
    shift 2
fi
out=target/fuzz-campaign
mkdir -p "$out"
mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile="$out/classpath" -Dmdep.includeScope=test
# A snapshot of the classes, so that compiling during a campaign of hours does not change what is being fuzzed.
rm -rf "$out/classes" "$out/test-classes"
cp -r target/classes target/test-classes "$out/"
cp="$out/test-classes:$out/classes:$(cat "$out/classpath")"

if [ $# -eq 0 ]; then
    mapfile -t classes < <(grep -rl '@FuzzTest' src/test/java | sort)
else
    classes=()
    for t in "$@"; do
        classes+=("$(grep -rl '@FuzzTest' src/test/java | grep "/$t.java$")")
    done
fi

ticks=$(getconf CLK_TCK)
cpu_seconds() { # PID: user + system CPU seconds of a live process and its descendants (Jazzer's driver starts the
                # fuzzing JVM as a child)
    local pids=$1 next=$1
    while next=$(pgrep -d ' ' -P "${next// /,}" 2>/dev/null); do
        pids="$pids $next"
    done
    local sum=0 p
    for p in $pids; do
        sum=$(( sum + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0) ))
    done
    echo $(( sum / ticks ))
}

printf '%-24s %7s %7s %12s %8s %6s %7s %7s %9s\n' target cpu_s wall_s executions exec/s cov ft corpus findings
for src in "${classes[@]}"; do
    class=${src#src/test/java/}
    class=${class%.java}
    name=${class##*/}
    pkg=${class%/*}
    class=${class//\//.}
    seeds=src/test/resources/$pkg/${name}Inputs/fuzz
    dir=$out/$name
    # The corpus grows from run to run; findings are this run's (keep one by copying it into the test resources).
    rm -rf "$dir/findings"
    mkdir -p "$dir/corpus" "$dir/findings"
    # What the target's parsers are made of: ours, plus the libraries whose parsing we drive (coverage guidance
    # inside them finds the states our wrappers must handle).
    includes='hydrapi.**'
    case $name in
        Xz*) includes="$includes:org.tukaani.xz.**" ;;
        BaseCheck*) includes="$includes:org.bouncycastle.bcpg.**:org.bouncycastle.openpgp.**" ;;
    esac
    # Sparse images are tens of KiB; give the mutator room above the largest seed.
    maxlen=$(find "$seeds" -type f -printf '%s\n' | sort -n | tail -n 1)
    maxlen=$(( ${maxlen:-0} * 2 > 4096 ? ${maxlen:-0} * 2 : 4096 ))
    start=$(date +%s)
    nice -n 19 java -Xmx2g -cp "$cp" com.code_intelligence.jazzer.Jazzer --target_class="$class" --target_method=fuzz \
        --instrumentation_includes="$includes" --keep_going=50 -max_total_time=$((budget * 20)) -timeout=60 -rss_limit_mb=0 \
        -max_len="$maxlen" -print_final_stats=1 -artifact_prefix="$dir/findings/" "$dir/corpus" "$seeds" \
        > "$dir/log" 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        if [ "$(cpu_seconds "$pid")" -ge "$budget" ]; then
            used=$(cpu_seconds "$pid")
            kill -INT "$pid" 2>/dev/null || true
            break
        fi
        used=$(cpu_seconds "$pid")
        sleep 2
    done
    wait "$pid" || true
    wall=$(( $(date +%s) - start ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -n 1)
    last=$(grep -E '^#[0-9]+[[:space:]].* cov: ' "$dir/log" | tail -n 1 || true)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<< "$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<< "$last")
    corpus=$(find "$dir/corpus" -type f | wc -l)
    findings=$(find "$dir/findings" -type f | wc -l)
    printf '%-24s %7s %7s %12s %8s %6s %7s %7s %9s\n' "$name" "${used:-0}" "$wall" "${execs:-?}" "${rate:-?}" \
        "${cov:-?}" "${ft:-?}" "$corpus" "$findings"
    if [ "$findings" -gt 0 ]; then
        { grep -E '^== Java Exception|^== Java Assertion|^==[0-9]+== ERROR' "$dir/log" || true; } | sort | uniq -c \
            | sed 's/^/    /'
    fi
done
