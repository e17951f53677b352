#!/usr/bin/env bash
# CLI tests of the default command: golden files for every format (seed 42, mt19937, LC_ALL=C;
# sampled values are only stable for one GSL version: tests/golden/cli/README), --runs,
# determinism, --fail-on, --thresholds, and that no NaN/Inf is ever printed.
# Regenerate the goldens with FP_UPDATE_GOLDEN=1 after a deliberate change.
. "$(dirname "$0")/lib.sh"

G="$GOLDEN/cli"
mkdir -p "$G"

golden() {
    local name="$1"
    shift
    run "$FPSIM" "$@"
    expect_rc 0 "$name: $*"
    if [ -n "${FP_UPDATE_GOLDEN:-}" ]; then
        cp "$TMP/out" "$G/$name"
        ok
    elif cmp -s "$TMP/out" "$G/$name"; then
        ok
    else
        bad "$name differs from its golden file:"
        diff "$G/$name" "$TMP/out" | head -20 >&2
    fi
    if grep -qiwE 'nan|-?inf|infinity' "$TMP/out"; then bad "$name prints NaN/Inf"; else ok; fi
}

golden all-detailed.txt --scenario all --detailed --seed 42
golden all-detailed.json --scenario all --detailed --seed 42 --format json
golden all-detailed.md --scenario all --detailed --seed 42 --format markdown
golden all-detailed.csv --scenario all --detailed --seed 42 --format csv
golden all-runs5.txt --scenario all --runs 5 --seed 42
golden optimal-runs5-detailed.json --scenario optimal --runs 5 --detailed --seed 42 --format json

# the default scenario is all; md is accepted for markdown
run "$FPSIM" --seed 42 --detailed
if cmp -s "$TMP/out" "$G/all-detailed.txt"; then ok; else bad "default scenario is not 'all'"; fi
run "$FPSIM" --scenario all --detailed --seed 42 --format md
if cmp -s "$TMP/out" "$G/all-detailed.md"; then ok; else bad "--format md"; fi

# JSON parses and records seed, rng and versions
if command -v python3 >/dev/null; then
    if python3 - "$G/all-detailed.json" <<'EOF' 2>"$TMP/py"; then ok; else bad "report JSON: $(cat "$TMP/py")"; fi
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema_version"] == 3
assert len(d["scenarios"]) == 4
for s in d["scenarios"]:
    assert s["seed"] == "42" and s["rng"] == "mt19937" and s["gsl_version"]
EOF
fi

# no colour when not a terminal, and never with NO_COLOR; colour on a terminal (script(1) gives
# the command a pseudo-terminal)
if grep -q $'\033\[' "$G/all-detailed.txt"; then bad "escape codes in a non-terminal report"; else ok; fi
if command -v script >/dev/null; then
    script -qc "\"$FPSIM\" --scenario optimal --seed 42" /dev/null >"$TMP/tty.txt" 2>&1
    if grep -q $'\033\[' "$TMP/tty.txt"; then ok; else bad "no colour on a terminal"; fi
    NO_COLOR=1 script -qc "\"$FPSIM\" --scenario optimal --seed 42" /dev/null >"$TMP/tty.txt" 2>&1
    if grep -q $'\033\[' "$TMP/tty.txt"; then bad "colour despite NO_COLOR"; else ok; fi
fi

# --fail-on: exit 1 when a finding is at or above the severity, 0 otherwise
run "$FPSIM" --scenario cpu-intensive --seed 42 --fail-on low
expect_rc 1 "--fail-on low with findings"
expect_out_has "cpu-intensive" "--fail-on still writes the report"
run "$FPSIM" --scenario optimal --seed 1 --fail-on critical
expect_rc 0 "--fail-on critical without critical findings"
run "$FPSIM" --scenario optimal --fail-on severe
expect_rc 64 "--fail-on bad value"
expect_err_has "--fail-on must be low, medium, high or critical, got 'severe'" "--fail-on bad value"
run "$FPSIM" --format xml
expect_rc 64 "--format xml"

