# The contract of `fpsim validate --record` from Python (docs/validation.md "Real processes"):
# plants a 2.5 s slow step in span "slow_step" when FPSIM_PLANT says so, writes its truth.
import json, os, time
plant = os.environ.get("FPSIM_PLANT", "")
injected = []
t0 = time.monotonic()
if plant == "slow_method":                # a slow step of 2.5 s in a span "slow_step"
    time.sleep(2.5)
    t1 = time.monotonic()
    os.write(int(os.environ["FPSIM_TRACE_FD"]), json.dumps({"ph": "X", "name": "slow_step",
        "pid": os.getpid(), "tid": os.getpid(), "ts": t0 * 1e6, "dur": (t1 - t0) * 1e6}).encode() + b"\n")
    injected.append({"kind": "slow_method", "target": "slow_step", "source": 0, "start_s": t0,
        "end_s": t1, "magnitude": 2.5, "affected_calls": 1, "extra_s": t1 - t0, "extra_mb": 0,
        "extra_calls": 0, "extra_io_ops": 0, "extra_io_bytes": 0, "extra_cpu_pct_s": 0})
with open(os.environ["FPSIM_TRUTH"], "w") as f:
    json.dump({"fpsim_manifest": 1, "scenario": os.environ["FPSIM_SCENARIO"],
               "seed": os.environ["FPSIM_SEED"], "run_index": int(os.environ["FPSIM_RUN"]),
               "injected": injected}, f)
