// cpuprof-app.js - a small Node.js program with one planted slow function, recorded with
// `node --cpu-prof` by cpuprof-record.sh into tests/data/traces/real/cpuprof-app.cpuprofile.
//
// Truth: slowFunction busy-waits 6 x 250 ms (about 1.5 s, most of the run); parseRecords,
// formatReport and checksum do a little real work each round (a few ms). The analysis of the
// profile must name slowFunction as the top finding (tests/cli/test_generate_analyze.sh).
'use strict';

function slowFunction(ms) {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  return x;
}

function parseRecords(n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(JSON.parse(`{"id": ${i}, "v": "${'x'.repeat(i % 17)}"}`));
  return out;
}

function checksum(records) {
  let h = 0;
  for (const r of records) h = (h * 31 + r.id + r.v.length) >>> 0;
  return h;
}

function formatReport(records) {
  return records.slice(0, 200).map((r) => `${r.id}:${r.v}`).join('\n').length;
}

function round(k) {
  const records = parseRecords(2000);
  const sum = checksum(records);
  const len = formatReport(records);
  const x = slowFunction(250);
  return sum + len + (x > 0 ? k : 0);
}

let total = 0;
for (let k = 0; k < 6; k++) total += round(k);
console.log(`done ${total}`);