# --thresholds: a flat mapping; errors name file:line:col
cat >"$TMP/th.yaml" <<'EOF'
# raise the slow-method threshold
slow_method.mean_s: 100
EOF
run "$FPSIM" --scenario optimal --seed 42 --detailed --thresholds "$TMP/th.yaml"
expect_rc 0 "--thresholds"
# run 0 of optimal at seed 42 has an injected slow generate_draft (found with the defaults, see
# the golden file); with the threshold raised the share rule still fires, so lower it too.
expect_out_has "found (finding #1)" "--thresholds keeps the share rule"
printf 'slow_method.mean_s: 100\nslow_method.path_share: 0.9\n' >"$TMP/th.yaml"
run "$FPSIM" --scenario optimal --seed 42 --detailed --thresholds "$TMP/th.yaml"
expect_rc 0 "--thresholds, two keys"
expect_out_has "missed" "--thresholds applied: the injected slow method is missed"
printf 'slow_method.mean: 1\n' >"$TMP/th2.yaml"
run "$FPSIM" --scenario optimal --thresholds "$TMP/th2.yaml"
expect_rc 65 "--thresholds unknown key"
expect_err_exact "fpsim: $TMP/th2.yaml:1:1: error: unknown analysis threshold 'slow_method.mean' (did you mean 'slow_method.mean_s'?)" "--thresholds unknown key"
printf '\nslow_method.mean_s: 0x10\n' >"$TMP/th3.yaml"
run "$FPSIM" --scenario optimal --thresholds "$TMP/th3.yaml"
expect_rc 65 "--thresholds hex"
expect_err_exact "fpsim: $TMP/th3.yaml:2:21: error: expected a finite number for 'slow_method.mean_s', got '0x10'" "--thresholds hex"
run "$FPSIM" --scenario optimal --thresholds "$TMP/none.yaml"
expect_rc 66 "--thresholds missing"

# a scenario's analysis: section with a bad key is located in the scenario file
cat >"$TMP/scn.yaml" <<'EOF'
name: tiny
methods:
  - name: only
    calls: 2
    duration_s: 0.5
analysis:
  cpu_saturation.pcnt: 90
EOF
run "$FPSIM" --scenario "$TMP/scn.yaml"
expect_rc 65 "bad analysis key in scenario"
expect_err_exact "fpsim: $TMP/scn.yaml:7:3: error: unknown analysis threshold 'cpu_saturation.pcnt' (did you mean 'cpu_saturation.pct'?) (analysis.cpu_saturation.pcnt)" "bad analysis key in scenario"

# a bad scenario file: one located line, exit 65, nothing on stdout
run "$FPSIM" --scenario "$DATA/bad/$(ls "$DATA/bad" | grep '\.yaml$' | head -1)"
expect_rc 65 "bad scenario"
expect_empty_out "bad scenario"
if [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -qE '^fpsim: .+:[0-9]+:[0-9]+: error: ' "$TMP/err"; then ok; else bad "bad scenario error line: $(cat "$TMP/err")"; fi

# every bad scenario file gives exactly its documented error through the CLI
for f in "$DATA"/bad/*.yaml; do
    want="$(cat "${f%.yaml}.err")"
    run "$FPSIM" --scenario "$f"
    expect_rc 65 "$(basename "$f")"
    expect_err_exact "fpsim: $f:$want" "$(basename "$f")"
done

# the score follows the findings' costs: over 30 runs (default seed) optimal scores best and
# bottlenecked worst, well below, and the comparison says why (its top finding and its cost)
run "$FPSIM" --scenario all --runs 30
expect_rc 0 "score ranking"
expect_out_has "  - Best score: optimal (100.0/100)" "optimal scores best"
# (the text report wraps at 100 columns: join the line with its indented continuation)
worst=$(grep -A1 '^  - Worst score:' "$TMP/out" | sed 's/^    / /' | tr -d '\n')
if printf '%s\n' "$worst" | grep -qE "^  - Worst score: bottlenecked \(([0-9]|[1-5][0-9])\.[0-9]/100\): [a-z_]+ on '[a-z_]+' costs [0-9.]+ % of the run's (time|CPU|peak memory) \(median; in [0-9]+ of 30 runs\)$"; then ok; else bad "worst score line: $worst"; fi

# the one-run default report ranks bottlenecked clearly below optimal (optimal's default run is a
# typical one: scenarios/optimal.yaml's seed), and says why: the bottlenecked line names its top
# finding, and optimal scores best
run "$FPSIM" --scenario all --detailed
expect_rc 0 "one-run default"
expect_out_has "  - Best score: optimal (" "one-run default: optimal scores best"
if grep -qE "^  - bottlenecked: score [0-9.]+/100, top: (critical|high|medium|low) [a-z_]+ on '[a-z_]+'" "$TMP/out"; then ok; else bad "one-run default: bottlenecked's line says no why"; fi
run "$FPSIM" --scenario all -f json
python3 - "$TMP/out" <<'EOF' && ok || bad "one-run default: bottlenecked not clearly below optimal"
import json, sys
d = json.load(open(sys.argv[1]))
sc = {s["name"]: s["summary"]["score"]["median"] for s in d["scenarios"]}
assert sc["optimal"] >= sc["bottlenecked"] + 10, sc
EOF

finish
