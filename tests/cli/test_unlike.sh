#!/usr/bin/env bash
# CLI gate on the scenarios unlike the built-ins (tests/data/unlike/, README there; issue 9 §5),
# and CLI checks of the validate fixes that use them.
#
# ACCURACY GATE, in two modes. Each scenario runs `fpsim validate --runs 50 --seed 42 --no-ttd`
# (each index with and without the injection; clean scenarios once, clean) twice: with
# `--baseline none` (the absolute rules alone) against its GATE_<name> bounds, and with the default
# `--baseline auto` (a baseline learnt from 30 clean runs on an independent seed stream,
# docs/analysis.md "Baselines") against its GATE_AUTO_<name> bounds. Each variable lists the
# bounds that must hold:
#   clean=X      clean runs with any finding          <= X
#   fa=X         false alarms per clean run           <= X
#   top1=X       top finding = costliest label        >= X (runs with an injection)
#   KIND.p=X     precision of KIND                    >= X
#   KIND.r=X     recall of KIND                       >= X (GATE_: not gated below the MDE)
# The values are TODAY'S measured values (GATE_: commit after f631433; GATE_AUTO_: the merge of
# main into h-baseline; 50 runs, seed 42) loosened by a margin on the side of "must not get
# worse": rates that must stay low +0.10, false alarms per clean run x1.1 + 0.1,
# precision/recall/top-1 -0.05 (capped at 0 and 1; a bound of 0 is not written). So the test
# fails if the detectors regress, and passes while they improve. Many of the GATE_ values are far
# from the issue's targets (clean runs with any finding <= 0.02, precision and recall >= 0.95
# above the MDE, top-1 >= 0.90): they gate the absolute rules, which a baseline does not change.
#
# GATE_AUTO_ is where the targets are met. Where a scenario's clean runs meet the target with
# auto, its clean= bound is the target itself, written for 50 runs as clean=0.04: the largest
# observed share whose 95 % Wilson interval still contains 0.02 (2 of 50 runs: 0.04, interval
# 0.011-0.135; 3 of 50: 0.06, interval 0.021-0.162 excludes 0.02). "Met" means the 200-run
# measurement of docs/validation.md ("with and without a baseline") is consistent with 2 %, its
# Wilson interval reaching 0.02, and the 50 runs here show at most 1 (every such flow). A flow
# that truly alarms in <= 2 % of clean runs shows more than 2 of 50 with probability <= 8 %
# (binomial), but the runs are seeded, so the gate is deterministic: it fails only when a change
# makes the flow inconsistent with the target. Below the MDE the baseline finds call_storm,
# io_heavy, memory_hotspot and memory_leak plants the absolute rules miss, so GATE_AUTO_ gates
# their recall too. Since the baseline learns each method's latency tail (docs/analysis.md
# "Baselines"), bimodal-latency (0 % of 200 clean runs) and heavy-tail-pareto (2.5 %, Wilson
# 1.1-5.7 %, 0 of 50 here) meet the target too: every scenario's clean= bound is the target.
# Override one from the environment to experiment:
#   GATE_AUTO_etl_batch="clean=0.02 fa=0.02" ctest -R cli.test_unlike
. "$(dirname "$0")/lib.sh"

U="$DATA/unlike"

