"""Every hand-made fixture reads to the colours, names and warnings we expect."""
import pytest

from somdesk.io.palettes import PaletteError, colorspaces as cs, read_palette, read_palette_bytes

from _palette_testutil import fixture_bytes, fixture_path


def rows(p):
    return [(s.hex, s.name) for s in p.swatches]


def test_gpl_crlf_bom_tabs_unnamed():
    p = read_palette(fixture_path("gpl_crlf_bom.gpl"))
    assert p.format == "gpl" and p.name == "Windows Palette"
    assert rows(p) == [("#ff0000", "Red"), ("#00ff00", None), ("#0000ff", "Deep  Blue"),
                       ("#808080", None)]
    assert p.warnings == ()


def test_gpl_rgba_extension():
    p = read_palette(fixture_path("gpl_rgba.gpl"))
    assert rows(p) == [("#ff0000", "Opaque red"), ("#0000ff", "Half blue"), ("#000000", None)]
    assert [s.alpha for s in p.swatches] == [255, 128, 0]      # alpha is kept
    assert p.warnings == ()


def test_gpl_out_of_range_is_clamped_with_warnings():
    p = read_palette(fixture_path("gpl_out_of_range.gpl"))
    assert rows(p) == [("#ff0080", "Too bright"), ("#0a141e", "Fine")]
    assert len(p.warnings) == 2
    assert all(w.startswith("line 3:") for w in p.warnings)
    assert "300" in p.warnings[0] and "-5" in p.warnings[1]


def test_gpl_latin1_fallback():
    data = "GIMP Palette\n1 2 3 Caf\xe9\n".encode("latin-1")
    p = read_palette_bytes(data, "old.gpl")
    assert p.swatches[0].name == "Caf\xe9"
    assert any("Latin-1" in w for w in p.warnings)


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
@pytest.mark.parametrize("end", [b"\n", b"\r\n", b"\r"])
def test_a_palette_not_in_utf8_says_where_and_in_what_it_was_read(bom, end):
    """Byte and line in the file (a BOM counted, any line end), and the encoding it was read in,
    as the table reader's encoding warnings say them (io.lines.byte_position)."""
    data = bom + end.join([b"GIMP Palette", b"Name: old", b"1 2 3 Caf\xe9", b""])
    p = read_palette_bytes(data, "old.gpl")
    at = data.index(b"\xe9") + 1
    assert p.warnings == (f"the file is not valid UTF-8 (at byte {at}, line 3): it was read as Latin-1, so "
                          "accented letters in names may be wrong",)
    assert p.swatches[0].name == "Caf\xe9"


def test_ase_groups_and_colour_models():
    p = read_palette(fixture_path("ase_groups.ase"))
    assert p.format == "ase"
    assert p.name is None          # ungrouped colours exist, so no single group name
    got = rows(p)
    assert got[0] == ("#ff0000", "Red")
    assert got[1] == ("#00ffff", "Cyan")                     # CMYK spot
    assert got[2][1] == "Lab red"
    assert max(abs(a - b) for a, b in zip(p.swatches[2].rgb, (255, 0, 0))) <= 2
    assert got[3] == ("#808080", "Mid gray")
    assert got[4] == ("#0080ff", None)
    assert p.warnings == ()


def test_aseprite_sprite_is_refused_with_clear_message():
    with pytest.raises(PaletteError) as info:
        read_palette(fixture_path("aseprite_sprite.ase"))
    msg = str(info.value)
    assert "aseprite_sprite.ase" in msg and "Aseprite sprite" in msg and "not an Adobe Swatch" in msg


def test_aco_v1_only():
    p = read_palette(fixture_path("aco_v1.aco"))
    assert rows(p) == [("#ff0000", None), ("#0080ff", None), ("#0000ff", None)]


def test_aco_v2_only_with_non_bmp_name():
    p = read_palette(fixture_path("aco_v2_only.aco"))
    assert rows(p) == [("#000000", "Black"), ("#ffffff", "White"), ("#ff8000", "Smile \U0001F600")]


def test_aco_v1_v2_every_colour_space():
    p = read_palette(fixture_path("aco_v1_v2_spaces.aco"))
    names = [s.name for s in p.swatches]
    assert names == ["RGB red", "HSB green", "CMYK cyan", "Lab red", "Lab teal", "Gray 50"]
    assert p.swatches[0].rgb == (255, 0, 0)
    assert p.swatches[1].rgb == (0, 255, 0)
    assert p.swatches[2].rgb == (0, 255, 255)
    assert max(abs(a - b) for a, b in zip(p.swatches[3].rgb, (255, 0, 0))) <= 2
    # a and b are signed int16: -2000/-3000 must come out as a=-20, b=-30.
    assert p.swatches[4].rgb == cs.lab_to_rgb(50, -20, -30)
    assert p.swatches[5].rgb == (128, 128, 128)
    assert any("Lab teal" in w and "gamut" in w for w in p.warnings)


