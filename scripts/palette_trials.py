"""Read real palette files with `somdesk palette info --json` and check each against an
independent count taken from the file itself (docs/palette-trials.md has the results).

    python scripts/palette_trials.py FILE_OR_FOLDER ...

For every file: the format somdesk detected, the colours it read, and what the file
itself says it holds, counted without somdesk's readers (colour lines of a GIMP
palette, <COLOR> elements, <draw:color> elements, ASE colour blocks, the ACO/ACT
count fields, NES sizes, JSON lists, book references ...).  A file "reads right"
when the counts agree and no error is raised.  Prints one line per file and a
summary per format.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import struct
import sys
import zipfile
from collections import defaultdict

EXTS = (".gpl", ".ase", ".aco", ".act", ".pal", ".kpl", ".soc", ".xml", ".sbz", ".json", ".csv",
        ".hex", ".txt", ".css", ".png", ".gif")


def expected_count(path: str, fmt: str, info: dict):
    """The number of colours the file itself declares or lists (None: no independent count)."""
    data = open(path, "rb").read()
    text = data.decode("utf-8", "replace")
    if fmt == "gpl":
        return sum(1 for line in text.splitlines()[1:] if re.match(r"\s*-?\d+\s+-?\d+\s+-?\d+", line))
    if fmt == "scribus":
        return len(re.findall(r"<COLOR\b", text, re.I))
    if fmt == "soc":
        return len(re.findall(r"<draw:color\b", text))
    if fmt == "sbz":
        xml = zipfile.ZipFile(path).read("swatchbook.xml").decode("utf-8") if data[:2] == b"PK" else text
        return len(re.findall(r"<swatch\b", xml)) or len(re.findall(r"<color\b", xml))
    if fmt == "kpl":
        xml = zipfile.ZipFile(path).read("colorset.xml").decode("utf-8") if data[:2] == b"PK" else text
        return len(re.findall(r"<ColorSetEntry\b", xml))
    if fmt == "ase":                      # blocks: u16 type, u32 length; 0x0001 = colour entry
        n, pos, colours = struct.unpack(">I", data[8:12])[0], 12, 0
        for _ in range(n):
            kind, length = struct.unpack(">HI", data[pos:pos + 6])
            colours += kind == 1
            pos += 6 + length
        return colours
    if fmt == "aco":                      # version 1 section: u16 version, u16 count
        return struct.unpack(">H", data[2:4])[0]
    if fmt == "act":
        return struct.unpack(">H", data[768:770])[0] if len(data) == 772 else len(data) // 3
    if fmt == "jasc-pal":                 # JASC-PAL, 0100, count
        return int(text.split()[2])
    if fmt == "riff-pal":                 # RIFF....PAL data....: u16 version, u16 count (little-endian)
        return struct.unpack("<H", data[22:24])[0]
    if fmt == "paintnet":
        return sum(1 for line in text.splitlines() if re.fullmatch(r"\s*[0-9A-Fa-f]{8}\s*", line))
    if fmt == "hex":
        return sum(1 for line in text.splitlines() if re.fullmatch(r"\s*#?[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?\s*", line))
    if fmt == "image":
        from PIL import Image
        with Image.open(path) as im:
            rgba = im.convert("RGBA")
            return len({c for _n, c in rgba.getcolors(1 << 24)})
    if fmt == "raw-pal":
        return len(data) // 3 // max(1, info.get("palettes", 1))
    if fmt == "json" and "palettes" in info:
        first = json.loads(text)
        first = first[0] if isinstance(first, list) else next(iter(first.values()))
        return len(first)
    if fmt == "csv" and "palettes" in info:
        import csv
        rows = [r for r in csv.reader(io.StringIO(text)) if r]
        if len(rows) < 2:
            return None
        col = next((i for i, v in enumerate(rows[1]) if v.strip().startswith("[")), None)
        return None if col is None else len(re.findall(r"#[0-9A-Fa-f]{6,8}", rows[1][col]))
    return None


def info_of(path: str) -> tuple[dict | None, str]:
    from somdesk.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["palette", "info", path, "--json"])
        except SystemExit as exc:
            code = exc.code
    if code != 0:
        return None, (err.getvalue().strip().splitlines() or ["exit %s" % code])[-1]
    return json.loads(out.getvalue()), ""


def files_of(args):
    for a in args:
        if os.path.isdir(a):
            for root, _dirs, names in os.walk(a):
                yield from (os.path.join(root, n) for n in sorted(names) if n.lower().endswith(EXTS))
        else:
            yield a


def main(args) -> int:
    summary = defaultdict(lambda: [0, 0, 0])    # format -> files, read right, colours
    for path in files_of(args):
        info, error = info_of(path)
        if info is None:
            print(f"REFUSED  {path}: {error}")
            summary["(refused)"][0] += 1
            continue
        fmt, n = info["format"], len(info["colors"])
        want = expected_count(path, fmt, info)
        ok = want is None or want == n
        s = summary[fmt]
        s[0] += 1
        s[1] += ok
        s[2] += n
        extra = f", {info['palettes']} palettes" if "palettes" in info else ""
        print(f"{'ok' if ok else 'MISMATCH':8} {path}: {fmt}, {n} colours{extra}"
              + ("" if want is None else f" (file says {want})"))
    print()
    for fmt, (files, right, colours) in sorted(summary.items()):
        print(f"{fmt:10} {files:4} files, {right:4} read right, {colours:,} colours")
    return 0 if all(f == r for f, r, _c in summary.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