# With --baseline none (the absolute rules alone).
: "${GATE_bimodal_latency:=clean=1.00 fa=2.30}"
# (deep-flow-40 latency_outliers.r: 0.98 -> 0.96 at the merge of normal patterns, an intended
# consequence: the gap test that keeps heavy tails quiet has less power on a log-normal top whose body
# looks skewed by chance (docs/analysis.md, latency_outliers); the bound 0.93 still holds.)
: "${GATE_deep_flow_40:=clean=0.18 fa=0.19 top1=0.95 cpu_saturation.p=0.95 cpu_saturation.r=0.95 latency_outliers.p=0.95 latency_outliers.r=0.93 memory_hotspot.p=0.95 memory_hotspot.r=0.95 slow_method.p=0.81 slow_method.r=0.95}"
: "${GATE_etl_batch:=clean=1.00 fa=7.80}"
: "${GATE_heavy_tail_lognormal:=clean=1.00 fa=1.20}"
# (heavy-tail-pareto fa 1.82 -> 1.25, many-cheap-calls fa 2.30 -> 1.20 and warmup-cache fa 3.40 ->
# 2.39 at the merge of normal patterns and root causes (issue 9, sections 2 and 4): measured 1.04,
# 1.00 and 2.08 false alarms per clean run (were 1.56, 2.00, 3.08 on main): the latency_outliers gap
# test, call_storm.min_share and "a leak continues to the window's end" remove one alarm per run;
# the margin rule above, rounded up.)
: "${GATE_heavy_tail_pareto:=clean=1.00 fa=1.25}"
: "${GATE_many_cheap_calls:=clean=1.00 fa=1.20}"
: "${GATE_mde_call_storm_above:=clean=0.96 fa=1.05 top1=0.95 call_storm.p=0.95 call_storm.r=0.95}"
: "${GATE_mde_call_storm_below:=clean=0.82 fa=0.90}"
: "${GATE_mde_cpu_saturation_above:=clean=0.10 fa=0.10 top1=0.95 cpu_saturation.p=0.95 cpu_saturation.r=0.95}"
: "${GATE_mde_cpu_saturation_below:=clean=0.14 fa=0.15}"
: "${GATE_mde_io_heavy_above:=clean=1.00 fa=1.20 top1=0.85 io_heavy.p=0.95 io_heavy.r=0.95}"
# (top1 0.95 -> 0.85 at the merge of the cost currency: io_heavy's I/O wait is now time, so slow_method
# echoes it on the same method in some runs until root causes (issue 9, section 4) fold the echo.
# Root causes are merged, but their one rule is call_storm -> slow_method by path_share; there is no
# io_heavy -> slow_method rule yet, so top-1 is still 0.90 at 50 runs and the bound stays.)
: "${GATE_mde_io_heavy_below:=clean=1.00 fa=1.20}"
: "${GATE_mde_latency_outliers_above:=clean=0.10 fa=0.10 top1=0.01 latency_outliers.p=0.95 latency_outliers.r=0.95}"
: "${GATE_mde_latency_outliers_below:=clean=0.10 fa=0.10 latency_outliers.p=0.95}"
: "${GATE_mde_memory_hotspot_above:=clean=0.92 fa=1.01 top1=0.95 memory_hotspot.p=0.95 memory_hotspot.r=0.95}"
: "${GATE_mde_memory_hotspot_below:=clean=1.00 fa=1.09}"
: "${GATE_mde_memory_leak_above:=clean=0.88 fa=0.96 top1=0.95 memory_leak.p=0.95 memory_leak.r=0.95}"
: "${GATE_mde_memory_leak_below:=clean=0.88 fa=0.96}"
: "${GATE_mde_slow_method_above:=clean=0.10 fa=0.10 top1=0.95 slow_method.p=0.95 slow_method.r=0.95}"
: "${GATE_mde_slow_method_below:=clean=0.10 fa=0.10 slow_method.p=0.95}"
: "${GATE_ml_training:=clean=1.00 fa=2.30 top1=0.95 memory_leak.p=0.95 memory_leak.r=0.95}"
# (parallel-threads fa 12.09 -> 1.20 at the same merge: the file now declares `cores: 4`, one per
# worker, as its README asked once the format had process.cores; its ~10 cpu_saturation false alarms
# per clean run are gone (measured 1.00 per run, the worker's slow_method path share, was 10.90).)
: "${GATE_parallel_threads:=clean=1.00 fa=1.20}"
# (proc-*: the process-level baseline's flows, issue 9 "Process-level findings against the baseline";
# measured at 50 runs, seed 42, on h-proc, loosened by the margin rule above. Their absolute rules
# false-alarm on every clean run by design: normal saturation, normal growth, a normal huge peak.)
: "${GATE_proc_alloc_peak:=clean=1.00 fa=2.83}"
: "${GATE_proc_alloc_spike:=clean=1.00 fa=2.81 top1=0.95 memory_hotspot.p=0.45 memory_hotspot.r=0.95}"
: "${GATE_proc_cpu_burst:=clean=1.00 fa=2.30 cpu_saturation.p=0.28 cpu_saturation.r=0.95}"
: "${GATE_proc_growing_cache:=clean=1.00 fa=2.30}"
: "${GATE_proc_leak_above_cache:=clean=1.00 fa=2.30 memory_leak.p=0.45 memory_leak.r=0.95}"
: "${GATE_proc_saturated_batch:=clean=1.00 fa=9.89}"
: "${GATE_proc_scale:=clean=1.00 fa=3.40 cpu_saturation.p=0.28 cpu_saturation.r=0.95 memory_leak.p=0.45 memory_leak.r=0.95}"
: "${GATE_proc_slow_leak:=clean=1.00 fa=1.20}"
: "${GATE_proc_scale_10x:=clean=1.00 fa=5.08 cpu_saturation.p=0.28 cpu_saturation.r=0.95 memory_leak.p=0.45 memory_leak.r=0.95}"
: "${GATE_warmup_cache:=clean=1.00 fa=2.39}"
: "${GATE_web_handler:=clean=1.00 fa=5.60}"

