#!/usr/bin/env bash
# CLI tests of `fpsim compare`: scenarios, profile files, directories, formats, the regression
# gate, the folded diff, and bad inputs (exit codes and messages).
. "$(dirname "$0")/lib.sh"

run "$FPSIM" compare --help
expect_rc 0 "compare --help"
expect_out_has "Usage: fpsim compare" "compare --help"
expect_empty_err "compare --help"

# optimal vs bottlenecked: generate_draft is a regression; the gate exits 1
run "$FPSIM" compare --scenario optimal --scenario bottlenecked --runs 30 --seed 7 --fail-on-regression
expect_rc 1 "optimal vs bottlenecked with --fail-on-regression"
if grep -qE '^  generate_draft .* REGRESSION$' "$TMP/out"; then ok; else bad "generate_draft not flagged: $(grep generate_draft "$TMP/out")"; fi
if grep -qE '^  duration_s .* REGRESSION$' "$TMP/out"; then ok; else bad "duration not flagged"; fi
expect_err_has "fpsim: gate: --fail-on-regression: run duration_s" "optimal vs bottlenecked: the gate says why (issue 11)"
# same seed -> byte-identical output; JSON agrees
cp "$TMP/out" "$TMP/ob1"
run "$FPSIM" compare --scenario optimal --scenario bottlenecked --runs 30 --seed 7
expect_rc 0 "without the gate, exit 0"
if cmp -s "$TMP/ob1" "$TMP/out"; then ok; else bad "compare output not deterministic"; fi
run "$FPSIM" compare --scenario optimal --scenario bottlenecked --runs 30 --seed 7 -f json -o "$TMP/ob.json"
expect_rc 0 "json -o"
expect_empty_out "json -o leaves stdout empty"
if command -v python3 >/dev/null; then
    if python3 - "$TMP/ob.json" 2>"$TMP/py" <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1]))
assert d["fpsim_compare"] == 2
# one name per quantity: the run-level metrics are keys of the report's summary (issue: keys)
assert [r["metric"] for r in d["run_level"]] == ["duration_s", "peak_memory_mb", "avg_cpu_pct"]
assert d["base"]["runs"] == 30 and d["new"]["runs"] == 30 and d["base"]["seed"] == "7"
m = {x["name"]: x for x in d["methods"]}
g = m["generate_draft"]
assert g["change"] == "regression", g
assert g["p_value"] < 0.002 and g["ratio"] > 1.05 and g["n_base"] > g["n_base"] - 1
assert g["hl_ci"][0] <= g["hl_shift"] <= g["hl_ci"][1]
assert d["summary"]["regressions"] >= 1
def walk(x):
    if isinstance(x, float):
        assert math.isfinite(x)
    elif isinstance(x, dict):
        [walk(v) for v in x.values()]
    elif isinstance(x, list):
        [walk(v) for v in x]
walk(d)
PY
    then ok; else bad "json content: $(cat "$TMP/py")"; fi
fi

# same scenario vs itself: no regression, gate passes, every p is 1
run "$FPSIM" compare --scenario optimal --scenario optimal --runs 20 --seed 3 --fail-on-regression -f csv
expect_rc 0 "optimal vs itself"
if [ "$(head -1 "$TMP/out" | tr -d '\r')" = "table,format_version,name,unit,change,n_base,n_new,calls_base,calls_new,base_median,new_median,ratio,p_value,u,z,hl_shift,hl_lo,hl_hi" ]; then ok; else bad "csv header"; fi
if [ "$(tail -n +2 "$TMP/out" | cut -d, -f5 | sort -u)" = "no_change" ]; then ok; else bad "self comparison not all no_change"; fi
if [ "$(tail -n +2 "$TMP/out" | cut -d, -f13 | sort -u)" = "1" ]; then ok; else bad "self comparison p != 1"; fi

