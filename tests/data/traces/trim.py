# Trims a Chrome JSON trace to a time window of the busiest threads (see tests/data/traces/README.md).
import json, sys, collections
src, dst, nthreads, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
d = json.load(open(src))
ev = d['traceEvents']
busy = collections.Counter((e.get('pid'), e.get('tid')) for e in ev if e.get('ph') in ('X', 'B', 'E'))
keep = set(k for k, _ in busy.most_common(nthreads))
pids = set(p for p, _ in keep)
t0 = min(e['ts'] for e in ev if e.get('ph') in ('X', 'B', 'E') and (e.get('pid'), e.get('tid')) in keep)
def pick(w):
    out = [e for e in ev if e.get('ph') == 'M' and e.get('pid') in pids and (e.get('name') == 'process_name' or (e.get('pid'), e.get('tid')) in keep)]
    for e in ev:
        if (e.get('pid'), e.get('tid')) not in keep or e.get('ph') == 'M':
            continue
        ts = e.get('ts', 0)
        end = ts + e.get('dur', 0) if e.get('ph') == 'X' else ts
        if t0 <= ts and end <= t0 + w:
            out.append(e)
    return out
lo, hi = 1.0, 1e8
while hi - lo > 1000:
    mid = (lo + hi) / 2
    size = len(json.dumps({'traceEvents': pick(mid)}, separators=(',', ':')))
    lo, hi = (mid, hi) if size <= limit else (lo, mid)
out = pick(lo)
with open(dst, 'w') as f:
    f.write('{"traceEvents":[\n' + ',\n'.join(json.dumps(e, separators=(',', ':')) for e in out) + '\n],\n"metadata":{"trimmed-from":"chromium --trace-startup, see README.md"}}\n')
print(len(out), collections.Counter(e['ph'] for e in out), 'window_us', int(lo))
