#!/usr/bin/env bash
# CLI tests of `fpsim generate` and `fpsim analyze`: layout and determinism of the generated
# files, validation of every JSON file against schemas/ with a real validator (python3-jsonschema),
# structural checks of the viewer formats, the generate -> analyze round trip against the
# in-process analysis, real traces, and one case per class of bad input (exit 65, one line naming
# the file and the JSON path or event index, nothing written).
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
TRACES="$DATA/traces"

# ---- usage ----
run "$FPSIM" generate --help
expect_rc 0 "generate --help"
expect_out_has "Usage: fpsim generate" "generate --help"
run "$FPSIM" analyze --help
expect_rc 0 "analyze --help"
expect_out_has "Usage: fpsim analyze" "analyze --help"
usage_case() {
    local want="$1"
    shift
    run "$FPSIM" "$@"
    expect_rc 64 "$*"
    expect_empty_out "$*"
    expect_err_exact "fpsim: $want
Try 'fpsim --help'." "$*"
}
usage_case "generate needs --out DIR" generate --scenario optimal
usage_case "generate needs --scenario NAME|FILE|all" generate --out "$TMP/x"
usage_case "--formats: unknown format 'pdf' (profile, truth, csv, folded, chrome, speedscope)" generate --scenario optimal --out "$TMP/x" --formats csv,pdf
usage_case "--formats: 'csv' given twice" generate --scenario optimal --out "$TMP/x" --formats csv,csv
usage_case "--scenario: 'optimal' given twice (both would write DIR/optimal/)" generate -s optimal -s optimal --out "$TMP/x"
usage_case "--formats: expected a comma-separated list of profile, truth, csv, folded, chrome, speedscope, got 'csv,'" generate --scenario optimal --out "$TMP/x" --formats csv,
usage_case "analyze needs at least one FILE" analyze
usage_case "--format must be text, json, markdown, csv, html or openmetrics, got 'xml'" analyze -f xml x.json
usage_case "--fail-on must be low, medium, high or critical, got 'bad'" analyze --fail-on bad x.json
usage_case "--output 'a.json' is also an input" analyze a.json -o a.json
[ ! -e "$TMP/x" ] && ok || bad "usage errors created the output directory"

# ---- generate: layout, index, determinism ----
G="$TMP/gen/a/b"
run "$FPSIM" generate --scenario all --runs 2 --seed 7 --out "$G"
expect_rc 0 "generate all"
expect_empty_out "generate all"
expect_empty_err "generate all"
n=$(find "$G" -type f | wc -l)
[ "$n" -eq 49 ] && ok || bad "generate all: $n files, expected 4 scenarios x 2 runs x 6 + index = 49"
for s in optimal bottlenecked memory-intensive cpu-intensive; do
    for k in 0 1; do
        for e in profile.json truth.json series.csv folded trace.json speedscope.json; do
            [ -s "$G/$s/run-$k.$e" ] && ok || bad "missing $s/run-$k.$e"
        done
    done
done
if find "$G" -name '.*' | grep -q .; then bad "temp files left: $(find "$G" -name '.*')"; else ok; fi
run "$FPSIM" generate --scenario all --runs 2 --seed 7 --out "$TMP/gen2"
expect_rc 0 "generate again"
if diff -r "$G" "$TMP/gen2" >/dev/null; then ok; else bad "generate is not byte-identical across invocations"; fi

run "$FPSIM" generate --scenario optimal --out "$TMP/sub" --formats folded,chrome --seed 3
expect_rc 0 "generate --formats"
got=$(cd "$TMP/sub" && find . -type f | sort | tr '\n' ' ')
[ "$got" = "./index.json ./optimal/run-0.folded ./optimal/run-0.trace.json " ] && ok || bad "--formats subset wrote: $got"
grep -q '"formats": \["folded", "chrome"\]' "$TMP/sub/index.json" && ok || bad "index formats: $(cat "$TMP/sub/index.json")"

# A scenario file: its path is recorded, its name becomes the directory.
cat >"$TMP/tiny.yaml" <<'EOF'
name: tiny-flow
seed: 5
methods:
  - name: step
    calls: 3
    duration_s: 0.5
