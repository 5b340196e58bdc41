"""Counts in words (tester10 #23): "1 rows", "10000 colours", "1 frames" were shown.  Every count a
message shows goes through core.options.count_text; a source scan fails on a new f-string that
writes a count and a plural noun by hand."""
from __future__ import annotations

import io
import pathlib
import re
import tokenize

import numpy as np
import pytest

from somdesk.core.options import count_text, plural

ROOT = pathlib.Path(__file__).resolve().parents[1] / "somdesk"

# the count nouns of somdesk's messages, plural
NOUNS = ("rows", "colours", "colors", "bytes", "pixels", "values", "nodes", "epochs", "columns", "palettes",
         "frames", "files", "iterations", "items", "segments", "members", "inputs", "blocks", "sheets",
         "samples", "numbers", "names", "lines", "levels", "labels", "entries", "elements", "chunks",
         "characters", "cells", "fields", "groups", "clusters", "records", "partitions", "points", "steps",
         "features", "tiles", "runs", "pictures", "words", "swatches", "matches", "maps", "outliers",
         "categories", "comments", "expressions", "arrays", "threads", "workers", "tasks", "duplicates", "pairs")
HAND_COUNT = re.compile(r"\{([^{}]+)\} (?:" + "|".join(NOUNS) + r")\b")
# "{n} row{'' if n == 1 else 's'}", "{n} colour(s) left" (not "{name} has no column(s) 'a'": no count)
HAND_PLURAL = re.compile(r"""\{['"]s?['"] if [^{}]*else ['"]s?['"]\}|\{(?!['"])[^{}]+\} (?!has |is |are )(?:[a-z-]+ ){0,2}[a-z]+\(s\)""")
# {expr} before a plural noun that is not a count: a kind of value ("text values"), a format's label
NOT_COUNTS = {"kind", "kind[0][0]", "model", "cls.lower()", "label", "sizes"}


def hand_written_counts(path: pathlib.Path) -> list[str]:
    """The f-string pieces of `path` that write a count and its plural noun by hand."""
    found = []
    for tok in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
        if tok.type != tokenize.STRING or "f" not in re.match(r"[a-zA-Z]*", tok.string).group(0).lower():
            continue
        for m in HAND_COUNT.finditer(tok.string):
            expr = m.group(1).split(":")[0].strip()
            if "!" in m.group(1) or expr in NOT_COUNTS or expr.startswith(("'", '"')):
                continue
            spec = m.group(1)[len(m.group(1).split(":")[0]):]
            if spec not in ("", ":,", ":d", ":,d"):       # "{x:.1f} million rows": not a whole count
                continue
            if re.search(r"\}\s*[×x]\s*$", tok.string[:m.start()]):     # "{h} × {w} nodes": a size
                continue
            found.append(f"{path.relative_to(ROOT.parent)}:{tok.start[0]}: {m.group(0)}")
        for m in HAND_PLURAL.finditer(tok.string):
            found.append(f"{path.relative_to(ROOT.parent)}:{tok.start[0]}: {m.group(0)}")
    return found


def test_no_message_writes_a_count_and_its_plural_by_hand():
    found = [hit for p in sorted(ROOT.rglob("*.py")) if p.name != "options.py" for hit in hand_written_counts(p)]
    assert found == [], ("use core.options.count_text(n, 'row') for these counts:\n" + "\n".join(found))


def test_the_scan_finds_a_hand_written_count(tmp_path):
    p = tmp_path / "somdesk" / "m.py"
    p.parent.mkdir()
    p.write_text('n = 1\nA = f"wrote {n} rows"\nB = f"{n:,} colours"\nC = f"{n} file{\'s\' if n != 1 else \'\'}"\n'
                 'D = f"{n} colour(s) left"\nE = f"{count_text(n, \'row\')}"\nF = f"{n} × {n} nodes"\n'
                 'G = "{n} rows"\n', encoding="utf-8")
    global ROOT
    old, ROOT = ROOT, tmp_path / "somdesk"
    try:
        hits = hand_written_counts(p)
    finally:
        ROOT = old
    assert [h.split(":")[1] for h in hits] == ["2", "3", "4", "5"]


@pytest.mark.parametrize("n, noun, text", [
    (1, "row", "1 row"), (2, "row", "2 rows"), (0, "row", "0 rows"), (10_000, "colour", "10,000 colours"),
    (1, "entry", "1 entry"), (3, "entry", "3 entries"), (2, "day", "2 days"), (2, "pass", "2 passes"),
    (2, "index", "2 indices"), (1, "frame", "1 frame"), (2, "epoch", "2 epochs"), (2, "colour name", "2 colour names"),
    (np.int64(1_234_567), "byte", "1,234,567 bytes"), (1.0, "row", "1 row"), (2.5, "row", "2.5 rows"),
    (-3, "row", "-3 rows"),
])
def test_count_text(n, noun, text):
    assert count_text(n, noun) == text


def test_a_plural_of_ones_own():
    assert count_text(2, "more file", "more files") == "2 more files"
    assert plural("swatch") == "swatches" and plural("key") == "keys" and plural("category") == "categories"
