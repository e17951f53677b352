#!/usr/bin/env bash
# CLI tests of baselines: `fpsim baseline` from a scenario and from files (valid against
# schemas/baseline.schema.json), --baseline FILE|auto|none on report, analyze and validate (a x2
# slowdown found only with a baseline; a method that always takes 7 s a known hotspot, not a
# finding; none = the absolute rules alone), the bad baseline files' exact errors, the usage
# errors, --set on report and analyze, and `fpsim thresholds`.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
U="$SRC/tests/data/unlike"

# ---- fpsim baseline --scenario ----
run "$FPSIM" baseline --scenario "$U/baseline-always-7s.yaml" --runs 12 -o "$TMP/b7.json"
expect_rc 0 "baseline --scenario"
expect_empty_out "baseline -o"
if $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["format"]=="fpsim-baseline" and d["version"]==4 and d["runs"]==12; assert [m["name"] for m in d["methods"]]==["parse_request","render_report","send_email"]; m=d["methods"][1]["self_mean_s"]; assert m["n"]==12 and 6 < m["q"][4] < 8; assert all(k not in d["methods"][1] for k in ("self_s","alloc_mb","retained_mb"))' "$TMP/b7.json"; then ok; else bad "baseline --scenario content"; fi
# deterministic: the same command gives the same bytes; another seed another baseline
"$FPSIM" baseline --scenario "$U/baseline-always-7s.yaml" --runs 12 >"$TMP/b7b.json"
if cmp -s "$TMP/b7.json" "$TMP/b7b.json"; then ok; else bad "baseline is not deterministic"; fi
"$FPSIM" baseline --scenario "$U/baseline-always-7s.yaml" --runs 12 --seed 7 >"$TMP/b7c.json"
if ! cmp -s "$TMP/b7.json" "$TMP/b7c.json"; then ok; else bad "--seed does not change the baseline"; fi

# ---- fpsim baseline FILE|DIR... (every input analyze reads) ----
"$FPSIM" generate --scenario "$U/baseline-always-7s.yaml" -n 4 --out "$TMP/gen" >/dev/null 2>&1
run "$FPSIM" baseline "$TMP/gen" -o "$TMP/bg.json"
expect_rc 0 "baseline DIR"
if $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["runs"]==4' "$TMP/bg.json"; then ok; else bad "baseline DIR learns 4 runs"; fi
# the process-level run metrics are learnt from files too (fpsim profiles carry memory and CPU)
if $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d["run"]
assert d["version"]==4 and all(r[k]["n"]==4 for k in ("cpu_episode_max_core_s","cpu_episode_total_core_s","mem_tail_slope_mb_s","mem_tail_growth_mb","mem_peak_over_mb"))
assert r["mem_peak_over_mb"]["q"][4] > 0' "$TMP/bg.json"; then ok; else bad "baseline DIR learns the process-level metrics"; fi
run "$FPSIM" baseline "$TMP/gen/baseline-always-7s/run-0.trace.json" "$TMP/gen/baseline-always-7s/run-1.profile.json"
expect_rc 0 "baseline trace + profile"
if $PY -c 'import json,sys; assert json.load(open(sys.argv[1]))["runs"]==2' "$TMP/out"; then ok; else bad "baseline from a trace and a profile"; fi

# ---- the schema, with a real validator ----
if $PY -c 'import jsonschema' 2>/dev/null; then
    if $PY - "$SRC/schemas/baseline.schema.json" "$TMP/b7.json" "$TMP/bg.json" "$SRC/tests/data/baseline/slowdown-v3.json" >"$TMP/val" 2>&1 <<'PYEOF'; then ok; else bad "schema: $(head -c 1000 "$TMP/val")"; fi
import json, sys
from jsonschema import Draft202012Validator
s = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(s)
v = Draft202012Validator(s)
for f in sys.argv[2:]:
    v.validate(json.load(open(f)))
