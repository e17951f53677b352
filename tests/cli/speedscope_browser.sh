#!/usr/bin/env bash
# speedscope_browser.sh (CTest cli.speedscope) - every exported Chrome trace and speedscope file
# through speedscope's own importer: `fpsim generate` writes both for every built-in scenario,
# speedscope's page (the npm package's dist/release/index.html) imports each in headless
# Chromium as its command line does (a script calling speedscope.loadFileFromBase64, named by
# #localProfilePath), and speedscope_check.py checks the console (no warning or error, the
# expected importer) and the loaded profile (one per track; frame totals and self times of
# track 0 against the profile's own parent links, so wrong nesting fails).
#
# SKIPPED (exit 77, SKIP_RETURN_CODE) only when Chromium or speedscope is not installed and
# cannot be: Debian's chromium and npm's speedscope, which scripts/bootstrap.sh installs for the
# tests (FP_SPEEDSCOPE=DIR names another copy of the package). A browser or speedscope that is
# installed but fails to start, to import or to show the profile is a FAILURE, not a skip.
. "$(dirname "$0")/lib.sh"
CHECK="python3 $(dirname "$0")/speedscope_check.py"

CHROMIUM=""
for c in chromium chromium-browser; do
    if command -v "$c" >/dev/null; then
        CHROMIUM=$(command -v "$c")
        break
    fi
done
SS="${FP_SPEEDSCOPE:-}"
if [ -z "$SS" ] && command -v npm >/dev/null; then
    SS="$(npm root -g 2>/dev/null)/speedscope"
fi
if [ -z "$CHROMIUM" ] || [ ! -f "$SS/dist/release/index.html" ]; then
    echo "SKIP: Chromium or speedscope is not installed and could not be installed (scripts/bootstrap.sh installs Debian's chromium and npm's speedscope); the exports were not loaded in speedscope"
    exit 77
fi

# load NAME FILE PROFILE IMPORTER: FILE in speedscope's sandwich view, then the checks; a page
# dumped before speedscope drew the table (check exit 3, on a loaded machine) is loaded again
# with more virtual time, up to three times
load() {
    local name=$1 file=$2 profile=$3 importer=$4 prof budget crc
    python3 - "$file" "$TMP/$name.js" <<'EOF'
import base64, json, os, sys
data = base64.b64encode(open(sys.argv[1], "rb").read()).decode()
with open(sys.argv[2], "w") as f:
    f.write("speedscope.loadFileFromBase64(%s, %s)" % (json.dumps(os.path.basename(sys.argv[1])), json.dumps(data)))
EOF
    for budget in 10000 30000 90000; do
        prof=$(mktemp -d)
        timeout 180 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
            --disable-background-networking --disable-component-update --disable-sync \
            --user-data-dir="$prof" --enable-logging=stderr --v=0 --virtual-time-budget=$budget \
            --window-size=1400,3000 --dump-dom \
            "file://$SS/dist/release/index.html#localProfilePath=$TMP/$name.js&view=sandwich" \
            >"$TMP/$name.dom" 2>"$TMP/$name.log"
        rc=$?
        rm -rf "$prof"
        $CHECK "$TMP/$name.dom" "$TMP/$name.log" "$profile" "$importer"
        crc=$?
        [ $rc -ne 0 ] || [ $crc -ne 3 ] && break
    done
    if [ $rc -eq 0 ]; then ok; else bad "$name: chromium exit $rc: $(tail -c 400 "$TMP/$name.log")"; fi
    if [ $crc -eq 0 ]; then ok; else bad "$name: speedscope's import differs (above)"; fi
}

"$FPSIM" generate -s all --out "$TMP/gen" --formats profile,chrome,speedscope
rc=$?
if [ $rc -eq 0 ]; then ok; else bad "generate exit $rc"; fi

# the check itself: crossing spans (b ends after a, which began first, on one thread) make
# speedscope's importer warn, and that must fail the check
p="$TMP/gen/optimal/run-0.profile.json"
printf '%s\n' '{"traceEvents": [' \
    '{"ph": "B", "pid": 1, "tid": 0, "ts": 0, "name": "a"},' \
    '{"ph": "B", "pid": 1, "tid": 0, "ts": 10, "name": "b"},' \
    '{"ph": "E", "pid": 1, "tid": 0, "ts": 20, "name": "a"},' \
    '{"ph": "E", "pid": 1, "tid": 0, "ts": 30, "name": "b"}]}' >"$TMP/crossing.json"
before=$fail
load selftest "$TMP/crossing.json" "$p" "Trace Event Format profile" 2>"$TMP/selftest.err"
if [ $((fail - before)) -ge 1 ] && grep -q 'console: .*Tried to end' "$TMP/selftest.err"; then
    fail=$before
    ok
else
    bad "a speedscope import warning was not detected: $(grep CONSOLE "$TMP/selftest.log" | head -3)"
fi

for dir in "$TMP"/gen/*/; do
    s=$(basename "$dir")
    load "$s-chrome" "$dir/run-0.trace.json" "$dir/run-0.profile.json" "Trace Event Format profile"
    load "$s-speedscope" "$dir/run-0.speedscope.json" "$dir/run-0.profile.json" "speedscope json file"
done

finish
