#!/usr/bin/env bash
# `fpsim validate --record` on fp_planted (docs/validation.md "Real processes"): 4 run indices,
# each recorded with one problem drawn from the seed and clean, must reach precision and recall
# of at least 0.75 overall with at most one false alarm over the clean runs; the contract's
# errors (a command that fails, writes no manifest, cannot be run; usage) give their statuses.
set -u
: "${FPSIM:?}" "${PLANTED:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" # the leak case keeps its memory on purpose

"$FPSIM" validate --record --runs 4 --seed 12 --name planted \
    --plant slow_method,memory_leak,call_storm,io_heavy \
    --set latency_outliers.min_excess_s=0.01 --set latency_outliers.min_count=30 \
    -f json -o "$tmp/v.json" -- "$PLANTED" 2>"$tmp/err" || bad "validate --record: $(cat "$tmp/err")"
# one line per recording on stderr
[ "$(grep -c '^fpsim: validate --record: run [0-3] (' "$tmp/err")" -eq 8 ] ||
    bad "not one line per recording: $(cat "$tmp/err")"
python3 - "$tmp/v.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
s = d["scenarios"][0]
o = d["overall"]
def val(r):
    return r["value"] if isinstance(r, dict) else r
ok = True
msgs = []
if s["name"] != "planted" or d["runs"] != 4:
    ok = False; msgs.append("name/runs")
tot = o["all"]
for key, lim in (("precision", 0.75), ("recall", 0.75)):
    v = val(tot[key])
    if v is None or v < lim:
        ok = False; msgs.append("%s %s < %s" % (key, v, lim))
# seed 12 draws each of the four kinds once: each must have its row
for k in ("slow_method", "memory_leak", "call_storm", "io_heavy"):
    if k not in o["kinds"] or o["kinds"][k]["tp"] + o["kinds"][k]["fn"] != 1:
        ok = False; msgs.append("kind %s not planted once" % k)
cfa = o.get("clean_false_alarms")
if cfa is None or cfa > 1:
    ok = False; msgs.append("clean false alarms %s" % cfa)
if not ok:
    print("FAIL: validate --record: %s\n%s" % (msgs, json.dumps(o, indent=1)[:3000]), file=sys.stderr)
    sys.exit(1)
PY

# text report: validate's layout
"$FPSIM" validate --record --runs 1 --seed 1 --plant slow_method -q -- "$PLANTED" >"$tmp/v.txt" \
    2>"$tmp/err" || bad "text: $(cat "$tmp/err")"
grep -q "^fpsim validate: 1 run indices per scenario" "$tmp/v.txt" || bad "text header: $(cat "$tmp/v.txt")"
grep -q "^scenario fp_planted (seed 1): 2 runs, 1 injected, 1 clean" "$tmp/v.txt" ||
    bad "text scenario line: $(cat "$tmp/v.txt")"
[ -s "$tmp/err" ] && bad "-q printed: $(cat "$tmp/err")"

# the Python example of docs/validation.md
"$FPSIM" validate --record --runs 1 --plant slow_method -q -- python3 "$(dirname "$0")/planted.py" \
    >"$tmp/py.txt" 2>"$tmp/err" || bad "python example: $(cat "$tmp/err")"
grep -q "\[0\] slow_method *on slow_step *found 1 / 1" "$tmp/py.txt" ||
    bad "python example: slow_step not found: $(cat "$tmp/py.txt")"

# openmetrics, as validate's (docs/output-formats.md)
"$FPSIM" validate --record --runs 1 --plant slow_method -q -f openmetrics -- \
    python3 "$(dirname "$0")/planted.py" >"$tmp/py.om" 2>"$tmp/err" || bad "openmetrics: $(cat "$tmp/err")"
grep -q '^fpsim_validate_true_positives_total{scenario="python3",kind="slow_method"} 1$' "$tmp/py.om" ||
    bad "openmetrics: no true positive: $(head -20 "$tmp/py.om")"

# errors: usage, a command that fails, one that writes no manifest, one that cannot be run
"$FPSIM" validate --record --runs 1 >/dev/null 2>"$tmp/err"
[ $? -eq 64 ] && grep -q "needs a command after '--'" "$tmp/err" || bad "no command: not 64"
"$FPSIM" validate --record --plant nonsense -- true >/dev/null 2>"$tmp/err"
[ $? -eq 64 ] && grep -q "unknown bottleneck kind 'nonsense'" "$tmp/err" || bad "bad --plant"
"$FPSIM" validate --record --runs 1 -- sh -c 'exit 3' >/dev/null 2>"$tmp/err"
[ $? -eq 65 ] && grep -q "exited with status 3" "$tmp/err" || bad "failing command: $(cat "$tmp/err")"
"$FPSIM" validate --record --runs 1 -- true >/dev/null 2>"$tmp/err"
[ $? -eq 65 ] && grep -q "wrote no ground truth to" "$tmp/err" || bad "no manifest: $(cat "$tmp/err")"
"$FPSIM" validate --record --runs 1 -- sh -c 'echo "{\"fpsim_manifest\": 1}" >"$FPSIM_TRUTH"' \
    >/dev/null 2>"$tmp/err"
[ $? -eq 65 ] || bad "bad manifest: $(cat "$tmp/err")"
"$FPSIM" validate --record --runs 1 -- "$tmp/no-such-command" >/dev/null 2>"$tmp/err"
[ $? -eq 127 ] || bad "missing command is not 127"

exit $fail