bad = json.load(open(sys.argv[2])); bad["extra"] = 1
assert list(v.iter_errors(bad)), "the schema accepts an unknown key"
# version 4 names the per-call means self_mean_s ...; versions 2 and 3 self_s ...
bad = json.load(open(sys.argv[2])); bad["version"] = 3
assert list(v.iter_errors(bad)), "the schema accepts a version-3 file with the version-4 keys"
bad = json.load(open(sys.argv[4])); bad["version"] = 4
assert list(v.iter_errors(bad)), "the schema accepts a version-4 file with the version-3 keys"
PYEOF
else
    bad "python3-jsonschema is not installed (scripts/bootstrap.sh installs it)"
fi

# ---- a method that always takes 7 s: a known hotspot with a baseline, a finding without ----
run "$FPSIM" --scenario "$U/baseline-always-7s.yaml" --detailed --baseline none
if grep -qE "slow_method +render_report" "$TMP/out"; then ok; else bad "7 s method is a finding without a baseline"; fi
run "$FPSIM" --scenario "$U/baseline-always-7s.yaml" --detailed --baseline "$TMP/b7.json"
expect_rc 0 "--baseline FILE"
expect_out_has "Known hotspots (over a budget, normal for this flow in the baseline of 12 runs; not findings):" "known hotspot heading"
expect_out_has "  - 'render_report': over the slow_method budget" "known hotspot line"
if ! grep -qE "slow_method +render_report" "$TMP/out"; then ok; else bad "7 s method still a finding with a baseline"; fi
run "$FPSIM" --scenario "$U/baseline-always-7s.yaml" --detailed -f json
if $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); dt=d["scenarios"][0]["detail"]; assert dt["baseline_runs"]==30; k=dt["known_hotspots"]; assert k[0]["kind"]=="slow_method" and k[0]["target"]=="render_report"' "$TMP/out"; then ok; else bad "json known_hotspots (default auto)"; fi
run "$FPSIM" --scenario "$U/baseline-always-7s.yaml" --detailed -f json --baseline none
if $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); dt=d["scenarios"][0]["detail"]; assert "known_hotspots" not in dt and "baseline_runs" not in dt' "$TMP/out"; then ok; else bad "json without a baseline has no known_hotspots"; fi
run "$FPSIM" --scenario "$U/baseline-always-7s.yaml" --detailed -f csv
expect_out_has "known_hotspot" "csv known_hotspot rows"

# ---- analyze: files default to none; --baseline FILE applies ----
run "$FPSIM" analyze "$TMP/gen" --detailed
if grep -qE "slow_method +render_report" "$TMP/out"; then ok; else bad "analyze without --baseline keeps the budget finding"; fi
run "$FPSIM" analyze "$TMP/gen" --detailed --baseline "$TMP/b7.json"
expect_out_has "  - 'render_report': over the slow_method budget" "analyze --baseline FILE"

# ---- validate: a x2 slowdown of a 0.45 s method is found only with a baseline ----
run "$FPSIM" validate -s "$U/baseline-slowdown.yaml" -n 20 -q --baseline none --no-ttd
expect_out_has "false alarms on clean runs: 1.0000 per run (20 in 20 runs)" "slowdown scenario without a baseline"
run "$FPSIM" validate -s "$U/baseline-slowdown.yaml" -n 20 -q --no-ttd
expect_out_has "[0] slow_method      on score_item             found 20 / 20" "x2 slowdown found with --baseline auto"
expect_out_has "false alarms on clean runs: 0.0000 per run" "no false alarm with --baseline auto"
run "$FPSIM" validate -s cpu-intensive -n 10 -q --no-ttd
expect_out_has "[2] slow_method      on quality_gate_check     found 10 / 10" "cpu-intensive slowdown found"
run "$FPSIM" validate -s cpu-intensive -n 10 -q --no-ttd --baseline none
expect_out_has "[2] slow_method      on quality_gate_check     found 0 / 10" "cpu-intensive slowdown not found without"

