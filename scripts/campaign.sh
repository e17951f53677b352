#!/usr/bin/env bash
# Issue 15's campaign target: a validate campaign over SHARDS shards run through GNU parallel,
# merged by `fpsim merge`, then the same campaign as one process, and the two outputs compared
# byte for byte (JSON: the format that carries every number; cli.test_shards checks the others). Prints each step's wall time, CPU (user + system of the step's
# processes, from /usr/bin/time) and peak RSS, and exits 0 only when both merges match.
#
#   scripts/campaign.sh [RUNS [SHARDS]]     (default 10000 runs per scenario, 8 shards)
#
#   FPSIM           the binary (default build/cli/fpsim)
#   FP_CAMPAIGN_J   shards run at once by parallel, and the one-process run's --jobs (default 2)
#   FP_CAMPAIGN_DIR where the parts and outputs go (default a new temporary directory, removed
#                   at the end unless the outputs differ)
#   FP_CAMPAIGN_ARGS validate's other arguments (default: -s all --seed 42)
#
# On a shared machine run it below everyone else: nice -n 19 scripts/campaign.sh 1000000
# (docs/performance.md has the measured times.)
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-10000}"
shards="${2:-8}"
jobs="${FP_CAMPAIGN_J:-2}"
fpsim="${FPSIM:-build/cli/fpsim}"
read -r -a args <<<"${FP_CAMPAIGN_ARGS:--s all --seed 42}"

if ! parallel --version 2>/dev/null | grep -q "GNU parallel"; then
    echo "campaign: GNU parallel is not installed (Debian package 'parallel')" >&2
    exit 77
fi
[ -x "$fpsim" ] || { echo "campaign: $fpsim is not built (scripts/bootstrap.sh)" >&2; exit 66; }

keep=1
if [ -z "${FP_CAMPAIGN_DIR:-}" ]; then
    dir="$(mktemp -d)"
    keep=0
else
    dir="$FP_CAMPAIGN_DIR"
    mkdir -p "$dir"
fi
cleanup() { [ "$keep" = 1 ] || rm -rf "$dir"; }
trap cleanup EXIT

# step NAME COMMAND...: runs COMMAND under /usr/bin/time, prints one line for the step.
step() {
    local name="$1"
    shift
    /usr/bin/time -f "%e %U %S %M" -o "$dir/time.$name" "$@"
    read -r wall user sys rss <"$dir/time.$name"
    printf 'campaign: %-8s wall %8.1f s  cpu %8.1f s  peak RSS %7.1f MB\n' "$name" "$wall" \
        "$(echo "$user + $sys" | bc)" "$(echo "scale=1; $rss / 1024" | bc)"
}

echo "campaign: fpsim validate ${args[*]} -n $runs, $shards shards, parallel -j $jobs, in $dir"
step shards parallel --will-cite --halt now,fail=1 -j "$jobs" \
    "$fpsim" validate "${args[@]}" -n "$runs" -q --shard "{}/$shards" -o "$dir/part.{}" \
    ::: $(seq 0 $((shards - 1)))
step merge "$fpsim" merge "$dir"/part.* -f json -o "$dir/merged.json"
step one "$fpsim" validate "${args[@]}" -n "$runs" -q -j "$jobs" -f json -o "$dir/one.json"

status=0
if cmp -s "$dir/one.json" "$dir/merged.json"; then
    echo "campaign: merged JSON = one-process JSON ($(wc -c <"$dir/one.json") bytes)"
else
    echo "campaign: merged JSON DIFFERS from the one-process JSON (kept in $dir)" >&2
    keep=1
    status=1
fi
exit "$status"
