#!/usr/bin/env python3
"""Keeps the renderer process that ran the page's long task from a Chromium startup trace.

Usage: chromium_filter.py TRACE.json OUT.json

A headless startup trace has a dozen processes and about 90 threads (13 MB here); the planted
problem runs in one renderer. Kept: every M (metadata) event, and every event of the process whose
longest EvaluateScript / FunctionCall / v8.callFunction event is the longest of the trace.
Nothing else is edited, so the kept events nest exactly as Chromium wrote them.
"""
import json
import sys

JS = {"EvaluateScript", "FunctionCall", "v8.callFunction", "v8.run"}


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src) as f:
        doc = json.load(f)
    events = doc["traceEvents"] if isinstance(doc, dict) else doc
    best_pid, best = None, -1
    for e in events:
        if e.get("ph") == "X" and e.get("name") in JS and e.get("dur", 0) > best:
            best, best_pid = e["dur"], e.get("pid")
    if best_pid is None:
        sys.exit("no JavaScript task (EvaluateScript / FunctionCall) in " + src)
    kept = [e for e in events if e.get("ph") == "M" or e.get("pid") == best_pid]
    with open(dst, "w") as f:
        json.dump({"traceEvents": kept}, f, separators=(",", ":"))
        f.write("\n")
    print("kept %d of %d events (pid %s, longest JavaScript task %.3f s)"
          % (len(kept), len(events), best_pid, best / 1e6))


if __name__ == "__main__":
    main()
