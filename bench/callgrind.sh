#!/usr/bin/env bash
# Instruction counts that do not depend on the machine's load: runs COMMAND under valgrind's
# callgrind (deterministic: the same binary and input give the same count on any machine, idle
# or not) and prints the total instructions executed (Ir). For the benches on machines without
# a hardware counter (fp_bench_instr_source() says "none"), e.g.
#   bench/callgrind.sh build-rel/bench/bench_analysis --fixed 300 sim bottlenecked
# Optional: needs valgrind (Debian package 'valgrind'); exit 77 without it.
set -euo pipefail
if ! command -v valgrind >/dev/null; then
    echo "callgrind.sh: valgrind is not installed" >&2
    exit 77
fi
[ $# -ge 1 ] || { echo "usage: bench/callgrind.sh COMMAND [ARGS...]" >&2; exit 64; }
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$out" "$@" >/dev/null 2>"$out.log" ||
    { cat "$out.log" >&2; rm -f "$out.log"; exit 1; }
rm -f "$out.log"
ir="$(sed -n 's/^summary: //p' "$out")"
printf '%s Ir  %s\n' "$ir" "$*"
