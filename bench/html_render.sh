#!/usr/bin/env bash
# html_render.sh FPSIM [rounds (default 9)] - what headless Chromium spends to load and lay out the
# HTML report of `fpsim --scenario all --detailed` (target <= 1 s, docs/performance.md): paired
# rounds of the page against an empty page (the order alternating), each load `chromium
# --dump-dom` (which returns after the load event). Each load is timed by /usr/bin/time: CPU
# (user + system of chromium and the processes it waited for, from wait4, as fp_bench.h times
# children) and, for reference, wall. The page's own cost is the difference within each round;
# median, IQR and range over the rounds, as bench/fp_bench.h prints them. FP_BENCH_QUICK=1: 9.
set -euo pipefail
fpsim=$1
rounds=${2:-9}
[ "$rounds" -ge 9 ] || rounds=9
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$fpsim" --scenario all --detailed --format html -o "$tmp/report.html"
printf '<!DOCTYPE html>\n<html><head><title>e</title></head><body></body></html>\n' >"$tmp/empty.html"
# load FILE: prints "CPU WALL" seconds of one load.
load() {
    local prof
    prof=$(mktemp -d)
    /usr/bin/time -f "%U %S %e" -o "$tmp/time" chromium --headless --no-sandbox --disable-gpu \
        --disable-quic --no-first-run --disable-background-networking --disable-component-update \
        --disable-sync --user-data-dir="$prof" --window-size=1000,2400 --dump-dom "file://$1" \
        >/dev/null 2>&1
    rm -rf "$prof"
    read -r u s e <"$tmp/time"
    echo "$(echo "$u + $s" | bc -l) $e"
}
for r in $(seq "$rounds"); do
    if [ $((r % 2)) -eq 1 ]; then
        e=$(load "$tmp/empty.html"); p=$(load "$tmp/report.html")
    else
        p=$(load "$tmp/report.html"); e=$(load "$tmp/empty.html")
    fi
    echo "$e $p"
done >"$tmp/t"
python3 - "$tmp/t" "$(wc -c <"$tmp/report.html")" <<'PY'
import statistics, sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1])]  # e_cpu e_wall p_cpu p_wall
def stats(v):
    v = sorted(v); q = statistics.quantiles(v, n=4, method="inclusive")
    return "median %.3f (IQR %.3f-%.3f, range %.3f-%.3f)" % (statistics.median(v), q[0], q[2], v[0], v[-1])
print("page %s bytes; %d paired rounds" % (sys.argv[2], len(rows)))
print("  CPU  empty page %s s" % stats(r[0] for r in rows))
print("  CPU  report     %s s" % stats(r[2] for r in rows))
print("  CPU  report - empty, per round: %s s" % stats(r[2] - r[0] for r in rows))
print("  wall report - empty, per round (reference): %s s; target <= 1 s" % stats(r[3] - r[1] for r in rows))
PY