EOF
run "$FPSIM" generate --scenario "$TMP/tiny.yaml" --out "$TMP/tiny"
if [ "$rc" -eq 0 ]; then
    ok
    [ -s "$TMP/tiny/tiny-flow/run-0.profile.json" ] && ok || bad "scenario file: no tiny-flow/run-0.profile.json"
    grep -qF "\"file\": \"$TMP/tiny.yaml\"" "$TMP/tiny/index.json" && ok || bad "index lacks the scenario file"
    grep -qF '"seed": "5"' "$TMP/tiny/index.json" && ok || bad "index lacks the scenario seed"
else
    # The scenario format belongs to sim/; report rather than guess if it changed.
    bad "generate with a scenario file failed: $(cat "$TMP/err")"
fi

# ---- every JSON file against the schemas (a real validator) ----
if $PY -c 'import jsonschema' 2>/dev/null; then
    ok
    if $PY - "$SRC/schemas" "$G" >"$TMP/val" 2>&1 <<'EOF'; then ok; else bad "schema validation: $(head -c 2000 "$TMP/val")"; fi
import json, sys, pathlib
import jsonschema
from jsonschema import Draft202012Validator, RefResolver
schemas = pathlib.Path(sys.argv[1]); root = pathlib.Path(sys.argv[2])
store = {}
for f in schemas.glob('*.schema.json'):
    s = json.loads(f.read_text())
    Draft202012Validator.check_schema(s)
    store[s['$id']] = s
    store[f.name] = s
def validator(name):
    s = store[name]
    return Draft202012Validator(s, resolver=RefResolver(base_uri=s['$id'], referrer=s, store=store))
kinds = {'.profile.json': 'profile.schema.json', '.truth.json': 'manifest.schema.json'}
n = 0
for f in sorted(root.rglob('*.json')):
    name = 'index.schema.json' if f.name == 'index.json' else next((v for k, v in kinds.items() if f.name.endswith(k)), None)
    if name is None:
        continue
    validator(name).validate(json.loads(f.read_text()))
    n += 1
assert n == 17, n
# The validator must reject what the schemas forbid (the check is not vacuous).
bad = json.loads((root / 'optimal/run-0.profile.json').read_text())
bad['spans']['rows'][0][5] = 101
assert not validator('profile.schema.json').is_valid(bad)
bad = json.loads((root / 'optimal/run-0.truth.json').read_text())
bad['injected'] = [{'kind': 'slow'}]
assert not validator('manifest.schema.json').is_valid(bad)
print('validated', n)
EOF
else
    bad "python3-jsonschema is not installed (scripts/bootstrap.sh installs it)"
fi

