"""Issue 11 formats and reader corrections: Photoshop .act, raw NES .pal,
Scribus colour sets, one-line hex lists, ASE of any version, Krita Lab by
the file's version.  Fixtures come from make_fixtures_issue11.py."""
import struct

import pytest

from somdesk.io.palettes import (PaletteError, detect_format, read_palette, read_palette_bytes,
                                 read_palettes)

from _palette_testutil import check_outcome, fixture_bytes, fixture_path


def rows(p):
    return [(s.hex, s.name) for s in p.swatches]


def error_for(data, filename):
    result = check_outcome(read_palette_bytes, data, filename)
    assert isinstance(result, PaletteError), f"expected an error, got {result!r}"
    return str(result)


# -- Photoshop .act -------------------------------------------------------------------
def test_act_768_bytes_is_256_colours():
    p = read_palette(fixture_path("act_plain.act"))
    assert p.format == "act" and len(p) == 256 and p.warnings == ()
    assert [s.rgb for s in p.swatches[:3]] == [(0, 255, 0), (1, 254, 7), (2, 253, 14)]
    assert p.swatches[255].rgb == (255, 0, (255 * 7) % 256)
    assert not p.has_alpha


def test_act_772_bytes_uses_count_and_transparent_index():
    p = read_palette(fixture_path("act_transparent.act"))
    assert rows(p) == [("#ff0000", None), ("#00ff00", None), ("#0000ff", None), ("#ffffff", None)]
    assert [s.alpha for s in p.swatches] == [255, 255, 255, 0]


def test_act_short_file_reads_like_gimp_with_a_warning():
    p = read_palette(fixture_path("act_short.act"))
    assert [s.rgb for s in p.swatches] == [(10, 20, 30), (40, 50, 60)]
    assert "GIMP" in p.warnings[0]


@pytest.mark.parametrize("count, transparent, n, warn", [
    (0, 0xFFFF, 256, "outside 1..256"),
    (300, 0xFFFF, 256, "outside 1..256"),
    (2, 5, 2, "transparent index 5"),
    (256, 0xFFFF, 256, None),
])
def test_act_odd_trailers(count, transparent, n, warn):
    data = bytes(768) + struct.pack(">HH", count, transparent)
    p = read_palette_bytes(data, "odd.act")
    assert len(p) == n and not p.has_alpha
    assert (warn is None and p.warnings == ()) or any(warn in w for w in p.warnings)


@pytest.mark.parametrize("size", [769, 770, 771, 900, 1])
def test_act_other_sizes_are_refused_naming_the_size(size):
    message = error_for(bytes(size), "odd.act")
    assert "768 or 772 bytes" in message and (f"{size:,} bytes" if size != 1 else "is 1 byte") in message


# -- raw RGB .pal ---------------------------------------------------------------------
def test_nes_192_bytes_is_64_colours():
    p = read_palette(fixture_path("nes_64.pal"))
    assert p.format == "raw-pal" and len(p) == 64
    assert [s.rgb for s in p.swatches[:2]] == [(0, 255, 0), (4, 251, 2)]
    assert p.swatches[63].rgb == (252, 3, 126)


def test_nes_1536_bytes_is_eight_emphasis_palettes():
    data = fixture_bytes("nes_512.pal")
    palettes = read_palettes(fixture_path("nes_512.pal"))
    assert [p.name for p in palettes] == [
        "no emphasis", "red emphasis", "green emphasis", "red+green emphasis", "blue emphasis",
        "red+blue emphasis", "green+blue emphasis", "red+green+blue emphasis"]
    for e, p in enumerate(palettes):
        assert len(p) == 64
        assert [s.rgb for s in p.swatches] == [tuple(data[3 * (64 * e + i):3 * (64 * e + i) + 3])
                                               for i in range(64)]
    assert read_palette(fixture_path("nes_512.pal"), index=4).name == "blue emphasis"


def test_raw_768_pal_and_signatures_win_over_size():
    assert read_palette_bytes(bytes(range(256)) * 3, "vga.pal").format == "raw-pal"
    jasc = b"JASC-PAL\r\n0100\r\n1\r\n1 2 3\r\n"
    padded = jasc + b" " * (192 - len(jasc))          # a JASC file of exactly 192 bytes
    assert detect_format(padded, "x.pal") == "jasc-pal"
    assert read_palette_bytes(padded, "x.pal").swatches[0].rgb == (1, 2, 3)


def test_binary_pal_of_another_size_names_the_sizes():
    message = error_for(b"\x00\x07" * 100, "game.pal")
    assert "192 (64 colours)" in message and "200 bytes" in message and "JASC-PAL or RIFF" in message


# -- Scribus ------------------------------------------------------------------------------
def test_scribus_rgb_cmyk_space_and_attributes():
    p = read_palette(fixture_path("scribus_set.xml"))
    assert p.format == "scribus" and p.name == "Scribus Test"
    assert rows(p) == [("#ff0000", "Red"), ("#00ffff", "Cyan"), ("#000000", "Registration"),
                       ("#808080", "Half K"), ("#0080ff", "Sky"), ("#ffffff", "Lab white"),
                       ("#123456", "lower case")]
    assert p.warnings == ()


def test_scribus_cmyk_uses_the_documented_naive_conversion():
    from somdesk.io.palettes import colorspaces as cs
    xml = b'<SCRIBUSCOLORS><COLOR NAME="x" CMYK="#1a334d66"/></SCRIBUSCOLORS>'
    expected = cs.cmyk_to_rgb(0x1a / 255, 0x33 / 255, 0x4d / 255, 0x66 / 255)
    assert read_palette_bytes(xml, "s.xml").swatches[0].rgb == expected


