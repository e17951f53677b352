#!/usr/bin/env bash
# CLI tests of the default command's `--runs R --shard K/N` and `fpsim merge`: the merge of N = 1,
# 2 and 7 shards equals the one-process report byte for byte in every format (text, JSON,
# Markdown, CSV, HTML, OpenMetrics), with --detailed, --fail-on (its exit status and stderr line), a scenario
# file and more runs than the report keeps exactly (FP_REPORT_EXACT_RUNS); a missing, duplicated,
# foreign, truncated or tampered part is a one-line error, exit 65.
. "$(dirname "$0")/lib.sh"

# same_as_one NAME N REPORT-ARGS...: shards 0..N-1 (shard K with --jobs 2 when K is odd), merged
# in reverse order; every format, stdout, stderr and exit status compared.
same_as_one() {
    local name="$1" n="$2"
    shift 2
    local parts=() k
    for ((k = 0; k < n; k++)); do
        run "$FPSIM" "$@" --shard "$k/$n" --jobs $((1 + k % 2)) -o "$TMP/$name.$k.part"
        expect_rc 0 "$name: shard $k/$n"
        parts=("$TMP/$name.$k.part" "${parts[@]}")
    done
    for f in text json markdown csv html openmetrics; do
        "$FPSIM" "$@" -f "$f" >"$TMP/$name.one.$f" 2>"$TMP/$name.one.err"
        local want_rc=$?
        run "$FPSIM" merge "${parts[@]}" -f "$f"
        expect_rc "$want_rc" "$name: merge of $n parts ($f)"
        if cmp -s "$TMP/$name.one.$f" "$TMP/out"; then ok; else
            bad "$name: merge of $n shards differs from the one-process report ($f)"
        fi
        if cmp -s "$TMP/$name.one.err" "$TMP/err"; then ok; else
            bad "$name: merge's stderr differs ($f): $(head -c 300 "$TMP/err")"
        fi
    done
}

for n in 1 2 7; do
    same_as_one all$n "$n" -n 9 --seed 7
    same_as_one gate$n "$n" -s bottlenecked -s optimal -n 9 -d --fail-on high --seed 5
done
# a gate whose first finding is not in run 0 (the merge's lines fire it), a scenario file
same_as_one crit2 2 -s bottlenecked -n 12 --fail-on critical --seed 11
same_as_one file3 3 -s "$SRC/scenarios/memory-intensive.yaml" -n 5 -d
# beyond the exact quantiles: the P-square estimates see the same values in the same order
same_as_one many2 2 -s bottlenecked -n 700 --seed 2

# a shard holds only its runs: 9 runs of 4 scenarios over 7 shards, shard 1 has runs 1 and 8
got=$(grep -c '^,\?\[' "$TMP/all7.1.part")
if [ "$got" = 8 ]; then ok; else bad "shard 1/7 of 4x9 runs holds $got records, expected 8"; fi

# errors: one line each, exit 65, nothing on stdout
err_case() {
    local want="$1"
    shift
    run "$FPSIM" merge "$@"
    expect_rc 65 "merge $*"
    expect_empty_out "merge $*"
    expect_err_exact "fpsim: $want" "merge $*"
}
p="$TMP/all2"
err_case "merge: shard 1/2 is missing" "$p.0.part"
err_case "merge: shard 0/2 given twice ('$p.0.part' and '$p.0.part')" "$p.0.part" "$p.0.part" "$p.1.part"
"$FPSIM" -n 9 --seed 8 --shard 1/2 -o "$TMP/x1" || bad "shard with another seed"
err_case "merge: '$TMP/x1' is not from the campaign of '$p.0.part': other options" "$p.0.part" "$TMP/x1"
"$FPSIM" simulate -s all -n 9 --seed 7 --shard 1/2 -o "$TMP/s1" || bad "simulate shard"
err_case "merge: '$TMP/s1' is not from the campaign of '$p.0.part': another command" "$p.0.part" "$TMP/s1"
# truncated: shard 1 ends after its first record
head -n 3 "$p.1.part" >"$TMP/t1"
err_case "error: merge: '$TMP/t1' ends before run 3 (truncated, or another campaign)" "$p.0.part" "$TMP/t1"
# a record of another run where run 3 belongs
sed '4s/^,\[0,3,/,[0,5,/' "$p.1.part" >"$TMP/r1"
err_case "merge: run 3 of 'optimal': record of scenario 0 run 5 where scenario 0 run 3 belongs" "$p.0.part" "$TMP/r1"
# a malformed record
sed '4s/^,\[0,3,\[/,[0,3,["x",/' "$p.1.part" >"$TMP/m1"
err_case "merge: run 3 of 'optimal': malformed run record (summary values)" "$p.0.part" "$TMP/m1"
# run 0, which the merge computes itself, differs from the shard's
sed '3s/^\[0,0,\[[0-9.e+-]*,/[0,0,[1,/' "$p.0.part" >"$TMP/z0"
err_case "merge: run 0 of 'optimal' computed here differs from the shard's (another build, or another campaign)" "$TMP/z0" "$p.1.part"

# usage
run "$FPSIM" -n 4 --shard 0/2 -f json
expect_rc 64 "--shard with --format"
expect_err_has "--shard writes a partial result: give --format to 'fpsim merge'" "--shard with --format"

# the report part validates against schemas/partial.schema.json
if python3 -c 'import jsonschema' 2>/dev/null; then
    if python3 - "$SRC/schemas/partial.schema.json" "$p.1.part" <<'PY'; then ok; else bad "report part against schemas/partial.schema.json"; fi
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
PY
fi
finish