# ---- viewer formats: strict structural checks against the profile they came from ----
if $PY - "$G" >"$TMP/struct" 2>&1 <<'EOF'; then ok; else bad "viewer formats: $(head -c 2000 "$TMP/struct")"; fi
import json, sys, pathlib, re, csv
root = pathlib.Path(sys.argv[1])
for prof_path in sorted(root.rglob('*.profile.json')):
    base = str(prof_path)[:-len('.profile.json')]
    prof = json.loads(prof_path.read_text())
    methods = prof['methods']; rows = prof['spans']['rows']; ser = prof['series']
    # Chrome trace: every span an X event (pid 1, tid = track, name, microseconds), counters, metadata.
    tr = json.loads(pathlib.Path(base + '.trace.json').read_text())
    assert set(tr) == {'traceEvents', 'displayTimeUnit', 'otherData'}
    ev = tr['traceEvents']
    xs = [e for e in ev if e['ph'] == 'X']
    assert {e['ph'] for e in ev} <= {'M', 'X', 'C'}
    assert len(xs) == len(rows), (len(xs), len(rows))
    for e, r in zip(xs, rows):
        assert e['pid'] == 1 and e['tid'] == r[2] and e['name'] == methods[r[0]]
        # Whole microseconds, each bound rounded once (then clamped into the parent, < 1 ns).
        assert isinstance(e['ts'], int) and isinstance(e['dur'], int) and e['dur'] >= 0
        assert abs(e['ts'] - r[3] * 1e6) <= 0.5 + 1e-6 and abs(e['dur'] - r[4] * 1e6) <= 1 + 1e-6
    tids = sorted({r[2] for r in rows})
    names = [e for e in ev if e['ph'] == 'M' and e['name'] == 'thread_name']
    assert [e['tid'] for e in names] == tids
    assert sum(1 for e in ev if e['ph'] == 'M' and e['name'] == 'process_name') == 1
    cs = [e for e in ev if e['ph'] == 'C']
    assert len(cs) == 3 * len(ser['mem_mb'])
    assert all(all(isinstance(v, (int, float)) for v in e['args'].values()) for e in cs)
    # speedscope: evented profiles, frames in range, O/C properly nested and time-ordered.
    ss = json.loads(pathlib.Path(base + '.speedscope.json').read_text())
    assert ss['$schema'] == 'https://www.speedscope.app/file-format-schema.json'
    frames = ss['shared']['frames']
    assert [f['name'] for f in frames] == methods
    opens = 0
    for p in ss['profiles']:
        assert p['type'] == 'evented' and p['unit'] == 'seconds'
        stack, last = [], p['startValue']
        for e in p['events']:
            assert 0 <= e['frame'] < len(frames) and e['at'] >= last and e['at'] <= p['endValue'] + 1e-9
            last = e['at']
            if e['type'] == 'O':
                stack.append(e['frame']); opens += 1
            else:
                assert e['type'] == 'C' and stack and stack.pop() == e['frame']
        assert not stack
    assert opens == len(rows)
    # Folded: "a;b;c N", sorted, unique, frames are methods, weights sum to the self times.
    lines = pathlib.Path(base + '.folded').read_text().splitlines()
    stacks = [l.rsplit(' ', 1) for l in lines]
    assert [s for s, _ in stacks] == sorted({s for s, _ in stacks})
    for s, w in stacks:
        assert re.fullmatch(r'[1-9][0-9]*', w)
        assert all(f in methods for f in s.split(';'))
    ends, cov = {}, {}
    for i, r in enumerate(rows):
        p = r[1]
        if p >= 0:
            s, e = max(r[3], rows[p][3]), min(r[3] + r[4], rows[p][3] + rows[p][4])
            c = ends.get(p, float('-inf'))
            if e > s:
                cov[p] = cov.get(p, 0) + (e - max(s, c) if e > c else 0)
                ends[p] = max(c, e)
    self_total = sum(max(0.0, r[4] - cov.get(i, 0)) for i, r in enumerate(rows))
    total = sum(int(w) for _, w in stacks)
    assert abs(total - self_total * 1e6) <= len(stacks) + 1e-6 * total, (total, self_total)
    # CSV: the fixed header, one row per sample, the profile's numbers.
    rows_csv = list(csv.reader(open(base + '.series.csv', newline='')))
    assert rows_csv[0] == ['sample', 'start_s', 'mem_mb', 'cpu_pct', 'io_ops', 'io_bytes']
    assert len(rows_csv) == 1 + len(ser['mem_mb'])
    for k, r in enumerate(rows_csv[1:]):
        assert int(r[0]) == k and float(r[2]) == ser['mem_mb'][k] and float(r[3]) == ser['cpu_pct'][k]
        assert float(r[4]) == ser['io_ops'][k] and float(r[5]) == ser['io_bytes'][k]
print('ok')
EOF

# flamegraph.pl, when installed (Debian has no package for it; see docs/output-formats.md).
if command -v flamegraph.pl >/dev/null 2>&1; then
    flamegraph.pl "$G/bottlenecked/run-0.folded" >"$TMP/fg.svg" && grep -q '<svg' "$TMP/fg.svg" && ok || bad "flamegraph.pl"
fi