# two profile files written by simulate (independent seeds of one scenario): no regression
"$FPSIM" simulate --scenario optimal --runs 15 --seed 1 --format json -o "$TMP/a.json"
"$FPSIM" simulate --scenario optimal --runs 15 --seed 2 --format json -o "$TMP/b.json"
"$FPSIM" simulate --scenario bottlenecked --runs 15 --seed 2 --format json -o "$TMP/c.json"
run "$FPSIM" compare "$TMP/a.json" "$TMP/b.json" --fail-on-regression -f md
expect_rc 0 "files, same scenario, different seeds"
expect_out_has "| generate\\_draft |" "markdown escapes _"
expect_out_has "**Summary:** 0 regression(s)" "markdown summary"
run "$FPSIM" compare "$TMP/a.json" "$TMP/c.json" --fail-on-regression
expect_rc 1 "files, optimal vs bottlenecked"
expect_out_has "BASE $TMP/a.json (15 runs)" "file source named"

# directories: profiles directly inside or one level down, as fpsim generate lays them out
mkdir -p "$TMP/da/optimal" "$TMP/db"
cp "$TMP/a.json" "$TMP/da/optimal/run-0.json"
cp "$TMP/c.json" "$TMP/db/run-0.json"
echo "not json" >"$TMP/db/notes.txt"
run "$FPSIM" compare "$TMP/da" "$TMP/db" -f csv
expect_rc 0 "directories"
run "$FPSIM" compare "$TMP/a.json" "$TMP/c.json" -f csv
cp "$TMP/out" "$TMP/files.csv"
run "$FPSIM" compare "$TMP/da" "$TMP/db" -f csv
if cmp -s "$TMP/files.csv" "$TMP/out"; then ok; else bad "directory result differs from the files"; fi
mkdir -p "$TMP/empty"
run "$FPSIM" compare "$TMP/empty" "$TMP/db"
expect_rc 66 "empty directory"
expect_err_exact "fpsim: $TMP/empty: no *.json profiles in the directory or one level down" "empty directory"

# compare reads whatever analyze reads: generate directories, their index.json, Chrome traces,
# standard input
"$FPSIM" generate --scenario optimal --runs 12 --seed 1 --out "$TMP/ga" --formats profile,chrome
"$FPSIM" generate --scenario bottlenecked --runs 12 --seed 2 --out "$TMP/gb" --formats chrome
run "$FPSIM" compare "$TMP/ga" "$TMP/gb" -f csv --fail-on-regression
expect_rc 1 "generate directories: optimal vs bottlenecked"
if grep -q '^method,3,generate_draft,s,regression,' "$TMP/out"; then ok; else bad "generate directories: generate_draft not a regression: $(grep generate_draft "$TMP/out")"; fi
cp "$TMP/out" "$TMP/gdir.csv"
run "$FPSIM" compare "$TMP/ga/index.json" "$TMP/gb/index.json" -f csv
expect_rc 0 "index files"
if cmp -s "$TMP/gdir.csv" "$TMP/out"; then ok; else bad "index.json differs from its directory"; fi
run "$FPSIM" compare "$TMP/ga" "$TMP/gb"
expect_out_has "BASE $TMP/ga (12 runs)" "generate directory: 12 runs read from the profiles"
expect_out_has "NEW  $TMP/gb (12 runs)" "generate directory: 12 runs read from the traces"
run "$FPSIM" compare "$TMP/gb/bottlenecked/run-0.trace.json" "$TMP/a.json"
expect_rc 0 "a Chrome trace as BASE"
expect_out_has "BASE $TMP/gb/bottlenecked/run-0.trace.json (1 runs)" "trace side"
expect_out_has "NEW  $TMP/a.json (15 runs)" "runs document side"
run "$FPSIM" compare "$TMP/a.json" "$TMP/b.json" -f csv
cp "$TMP/out" "$TMP/ab.csv"
run bash -c "\"$FPSIM\" compare - \"$TMP/b.json\" -f csv <\"$TMP/a.json\""
expect_rc 0 "BASE from standard input"
if cmp -s "$TMP/ab.csv" "$TMP/out"; then ok; else bad "standard input differs from the file"; fi

