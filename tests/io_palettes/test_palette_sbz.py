"""SwatchBooker .sbz books (issue 11): structure, every colour model, what is refused and why."""
from __future__ import annotations

import io
import struct
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from somdesk.io.palettes import PaletteError, detect_format, read_palette, read_palette_bytes
from somdesk.io.palettes.context import ReadContext
from somdesk.io.palettes.sbz import read as read_sbz

from _palette_testutil import check_outcome, fixture_bytes, fixture_path

DC = "{http://purl.org/dc/elements/1.1/}"


def _issue11():
    import importlib.util
    import os
    here = os.path.dirname(fixture_path("x"))
    spec = importlib.util.spec_from_file_location("sbz_fixtures", os.path.join(here, "make_fixtures_issue11.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FIX = _issue11()


def hexes(pal):
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in (s.rgb for s in pal.swatches)]


def sbz_of(xml: str) -> bytes:
    return FIX._sbz(xml)


def book(materials: str, book_xml: str = "", version: str = "0.7") -> str:
    head = FIX._SB_HEAD.format(title="T").replace('version="0.7"', f'version="{version}"')
    return head + "  <materials>\n" + materials + "  </materials>\n" + book_xml + "</SwatchBook>\n"


def error_of(data: bytes, name: str = "x.sbz") -> str:
    with pytest.raises(PaletteError) as exc:
        read_palette_bytes(data, name)
    return str(exc.value)


# -- structure (byte layout) --------------------------------------------------------------
def test_fixture_is_a_zip_holding_swatchbook_xml_version_07():
    data = fixture_bytes("sbz_book.sbz")
    assert data[:4] == b"PK\x03\x04"                                # a local file header (APPNOTE 4.3.7)
    name_len, extra_len = struct.unpack("<HH", data[26:30])
    assert data[30:30 + name_len] == b"swatchbook.xml"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.namelist() == ["swatchbook.xml"]
        root = ET.fromstring(zf.read("swatchbook.xml"))
    assert root.tag == "SwatchBook" and root.attrib["version"] == "0.7"
    meta = root.find("metadata")
    assert meta.find(DC + "format").text == "application/swatchbook"
    assert [c.tag for c in root] == ["metadata", "materials", "book"]
    colours = root.find("materials").findall("color")
    assert all(c.find("metadata").find(DC + "identifier") is not None for c in colours)
    assert all(v.attrib["model"] for c in colours for v in c.findall("values"))


def test_every_model_reads_to_its_colour_in_book_order():
    pal = read_palette(fixture_path("sbz_book.sbz"))
    assert pal.format == "sbz" and pal.name == "All models"
    expected = [(t, h) for _i, t, _v, h in FIX.SBZ_MODELS]
    assert [s.name for s in pal.swatches] == [t for t, _h in expected]       # the plain dc:title, not fr
    got = np.array([s.rgb for s in pal.swatches], int)
    want = np.array([[int(h[i:i + 2], 16) for i in (1, 3, 5)] for _t, h in expected])
    assert np.abs(got - want).max() <= 1, list(zip(hexes(pal), [h for _t, h in expected]))
    joined = " | ".join(pal.warnings)
    assert "AdobeRGB1998.icc" in joined and "found: nCLR" in joined
    assert "<pattern>" in joined and "not placed in the book" in joined


def test_srgb_value_wins_over_an_earlier_lab_as_swatchbooker_picks():
    pal = read_palette(fixture_path("sbz_book.sbz"))
    assert hexes(pal)[0] == "#ff0000"          # Lab 50 0 0 comes first in the file, sRGB is used


def test_lab_matches_coloraide():
    # coloraide is a test dependency (colour-science only a bench one: `import colour` in CI
    # found the tests/colour folder as a namespace package). Its "lab" is CIE Lab D50 and it
    # adapts D50 -> D65 with Bradford, as SwatchBooker's Lab does.
    from coloraide import Color
    pal = read_palette(fixture_path("sbz_ral_like.sbz"))
    assert [s.name for s in pal.swatches] == ["RAL 3020 Verkehrsrot", "RAL 9005 Tiefschwarz", "RAL 9010 Reinweiss"]
    labs = [(44.6599998474, 52.0299987793, 32.2599983215), (25.3299999237, 0.129999995232, -0.16),
            (94.5699996948, -0.47, 4.13999986649)]
    for s, lab in zip(pal.swatches, labs):
        rgb = np.array(Color("lab", list(lab)).convert("srgb").coords())
        assert np.abs(np.clip(np.round(rgb * 255), 0, 255) - s.rgb).max() <= 1


def test_a_bare_swatchbook_xml_and_detection():
    xml = book(FIX._sb_color("a", [('model="sRGB"', "0 0 1")]))
    assert hexes(read_palette_bytes(xml.encode(), "swatchbook.xml")) == ["#0000ff"]
    data = fixture_bytes("sbz_book.sbz")
    assert detect_format(data, "book.sbz") == "sbz"
    assert detect_format(data, "misnamed.kpl") == "sbz"          # the member decides, not the name
    assert detect_format(fixture_bytes("krita5_lab.kpl"), "palette.kpl") == "kpl"


def test_no_book_gives_the_materials_in_order():
    xml = book(FIX._sb_color("a", [('model="sRGB"', "1 0 0")]) + FIX._sb_color("b", [('model="sRGB"', "0 1 0")]))
    assert hexes(read_palette_bytes(sbz_of(xml), "x.sbz")) == ["#ff0000", "#00ff00"]


def test_other_versions_are_read_with_a_warning():
    xml = book(FIX._sb_color("a", [('model="sRGB"', "1 1 1")]), version="0.6")
    pal = read_palette_bytes(sbz_of(xml), "x.sbz")
    assert hexes(pal) == ["#ffffff"] and "version '0.6'" in pal.warnings[0]


# -- refused, with the structure found named ----------------------------------------------
def test_refusals_name_what_was_found():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("colorset.xml", "<ColorSet/>")
        zf.writestr("readme.txt", "x")
    msg = error_of(buf.getvalue(), "wrong.sbz")
    assert "no swatchbook.xml" in msg and "'colorset.xml'" in msg and "Krita" in msg
    assert "root <Palette>, expected <SwatchBook>" in error_of(sbz_of("<Palette/>"))
    undefined = book(FIX._sb_color("a", [('model="sRGB"', "1 0 0")]), '  <book>\n    <swatch material="zz" />\n  </book>\n')
    assert "places material 'zz', which <materials> does not define" in error_of(sbz_of(undefined))
    short = book(FIX._sb_color("a", [('model="CMYK"', "0 1 1")]))
    assert "has 3 numbers, expected 4" in error_of(sbz_of(short))
    words = book(FIX._sb_color("a", [('model="sRGB"', "one two three")]))
    assert "expected numbers" in error_of(sbz_of(words))
    empty = book(FIX._sb_color("a", [('model="nCLR"', "1 1")]))
    assert "no colours" in error_of(sbz_of(empty))
    assert "damaged" in error_of(fixture_bytes("sbz_book.sbz")[:60])


def test_the_old_kpl_message_for_a_forced_krita_read():
    from somdesk.io.palettes.kpl import read as read_kpl
    with pytest.raises(PaletteError, match="SwatchBooker .sbz archive"):
        read_kpl(fixture_bytes("sbz_book.sbz"), ReadContext("x.kpl", "kpl"))


# -- fuzzing --------------------------------------------------------------------------------
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.data())
def test_mutated_books_give_a_palette_or_one_clean_error(data):
    """The XML inside the zip mutated (the zip itself is fuzzed by test_palette_fuzz)."""
    with zipfile.ZipFile(io.BytesIO(fixture_bytes(data.draw(st.sampled_from(["sbz_book.sbz", "sbz_ral_like.sbz"]))))) as zf:
        xml = bytearray(zf.read("swatchbook.xml"))
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(xml) - 1))
        kind = data.draw(st.sampled_from(["delete", "insert", "byte", "duplicate"]))
        if kind == "delete":
            del xml[i:i + data.draw(st.integers(1, 40))]
        elif kind == "insert":
            xml[i:i] = data.draw(st.sampled_from([b"<", b">", b'"', b" nan", b" 1e309", b"-", b"</values>",
                                                  b'<swatch material="q"/>', b"<book>", b"\x00", b"&amp;"]))
        elif kind == "byte":
            xml[i] = data.draw(st.integers(0, 255))
        else:
            j = data.draw(st.integers(i, min(len(xml), i + 200)))
            xml[i:i] = xml[i:j]
    blob = FIX._sbz(bytes(xml).decode("utf-8", "replace"))
    check_outcome(read_sbz, blob, ReadContext("fuzz.sbz", "sbz"))
    check_outcome(read_sbz, bytes(xml), ReadContext("fuzz.xml", "sbz"))
    check_outcome(read_palette_bytes, blob, "fuzz.sbz")


