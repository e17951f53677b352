#!/usr/bin/env bash
# html_render.sh FPSIM [rounds] - how long headless Chromium takes to load and lay out the HTML
# report of `fpsim --scenario all --detailed` (target <= 1 s, docs/performance.md): paired
# rounds of the page against an empty page, wall clock of `chromium --dump-dom` (which returns
# after the load event); the difference of the medians is the page's own cost.
set -euo pipefail
fpsim=$1
rounds=${2:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$fpsim" --scenario all --detailed --format html -o "$tmp/report.html"
printf '<!DOCTYPE html>\n<html><head><title>e</title></head><body></body></html>\n' >"$tmp/empty.html"
load() {
    local t0 t1 prof
    prof=$(mktemp -d)
    t0=$(date +%s.%N)
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$prof" --window-size=1000,2400 --dump-dom "file://$1" >/dev/null 2>&1
    t1=$(date +%s.%N)
    rm -rf "$prof"
    echo "$t1 - $t0" | bc -l
}
for r in $(seq "$rounds"); do
    if [ $((r % 2)) -eq 1 ]; then
        e=$(load "$tmp/empty.html"); p=$(load "$tmp/report.html")
    else
        p=$(load "$tmp/report.html"); e=$(load "$tmp/empty.html")
    fi
    echo "$e $p"
done | sort -n -k1 >"$tmp/t"
python3 - "$tmp/t" "$(wc -c <"$tmp/report.html")" <<'PY'
import statistics, sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
e = statistics.median(r[0] for r in rows); p = statistics.median(r[1] for r in rows)
d = statistics.median(r[1] - r[0] for r in rows)
print("page %s bytes; chromium wall: empty %.3f s, report %.3f s; report - empty (paired median) %.3f s; target <= 1 s"
      % (sys.argv[2], e, p, d))
PY
