"""Transparency in the palette model: readers keep alpha, writers that can hold
it write it (byte layouts from each format's documentation), round trips keep
it, and `write_losses` says what a format cannot keep."""
import json
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from somdesk.io.palettes import (WRITE_FORMATS, Palette, PaletteError, Swatch, palette_to_bytes,
                                 read_palette, read_palette_bytes, write_losses)

from _palette_testutil import fixture_path

EXT = {"gpl": ".gpl", "hex": ".hex", "ase": ".ase", "aco": ".aco", "jasc-pal": ".pal",
       "css": ".css", "json": ".json", "act": ".act", "sbz": ".sbz"}
FULL_ALPHA = {"gpl", "css", "json"}

ALPHA = Palette([Swatch((255, 0, 0), "Red"), Swatch((0, 128, 255), "Glass", 128),
                 Swatch((1, 2, 3), None, 0)], name="A")


# -- model -------------------------------------------------------------------------------
def test_swatch_alpha_defaults_and_checks():
    s = Swatch((1, 2, 3))
    assert s.alpha == 255 and s.rgba == (1, 2, 3, 255) and s.hex8 == "#010203ff"
    assert Swatch((1, 2, 3), alpha=np.uint8(7)).alpha == 7
    for bad in (256, -1):
        with pytest.raises(ValueError):
            Swatch((1, 2, 3), alpha=bad)
    with pytest.raises(TypeError):
        Swatch((1, 2, 3), alpha=0.5)


def test_rgba_array_round_trip():
    arr = ALPHA.to_rgba_array()
    assert arr.shape == (3, 4)
    np.testing.assert_allclose(arr[:, 3], [1.0, 128 / 255, 0.0])
    back = Palette.from_array(arr, names=[s.name for s in ALPHA.swatches], name="A")
    assert back == ALPHA
    assert ALPHA.to_array().shape == (3, 3)
    assert ALPHA.has_alpha and not Palette([Swatch((0, 0, 0))]).has_alpha


def test_json_dict_has_alpha_only_when_not_opaque():
    assert ALPHA.to_json_dict()["colors"] == [
        {"hex": "#ff0000", "name": "Red"}, {"hex": "#0080ff", "name": "Glass", "alpha": 128},
        {"hex": "#010203", "name": None, "alpha": 0}]


# -- readers ------------------------------------------------------------------------------
def test_png_trns_alpha_is_kept():
    p = read_palette(fixture_path("indexed_trns.png"))
    assert [s.rgba for s in p.swatches] == [(255, 0, 0, 255), (0, 255, 0, 0), (0, 0, 255, 128),
                                            (255, 255, 255, 255)]
    assert p.warnings == ()


def test_gif_transparent_index_is_kept(tmp_path):
    from PIL import Image
    im = Image.new("P", (3, 1))
    im.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255])
    im.putdata([0, 1, 2])
    im.save(tmp_path / "t.gif", transparency=1)
    p = read_palette(tmp_path / "t.gif")
    assert [s.alpha for s in p.swatches[:3]] == [255, 0, 255]


# -- writer layouts (documentation) ----------------------------------------------------
def test_act_layout_772_with_count_and_transparent_index():
    data = palette_to_bytes(ALPHA, "act")
    assert len(data) == 772
    assert data[:9] == bytes([255, 0, 0, 0, 128, 255, 1, 2, 3])
    assert data[9:768] == bytes(759)                               # black padding
    assert data[768:] == struct.pack(">HH", 3, 2)                  # 3 colours, index 2 clear


def test_act_layout_768_for_256_opaque_colours_and_limits():
    full = Palette([Swatch((i, i, i)) for i in range(256)])
    assert palette_to_bytes(full, "act") == bytes(v for i in range(256) for v in (i, i, i))
    opaque = Palette([Swatch((9, 8, 7))])
    assert palette_to_bytes(opaque, "act")[768:] == b"\x00\x01\xff\xff"   # no transparency
    with pytest.raises(PaletteError, match="at most 256 colours"):
        palette_to_bytes(Palette([Swatch((0, 0, 0))] * 257), "act")