def test_jasc_with_alpha_and_crlf():
    p = read_palette(fixture_path("jasc_alpha.pal"))
    assert p.format == "jasc-pal"
    assert rows(p) == [("#ff0000", None), ("#00ff00", None), ("#0000ff", None)]
    assert [s.alpha for s in p.swatches] == [255, 128, 255]


def test_jasc_lf():
    assert rows(read_palette(fixture_path("jasc_lf.pal"))) == [("#102030", None), ("#ffffff", None)]


def test_riff_pal():
    p = read_palette(fixture_path("riff.pal"))
    assert p.format == "riff-pal"
    assert rows(p) == [("#ff0000", None), ("#00ff00", None), ("#0000ff", None), ("#123456", None)]


def test_paintnet():
    p = read_palette(fixture_path("paintnet.txt"))
    assert p.format == "paintnet"
    assert [s.hex for s in p.swatches] == ["#ff0000", "#00ff00", "#0000ff", "#abcdef"]
    assert [s.alpha for s in p.swatches] == [255, 255, 0x80, 255]     # AARRGGBB


def test_lospec_hex():
    p = read_palette(fixture_path("lospec.hex"))
    assert p.format == "hex"
    assert [s.hex for s in p.swatches] == ["#ff0000", "#00ff00", "#0000ff", "#123456"]


def test_krita_groups_and_colour_models():
    p = read_palette(fixture_path("krita_groups.kpl"))
    assert p.format == "kpl" and p.name == "Krita Test"
    assert rows(p) == [("#ff0000", "Red"), ("#808080", "Linear half"), ("#ff00ff", "Magenta ink"),
                       ("#ffffff", "Lab white"), ("#404040", "Gray quarter")]


def test_krita_bare_colorset_xml():
    import zipfile, io
    with zipfile.ZipFile(io.BytesIO(fixture_bytes("krita_groups.kpl"))) as zf:
        xml = zf.read("colorset.xml")
    p = read_palette_bytes(xml, "colorset.xml")
    assert p.format == "kpl" and len(p.swatches) == 5


def test_krita_normalised_lab_variant():
    # Krita 4 wrote version="1.0" and Lab as u16 codes / 65535 (a/b zero at 0x8080).
    xml = (b'<ColorSet name="n" version="1.0"><ColorSetEntry name="w">'
           b'<Lab L="1" a="0.50196" b="0.50196"/></ColorSetEntry></ColorSet>')
    assert read_palette_bytes(xml, "x.kpl").swatches[0].rgb == (255, 255, 255)


@pytest.mark.parametrize("name", ["soc_oasis.soc", "soc_openoffice.soc"])
def test_soc_namespace_variants(name):
    p = read_palette(fixture_path(name))
    assert p.format == "soc"
    expected = {"soc_oasis.soc": [("#000000", "Black"), ("#c9211e", "Dark Red 2"),
                                  ("#00a933", "Gr\u00fcn")],
                "soc_openoffice.soc": [("#000080", "Blue"), ("#ffff00", "Sun")]}[name]
    assert rows(p) == expected


def test_soc_without_namespaces():
    xml = b'<color-table><color name="A" color="#010203"/></color-table>'
    assert rows(read_palette_bytes(xml, "x.soc")) == [("#010203", "A")]


def test_css_mixed_syntaxes():
    p = read_palette(fixture_path("mixed.css"))
    assert p.format == "css" and p.name == "Brand colours"
    assert rows(p) == [
        ("#cc0000", "brand-red"),
        ("#0000ff", "brand-blue"),
        ("#008000", "Soft Green"),     # rgb(0 50% 0 / 50%), escaped name
        ("#008000", "accent"),         # hsl(120deg 100% 25%)
        ("#ffffff", "glass"),          # #ffffff80
        ("#ff8000", None),
        ("#123456", None),
        ("#0000ff", None),             # hsla(240, 100%, 50%, 0.3)
        ("#1a334d", None),             # RGB(10%, 20%, 30%)
    ]
    assert [s.alpha for s in p.swatches] == [255, 255, 128, 255, 128, 255, 0x78, 77, 255]