# ---- round trip: generate -> analyze gives the in-process analysis ----
findings() { # FILE: kind, target, impact, measured of every finding in report JSON
    $PY -c 'import json,sys
d = json.load(open(sys.argv[1]))
for s in d["scenarios"]:
    for f in s["detail"]["findings"]:
        print(f["kind"], f["target"], repr(f["impact"]), repr(f["measured"]))' "$1"
}
for s in optimal bottlenecked memory-intensive cpu-intensive; do
    run "$FPSIM" --scenario $s --seed 7 --format json --detailed
    expect_rc 0 "in-process $s"
    findings "$TMP/out" >"$TMP/f.in"
    cat "$TMP/f.in" >>"$TMP/f.all"
    run "$FPSIM" analyze "$G/$s/run-0.profile.json" --format json --detailed
    expect_rc 0 "analyze $s profile"
    expect_empty_err "analyze $s profile"
    findings "$TMP/out" >"$TMP/f.prof"
    # Profile JSON is bit-exact: identical findings, impacts and measured values.
    if diff "$TMP/f.in" "$TMP/f.prof" >/dev/null; then ok; else bad "$s: profile JSON findings differ: $(diff "$TMP/f.in" "$TMP/f.prof")"; fi
    run "$FPSIM" analyze "$G/$s/run-0.trace.json" --format json --detailed
    expect_rc 0 "analyze $s trace"
    expect_empty_err "analyze $s trace"
    findings "$TMP/out" >"$TMP/f.trace"
    # The Chrome trace stores times in whole microseconds (each span's start and end rounded
    # once): same kinds and targets, impacts and measured values equal to 1e-6 relative.
    if $PY - "$TMP/f.in" "$TMP/f.trace" <<'EOF'; then ok; else bad "$s: trace findings differ: $(diff "$TMP/f.in" "$TMP/f.trace")"; fi
import sys
a = [l.split() for l in open(sys.argv[1])]; b = [l.split() for l in open(sys.argv[2])]
assert len(a) == len(b), (a, b)
for x, y in zip(a, b):
    assert x[:2] == y[:2], (x, y)
    for u, v in zip(map(float, x[2:]), map(float, y[2:])):
        assert abs(u - v) <= 1e-6 * max(1.0, abs(u)), (x, y)
EOF
done
n=$(wc -l <"$TMP/f.all")
[ "$n" -ge 3 ] && ok || bad "the round trip compared only $n findings"


# A runs document (simulate --format json) is analysed run by run.
run "$FPSIM" simulate --scenario bottlenecked --runs 3 --seed 7 --format json -o "$TMP/runs.json"
expect_rc 0 "simulate runs doc"
run "$FPSIM" analyze "$TMP/runs.json" --format json
expect_rc 0 "analyze runs doc"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); s=d["scenarios"]; assert len(s)==1 and s[0]["runs"]==3, s[0].get("runs")' "$TMP/out" 2>"$TMP/pyerr" && ok || bad "runs document: $(cat "$TMP/pyerr")"

# --fail-on and -o
run "$FPSIM" analyze "$G/bottlenecked/run-0.profile.json" --fail-on low -o "$TMP/rep.txt"
expect_rc 1 "analyze --fail-on low"
[ -s "$TMP/rep.txt" ] && ok || bad "--fail-on: report not written"

# ---- real traces ----
run "$FPSIM" analyze "$TRACES/node-v20-trace-events.json" --detailed
expect_rc 0 "node trace"
expect_err_exact "fpsim: $TRACES/node-v20-trace-events.json: note: ignored 27 of 122 events (phases b,e)" "node trace note"
expect_out_has "fs.sync.open" "node trace methods"
run "$FPSIM" analyze "$TRACES/chromium-156-startup.json" --format json
expect_rc 0 "chromium trace"
run "$FPSIM" analyze "$TRACES/handwritten-counters.json"
expect_rc 0 "handwritten trace"
expect_out_has "Peak memory          200.0  MB" "counters: bytes -> MB"
printf '[{"ph":"B","name":"cut","ts":1,"tid":1},{"ph":"X","name":"in","ts":2,"dur":3,"tid":1}]' >"$TMP/cut.json"
run "$FPSIM" analyze "$TMP/cut.json"
expect_rc 0 "B without E"
expect_err_exact "fpsim: $TMP/cut.json: note: 1 B events have no E; they end with the trace" "B without E"
# Several files: one section each.
run "$FPSIM" analyze "$TRACES/handwritten-counters.json" "$G/optimal/run-0.profile.json" --format json
expect_rc 0 "two inputs"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [s["name"] for s in d["scenarios"]]==["handwritten","optimal"], d["scenarios"]' "$TMP/out" 2>"$TMP/pyerr" && ok || bad "two inputs: $(cat "$TMP/pyerr")"

