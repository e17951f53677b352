#!/usr/bin/env bash
# test_openmetrics_promtool.sh - `promtool check metrics` (Debian's prometheus package, which
# scripts/bootstrap.sh installs for the tests) on every kind of `--format openmetrics` output:
# record of a small command (with guards), analyze of a Chrome trace and of a profile, the default
# command with several scenarios and runs, and validate. Any complaint fails the test. Skipped
# (77) only when promtool is not installed.
. "$(dirname "$0")/lib.sh"

if ! command -v promtool >/dev/null 2>&1; then
    echo "SKIP: promtool is not installed (Debian: apt-get install prometheus; scripts/bootstrap.sh does it unless FP_TEST_DEPS=0)"
    exit 77
fi

# check NAME CMD...: the command's output (CMD has --format openmetrics) passes promtool with no
# complaint
check() {
    local name=$1
    shift
    "$@" >"$TMP/$name.prom" 2>"$TMP/$name.err"
    local rc=$?
    if [ "$rc" -ne 0 ]; then
        bad "$name: exit $rc: $(head -c 300 "$TMP/$name.err")"
        return
    fi
    if [ ! -s "$TMP/$name.prom" ]; then
        bad "$name: no output"
        return
    fi
    if promtool check metrics <"$TMP/$name.prom" >"$TMP/$name.lint" 2>&1 && [ ! -s "$TMP/$name.lint" ]; then
        ok
    else
        bad "$name: promtool check metrics: $(head -c 600 "$TMP/$name.lint")"
    fi
}

om="--format openmetrics"
check record "$FPSIM" record $om --max-time 100ms --max-rss 1G --max-cpu 8 --name 'odd "name"\' \
    -- sleep 0.3
check analyze_trace "$FPSIM" analyze $om "$DATA/traces/node-v20-trace-events.json"
check analyze_profile "$FPSIM" analyze $om "$DATA/profile/good/minimal.json"
check report "$FPSIM" --scenario all --runs 3 $om
check validate "$FPSIM" validate --scenario all --runs 5 $om
# the outputs hold what they are checked for (a lint of an empty family list would pass)
grep -q '^fpsim_guard_breaches_total{' "$TMP/record.prom" && ok || bad "record: no guard metrics"
grep -q '^fpsim_method_call_duration_seconds_count{' "$TMP/analyze_trace.prom" && ok ||
    bad "analyze of a trace: no method metrics"
[ "$(grep -c '^fpsim_runs{' "$TMP/report.prom")" -ge 2 ] && ok || bad "report: fewer than 2 scenarios"
grep -q '^fpsim_validate_recall_upper_ratio{' "$TMP/validate.prom" && ok || bad "validate: no recall bounds"
# and promtool does complain about a broken exposition (the check can fail)
printf '# HELP fpsim_x_total x\n# TYPE fpsim_x_total gauge\nfpsim_x_total{a="\xff"} 1\n' >"$TMP/bad.prom"
if promtool check metrics <"$TMP/bad.prom" >/dev/null 2>&1; then bad "promtool accepted a broken exposition"; else ok; fi
finish
