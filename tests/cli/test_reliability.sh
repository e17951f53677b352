#!/usr/bin/env bash
# test_reliability.sh - outputs, signals, same-file outputs and closed streams
# (docs/reliability.md): nothing lost, nothing overwritten, nothing left behind.
. "$(dirname "$0")/lib.sh"
BIG="$DATA/reliability/big.yaml" # one run of 3e6 calls: a couple of seconds

# leftovers DIR DESC: no temp file (.NAME.XXXXXX) is left in DIR
no_leftovers() {
    if ls -A "$1" | grep -q '^\..*\.......$'; then bad "$2: temp file left: $(ls -A "$1")"; else ok; fi
}

# ---- outputs ----
d="$TMP/o"
mkdir -p "$d"
(umask 077 && "$FPSIM" -o "$d/r.txt") && [ "$(stat -c %a "$d/r.txt")" = 600 ] && ok ||
    bad "umask 077: mode $(stat -c %a "$d/r.txt")"
(umask 022 && "$FPSIM" -o "$d/r2.txt") && [ "$(stat -c %a "$d/r2.txt")" = 644 ] && ok ||
    bad "umask 022: mode $(stat -c %a "$d/r2.txt")"

echo old >"$d/target.txt"
ln -s target.txt "$d/link.txt"
run "$FPSIM" -o "$d/link.txt"
expect_rc 0 "symlink to a regular file"
[ -L "$d/link.txt" ] && grep -q "fpsim report" "$d/target.txt" && ok ||
    bad "symlink to a regular file: link replaced or target not written"

ln -s /dev/null "$d/null-link"
run "$FPSIM" -o "$d/null-link"
expect_rc 0 "symlink to /dev/null"
[ -L "$d/null-link" ] && ok || bad "symlink to /dev/null was replaced"

"$FPSIM" -o /dev/stdout >"$d/via-stdout.txt" 2>"$TMP/err"
rc=$?
expect_rc 0 "-o /dev/stdout > file"
grep -q "fpsim report" "$d/via-stdout.txt" && [ -L /dev/stdout -o -c /dev/stdout ] && ok ||
    bad "-o /dev/stdout > file: file empty or /dev/stdout replaced"
"$FPSIM" -o /dev/fd/1 >"$d/via-fd1.txt" 2>"$TMP/err"
rc=$?
expect_rc 0 "-o /dev/fd/1 > file"
grep -q "fpsim report" "$d/via-fd1.txt" && ok || bad "-o /dev/fd/1: not written"

if [ -w /dev/full ]; then
    run "$FPSIM" -o /dev/full
    expect_rc 74 "-o /dev/full"
    run "$FPSIM" compare "$DATA/profile/valid.json" "$DATA/profile/valid.json" --folded-diff /dev/full
    [ "$rc" -eq 74 ] || [ "$rc" -eq 66 ] && ok || bad "--folded-diff /dev/full: exit $rc"
fi

# A file size limit is a write error, not a SIGXFSZ kill; nothing is left.
(ulimit -f 1 && "$FPSIM" -n 50 -f json -o "$d/big.json" 2>"$TMP/err")
rc=$?
expect_rc 74 "ulimit -f 1"
expect_err_has "File too large" "ulimit -f 1"
[ ! -e "$d/big.json" ] && ok || bad "ulimit -f 1: output committed"
no_leftovers "$d" "ulimit -f"

# ---- closed standard streams ----
"$FPSIM" -o "$d/closed-out.txt" >&- 2>"$TMP/err"
rc=$?
expect_rc 0 "stdout closed with -o FILE"
"$FPSIM" --runs 0 -o "$d/closed-err.txt" 2>&-
rc=$?
expect_rc 64 "stderr closed, usage error"
[ ! -e "$d/closed-err.txt" ] && ok || bad "stderr closed: diagnostics landed in the output"
"$FPSIM" -o "$d/closed-err2.txt" 2>&-
grep -q "fpsim:" "$d/closed-err2.txt" && bad "stderr closed: 'fpsim:' in the output" || ok

# ---- signals ----
# sig_at SIG DELAY CMD...: starts CMD, sends SIG after DELAY seconds, waits; sets rc and secs.
sig_at() {
    local sig=$1 delay=$2
    shift 2
    local t0=$(date +%s%N)
    "$@" >"$TMP/out" 2>"$TMP/err" &
    local pid=$!
    sleep "$delay"
    kill -"$sig" "$pid" 2>/dev/null
    wait "$pid"
    rc=$?
    secs=$((($(date +%s%N) - t0) / 1000000000))
}
for sig in INT TERM; do
    want=130
    [ $sig = TERM ] && want=143
    sig_at $sig 0.3 "$FPSIM" -s "$BIG" -o "$d/sig.txt"
    expect_rc $want "SIG$sig inside a one-run report"
    [ ! -e "$d/sig.txt" ] && ok || bad "SIG$sig: output committed"
    no_leftovers "$d" "SIG$sig"
done
for sig in HUP USR1 ALRM; do # (SIGQUIT: ignored in a background job of a script)
    sig_at $sig 0.3 "$FPSIM" -s "$BIG" -o "$d/sig2.txt"
    [ "$rc" -gt 128 ] && ok || bad "SIG$sig: exit $rc"
    [ ! -e "$d/sig2.txt" ] && ok || bad "SIG$sig: output committed"
    no_leftovers "$d" "SIG$sig"
done

# A FIFO scenario whose writer stays open: SIGINT interrupts the blocked read.
mkfifo "$d/fifo.yaml"
sleep 30 >"$d/fifo.yaml" &
writer=$!
sig_at INT 0.5 "$FPSIM" -s "$d/fifo.yaml" -o "$d/fifo-out.txt"
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
expect_rc 130 "SIGINT while reading a FIFO"
[ "$secs" -lt 5 ] && ok || bad "SIGINT on a FIFO read took ${secs}s"
rm -f "$d/fifo.yaml"

finish