# With the default --baseline auto (re-measured on h-issue9 after the latency tail in the
# baseline, the cost-driven score and the io_heavy and latency_outliers root-cause rules; "#
# target": the clean= bound is the issue's 2 % target for 50 runs, see the header).
: "${GATE_AUTO_bimodal_latency:=clean=0.04 fa=0.10}" # target
: "${GATE_AUTO_deep_flow_40:=clean=0.04 fa=0.12 top1=0.95 cpu_saturation.p=0.95 cpu_saturation.r=0.95 latency_outliers.p=0.95 latency_outliers.r=0.93 memory_hotspot.p=0.95 memory_hotspot.r=0.95 slow_method.p=0.91 slow_method.r=0.95}" # target
: "${GATE_AUTO_etl_batch:=clean=0.04 fa=0.10}" # target
: "${GATE_AUTO_heavy_tail_lognormal:=clean=0.04 fa=0.10}" # target
: "${GATE_AUTO_heavy_tail_pareto:=clean=0.04 fa=0.10}" # target
: "${GATE_AUTO_many_cheap_calls:=clean=0.04 fa=0.10}" # target
: "${GATE_AUTO_mde_call_storm_above:=clean=0.04 fa=0.10 top1=0.95 call_storm.p=0.95 call_storm.r=0.95}" # target
: "${GATE_AUTO_mde_call_storm_below:=clean=0.04 fa=0.10 top1=0.95 call_storm.p=0.95 call_storm.r=0.95}" # target
: "${GATE_AUTO_mde_cpu_saturation_above:=clean=0.04 fa=0.10 top1=0.95 cpu_saturation.p=0.95 cpu_saturation.r=0.95}" # target
: "${GATE_AUTO_mde_cpu_saturation_below:=clean=0.04 fa=0.10}" # target
: "${GATE_AUTO_mde_io_heavy_above:=clean=0.04 fa=0.10 top1=0.95 io_heavy.p=0.95 io_heavy.r=0.95}" # target
: "${GATE_AUTO_mde_io_heavy_below:=clean=0.04 fa=0.10 top1=0.95 io_heavy.p=0.95 io_heavy.r=0.95}" # target
: "${GATE_AUTO_mde_latency_outliers_above:=clean=0.04 fa=0.10 top1=0.95 latency_outliers.p=0.95 latency_outliers.r=0.95}" # target
: "${GATE_AUTO_mde_latency_outliers_below:=clean=0.04 fa=0.10 top1=0.09 latency_outliers.p=0.95 latency_outliers.r=0.09}" # target
: "${GATE_AUTO_mde_memory_hotspot_above:=clean=0.04 fa=0.10 top1=0.95 memory_hotspot.p=0.95 memory_hotspot.r=0.95}" # target
: "${GATE_AUTO_mde_memory_hotspot_below:=clean=0.04 fa=0.10 top1=0.95 memory_hotspot.p=0.95 memory_hotspot.r=0.95}" # target
: "${GATE_AUTO_mde_memory_leak_above:=clean=0.04 fa=0.10 top1=0.95 memory_leak.p=0.95 memory_leak.r=0.95}" # target
: "${GATE_AUTO_mde_memory_leak_below:=clean=0.04 fa=0.10 top1=0.95 memory_leak.p=0.95 memory_leak.r=0.95}" # target
: "${GATE_AUTO_mde_slow_method_above:=clean=0.04 fa=0.10 top1=0.95 slow_method.p=0.95 slow_method.r=0.95}" # target
: "${GATE_AUTO_mde_slow_method_below:=clean=0.04 fa=0.10 top1=0.55 slow_method.p=0.95 slow_method.r=0.55}" # target
: "${GATE_AUTO_ml_training:=clean=0.04 fa=0.10 top1=0.95 memory_leak.p=0.95 memory_leak.r=0.95}" # target
: "${GATE_AUTO_parallel_threads:=clean=0.04 fa=0.10}" # target
# (proc-*: the process-level findings tested against the baseline's process metrics.)
: "${GATE_AUTO_proc_alloc_peak:=clean=0.04 fa=0.10}" # target
: "${GATE_AUTO_proc_alloc_spike:=clean=0.04 fa=0.10 top1=0.95 memory_hotspot.p=0.95 memory_hotspot.r=0.95}" # target
: "${GATE_AUTO_proc_cpu_burst:=clean=0.04 fa=0.10 top1=0.95 cpu_saturation.p=0.95 cpu_saturation.r=0.95}" # target
: "${GATE_AUTO_proc_growing_cache:=clean=0.04 fa=0.10}" # target
: "${GATE_AUTO_proc_leak_above_cache:=clean=0.04 fa=0.10 top1=0.95 memory_leak.p=0.95 memory_leak.r=0.95}" # target
: "${GATE_AUTO_proc_saturated_batch:=clean=0.04 fa=0.10}" # target
: "${GATE_AUTO_proc_scale:=clean=0.04 fa=0.10 top1=0.95 cpu_saturation.p=0.95 cpu_saturation.r=0.95 memory_leak.p=0.95 memory_leak.r=0.95}" # target
: "${GATE_AUTO_proc_slow_leak:=clean=0.04 fa=0.10 top1=0.95 memory_leak.p=0.95 memory_leak.r=0.95}" # target
: "${GATE_AUTO_proc_scale_10x:=clean=0.04 fa=0.10 top1=0.95 cpu_saturation.p=0.95 cpu_saturation.r=0.95 memory_leak.p=0.95 memory_leak.r=0.95}" # target
: "${GATE_AUTO_warmup_cache:=clean=0.04 fa=0.10}" # target
: "${GATE_AUTO_web_handler:=clean=0.04 fa=0.10}" # target

