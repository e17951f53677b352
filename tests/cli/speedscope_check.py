#!/usr/bin/env python3
"""speedscope_check.py - checks what speedscope made of an fpsim export (speedscope_browser.sh).

  speedscope_check.py DOM LOG PROFILE.json IMPORTER
      DOM is Chromium's --dump-dom of speedscope's page after it imported the export in its
      sandwich view, LOG Chromium's stderr with --enable-logging=stderr, PROFILE.json the fpsim
      profile the export was written from, IMPORTER the importer speedscope must say it used
      ("Trace Event Format profile", "speedscope json file"...). Checks:
        - the console: nothing but what speedscope says on every import (QUIET: headless
          Chromium logs console.warn at INFO level, and speedscope's importers warn when
          frames cross or stay open), and its "Importing as IMPORTER" line;
        - the profiles: one per track that has spans ("(1/N)" in the toolbar);
        - the sandwich table of the first profile (track 0): exactly the methods with spans on
          track 0, and for each the total (recursion once) and self time speedscope computed
          from the export's timestamps equal the ones the profile's parent links give (self:
          the span minus its children on the same track), to the digits speedscope prints
          (and 0.1 % + 1 ms for the export's whole microseconds). A frame nested
          under the wrong parent moves time from one self to another and fails this.
Exit 0 when every check holds, 3 when the page was dumped before speedscope drew the profile's
table (and nothing else is wrong), else 1 with the reasons on stderr.
"""
import json
import re
import sys
from html.parser import HTMLParser

# What speedscope says on every import (its version, WebGL, the importer, the import time) and
# Chromium's own bracketed GPU messages. Headless Chromium logs console.warn at INFO level, so
# anything else is taken as a warning ("ts=20: Tried to end "a" when "b" was on the top of the
# stack", "Frame "a" was still open at end of profile", ...).
QUIET = r"speedscope v[0-9.]+$|WebGL initialized\.|Importing as |import: [0-9.]+ ms$|\["

UNITS = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0, "m": 60.0,
         "h": 3600.0, "hr": 3600.0}


def duration(text):
    """speedscope's time text ("36.46s (45%)", "865.57ms", "1:21") as (seconds, half of its last
    digit in seconds), or None."""
    t = text.split("(")[0].strip()
    m = re.fullmatch(r"(\d+):(\d+)(\.\d+)?", t)
    if m:
        frac = m.group(3) or ""
        return (int(m.group(1)) * 60 + float(m.group(2) + frac),
                0.5 * 10.0 ** -(len(frac) - 1 if frac else 0))
    m = re.fullmatch(r"([0-9]+)(\.[0-9]+)?\s*([a-zµ]+)", t)
    if m and m.group(3) in UNITS:
        frac = m.group(2) or ""
        unit = UNITS[m.group(3)]
        return (float(m.group(1) + frac) * unit,
                0.5 * 10.0 ** -(len(frac) - 1 if frac else 0) * unit)
    return None


class Rows(HTMLParser):
    """The text of every <td> of every <tr>, and all text (for the toolbar)."""

    def __init__(self):
        super().__init__()
        self.rows, self.row, self.cell, self.text = [], None, None, []

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.row = []
        elif tag == "td" and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None and self.row is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if self.row:
                self.rows.append(self.row)
            self.row = None

    def handle_data(self, data):
        self.text.append(data)
        if self.cell is not None:
            self.cell.append(data)


def expected(profile_path):
    """Per method of track 0: (total, self) from the profile's parent links; number of tracks."""
    prof = json.load(open(profile_path))
    fields = prof["spans"]["fields"]
    col = {name: i for i, name in enumerate(fields)}
    rows = prof["spans"]["rows"]
    methods = prof["methods"]
    tracks = {r[col["track"]] for r in rows}
    child_time = [0.0] * len(rows)
    for r in rows:
        p = r[col["parent"]]
        if p >= 0 and rows[p][col["track"]] == r[col["track"]]:
            child_time[p] += r[col["dur_s"]]
    total, self_ = {}, {}
    for i, r in enumerate(rows):
        if r[col["track"]] != 0:
            continue
        name = methods[r[col["method"]]]
        self_[name] = self_.get(name, 0.0) + r[col["dur_s"]] - child_time[i]
        p, nested = r[col["parent"]], False
        while p >= 0 and rows[p][col["track"]] == 0:
            if rows[p][col["method"]] == r[col["method"]]:
                nested = True
                break
            p = rows[p][col["parent"]]
        if not nested:
            total[name] = total.get(name, 0.0) + r[col["dur_s"]]
    return total, self_, len(tracks)


def main():
    if len(sys.argv) != 5:
        sys.stderr.write(__doc__)
        return 2
    dom_path, log_path, profile_path, importer = sys.argv[1:]
    errors = []
    log = open(log_path, encoding="utf-8", errors="replace").read().splitlines()
    console = [line for line in log if "CONSOLE" in line]
    for line in console:
        m = re.search(r':CONSOLE[^\]]*\] "(.*)", source:', line)
        if (re.search(r":(WARNING|ERROR|FATAL):CONSOLE", line) or m is None
                or not re.match(QUIET, m.group(1))):
            errors.append("console: " + line[:300])
    if not any(('"Importing as ' + importer) in line for line in console):
        errors.append("speedscope did not say it imported a " + importer
                      + " (console: %s)" % " | ".join(c[-120:] for c in console[:6]))

    parser = Rows()
    parser.feed(open(dom_path, encoding="utf-8").read())
    text = re.sub(r"\s+", " ", "".join(parser.text))
    total, self_, n_tracks = expected(profile_path)
    m = re.search(r"\(1/(\d+)\)", text)
    if not m:
        errors.append("no profile counter '(1/N)' in the page: speedscope showed no profile")
    elif int(m.group(1)) != n_tracks:
        errors.append("speedscope shows %s profiles, the profile has %d tracks with spans"
                      % (m.group(1), n_tracks))
    got = {}
    for row in parser.rows:
        if len(row) == 3 and duration(row[0]) is not None and duration(row[1]) is not None:
            got[row[2]] = (duration(row[0]), duration(row[1]))
    if set(got) != set(total):
        errors.append("sandwich frames %s, expected the methods of track 0 %s"
                      % (sorted(got), sorted(total)))
    for name in sorted(set(got) & set(total)):
        for what, g, e in (("total", got[name][0], total[name]), ("self", got[name][1], self_[name])):
            # speedscope rounds to the digits it prints; the export to whole microseconds
            if abs(g[0] - e) > g[1] + 0.001 * e + 0.001:
                errors.append("%s: %s time %.6g s in speedscope, %.6g s in the profile"
                              % (name, what, g[0], e))
    if not got and len(errors) == 1 and total:
        # nothing but an empty table: the page was dumped before it drew the import (a loaded
        # machine); the caller loads it again with more time
        sys.stderr.write("speedscope_check: the sandwich table is not drawn yet\n")
        return 3
    for e in errors:
        sys.stderr.write("speedscope_check: " + e + "\n")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
