// Small deterministic workload: nested sync functions, timers, fs I/O and promises.
const fs = require('fs');
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
function work(k) { let s = 0; for (let i = 0; i < k; i++) s += fib(18); return s; }
async function main() {
  for (let r = 0; r < 3; r++) {
    work(20);
    fs.writeFileSync('/tmp/nodetr/x.txt', 'x'.repeat(10000));
    fs.readFileSync('/tmp/nodetr/x.txt');
    await new Promise((res) => setTimeout(res, 5));
  }
}
main();
