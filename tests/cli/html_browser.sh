#!/usr/bin/env bash
# html_browser.sh (CTest cli.html_browser) - every kind of fpsim HTML page in a real browser:
# headless Chromium loads the page, takes a screenshot and dumps the DOM after load; the test
# checks that the page loaded without any console message (the pages have no script, so any
# CONSOLE line is an error: a failed resource, a parse or CSP complaint), that the screenshot is
# a real picture, and that the expected charts are in the loaded DOM as <svg> elements with the
# expected ids and non-empty geometry (html_check.py dom).
#
# SKIPPED (exit 77, SKIP_RETURN_CODE) only when Chromium is not installed and cannot be: Debian's
# `chromium`, which scripts/bootstrap.sh installs for the tests. A Chromium that is installed but
# fails to start or to render is a FAILURE, not a skip.
#
# FP_SCREENSHOTS=DIR keeps the screenshots there (docs/images/ is made this way).
. "$(dirname "$0")/lib.sh"
CHECK="python3 $(dirname "$0")/html_check.py"

CHROMIUM=""
for c in chromium chromium-browser; do
    if command -v "$c" >/dev/null; then
        CHROMIUM=$(command -v "$c")
        break
    fi
done
if [ -z "$CHROMIUM" ]; then
    echo "SKIP: Chromium is not installed and could not be installed (scripts/bootstrap.sh installs Debian's chromium); the HTML pages were not checked in a browser"
    exit 77
fi

# render NAME HEIGHT ID...: $TMP/NAME.html in Chromium: screenshot, DOM after load, console
render() {
    local name=$1 height=$2 prof
    shift 2
    prof=$(mktemp -d)
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$prof" --enable-logging=stderr --v=0 --hide-scrollbars \
        --window-size=1000,"$height" --screenshot="$TMP/$name.png" --dump-dom \
        "file://$TMP/$name.html" >"$TMP/$name.dom" 2>"$TMP/$name.log"
    local rc=$?
    rm -rf "$prof"
    if [ $rc -eq 0 ]; then ok; else bad "$name: chromium exit $rc: $(tail -c 400 "$TMP/$name.log")"; fi
    if grep -q 'CONSOLE' "$TMP/$name.log"; then
        bad "$name: console messages: $(grep CONSOLE "$TMP/$name.log" | head -3)"
    else
        ok
    fi
    local size
    size=$(wc -c <"$TMP/$name.png" 2>/dev/null || echo 0)
    if [ "$size" -gt 10000 ] && head -c 8 "$TMP/$name.png" | grep -q PNG; then ok; else bad "$name: screenshot missing or blank ($size bytes)"; fi
    if $CHECK dom "$TMP/$name.dom" "$@"; then ok; else bad "$name: charts missing in the loaded DOM"; fi
    if [ -n "${FP_SCREENSHOTS:-}" ] && [ "$name" != selftest ]; then cp "$TMP/$name.png" "$FP_SCREENSHOTS/$name.png"; fi
}

# the check itself: a page that logs to the console must fail it
printf '<!DOCTYPE html><html><body><svg id="x"><rect width="5" height="5"/></svg><script>console.error("boom")</script></body></html>' >"$TMP/selftest.html"
before=$fail
render selftest 300 x 2>/dev/null
if [ $((fail - before)) -ge 1 ]; then fail=$before; ok; else bad "a console error was not detected"; fi

"$FPSIM" --scenario all --detailed --format html -o "$TMP/report.html"
render report 2400 s0-timeline s0-icicle s0-methods s1-timeline s3-methods cmp-duration_s cmp-score
"$FPSIM" simulate -s bottlenecked -f json -o "$TMP/prof.json"
"$FPSIM" analyze "$TMP/prof.json" --detailed -f html -o "$TMP/analyze.html"
render analyze 1500 s0-timeline s0-icicle s0-methods
# a recorded run with guard breaches and a sampling gap: the markers and the band are in the DOM
"$FPSIM" analyze "$DATA/profile/good/recorded.json" --detailed -f html -o "$TMP/recorded.html"
render recorded 1500 s0-timeline s0-icicle s0-methods
nb=$(grep -o '<g class="breach">' "$TMP/recorded.dom" | wc -l)
ng=$(grep -o '<g class="gap">' "$TMP/recorded.dom" | wc -l)
if [ "$nb" -eq 2 ] && [ "$ng" -eq 1 ]; then ok; else bad "recorded: $nb breach markers and $ng gap bands in the loaded DOM"; fi
"$FPSIM" compare -s optimal -s bottlenecked -n 12 -f html -o "$TMP/compare.html"
render compare 700 forest
"$FPSIM" validate -n 10 -q -f html -o "$TMP/validate.html"
render validate 650 validate-pr
"$FPSIM" validate --sweep slow_method -n 6 -q -f html -o "$TMP/sweep.html"
render sweep 650 sweep
"$FPSIM" validate --power memory_leak -n 6 -q -f html -o "$TMP/power.html"
render power 650 power

finish
