#!/usr/bin/env bash
# CLI tests of `fpsim simulate`, --help, --version, usage errors, output atomicity and write errors.
. "$(dirname "$0")/lib.sh"

# --help / --version: stdout, exit 0, nothing on stderr
for h in --help -h; do
    run "$FPSIM" $h
    expect_rc 0 "fpsim $h"
    expect_out_has "Usage: fpsim" "fpsim $h"
    expect_out_has "Exit status:" "fpsim $h"
    expect_empty_err "fpsim $h"
done
run "$FPSIM" report --help
expect_rc 0 "report --help"
expect_out_has "--fail-on SEV" "report --help lists the report options"
run "$FPSIM" report --scenario optimal --seed 3
cp "$TMP/out" "$TMP/report"
run "$FPSIM" --scenario optimal --seed 3
if cmp -s "$TMP/out" "$TMP/report"; then ok; else bad "'fpsim report' differs from the default command"; fi
run "$FPSIM" simulate --help
expect_rc 0 "simulate --help"
expect_out_has "Usage: fpsim simulate" "simulate --help"
for v in --version -V; do
    run "$FPSIM" $v
    expect_rc 0 "fpsim $v"
    if grep -qE '^fpsim [0-9]+\.[0-9]+\.[0-9]+ \(GSL [0-9.]+, libyaml [0-9.]+, cJSON [0-9.]+\)$' "$TMP/out"; then ok; else bad "version line: $(cat "$TMP/out")"; fi
done

run "$FPSIM" scenarios --names
expect_rc 0 "scenarios --names"
if [ "$(cat "$TMP/out")" = "$(printf 'optimal\nbottlenecked\nmemory-intensive\ncpu-intensive')" ]; then ok; else bad "scenarios list: $(cat "$TMP/out")"; fi

# usage errors: exit 64, one line plus the hint, nothing on stdout
usage_case() {
    local want="$1"
    shift
    run "$FPSIM" "$@"
    expect_rc 64 "$*"
    expect_empty_out "$*"
    expect_err_exact "fpsim: $want
Try 'fpsim --help'." "$*"
}
usage_case "unknown option '--bogus'" simulate --scenario optimal --bogus
usage_case "option '--runs' needs an argument" simulate --scenario optimal --runs
usage_case "unexpected argument 'extra'" simulate --scenario optimal extra
usage_case "--format for simulate must be text or json, got 'xml'" simulate --scenario optimal --format xml
usage_case "--runs must be an integer in [1, 100000000], got '0'" simulate --scenario optimal --runs 0
usage_case "--runs must be an integer in [1, 100000000], got '1.5'" simulate --scenario optimal --runs 1.5
usage_case "--seed must be an integer in [0, 18446744073709551615], got '-1'" simulate --scenario optimal --seed -1
usage_case "--seed must be an integer in [0, 18446744073709551615], got '1e3'" simulate --scenario optimal --seed 1e3
usage_case "--seed must be an integer in [0, 18446744073709551615], got '18446744073709551616'" simulate --scenario optimal --seed 18446744073709551616
usage_case "simulate needs --scenario NAME|FILE|all" simulate
usage_case "unknown scenario 'optimel' (did you mean 'optimal'?)" simulate --scenario optimel
usage_case "--rng: unknown random generator 'nope' (try mt19937, ranlxd2, taus2, gfsr4; see the GSL manual for the full list)" simulate --scenario optimal --rng nope

# input errors
run "$FPSIM" simulate --scenario "$TMP/missing.yaml"
expect_rc 66 "missing scenario file"
expect_err_has "fpsim: $TMP/missing.yaml" "missing scenario file"
mkdir -p "$TMP/dir.yaml"
run "$FPSIM" simulate --scenario "$TMP/dir.yaml"
expect_rc 66 "scenario is a directory"

# built-ins under both spellings; same seed -> byte-identical
run "$FPSIM" simulate --scenario memory_intensive --runs 3 --seed 7
expect_rc 0 "underscore built-in"
cp "$TMP/out" "$TMP/a"
run "$FPSIM" simulate --scenario memory-intensive --runs 3 --seed 7
if cmp -s "$TMP/a" "$TMP/out"; then ok; else bad "same seed, different output"; fi
expect_out_has "# scenario memory-intensive, seed 7" "seed recorded"
expect_out_has "rng mt19937" "rng recorded"

