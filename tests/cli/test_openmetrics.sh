#!/usr/bin/env bash
# test_openmetrics.sh - `--format openmetrics` (docs/output-formats.md, "OpenMetrics"): exact
# values for a small known profile (tests/data/profile/good/minimal.json), the same bytes twice,
# record's guards, label escaping, and the commands that refuse the format. promtool's checks of
# every output kind: test_openmetrics_promtool.sh.
. "$(dirname "$0")/lib.sh"

# analyze of the hand-written profile: 2 s, memory samples 1,2,3,4 MB at 0.5 s, CPU 50,100,75,0 %,
# 3 I/O operations of 4096 bytes in all, spans main (0-2 s) and work (0.5-1.5 s).
run "$FPSIM" analyze --format openmetrics "$DATA/profile/good/minimal.json"
expect_rc 0 "analyze openmetrics"
expect_empty_err "analyze openmetrics"
cp "$TMP/out" "$TMP/mini.prom"
for line in \
    'fpsim_runs{scenario="mini"} 1' \
    'fpsim_run_duration_seconds{scenario="mini"} 2' \
    'fpsim_machine_cores{scenario="mini"} 1' \
    'fpsim_memory_peak_bytes{scenario="mini"} 4194304' \
    'fpsim_memory_average_bytes{scenario="mini"} 2621440' \
    'fpsim_cpu_average_ratio{scenario="mini"} 0.5625' \
    'fpsim_cpu_peak_ratio{scenario="mini"} 1' \
    'fpsim_io_operations_total{scenario="mini"} 3' \
    'fpsim_io_bytes_total{scenario="mini"} 4096' \
    'fpsim_method_call_duration_seconds{scenario="mini",method="main",quantile="0.5"} 2' \
    'fpsim_method_call_duration_seconds_sum{scenario="mini",method="work"} 1' \
    'fpsim_method_call_duration_seconds_count{scenario="mini",method="work"} 1' \
    '# TYPE fpsim_io_bytes_total counter' \
    '# TYPE fpsim_method_call_duration_seconds summary'; do
    if grep -qxF -- "$line" "$TMP/mini.prom"; then ok; else bad "analyze openmetrics lacks the line '$line'"; fi
done
# the findings agree with the JSON report of the same profile
"$FPSIM" analyze --detailed --format json "$DATA/profile/good/minimal.json" >"$TMP/mini.json"
python3 - "$TMP/mini.json" "$TMP/mini.prom" <<'EOF' && ok || bad "openmetrics findings and score differ from the JSON report"
import json, re, sys
rep = json.load(open(sys.argv[1]))
prom = open(sys.argv[2]).read()
scn = rep["scenarios"][0]
score = scn["summary"]["score"]["median"]
got = re.search(r'^fpsim_score\{scenario="mini"\} (\S+)$', prom, re.M)
assert got and float(got.group(1)) == score, (got, score)
counts = {}
for f in scn["detail"]["findings"]:
    k = (f["kind"], f["severity"])
    counts[k] = counts.get(k, 0) + 1
found = {(m.group(1), m.group(2)): int(m.group(3)) for m in re.finditer(
    r'^fpsim_findings_total\{scenario="mini",kind="([^"]+)",severity="([^"]+)"\} (\d+)$', prom, re.M)}
assert counts == found, (counts, found)
EOF
if [ "$(tail -n 1 "$TMP/mini.prom")" = "# EOF" ]; then ok; else bad "openmetrics does not end with # EOF"; fi
if grep -q '^$' "$TMP/mini.prom"; then bad "openmetrics has a blank line"; else ok; fi
"$FPSIM" analyze --format openmetrics "$DATA/profile/good/minimal.json" | cmp -s - "$TMP/mini.prom" &&
    ok || bad "analyze openmetrics differs between two runs"

# the default command: one line per scenario, byte-identical for any --jobs
run "$FPSIM" --scenario all --runs 3 --format openmetrics
expect_rc 0 "report openmetrics"
cp "$TMP/out" "$TMP/all.prom"
n=$(grep -c '^fpsim_runs{scenario="[^"]*"} 3$' "$TMP/all.prom")
[ "$n" -eq 4 ] && ok || bad "report openmetrics: $n fpsim_runs lines, expected 4"
"$FPSIM" --scenario all --runs 3 --jobs 2 --format openmetrics | cmp -s - "$TMP/all.prom" &&
    ok || bad "report openmetrics differs with --jobs 2"

