#!/usr/bin/env bash
# docs/validate.sbatch on a private one-node SLURM: a validate campaign as a 4-task job array, the
# merge as a job that depends on it (the commands of docs/validation.md), compared byte for byte
# with the one-process run. The test writes its own slurm.conf (this host as the one node with the
# CPUs and memory `slurmd -C` reports; state, spool and logs in its temp dir; two free ports
# picked at random; no cgroups), starts its own munged (a fresh key, its own socket), slurmctld and
# slurmd, and stops them and removes its temp dir however it ends; each daemon also runs under
# `timeout`, so none outlives the test by more than a few minutes even if the test is killed.
# Skipped (exit 77, the reason in one line) when slurm-wlm or munge is not installed (Debian
# packages; scripts/bootstrap.sh installs them for the tests, FP_TEST_DEPS=0 does not), when not
# run as root (slurmd starts jobs as their user), or when a daemon cannot start.
. "$(dirname "$0")/lib.sh"

runs=400 seed=5 tasks=4
sbatch_file="$SRC/docs/validate.sbatch"
merge_cmd='fpsim merge parts/part.* -f json -o validate.json'
life=480 # seconds each daemon may live at most

# skip REASON: exit 77 with the reason, unless a check before it failed.
skip() {
    if [ "$fail" -gt 0 ]; then
        echo "(the SLURM run is skipped: $*)"
        finish
        exit
    fi
    echo "SKIP: $*"
    exit 77
}

# The docs show exactly the job script and the commands this test runs.
doc=$(<"$SRC/docs/validation.md")
script=$(<"$sbatch_file")
fence='```'
if [[ "$doc" == *"$fence"$'\n'"$script"$'\n'"$fence"* ]]; then ok; else
    bad "docs/validation.md does not show docs/validate.sbatch verbatim in a code block"
fi
for line in 'jid=$(sbatch --parsable validate.sbatch -s all -n 1000000)' \
    "sbatch --dependency=afterok:\$jid --wrap '$merge_cmd'"; do
    if grep -qxF -- "$line" "$SRC/docs/validation.md"; then ok; else bad "docs/validation.md lacks the line: $line"; fi
done

for c in munged munge slurmctld slurmd sbatch squeue sinfo scontrol scancel; do
    command -v "$c" >/dev/null ||
        skip "$c is not installed (Debian packages slurm-wlm and munge; scripts/bootstrap.sh installs them)"
done
[ "$(id -u)" -eq 0 ] || skip "not root: slurmd can start jobs only as root"

# Leave any SLURM the test itself runs inside alone.
while read -r v; do unset "$v"; done < <(compgen -e | grep -E '^(SLURM|SBATCH|SALLOC|SRUN)_')

S="$TMP/slurm"
mkdir -p "$S/etc" "$S/state" "$S/spool" "$S/log" "$S/munge-run" "$S/munge-key" "$TMP/work" "$TMP/bin"
# munged wants its socket's directories searchable by everyone, its key private.
chmod 711 "$TMP" "$S"
chmod 755 "$S/munge-run"
chmod 700 "$S/munge-key"
head -c 1024 /dev/urandom >"$S/munge-key/key"
chmod 600 "$S/munge-key/key"
sock="$S/munge-run/socket"
ln -s "$FPSIM" "$TMP/bin/fpsim"
export PATH="$TMP/bin:$PATH"

# until SECS PID CMD...: runs CMD every half second until it succeeds (0), or the daemon under the
# wrapper PID has ended or SECS seconds have passed (1); bounded in wall time whatever CMD does.
until_ok() {
    local end=$((SECONDS + $1)) pid=$2
    shift 2
    while [ "$SECONDS" -lt "$end" ]; do
        "$@" && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.5
    done
    return 1
}
ctld_answers() { timeout 5 scontrol ping 2>/dev/null | grep -q 'is UP'; }
node_idle() {
    state=$(timeout 5 sinfo -h -n fpsimnode -o %T 2>/dev/null)
    [ "$state" = idle ]
}

pids=() # the daemons' `timeout` wrappers, in start order
ctld_up=0

# stop PID: the daemon under the `timeout` wrapper PID ends (TERM, which timeout passes on; KILL
# for both after 10 s).
stop() {
    local i
    kill -TERM "$1" 2>/dev/null
    for i in $(seq 100); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$1" 2>/dev/null; then
        pkill -KILL -P "$1" 2>/dev/null
        kill -KILL "$1" 2>/dev/null
    fi
    wait "$1" 2>/dev/null
}

