#!/usr/bin/env bash
# CLI tests of the input formats beyond fpsim's own (issue 10 §2, §3): a real V8 .cpuprofile
# (its planted slow function is the top finding), speedscope and folded stacks from `generate`,
# gzip, what fpsim does not read, the ground truth found beside a generated profile, and inputs
# of the same scenario told apart by file name.
. "$(dirname "$0")/lib.sh"

REAL="$SRC/tests/data/traces/real/cpuprof-app.cpuprofile"
top_finding() { # FILE: kind and target of the first finding of the first scenario (report JSON)
    python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
f = d["scenarios"][0]["detail"]["findings"]
print(f[0]["kind"], f[0]["target"]) if f else print("none")' "$1"
}

# ---- a real node --cpu-prof recording: slowFunction is the top finding ----
run "$FPSIM" analyze "$REAL" --format json --detailed
expect_rc 0 "analyze the real cpuprofile"
expect_empty_err "analyze the real cpuprofile"
got=$(top_finding "$TMP/out")
[ "$got" = "slow_method slowFunction (cpuprof-app.js:9)" ] && ok || bad "cpuprofile top finding: $got"
cp "$TMP/out" "$TMP/plain.json"
# no memory or CPU in the format: unknown, so the memory and CPU detectors do not run
run "$FPSIM" analyze "$REAL"
expect_rc 0 "analyze the real cpuprofile (text)"
expect_out_has "Not run (the input has no memory or CPU data): memory_hotspot, memory_leak, cpu_saturation" \
    "cpuprofile: memory and CPU detectors not run"
# gzip-compressed: the same report
gzip -c "$REAL" >"$TMP/app.cpuprofile.gz"
run "$FPSIM" analyze "$TMP/app.cpuprofile.gz" --format json --detailed
expect_rc 0 "analyze a gzipped cpuprofile"
[ "$(top_finding "$TMP/out")" = "$got" ] && ok || bad "gzipped cpuprofile: $(top_finding "$TMP/out")"
# compare accepts it too, on either side
run "$FPSIM" compare "$REAL" "$TMP/app.cpuprofile.gz"
expect_rc 0 "compare cpuprofile with its gzip"
expect_out_has "BASE $REAL (1 runs)" "compare names the base input"

# ---- generate's speedscope and folded files read back ----
run "$FPSIM" generate --scenario bottlenecked --runs 2 --seed 7 --out "$TMP/g"
expect_rc 0 "generate"
for f in run-0.speedscope.json run-0.folded run-0.trace.json run-0.profile.json; do
    run "$FPSIM" analyze "$TMP/g/bottlenecked/$f" --format json
    expect_rc 0 "analyze generated $f"
    expect_empty_err "analyze generated $f"
done
run "$FPSIM" compare "$TMP/g/bottlenecked/run-0.speedscope.json" "$TMP/g/bottlenecked/run-1.folded"
expect_rc 0 "compare speedscope with folded"

# ---- the truth beside a generated profile: true findings, not false alarms ----
run "$FPSIM" analyze "$TMP/g/bottlenecked/run-0.profile.json" --detailed
expect_rc 0 "analyze a generated profile"
expect_out_has "findings: 1 true, 0 false alarms" "truth found beside run-0.profile.json"
expect_out_has "true (#1)" "the finding is matched to its truth"
# without the manifest the same profile has no truth to match
mkdir -p "$TMP/alone" && cp "$TMP/g/bottlenecked/run-0.profile.json" "$TMP/alone/"
run "$FPSIM" analyze "$TMP/alone/run-0.profile.json" --detailed
expect_out_has "findings: 0 true, 1 false alarm" "no manifest, no truth"
# a manifest of another run is refused
cp "$TMP/g/bottlenecked/run-1.truth.json" "$TMP/alone/run-0.truth.json"
run "$FPSIM" analyze "$TMP/alone/run-0.profile.json"
expect_rc 65 "a manifest of another run"
expect_err_exact "fpsim: $TMP/alone/run-0.truth.json: error: the manifest is not the profile's (want scenario 'bottlenecked', seed 7, run 0)" "manifest mismatch message"

# ---- inputs of the same scenario are told apart by file name ----
run "$FPSIM" analyze "$TMP/g/bottlenecked/run-0.profile.json" "$TMP/g/bottlenecked/run-1.profile.json"
expect_rc 0 "two runs of one scenario"
expect_out_has "Scenario: bottlenecked" "first section"
expect_out_has "Scenario: bottlenecked ($TMP/g/bottlenecked/run-1.profile.json)" "second section named by its file"

# ---- Markdown keeps C++ names as text (speedscope frame names with < > |) ----
run "$FPSIM" analyze "$SRC/tests/data/sampled/evented.speedscope.json" --detailed -f md
expect_rc 0 "markdown of a speedscope file"
expect_out_has '| std::vector\<int\>::push_back |' "< and > escaped in a Markdown table"
expect_out_has '## Scenario: hand' "speedscope name names the run"
if grep -q 'vector<int>' "$TMP/out"; then bad "an unescaped <int> in Markdown"; else ok; fi

# ---- what fpsim does not read ----
printf '{"head": {"callFrame": {}}, "samples": []}' >"$TMP/h.heapprofile"
run "$FPSIM" analyze "$TMP/h.heapprofile"
expect_rc 65 "heap profile"
expect_err_exact "fpsim: $TMP/h.heapprofile: error: not a format fpsim reads (looks like a V8 sampling heap profile (.heapprofile), which has allocations but no times; record a .cpuprofile (node --cpu-prof) or a trace)" "heap profile message"
run "$FPSIM" compare "$TMP/g/bottlenecked/run-0.series.csv" "$REAL"
expect_rc 65 "CSV"
expect_err_exact "fpsim: $TMP/g/bottlenecked/run-0.series.csv: error: not a format fpsim reads (looks like CSV; fpsim reads profile JSON, Chrome traces, V8 .cpuprofile, speedscope JSON and folded stacks)" "CSV message"
head -c 100 "$TMP/app.cpuprofile.gz" >"$TMP/trunc.gz"
run "$FPSIM" analyze "$TMP/trunc.gz"
expect_rc 65 "truncated gzip"
expect_err_exact "fpsim: $TMP/trunc.gz: error: not valid gzip data: truncated (the input ends inside the compressed stream)" "truncated gzip message"
printf 'main;work 10\nmain;;x 5\n' >"$TMP/bad.folded"
run "$FPSIM" analyze "$TMP/bad.folded"
expect_rc 65 "bad folded"
expect_err_exact "fpsim: $TMP/bad.folded:2:6: error: empty frame name" "bad folded message"

finish
