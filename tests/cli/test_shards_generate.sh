#!/usr/bin/env bash
# CLI tests of `fpsim generate --shard K/N`: each shard writes only its runs k (k mod N = K) and
# the same index.json, so the union of the N shard directories equals the one-process directory
# byte for byte (N = 1, 2, 7, into separate directories and into one shared directory).
. "$(dirname "$0")/lib.sh"

args=(-s bottlenecked -s optimal -n 9 --seed 11)
run "$FPSIM" generate "${args[@]}" --out "$TMP/one"
expect_rc 0 "generate, one process"

for n in 1 2 7; do
    rm -rf "$TMP/union$n" "$TMP/shared$n"
    mkdir -p "$TMP/union$n"
    for ((k = 0; k < n; k++)); do
        run "$FPSIM" generate "${args[@]}" --shard "$k/$n" --out "$TMP/s$n.$k"
        expect_rc 0 "generate shard $k/$n"
        # shard k holds exactly its runs
        want=$(for ((r = k; r < 9; r += n)); do echo "run-$r.profile.json"; done | sort)
        got=$(ls "$TMP/s$n.$k/bottlenecked" | grep 'profile.json$' | sort)
        if [ "$want" = "$got" ]; then ok; else bad "shard $k/$n wrote runs: $got"; fi
        cp -r "$TMP/s$n.$k/." "$TMP/union$n/"
        run "$FPSIM" generate "${args[@]}" --shard "$k/$n" --out "$TMP/shared$n"
        expect_rc 0 "generate shard $k/$n into a shared directory"
    done
    if diff -r "$TMP/one" "$TMP/union$n" >/dev/null; then ok; else
        bad "union of $n generate shards differs from the one-process directory"
    fi
    if diff -r "$TMP/one" "$TMP/shared$n" >/dev/null; then ok; else
        bad "$n generate shards in one directory differ from the one-process directory"
    fi
done

run "$FPSIM" generate "${args[@]}" --shard 3/3 --out "$TMP/bad"
expect_rc 64 "generate --shard 3/3"

finish
