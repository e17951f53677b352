#!/usr/bin/env bash
# CLI tests of the CI gates (issue 11, §1): each gate says on stderr which rule fired, on what,
# with the measured value and the limit, whatever -o is; --summary / $GITHUB_STEP_SUMMARY get a
# Markdown summary; compare warns when the run counts cannot reach significance.
. "$(dirname "$0")/lib.sh"
unset GITHUB_STEP_SUMMARY

# --fail-on with -o: exit 1 and one gate line naming the rule, the finding, its severity
run "$FPSIM" --scenario optimal --seed 42 --fail-on high -o "$TMP/gate.txt"
expect_rc 1 "--fail-on high -o"
expect_empty_out "--fail-on high -o"
expect_err_has "fpsim: gate: --fail-on high: finding #1 slow_method on 'generate_draft' is high (impact " "--fail-on gate line"
expect_err_has "in 'optimal' run 0" "--fail-on gate line names the run"
[ "$(wc -l <"$TMP/err")" -eq 1 ] && ok || bad "--fail-on: more than one stderr line: $(cat "$TMP/err")"
# several firings: the first, and how many more
run "$FPSIM" --scenario cpu-intensive --seed 42 --fail-on low -o "$TMP/gate.txt"
expect_rc 1 "--fail-on low, several findings"
expect_err_has "more)" "--fail-on counts the other firings"
# a gate that does not fire prints nothing
run "$FPSIM" --scenario optimal --seed 1 --fail-on critical -o "$TMP/gate.txt"
expect_rc 0 "--fail-on critical"
expect_empty_err "--fail-on critical, not fired"

# analyze: the gate names the input
"$FPSIM" simulate --scenario bottlenecked --seed 42 -f json -o "$TMP/b.json" 2>/dev/null
run "$FPSIM" analyze "$TMP/b.json" --fail-on low -o "$TMP/an.txt"
expect_rc 1 "analyze --fail-on low"
expect_err_has "fpsim: gate: --fail-on low: finding #1 " "analyze gate line"

# compare --fail-on-regression: the method, the medians, the ratio, p and the limits
run "$FPSIM" compare --scenario optimal --scenario bottlenecked --runs 30 --seed 7 --fail-on-regression -o "$TMP/cmp.txt"
expect_rc 1 "compare --fail-on-regression -o"
expect_err_has "fpsim: gate: --fail-on-regression: run duration_s 24.78 -> 84.22 s (ratio 3.399, p 1.7e-17; " "compare gate line"
expect_err_has "(and 7 more)" "compare gate counts the other regressions"
expect_err_has "limit ratio > 1.050 and p < 0.002)" "compare gate line gives the limit"

# compare: 6 vs 6 runs cannot reach alpha 0.002 (smallest p 2/C(12,6) = 0.00216); 7 would
run "$FPSIM" compare --scenario optimal --scenario optimal --runs 6 --seed 3 -o "$TMP/cmp.txt"
expect_rc 0 "compare 6 vs 6"
expect_err_exact "fpsim: warning: 6 vs 6 runs cannot reach significance at run level (smallest possible p 0.00216 >= alpha 0.002); 7 runs per side would" "compare power warning"
run "$FPSIM" compare --scenario optimal --scenario optimal --runs 7 --seed 3 -o "$TMP/cmp.txt"
expect_empty_err "compare 7 vs 7: no warning"
run "$FPSIM" compare --scenario optimal --scenario optimal --runs 3 --seed 3 --alpha 0.2 -o "$TMP/cmp.txt"
run "$FPSIM" compare --scenario optimal --scenario optimal --runs 3 --seed 3 --alpha 0.2 -o "$TMP/cmp.txt"
expect_empty_err "compare 3 vs 3 at alpha 0.2 can reach it (p 0.1)"

# validate --fail-below: the measured F1 and the limit
run "$FPSIM" validate -s cpu-intensive -n 20 --baseline none --fail-below 0.99 -o "$TMP/v.txt"
expect_rc 1 "--fail-below 0.99"
expect_err_has "fpsim: gate: --fail-below 0.99: overall F1 is 0." "--fail-below gate line"
expect_err_has "(limit: at least 0.99)" "--fail-below gate line gives the limit"

# --summary FILE: appended Markdown, with the gate's outcome
run "$FPSIM" --scenario all --seed 42 --fail-on high -o "$TMP/r.txt" --summary "$TMP/sum.md"
expect_rc 1 "--summary with a gate"
grep -qx "### fpsim report" "$TMP/sum.md" && ok || bad "summary heading"
grep -q "^| memory-intensive (worst) | 1 | 50.4 | 1 | high memory_hotspot on generate\\\\_draft" "$TMP/sum.md" && ok || bad "summary row of the worst scenario: $(cat "$TMP/sum.md")"
grep -q "^Gate: \*\*failed\*\*: --fail-on high: finding #1" "$TMP/sum.md" && ok || bad "summary gate line"
run "$FPSIM" --scenario optimal --seed 1 --fail-on critical -o "$TMP/r.txt" --summary "$TMP/sum.md"
expect_rc 0 "--summary, gate passed"
[ "$(grep -c '^### fpsim report' "$TMP/sum.md")" -eq 2 ] && ok || bad "--summary appends"
grep -qx "Gate: passed" "$TMP/sum.md" && ok || bad "summary: gate passed"
# $GITHUB_STEP_SUMMARY when --summary is not given
GITHUB_STEP_SUMMARY="$TMP/gh.md" run "$FPSIM" compare --scenario optimal --scenario bottlenecked --runs 30 --seed 7 -o "$TMP/cmp.txt"
expect_rc 0 "compare with GITHUB_STEP_SUMMARY"
grep -q "^### fpsim compare: optimal vs bottlenecked" "$TMP/gh.md" && ok || bad "GITHUB_STEP_SUMMARY compare heading"
grep -q "^30 vs 30 runs: 8 regressions, 0 improvements." "$TMP/gh.md" && ok || bad "compare summary counts: $(cat "$TMP/gh.md")"
grep -q "^Gate" "$TMP/gh.md" && bad "no gate asked, yet a gate line" || ok
GITHUB_STEP_SUMMARY="$TMP/gh.md" run "$FPSIM" validate -s optimal -n 5 -o "$TMP/v.txt"
grep -q "^### fpsim validate" "$TMP/gh.md" && ok || bad "validate summary"
# an unwritable summary is an error (73)
run "$FPSIM" --scenario optimal -o "$TMP/r.txt" --summary "$TMP/no/such/dir/sum.md"
expect_rc 73 "--summary unwritable"
expect_err_has "cannot open summary" "--summary unwritable message"

finish