# ---- bad baseline files: exit 65, one located line ----
printf '{"format": "fpsim-baseline",\n "version": 1,,}' >"$TMP/bad1.json"
run "$FPSIM" analyze "$TMP/gen" --baseline "$TMP/bad1.json"
expect_rc 65 "malformed baseline"
expect_empty_out "malformed baseline"
expect_err_exact "fpsim: $TMP/bad1.json:2:16: error: malformed JSON: unexpected '}'" "malformed baseline"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); d["methods"][0]["cpu_pct"]["q"][3]="x"; json.dump(d, open(sys.argv[2],"w"))' "$TMP/b7.json" "$TMP/bad2.json"
run "$FPSIM" --scenario "$U/baseline-always-7s.yaml" --baseline "$TMP/bad2.json"
expect_rc 65 "baseline wrong type"
expect_err_exact "fpsim: $TMP/bad2.json: error: methods[0].cpu_pct.q must be an array of 9 numbers (methods[0].cpu_pct.q)" "baseline wrong type"
run "$FPSIM" analyze "$TMP/gen" --baseline "$TMP/nope.json"
expect_rc 66 "missing baseline"
expect_err_exact "fpsim: $TMP/nope.json: cannot open: No such file or directory" "missing baseline"

# ---- usage errors ----
usage() {
    local want="$1"
    shift
    run "$FPSIM" "$@"
    expect_rc 64 "$*"
    expect_empty_out "$*"
    expect_err_exact "fpsim: $want
Try 'fpsim --help'." "$*"
}
usage "baseline needs --scenario NAME|FILE or at least one input FILE" baseline
usage "baseline takes one --scenario, or input files, not both" baseline -s optimal "$TMP/gen"
usage "baseline takes one --scenario, or input files, not both" baseline -s optimal -s cpu-intensive
usage "baseline learns one scenario; 'all' is not one" baseline -s all
usage "--runs, --seed and --rng apply to --scenario only" baseline "$TMP/gen" --runs 3
usage "--baseline auto needs a scenario; give a baseline FILE" analyze "$TMP/gen" --baseline auto
usage "--baseline needs FILE, auto or none" --baseline ""
usage "--set needs KEY=NUMBER, got 'slow_method.mean_s'" --set slow_method.mean_s
usage "--set: unknown analysis threshold 'slow_method.mean' (did you mean 'slow_method.mean_s'?)" analyze "$TMP/gen" --set slow_method.mean=3
usage "unknown option '--baseline'" simulate --baseline none

# ---- process-level baseline (version 3 on) and a version-2 file (none: the absolute rules) ----
# A batch job that normally saturates its 4 cores: the version-4 baseline knows its CPU episodes
# (known hotspots, no finding); the same file as version 2 (without the process-level metrics,
# the per-call means under their old keys) still reads and leaves the absolute episode rule,
# which fires on every run.
run "$FPSIM" baseline --scenario "$U/proc-saturated-batch.yaml" --runs 30 -o "$TMP/sat4.json"
expect_rc 0 "baseline proc-saturated-batch"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); d["version"]=2
ren={"self_mean_s":"self_s","alloc_mean_mb":"alloc_mb","retained_mean_mb":"retained_mb"}
d["methods"]=[{ren.get(k,k):v for k,v in m.items()} for m in d["methods"]]
for k in ("cpu_episode_max_core_s","cpu_episode_total_core_s","mem_tail_slope_mb_s","mem_tail_growth_mb","mem_peak_over_mb"): d["run"].pop(k)
json.dump(d, open(sys.argv[2], "w"))' "$TMP/sat4.json" "$TMP/sat2.json"
for v in 4 2; do
    run "$FPSIM" validate --scenario "$U/proc-saturated-batch.yaml" --runs 10 --seed 5 --no-ttd -q -f json --baseline "$TMP/sat$v.json"
    expect_rc 0 "validate --baseline version $v"
    if $PY -c 'import json,sys; s=json.load(open(sys.argv[1]))["scenarios"][0]; fp=((s["kinds"] or {}).get("cpu_saturation") or {}).get("fp",0)
assert (fp == 0) if sys.argv[2]=="4" else (fp >= 10), fp' "$TMP/out" "$v"; then ok; else bad "proc-saturated-batch with a version-$v baseline: $(head -c 300 "$TMP/out")"; fi
done
run "$FPSIM" --scenario "$U/proc-saturated-batch.yaml" --baseline "$TMP/sat4.json" --detailed -f json
if $PY -c 'import json,sys; s=json.dumps(json.load(open(sys.argv[1])))
assert "over the cpu_saturation budget" in s and "normal for this flow: the run'"'"'s CPU episodes'"'"' excess over the background" in s' "$TMP/out"; then ok; else bad "saturated batch: known hotspot text: $(head -c 300 "$TMP/out")"; fi

