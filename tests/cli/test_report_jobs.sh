#!/usr/bin/env bash
# CLI tests of the default command's --jobs: the report is byte-identical for J = 1, 2 and 3 in
# every format (with --detailed and several scenarios, more runs than one batch of 16 x J), and
# a bad J is a usage error; the progress line on a terminal.
. "$(dirname "$0")/lib.sh"

for f in text json markdown csv; do
    "$FPSIM" -s bottlenecked -s memory-intensive -n 53 -d -f "$f" >"$TMP/one.$f" ||
        bad "report without --jobs ($f)"
    for j in 1 2 3; do
        run "$FPSIM" -s bottlenecked -s memory-intensive -n 53 -d -f "$f" --jobs "$j" -o "$TMP/j$j.$f"
        expect_rc 0 "report --jobs $j ($f)"
        if cmp -s "$TMP/one.$f" "$TMP/j$j.$f"; then ok; else bad "report --jobs $j differs ($f)"; fi
    done
done
run "$FPSIM" -s bottlenecked -j 0
expect_rc 64 "--jobs 0"
expect_err_has "--jobs must be an integer in [1, 256]" "--jobs 0"
# progress on a terminal (script(1) gives one): the final line counts every run, with a rate and
# an ETA; the report itself is unchanged; without a terminal there is no progress line
if command -v script >/dev/null 2>&1; then
    script -qec "'$FPSIM' -s bottlenecked -n 120 -j 2 -o '$TMP/tty.txt'" /dev/null | tr '\r' '\n' >"$TMP/tty.err"
    if grep -Eq '^fpsim: 120/120 runs, [0-9.]+ runs/s, ETA 0 s' "$TMP/tty.err"; then ok; else
        bad "no final progress line on a terminal: $(tail -c 200 "$TMP/tty.err")"
    fi
    "$FPSIM" -s bottlenecked -n 120 >"$TMP/notty.txt" 2>"$TMP/notty.err"
    if cmp -s "$TMP/tty.txt" "$TMP/notty.txt"; then ok; else bad "report differs on a terminal"; fi
    if [ ! -s "$TMP/notty.err" ]; then ok; else bad "progress without a terminal"; fi
    script -qec "'$FPSIM' validate -s bottlenecked -n 40 -o '$TMP/v.txt'" /dev/null | tr '\r' '\n' >"$TMP/vtty.err"
    if grep -Eq '^validate: [0-9]+/[0-9]+ runs, [0-9.]+ runs/s, ETA [0-9]+ s' "$TMP/vtty.err"; then ok; else
        bad "validate progress line: $(tail -c 200 "$TMP/vtty.err")"
    fi
fi
finish
