#!/bin/sh
# Run a libFuzzer campaign of RUNS executions on every fuzz target (issue 12: >= 10^6 each) and
# print one summary line per target. Builds the libFuzzer binaries first (clang, ASan+UBSan).
#
#   scripts/fuzz-campaign.sh [RUNS] [TARGET...]      (RUNS defaults to 1000000)
#
# Environment: FP_FUZZ_BUILD (build dir, default build-fuzz), FP_FUZZ_OUT (corpora, logs and
# any crash inputs, default build-fuzz/campaign), FP_FUZZ_JOBS (targets run at once, default 1),
# FP_FUZZ_WORKERS (libFuzzer processes per target, default 1: RUNS is split among them, they
# share the target's corpus directory, and the summary adds up their executions).
# Needs clang and libclang-rt-14-dev (scripts/bootstrap.sh does not install them: fuzzing is a
# developer's job, not CI's; CTest replays the stored corpora on every build instead).
# Exit status: 0 when every target ran RUNS executions without a crash, 1 otherwise.
set -eu
cd "$(dirname "$0")/.."
runs=${1:-1000000}
[ $# -gt 0 ] && shift
targets=${*:-"scenario json trace input thresholds sampled"}
build=${FP_FUZZ_BUILD:-build-fuzz}
out=${FP_FUZZ_OUT:-$build/campaign}
jobs=${FP_FUZZ_JOBS:-1}
workers=${FP_FUZZ_WORKERS:-1}
for v in "RUNS=$runs" "FP_FUZZ_JOBS=$jobs" "FP_FUZZ_WORKERS=$workers"; do
    case ${v#*=} in
    '' | *[!0-9]* | 0)
        echo "fuzz-campaign.sh: ${v%%=*} must be a positive whole number, not '${v#*=}'" >&2
        exit 2
        ;;
    esac
done

cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DFP_FUZZ=ON -DBUILD_TESTING=OFF \
    -DFP_WERROR=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null

seeds_for() {
    case $1 in
    scenario) echo scenarios tests/data/good tests/data/bad tests/data/unlike ;;
    json) echo tests/data/profile ;;
    trace) echo tests/data/traces ;;
    input) echo tests/data/profile tests/data/traces tests/data/index ;;
    thresholds) echo tests/data/thresholds/good tests/data/thresholds/bad ;;
    sampled) echo tests/data/sampled ;;
    esac
}

run_one() {
    t=$1
    mkdir -p "$out/$t/corpus" "$out/$t/crashes"
    # shellcheck disable=SC2046
    set -- $(for d in $(seeds_for "$t"); do [ -d "$d" ] && echo "$d"; done)
    rm -f "$out/$t"/log "$out/$t"/log.[0-9]* "$out/$t"/failed.[0-9]*
    start=$(date +%s)
    status=ok
    # RUNS split among the workers (the first takes the remainder); each reloads the shared
    # corpus, so what one finds the others build on (libFuzzer's -reload, on by default). Worker
    # w logs to log.w. Executions are libFuzzer's count: each worker's first pass over the corpus
    # and its reloads count as executions too.
    w=1
    while [ "$w" -le "$workers" ]; do
        n=$((runs / workers))
        [ "$w" -eq 1 ] && n=$((n + runs % workers))
        (
            "$build/fuzz/fp_fuzz_$t" -runs="$n" -timeout=300 -rss_limit_mb=4096 -max_len=4096 \
                -print_final_stats=1 -artifact_prefix="$out/$t/crashes/" "$out/$t/corpus" "$@" \
                >"$out/$t/log.$w" 2>&1 || : >"$out/$t/failed.$w"
        ) &
        w=$((w + 1))
    done
    wait
    ls "$out/$t"/failed.[0-9]* >/dev/null 2>&1 && status=FAILED
    # any sanitizer report fails the target, even one a build with recovery only printed
    grep -q 'runtime error\|ERROR: [A-Za-z]*Sanitizer' "$out/$t"/log.[0-9]* && status=FAILED
    secs=$(($(date +%s) - start))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t"/log.[0-9]* |
        awk '{ s += $1 } END { print s + 0 }')
    # fewer executions than asked (a worker stopped early) is a failure too
    [ "$execs" -ge "$runs" ] || status=FAILED
    cov=$(cat "$out/$t"/log.[0-9]* | grep -o 'cov: [0-9]*' | cut -d' ' -f2 | sort -n | tail -1)
    echo "$t: $status, $execs executions in ${secs}s ($workers worker(s)), coverage ${cov:-?} edges, corpus $(ls "$out/$t/corpus" | wc -l), log $out/$t/log.*"
}

fail=0
mkdir -p "$out"
# Targets are dealt round-robin to $jobs lanes; each lane runs its targets one after another.
lane=0
while [ "$lane" -lt "$jobs" ]; do
    (
        i=0
        for t in $targets; do
            [ $((i % jobs)) -eq "$lane" ] && run_one "$t" >"$out/$t.summary" 2>&1
            i=$((i + 1))
        done
    ) &
    lane=$((lane + 1))
done
wait
for t in $targets; do
    cat "$out/$t.summary"
    grep -q ': ok,' "$out/$t.summary" || fail=1
done
exit $fail
