"""`write_losses` says exactly what a write drops: every writable format is round-tripped and
each thing that did not come back (colour names, the palette's own name, the grid width) must
be in the warnings, and nothing that did come back (tester11: a .aco dropped the palette name
without a word).  Also the .aco name sections: version 1 (no names) + version 2 (UTF-16BE names)."""
import argparse
import re
import struct

import pytest

from somdesk.cli_palette import register
from somdesk.io.palettes import (WRITE_FORMATS, Palette, Swatch, palette_to_bytes, read_palette_bytes,
                                 write_losses)

EXT = {"gpl": "gpl", "hex": "hex", "ase": "ase", "aco": "aco", "jasc-pal": "pal", "css": "css",
       "json": "json", "act": "act", "sbz": "sbz"}
NAMES = ["Red", "Grün ✓", "emoji \U0001F600 x", "a'b\"c"]
FULL = Palette([Swatch((255, 0, 0), NAMES[0]), Swatch((0, 200, 0), NAMES[1]),
                Swatch((1, 2, 3), NAMES[2]), Swatch((9, 9, 90), NAMES[3])],
               name="My palette", columns=2)


def _back(palette: Palette, fmt: str) -> Palette:
    return read_palette_bytes(palette_to_bytes(palette, fmt), "x." + EXT[fmt])


def test_every_format_is_listed():
    assert set(EXT) == set(WRITE_FORMATS)


@pytest.mark.parametrize("fmt", sorted(EXT))
def test_losses_are_what_the_round_trip_loses(fmt):
    back = _back(FULL, fmt)
    losses = " | ".join(write_losses(FULL, fmt))
    names_kept = [s.name for s in back.swatches] == NAMES
    assert names_kept == (re.search(r"\d+ colour names? (and|is|are)", losses) is None), (fmt, losses)
    assert (back.name == FULL.name) == ("the palette name" not in losses), (fmt, back.name, losses)
    assert (back.columns == FULL.columns) == ("grid width" not in losses), (fmt, back.columns, losses)


@pytest.mark.parametrize("fmt", sorted(EXT))
def test_nothing_to_lose_nothing_said(fmt):
    plain = Palette([Swatch((255, 0, 0)), Swatch((0, 0, 255))])
    assert write_losses(plain, fmt) == []


def test_aco_palette_name_is_reported():
    assert write_losses(FULL, "aco") == [
        "Photoshop swatches files keep colour names only; the palette name is not saved",
        "Photoshop swatches files have no grid width; the layout 2 colours wide is not saved"]


def _sections(data: bytes):
    """(v1 bytes, v2 bytes) of a .aco written by us."""
    version, count = struct.unpack(">HH", data[:4])
    assert version == 1
    end = 4 + 10 * count
    return data[:end], data[end:]


def test_aco_writes_v1_then_v2_with_utf16_names():
    data = palette_to_bytes(FULL, "aco")
    v1, v2 = _sections(data)
    assert struct.unpack(">HH", v2[:4]) == (2, 4)
    # v1 colours are the v2 colours (old readers see the same swatches)
    assert v1[4:14] == v2[4:14]
    units = struct.unpack(">I", v2[14:18])[0]
    assert v2[18:18 + 2 * units] == "Red\x00".encode("utf-16-be")
    # a name outside the BMP counts UTF-16 code units (a surrogate pair is 2)
    assert "emoji \U0001F600 x\x00".encode("utf-16-be") in v2
    assert struct.pack(">I", len("emoji \U0001F600 x") + 2) in v2


def test_aco_reading_each_version():
    data = palette_to_bytes(FULL, "aco")
    v1, v2 = _sections(data)
    both = read_palette_bytes(data, "b.aco")
    assert [s.name for s in both.swatches] == NAMES and both.warnings == ()
    only_v2 = read_palette_bytes(v2, "v2.aco")
    assert [s.name for s in only_v2.swatches] == NAMES
    only_v1 = read_palette_bytes(v1, "v1.aco")
    assert [s.name for s in only_v1.swatches] == [None] * 4
    assert [s.hex for s in only_v1.swatches] == [s.hex for s in both.swatches] == [s.hex for s in FULL.swatches]


def test_aco_unnamed_colours_stay_unnamed():
    p = Palette([Swatch((1, 1, 1), "One"), Swatch((2, 2, 2))])
    assert [s.name for s in _back(p, "aco").swatches] == ["One", None]


def _run(*argv):
    parser = argparse.ArgumentParser(prog="somdesk")
    register(parser.add_subparsers(dest="command"))
    ns = parser.parse_args(list(argv))
    return ns.func(ns)


def test_palette_sort_says_what_the_output_format_drops(tmp_path, capsys):
    """`palette sort` wrote names, the palette name and the grid away without a word, where
    `palette convert` warned."""
    src = tmp_path / "named.gpl"
    src.write_text("GIMP Palette\nName: Mine\n#\n255 0 0 Red\n0 255 0 Green\n0 0 255 Blue\n9 9 9 Ink\n",
                   encoding="utf-8")
    assert _run("palette", "sort", str(src), str(tmp_path / "o.aco"), "--layout", "grid") == 0
    err = capsys.readouterr().err
    assert "o.aco: Photoshop swatches files keep colour names only; the palette name is not saved" in err
    assert "grid width" in err
    assert _run("palette", "sort", str(src), str(tmp_path / "o.hex")) == 0
    err = capsys.readouterr().err
    assert "4 colour names and the palette name are not saved" in err
    assert _run("palette", "sort", str(src), str(tmp_path / "o.gpl"), "--layout", "grid") == 0
    assert capsys.readouterr().err == ""
