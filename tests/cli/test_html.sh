#!/usr/bin/env bash
# test_html.sh - `--format html` of every command that takes it (report, analyze, compare,
# validate, --sweep, --power): each page is well-formed XML/XHTML (python's expat, and xmllint
# --noout on the page and on every SVG in it when libxml2-utils is installed), self-contained
# (no script, no external reference), every chart has an id, aria-label, <title> and <desc>,
# the expected charts are there with non-empty geometry, the page holds the text document
# itself, names are escaped, the same input gives the same bytes, and the sizes stay small.
# Also the text report's sparklines: only on a terminal with colour allowed.
# The same pages rendered in headless Chromium: html_browser.sh (cli.html_browser).
. "$(dirname "$0")/lib.sh"
CHECK="python3 $(dirname "$0")/html_check.py"

# check_page FILE DESC ID...: the page checks, and xmllint on the page and on each of its SVGs
check_page() {
    local file=$1 desc=$2
    shift 2
    rm -rf "$TMP/svg" && mkdir -p "$TMP/svg"
    if $CHECK page "$file" --svg-dir "$TMP/svg" "$@"; then ok; else bad "$desc: page checks"; fi
    if command -v xmllint >/dev/null; then
        if xmllint --noout "$file" "$TMP"/svg/*.svg; then ok; else bad "$desc: xmllint"; fi
    fi
}

# report: every built-in scenario, detailed
run "$FPSIM" --scenario all --detailed --format html
expect_rc 0 "report html"
cp "$TMP/out" "$TMP/all.html"
ids=""
for i in 0 1 2 3; do ids="$ids s$i-timeline s$i-icicle s$i-methods"; done
check_page "$TMP/all.html" "report" $ids cmp-duration_s cmp-peak_memory_mb cmp-avg_cpu_pct cmp-score
"$FPSIM" --scenario all --detailed --format html >"$TMP/all2.html"
if cmp -s "$TMP/all.html" "$TMP/all2.html"; then ok; else bad "report html differs between two runs"; fi
size=$(wc -c <"$TMP/all.html")
if [ "$size" -le 1048576 ]; then ok; else bad "report html is $size bytes (> 1 MB)"; fi
# the text report of the same command is the page's <pre>
"$FPSIM" --scenario all --detailed >"$TMP/all.txt"
if $CHECK contains "$TMP/all.html" "$TMP/all.txt"; then ok; else bad "report html lacks the text report"; fi
# each finding's window is shaded and labelled; the ground truth's windows are there
nf=$(grep -c '<g class="finding">' "$TMP/all.html")
nt=$(grep -c '<g class="truth">' "$TMP/all.html")
if [ "$nf" -ge 3 ] && [ "$nt" -ge 3 ]; then ok; else bad "findings ($nf) or truth ($nt) windows missing"; fi
grep -q '>#1 slow_method</text>' "$TMP/all.html" && ok || bad "finding label missing"
grep -q 'slow_method on generate_draft (found)' "$TMP/all.html" && ok || bad "truth label missing"
# the critical path is highlighted in the icicle
grep -q ', on the critical path</title>' "$TMP/all.html" && ok || bad "no critical path in the icicle"

# -o writes the same page
run "$FPSIM" --scenario all --detailed --format html -o "$TMP/all3.html"
expect_rc 0 "report html -o"
if cmp -s "$TMP/all.html" "$TMP/all3.html"; then ok; else bad "-o page differs from stdout"; fi

# a hostile method name (from a trace) is escaped everywhere, in the charts and in the text
cat >"$TMP/evil.json" <<'EOF'
{"traceEvents": [
 {"name": "x<b>y</b>&\"q'", "ph": "X", "ts": 0, "dur": 2000000, "pid": 1, "tid": 1},
 {"name": "inner<i>", "ph": "X", "ts": 100000, "dur": 1500000, "pid": 1, "tid": 1},
 {"name": "x<b>y</b>&\"q'", "ph": "X", "ts": 2100000, "dur": 900000, "pid": 1, "tid": 1}
]}
EOF
run "$FPSIM" analyze "$TMP/evil.json" --detailed --format html
expect_rc 0 "hostile name"
cp "$TMP/out" "$TMP/evil.html"
check_page "$TMP/evil.html" "hostile name" s0-timeline s0-icicle s0-methods
if grep -q '<b>y\|<i>' "$TMP/evil.html"; then bad "hostile name written raw"; else ok; fi
n=$(grep -cF 'x&lt;b&gt;y&lt;/b&gt;&amp;&quot;q&#39;' "$TMP/evil.html")
if [ "$n" -ge 3 ]; then ok; else bad "hostile name not escaped in charts and text ($n lines)"; fi

# many samples: 0.001 s sampling (about 80,000 samples) draws in the same bounded size
sed 's/sample_interval_s: 0.1/sample_interval_s: 0.001/' "$SRC/scenarios/bottlenecked.yaml" >"$TMP/dense.yaml"
run "$FPSIM" --scenario "$TMP/dense.yaml" --detailed --format html
expect_rc 0 "dense report"
cp "$TMP/out" "$TMP/dense.html"
check_page "$TMP/dense.html" "dense" s0-timeline s0-icicle s0-methods
size=$(wc -c <"$TMP/dense.html")
if [ "$size" -le 400000 ]; then ok; else bad "dense page is $size bytes"; fi

# analyze: a profile written by simulate, and a real Chrome trace (no memory data: n/a)
"$FPSIM" simulate -s bottlenecked -f json -o "$TMP/prof.json"
run "$FPSIM" analyze "$TMP/prof.json" --detailed -f html
expect_rc 0 "analyze html"
cp "$TMP/out" "$TMP/analyze.html"
check_page "$TMP/analyze.html" "analyze" s0-timeline s0-icicle s0-methods
run "$FPSIM" analyze "$DATA/traces/node-v20-trace-events.json" --detailed -f html
expect_rc 0 "analyze trace html"
cp "$TMP/out" "$TMP/trace.html"
check_page "$TMP/trace.html" "analyze trace" s0-timeline s0-icicle
grep -q 'n/a (no data in the input)' "$TMP/trace.html" && ok || bad "trace without memory: no n/a panel"

# a recorded run's guard breaches (labelled markers) and sampling gap (a hatched band), each
# with a <title>, named in a caption and in the text report; pages without them have none
run "$FPSIM" analyze "$DATA/profile/good/recorded.json" --detailed -f html
expect_rc 0 "recorded html"
cp "$TMP/out" "$TMP/recorded.html"
check_page "$TMP/recorded.html" "recorded" s0-timeline s0-icicle s0-methods
nb=$(grep -c '<g class="breach">' "$TMP/recorded.html")
ng=$(grep -c '<g class="gap">' "$TMP/recorded.html")
if [ "$nb" -eq 2 ] && [ "$ng" -eq 1 ]; then ok; else bad "recorded: $nb breach markers (want 2), $ng gap bands (want 1)"; fi
grep -q '<title>guard max-rss breached at 2.5 s: 15.5 MB &gt; limit 15 MB (warn)</title>' "$TMP/recorded.html" && ok || bad "breach marker without its title"
grep -q '>max-time term</text>' "$TMP/recorded.html" && ok || bad "breach marker without its label"
grep -q '<title>sampling gap 1.2..1.6 s: 3 samples missed (series carried over)</title>' "$TMP/recorded.html" && ok || bad "gap band without its title"
# the band is hatched: a path of diagonal strokes inside it
python3 - "$TMP/recorded.html" <<'PYEOF' && ok || bad "gap band not hatched"
import re, sys
g = re.search(r'<g class="gap">.*?</g>', open(sys.argv[1]).read()).group(0)
x, w = (float(v) for v in re.search(r'<rect x="([0-9.]+)" y="[0-9.]+" width="([0-9.]+)"', g).groups())
strokes = re.findall(r'M([0-9.]+) ([0-9.]+)L([0-9.]+) ([0-9.]+)', g)
assert len(strokes) >= 5, strokes
for x0, y0, x1, y1 in ((float(a) for a in s) for s in strokes):
    assert x - 0.1 <= x0 < x1 <= x + w + 0.1, (x0, x1, x, w)
    assert abs((x1 - x0) - (y0 - y1)) < 0.3, "not 45 degrees"
PYEOF
grep -q '<p class="cap">Guard breaches (black markers): max-rss at 2.50 s, 15.5 MB &gt; limit 15 MB (warn); max-time at 3.70 s' "$TMP/recorded.html" && ok || bad "no breach caption"
grep -q '<p class="cap">Sampling gaps (hatched): 1.20 s..1.60 s, 3 missed.</p>' "$TMP/recorded.html" && ok || bad "no gap caption"
"$FPSIM" analyze "$DATA/profile/good/recorded.json" --detailed >"$TMP/recorded.txt"
if $CHECK contains "$TMP/recorded.html" "$TMP/recorded.txt"; then ok; else bad "recorded html lacks the text report"; fi
grep -q '^Guard breaches (run 0)$' "$TMP/recorded.txt" && grep -q '^Sampling gaps (run 0)$' "$TMP/recorded.txt" && ok || bad "text report without the run events"
if grep -q 'class="breach"\|class="gap"\|Guard breaches\|Sampling gaps' "$TMP/all.html" "$TMP/analyze.html"; then bad "run events drawn on a page without any"; else ok; fi
# Markdown carries them as tables
"$FPSIM" analyze "$DATA/profile/good/recorded.json" -f md >"$TMP/recorded.md"
grep -q '^### Guard breaches (run 0)$' "$TMP/recorded.md" && grep -q '^| 2.50 s | max-rss  | 15.5 MB |  15 MB | warn   |$' "$TMP/recorded.md" &&
    grep -q '^| 1.20 s | 1.60 s | 400 ms |              3 |$' "$TMP/recorded.md" && ok || bad "Markdown without the run events"

# compare: the forest plot, a regression coloured
run "$FPSIM" compare -s optimal -s bottlenecked -n 12 -f html
expect_rc 0 "compare html"
cp "$TMP/out" "$TMP/compare.html"
check_page "$TMP/compare.html" "compare" forest
grep -q '<g class="regression">' "$TMP/compare.html" && ok || bad "compare: no regression drawn"
"$FPSIM" compare -s optimal -s bottlenecked -n 12 >"$TMP/compare.txt"
if $CHECK contains "$TMP/compare.html" "$TMP/compare.txt"; then ok; else bad "compare html lacks the text"; fi

# validate, sweep, power
run "$FPSIM" validate -n 10 -q -f html
expect_rc 0 "validate html"
cp "$TMP/out" "$TMP/validate.html"
check_page "$TMP/validate.html" "validate" validate-pr
"$FPSIM" validate -n 10 -q >"$TMP/validate.txt"
if $CHECK contains "$TMP/validate.html" "$TMP/validate.txt"; then ok; else bad "validate html lacks the text"; fi
run "$FPSIM" validate --sweep slow_method -n 6 -q -f html
expect_rc 0 "sweep html"
cp "$TMP/out" "$TMP/sweep.html"
check_page "$TMP/sweep.html" "sweep" sweep
grep -q 'id="sweep-best"' "$TMP/sweep.html" && ok || bad "sweep: no best point"
run "$FPSIM" validate --power memory_leak -n 6 -q -f html
expect_rc 0 "power html"
cp "$TMP/out" "$TMP/power.html"
check_page "$TMP/power.html" "power" power
grep -q 'MDE ' "$TMP/power.html" && ok || bad "power: no minimum detectable effect"

# the checker itself fails on what it must refuse
printf '<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head><body><p>unclosed</body></html>\n' >"$TMP/broken.html"
if $CHECK page "$TMP/broken.html" 2>/dev/null; then bad "checker accepted malformed XML"; else ok; fi
sed 's/id="s0-timeline"/id="renamed"/' "$TMP/analyze.html" >"$TMP/renamed.html"
if $CHECK page "$TMP/renamed.html" s0-timeline 2>/dev/null; then bad "checker accepted a missing chart"; else ok; fi
sed 's|</body>|<script>alert(1)</script></body>|' "$TMP/analyze.html" >"$TMP/script.html"
if $CHECK page "$TMP/script.html" 2>/dev/null; then bad "checker accepted a script"; else ok; fi

# sparklines: never when piped (the goldens), on a terminal only with colour allowed
run "$FPSIM" --scenario bottlenecked
if grep -q $'\xe2\x96' "$TMP/out"; then bad "sparkline when piped"; else ok; fi
if command -v script >/dev/null; then
    script -qec "\"$FPSIM\" --scenario bottlenecked" /dev/null >"$TMP/tty.txt" 2>&1
    if grep -q "^Memory "$'\xe2\x96' "$TMP/tty.txt" && grep -q "^CPU    "$'\xe2\x96' "$TMP/tty.txt"; then ok; else bad "no sparklines on a terminal: $(head -c 400 "$TMP/tty.txt")"; fi
    NO_COLOR=1 script -qec "\"$FPSIM\" --scenario bottlenecked" /dev/null >"$TMP/tty2.txt" 2>&1
    if grep -q $'\xe2\x96' "$TMP/tty2.txt"; then bad "sparkline under NO_COLOR"; else ok; fi
fi

finish
