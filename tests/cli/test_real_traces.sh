#!/usr/bin/env bash
# CLI tests of real traces (tests/data/traces/real/, docs/real-traces.md): memory and CPU a trace
# does not carry are printed as n/a, the detectors that need them are listed as not run, and the
# planted problems head the findings.
. "$(dirname "$0")/lib.sh"

R="$DATA/traces/real"

run "$FPSIM" analyze "$R/clang-heavy.trace.json"
expect_rc 0 "analyze clang trace"
if grep -qE '^Peak memory +n/a +MB$' "$TMP/out"; then ok; else bad "clang: peak memory is not n/a"; fi
if grep -qE '^Average CPU +n/a +%$' "$TMP/out"; then ok; else bad "clang: average CPU is not n/a"; fi
expect_out_has "Not run (the input has no memory or CPU data): memory_hotspot, memory_leak, cpu_saturation" \
    "clang: detectors not run"
if grep -qE '^(Peak|Average) memory +0\.0' "$TMP/out"; then bad "clang: a memory figure is printed as 0.0 MB"; else ok; fi

run "$FPSIM" analyze --format json "$R/clang-heavy.trace.json"
expect_rc 0 "analyze clang trace as JSON"
expect_out_has '"not_available"' "clang JSON: not_available"
expect_out_has '"detectors_not_run"' "clang JSON: detectors_not_run"

run "$FPSIM" analyze -d "$R/node-slow-leak.trace.json"
expect_rc 0 "analyze node trace"
if grep -qE '^Peak memory +[0-9.]+ +MB$' "$TMP/out"; then ok; else bad "node: peak memory from V8 heap sizes"; fi
# CPU from the spans' thread time (tts/tdur), not 0.0 from the heap series
if grep -qE '^Average CPU +[0-9]+\.[0-9] +%$' "$TMP/out" && ! grep -qE '^Average CPU +0\.0 ' "$TMP/out"; then ok; else bad "node: average CPU is not from thread time"; fi
if grep -q "cpu_saturation" "$TMP/out"; then bad "node: a cpu_saturation finding from thread time"; else ok; fi
expect_out_has "slow_method       slowParse" "node: slowParse found"
# the planted slow function is finding #1, the planted leak #2 (docs/real-traces.md)
if grep -qE '^1 +critical +[0-9.]+ +slow_method +slowParse ' "$TMP/out"; then ok; else bad "node: slowParse is not finding #1"; fi
if grep -qE '^2 +[a-z]+ +[0-9.]+ +memory_leak +process ' "$TMP/out"; then ok; else bad "node: the leak is not finding #2"; fi
if grep -q "RunTimers  *[0-9.]*\.\.\|slow_method *RunTimers" "$TMP/out"; then bad "node: RunTimers is a finding"; else ok; fi
# durations in a unit that fits (docs/output-formats.md): a 2 us call is "2.00 us", never 0.000
if grep -qE '^fs\.sync\.close +1 +2\.00 µs ' "$TMP/out"; then ok; else bad "node: a 2 us call is not printed in us"; fi
if grep -qE '(^| )0\.000( |$)' "$TMP/out"; then bad "node: a duration printed as 0.000"; else ok; fi
# counts and durations never in exponent form (p-values may be: "p = 1.8e-11")
if sed 's/p = [0-9.]*e[-+][0-9]*//g' "$TMP/out" | grep -qE '[0-9]e[-+][0-9]'; then bad "node: an exponent in the report"; else ok; fi

# instants as markers (docs/real-traces.md): Node's milestones in time order, in text and JSON
expect_out_has "Markers (run 0)" "node: markers section"
if grep -qE '^  - 1[0-9]\.[0-9]+ s loopExit \(track 0\)$' "$TMP/out"; then ok; else bad "node: loopExit marker"; fi
run "$FPSIM" analyze -d --format json "$R/node-slow-leak.trace.json"
if grep -qE '"markers_total":[[:space:]]*6,' "$TMP/out"; then ok; else bad "node JSON: markers_total"; fi
if grep -qE '"name":[[:space:]]*"loopExit"' "$TMP/out"; then ok; else bad "node JSON: loopExit marker"; fi

run "$FPSIM" analyze -d "$R/chromium-long-task.trace.json"
expect_rc 0 "analyze chromium trace"
if grep -qE '^1 +[a-z]+ +[0-9.]+ +slow_method +longTask ' "$TMP/out"; then ok; else bad "chromium: longTask is not finding #1"; fi

finish