# folded diff: 'stack before after', sorted, integer microseconds
run "$FPSIM" compare "$TMP/a.json" "$TMP/c.json" --folded-diff "$TMP/diff.folded"
expect_rc 0 "folded diff"
if grep -qE '^generate_draft [0-9]+ [0-9]+$' "$TMP/diff.folded" && ! grep -vqE '^[^ ]+ [0-9]+ [0-9]+$' "$TMP/diff.folded"; then ok; else bad "folded lines: $(head -3 "$TMP/diff.folded")"; fi
if LC_ALL=C sort -c "$TMP/diff.folded" 2>/dev/null; then ok; else bad "folded not sorted"; fi

# bad inputs
run "$FPSIM" compare "$TMP/missing.json" "$TMP/a.json"
expect_rc 66 "missing file"
expect_err_exact "fpsim: $TMP/missing.json: cannot open: No such file or directory" "missing file"
expect_empty_out "missing file"
printf '{"fpsim_runs": 1,\n "runs": [1, }\n' >"$TMP/bad.json"
run "$FPSIM" compare "$TMP/a.json" "$TMP/bad.json"
expect_rc 65 "malformed JSON"
expect_err_exact "fpsim: $TMP/bad.json:2:14: error: malformed JSON: unexpected '}'" "malformed JSON location"
# a semantic error inside run 1 of a runs document: located by its JSON path
python3 - "$TMP/a.json" "$TMP/badrun.json" <<'PY' 2>/dev/null || cp "$TMP/a.json" "$TMP/badrun.json"
import json, sys
d = json.load(open(sys.argv[1]))
d["runs"][1]["spans"]["rows"][0][4] = -1
json.dump(d, open(sys.argv[2], "w"))
PY
run "$FPSIM" compare "$TMP/a.json" "$TMP/badrun.json"
expect_rc 65 "invalid run inside a runs document"
expect_err_has "(runs[1].spans.rows[0][4])" "run index in the key path"

usage_case() {
    local want="$1"
    shift
    run "$FPSIM" "$@"
    expect_rc 64 "$*"
    expect_empty_out "$*"
    expect_err_exact "fpsim: $want
Try 'fpsim --help'." "$*"
}
usage_case "cannot mix --scenario with BASE/NEW files" compare "$TMP/a.json" --scenario optimal
usage_case "compare needs two --scenario options (BASE and NEW)" compare --scenario optimal
usage_case "compare takes exactly two --scenario options" compare -s optimal -s optimal -s optimal
usage_case "compare needs BASE and NEW (files or directories) or two --scenario options" compare "$TMP/a.json"
usage_case "unexpected argument 'x'" compare "$TMP/a.json" "$TMP/b.json" x
usage_case "--alpha must be a number in (0, 1], got '0'" compare --alpha 0 "$TMP/a.json" "$TMP/b.json"
usage_case "--noise must be a number in [0, 10], got 'nan'" compare --noise nan "$TMP/a.json" "$TMP/b.json"
usage_case "--format must be text, json, markdown, csv, html or openmetrics, got 'xml'" compare -f xml "$TMP/a.json" "$TMP/b.json"
usage_case "--runs, --seed and --rng apply only to --scenario" compare --runs 5 "$TMP/a.json" "$TMP/b.json"
usage_case "refusing to overwrite input '$TMP/a.json'" compare "$TMP/a.json" "$TMP/b.json" -o "$TMP/a.json"
usage_case "refusing to overwrite input '$TMP/b.json'" compare "$TMP/a.json" "$TMP/b.json" --folded-diff "$TMP/b.json"
usage_case "--output and --folded-diff name the same file '$TMP/x'" compare "$TMP/a.json" "$TMP/b.json" -o "$TMP/x" --folded-diff "$TMP/x"
usage_case "--min-samples must be an integer in [1, 1000000000], got '0'" compare --min-samples 0 "$TMP/a.json" "$TMP/b.json"
usage_case "--min-samples must be an integer in [1, 1000000000], got '1000000001'" compare --min-samples 1000000001 "$TMP/a.json" "$TMP/b.json"

# output errors
run "$FPSIM" compare "$TMP/a.json" "$TMP/b.json" -o "$TMP/nodir/r.txt"
expect_rc 73 "-o in a missing directory"
run bash -c "\"$FPSIM\" compare \"$TMP/a.json\" \"$TMP/b.json\" > /dev/full"
expect_rc 74 "stdout on /dev/full"

finish