# -- writer ---------------------------------------------------------------------------------
def test_written_book_has_swatchbookers_layout_and_reads_back():
    from somdesk.io.palettes import Palette, Swatch, palette_to_bytes

    pal = Palette((Swatch((255, 0, 0), "Red & <b>"), Swatch((1, 2, 254)), Swatch((0, 0, 0), "Red & <b>")),
                  name="Mine")
    data = palette_to_bytes(pal, "sbz")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.namelist() == ["swatchbook.xml"]
        root = ET.fromstring(zf.read("swatchbook.xml"))
    assert root.tag == "SwatchBook" and root.attrib["version"] == "0.7"
    assert root.find("metadata").find(DC + "format").text == "application/swatchbook"
    colours = root.find("materials").findall("color")
    ids = [c.find("metadata").find(DC + "identifier").text for c in colours]
    assert len(set(ids)) == 3                                           # unique even for equal names
    assert [c.find("values").attrib for c in colours] == [{"model": "sRGB"}] * 3
    assert [s.attrib["material"] for s in root.find("book").findall("swatch")] == ids
    back = read_palette_bytes(data, "mine.sbz")
    assert [s.rgb for s in back.swatches] == [s.rgb for s in pal.swatches]
    assert [s.name for s in back.swatches] == ["Red & <b>", ids[1], "Red & <b>"] and back.name == "Mine"
    assert back.warnings == ()
