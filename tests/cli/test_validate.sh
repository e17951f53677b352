#!/usr/bin/env bash
# CLI tests of `fpsim validate`: help, usage errors, identical output for any --jobs, formats,
# --fail-below, a small --sweep and --power, write errors, and an accuracy regression gate.
. "$(dirname "$0")/lib.sh"

run "$FPSIM" validate --help
expect_rc 0 "validate --help"
expect_out_has "Usage: fpsim validate" "validate --help"
expect_empty_err "validate --help"

usage_case() {
    local want="$1"
    shift
    run "$FPSIM" validate "$@"
    expect_rc 64 "validate $*"
    expect_empty_out "validate $*"
    expect_err_exact "fpsim: $want
Try 'fpsim --help'." "validate $*"
}
usage_case "unknown option '--bogus'" --bogus
usage_case "--runs must be an integer in [1, 100000000], got '0'" --runs 0
usage_case "--jobs must be an integer in [1, 256], got '0'" --jobs 0
usage_case "--jobs must be an integer in [1, 256], got '-1'" --jobs -1
usage_case "--fail-below must be a number in [0, 1], got '1.5'" --fail-below 1.5
usage_case "--inject must be both, all, none or scenario, got 'some'" --inject some
usage_case "--power: unknown bottleneck kind 'slow'" --power slow
usage_case "--sweep: unknown detector or threshold 'nope'" --sweep nope
usage_case "--sweep and --power cannot be combined" --sweep slow_method --power slow_method
usage_case "--grid needs --sweep or --power" --grid 1,2
usage_case "--grid must be a comma-separated list of at most 64 numbers >= 0, got '1,x'" --sweep slow_method --grid 1,x
usage_case "--format must be text, json, markdown, csv, html or openmetrics, got 'xml'" --format xml
usage_case "unexpected argument 'extra'" extra
usage_case "unknown scenario 'optimel' (did you mean 'optimal'?)" --scenario optimel
usage_case "--set needs KEY=NUMBER, got 'slow_method.mean_s'" --set slow_method.mean_s
usage_case "--set needs KEY=NUMBER, got 'slow_method.mean_s=x'" --set slow_method.mean_s=x
usage_case "--set: at most 64 thresholds" $(for i in $(seq 65); do printf -- '--set slow_method.mean_s=%d ' "$i"; done)
usage_case "--fail-below applies to the accuracy report, not to --sweep or --power" --fail-below 0.5 --sweep slow_method
usage_case "--grid: analysis threshold 'slow_method.path_share' must be in [0, 1], got 2" --sweep slow_method.path_share --grid 0.5,2
usage_case "--sweep call_storm.ratio: its default is 0, so give its values with --grid" --sweep call_storm.ratio
usage_case "--grid scales for --power must be > 0" --power slow_method --grid 0,1

# a bad key in a scenario's analysis: section is located in the scenario file and named by its
# key path, as by the default command (the same helper, fp_cli_scenario_thresholds)
cat >"$TMP/scn.yaml" <<'EOF'
name: tiny
methods:
  - name: only
    calls: 2
    duration_s: 0.5
analysis:
  cpu_saturation.pcnt: 90
EOF
run "$FPSIM" validate --scenario "$TMP/scn.yaml" -n 1 -q
expect_rc 65 "validate: bad analysis key in scenario"
expect_empty_out "validate: bad analysis key in scenario"
expect_err_exact "fpsim: $TMP/scn.yaml:7:3: error: unknown analysis threshold 'cpu_saturation.pcnt' (did you mean 'cpu_saturation.pct'?) (analysis.cpu_saturation.pcnt)" "validate: bad analysis key in scenario"
# --set is checked when parsed, and applied over the scenario's analysis: section
usage_case "--set: unknown analysis threshold 'slow_method.mean' (did you mean 'slow_method.mean_s'?)" --set slow_method.mean=3
sed 's/^  cpu_saturation.pcnt: 90$/  slow_method.path_share: 0/' "$TMP/scn.yaml" >"$TMP/scn2.yaml"
sed 's/^  cpu_saturation.pcnt: 90$/  slow_method.path_share: 0.5/' "$TMP/scn.yaml" >"$TMP/scn3.yaml"
"$FPSIM" validate -s "$TMP/scn2.yaml" -n 3 -q -f json --baseline none --set slow_method.path_share=0.5 >"$TMP/set1.json" 2>&1
"$FPSIM" validate -s "$TMP/scn3.yaml" -n 3 -q -f json --baseline none >"$TMP/set2.json" 2>&1
"$FPSIM" validate -s "$TMP/scn2.yaml" -n 3 -q -f json --baseline none >"$TMP/set3.json" 2>&1
if cmp -s "$TMP/set1.json" "$TMP/set2.json" && ! cmp -s "$TMP/set1.json" "$TMP/set3.json"; then ok; else bad "--set does not override the scenario's analysis: section"; fi

# Byte-identical output for any --jobs (records are merged in run order), in every format.
for fmt in text json csv markdown html openmetrics; do
    "$FPSIM" validate -s all -n 40 -j 1 -f $fmt -q >"$TMP/j1.$fmt" 2>"$TMP/err"
    rc1=$?
    "$FPSIM" validate -s all -n 40 -j 2 -f $fmt -q >"$TMP/j2.$fmt" 2>>"$TMP/err"
    rc2=$?
    "$FPSIM" validate -s all -n 40 -j 3 -f $fmt -q >"$TMP/j3.$fmt" 2>>"$TMP/err"
    if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && cmp -s "$TMP/j1.$fmt" "$TMP/j2.$fmt" &&
        cmp -s "$TMP/j1.$fmt" "$TMP/j3.$fmt" && [ -s "$TMP/j1.$fmt" ]; then ok; else bad "--jobs 1/2/3 differ ($fmt)"; fi
