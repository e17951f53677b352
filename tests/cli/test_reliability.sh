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

# ---- an output that is an input: usage error (64) before anything runs, input untouched ----
s="$TMP/same"
mkdir -p "$s/sub"
cp "$SRC/scenarios/optimal.yaml" "$s/s.yaml"
printf 'slow_method.mean_s: 3\n' >"$s/th.yaml"
"$FPSIM" simulate -s optimal -f json -o "$s/p.json" 2>/dev/null
cp "$s/p.json" "$s/q.json"
ln -s ../s.yaml "$s/sub/link.yaml"
same() { # DESC FILE CMD...: exit 64 and FILE unchanged
    local desc=$1 f=$2
    shift 2
    local before
    before=$(cksum <"$f")
    run "$@"
    expect_rc 64 "$desc"
    [ "$(cksum <"$f")" = "$before" ] && ok || bad "$desc: input overwritten"
}
same "report -o scenario" "$s/s.yaml" "$FPSIM" report -s "$s/s.yaml" -o "$s/./s.yaml"
same "report -o scenario via symlink" "$s/s.yaml" "$FPSIM" report -s "$s/s.yaml" -o "$s/sub/link.yaml"
same "simulate -o scenario" "$s/s.yaml" "$FPSIM" simulate -s "$s/s.yaml" -o "$s/sub/../s.yaml"
same "validate -o scenario" "$s/s.yaml" "$FPSIM" validate -s "$s/s.yaml" -o "$s/s.yaml"
same "report -o thresholds" "$s/th.yaml" "$FPSIM" report --thresholds "$s/th.yaml" -o "$s/sub/../th.yaml"
same "analyze -o input" "$s/p.json" "$FPSIM" analyze "$s/p.json" -o "$s/sub/../p.json"
same "analyze -o thresholds" "$s/th.yaml" "$FPSIM" analyze "$s/p.json" --thresholds "$s/th.yaml" -o "$s/./th.yaml"
same "compare -o base" "$s/p.json" "$FPSIM" compare "$s/p.json" "$s/q.json" -o "$s/./p.json"
same "compare --folded-diff new" "$s/q.json" "$FPSIM" compare "$s/p.json" "$s/q.json" --folded-diff "$s/sub/../q.json"
same "compare -o scenario" "$s/s.yaml" "$FPSIM" compare -s "$s/s.yaml" -s optimal -n 1 -o "$s/sub/link.yaml"
run "$FPSIM" compare "$s/p.json" "$s/q.json" -o "$s/new.txt" --folded-diff "$s/sub/../new.txt"
expect_rc 64 "compare -o and --folded-diff the same new file"
[ ! -e "$s/new.txt" ] && ok || bad "compare same new outputs: file created"

# ---- invalid UTF-8 in a trace's names: every JSON output stays valid (U+FFFD) ----
printf '{"traceEvents":[{"name":"bad\xff\xc3name","ph":"X","ts":0,"dur":1000,"pid":1,"tid":1},{"name":"ok","ph":"X","ts":1000,"dur":500,"pid":1,"tid":1}]}' >"$TMP/u.json"
run "$FPSIM" analyze "$TMP/u.json" -d -f json -o "$TMP/u.out"
expect_rc 0 "analyze a trace with invalid UTF-8 names"
if command -v python3 >/dev/null; then
    python3 -c "import json,sys; json.loads(open(sys.argv[1],'rb').read().decode('utf-8'))" "$TMP/u.out" &&
        ok || bad "invalid UTF-8 name: JSON report not valid UTF-8 JSON"
fi
grep -q 'bad\\ufffd\\ufffdname' "$TMP/u.out" && ok || bad "invalid UTF-8 name: no U+FFFD"

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

# Inside a run and inside a validate batch: out within about a second of the signal (4 s allowed
# for a loaded machine). The analysis polls between its stages, and a sanitizer build runs a stage
# of these 3e6-call runs several times slower, so there the bound is a timing sanity check only.
# report and validate are interrupted while learning their default baseline (--baseline auto).
limit=4
case "${FP_SANITIZE:-OFF}" in OFF | off | "") ;; *) limit=20 ;; esac
for cmd in report "report --baseline none" simulate validate; do
    sig_at INT 0.4 "$FPSIM" $cmd -s "$BIG" -n 2 -o "$d/stage.txt"
    expect_rc 130 "SIGINT inside a $cmd run"
    [ "$secs" -lt "$limit" ] && ok || bad "SIGINT inside a $cmd run: took ${secs}s (limit ${limit}s)"
    [ ! -e "$d/stage.txt" ] && ok || bad "SIGINT inside $cmd: output committed"
    no_leftovers "$d" "SIGINT inside $cmd"
done

# While writing: the report goes to a FIFO nobody drains after its first byte (a stalled
# pipe); SIGINT after that first byte interrupts the blocked write.
mkfifo "$d/stall"
"$FPSIM" simulate -s optimal -n 40 -f json -o "$d/stall" 2>"$TMP/err" &
pid=$!
exec 3<"$d/stall"
head -c 1 <&3 >/dev/null
t0=$(date +%s)
kill -INT $pid
wait $pid
rc=$?
exec 3<&-
expect_rc 130 "SIGINT after the first byte, output stalled"
[ $(($(date +%s) - t0)) -lt 3 ] && ok || bad "SIGINT on a stalled write: not prompt"
rm -f "$d/stall"

