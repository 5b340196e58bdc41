"""Readers corrected after trying real files (docs/palette-trials.md)."""
from __future__ import annotations

from somdesk.io.palettes import read_palette_bytes

# ColorPaletteCodable's pear36-transparency.hex starts like this: each Lospec colour
# followed by its alpha (RRGGBBAA); Lospec itself never writes 8 digits.
EIGHT = b"5e315bBB\n8c3f5dBB\nba6156BB\n"


def test_bare_8_digits_in_a_hex_file_are_rrggbbaa():
    p = read_palette_bytes(EIGHT, "pear36-transparency.hex")
    assert p.format == "hex"
    assert [s.hex for s in p.swatches] == ["#5e315b", "#8c3f5d", "#ba6156"]
    assert [s.alpha for s in p.swatches] == [0xBB] * 3


def test_bare_8_digits_in_a_txt_file_stay_paint_net_aarrggbb():
    p = read_palette_bytes(EIGHT, "palette.txt")
    assert p.format == "paintnet"
    assert [s.hex for s in p.swatches] == ["#315bbb", "#3f5dbb", "#6156bb"]
    assert [s.alpha for s in p.swatches] == [0x5E, 0x8C, 0xBA]


def test_a_hex_file_mixing_6_and_8_digits_and_lists():
    p = read_palette_bytes(b"#ff0000\n00ff0080, 0000ff\n", "mixed.hex")
    assert [(s.hex, s.alpha) for s in p.swatches] == [("#ff0000", 255), ("#00ff00", 0x80), ("#0000ff", 255)]


def test_rgb_fractions_as_colour_map_files_write_them():
    # the first rows of pyqtgraph's colors/maps/CET-C1.csv (CET colour maps, 0..1 floats)
    data = b"0.976,0.520,0.971\n0.980,0.517,0.963\n0.984,0.514,0.954\n"
    p = read_palette_bytes(data, "CET-C1.csv")
    assert [s.hex for s in p.swatches] == ["#f985f8", "#fa84f6", "#fb83f3"]
    with_header = read_palette_bytes(b"r,g,b,name\n1.0,0.5,0,orange\n", "x.csv")
    assert [(s.hex, s.name) for s in with_header.swatches] == [("#ff8000", "orange")]


def test_integer_rgb_rows_stay_0_to_255():
    assert [s.hex for s in read_palette_bytes(b"0,0,1\n1,1,1\n", "x.csv").swatches] == ["#000001", "#010101"]
    # one value above 1 makes the whole file 0..255
    assert [s.hex for s in read_palette_bytes(b"0.5,0,1\n2,0,0\n", "x.csv").swatches] == ["#000001", "#020000"]


def test_a_txt_of_hash_colours_with_a_stray_name_names_that_line():
    # ColorPaletteCodable's basic1alpha.txt: '#rrggbbaa' lines, one followed by a name
    import pytest

    from somdesk.io.palettes import PaletteError

    with pytest.raises(PaletteError, match=r"line 2: 'This' is not a hex colour"):
        read_palette_bytes(b"#fcfc80aa\n#fcf87cbb This is a duck\n", "basic1alpha.txt")
    assert read_palette_bytes(b"#fcfc80aa\n#fcf87cbb\n", "clean.txt").format == "hex"
