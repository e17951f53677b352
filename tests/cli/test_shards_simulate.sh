#!/usr/bin/env bash
# CLI tests of `fpsim simulate --shard K/N` and `fpsim merge`: the merge of N = 1, 2 and 7 shards
# equals the one-process simulate byte for byte in text and JSON (parts in any order, to a file
# with -o); parts of another command or a missing part are one-line errors.
. "$(dirname "$0")/lib.sh"

args=(-s bottlenecked -s optimal -n 9 --seed 3)
for n in 1 2 7; do
    parts=()
    for ((k = 0; k < n; k++)); do
        run "$FPSIM" simulate "${args[@]}" --shard "$k/$n" -o "$TMP/p$n.$k"
        expect_rc 0 "simulate shard $k/$n"
        parts=("$TMP/p$n.$k" "${parts[@]}")
    done
    for f in text json; do
        "$FPSIM" simulate "${args[@]}" -f "$f" >"$TMP/one.$f"
        run "$FPSIM" merge "${parts[@]}" -f "$f" -o "$TMP/m$n.$f"
        expect_rc 0 "merge $n simulate parts ($f)"
        if cmp -s "$TMP/one.$f" "$TMP/m$n.$f"; then ok; else
            bad "merge of $n simulate shards differs from the one-process run ($f)"
        fi
    done
done

# a shard holds only its runs: 9 runs of 2 scenarios over 7 shards, shard 1 has runs 1 and 8
got=$(grep -c '^,\?\[' "$TMP/p7.1")
if [ "$got" = 4 ]; then ok; else bad "shard 1/7 of 2x9 runs holds $got records, expected 4"; fi

run "$FPSIM" simulate "${args[@]}" --shard 0/2 -f json
expect_rc 64 "simulate --shard with --format"

run "$FPSIM" merge "$TMP/p2.0"
expect_rc 65 "merge with a shard missing"
expect_err_has "merge: shard 1/2 is missing" "missing simulate shard"

"$FPSIM" validate -s bottlenecked -n 4 -q --shard 1/2 -o "$TMP/v1" || bad "validate shard"
run "$FPSIM" merge "$TMP/p2.0" "$TMP/v1"
expect_rc 65 "merge of simulate and validate parts"
expect_err_has "another command" "foreign part"

# the simulate part validates against schemas/partial.schema.json (as validate's parts do)
if python3 -c 'import jsonschema' 2>/dev/null; then
    if python3 - "$SRC/schemas/partial.schema.json" "$TMP/p2.1" <<'PY'; then ok; else bad "simulate part against schemas/partial.schema.json"; fi
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
PY
fi
finish
