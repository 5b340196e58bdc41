"""Formats are recognised by content; the extension only breaks text ties."""

import pytest

from somdesk.io.palettes import PaletteError, detect_format, read_palette_bytes

from _palette_testutil import fixture_bytes

EXPECTED = {
    "gpl_crlf_bom.gpl": "gpl", "gpl_rgba.gpl": "gpl", "gpl_out_of_range.gpl": "gpl",
    "ase_groups.ase": "ase", "aco_v1.aco": "aco", "aco_v2_only.aco": "aco",
    "aco_v1_v2_spaces.aco": "aco", "jasc_alpha.pal": "jasc-pal", "jasc_lf.pal": "jasc-pal",
    "riff.pal": "riff-pal", "paintnet.txt": "paintnet", "lospec.hex": "hex",
    "krita_groups.kpl": "kpl", "soc_oasis.soc": "soc", "soc_openoffice.soc": "soc",
    "mixed.css": "css", "list.json": "json", "object.json": "json", "hex_named.csv": "csv",
    "rgb.csv": "csv", "indexed.png": "image", "rgb.png": "image", "rgba.png": "image",
    "indexed.gif": "image",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("as_name", ["{}", "renamed.dat", "noextension", "wrong.json"])
def test_detected_by_content(name, as_name):
    filename = as_name.format(name)
    assert detect_format(fixture_bytes(name), filename) == EXPECTED[name]


@pytest.mark.parametrize("data, filename, expected", [
    (b"#ff0000\n#00ff00\n", "x.hex", "hex"),
    (b"#ff0000\n#00ff00\n", "x.css", "css"),
    (b"#ff0000\n#00ff00\n", "x.csv", "csv"),
    (b"#ff0000\n#00ff00\n", "x", "hex"),
    (b"ff0000\n00ff00\n", "x.txt", "paintnet"),      # Paint.NET also accepts RRGGBB
    (b"FFFF0000\nFF00FF00\n", "x.hex", "hex"),       # RRGGBBAA in a .hex (docs/palette-trials.md)
    (b"FFFF0000\nFF00FF00\n", "x.txt", "paintnet"),  # AARRGGBB in Paint.NET's .txt
    (b"hex,name\n#ff0000,red\n", "x", "csv"),
    (b"GIMP Palette\n1 2 3\n", "x.txt", "gpl"),
    (b"JASC-PAL\n0100\n1\n1 2 3\n", "x.gpl", "jasc-pal"),
    (b"[data-x] { color: #fff }", "x.css", "css"),
    (b"body { color: rgb(1, 2, 3) }", "x", "css"),
    (b'["#fff"]', "x.txt", "json"),
])
def test_text_ties(data, filename, expected):
    assert detect_format(data, filename) == expected


def test_binary_extension_routes_to_that_parser_for_a_precise_message():
    with pytest.raises(PaletteError, match="ASEF"):
        read_palette_bytes(b"hello there", "swatches.ase")
    with pytest.raises(PaletteError, match="zip"):
        read_palette_bytes(b"hello there", "palette.kpl")


@pytest.mark.parametrize("data", [b"\x00\x00\x00junk", b"just some words", b"\xff\xfe\x00"])
def test_unknown_content_is_refused(data):
    with pytest.raises(PaletteError) as info:
        read_palette_bytes(data, "mystery")
    assert "mystery" in str(info.value)


def test_unknown_xml_root():
    with pytest.raises(PaletteError, match="svg"):
        read_palette_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x.xml")


def test_utf16_csv_from_excel():
    data = "hex,name\r\n#ff0000,R\u00f6t\r\n".encode("utf-16")
    p = read_palette_bytes(data, "excel.csv")
    assert p.format == "csv" and p.swatches[0].name == "R\u00f6t"