# check_gate BOUNDS: the bounds against the validate JSON in $TMP/out; prints the failures.
check_gate() {
    python3 - "$TMP/out" "$1" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["scenarios"][0]
def val(x):
    return None if not x else x.get("value")
fails = []
for item in sys.argv[2].split():
    key, bound = item.split("=")
    bound = float(bound)
    if key == "clean":
        got, ok = val(s["clean_runs_alarmed"]), None
        ok = got is not None and got <= bound
        fails += [] if ok else [f"clean runs with any finding {got} > {bound}"]
    elif key == "fa":
        got = s["clean_false_alarms_per_run"]
        fails += [] if got <= bound else [f"false alarms per clean run {got} > {bound}"]
    elif key == "top1":
        got = val(s["top1"])
        fails += [] if got is not None and got >= bound else [f"top-1 {got} < {bound}"]
    else:
        kind, what = key.rsplit(".", 1)
        m = (s["kinds"] or {}).get(kind)
        got = val(m["precision" if what == "p" else "recall"]) if m else None
        # precision n/a = no finding of the kind at all: a lost detection for .p as well
        fails += [] if got is not None and got >= bound else [f"{kind} {'precision' if what == 'p' else 'recall'} {got} < {bound}"]
print("; ".join(fails))
sys.exit(1 if fails else 0)
PY
}

