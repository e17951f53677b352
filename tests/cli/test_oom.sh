#!/usr/bin/env bash
# test_oom.sh - out of memory anywhere is exit 70 "out of memory" and leaves no output: a loop
# over N with the test-only FPSIM_TEST_ALLOC_FAIL=N (cli/main.c: fp_alloc_fail_after(N), the
# library's allocation seam, cJSON's allocations included) over every allocation of a small run
# of each command, until the command succeeds.
. "$(dirname "$0")/lib.sh"
TINY="$DATA/reliability/tiny.yaml"
"$FPSIM" simulate -s "$TINY" -f json -o "$TMP/tiny.json" || bad "setup"

# loop DESC OUTPUT CMD...: every N until success exits 70 with "out of memory" and no OUTPUT
loop() {
    local desc=$1 outp=$2
    shift 2
    local n=1 wrong=0
    while [ $n -lt 5000 ]; do
        rm -rf "$outp"
        FPSIM_TEST_ALLOC_FAIL=$n "$@" >/dev/null 2>"$TMP/err"
        rc=$?
        [ $rc -eq 0 ] && break
        if [ $rc -ne 70 ] || ! grep -q "out of memory" "$TMP/err"; then
            [ $wrong -lt 3 ] && bad "$desc: allocation $n: exit $rc: $(head -c 200 "$TMP/err")"
            wrong=$((wrong + 1))
        fi
        if [ -e "$outp" ]; then
            [ $wrong -lt 3 ] && bad "$desc: allocation $n: output left"
            wrong=$((wrong + 1))
        fi
        n=$((n + 1))
    done
    [ $rc -eq 0 ] && [ $n -gt 10 ] && ok || bad "$desc: never succeeded or too few allocations ($n)"
    [ $wrong -eq 0 ] && ok
}
loop "report" "$TMP/o" "$FPSIM" report -s "$TINY" -f json -o "$TMP/o"
loop "simulate" "$TMP/o" "$FPSIM" simulate -s "$TINY" -f json -o "$TMP/o"
loop "analyze" "$TMP/o" "$FPSIM" analyze "$TMP/tiny.json" -f json -o "$TMP/o"
loop "compare" "$TMP/o" "$FPSIM" compare "$TMP/tiny.json" "$TMP/tiny.json" -f json -o "$TMP/o"
loop "validate" "$TMP/o" "$FPSIM" validate -s "$TINY" -n 1 -o "$TMP/o"
loop "generate" "$TMP/g" "$FPSIM" generate -s "$TINY" --out "$TMP/g"

finish
