"""Malformed, truncated, huge and hostile files: one clear PaletteError each."""
import io
import os
import struct
import time
import zipfile
import zlib

import pytest

from somdesk.io.palettes import (MAX_COLORS, MAX_FILE_BYTES, PaletteError, read_palette,
                                 read_palette_bytes)
from tests.timing import load_scaled

from _palette_testutil import check_outcome, fixture_bytes


def error_for(data, filename):
    result = check_outcome(read_palette_bytes, data, filename)
    assert isinstance(result, PaletteError), f"expected an error, got {result!r}"
    message = str(result)
    assert message.startswith(filename + ":"), message
    return message


# -- files and limits ----------------------------------------------------------------
def test_missing_file_folder_and_special_files(tmp_path):
    with pytest.raises(PaletteError, match="no such file"):
        read_palette(tmp_path / "nope.gpl")
    with pytest.raises(PaletteError, match="folder"):
        read_palette(tmp_path)
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.gpl"
        os.mkfifo(fifo)
        start = time.perf_counter()
        with pytest.raises(PaletteError, match="regular file"):
            read_palette(fifo)          # must not block waiting for a writer
        assert time.perf_counter() - start < load_scaled(2)


def test_oversized_file_refused_before_reading(tmp_path):
    path = tmp_path / "huge.gpl"
    with open(path, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)     # sparse: costs no disk or time
    with pytest.raises(PaletteError, match="64 MiB"):
        read_palette(path)


def test_oversized_bytes_refused():
    message = error_for(b"GIMP Palette\n" + b" " * MAX_FILE_BYTES, "big.gpl")
    assert "64 MiB" in message


@pytest.mark.parametrize("filename", ["e.gpl", "e.ase", "e.png", "e", "e.css"])
def test_empty_file(filename):
    assert "empty" in error_for(b"", filename)


@pytest.mark.parametrize("data, filename", [
    (b"GIMP Palette\nName: nothing\n# only comments\n", "empty.gpl"),
    (b"JASC-PAL\r\n0100\r\n0\r\n", "empty.pal"),
    (b"[]", "empty.json"),
    (b'{"colors": []}', "empty.json"),
    (b"hex,name\n", "empty.csv"),
    (b'<ooo:color-table xmlns:ooo="x"/>', "empty.soc"),
    (b"; only a comment\n", "empty.txt"),
    (b":root { --x: 1px; }", "empty.css"),
])
def test_zero_colours_is_an_error(data, filename):
    message = error_for(data, filename)
    assert "no colours" in message


def test_too_many_colours():
    data = b"GIMP Palette\n" + b"1 2 3\n" * (MAX_COLORS + 1)
    message = error_for(data, "many.gpl")
    assert "too many colours" in message and f"line {MAX_COLORS + 2}" in message
    data = b"JASC-PAL\n0100\n70000\n1 2 3\n"
    assert "too many colours" in error_for(data, "many.pal")


def test_long_names_are_truncated():
    p = read_palette_bytes(b"GIMP Palette\nName: " + b"n" * 5000 + b"\n1 2 3 " + b"c" * 5000, "x.gpl")
    assert len(p.name) == 256 and len(p.swatches[0].name) == 256


# -- GIMP -------------------------------------------------------------------------
@pytest.mark.parametrize("data, where, what", [
    (b"Gimp Pal\n1 2 3\n", "line 1", "GIMP Palette"),
    (b"GIMP Palette\n1 2 3\n4 5\n", "line 3", "expected a colour line"),
    (b"GIMP Palette\nChannels: CMYK\n", "line 2", "channels"),
    (b"GIMP Palette\r\n\r\n1 2 3\r\nnot a colour\r\n", "line 4", "not a colour"),
    (b"GIMP Palette\nChannels: RGBA\n1 2 3 Red\n", "line 3", "R G B A"),
])
def test_gpl_errors_have_line_numbers(data, where, what):
    message = error_for(data, "bad.gpl")
    assert where in message and what in message