# ---- a stored version-3 file (self_s, alloc_mb, retained_mb: the per-call means' old names) ----
# tests/data/baseline/slowdown-v3.json was learnt by the version-3 writer (fpsim baseline --scenario
# baseline-slowdown.yaml --runs 30). It is still read, and gives the same findings as before
# (the x2 slowdown found in all 20 injected runs, no false alarm) and the same outputs as the
# same baseline written as version 4 (the three keys renamed).
B3="$SRC/tests/data/baseline/slowdown-v3.json"
run "$FPSIM" validate -s "$U/baseline-slowdown.yaml" -n 20 -q --no-ttd --baseline "$B3"
expect_rc 0 "validate --baseline a stored version-3 file"
expect_out_has "[0] slow_method      on score_item             found 20 / 20" "stored version-3 baseline: the slowdown found"
expect_out_has "false alarms on clean runs: 0.0000 per run (0 in 20 runs)" "stored version-3 baseline: no false alarm"
cp "$TMP/out" "$TMP/v3.out"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["version"]==3; d["version"]=4
ren={"self_s":"self_mean_s","alloc_mb":"alloc_mean_mb","retained_mb":"retained_mean_mb"}
d["methods"]=[{ren.get(k,k):v for k,v in m.items()} for m in d["methods"]]
json.dump(d, open(sys.argv[2], "w"))' "$B3" "$TMP/slow4.json"
run "$FPSIM" validate -s "$U/baseline-slowdown.yaml" -n 20 -q --no-ttd --baseline "$TMP/slow4.json"
if cmp -s "$TMP/out" "$TMP/v3.out"; then ok; else bad "a version-3 and a version-4 baseline differ: $(diff "$TMP/v3.out" "$TMP/out" | head -c 300)"; fi
for b in "$B3" "$TMP/slow4.json"; do
    "$FPSIM" --scenario "$U/baseline-slowdown.yaml" --seed 3 --detailed -f json --baseline "$b" >"$TMP/rep-$(basename "$b").json"
done
if cmp -s "$TMP/rep-slowdown-v3.json.json" "$TMP/rep-slow4.json.json"; then ok; else bad "report with a version-3 and a version-4 baseline differ"; fi
# the old keys in a version-4 file (and the new ones in a version-3 file) are refused
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); d["version"]=4; json.dump(d, open(sys.argv[2], "w"))' "$B3" "$TMP/mixed4.json"
run "$FPSIM" --scenario "$U/baseline-slowdown.yaml" --baseline "$TMP/mixed4.json"
expect_rc 65 "old keys in a version-4 baseline"
expect_err_has "unknown key 'self_s' (methods[0].self_s)" "old keys in a version-4 baseline: the error"

# ---- --set on report and analyze ----
run "$FPSIM" --scenario "$U/baseline-always-7s.yaml" --baseline none --set slow_method.mean_s=10 --set slow_method.path_share=0
if ! grep -qE "slow_method +render_report" "$TMP/out"; then ok; else bad "report --set slow_method.mean_s=10"; fi
run "$FPSIM" analyze "$TMP/gen" --detailed --set slow_method.mean_s=10 --set slow_method.path_share=0
if ! grep -qE "slow_method +render_report" "$TMP/out"; then ok; else bad "analyze --set"; fi

# ---- fpsim thresholds ----
run "$FPSIM" thresholds
expect_rc 0 "thresholds"
if grep -qE '^slow_method\.mean_s +2  s +a method is slow when its mean own \(self\) time per call is above this \[0, 1e\+09\]$' "$TMP/out"; then ok; else bad "thresholds lists slow_method.mean_s: $(head -3 "$TMP/out")"; fi
if [ "$(($(wc -l <"$TMP/out") - 1))" = "$($PY -c 'import re,sys; print(len(re.findall(r"^\| `[a-z_]+\.[a-z_]+`", open(sys.argv[1]).read(), re.M)))' "$SRC/docs/analysis.md")" ]; then ok; else bad "thresholds: one line per threshold of docs/analysis.md"; fi

finish
