#!/bin/sh
# Records tests/data/traces/real/clang-heavy.trace.json (clang++ -ftime-trace of
# src/clang-heavy.cpp: planted heavy header and template instantiations) and
# clang-normal.trace.json (clang -ftime-trace of src/clang-normal.c: nothing planted).
# Requires: clang, clang++ (Debian 12: apt-get install clang; measured with clang 14.0.6).
# Usage: scripts/record-traces/clang.sh
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
real="$root/tests/data/traces/real"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
cp "$real/src/clang-heavy.cpp" "$real/src/heavy_header.h" "$real/src/clang-normal.c" .
# Relative paths so the trace does not record this temporary directory.
clang++ -std=c++17 -O2 -fconstexpr-steps=100000000 -ftime-trace -ftime-trace-granularity=2000 -c clang-heavy.cpp -o heavy.o
clang -O2 -ftime-trace -c clang-normal.c -o normal.o
cp heavy.json "$real/clang-heavy.trace.json"
cp normal.json "$real/clang-normal.trace.json"
ls -l "$real"/clang-*.trace.json