def test_gpl_absurd_numbers_are_clamped():
    p = read_palette_bytes(b"GIMP Palette\n" + b"9" * 5000 + b" 0 -" + b"9" * 5000 + b"\n", "x.gpl")
    assert p.swatches[0].rgb == (255, 0, 0) and len(p.warnings) == 2


# -- ASE ------------------------------------------------------------------------------
def _ase(blocks, count=None):
    return b"ASEF" + struct.pack(">HHI", 1, 0, len(blocks) if count is None else count) + b"".join(blocks)


def _colour_block(model=b"RGB ", values=(1.0, 0.0, 0.0), name_units=1, name=b"\x00\x00"):
    body = struct.pack(">H", name_units) + name + model + struct.pack(f">{len(values)}f", *values) + b"\x00\x02"
    return struct.pack(">HI", 1, len(body)) + body


@pytest.mark.parametrize("data, what", [
    (b"ASEF\x00\x01", "12-byte"),
    (b"ASEF\x00\x02\x00\x00\x00\x00\x00\x01", "ends after 0 (the header has the unusual ASE version 2.0)"),
    (_ase([_colour_block()], count=3), "promises 3 blocks"),
    (_ase([_colour_block()[:-3]]), "claims"),
    (_ase([_colour_block(name_units=500)]), "shorter than its contents"),
    (_ase([_colour_block(values=(float("nan"), 0.0, 0.0))]), "not a number"),
    (_ase([], count=0xFFFFFFFF), "blocks"),
    (_ase([_colour_block(model=b"XYZ ")]), "no colour can be read: its one colour entry is in the unknown colour "
                                           "model 'XYZ '"),
])
def test_ase_errors(data, what):
    assert what in error_for(data, "bad.ase")


def test_ase_warnings():
    blocks = [_colour_block(values=(1.5, 0.0, 0.0)), struct.pack(">HI", 0x1234, 0),
              struct.pack(">HI", 0xC002, 0), _colour_block(model=b"HSV ")]
    p = read_palette_bytes(_ase(blocks) + b"junk", "w.ase")
    assert p.swatches[0].rgb == (255, 0, 0)
    text = " | ".join(p.warnings)
    for part in ("outside 0..1", "0x1234", "group end", "HSV", "bytes after"):
        assert part in text


def test_many_empty_ase_blocks_finish_quickly():
    blocks = [struct.pack(">HI", 0xC002, 0)] * 190_000 + [_colour_block()]
    p = check_outcome(read_palette_bytes, _ase(blocks), "slow.ase")
    assert len(p.swatches) == 1


# -- ACO ----------------------------------------------------------------------------------
def test_aco_truncated_v1_is_an_error():
    assert "truncated" in error_for(b"\x00\x01\x00\x05" + b"\x00" * 20, "t.aco")


def test_aco_damaged_v2_falls_back_to_v1_with_warning():
    data = fixture_bytes("aco_v1_v2_spaces.aco")
    v1_len = 4 + 6 * 10
    p = read_palette_bytes(data[:v1_len + 30], "t.aco")
    assert len(p.swatches) == 6 and all(s.name is None for s in p.swatches)
    assert any("version 2" in w for w in p.warnings)


def test_aco_unknown_spaces_skipped_and_all_unknown_is_error():
    good = struct.pack(">5H", 0, 65535, 0, 0, 0)
    pantone = struct.pack(">5H", 3, 1, 2, 3, 4)
    p = read_palette_bytes(b"\x00\x01\x00\x02" + good + pantone, "p.aco")
    assert len(p.swatches) == 1 and "Pantone" in p.warnings[0]
    assert "no colour can be read: its one colour entry is in colour space 3 (Pantone:" in \
        error_for(b"\x00\x01\x00\x01" + pantone, "p.aco")


def test_aco_bad_version_and_huge_name():
    assert "version" in error_for(b"\x00\x07\x00\x01" + b"\x00" * 10, "v.aco")
    data = b"\x00\x02\x00\x01" + b"\x00" * 10 + b"\xff\xff\xff\xff" + b"\x00\x41"
    assert "name" in error_for(data, "n.aco")