# ---- one reader: a generate directory, its index.json, a directory of traces ----
run "$FPSIM" analyze "$G" --format json
expect_rc 0 "analyze a generate directory"
expect_empty_err "analyze a generate directory"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); s=d["scenarios"]; assert [(x["name"], x["runs"]) for x in s]==[("optimal",2),("bottlenecked",2),("memory-intensive",2),("cpu-intensive",2)], [(x["name"], x["runs"]) for x in s]' "$TMP/out" 2>"$TMP/pyerr" && ok || bad "generate directory: $(cat "$TMP/pyerr")"
cp "$TMP/out" "$TMP/gendir.json"
run "$FPSIM" analyze "$G/index.json" --format json
expect_rc 0 "analyze a generate index.json"
cmp -s "$TMP/gendir.json" "$TMP/out" && ok || bad "index.json and its directory give different reports"
# Each run listed by an index is read from its profile JSON: the findings of the profile file.
run "$FPSIM" analyze "$G/bottlenecked/run-0.profile.json" --format json --detailed
findings "$TMP/out" >"$TMP/f.one"
mkdir -p "$TMP/handidx"
printf '{"fpsim_index": 1, "scenarios": [{"runs": [{"run_index": 0, "files": {"profile": "b/run-0.profile.json"}}]}]}' >"$TMP/handidx/index.json"
mkdir -p "$TMP/handidx/b"
cp "$G/bottlenecked/run-0.profile.json" "$TMP/handidx/b/"
run "$FPSIM" analyze "$TMP/handidx/index.json" --format json --detailed
expect_rc 0 "a hand-written index"
findings "$TMP/out" >"$TMP/f.idx"
diff "$TMP/f.one" "$TMP/f.idx" >/dev/null && [ -s "$TMP/f.one" ] && ok || bad "index run differs from its profile file"
# Generated with only the chrome format: the runs are read from the traces.
run "$FPSIM" analyze "$TMP/sub" --format json
expect_rc 0 "generate directory of traces"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); s=d["scenarios"]; assert [(x["name"], x["runs"]) for x in s]==[("optimal",1)], s' "$TMP/out" 2>"$TMP/pyerr" && ok || bad "trace directory: $(cat "$TMP/pyerr")"
# A plain directory: every *.json directly inside or one level down, traces included.
mkdir -p "$TMP/plain/t"
cp "$TRACES/handwritten-counters.json" "$TMP/plain/t/a.json"
cp "$G/optimal/run-0.profile.json" "$TMP/plain/b.json"
run "$FPSIM" analyze "$TMP/plain" --format json
expect_rc 0 "plain directory"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [s["name"] for s in d["scenarios"]]==["optimal","handwritten"], d["scenarios"]' "$TMP/out" 2>"$TMP/pyerr" && ok || bad "plain directory order: $(cat "$TMP/pyerr")"
# Index problems: one line naming the index and the key path, exit 65 (66 for a missing file).
mkdir -p "$TMP/badidx"
printf '{"fpsim_index": 1, "scenarios": [{"runs": [{"files": {"profile": "../x.json"}}]}]}' >"$TMP/badidx/index.json"
run "$FPSIM" analyze "$TMP/badidx"
expect_rc 65 "index with .."
expect_err_exact "fpsim: $TMP/badidx/index.json: error: expected a path relative to the index's directory, without '..' (scenarios[0].runs[0].files.profile)" "index with .."
printf '{"fpsim_index": 1, "scenarios": [{"runs": [{"files": {"csv": "a/run-0.series.csv"}}]}]}' >"$TMP/badidx/index.json"
run "$FPSIM" analyze "$TMP/badidx/index.json"
expect_rc 65 "index without profile or chrome"
expect_err_exact "fpsim: $TMP/badidx/index.json: error: the run lists no profile or chrome file (generate with --formats including profile or chrome) (scenarios[0].runs[0].files)" "index without profile or chrome"
printf '{"fpsim_index": 1, "scenarios": [{"runs": [{"files": {"profile": "a/run-0.profile.json"}}]}]}' >"$TMP/badidx/index.json"
rm -f "$TMP/bad-out.txt"
run "$FPSIM" analyze "$TMP/badidx" -o "$TMP/bad-out.txt"
expect_rc 66 "index naming a missing file"
expect_err_exact "fpsim: $TMP/badidx/a/run-0.profile.json: cannot open: No such file or directory" "index naming a missing file"
[ ! -e "$TMP/bad-out.txt" ] && ok || bad "index naming a missing file: output written"
printf '{"fpsim_index": 2, "scenarios": []}' >"$TMP/badidx/index.json"
run "$FPSIM" analyze "$TMP/badidx"
expect_rc 65 "index version"
expect_err_exact "fpsim: $TMP/badidx/index.json: error: unsupported fpsim_index (this fpsim reads 1) (fpsim_index)" "index version"
printf '{"fpsim_index": 1, "scenarios": []}' >"$TMP/badidx/index.json"
run "$FPSIM" analyze "$TMP/badidx"
expect_rc 65 "index without runs"
expect_err_exact "fpsim: $TMP/badidx/index.json: error: no runs in the index (scenarios)" "index without runs"
printf '{"fpsim_runs": 1, "runs": []}' >"$TMP/noruns.json"
run "$FPSIM" analyze "$TMP/noruns.json"
expect_rc 65 "runs document without runs"
expect_err_exact "fpsim: $TMP/noruns.json: error: no runs in the runs document (runs)" "runs document without runs"
# A bad run inside a runs document is located by its JSON path, as in compare.
$PY -c 'import json,sys
d = json.load(open(sys.argv[1]))
d["runs"][2]["spans"]["rows"][1][4] = -1
json.dump(d, open(sys.argv[2], "w"))' "$TMP/runs.json" "$TMP/badrun.json"
run "$FPSIM" analyze "$TMP/badrun.json"
expect_rc 65 "bad run in a runs document"
expect_err_has "(runs[2].spans.rows[1][4])" "bad run in a runs document"