# ---- generate: all or nothing ----
g="$TMP/gen"
mkdir -p "$g"
sig_at INT 0.3 "$FPSIM" generate -s optimal -n 3000 --out "$g/new" # (seconds of work: still running at 0.3 s)
expect_rc 130 "SIGINT during generate into a new DIR"
[ -z "$(ls -A "$g")" ] && ok || bad "generate interrupted: left $(ls -A "$g")"
run "$FPSIM" generate -s optimal -n 2 --out "$g/a/b"
expect_rc 0 "generate into a new nested DIR"
[ -f "$g/a/b/index.json" ] && [ "$(ls -A "$g/a")" = b ] && ok || bad "generate new DIR: $(ls -A "$g/a")"
# Two runs into one existing DIR: one of them fails clearly, the DIR holds one run's files.
# (1,500 runs each: a few seconds, so the first still holds the lock when the second starts)
"$FPSIM" generate -s optimal -n 1500 --seed 1 --out "$g/a/b" 2>"$TMP/err1" &
p1=$!
sleep 0.2
"$FPSIM" generate -s optimal -n 1500 --seed 2 --out "$g/a/b" 2>"$TMP/err2"
rc2=$?
wait $p1
rc1=$?
if { [ $rc1 -eq 0 ] && [ $rc2 -eq 73 ]; } || { [ $rc1 -eq 73 ] && [ $rc2 -eq 0 ]; }; then ok; else
    bad "concurrent generate: exits $rc1 and $rc2"; fi
grep -q "another 'fpsim generate' is writing" "$TMP/err1" "$TMP/err2" && ok ||
    bad "concurrent generate: no clear error"
# Two runs creating one new DIR: one wins, the other fails (73) and leaves nothing.
"$FPSIM" generate -s optimal -n 100 --out "$g/c" 2>"$TMP/err1" &
p1=$!
"$FPSIM" generate -s optimal -n 100 --out "$g/c" 2>"$TMP/err2"
rc2=$?
wait $p1
rc1=$?
if [ $((rc1 + rc2)) -eq 73 ] || [ $((rc1 + rc2)) -eq 0 ]; then ok; else bad "concurrent new DIR: $rc1 $rc2"; fi
[ -f "$g/c/index.json" ] && ! ls -A "$g" | grep -q fpsim- && ok || bad "concurrent new DIR: $(ls -A "$g")"

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

# A huge single JSON document: cJSON parses it whole and cannot poll for a signal, so SIGINT during
# the parse ends the process at once (before, it ran to the end of the parse, seconds of CPU for
# these 130 MB, and then failed on the bad "truth" at its end with 65).
python3 -c '
import sys
row = "[0, -1, 0, %d, 0.001, 50, 0, 0, 1, 0]"
w = sys.stdout.write
w("{\"schema_version\": 1, \"meta\": {\"scenario\": \"o\", \"seed\": \"1\", \"run_index\": 0, \"source\": \"simulated\"}, \"methods\": [\"m\"], \"spans\": {\"fields\": [\"method\", \"parent\", \"track\", \"start_s\", \"dur_s\", \"cpu_pct\", \"mem_alloc_mb\", \"mem_retained_mb\", \"io_ops\", \"io_bytes\"], \"rows\": [")
w(", ".join(row % i for i in range(3000000)))
w("]}, \"truth\": 7}\n")
' >"$d/huge.json"
sig_at INT 1 "$FPSIM" analyze "$d/huge.json" -o "$d/huge.txt"
expect_rc 130 "SIGINT while cJSON parses a huge document"
[ "$secs" -lt 3 ] && ok || bad "SIGINT during a huge parse took ${secs}s"
grep -qx "fpsim: interrupted" "$TMP/err" && ok || bad "huge parse interrupted: $(cat "$TMP/err")"
[ ! -e "$d/huge.txt" ] && ok || bad "huge parse interrupted: output committed"
no_leftovers "$d" "SIGINT during a huge parse"
rm -f "$d/huge.json"

# Numbers: a sum that overflows is exit 65 naming the method, never "0 ops"; a scenario number
# beyond the bound is rejected at load with its location.
rows=$(for i in 0 1 2 3 4 5 6 7 8 9; do printf '[0, -1, 0, %d, 1, 50, 0, 0, 1e308, 0]' $i; [ $i -lt 9 ] && printf ', '; done)
printf '{"schema_version": 1, "meta": {"scenario": "o", "seed": "1", "run_index": 0, "rng": "mt19937", "gsl_version": "2.7", "fpsim_version": "0.0.0", "source": "simulated", "simulated": true}, "methods": ["io_heavy"], "spans": {"fields": ["method", "parent", "track", "start_s", "dur_s", "cpu_pct", "mem_alloc_mb", "mem_retained_mb", "io_ops", "io_bytes"], "rows": [%s]}, "series": {"interval_s": 0.5, "mem_mb": [], "cpu_pct": [], "io_ops": [], "io_bytes": []}, "truth": []}\n' "$rows" >"$d/overflow.json"
"$FPSIM" analyze "$d/overflow.json" -o "$d/overflow.txt" 2>"$TMP/err"
rc=$?
expect_rc 65 "analysis sum overflow"
grep -q "I/O operations of method 'io_heavy' overflow" "$TMP/err" && ok ||
    bad "analysis sum overflow: $(cat "$TMP/err")"
[ ! -e "$d/overflow.txt" ] && ok || bad "analysis sum overflow: output committed"
printf 'name: big\nmethods:\n  - name: main\n    calls: 10\n    duration_s: 0.1\n    io: {ops: 1e308}\n' >"$d/big-io.yaml"
"$FPSIM" simulate -s "$d/big-io.yaml" -o "$d/big-io.json" 2>"$TMP/err"
rc=$?
expect_rc 65 "scenario number beyond the bound"
grep -q "big-io.yaml:6:.*exceeds the bound" "$TMP/err" && ok || bad "scenario bound: $(cat "$TMP/err")"

finish
