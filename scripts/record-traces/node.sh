#!/bin/sh
# Records tests/data/traces/real/node-slow-leak.trace.json: Node.js trace events of
# tests/data/traces/real/src/node-slow-leak.js (planted slow function and leak; truth in
# node-slow-leak.truth.txt). Requires: node (>= 20). Usage: scripts/record-traces/node.sh
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
real="$root/tests/data/traces/real"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
node --trace-events-enabled \
    --trace-event-categories node,node.async_hooks,v8,node.console,node.perf.usertiming \
    --trace-event-file-pattern 'trace.json' "$real/src/node-slow-leak.js"
# Node writes one JSON object {"traceEvents": [...]} ; keep it as written (plain JSON, < 1 MB).
cp trace.json "$real/node-slow-leak.trace.json"
ls -l "$real/node-slow-leak.trace.json"