done
# nothing on stderr when it is not a terminal
if [ ! -s "$TMP/err" ]; then ok; else bad "stderr not empty: $(head -c 300 "$TMP/err")"; fi
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["scenarios"])==4; assert d["overall"]["runs"]==320' "$TMP/j1.json" 2>/dev/null; then ok; else bad "json output"; fi
if [ "$(head -1 "$TMP/j1.csv" | tr -d '\r' | awk -F, '{print NF}')" = 36 ] &&
    [ "$(tr -d '\r' <"$TMP/j1.csv" | awk -F, '{print NF}' | sort -u)" = 36 ]; then ok; else bad "csv: every row needs 36 fields (table, format_version ... consequences)"; fi

# --fail-below: 1 when the overall F1 is below, 0 otherwise (without a baseline cpu-intensive
# misses its below-MDE slow_method, so its F1 is < 0.99).
run "$FPSIM" validate -s cpu-intensive -n 20 --baseline none --fail-below 0.99
expect_rc 1 "--fail-below 0.99"
expect_err_has "fpsim: gate: --fail-below 0.99: overall F1 is 0." "--fail-below message"
expect_out_has "overall:" "--fail-below still writes the report"
run "$FPSIM" validate -s optimal -n 20 --fail-below 0.5
expect_rc 0 "--fail-below 0.5"

# sweep and power, small
# a key's default grid keeps to its [min, max] without repeats: path_share (default 0.5, max 1)
# sweeps 0.125 ... 1, min_count (default 1, min 1) sweeps 1, 1.5, 2, 4
for k in "slow_method.path_share 0.125 0.25 0.375 0.5 0.75 1" "latency_outliers.min_count 1 1.5 2 4"; do
    set -- $k
    run "$FPSIM" validate -s optimal -n 1 -q -f csv --sweep "$1"
    expect_rc 0 "--sweep $1"
    shift
    got=$(tail -n +2 "$TMP/out" | cut -d, -f3 | tr '\n' ' ')
    if [ "$got" = "$* " ]; then ok; else bad "--sweep default grid: got '$got', want '$* '"; fi
done
run "$FPSIM" validate -s bottlenecked -n 10 --sweep slow_method --grid 1,2,8 --inject all
expect_rc 0 "--sweep"
expect_out_has "best F1: 1.0000 at slow_method.mean_s = 2" "--sweep best threshold"
if grep -qE '^  8 +0 +0 +10 ' "$TMP/out"; then ok; else bad "--sweep at 8 s finds nothing: $(cat "$TMP/out")"; fi
run "$FPSIM" validate -s bottlenecked -n 10 --power slow_method --grid 0.05,1
expect_rc 0 "--power"
expect_out_has "0.05" "--power grid"
expect_out_has "minimum detectable effect (recall >= 0.9) of bottlenecked [0] on generate_draft: scale 1" "--power MDE"
run "$FPSIM" validate -s bottlenecked -n 10 --power slow_method --grid 0.05,1 -f markdown
expect_out_has "- minimum detectable effect (recall >= 0.9) of bottlenecked [0] on generate\\_draft: scale 1" "--power MDE in Markdown: names escaped"

# write errors
run "$FPSIM" validate -s optimal -n 2 -o /dev/full
expect_rc 74 "-o /dev/full"
"$FPSIM" validate -s optimal -n 2 >/dev/full 2>"$TMP/err"
rc=$?
expect_rc 74 "stdout /dev/full"

# a 128-character method name (the longest a scenario may declare) comes out whole
long=$(printf 'm%.0s' $(seq 128))
cat >"$TMP/long.yaml" <<EOF
name: long
methods:
  - name: $long
    calls: 1
    duration_s: 0.5
bottlenecks:
  - kind: slow_method
    target: $long
    probability: 1
    magnitude: 3
EOF
run "$FPSIM" validate -s "$TMP/long.yaml" -n 2 -f json -q
expect_rc 0 "validate 128-char method"
expect_out_has "\"target\": \"$long\"" "validate 128-char method: whole name in json"

# Accuracy regression gate (relaxed bounds; the 1,000-run table is in docs/validation.md).
"$FPSIM" validate -s all -n 100 -j 2 -f csv -q --no-ttd >"$TMP/acc.csv"
check() { # scenario kind column min
    local v
    v=$(tr -d '\r' <"$TMP/acc.csv" | awk -F, -v s="$1" -v k="$2" -v c="$3" '$3==s && $4==k {print $c}')
    if [ -n "$v" ] && awk -v v="$v" -v m="$4" 'BEGIN{exit !(v >= m)}'; then ok; else bad "accuracy: $1 $2 column $3 = '$v' < $4"; fi
}
for s in optimal bottlenecked memory-intensive; do
    check $s all 8 0.95 # precision
    check $s all 11 0.95 # recall
done
check cpu-intensive cpu_saturation 8 0.95
check cpu-intensive cpu_saturation 11 0.95
finish
