#!/usr/bin/env python3
"""Keeps the renderer process that ran the page's long task from a Chromium startup trace.

Usage: chromium_filter.py [--page NAME] [--dump-totals-only] TRACE.json OUT.json

A headless startup trace has a dozen processes and about 90 threads (13 MB here); the planted
problem runs in one renderer. Kept: every M (metadata) event, and every event of the process whose
longest EvaluateScript / FunctionCall / v8.callFunction event is the longest of the trace.
Nothing else is edited, so the kept events nest exactly as Chromium wrote them.

--page NAME keeps instead the process that began the user-timing span NAME (performance.measure).
--dump-totals-only keeps of each memory-infra dump (`v` event) only its process totals, without
the allocator trees (about 170 KB per dump).
"""
import json
import sys

JS = {"EvaluateScript", "FunctionCall", "v8.callFunction", "v8.run"}


def main():
    args = sys.argv[1:]
    page, totals_only = None, False
    while args and args[0].startswith("--"):
        if args[0] == "--page" and len(args) > 1:
            page, args = args[1], args[2:]
        elif args[0] == "--dump-totals-only":
            totals_only, args = True, args[1:]
        else:
            sys.exit("usage: chromium_filter.py [--page NAME] [--dump-totals-only] TRACE.json OUT.json")
    src, dst = args[0], args[1]
    with open(src) as f:
        doc = json.load(f)
    events = doc["traceEvents"] if isinstance(doc, dict) else doc
    best_pid, best = None, -1
    for e in events:
        if page is not None:
            if e.get("ph") == "b" and e.get("name") == page and best_pid is None:
                best_pid, best = e.get("pid"), 0
        elif e.get("ph") == "X" and e.get("name") in JS and e.get("dur", 0) > best:
            best, best_pid = e["dur"], e.get("pid")
    if best_pid is None:
        sys.exit("no JavaScript task (EvaluateScript / FunctionCall) or page span in " + src)
    kept = [e for e in events if e.get("ph") == "M" or e.get("pid") == best_pid]
    if totals_only:
        kept = [e for e in kept
                if e.get("ph") != "v" or "process_totals" in e.get("args", {}).get("dumps", {})]
        for e in kept:
            if e.get("ph") == "v":
                d = e["args"]["dumps"]
                e["args"]["dumps"] = {k: d[k] for k in ("level_of_detail", "process_totals") if k in d}
    with open(dst, "w") as f:
        json.dump({"traceEvents": kept}, f, separators=(",", ":"))
        f.write("\n")
    print("kept %d of %d events (pid %s, longest JavaScript task %.3f s)"
          % (len(kept), len(events), best_pid, best / 1e6))


if __name__ == "__main__":
    main()
