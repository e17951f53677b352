#!/usr/bin/env bash
# CLI tests of the script-facing output (issue 11, §2): JSON findings always present, the seed a
# decimal string in every JSON output, one unit name per quantity, and the report, compare and
# validate JSON checked against schemas/ with a real validator (python3-jsonschema).
. "$(dirname "$0")/lib.sh"
PY=${PYTHON:-python3}
J="$TMP/json"
mkdir -p "$J"

# findings are present without --detailed (--detailed adds detail, it never hides findings)
"$FPSIM" --scenario optimal --seed 42 -f json -o "$J/report-plain.json"
"$FPSIM" --scenario all --seed 42 --runs 3 --detailed -f json -o "$J/report-detailed.json"
"$FPSIM" analyze "$DATA"/traces/*.json --detailed -f json -o "$J/report-traces.json" 2>/dev/null
$PY - "$J/report-plain.json" "$J/report-detailed.json" >"$TMP/py" 2>&1 <<'PYEOF' && ok || bad "JSON findings: $(cat "$TMP/py")"
import json, sys
plain = json.load(open(sys.argv[1])); det = json.load(open(sys.argv[2]))
s = plain["scenarios"][0]
assert s["detail"] is None, "detail without --detailed"
assert s["findings"] and s["findings"][0]["kind"] == "slow_method", s["findings"]
assert s["findings"][0]["target"] == "generate_draft"
assert s["findings"][0]["root_cause"]
for sc in det["scenarios"]:
    assert sc["findings"] == sc["detail"]["findings"], "the two lists differ"
assert isinstance(s["seed"], str) and s["seed"] == "42"
PYEOF

# compare (scenarios and files) and validate
"$FPSIM" compare --scenario optimal --scenario bottlenecked --runs 10 --seed 5 -f json -o "$J/compare-sim.json" 2>/dev/null
"$FPSIM" simulate --scenario optimal --runs 3 --seed 18446744073709551615 -f json -o "$TMP/a.json"
"$FPSIM" simulate --scenario bottlenecked --runs 3 -f json -o "$TMP/b.json"
"$FPSIM" compare "$TMP/a.json" "$TMP/b.json" -f json -o "$J/compare-files.json" 2>/dev/null
"$FPSIM" validate --scenario optimal --scenario bottlenecked --runs 4 --seed 18446744073709551615 -f json -o "$J/validate.json"
$PY - "$J/validate.json" >"$TMP/py" 2>&1 <<'PYEOF' && ok || bad "validate JSON seed: $(cat "$TMP/py")"
import json, sys
v = json.load(open(sys.argv[1]))
assert v["fpsim_validate"] == 2
assert v["scenarios"][0]["seed"] == "18446744073709551615", v["scenarios"][0]["seed"]
PYEOF

# a recorded profile's run events (guard breaches, sampling gaps): in the profile and the report
cp "$DATA/profile/good/recorded.json" "$J/profile-recorded.json"
"$FPSIM" analyze "$DATA/profile/good/recorded.json" -f json -o "$J/report-recorded.json"
$PY - "$J/report-recorded.json" >"$TMP/py" 2>&1 <<'PYEOF' && ok || bad "JSON run events: $(cat "$TMP/py")"
import json, sys
ev = json.load(open(sys.argv[1]))["scenarios"][0]["run_events"]
assert ev["run_index"] == 0 and ev["events_total"] == 3, ev
assert ev["guard_breaches"] == [
    {"t_s": 2.5, "guard": "max-rss", "value": 15.5, "limit": 15, "unit": "MB", "action": "warn"},
    {"t_s": 3.7, "guard": "max-time", "value": 3.7, "limit": 3.5, "unit": "s", "action": "term"}], ev
assert ev["sampling_gaps"] == [{"start_s": 1.2, "end_s": 1.6, "missed": 3}], ev
PYEOF
if grep -q '"run_events"' "$J/report-plain.json" "$J/report-detailed.json"; then bad "run_events without events"; else ok; fi

# one unit name per quantity: megabytes are MB (2^20 bytes) everywhere, never MiB
run "$FPSIM" simulate --scenario optimal --seed 42
expect_out_has " io_mb " "simulate text header names I/O volume io_mb"
if grep -qi "mib" "$TMP/out"; then bad "simulate text still says MiB"; else ok; fi

# one name per quantity across the JSON outputs (report schema 3, compare 2): peak memory is
# peak_memory_mb in the report's summary and run, a finding's evidence and compare's run metrics;
# a method's time on the critical path is path_s in critical_path and in the evidence; an
# instant's time is t_s in markers as in run_events. The old names are nowhere.
$PY - "$J" >"$TMP/py" 2>&1 <<'PYEOF' && ok || bad "one name per quantity: $(cat "$TMP/py")"
import json, pathlib, sys
root = pathlib.Path(sys.argv[1])
docs = {f.name: json.loads(f.read_text()) for f in root.glob("*.json")}
def keys(x):
    if isinstance(x, dict):
        for k, v in x.items():
            yield k
            yield from keys(v)
    elif isinstance(x, list):
        for v in x:
            yield from keys(v)
for name, d in docs.items():
    old = {"peak_mem_mb", "seconds", "ts_s"} & set(keys(d))
    assert not old, f"{name}: old key(s) {sorted(old)}"
rep = docs["report-detailed.json"]
assert rep["schema_version"] == 3
cmp = docs["compare-sim.json"]
for r in cmp["run_level"]:
    assert r["metric"] in rep["scenarios"][0]["summary"], r["metric"]
seen = set()
for sc in rep["scenarios"] + docs["report-traces.json"]["scenarios"]:
    det = sc["detail"]
    path = {p["method"]: p["path_s"] for p in det["critical_path"]}
    for f in det["findings"]:
        ev = f["evidence"]
        if "peak_memory_mb" in ev:
            assert ev["peak_memory_mb"] == det["run"]["peak_memory_mb"], (sc["name"], f)
            seen.add("peak_memory_mb")
        if "path_s" in ev:
            assert ev["path_s"] == path[f["target"]], (sc["name"], f)
            seen.add("path_s")
    for m in det.get("markers", []):
        assert set(m) == {"name", "t_s", "track"}, m
        seen.add("t_s")
assert seen == {"peak_memory_mb", "path_s", "t_s"}, seen
PYEOF

# every JSON output against its schema; the validator must reject what the schemas forbid
if $PY -c 'import jsonschema' 2>/dev/null; then
    $PY - "$SRC/schemas" "$J" >"$TMP/val" 2>&1 <<'PYEOF' && ok || bad "schema validation: $(head -c 2000 "$TMP/val")"
import json, pathlib, sys, copy
from jsonschema import Draft202012Validator
schemas = pathlib.Path(sys.argv[1]); root = pathlib.Path(sys.argv[2])
def validator(name):
    s = json.loads((schemas / name).read_text())
    Draft202012Validator.check_schema(s)
    return Draft202012Validator(s)
n = 0
for f in sorted(root.glob("*.json")):
    name = f.name.split("-")[0].split(".")[0] + ".schema.json"
    doc = json.loads(f.read_text())
    errs = list(validator(name).iter_errors(doc))
    assert not errs, f"{f.name}: {errs[0].message} at {list(errs[0].path)}"
    n += 1
assert n == 8, n
prof = json.loads((root / "profile-recorded.json").read_text())
bad = copy.deepcopy(prof); del bad["events"][0]["guard"]
assert not validator("profile.schema.json").is_valid(bad), "breach without a guard accepted"
bad = copy.deepcopy(prof); bad["events"][2]["kind"] = "gap"
assert not validator("profile.schema.json").is_valid(bad), "unknown event kind accepted"
rec = json.loads((root / "report-recorded.json").read_text())
bad = copy.deepcopy(rec); bad["scenarios"][0]["run_events"]["sampling_gaps"][0]["missed"] = -1
assert not validator("report.schema.json").is_valid(bad), "negative missed accepted"
rep = json.loads((root / "report-plain.json").read_text())
bad = copy.deepcopy(rep); bad["scenarios"][0]["seed"] = 42
assert not validator("report.schema.json").is_valid(bad), "numeric seed accepted"
bad = copy.deepcopy(rep); del bad["scenarios"][0]["findings"]
assert not validator("report.schema.json").is_valid(bad), "missing findings accepted"
val = json.loads((root / "validate.json").read_text())
bad = copy.deepcopy(val); bad["scenarios"][0]["seed"] = 1
assert not validator("validate.schema.json").is_valid(bad), "numeric validate seed accepted"
cmp = json.loads((root / "compare-sim.json").read_text())
bad = copy.deepcopy(cmp); bad["methods"][0]["change"] = "worse"
assert not validator("compare.schema.json").is_valid(bad), "unknown verdict accepted"
bad = copy.deepcopy(cmp); bad["run_level"][1]["metric"] = "peak_mem_mb"
assert not validator("compare.schema.json").is_valid(bad), "compare version 1 metric name accepted"
bad = copy.deepcopy(cmp); bad["fpsim_compare"] = 1
assert not validator("compare.schema.json").is_valid(bad), "compare version 1 accepted"
det = json.loads((root / "report-detailed.json").read_text())
bad = copy.deepcopy(det); p = bad["scenarios"][0]["detail"]["critical_path"][0]; p["seconds"] = p.pop("path_s")
assert not validator("report.schema.json").is_valid(bad), "critical_path seconds (version 2) accepted"
bad = copy.deepcopy(det); bad["schema_version"] = 2
assert not validator("report.schema.json").is_valid(bad), "report schema version 2 accepted"
print("ok", n)
PYEOF
else
    bad "python3-jsonschema is not installed (scripts/bootstrap.sh installs it)"
fi

finish
