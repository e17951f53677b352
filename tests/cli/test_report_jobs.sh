#!/usr/bin/env bash
# CLI tests of the default command's --jobs: the report is byte-identical for J = 1, 2 and 3 in
# every format (with --detailed and several scenarios, more runs than one batch of 16 x J), and
# a bad J is a usage error.
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
finish