# -- .pal ----------------------------------------------------------------------------------
@pytest.mark.parametrize("data, what", [
    (b"JASC-PAL\n0100\n3\n1 2 3\n", "declares 3 colours but only 1"),
    (b"JASC-PAL\n0100\nmany\n1 2 3\n", "line 3"),
    (b"JASC-PAL\n0100\n2\n1 2 3\n1 2\n", "line 5"),
    (b"JASC-PAL\n", "truncated"),
])
def test_jasc_errors(data, what):
    assert what in error_for(data, "bad.pal")


def test_jasc_extra_lines_warn():
    p = read_palette_bytes(b"JASC-PAL\n0100\n1\n1 2 3\n4 5 6\n", "x.pal")
    assert len(p.swatches) == 1 and "line 5" in p.warnings[0]


@pytest.mark.parametrize("data, what", [
    (b"RIFF\x04\x00\x00\x00WAVEfmt ", "'WAVE'"),
    (b"RIFF\x10\x00\x00\x00PAL data\xff\x00\x00\x00\x00\x03\x05\x00", "declares 5 colours"),
    (b"RIFF\x04\x00\x00\x00PAL ", "no 'data' chunk"),
    (b"RIFF" + struct.pack("<I", 8 * 1001 + 4) + b"PAL " + b"junk\x00\x00\x00\x00" * 1001,
     "first 1,000 chunks"),
])
def test_riff_errors(data, what):
    assert what in error_for(data, "bad.pal")


# -- simple text --------------------------------------------------------------------------------
def test_paintnet_and_hex_line_numbers():
    assert "line 3" in error_for(b"FFFF0000\n;c\nFFGG0000\n", "bad.txt")
    assert "line 2" in error_for(b"ff0000\nnot hex\n", "bad.hex")


# -- Krita / zip ---------------------------------------------------------------------------------
def _zip(members, method=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def test_kpl_not_a_zip_and_missing_member():
    assert "zip" in error_for(b"PK\x03\x04garbage", "bad.kpl")
    assert "colorset.xml" in error_for(_zip([("other.txt", b"x")]), "bad.kpl")


def test_kpl_zip_bomb_refused_from_directory():
    start = time.perf_counter()
    data = _zip([("colorset.xml", b"\x00" * (17 * 1024 * 1024))])
    assert len(data) < 100_000
    message = error_for(data, "bomb.kpl")
    assert "zip bomb" in message
    assert time.perf_counter() - start < load_scaled(5)


def test_kpl_zip_with_lying_sizes():
    xml = b"<ColorSet>" + b"<!-- pad -->" * 1000 + b"</ColorSet>"
    data = bytearray(_zip([("colorset.xml", xml)]))
    # Shrink the declared uncompressed size in the local header and the central
    # directory: the bounded read stops early and the CRC check fails.
    lie = struct.pack("<I", 10)
    data[22:26] = lie
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24:cd + 28] = lie
    assert "damaged" in error_for(bytes(data), "liar.kpl")


def test_kpl_unsupported_compression_and_encryption():
    data = bytearray(_zip([("colorset.xml", b"<ColorSet/>" * 50)]))
    cd = data.rfind(b"PK\x01\x02")
    data[8:10] = struct.pack("<H", 99)            # local header: AES / unknown method
    data[cd + 10:cd + 12] = struct.pack("<H", 99)
    assert "damaged" in error_for(bytes(data), "weird.kpl")
    data = bytearray(_zip([("colorset.xml", b"<ColorSet/>")]))
    cd = data.rfind(b"PK\x01\x02")
    data[6] |= 1
    data[cd + 8] |= 1                              # "encrypted" flag
    assert "damaged" in error_for(bytes(data), "locked.kpl")


def test_kpl_too_many_members():
    data = _zip([(f"f{i}", b"") for i in range(1001)] + [("colorset.xml", b"<ColorSet/>")],
                method=zipfile.ZIP_STORED)
    assert "members" in error_for(data, "many.kpl")


BILLION_LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
                  b' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
                  b' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n')


