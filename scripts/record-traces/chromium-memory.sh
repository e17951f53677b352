#!/bin/sh
# Records tests/data/traces/real/chromium-memory.trace.json: a Chromium headless startup trace of
# src/chromium-memory.html (a timer retains 8 MB every 200 ms) with memory-infra's periodic
# dumps (`v` events: process_totals.private_footprint_bytes per process), which need a trace
# config file (memory_dump_config) rather than --trace-startup's category list.
# Requires: chromium (Debian 12: apt-get install chromium; measured with Chromium 156), python3
# (to keep only the renderer that ran the page, and each dump's process totals without its
# allocator trees, so the file stays < 1 MB). A global dump of every process takes about 0.5 s
# on a loaded 2-core machine, so the 200 ms period gives a dump about every 0.5 s.
# Usage: scripts/record-traces/chromium-memory.sh
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
real="$root/tests/data/traces/real"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/config.json" <<CFG
{"trace_config": {"record_mode": "record-until-full",
  "included_categories": ["disabled-by-default-memory-infra", "blink.user_timing"],
  "memory_dump_config": {"triggers": [{"mode": "light", "periodic_interval_ms": 200}]}},
 "startup_duration": 5, "result_file": "$tmp/trace.json"}
CFG
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$tmp/profile" --trace-config-file="$tmp/config.json" \
    --trace-startup-format=json --virtual-time-budget=5000 \
    --dump-dom "file://$real/src/chromium-memory.html" >/dev/null 2>"$tmp/log" || true
sleep 1
python3 "$(dirname "$0")/chromium_filter.py" --page "leakLoop" --dump-totals-only \
    "$tmp/trace.json" "$real/chromium-memory.trace.json"
ls -l "$real/chromium-memory.trace.json"
