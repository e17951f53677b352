#!/usr/bin/env bash
# Records tests/data/traces/real/cpuprof-app.cpuprofile: `node --cpu-prof` of cpuprof-app.js (a
# planted slow function, see its header), sampled every 2 ms to keep the file small. Needs Node.js
# (>= 12); re-run to re-make the file after changing the program.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../../tests/data/traces/real"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
node --cpu-prof --cpu-prof-interval 2000 --cpu-prof-dir "$tmp" --cpu-prof-name cpuprof-app.cpuprofile \
  "$here/cpuprof-app.js"
mkdir -p "$out"
cp "$tmp/cpuprof-app.cpuprofile" "$out/cpuprof-app.cpuprofile"
echo "wrote $out/cpuprof-app.cpuprofile ($(wc -c <"$out/cpuprof-app.cpuprofile") bytes)"
