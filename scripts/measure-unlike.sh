#!/usr/bin/env bash
# measure-unlike.sh - accuracy of today's detectors on the scenarios unlike the built-ins
# (tests/data/unlike/, README there). Runs `fpsim validate --scenario FILE --runs N -f json` on
# every scenario of the set (files without an area prefix) and prints one markdown table:
# per scenario, clean runs with any finding, per-kind precision / recall with their 95 % Wilson
# lower bounds, and top-1 (the top finding matches the costliest label, on runs with one).
#
# Usage: scripts/measure-unlike.sh [-n RUNS] [-s SEED] [-j JOBS] [-b FPSIM] [FILE...]
#   defaults: -n 200, -s 42, -j 1, -b build/cli/fpsim, every tests/data/unlike/*.yaml of the set.
#   Extra validate options (e.g. --baseline auto once it exists) go in FPSIM_VALIDATE_ARGS.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=200 seed=42 jobs=1 fpsim="$here/build/cli/fpsim"
while getopts "n:s:j:b:h" o; do
    case $o in
    n) runs=$OPTARG ;;
    s) seed=$OPTARG ;;
    j) jobs=$OPTARG ;;
    b) fpsim=$OPTARG ;;
    *) sed -n '2,11p' "$0"; exit 64 ;;
    esac
done
shift $((OPTIND - 1))
if [ $# -eq 0 ]; then
    set --
    for f in "$here"/tests/data/unlike/*.yaml; do
        case $(basename "$f") in patterns-* | cost-* | baseline-*) continue ;; esac
        set -- "$@" "$f"
    done
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "Command: $(basename "$0") -n $runs -s $seed (fpsim validate --scenario FILE --runs $runs --seed $seed --no-ttd -f json ${FPSIM_VALIDATE_ARGS:-}); commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo
i=0
for f in "$@"; do
    # shellcheck disable=SC2086
    "$fpsim" validate --scenario "$f" --runs "$runs" --seed "$seed" --jobs "$jobs" --no-ttd -q \
        -f json ${FPSIM_VALIDATE_ARGS:-} >"$tmp/$(printf %03d $i).json"
    i=$((i + 1))
done
python3 - "$tmp"/*.json <<'PY'
import json, sys
def f(x, d=3):
    return "n/a" if x is None else f"{x:.{d}f}"
def pr(m):
    if m is None or m.get("value") is None:
        return "n/a"
    return f"{m['value']:.3f} ({m['lo']:.3f})"
print("| scenario | clean runs with any finding (lo–hi) | kind | TP | FP | FN | precision (Wilson lo) | recall (Wilson lo) | top-1 |")
print("|---|---|---|---:|---:|---:|---|---|---:|")
for path in sys.argv[1:]:
    d = json.load(open(path))
    for s in d["scenarios"]:
        ca = s["clean_runs_alarmed"]
        clean = "n/a" if ca.get("value") is None else \
            f"{ca['value']*100:.1f} % ({ca['lo']*100:.1f}–{ca['hi']*100:.1f}), {s['clean_false_alarms_per_run']:.2f}/run"
        top1 = s["top1"]["value"] if s.get("top1") else None
        kinds = s["kinds"] or {}
        first = True
        if not kinds:
            print(f"| {s['name']} | {clean} | (none) | | | | | | {f(top1)} |")
        for k, m in kinds.items():
            lead = f"| {s['name']} | {clean}" if first else "| | "
            print(f"{lead} | {k} | {m['tp']} | {m['fp']} | {m['fn']} | {pr(m['precision'])} | {pr(m['recall'])} | {f(top1) if first else ''} |")
            first = False
PY
