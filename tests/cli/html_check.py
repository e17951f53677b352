#!/usr/bin/env python3
"""html_check.py - checks an fpsim HTML page (used by test_html.sh and html_browser.sh).

  html_check.py page FILE [--svg-dir DIR] ID...
      FILE must parse as XML (strict: expat), be one self-contained page (no script, no
      external reference), and every <svg> must have an id, an aria-label, a <title> and a
      <desc>; each ID must be an <svg> holding at least one shape with non-empty geometry.
      With --svg-dir, every <svg> is also written there as its own file (for xmllint).
  html_check.py dom FILE ID...
      FILE is Chromium's --dump-dom after load (HTML serialisation, parsed with html.parser):
      each ID must be an <svg> element with non-empty geometry inside.
  html_check.py contains PAGE TEXTFILE
      the text document TEXTFILE, escaped as fpsim escapes it, is inside PAGE's <pre>.
Exit 0 when every check holds, else 1 with the reasons on stderr.
"""
import re
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

SVG = "{http://www.w3.org/2000/svg}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def fail(msg):
    sys.stderr.write("html_check: " + msg + "\n")
    return 1


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return 0.0


def shape_ok(tag, a):
    """Non-empty geometry of one shape, from its attributes."""
    if tag == "rect":
        return num(a.get("width")) > 0 and num(a.get("height")) > 0
    if tag == "path":
        return len(re.findall(r"[ML]", a.get("d", ""))) >= 2
    if tag == "circle":
        return num(a.get("r")) > 0
    if tag == "line":
        return (a.get("x1"), a.get("y1")) != (a.get("x2"), a.get("y2"))
    return False


def page(argv):
    svg_dir = None
    if argv[1:2] == ["--svg-dir"]:
        svg_dir = argv[2]
        argv = argv[:1] + argv[3:]
    path, ids = argv[0], argv[1:]
    text = open(path, encoding="utf-8").read()
    try:
        root = ET.fromstring(text.split("\n", 1)[1] if text.startswith("<!DOCTYPE") else text)
    except ET.ParseError as e:
        return fail("%s: not well-formed: %s" % (path, e))
    bad = 0
    if root.tag != XHTML + "html":
        bad |= fail("%s: root is %s" % (path, root.tag))
    title = root.find(XHTML + "head/" + XHTML + "title")
    if title is None or not (title.text or "").strip():
        bad |= fail("%s: no <title>" % path)
    for el in root.iter():
        tag = el.tag.split("}")[-1]
        if tag in ("script", "iframe", "object", "embed", "link", "img"):
            bad |= fail("%s: has <%s>" % (path, tag))
        for k, v in el.attrib.items():
            if k.split("}")[-1] in ("src", "href") and not v.startswith("#"):
                bad |= fail("%s: external reference %s=%s" % (path, k, v))
    if re.search(r"url\(|@import|https?://(?!www\.w3\.org/)", text):
        bad |= fail("%s: a network reference in the page" % path)
    seen = {}
    for n, svg in enumerate(root.iter(SVG + "svg")):
        sid = svg.get("id")
        if not sid or not svg.get("aria-label"):
            bad |= fail("%s: svg #%d without id or aria-label" % (path, n))
        if svg.find(SVG + "title") is None or svg.find(SVG + "desc") is None:
            bad |= fail("%s: svg %s without <title> and <desc>" % (path, sid))
        if sid in seen:
            bad |= fail("%s: duplicate svg id %s" % (path, sid))
        seen[sid] = any(shape_ok(e.tag.split("}")[-1], e.attrib) for e in svg.iter())
        if svg_dir:
            with open("%s/%s.svg" % (svg_dir, sid), "w", encoding="utf-8") as f:
                f.write(ET.tostring(svg, encoding="unicode"))
    for i in ids:
        if i not in seen:
            bad |= fail("%s: no svg with id %s (have %s)" % (path, i, " ".join(seen)))
        elif not seen[i]:
            bad |= fail("%s: svg %s has no shape with non-empty geometry" % (path, i))
    return bad


class Dom(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # ids of the open svg elements
        self.svgs = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self.stack.append(a.get("id"))
            self.svgs.setdefault(a.get("id"), False)
        elif self.stack and shape_ok(tag, a):
            self.svgs[self.stack[0]] = True

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "svg" and self.stack:
            self.stack.pop()


def dom(argv):
    d = Dom()
    d.feed(open(argv[0], encoding="utf-8", errors="replace").read())
    bad = 0
    if not d.svgs:
        bad |= fail("%s: no svg in the loaded DOM" % argv[0])
    for i in argv[1:]:
        if i not in d.svgs:
            bad |= fail("%s: loaded DOM lacks svg %s" % (argv[0], i))
        elif not d.svgs[i]:
            bad |= fail("%s: loaded svg %s has no non-empty geometry" % (argv[0], i))
    return bad


def escape(s):
    out = []
    for ch in s:
        if ch == "\n":
            out.append(ch)
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append(" ")
        else:
            out.append({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}.get(ch, ch))
    return "".join(out)


def contains(argv):
    page_text = open(argv[0], encoding="utf-8").read()
    want = escape(open(argv[1], encoding="utf-8").read())
    m = re.search(r"<pre>(.*?)</pre>", page_text, re.S)
    if m is None:
        return fail("%s: no <pre>" % argv[0])
    if m.group(1) != want:
        return fail("%s: the <pre> is not the text document %s" % (argv[0], argv[1]))
    return 0


if __name__ == "__main__":
    cmd = {"page": page, "dom": dom, "contains": contains}.get(sys.argv[1] if len(sys.argv) > 1 else "")
    if cmd is None:
        sys.exit(fail("usage: html_check.py page|dom|contains ..."))
    sys.exit(cmd(sys.argv[2:]))