def test_css_selector_hash_is_not_a_colour_but_plain_lists_work():
    assert rows(read_palette_bytes(b"#fff\n#000\n", "a.css")) == [("#ffffff", None), ("#000000", None)]
    p = read_palette_bytes(b"#add { color: #123; }", "a.css")
    assert rows(p) == [("#112233", None)]


def test_json_shapes():
    assert rows(read_palette(fixture_path("list.json"))) == [
        ("#ff0000", None), ("#00ff00", None), ("#0000ff", None)]
    p = read_palette(fixture_path("object.json"))
    assert p.name == "Object palette"
    assert rows(p) == [("#ff0000", "Red"), ("#00ff00", None), ("#0000ff", "Blue")]
    assert p.has_alpha and p.warnings == ()


def test_json_list_of_objects():
    data = b'[{"hex": "#010203", "name": "a"}, {"colour": "040506"}]'
    assert rows(read_palette_bytes(data, "x.json")) == [("#010203", "a"), ("#040506", None)]


def test_csv_hex_column_with_quoted_name():
    p = read_palette(fixture_path("hex_named.csv"))
    assert p.format == "csv"
    assert rows(p) == [("#ff0000", "Red"), ("#00ff00", "Green, bright"), ("#0000ff", "Blue")]


def test_csv_rgb_columns_semicolon_clamped():
    p = read_palette(fixture_path("rgb.csv"))
    assert rows(p) == [("#ff0000", "Red"), ("#ff8000", "Too orange"), ("#0000ff", None)]
    assert len(p.warnings) == 1 and p.warnings[0].startswith("line 3:")


def test_csv_headerless_single_column():
    p = read_palette(fixture_path("headerless.csv"))
    assert p.format == "csv"
    assert [s.hex for s in p.swatches] == ["#ff0000", "#00ff00", "#0000ff"]


def test_indexed_png_gives_whole_plte_in_order():
    p = read_palette(fixture_path("indexed.png"))
    assert p.format == "image"
    assert [s.hex for s in p.swatches] == ["#ff0000", "#00ff00", "#0000ff", "#ffffff"]


def test_rgb_png_gives_distinct_colours_first_seen():
    p = read_palette(fixture_path("rgb.png"))
    assert [s.hex for s in p.swatches] == ["#0000ff", "#ff0000", "#00ff00", "#808080"]


def test_rgba_png_skips_transparent_pixels():
    p = read_palette(fixture_path("rgba.png"))
    assert [s.hex for s in p.swatches] == ["#ff0000", "#00ff00"]
    assert any("transparent" in w for w in p.warnings)


def test_indexed_gif():
    p = read_palette(fixture_path("indexed.gif"))
    assert [s.hex for s in p.swatches] == ["#ff0000", "#00ff00", "#0000ff", "#ffff00"]   # no table padding


def test_gray_16bit_png_scales_not_clips():
    from PIL import Image
    import io
    import numpy as np
    im = Image.fromarray(np.array([[0, 32896, 65535]], dtype=np.uint16))
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    p = read_palette_bytes(buf.getvalue(), "g16.png")
    assert [s.hex for s in p.swatches] == ["#000000", "#808080", "#ffffff"]


@pytest.mark.parametrize("name, data, read", [
    # a quote inside quotes not doubled: the text between the outer quotes, as written
    ("p.csv", b'name,hex\n"a"b",#ff0000\n', 'a"b'),
    ("p.csv", b'name;hex\n"c;d"e";#00ff00\n', 'c;d"e'),          # the delimiter inside too
    ("p.txt", b'#0000ff,"x"y" \n', 'x"y'),                      # a space after the cell
    ("p.csv", b'name,hex\n"q""r"s",#ffffff\n', 'q"r"s'),        # a doubled one stays one quote
])
def test_a_quote_not_doubled_in_a_quoted_palette_name_is_kept_as_written(name, data, read):
    """Python's csv module read `"a"b"` as `ab"` (left14): the name is now the text between the
    outer quotes, with a warning naming the cell and the line (docs/palette-formats.md)."""
    p = read_palette_bytes(data, name)
    assert p.format == "csv" and p.swatches[0].name == read
    line = data.count(b"\n")                    # the cell is on the last line
    assert len(p.warnings) == 1 and p.warnings[0].startswith(f"line {line}: the quoted cell ")
    assert f"it is read as {read!r}, the text between its outer quotes" in p.warnings[0]


def test_well_formed_quotes_in_a_palette_are_read_without_a_warning():
    p = read_palette_bytes(b'name,hex\n"a ""b"", c",#ff0000\n"two\nlines",#00ff00\n', "p.csv")
    assert [s.name for s in p.swatches] == ['a "b", c', "two lines"] and p.warnings == ()