# ---- bad input: exit 65, one line with the file and the path, nothing written ----
bad_case() { # NAME TEXT EXPECTED-STDERR
    printf '%s' "$2" >"$TMP/$1"
    rm -f "$TMP/bad-out.txt"
    run "$FPSIM" analyze "$TMP/$1" -o "$TMP/bad-out.txt"
    expect_rc 65 "bad $1"
    expect_err_exact "fpsim: $TMP/$1${3}" "bad $1"
    [ ! -e "$TMP/bad-out.txt" ] && ok || bad "bad $1: output written"
}
bad_case trunc.json '{"traceEvents": [{"ph": "X", "name": "a", "ts": 1' ':1:50: error: malformed JSON: unexpected end of input'
bad_case types.json '[{"ph":"X","name":"a","ts":0,"dur":1},{"ph":"X","name":"a","ts":"5","dur":1}]' ': error: expected a non-negative number, got a string (traceEvents[1].ts)'
bad_case negdur.json '{"traceEvents":[{"ph":"X","name":"a","ts":0,"dur":-3}]}' ': error: expected a non-negative number, got -3 (traceEvents[0].dur)'
bad_case huge.json '[{"ph":"X","name":"a","ts":1e999,"dur":1}]' ': error: number out of range (must be finite and at most 2^53 microseconds) (traceEvents[0].ts)'
bad_case missing.json '[{"ph":"X","name":"a","ts":1}]' ': error: missing field '"'"'dur'"'"' (traceEvents[0].dur)'
bad_case overlap.json '[{"ph":"X","name":"p","ts":0,"dur":10,"tid":4},{"ph":"X","name":"c","ts":5,"dur":10,"tid":4}]' ': error: ends at 15 us, after the enclosing event traceEvents[0] (ends at 10 us) on pid 0 tid 4 (traceEvents[1].dur)'
bad_case unmatched.json '[{"ph":"B","name":"a","ts":1},{"ph":"E","ts":2},{"ph":"E","ts":3}]' ': error: E event without a matching B on pid 0 tid 0 (traceEvents[2])'
bad_case empty.json '{"traceEvents": []}' ': error: no span (X, B/E) and no counter (C) event: nothing to analyse (traceEvents)'
bad_case deep.json "$(printf '%0.s[' $(seq 70))" ':1:65: error: nesting deeper than 64'
bad_case profile-bad.json '{"schema_version": 1, "meta": 5}' ': error: missing field '"'"'methods'"'"''
bad_case zero.json '' ':1:1: error: malformed JSON: unexpected end of input'
bad_case nan.json '[{"ph":"X","name":"a","ts":NaN,"dur":1}]' ':1:28: error: malformed JSON: unexpected '"'"'N'"'"''
# A directory is read (as compare reads it); one without any *.json file is no input.
mkdir -p "$TMP/adir"
run "$FPSIM" analyze "$TMP/adir"
expect_rc 66 "input is an empty directory"
expect_err_exact "fpsim: $TMP/adir: no *.json profiles in the directory or one level down" "input is an empty directory"
run bash -c "\"$FPSIM\" analyze - <\"$TRACES/handwritten-counters.json\""
expect_rc 0 "analyze - (stdin)"
expect_out_has "Peak memory          200.0  MB" "analyze - (stdin)"
run "$FPSIM" analyze "$TMP/nonexistent.json"
expect_rc 66 "missing input"
expect_err_has "fpsim: $TMP/nonexistent.json: cannot open:" "missing input"