no_jobs() { [ -z "$(timeout 5 squeue -h 2>/dev/null)" ]; }
cleanup() {
    local i
    if [ "$ctld_up" = 1 ]; then
        timeout 10 scancel --partition=fpsim >/dev/null 2>&1
        until_ok 15 "${pids[1]}" no_jobs
    fi
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop "${pids[i]}"; done
    if [ "$fail" -gt 0 ] && [ -d "$S/log" ]; then
        for i in "$S"/log/*.out; do
            echo "--- the end of $(basename "$i"):" >&2
            tail -n 8 "$i" >&2
        done
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# why LOG...: the daemon's own word on why it stopped, in one line: its fatal line, else its first
# and last error lines (without the noise of a normal start: PMIx, missing state files).
why() {
    local e
    e=$(grep -h -i -e fatal -e error "$@" 2>/dev/null |
        grep -v -i -e pmix -e 'MPI' -e 'state file' -e 'NOTE: Trying backup' | sed 's/^[a-z]*: //')
    if grep -q -i fatal <<<"$e"; then
        grep -i fatal <<<"$e" | tail -n 1
    elif [ "$(grep -c . <<<"$e")" -gt 1 ]; then
        echo "$(head -n 1 <<<"$e"); $(tail -n 1 <<<"$e")"
    else
        echo "${e:-no error in its log}"
    fi | cut -c 1-300
}

# A free TCP port pair (nothing answers on 127.0.0.1) for slurmctld and slurmd, below Linux's
# ephemeral ports (32768-60999), so no outgoing connection takes it before the daemons bind it.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=
for i in $(seq 50); do
    p=$((20000 + RANDOM % 12000))
    if port_free "$p" && port_free $((p + 1)); then
        port=$p
        break
    fi
done
[ -n "$port" ] || skip "no free TCP port pair found for slurmctld and slurmd"

timeout "$life" munged -F --socket="$sock" --key-file="$S/munge-key/key" --pid-file="$S/munge-run/pid" \
    --log-file="$S/log/munged.log" --seed-file="$S/munge-key/seed" >"$S/log/munged.out" 2>&1 &
pids+=($!)
until_ok 10 "${pids[0]}" test -S "$sock" ||
    skip "munged did not start: $(why "$S/log/munged.out" "$S/log/munged.log")"

node=$(slurmd -C 2>/dev/null | sed -n '1s/^NodeName=[^ ]* //p')
[ -n "$node" ] || skip "slurmd -C does not describe this host"
host=$(hostname -s)
cat >"$S/etc/slurm.conf" <<EOF
ClusterName=fpsimtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=$(id -un)
SlurmdUser=$(id -un)
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/state/slurmctld.pid
SlurmdPidFile=$S/spool/slurmd.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.log
PlugStackConfig=$S/etc/plugstack.conf
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SchedulerParameters=kill_invalid_depend
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
NodeName=fpsimnode NodeHostname=$host NodeAddr=127.0.0.1 ${node%% UpTime=*} State=UNKNOWN
PartitionName=fpsim Nodes=fpsimnode Default=YES MaxTime=INFINITE State=UP
EOF
: >"$S/etc/plugstack.conf"
export SLURM_CONF="$S/etc/slurm.conf"

timeout "$life" slurmctld -D >"$S/log/slurmctld.out" 2>&1 &
pids+=($!)
until_ok 30 "${pids[1]}" ctld_answers && ctld_up=1
[ "$ctld_up" = 1 ] || skip "slurmctld did not start: $(why "$S/log/slurmctld.out")"

timeout "$life" slurmd -D -N fpsimnode >"$S/log/slurmd.out" 2>&1 &
pids+=($!)
state=
until_ok 30 "${pids[2]}" node_idle ||
    skip "slurmd did not start (node state '$state', reason '$(timeout 5 sinfo -h -n fpsimnode -o %E 2>/dev/null)'):" \
        "$(why "$S/log/slurmd.out")"

# The campaign as the docs submit it, with 4 one-CPU tasks instead of 8 two-CPU ones and fewer runs.
cd "$TMP/work" || exit 1
jid=$(timeout 30 sbatch --parsable --array=0-$((tasks - 1)) --cpus-per-task=1 "$sbatch_file" \
    -s all -n "$runs" --seed "$seed" 2>"$TMP/err")
jid=${jid%%;*}
if [ -n "$jid" ]; then ok; else bad "sbatch of the job array: $(head -c 300 "$TMP/err")"; fi
run timeout 240 sbatch --wait --dependency=afterok:"$jid" --wrap "$merge_cmd"
expect_rc 0 "the merge job after the array"
shopt -s nullglob
parts=(parts/part.*)
if [ "${#parts[@]}" -eq "$tasks" ]; then ok; else bad "${#parts[@]} parts, expected $tasks: ${parts[*]}"; fi
outs=(slurm-*.out) # the jobs' standard output and error: one per array task, one of the merge
if [ "${#outs[@]}" -eq $((tasks + 1)) ]; then ok; else bad "${#outs[@]} job outputs, expected $((tasks + 1))"; fi
for f in "${outs[@]}"; do
    if [ ! -s "$f" ]; then ok; else bad "job output $f not empty: $(head -c 300 "$f")"; fi
done

"$FPSIM" validate -s all -n "$runs" --seed "$seed" -q -f json -o one.json
if cmp -s one.json validate.json; then ok; else bad "the SLURM merge differs from the one-process run (json)"; fi
"$FPSIM" validate -s all -n "$runs" --seed "$seed" -q -f text -o one.txt
run "$FPSIM" merge parts/part.* -f text -o merged.txt
expect_rc 0 "merge of the SLURM parts (text)"
if cmp -s one.txt merged.txt; then ok; else bad "the SLURM parts' merge differs from the one-process run (text)"; fi
cd / || exit 1
finish