# JSON: the full runs, valid JSON (parsed by python3 when present), seed recorded (optimal.yaml declares seed: 43)
run "$FPSIM" simulate --scenario optimal --runs 2 --format json
expect_rc 0 "json"
if command -v python3 >/dev/null; then
    if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["runs"])==2; assert d["runs"][1]["meta"]["seed"]=="43"' "$TMP/out" 2>"$TMP/py"; then ok; else bad "json structure: $(cat "$TMP/py")"; fi
fi

# run k alone equals run k of a batch: compare the JSON of run index 2
run "$FPSIM" simulate --scenario optimal --runs 3 --seed 11 --format json -o "$TMP/batch.json"
expect_rc 0 "json to file"
expect_empty_out "-o leaves stdout empty"
if [ -f "$TMP/batch.json" ] && ! ls -a "$TMP" | grep -q '^\.batch\.json\.'; then ok; else bad "-o: file missing or temp left"; fi

# write errors: /dev/full on stdout and as -o, closed stdout
run bash -c "\"$FPSIM\" simulate --scenario optimal > /dev/full"
expect_rc 74 "stdout on /dev/full"
expect_err_has "error writing standard output" "stdout on /dev/full"
run "$FPSIM" simulate --scenario optimal -o /dev/full
expect_rc 74 "-o /dev/full (a device: written in place, error at close)"
if [ -c /dev/full ]; then ok; else bad "/dev/full was replaced"; fi
run bash -c "\"$FPSIM\" simulate --scenario optimal >&-"
expect_rc 74 "closed stdout"

# cannot create output: missing directory, a directory, parent is a file
run "$FPSIM" simulate --scenario optimal -o "$TMP/nodir/x.txt"
expect_rc 73 "-o in missing directory"
if [ ! -e "$TMP/nodir" ]; then ok; else bad "created something"; fi
run "$FPSIM" simulate --scenario optimal -o "$TMP"
expect_rc 73 "-o a directory"
touch "$TMP/file"
run "$FPSIM" simulate --scenario optimal -o "$TMP/file/x.txt"
expect_rc 73 "-o under a file"

# file too large mid-write: exit 74, the previous file untouched, no temp left
echo previous >"$TMP/big.json"
run bash -c "trap '' XFSZ; ulimit -f 8; \"$FPSIM\" simulate --scenario bottlenecked --runs 5 --format json -o \"$TMP/big.json\""
expect_rc 74 "file size limit"
if [ "$(cat "$TMP/big.json")" = previous ]; then ok; else bad "big.json was clobbered"; fi
if ! ls -a "$TMP" | grep -q '^\.big\.json\.'; then ok; else bad "temp file left behind"; fi

# SIGINT mid-run: exit 130, no output file, no temp
"$FPSIM" simulate --scenario bottlenecked --runs 100000000 --format json -o "$TMP/int.json" 2>"$TMP/err" &
pid=$!
sleep 0.5
kill -INT $pid
wait $pid
rc=$?
expect_rc 130 "SIGINT"
expect_err_has "interrupted" "SIGINT"
if [ ! -e "$TMP/int.json" ] && ! ls -a "$TMP" | grep -q '^\.int\.json\.'; then ok; else bad "SIGINT left files"; fi


# The analysis: section is checked as strictly as report checks it (same message and key path),
# although simulate does not analyse; a valid one is accepted.
printf 'name: t\nmethods:\n  - name: a\n    calls: 1\n    duration_s: 1\nanalysis:\n  slow_method.mean_sec: 3\n' >"$TMP/an.yaml"
for cmd in simulate report; do
    run "$FPSIM" $cmd -s "$TMP/an.yaml"
    expect_rc 65 "$cmd: misspelled analysis key"
    expect_empty_out "$cmd: misspelled analysis key"
    expect_err_exact "fpsim: $TMP/an.yaml:7:3: error: unknown analysis threshold 'slow_method.mean_sec' (did you mean 'slow_method.mean_s'?) (analysis.slow_method.mean_sec)" "$cmd: misspelled analysis key"
done
sed 's/mean_sec: 3/mean_s: 3/' "$TMP/an.yaml" >"$TMP/an2.yaml"
run "$FPSIM" simulate -s "$TMP/an2.yaml"
expect_rc 0 "simulate: valid analysis key"

finish
