#!/usr/bin/env bash
# CLI tests of the report people read (issue 11, §2): the README's first command fits in 100
# columns and says in its first screen which scenario is worst and why; recommendations do not
# repeat their finding's text; tables pad by display width (CJK, combining marks); long names are
# shortened in the middle with the full name listed.
. "$(dirname "$0")/lib.sh"
PY=${PYTHON:-python3}

# display width of each line (East Asian wide = 2, combining = 0), the widest printed
maxwidth() {
    $PY -c '
import sys, unicodedata
def w(s):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
print(max((w(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")), default=0))' "$1"
}

for args in "--scenario all --detailed" "--scenario all" "--scenario all --runs 3"; do
    run "$FPSIM" $args
    expect_rc 0 "fpsim $args"
    m=$(maxwidth "$TMP/out")
    [ "$m" -le 100 ] && ok || bad "fpsim $args: a line is $m columns wide"
done

# the first screen (24 lines) says which scenario is worst and why
run "$FPSIM" --scenario all --detailed
head -24 "$TMP/out" >"$TMP/screen"
grep -q "^Worst scenario: memory-intensive, score 50.4/100 (fair); high memory_hotspot on 'generate_draft'" "$TMP/screen" && ok || bad "first screen lacks the worst scenario: $(cat "$TMP/screen")"
grep -q "^Why: 'generate_draft' allocates 621.8 MB per call" "$TMP/screen" && ok || bad "first screen lacks why"
grep -q "^  - cpu-intensive: score 88.3/100, top: medium cpu_saturation on 'process'" "$TMP/screen" && ok || bad "first screen lacks the per-scenario lines"

# recommendations do not repeat their finding's text (nor its kind in brackets)
if grep -q "^    why: " "$TMP/out"; then bad "recommendations repeat the finding's root cause"; else ok; fi
if grep -qE '^  - [0-9]+\. \[' "$TMP/out"; then bad "recommendations repeat the kind"; else ok; fi
grep -q "^  - 1. Cut the per-call allocation of 'generate_draft' (memory_hotspot, high): " "$TMP/out" && ok || bad "recommendation text"
n=$(grep -c "allocates 621.8 MB per call on average" "$TMP/out")
[ "$n" -eq 2 ] && ok || bad "the root cause appears $n times (expected: at a glance and the finding)"

# non-ASCII names: columns line up by display width
cat >"$TMP/trace.json" <<'JSON'
{"traceEvents": [
 {"name": "数据加载", "ph": "X", "ts": 0, "dur": 3000000, "pid": 1, "tid": 1},
 {"name": "größe_berechnen", "ph": "X", "ts": 3000000, "dur": 2000000, "pid": 1, "tid": 1},
 {"name": "étape_suivante", "ph": "X", "ts": 5000000, "dur": 1000000, "pid": 1, "tid": 1},
 {"name": "plain_ascii_name", "ph": "X", "ts": 6000000, "dur": 500000, "pid": 1, "tid": 1},
 {"name": "a_very_long_method_name_that_is_exactly_sixty_characters_ok_", "ph": "X", "ts": 6500000, "dur": 100000, "pid": 1, "tid": 1}
]}
JSON
run "$FPSIM" analyze "$TMP/trace.json" --detailed
expect_rc 0 "analyze a trace with non-ASCII names"
# In the Methods table, "Calls" ends in the same display column on every row.
$PY - "$TMP/out" >"$TMP/py" 2>&1 <<'PYEOF' && ok || bad "non-ASCII alignment: $(cat "$TMP/py")"
import sys, unicodedata
def w(s):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
i = next(k for k, l in enumerate(lines) if l.startswith("Methods (run 0)"))
head = lines[i + 2]
assert head.startswith("Method "), head
end = w(head[: head.index("Calls") + len("Calls")])
rows = []
for l in lines[i + 4:]:
    if not l.strip():
        break
    rows.append(l)
names = ["数据加载", "größe_berechnen", "étape_suivante", "plain_ascii_name", "a_very_long_met...characters_ok_"]
for n in names:
    r = next((r for r in rows if r.startswith(n)), None)
    assert r is not None, f"no row for {n}: {rows}"
    cells = r[len(n):].split()
    # the Calls cell (right-aligned) ends at the same display column as the header's "Calls"
    calls_end = w(r[: r.index(cells[0], len(n)) + len(cells[0])])
    assert calls_end == end, f"{n}: Calls ends at {calls_end}, header at {end}"
text = "\n".join(lines)
assert "a_very_long_met...characters_ok_ = a_very_long_method_name_that_is_exactly_sixty_characters_ok_" in text, "full name not listed"
PYEOF

finish
