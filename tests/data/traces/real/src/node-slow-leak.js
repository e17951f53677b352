// Planted problems (the truth of node-slow-leak.trace.json):
//  - slow function: `slowParse` busy-waits 2.5 s per call, called 6 times (15 s, almost all of the run);
//  - leak: `leakyCache` keeps an 8 MB array per call, 12 calls (96 MB retained until the end).
// Each step is wrapped in console.time/console.timeEnd and performance.measure so the trace has
// the user's own spans (node.console, node.perf.usertiming).
'use strict';
const { performance } = require('perf_hooks');

function slowParse(ms) {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  return x;
}

const retained = [];
function leakyCache() {
  const a = new Array(1024 * 1024).fill(1.5); // 1 Mi doubles = 8 MB
  retained.push(a);
  return a.length;
}

function quickStep() {
  let s = 0;
  for (let i = 0; i < 20000; i++) s += i;
  return s;
}

let round = 0;
function tick() {
  performance.mark('round-start');
  if (round < 6) {
    console.time('slowParse');
    slowParse(2500);
    console.timeEnd('slowParse');
    performance.measure('slowParse', 'round-start');
  }
  performance.mark('leak-start');
  console.time('leakyCache');
  leakyCache();
  console.timeEnd('leakyCache');
  performance.measure('leakyCache', 'leak-start');
  console.time('quickStep');
  quickStep();
  console.timeEnd('quickStep');
  round++;
  if (round < 12) setTimeout(tick, 20);
  else setTimeout(() => { if (retained.length !== 12) process.exit(1); }, 50);
}
setTimeout(tick, 10);
