#!/usr/bin/env bash
# A validate campaign run as 4 shards through GNU parallel (Debian's `parallel`, installed by
# scripts/bootstrap.sh), merged, compared byte for byte with the one-process run. Skipped
# (exit 77) when GNU parallel is not installed.
. "$(dirname "$0")/lib.sh"
if ! parallel --version 2>/dev/null | grep -q "GNU parallel"; then
    echo "SKIP: GNU parallel is not installed (Debian package 'parallel'; scripts/bootstrap.sh installs it)"
    exit 77
fi
args=(-s all -n 12 --seed 3)
parallel --will-cite -j 2 "$FPSIM" validate "${args[@]}" -q --shard {}/4 -o "$TMP/part.{}" ::: 0 1 2 3 ||
    bad "parallel shards"
for f in text json; do
    "$FPSIM" validate "${args[@]}" -q -f "$f" -o "$TMP/one.$f"
    run "$FPSIM" merge "$TMP"/part.* -f "$f" -o "$TMP/merged.$f"
    expect_rc 0 "merge of the parallel shards ($f)"
    if cmp -s "$TMP/one.$f" "$TMP/merged.$f"; then ok; else bad "parallel merge differs ($f)"; fi
done
finish