for f in "$U"/*.yaml; do
    name=$(basename "$f" .yaml)
    case $name in patterns-* | cost-* | baseline-*) continue ;; esac
    for mode in none auto; do
        if [ "$mode" = none ]; then
            var="GATE_${name//-/_}" args=(--baseline none)
        else
            var="GATE_AUTO_${name//-/_}" args=() # the default: --baseline auto
        fi
        gate=${!var:-}
        if [ -z "$gate" ]; then
            bad "$name: no $var bound (every scenario of the set needs one per mode)"
            continue
        fi
        run "$FPSIM" validate --scenario "$f" --runs 50 --seed 42 --no-ttd -q -f json ${args[@]+"${args[@]}"}
        if [ "$rc" -ne 0 ]; then
            bad "$name ($mode): validate exit $rc: $(head -c 300 "$TMP/err")"
            continue
        fi
        if msg=$(check_gate "$gate"); then ok; else bad "$name (--baseline $mode): $msg"; fi
    done
done

# ---- linear scale (proc-scale.yaml and proc-scale-10x.yaml: the same flow and the same draws at 10x
# durations, memory and sampling interval) ----
# With a baseline (its own, learnt at its scale) the findings are the same: validate's counts per
# kind and run, and each seed's report (kind, target and rank of every finding).
for f in proc-scale proc-scale-10x; do
    "$FPSIM" validate --scenario "$U/$f.yaml" --runs 50 --seed 42 --no-ttd -q -f json >"$TMP/$f.json" 2>"$TMP/err" || bad "$f: validate failed: $(head -c 300 "$TMP/err")"
    for seed in 1 2 3 4 5; do
        "$FPSIM" --scenario "$U/$f.yaml" --seed "$seed" -f json >"$TMP/$f-$seed.json" 2>"$TMP/err" || bad "$f --seed $seed: report failed"
    done
done
if python3 - "$TMP" <<'PY'; then ok; else bad "proc-scale x10: the findings differ from x1"; fi
import json, sys
t = sys.argv[1]
def counts(f):
    s = json.load(open(f"{t}/{f}.json"))["scenarios"][0]
    return (s["clean_runs_alarmed"], s["clean_false_alarms_per_run"], s["top1"],
            {k: (m["tp"], m["fp"], m["fn"]) for k, m in (s["kinds"] or {}).items()})
def findings(f, seed):
    s = json.load(open(f"{t}/{f}-{seed}.json"))["scenarios"][0]
    return [(x["kind"], x["target"], x["rank"]) for x in s["findings"]]
a, b = counts("proc-scale"), counts("proc-scale-10x")
assert a == b, (a, b)
assert a[3].get("memory_leak", (0,))[0] > 0 and a[3].get("cpu_saturation", (0,))[0] > 0, a
for seed in range(1, 6):
    x, y = findings("proc-scale", seed), findings("proc-scale-10x", seed)
    assert x == y and x, (seed, x, y)
PY

# ---- the validate fixes, on these scenarios ----

# --inject both on a scenario without bottlenecks: each index once, clean (was twice).
run "$FPSIM" validate -s "$U/heavy-tail-pareto.yaml" -n 20 --no-ttd -f json
if [ "$rc" -eq 0 ] && python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["scenarios"][0]
assert (s["runs"], s["clean_runs"], s["injected_runs"]) == (20, 20, 0), s["runs"]' "$TMP/out"; then ok; else bad "inject both, no bottlenecks: runs not 20 clean: $(head -c 300 "$TMP/out")"; fi

# --power of a kind the scenario does not declare: a usage error, one message.
run "$FPSIM" validate -s "$U/etl-batch.yaml" -n 5 --power slow_method
expect_rc 64 "--power undeclared kind"
expect_empty_out "--power undeclared kind"
expect_err_exact "fpsim: --power: scenario 'etl-batch' declares no bottleneck of kind slow_method
Try 'fpsim --help'." "--power undeclared kind"

# --power cpu_saturation: the magnitude label says what the simulator does.
run "$FPSIM" validate -s "$U/mde-cpu-saturation-above.yaml" -n 5 --power cpu_saturation --grid 0.5,1
expect_rc 0 "--power cpu_saturation"
expect_out_has "magnitude = target CPU % x scale; the CPU rises min(scale, 1) of the way to the target" "--power cpu_saturation label"

# --sweep of a kind with only false alarms: the threshold that removes them, and why. (The 1,500
# cheap calls are a call storm only with call_storm.min_share off: by default they are too small
# a share of the run to alarm at all.)
run "$FPSIM" validate -s "$U/many-cheap-calls.yaml" -n 10 --no-ttd --set call_storm.min_share=0 --sweep call_storm
expect_rc 0 "--sweep only false alarms"
expect_out_has "best: call_storm.calls = 2000, the fewest false alarms (0); no true positive at any threshold" "--sweep only false alarms"
run "$FPSIM" validate -s "$U/many-cheap-calls.yaml" -n 10 --no-ttd --set call_storm.min_share=0 --sweep call_storm -f json
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["best_f1_threshold"] is None and d["fewest_false_alarms_threshold"] == 2000' "$TMP/out"; then ok; else bad "--sweep json best: $(tail -c 200 "$TMP/out")"; fi

finish
