#!/usr/bin/env bash
# Issue 15's memory target: validate's peak RSS in the default mode must not grow with the runs
# (within 10 % from 10^3 to 10^6 runs per scenario). Runs `fpsim validate -s SCENARIO -n N -q
# -j 2` for each N, prints N, wall, CPU (user + system) and peak RSS (/usr/bin/time's %M, KiB), and
# exits 1 when the largest peak RSS is more than 10 % above the smallest.
#
#   scripts/validate-rss.sh [SCENARIO [N...]]   (default: bottlenecked 1000 10000 100000)
#
#   FPSIM          the binary (default build/cli/fpsim)
#   FP_RSS_ARGS    validate's other arguments (default: -q -j 2)
#
# On a shared machine run it below everyone else: nice -n 10 scripts/validate-rss.sh. 10^5 runs of
# bottlenecked take about 110 s of CPU, 10^6 about 18 minutes (docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")/.."

scenario="${1:-bottlenecked}"
shift || true
[ "$#" -gt 0 ] || set -- 1000 10000 100000
fpsim="${FPSIM:-build/cli/fpsim}"
read -r -a args <<<"${FP_RSS_ARGS:--q -j 2}"

[ -x /usr/bin/time ] || { echo "validate-rss: /usr/bin/time is not installed (Debian package 'time')" >&2; exit 77; }
[ -x "$fpsim" ] || { echo "validate-rss: $fpsim is not built (scripts/bootstrap.sh)" >&2; exit 66; }

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
printf '| scenario | runs | wall | CPU | peak RSS |\n|---|---:|---:|---:|---:|\n'
min=0
max=0
for n in "$@"; do
    /usr/bin/time -o "$out" -f '%e %U %S %M' "$fpsim" validate -s "$scenario" -n "$n" "${args[@]}" >/dev/null
    read -r wall user sys kb <"$out"
    awk -v s="$scenario" -v n="$n" -v w="$wall" -v u="$user" -v y="$sys" -v k="$kb" \
        'BEGIN { printf "| %s | %s | %s s | %.1f s | %d KiB |\n", s, n, w, u + y, k }'
    [ "$min" -eq 0 ] || [ "$kb" -lt "$min" ] && min=$kb
    [ "$kb" -gt "$max" ] && max=$kb
done
if [ $((max * 10)) -gt $((min * 11)) ]; then
    echo "validate-rss: peak RSS grew from $min to $max KiB (more than 10 %)" >&2
    exit 1
fi
echo "validate-rss: peak RSS within 10 % ($min to $max KiB)"
