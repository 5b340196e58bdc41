"""Photoshop .aco grayscale swatches (colour space 8) hold ink, as Photoshop's Grayscale K %
and GIMP's loader (app/core/gimppalette-load.c: `1.0 - w / 10000.0`) read them: 0 = white,
10000 = black (tester7 F12: somdesk read them the other way round)."""
from __future__ import annotations

import struct

from somdesk.io.palettes import read_palette_bytes


def _aco_v1(colours) -> bytes:
    """An .aco version-1 section as Adobe's file format specification lays it out."""
    out = struct.pack(">HH", 1, len(colours))
    for space, w in colours:
        out += struct.pack(">5H", space, w, 0, 0, 0)
    return out


def test_gray_swatches_are_ink():
    pal = read_palette_bytes(_aco_v1([(8, 0), (8, 5000), (8, 10000), (8, 2500)]), "greys.aco")
    assert [s.hex for s in pal.swatches] == ["#ffffff", "#808080", "#000000", "#bfbfbf"]


def test_gray_above_10000_is_black_with_a_warning():
    pal = read_palette_bytes(_aco_v1([(8, 12000)]), "g.aco")
    assert pal.swatches[0].hex == "#000000"
    assert any("above 10000 clamped" in w for w in pal.warnings)