@pytest.mark.parametrize("xml, what", [
    (b'<SCRIBUSCOLORS><COLOR NAME="x"/></SCRIBUSCOLORS>', "colour 1 ('x') has no RGB, CMYK or SPACE"),
    (b'<SCRIBUSCOLORS><COLOR NAME="x" RGB="red"/></SCRIBUSCOLORS>', "RGB='red'"),
    (b'<SCRIBUSCOLORS><COLOR NAME="x" CMYK="#ff00"/></SCRIBUSCOLORS>', "CMYK='#ff00'"),
    (b'<SCRIBUSCOLORS><COLOR SPACE="RGB" R="x"/></SCRIBUSCOLORS>', "attribute R is 'x'"),
    (b'<SCRIBUSCOLORS></SCRIBUSCOLORS>', "no colours"),
    (b'<swatches><COLOR RGB="#ff0000"/></swatches>', "root <swatches>"),
])
def test_scribus_errors_name_the_structure(xml, what):
    assert what in error_for(xml, "bad.xml")


# -- hex lists on one line ----------------------------------------------------------------
@pytest.mark.parametrize("name, expected", [
    ("hexline.txt", ["#f9dcdd", "#f3b2b6", "#eb8a90", "#e35f6a"]),
    ("hexline.csv", ["#000000", "#555555", "#aaaaaa", "#ffffff"]),
    ("hexline.hex", ["#f9dcdd", "#f3b2b6", "#000000", "#123456"]),
])
def test_hex_lists_keep_every_colour(name, expected):
    p = read_palette(fixture_path(name))
    assert [s.hex for s in p.swatches] == expected and p.warnings == ()


def test_hex_list_alpha_is_kept():
    assert [s.alpha for s in read_palette(fixture_path("hexline.hex")).swatches] == [255, 128, 136, 255]


@pytest.mark.parametrize("data, filename, what", [
    (b"#ff0000, #00ff00, banana\n", "x.txt", "'banana' is not a hex colour"),
    (b"#ff0000, #00ff00, #12345\n", "x.hex", "'#12345' is not a hex colour"),
    (b"#ff0000,#00ff00,nope\n", "x.csv", "'nope' is not a hex colour"),
])
def test_hex_lists_never_drop_a_bad_token_silently(data, filename, what):
    message = error_for(data, filename)
    assert what in message and "line 1" in message


def test_headerless_csv_with_a_name_column_still_reads_names():
    p = read_palette_bytes(b"#ff0000,Red\n#00ff00,Green\n", "x.csv")
    assert rows(p) == [("#ff0000", "Red"), ("#00ff00", "Green")]


# -- ASE version -----------------------------------------------------------------------------
def test_ase_version_01_from_converters_reads_with_a_warning():
    p = read_palette(fixture_path("ase_version_01.ase"))
    assert rows(p) == [("#ff0000", "Red")]
    assert p.warnings == ("unusual ASE version 0.1 (Adobe writes 1.0); read anyway",)


# -- Krita Lab ---------------------------------------------------------------------------------
LAB_EXPECTED = [("#000000", "Black"), ("#ffffff", "White"), ("#ff0000", "Red"), ("#0000ff", "Blue")]


@pytest.mark.parametrize("name", ["krita5_lab.kpl", "krita4_lab.kpl"])
def test_krita_lab_black_white_saturated_follow_the_version(name):
    p = read_palette(fixture_path(name))
    assert rows(p) == LAB_EXPECTED


@pytest.mark.parametrize("version", ['version="2.0"', ""])
def test_krita5_lab_black_in_real_units_is_black(version):
    # The old heuristic read L=a=b=0 as "normalised" and gave #003bc3.
    xml = (f'<ColorSet name="n" {version}><ColorSetEntry name="k">'
           '<Lab L="0" a="0" b="0"/></ColorSetEntry>'
           '<ColorSetEntry name="dim"><Lab L="1" a="0.5" b="0.5"/></ColorSetEntry>'
           '</ColorSet>').encode()
    p = read_palette_bytes(xml, "x.kpl")
    assert p.swatches[0].rgb == (0, 0, 0)
    assert max(p.swatches[1].rgb) <= 5        # L=1 is nearly black, not white


def test_krita_version_1_with_real_unit_values_warns():
    xml = (b'<ColorSet version="1.0"><ColorSetEntry name="r">'
           b'<Lab L="54.29" a="80.8" b="69.89"/></ColorSetEntry></ColorSet>')
    p = read_palette_bytes(xml, "x.kpl")
    assert p.swatches[0].hex == "#ff0000" and "outside 0..1" in p.warnings[0]


def test_krita_unknown_version_warns():
    xml = b'<ColorSet version="9"><ColorSetEntry><sRGB r="1" g="0" b="0"/></ColorSetEntry></ColorSet>'
    assert "unknown colorset version" in read_palette_bytes(xml, "x.kpl").warnings[0]


def test_a_text_palette_named_act_is_read_by_its_header():
    assert read_palette_bytes(b"GIMP Palette\n1 2 3 x\n", "mislabelled.act").format == "gpl"
    assert read_palette_bytes(b"JASC-PAL\r\n0100\r\n1\r\n1 2 3\r\n", "m.act").format == "jasc-pal"


def test_zip_without_colorset_names_what_it_holds():
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("swatchbook.xml", "<SwatchBook/>")
    # a SwatchBooker book now goes to its own reader (test_palette_sbz.py), which names what is missing
    assert "contains no colours" in error_for(buf.getvalue(), "ral.sbz")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "hi")
    assert "it holds 'readme.txt'" in error_for(buf.getvalue(), "x.kpl")