def test_kpl_billion_laughs_refused():
    xml = BILLION_LAUGHS + b'<ColorSet name="&lol3;"/>'
    message = error_for(_zip([("colorset.xml", xml)]), "laughs.kpl")
    assert "DOCTYPE" in message and "line 2" in message


def test_soc_doctype_and_external_entity_refused():
    xml = BILLION_LAUGHS + b'<color-table><color name="&lol3;" color="#000000"/></color-table>'
    assert "DOCTYPE" in error_for(xml, "laughs.soc")
    xxe = (b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<color-table><color name="&x;" color="#000000"/></color-table>')
    assert "DOCTYPE" in error_for(xxe, "xxe.soc")


@pytest.mark.parametrize("data, what", [
    (b'<color-table><color name="a" color="#00</color-table>', "not well-formed"),
    (b'<color-table>\n<color name="a" color="red"/>\n</color-table>', "line 2: colour 1 ('a')"),
    (b'<other/>', "other"),
    (b'<?xml version="1.0" encoding="UTF-88"?><color-table/>', "unknown text encoding"),
])
def test_soc_errors(data, what):
    assert what in error_for(data, "bad.soc")


@pytest.mark.parametrize("xml, what", [
    (b'<ColorSet>\n<ColorSetEntry name="x"><RGB r="1" g="zero" b="0"/></ColorSetEntry></ColorSet>',
     "colorset.xml line 2, entry 1 ('x'): <RGB> attribute 'g' is 'zero'"),
    (b'<ColorSet><ColorSetEntry name="x"><RGB r="1" b="0"/></ColorSetEntry></ColorSet>', "missing"),
    (b'<ColorSet><ColorSetEntry name="x"><RGB r="inf" g="0" b="0"/></ColorSetEntry></ColorSet>', "finite"),
    (b'<Palette/>', "ColorSet"),
    (b'<ColorSet>\n<ColorSetEntry>\n</ColorSet>', "line 3"),
])
def test_kpl_xml_errors(xml, what):
    assert what in error_for(_zip([("colorset.xml", xml)]), "bad.kpl")


def test_xml_element_count_and_depth_limits():
    many = b"<color-table>" + b"<x/>" * 1_000_001 + b"</color-table>"
    assert "elements" in error_for(many, "many.soc")
    deep = b"<color-table>" + b"<a>" * 100 + b"</a>" * 100 + b"</color-table>"
    assert "nested" in error_for(deep, "deep.soc")


def test_kpl_unsupported_model_warns():
    xml = (b'<ColorSet><ColorSetEntry name="x"><XYZ x="1" y="1" z="1"/></ColorSetEntry>'
           b'<ColorSetEntry name="y"><RGB r="0" g="0" b="2"/></ColorSetEntry></ColorSet>')
    p = read_palette_bytes(_zip([("colorset.xml", xml)]), "w.kpl")
    assert [s.rgb for s in p.swatches] == [(0, 0, 255)]
    assert any("XYZ" in w for w in p.warnings) and any("clamped" in w for w in p.warnings)


# -- JSON / CSV / CSS -----------------------------------------------------------------------------
@pytest.mark.parametrize("data, what", [
    (b'["#ff0000",\n "#00ff00",\n ]', "line 3"),
    (b'{"name": "x"}', "a JSON object with keys 'name' holds no colours: expected a 'colors' list"),
    (b'"#ff0000"', "found a string"),
    (b'[1, 2]', "[0]: expected a hex colour string like \"#rrggbb\" or channels [r, g, b], found a number"),
    (b'[{"name": "x"}]', "[0] has no 'hex' (or 'color') key, nor 'r', 'g', 'b' channels (keys: 'name')"),
    (b'["#ff0000", "red"]', "[1]: 'red' is not a hex colour"),
    (b'{"colors": [1]}', "colors[0]: expected a hex colour string"),
    (b'{"Sunset": ["#ff0000", 7]}', "['Sunset'][1]: expected a hex colour string"),
    (b'[["#ff0000"], ["#00ff00", "x"]]', "[1][1]: 'x' is not a hex colour"),
    (b'[["#ff0000"], 5]', "[1]: expected a list of colours or a palette object"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b"[" + b"1" * 10_000 + b"]", "invalid JSON"),
])
def test_json_errors(data, what):
    assert what in error_for(data, "bad.json")


@pytest.mark.parametrize("data, what", [
    (b"colour_name;value\nred;#f00\n", "line 1"),
    (b"hex,name\n#ff0000,a\nnope,b\n", "line 3"),
    (b"r,g,b\n1,2,3\n1,2\n", "line 3"),
    (b"r,g,b\n1,2,x\n", "line 2"),
    (b"hex\n" + b'"' + b"a" * 200_000 + b'"\n', "malformed CSV"),
])
def test_csv_errors(data, what):
    assert what in error_for(data, "bad.csv")


def test_css_pathological_inputs_stay_fast():
    for data in [b"--a" + b"\\aaaaaa" * 20000 + b" x",
                 b"/* Palette: " + b" " * 200_000,
                 b"/* Palette: " + b" " * 2000 + b"x" + b" " * 2000 + b"*/ #fff",
                 b"rgb(" + b"1" * 200_000 + b"x",
                 b"#" + b"a" * 500_000 + b"g #fff",
                 b"{" * 100_000 + b"#fff",
                 b"--" * 200_000 + b": #fff"]:
        check_outcome(read_palette_bytes, data, "slow.css")


@pytest.mark.parametrize("data, filename", [
    (b"GIMP Palette\n1 2 3 a" + b" " * 300_000 + b"b\n", "ws.gpl"),
    (b"GIMP Palette\nName" + b" " * 300_000 + b"x\n1 2 3\n", "ws.gpl"),
    (b"JASC-PAL\n0100\n1\n1 2 3" + b" " * 300_000 + b"x\n", "ws.pal"),
    (b"hex\n#fff" + b" " * 300_000 + b"x\n", "ws.csv"),
    (b"\n" * 2_000_000, "blank.txt"),
    (b"ff0000\n" * 600_000, "many.hex"),
])
def test_pathological_text_stays_fast(data, filename):
    check_outcome(read_palette_bytes, data, filename)


# -- images ------------------------------------------------------------------------------------------
def _png_header(width, height, colour_type=2):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("size, what", [
    ((11000, 10000), "110,000,000 pixels"),       # over our 100 Mpx limit (every picture's)
    ((20000, 20000), "400,000,000 pixels"),       # over Pillow's own bomb limit too
    ((0x7FFFFFFF, 0x7FFFFFFF), "pixels"),
])
def test_image_pixel_limit_checked_before_decoding(size, what):
    message = error_for(_png_header(*size), "bomb.png")
    assert what in message


def test_a_picture_too_big_is_refused_in_the_same_words_as_a_palette_and_as_a_picture():
    """testerF #13: `palette info` refused over 50 Mpx and `quantize` over 100 Mpx, in two wordings."""
    from somdesk.errors import FileFormatError
    from somdesk.io.image_input import load_image_bytes

    data = _png_header(12000, 9000)
    with pytest.raises(FileFormatError) as picture:
        load_image_bytes(data, "big.png")
    said = "the image is 12000x9000 = 108,000,000 pixels; the limit is 100,000,000 (a possible decompression bomb)"
    assert said in str(picture.value) and said in error_for(data, "big.png")


def _gif_with_frame(width, height):
    # A 10x10 logical screen whose first frame is far larger: Pillow grows the
    # image to fit the frame, so only its own bomb check (or ours after open)
    # can catch it.
    return (b"GIF89a" + struct.pack("<HHBBB", 10, 10, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
            + b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0)
            + b"\x02\x02\x44\x01\x00" + b"\x3b")


@pytest.mark.parametrize("size, what", [
    ((60000, 60000), "too large"),                # Pillow's DecompressionBombError
    ((10000, 10500), "105,000,000 pixels"),       # over Pillow's warning (89.5 Mpx) and our limit, below its error
    ((7000, 7000), "the GIF picture is damaged or truncated"),   # allowed size, truncated data
])
def test_gif_frame_larger_than_screen(size, what, recwarn):
    assert what in error_for(_gif_with_frame(*size), "frame.gif")
    assert not [w for w in recwarn if "DecompressionBomb" in type(w.message).__name__]


def test_truncated_and_corrupt_images():
    png = fixture_bytes("rgb.png")
    assert "t.png: the PNG picture is damaged or truncated" in error_for(png[:45], "t.png")
    bad_crc = bytearray(png)
    bad_crc[30] ^= 0xFF
    error_for(bytes(bad_crc), "crc.png")
    assert "the PNG picture is damaged or truncated (its header" in error_for(b"\x89PNG\r\n\x1a\nnope", "x.png")
    gif = fixture_bytes("indexed.gif")
    check_outcome(read_palette_bytes, gif[:20], "t.gif")


def test_image_with_too_many_colours():
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(1)
    arr = rng.integers(0, 256, size=(300, 300, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    assert "distinct colours" in error_for(buf.getvalue(), "noise.png")


def test_other_image_formats_are_not_palettes():
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (2, 2)).save(buf, format="BMP")
    error_for(buf.getvalue(), "x.bmp")
    error_for(buf.getvalue(), "x.png")


def test_hex_file_with_one_bad_hash_line_names_the_line_not_css(tmp_path):
    """A '#GGGGGG' line must not turn a .hex list into a CSS file that drops colours."""
    from somdesk.io.palettes import PaletteError, read_palette
    p = tmp_path / "odd.hex"
    p.write_bytes(b"#ff0000\n#GGGGGG\n00ff00\n")
    with pytest.raises(PaletteError, match="line 2"):
        read_palette(p)


def test_css_round_trip_keeps_names_that_look_like_colours(tmp_path):
    from somdesk.io.palettes import Palette, Swatch, read_palette, write_palette
    pal = Palette((Swatch((1, 2, 3), "#ff0000"), Swatch((4, 5, 6), "rgb(1,2,3)")), name="tricky")
    write_palette(pal, tmp_path / "t.css")
    back = read_palette(tmp_path / "t.css")
    assert [s.rgb for s in back.swatches] == [(1, 2, 3), (4, 5, 6)]


# -- almost all entries unreadable: not a palette (testerW #4) ------------------------------
def test_a_binary_file_sniffed_as_aco_is_not_a_palette(tmp_path):
    """bytes(range(256)) * 40 starts 00 01 like an .aco: 4 near-black "colours" of 515 entries
    were opened with 511 warnings nobody saw.  The same rule for any name."""
    for name in ("binary.csv", "binary.aco", "binary"):
        path = tmp_path / name
        path.write_bytes(bytes(range(256)) * 40)
        with pytest.raises(PaletteError) as err:
            read_palette(path)
        text = str(err.value)
        assert "not a palette" in text and "511 of 515 colour entries" in text and "\n" not in text


def test_an_ase_is_a_palette_whatever_its_blocks_and_models():
    """A file with the ASE signature and every block in place is a palette: unknown blocks
    and models (a misspelt 'RBG ') are skipped with one warning line each, naming them and
    their count; it was "not a palette" when they were over 90 % (the binary-file rule)."""
    junk = [struct.pack(">HI", 0x1234 + k, 0) for k in range(12)]
    p = read_palette_bytes(_ase(junk + [_colour_block()]), "j.ase")
    assert [s.rgb for s in p.swatches] == [(255, 0, 0)]
    assert [w for w in p.warnings if "unknown" in w] == [
        "12 blocks of unknown types (0x1234, 0x1235, 0x1236, 0x1237, 0x1238, …) skipped"]
    for model, shown in ((b"RBG ", "'RBG '"), (b"XYZ ", "'XYZ '"), (b"\x00\xff\x12\x34", "0x00FF1234")):
        misspelt = [_colour_block(model=model) for _ in range(10)]
        p = read_palette_bytes(_ase(misspelt + [_colour_block()]), "m.ase")
        assert len(p.swatches) == 1
        lines = [w for w in p.warnings if "unknown colour model" in w]
        assert lines == [f"10 colour entries in the unknown colour model {shown} skipped "
                         "(Adobe's colour models are 'RGB ', 'CMYK', 'LAB ' and 'Gray')"]


def test_an_ase_with_no_readable_colour_is_refused_naming_the_model():
    message = error_for(_ase([_colour_block(model=b"RBG ") for _ in range(12)]), "m.ase")
    assert message == ("m.ase: no colour can be read: all 12 colour entries are in the unknown colour "
                       "model 'RBG ' (Adobe's colour models are 'RGB ', 'CMYK', 'LAB ' and 'Gray')")
    one = error_for(_ase([_colour_block(model=b"rgb ")]), "one.ase")
    assert "its one colour entry is in the unknown colour model 'rgb '" in one
    two = error_for(_ase([_colour_block(model=b"RBG "), _colour_block(model=b"CYMK", values=(0, 0, 0, 0))]),
                    "two.ase")
    assert "1 colour entry in the unknown colour model 'RBG '; 1 colour entry in the unknown " \
           "colour model 'CYMK'" in two
    only_blocks = error_for(_ase([struct.pack(">HI", 0x1234, 0)] * 3), "b.ase")
    assert only_blocks == "b.ase: no colour can be read: the file holds only 3 blocks of unknown type (0x1234)"


def test_a_few_unreadable_entries_still_open_with_warnings():
    good = struct.pack(">5H", 0, 65535, 0, 0, 0)
    unknown = struct.pack(">5H", 1029, 1, 2, 3, 4)
    p = read_palette_bytes(b"\x00\x01\x00\x06" + good * 3 + unknown * 3, "half.aco")   # half: opens
    assert len(p.swatches) == 3
    assert [w for w in p.warnings if "1029" in w] == [
        "3 colour entries in the unknown colour space 1029 skipped "
        "(Photoshop's colour spaces are 0 RGB, 1 HSB, 2 CMYK, 7 Lab and 8 Gray)"]
    pantone = struct.pack(">5H", 3, 1, 2, 3, 4)      # colour-book references are real colours
    p = read_palette_bytes(b"\x00\x01\x00\x0b" + good + pantone * 10, "book.aco")
    assert len(p.swatches) == 1
    assert [w for w in p.warnings if "Pantone" in w] == [
        "10 colour entries in colour space 3 (Pantone: a colour book this program cannot convert) skipped"]


def test_an_aco_that_ends_where_its_sections_do_is_a_palette():
    """No signature, but a structure random bytes do not have: the sections end the file
    (v1 alone, or v1 and v2 of the same count).  Its unknown spaces are skipped with one
    line, and a file with none readable is refused naming the space, not "not a palette"."""
    good = struct.pack(">5H", 0, 65535, 0, 0, 0)
    odd = struct.pack(">5H", 12, 1, 2, 3, 4)
    p = read_palette_bytes(b"\x00\x01\x00\x0a" + good + odd * 9, "mostly.aco")
    assert len(p.swatches) == 1 and sum("unknown colour space 12" in w for w in p.warnings) == 1
    v1 = b"\x00\x01\x00\x05" + odd * 5
    v2 = b"\x00\x02\x00\x05" + (odd + struct.pack(">I", 1) + b"\x00\x00") * 5
    for data in (v1, v1 + v2):
        message = error_for(data, "all.aco")
        assert message.startswith("all.aco: no colour can be read: all 5 colour entries are in the unknown "
                                  "colour space 12 (Photoshop's colour spaces are"), message
    # bytes left over after the sections: no sound structure, the binary-file rule stays
    assert "not a palette: 5 of 5" in error_for(v1 + b"\x07" * 7, "junk.aco")
    pantone = struct.pack(">5H", 3, 1, 2, 3, 4)
    assert "no colour can be read: all 4 colour entries are in colour space 3 (Pantone:" in \
        error_for(b"\x00\x01\x00\x04" + pantone * 4, "book.aco")
