"""Writers produce exactly the documented byte layouts (literal expected bytes)."""
import json
import struct

from somdesk.io.palettes import Palette, Swatch, palette_to_bytes

PALETTE = Palette([Swatch((255, 0, 0), "Red"), Swatch((0, 128, 255))], name="P")


def test_ase_layout():
    f = lambda v: struct.pack(">f", v)
    expected = (
        b"ASEF" + b"\x00\x01\x00\x00" + b"\x00\x00\x00\x04"          # v1.0, 4 blocks
        # group start: type, length 4, name "P" = 2 units incl. terminator
        + b"\xc0\x01" + b"\x00\x00\x00\x06" + b"\x00\x02" + b"\x00P\x00\x00"
        # colour "Red": name 4 units (8 bytes) + 'RGB ' + 3 floats + type 2
        + b"\x00\x01" + struct.pack(">I", 2 + 8 + 4 + 12 + 2) + b"\x00\x04"
        + "Red".encode("utf-16-be") + b"\x00\x00" + b"RGB " + f(1.0) + f(0.0) + f(0.0) + b"\x00\x02"
        # unnamed colour: name length 1 (terminator only)
        + b"\x00\x01" + struct.pack(">I", 2 + 2 + 4 + 12 + 2) + b"\x00\x01" + b"\x00\x00"
        + b"RGB " + f(0.0) + f(128 / 255) + f(1.0) + b"\x00\x02"
        # group end
        + b"\xc0\x02" + b"\x00\x00\x00\x00"
    )
    assert palette_to_bytes(PALETTE, "ase") == expected


def test_ase_without_palette_name_has_no_group():
    data = palette_to_bytes(Palette([Swatch((1, 2, 3))]), "ase")
    assert data[:12] == b"ASEF\x00\x01\x00\x00\x00\x00\x00\x01"
    assert data[12:14] == b"\x00\x01"


def test_aco_layout():
    expected = (
        b"\x00\x01\x00\x02"                                            # v1, 2 colours
        + b"\x00\x00" + b"\xff\xff\x00\x00\x00\x00\x00\x00"          # RGB 65535,0,0, z=0
        + b"\x00\x00" + b"\x00\x00\x80\x80\xff\xff\x00\x00"          # 0, 128*257, 65535
        + b"\x00\x02\x00\x02"                                          # v2, 2 colours
        + b"\x00\x00" + b"\xff\xff\x00\x00\x00\x00\x00\x00"
        + b"\x00\x00\x00\x04" + "Red".encode("utf-16-be") + b"\x00\x00"   # 4 units incl. NUL
        + b"\x00\x00" + b"\x00\x00\x80\x80\xff\xff\x00\x00"
        + b"\x00\x00\x00\x01" + b"\x00\x00"                           # empty name
    )
    assert palette_to_bytes(PALETTE, "aco") == expected


def test_aco_non_bmp_name_counts_utf16_code_units():
    data = palette_to_bytes(Palette([Swatch((0, 0, 0), "\U0001F600")]), "aco")
    v2 = data[4 + 10:]
    assert v2[:4] == b"\x00\x02\x00\x01"
    assert struct.unpack(">I", v2[14:18])[0] == 3        # surrogate pair + terminator
    assert v2[18:] == "\U0001F600".encode("utf-16-be") + b"\x00\x00"


def test_jasc_layout():
    assert palette_to_bytes(PALETTE, "jasc-pal") == b"JASC-PAL\r\n0100\r\n2\r\n255 0 0\r\n0 128 255\r\n"


def test_gpl_layout():
    assert palette_to_bytes(PALETTE, "gpl") == (
        b"GIMP Palette\nName: P\n#\n255   0   0\tRed\n  0 128 255\n")


def test_hex_layout():
    assert palette_to_bytes(PALETTE, "hex") == b"ff0000\n0080ff\n"


def test_css_layout():
    assert palette_to_bytes(PALETTE, "css") == (
        b"/* Palette: P */\n:root {\n  --Red: #ff0000;\n  --color-2: #0080ff;\n}\n")
    tricky = Palette([Swatch((0, 0, 0), "a b/c")])
    assert b"--a\\20 b\\2f c: #000000;" in palette_to_bytes(tricky, "css")


def test_json_layout_matches_cli_json():
    data = palette_to_bytes(PALETTE, "json")
    assert json.loads(data) == PALETTE.to_json_dict()
    assert data.endswith(b"}\n")