def test_gpl_rgba_layout():
    assert palette_to_bytes(ALPHA, "gpl") == (
        b"GIMP Palette\nName: A\nChannels: RGBA\n#\n"
        b"255   0   0 255\tRed\n  0 128 255 128\tGlass\n  1   2   3   0\n")


def test_css_alpha_layout():
    assert palette_to_bytes(ALPHA, "css") == (
        b"/* Palette: A */\n:root {\n  --Red: #ff0000;\n  --Glass: #0080ff80;\n"
        b"  --color-3: #01020300;\n}\n")


def test_json_alpha_layout():
    assert json.loads(palette_to_bytes(ALPHA, "json")) == ALPHA.to_json_dict()


# -- round trips --------------------------------------------------------------------------
def expected_alpha(palette, fmt):
    alphas = [s.alpha for s in palette.swatches]
    if fmt in FULL_ALPHA:
        return alphas
    if fmt == "act":
        first = next((i for i, a in enumerate(alphas) if a == 0), None)
        return [0 if i == first else 255 for i in range(len(alphas))]
    return [255] * len(alphas)


@pytest.mark.parametrize("fmt", WRITE_FORMATS)
def test_alpha_round_trip_per_format(fmt):
    back = read_palette_bytes(palette_to_bytes(ALPHA, fmt), "x" + EXT[fmt])
    assert [s.rgb for s in back.swatches] == [s.rgb for s in ALPHA.swatches]
    assert [s.alpha for s in back.swatches] == expected_alpha(ALPHA, fmt)


swatch = st.builds(Swatch, st.tuples(*[st.integers(0, 255)] * 3),
                   st.one_of(st.none(), st.text(max_size=20)), st.integers(0, 255))
palettes = st.builds(Palette, st.lists(swatch, min_size=1, max_size=40))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(palette=palettes, fmt=st.sampled_from(WRITE_FORMATS))
def test_hypothesis_alpha_round_trip(palette, fmt):
    back = read_palette_bytes(palette_to_bytes(palette, fmt), "h" + EXT[fmt])
    assert [s.rgb for s in back.swatches] == [s.rgb for s in palette.swatches]
    assert [s.alpha for s in back.swatches] == expected_alpha(palette, fmt)
    losses = write_losses(palette, fmt)
    lost_alpha = expected_alpha(palette, fmt) != [s.alpha for s in palette.swatches]
    assert lost_alpha == any("alpha" in w for w in losses)


# -- write_losses ---------------------------------------------------------------------------
def test_write_losses_sentences():
    assert write_losses(ALPHA, "gpl") == []
    assert write_losses(ALPHA, "hex") == [
        "Lospec hex palette files have no names; 2 colour names and the palette name are not saved",
        "Lospec hex palette files have no transparency; 2 colours with alpha below 255 are "
        "saved opaque"]
    assert write_losses(ALPHA, "act")[-1] == (
        "Photoshop colour table files mark at most one colour fully transparent; 1 other "
        "colour with alpha below 255 is saved opaque")
    assert write_losses(Palette([Swatch((0, 0, 0), alpha=0)]), "act") == []
    with pytest.raises(PaletteError, match="writable formats"):
        write_losses(ALPHA, "kpl")


def test_write_losses_name_only_what_the_palette_has():
    """An unnamed palette (a .hex file's) has no names to lose (Save palette as said "Not kept:
    names" for one); a named one's message says which names it loses."""
    rgb = [Swatch((1, 2, 3)), Swatch((4, 5, 6))]
    assert write_losses(Palette(rgb), "hex") == [] and write_losses(Palette(rgb), "jasc-pal") == []
    assert write_losses(Palette(rgb, name="Mine"), "hex") == [
        "Lospec hex palette files have no names; the palette name is not saved"]
    assert write_losses(Palette([Swatch((1, 2, 3), "Ink"), rgb[1]]), "hex") == [
        "Lospec hex palette files have no names; 1 colour name is not saved"]
