#!/bin/sh
# Records tests/data/traces/real/chromium-long-task.trace.json: a Chromium headless startup trace
# of src/chromium-long-task.html (planted 1.5 s JavaScript task in performance.measure).
# Requires: chromium (Debian 12: apt-get install chromium; measured with Chromium 156), python3
# (to keep only the renderer's main thread and the browser's UI thread, so the file stays < 1 MB).
# Usage: scripts/record-traces/chromium.sh
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
real="$root/tests/data/traces/real"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$tmp/profile" \
    --trace-startup=devtools.timeline,v8.execute,blink.user_timing,toplevel,disabled-by-default-devtools.timeline \
    --trace-startup-file="$tmp/trace.json" --trace-startup-format=json --trace-startup-duration=4 \
    --dump-dom "file://$real/src/chromium-long-task.html" >/dev/null 2>"$tmp/log" || true
sleep 1
python3 "$(dirname "$0")/chromium_filter.py" "$tmp/trace.json" "$real/chromium-long-task.trace.json"
ls -l "$real/chromium-long-task.trace.json"
