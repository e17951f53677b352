#!/usr/bin/env bash
# CLI tests of `fpsim validate --checkpoint FILE` and `--resume`: a SIGINT or SIGTERM at several
# points (before the first record, early, late, twice in a row, a line cut by a kill) leaves a
# checkpoint that --resume continues to the bytes of the uninterrupted run, for the accuracy
# study and a sweep; a foreign, corrupt or missing checkpoint is a one-line error and is left as
# it was.
. "$(dirname "$0")/lib.sh"

# records FILE: the record lines in checkpoint FILE (0 when it does not exist yet)
records() {
    local n
    n=$(grep -c '^,\?\[' "$1" 2>/dev/null) || true
    echo "${n:-0}"
}

# interrupt_at N SIG CKPT CMD...: runs CMD in the background and sends SIG once checkpoint CKPT
# holds at least N records (N 0: as soon as it exists); sets $rc to CMD's exit status and
# $stopped_at to the records it held when the signal went. CMD runs in slices of about 10 ms
# (SIGCONT ... SIGSTOP) and the checkpoint is read while it is stopped, so it cannot finish
# between the read and the signal (a poll of a running CMD could miss the end of a fast run).
interrupt_at() {
    local want="$1" sig="$2" ck="$3"
    shift 3
    "$@" >"$TMP/out" 2>"$TMP/err" &
    local pid=$! i
    stopped_at=-1
    for ((i = 0; i < 12000; i++)); do
        kill -STOP "$pid" 2>/dev/null || break
        if [ -f "$ck" ] && [ "$(records "$ck")" -ge "$want" ]; then
            stopped_at=$(records "$ck")
            kill -"$sig" "$pid"
            kill -CONT "$pid"
            break
        fi
        kill -CONT "$pid"
        sleep 0.01
    done
    wait "$pid"
    rc=$?
}

# Sizes keep every interruption point well before the end: the checkpoint grows 256 records at a
# time and a slice runs a few dozen, so 2,000 records (-n 1000) leave about 1,000 or more after
# each point, and the sweep's 250 is among 8,000.
v=("$FPSIM" validate -s bottlenecked -n 1000 --seed 4 -q -f json)
"${v[@]}" >"$TMP/one.json" || bad "the uninterrupted run"
ck="$TMP/ck"

# resume_case NAME N...: interrupt at each N in turn (the first run, then each resume), then
# resume to the end and compare the bytes
resume_case() {
    local name="$1" first=1 n
    shift
    rm -f "$ck" "$TMP/res.json"
    for n in "$@"; do
        if [ $first = 1 ]; then
            interrupt_at "$n" INT "$ck" "${v[@]}" --checkpoint "$ck" -o "$TMP/res.json"
        else
            interrupt_at "$n" INT "$ck" "${v[@]}" --checkpoint "$ck" --resume -o "$TMP/res.json"
        fi
        first=0
        expect_rc 130 "$name: interrupted at $n records"
        expect_err_has "records kept in the checkpoint '$ck': continue with --resume" "$name: at $n"
        [ ! -e "$TMP/res.json" ] && ok || bad "$name: an interrupted run wrote its output"
        [ "$(records "$ck")" -ge "$stopped_at" ] && ok ||
            bad "$name: the checkpoint lost records ($(records "$ck") < $stopped_at)"
    done
    run "${v[@]}" --checkpoint "$ck" --resume -o "$TMP/res.json"
    expect_rc 0 "$name: resume to the end"
    if cmp -s "$TMP/one.json" "$TMP/res.json"; then ok; else
        bad "$name: the resumed output differs from the uninterrupted run"
    fi
    [ ! -e "$ck" ] && ok || bad "$name: the checkpoint is left after success"
}

resume_case early 30
resume_case twice 100 1000
resume_case start 0 # before the first record (the baseline is being learnt)

# interrupted as soon as the checkpoint exists (no polling delay), i.e. almost always while the
# four baselines are learnt, before any record: the checkpoint is kept and the message says so,
# as for a study interrupted between runs, and --resume gives the uninterrupted bytes
va=("$FPSIM" validate -s all -n 60 --seed 4 -q -f json)
"${va[@]}" >"$TMP/all.json" || bad "the uninterrupted run of all"
rm -f "$ck" "$TMP/res.json"
"${va[@]}" --checkpoint "$ck" -o "$TMP/res.json" >"$TMP/out" 2>"$TMP/err" &
pid=$!
for ((i = 0; i < 100000; i++)); do [ -e "$ck" ] && break; done
kill -INT "$pid"
wait "$pid"
rc=$?
expect_rc 130 "interrupted at once"
expect_err_has "records kept in the checkpoint '$ck': continue with --resume" "interrupted at once"
[ ! -e "$TMP/res.json" ] && ok || bad "interrupted at once: output written"
run "${va[@]}" --checkpoint "$ck" --resume -o "$TMP/res.json"
expect_rc 0 "interrupted at once: resume to the end"
cmp -s "$TMP/all.json" "$TMP/res.json" && ok || bad "interrupted at once: resumed output differs"

# SIGTERM: 143, resumable as well
rm -f "$ck"
interrupt_at 200 TERM "$ck" "${v[@]}" --checkpoint "$ck" -o "$TMP/res.json"
expect_rc 143 "SIGTERM with a checkpoint"
# a kill in the middle of a line: the cut line is dropped and computed again
cp "$ck" "$TMP/whole"
head -c -25 "$TMP/whole" >"$ck"
run "${v[@]}" --checkpoint "$ck" --resume -o "$TMP/res.json"
expect_rc 0 "resume after a cut line"
cmp -s "$TMP/one.json" "$TMP/res.json" && ok || bad "resume after a cut line differs"

