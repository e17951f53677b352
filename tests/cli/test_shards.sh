#!/usr/bin/env bash
# CLI tests of `fpsim validate --shard K/N` and `fpsim merge`: the merge of N = 1, 2 and 7 shards
# equals the one-process run byte for byte in every format (accuracy study, sweep, power), parts
# given in any order; a missing, duplicated, foreign or truncated part is a one-line error.
. "$(dirname "$0")/lib.sh"

# same_as_one NAME N VALIDATE-ARGS...: shards 0..N-1, merged in reverse order, every format.
same_as_one() {
    local name="$1" n="$2"
    shift 2
    local parts=() k
    for ((k = 0; k < n; k++)); do
        run "$FPSIM" validate "$@" -q --shard "$k/$n" -o "$TMP/$name.$k.part"
        expect_rc 0 "$name: shard $k/$n"
        parts=("$TMP/$name.$k.part" "${parts[@]}")
    done
    for f in text json markdown csv; do
        "$FPSIM" validate "$@" -q -f "$f" >"$TMP/$name.one.$f"
        run "$FPSIM" merge "${parts[@]}" -f "$f" -o "$TMP/$name.merged.$f"
        expect_rc 0 "$name: merge $n parts ($f)"
        if cmp -s "$TMP/$name.one.$f" "$TMP/$name.merged.$f"; then ok; else
            bad "$name: merge of $n shards differs from the one-process run ($f)"
        fi
    done
}

for n in 1 2 7; do
    same_as_one acc$n "$n" -s bottlenecked -s optimal -n 9 --seed 7
    same_as_one sweep$n "$n" -s bottlenecked -n 5 --sweep slow_method --grid 1.5,3
    same_as_one power$n "$n" -s bottlenecked -n 4 --power slow_method --grid 0.5,1
done
# a file scenario (hashed by its bytes) and --inject scenario with --jobs in the shards
same_as_one file3 3 -s "$SRC/scenarios/memory-intensive.yaml" -n 6 --inject scenario --jobs 2

# errors: one line each, exit 65
"$FPSIM" validate -s bottlenecked -n 6 -q --shard 0/3 -o "$TMP/e0" &&
    "$FPSIM" validate -s bottlenecked -n 6 -q --shard 1/3 -o "$TMP/e1" &&
    "$FPSIM" validate -s bottlenecked -n 6 -q --shard 2/3 -o "$TMP/e2" &&
    "$FPSIM" validate -s bottlenecked -n 6 -q --seed 9 --shard 2/3 -o "$TMP/x2" || bad "shards for the error cases"
err_case() {
    local want="$1"
    shift
    run "$FPSIM" merge "$@"
    expect_rc 65 "merge $*"
    expect_empty_out "merge $*"
    expect_err_exact "fpsim: $want" "merge $*"
}
err_case "merge: shard 2/3 is missing" "$TMP/e0" "$TMP/e1"
err_case "merge: shard 1/3 given twice ('$TMP/e1' and '$TMP/e1')" "$TMP/e0" "$TMP/e1" "$TMP/e1" "$TMP/e2"
err_case "merge: '$TMP/x2' is not from the campaign of '$TMP/e0': other options" "$TMP/e0" "$TMP/e1" "$TMP/x2"
head -n 4 "$TMP/e2" >"$TMP/t2"
err_case "error: merge: '$TMP/t2' ends before run 5 (truncated, or another campaign)" "$TMP/e0" "$TMP/e1" "$TMP/t2"
echo '{"header":{"format":"other"},' >"$TMP/junk"
err_case "merge: '$TMP/junk' is not a partial result of 'fpsim validate --shard'" "$TMP/e0" "$TMP/junk"
sed 's/"fpsim_version":"[^"]*"/"fpsim_version":"0.0.0-other"/' "$TMP/e0" >"$TMP/v0"
sed 's/"fpsim_version":"[^"]*"/"fpsim_version":"0.0.0-other"/' "$TMP/e1" >"$TMP/v1"
sed 's/"fpsim_version":"[^"]*"/"fpsim_version":"0.0.0-other"/' "$TMP/e2" >"$TMP/v2"
err_case "merge: '$TMP/v1' is not from the campaign of '$TMP/e0': another fpsim version" "$TMP/e0" "$TMP/v1" "$TMP/e2"
run "$FPSIM" merge "$TMP/v0" "$TMP/v1" "$TMP/v2"
expect_rc 65 "merge of another version's parts"
expect_err_has "merge: the parts were written by fpsim 0.0.0-other" "merge of another version's parts"
# a changed scenario file: same path, other bytes
cp "$SRC/scenarios/optimal.yaml" "$TMP/s.yaml"
"$FPSIM" validate -s "$TMP/s.yaml" -n 2 -q --shard 0/1 -o "$TMP/s0" || bad "shard of a file"
echo "# edited" >>"$TMP/s.yaml"
err_case "merge: the scenario files differ from those the shards ran (content hash)" "$TMP/s0"

# usage
run "$FPSIM" validate --shard 3/3
expect_rc 64 "--shard 3/3"
expect_err_has "--shard must be K/N with 0 <= K < N <= 1000000, got '3/3'" "--shard 3/3"
run "$FPSIM" validate --shard 0/2 -f json
expect_rc 64 "--shard with --format"
expect_err_has "--shard writes a partial result: give --format to 'fpsim merge'" "--shard with --format"
run "$FPSIM" merge
expect_rc 64 "merge without parts"
# the partial file validates against its schema
if python3 -c 'import jsonschema' 2>/dev/null; then
    if python3 - "$SRC/schemas/partial.schema.json" "$TMP/e0" <<'PY'; then ok; else bad "partial file against schemas/partial.schema.json"; fi
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
PY
fi
finish
