#!/usr/bin/env bash
# CLI test of the one tidy CSV shape (issue 11, §2; docs/output-formats.md, "CSV"): every CSV
# fpsim writes (report, compare, validate summary, sweep and power) read with python3's csv
# module has RFC 4180 CRLF records, every row the header's number of fields, the key columns
# `table,format_version` then the entity's keys, a known table name in every row, and exact
# numbers in the measure columns.
. "$(dirname "$0")/lib.sh"
PY=${PYTHON:-python3}
C="$TMP/csv"
mkdir -p "$C"

"$FPSIM" --scenario all --seed 42 --runs 3 --detailed -f csv -o "$C/report.csv"
"$FPSIM" --scenario optimal --seed 42 -f csv -o "$C/report-plain.csv"
"$FPSIM" compare --scenario optimal --scenario bottlenecked --runs 10 --seed 5 -f csv -o "$C/compare.csv" 2>/dev/null
"$FPSIM" validate -s optimal -s bottlenecked -n 5 -q -f csv -o "$C/validate.csv"
"$FPSIM" validate -s optimal -n 2 -q -f csv --sweep slow_method.path_share -o "$C/sweep.csv"
"$FPSIM" validate -s bottlenecked -n 2 -q -f csv --power slow_method -o "$C/power.csv"
for f in report report-plain compare validate sweep power; do
    if [ -s "$C/$f.csv" ]; then ok; else bad "$f.csv not written"; fi
done

$PY - "$C" >"$TMP/py" 2>&1 <<'PYEOF' && ok || bad "CSV shape: $(cat "$TMP/py")"
import csv, math, sys
d = sys.argv[1]
# file: (key columns after table,format_version; the tables it may hold)
shapes = {
    "report": (["scenario", "key"], {"meta", "summary", "truth_totals", "method", "critical_path",
                "finding", "known_hotspot", "recommendation", "truth", "method_runs",
                "finding_runs", "truth_runs", "comparison", "geomean"}),
    "report-plain": (["scenario", "key"], {"meta", "summary", "truth_totals"}),
    "compare": (["name"], {"run_metric", "method"}),
    "validate": (["scenario", "kind"], {"kind", "scenario"}),
    "sweep": (["threshold"], {"sweep_point"}),
    "power": (["scenario", "bottleneck"], {"power_point"}),
}
text_cols = {"fpsim_version", "title", "rng", "gsl_version", "quantiles", "status", "kind",
             "target", "severity", "rule", "unit", "root_cause", "improvement_unit", "truth",
             "text", "evidence", "outcome", "worst_severity", "name", "change", "scenario",
             "key", "table"}
for name, (keys, tables) in shapes.items():
    raw = open(f"{d}/{name}.csv", "rb").read()
    assert raw.endswith(b"\r\n"), name + ": last record not CRLF"
    assert raw.count(b"\r\n") == raw.count(b"\n"), name + ": a bare LF"
    rows = list(csv.reader(open(f"{d}/{name}.csv", newline="")))
    head = rows[0]
    assert head[:2 + len(keys)] == ["table", "format_version"] + keys, (name, head[:4])
    assert len(set(head)) == len(head), name + ": a column twice"
    assert len(rows) > 1, name + ": no rows"
    seen = set()
    for i, r in enumerate(rows[1:], 2):
        assert len(r) == len(head), f"{name}:{i}: {len(r)} fields, header has {len(head)}"
        assert r[0] in tables, f"{name}:{i}: table {r[0]!r}"
        # each output's own version (reports/fp_report_internal.h): report and compare 3
        want = "3" if name in ("report", "report-plain", "compare") else "2"
        assert r[1] == want, f"{name}:{i}: format_version {r[1]!r}"
        seen.add(r[0])
        for c, v in zip(head[2 + len(keys):], r[2 + len(keys):]):
            if v and c not in text_cols:
                x = float(v)  # a measure column holds a number or nothing
                assert math.isfinite(x), f"{name}:{i}: {c}={v}"
    if name == "report":
        assert {"meta", "summary", "method", "finding", "comparison", "geomean"} <= seen, seen
        # entities are unique per (table, scenario, key)
        ids = [(r[0], r[2], r[3]) for r in rows[1:]]
        assert len(ids) == len(set(ids)), name + ": an entity twice"
        col = {c: j for j, c in enumerate(head)}
        score = [r for r in rows[1:] if r[0] == "summary" and r[3] == "score"]
        assert score and all(r[col["status"]] for r in score), "score row without status"
        m = [r for r in rows[1:] if r[0] == "method"][0]
        assert int(m[col["calls"]]) > 0 and m[col["kind"]] == "", m
    if name == "compare":
        ids = [(r[0], r[2]) for r in rows[1:]]
        assert len(ids) == len(set(ids)), name + ": an entity twice"
        assert seen == {"run_metric", "method"}, seen
    if name == "validate":
        ids = [(r[0], r[2], r[3]) for r in rows[1:]]
        assert len(ids) == len(set(ids)), name + ": an entity twice"
        assert [r[2] for r in rows[1:] if r[0] == "scenario"] == ["optimal", "bottlenecked", "(overall)"]
PYEOF
finish