# record: the guards, with a breach of --max-time (warn lets the command finish)
run "$FPSIM" record --name 'sl"ow\x' --max-time 100ms --max-rss 1G --format openmetrics -- sleep 0.6
expect_rc 0 "record openmetrics"
expect_out_has 'fpsim_guard_limit{scenario="sl\"ow\\x",guard="max-time",unit="seconds"} 0.1' "record guard limit"
expect_out_has 'fpsim_guard_limit{scenario="sl\"ow\\x",guard="max-rss",unit="bytes"} 1073741824' "record rss limit"
expect_out_has 'fpsim_guard_breaches_total{scenario="sl\"ow\\x",guard="max-time",action="warn"} 1' "record breach count"
expect_out_has 'fpsim_guard_breaches_total{scenario="sl\"ow\\x",guard="max-rss",action="warn"} 0' "record no rss breach"
expect_out_has 'fpsim_guard_first_breach_seconds{scenario="sl\"ow\\x",guard="max-time"} ' "record first breach"
expect_out_has 'fpsim_method_call_duration_seconds_count{scenario="sl\"ow\\x",method="sl\"ow\\x"} 1' "record root span"
t=$(sed -n 's/^fpsim_run_duration_seconds{[^}]*} //p' "$TMP/out")
python3 -c "import sys; t=float(sys.argv[1]); sys.exit(0 if 0.5 <= t <= 5 else 1)" "$t" &&
    ok || bad "record openmetrics: duration '$t' of a 0.6 s sleep"

# validate: precision and recall with their Wilson bounds per kind, and overall
run "$FPSIM" validate --scenario optimal --runs 4 --format openmetrics
expect_rc 0 "validate openmetrics"
expect_out_has 'fpsim_validate_runs{scenario="(overall)"} 8' "validate runs"
expect_out_has 'fpsim_validate_recall_ratio{scenario="optimal",kind="all"} ' "validate recall"
expect_out_has 'fpsim_validate_precision_lower_ratio{scenario="(overall)",kind="all"} ' "validate precision bound"
"$FPSIM" validate --scenario optimal --runs 4 --format json >"$TMP/v.json"
python3 - "$TMP/v.json" "$TMP/out" <<'EOF' && ok || bad "validate openmetrics counts differ from the JSON"
import json, re, sys
v = json.load(open(sys.argv[1]))
prom = open(sys.argv[2]).read()
for name, key in (("true_positives", "tp"), ("false_positives", "fp"), ("false_negatives", "fn")):
    m = re.search(r'^fpsim_validate_%s_total\{scenario="\(overall\)",kind="all"\} (\d+)$' % name, prom, re.M)
    assert m and int(m.group(1)) == v["overall"]["all"][key], (name, m)
r = v["overall"]["all"]["recall"]
for suffix, key in (("", "value"), ("_lower", "lo"), ("_upper", "hi")):
    m = re.search(r'^fpsim_validate_recall%s_ratio\{scenario="\(overall\)",kind="all"\} (\S+)$' % suffix, prom, re.M)
    assert m and abs(float(m.group(1)) - r[key]) < 5e-7, (suffix, m, r)
EOF

# the documents without a metrics form refuse it before doing any work
"$FPSIM" --scenario optimal --runs 2 --format json >"$TMP/a.json"
usage() {
    run "$FPSIM" "${@:2}"
    expect_rc 64 "$*"
    expect_err_has "$1" "$*"
    expect_empty_out "$*"
}
usage "--format openmetrics is a format of the report, analyze, record and validate, not of compare" \
    compare --format openmetrics "$TMP/a.json" "$TMP/a.json"
usage "--format openmetrics is a format of the accuracy report, not of --sweep or --power" \
    validate --sweep slow_method --runs 2 --format openmetrics
usage "--format openmetrics is a format of the accuracy report, not of --sweep or --power" \
    validate --power slow_method --runs 2 --format openmetrics
finish