# a sweep resumes too
s=("$FPSIM" validate -s bottlenecked -n 2000 -q --sweep slow_method --grid 1.5,3)
"${s[@]}" >"$TMP/sweep.one" || bad "the uninterrupted sweep"
rm -f "$ck"
interrupt_at 250 INT "$ck" "${s[@]}" --checkpoint "$ck" -o "$TMP/sweep.res"
expect_rc 130 "sweep interrupted"
run "${s[@]}" --checkpoint "$ck" --resume -o "$TMP/sweep.res"
expect_rc 0 "sweep resumed"
cmp -s "$TMP/sweep.one" "$TMP/sweep.res" && ok || bad "the resumed sweep differs"

# errors: the checkpoint is left as it was
err_case() {
    local want="$1" code="$2"
    shift 2
    run "$@"
    expect_rc "$code" "$*"
    expect_err_exact "fpsim: $want" "$*"
}
cp "$TMP/whole" "$ck"
err_case "--resume: '$ck' is the checkpoint of another campaign: other options" 65 \
    "$FPSIM" validate -s bottlenecked -n 400 --seed 5 -q -f json --checkpoint "$ck" --resume
cmp -s "$TMP/whole" "$ck" && ok || bad "a foreign checkpoint was changed"
sed '5s/^,\[0,/,[1,/' "$TMP/whole" >"$ck"
err_case "error: --resume: $ck:5: record of pass 1 unit 2 where pass 0 unit 2 belongs (not a checkpoint of this campaign)" 65 \
    "${v[@]}" --checkpoint "$ck" --resume
sed '5s/^,\[0,2,/,[0,2,x/' "$TMP/whole" >"$ck"
run "${v[@]}" --checkpoint "$ck" --resume
expect_rc 65 "a corrupt record"
expect_err_has "--resume: $ck:5: " "a corrupt record"
echo '{"header":{"format":"fpsim-partial"},' >"$ck"
err_case "--resume: '$ck' is not a checkpoint of fpsim" 65 "${v[@]}" --checkpoint "$ck" --resume
err_case "--resume: cannot open the checkpoint '$TMP/none'" 66 \
    "${v[@]}" --checkpoint "$TMP/none" --resume
run "${v[@]}" --resume
expect_rc 64 "--resume without --checkpoint"
expect_err_has "--resume needs the --checkpoint FILE to continue" "--resume without --checkpoint"
run "$FPSIM" validate -s bottlenecked -n 4 -q --checkpoint "$ck" --shard 0/2
expect_rc 64 "--checkpoint with --shard"
expect_err_has "--checkpoint is not for shards" "--checkpoint with --shard"
# ---- generate ----
gen=("$FPSIM" generate -s optimal -s bottlenecked -n 150 --formats profile,truth,folded)
"${gen[@]}" --out "$TMP/gone" || bad "the uninterrupted generate"
# gen_case NAME DIR N...: interrupts at N noted runs (each resume in turn), resumes, compares
gen_case() {
    local name="$1" dir="$2" first=1 n
    shift 2
    rm -f "$ck"
    for n in "$@"; do
        if [ $first = 1 ]; then
            interrupt_at "$n" INT "$ck" "${gen[@]}" --out "$dir" --checkpoint "$ck"
        else
            interrupt_at "$n" INT "$ck" "${gen[@]}" --out "$dir" --checkpoint "$ck" --resume
        fi
        first=0
        expect_rc 130 "generate $name: interrupted at $n"
        expect_err_has "runs kept (checkpoint '$ck'): continue with --resume" "generate $name: at $n"
        [ ! -e "$dir/index.json" ] && ok || bad "generate $name: an interrupted run wrote the index"
    done
    run "${gen[@]}" --out "$dir" --checkpoint "$ck" --resume
    expect_rc 0 "generate $name: resumed"
    if diff -r "$TMP/gone" "$dir" >/dev/null; then ok; else bad "generate $name: resumed DIR differs"; fi
    [ ! -e "$ck" ] && ok || bad "generate $name: the checkpoint is left after success"
    [ -z "$(ls -A "$TMP" | grep '\.fpsim-')" ] && ok || bad "generate $name: a staging directory is left"
}
gen_case new "$TMP/gnew" 20 120 # a new DIR: its temporary directory is kept, then renamed
mkdir "$TMP/gold"
gen_case existing "$TMP/gold" 40 # an existing DIR: files replaced in place
# errors
rm -f "$ck"
mkdir -p "$TMP/gx"
interrupt_at 30 INT "$ck" "${gen[@]}" --out "$TMP/gx" --checkpoint "$ck"
expect_rc 130 "generate into gx interrupted"
err_case "--resume: the runs the checkpoint notes are in '$TMP/gx', not '$TMP/gy'" 64 \
    "${gen[@]}" --out "$TMP/gy" --checkpoint "$ck" --resume
err_case "--resume: '$ck' is the checkpoint of another campaign: other options" 65 \
    "$FPSIM" generate -s optimal -n 150 --formats profile --out "$TMP/gx" --checkpoint "$ck" --resume
sed -i '5s/^,\[0,1\]/,[0,7]/' "$ck"
err_case "--resume: $ck:5: not run 1 of scenario 0, which comes next (not a checkpoint of this campaign)" 65 \
    "${gen[@]}" --out "$TMP/gx" --checkpoint "$ck" --resume
run "${gen[@]}" --out "$TMP/gx" --resume
expect_rc 64 "generate --resume without --checkpoint"
finish