# ---- --thresholds FILE: the strict YAML of scenarios (tests/data/thresholds) ----
# Every valid form the docs promise (dotted names, one mapping per detector, flow style, quoted
# keys, comments, '---', CRLF) gives the same report, which differs from the defaults'.
TH="$DATA/thresholds"
run "$FPSIM" analyze "$G/optimal/run-0.profile.json" --detailed
cp "$TMP/out" "$TMP/th-default.txt"
run "$FPSIM" analyze "$G/optimal/run-0.profile.json" --detailed --thresholds "$TH/good/dotted.yaml"
expect_rc 0 "thresholds dotted"
cp "$TMP/out" "$TMP/th-ref.txt"
cmp -s "$TMP/th-default.txt" "$TMP/th-ref.txt" && bad "thresholds: the dotted file changed nothing" || ok
for f in "$TH"/good/*.yaml; do
    run "$FPSIM" analyze "$G/optimal/run-0.profile.json" --detailed --thresholds "$f"
    expect_rc 0 "thresholds $(basename "$f")"
    expect_empty_err "thresholds $(basename "$f")"
    cmp -s "$TMP/th-ref.txt" "$TMP/out" && ok || bad "thresholds $(basename "$f"): report differs from dotted.yaml"
done
: >"$TMP/th-empty.yaml"
run "$FPSIM" analyze "$G/optimal/run-0.profile.json" --detailed --thresholds "$TMP/th-empty.yaml"
expect_rc 0 "empty thresholds file"
cmp -s "$TMP/th-default.txt" "$TMP/out" && ok || bad "empty thresholds file changed the report"
# One file per class of bad input, each with its exact one-line error (FILE:LINE:COL) in .err.
n=0
for f in "$TH"/bad/*.yaml; do
    n=$((n + 1))
    run "$FPSIM" analyze "$G/optimal/run-0.profile.json" --thresholds "$f" -o "$TMP/th-out.txt"
    expect_rc 65 "bad thresholds $(basename "$f")"
    expect_empty_out "bad thresholds $(basename "$f")"
    expect_err_exact "fpsim: $f$(cat "${f%.yaml}.err")" "bad thresholds $(basename "$f")"
    [ ! -e "$TMP/th-out.txt" ] && ok || bad "bad thresholds $(basename "$f"): output written"
done
[ "$n" -ge 20 ] && ok || bad "only $n bad thresholds files"
run "$FPSIM" analyze "$G/optimal/run-0.profile.json" --thresholds "$TMP/no-such.yaml"
expect_rc 66 "missing thresholds file"
expect_err_exact "fpsim: $TMP/no-such.yaml: cannot open: No such file or directory" "missing thresholds file"

# ---- generate: output errors ----
: >"$TMP/afile"
run "$FPSIM" generate --scenario optimal --out "$TMP/afile/sub"
expect_rc 73 "generate under a file"
expect_err_has "cannot create directory" "generate under a file"
run "$FPSIM" generate --scenario optimal --out "$TMP/bigout" --formats chrome
expect_rc 0 "generate before ulimit"
cp "$TMP/bigout/optimal/run-0.trace.json" "$TMP/prev.json"
run bash -c "trap '' XFSZ; ulimit -f 16; exec \"$FPSIM\" generate --scenario optimal --seed 9 --out \"$TMP/bigout\" --formats chrome"
expect_rc 74 "generate past the file-size limit"
cmp -s "$TMP/prev.json" "$TMP/bigout/optimal/run-0.trace.json" && ok || bad "file-size limit: previous file not kept"
if find "$TMP/bigout" -name '.*' | grep -q .; then bad "file-size limit: temp file left"; else ok; fi

finish
