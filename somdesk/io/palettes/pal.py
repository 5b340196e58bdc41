"""The two unrelated `.pal` formats: JASC (Paint Shop Pro) text and Microsoft RIFF.

JASC-PAL (text, CRLF or LF)::

    JASC-PAL
    0100
    <count>
    R G B [A]          (count lines, 0..255; the optional alpha column is kept)

Microsoft RIFF palette (little-endian)::

    "RIFF" uint32 riff_size "PAL "
    chunks: char[4] id, uint32 size, body (padded to even size)
    "data" chunk body: uint16 version = 0x0300, uint16 count,
                       count x (uint8 r, g, b, flags)

Neither format has names.  We write JASC only (RIFF is read-only: hardly
anything still produces it, and JASC is what pixel-art tools exchange).
"""
from __future__ import annotations

import re
import struct

from somdesk.core.options import count_text

from .context import ReadContext, decode_text, significant_lines
from .model import Palette, Swatch

JASC_FORMAT = "jasc-pal"
RIFF_FORMAT = "riff-pal"

# Real RIFF palettes have one or two chunks; a file of thousands of tiny
# chunks is hostile and would only make us loop.
_MAX_CHUNKS = 1000

_INT = re.compile(r"\d{1,12}")


def read_jasc(data: bytes, ctx: ReadContext) -> Palette:
    """The palette in JASC-PAL text bytes `data` (module docstring for the layout).

    Colours come out as 8-bit sRGB swatches; oddities go to the palette's warnings.
    Raises PaletteError (`ctx.error`) naming the file, the problem and, for text, the line.
    """
    text = decode_text(data, ctx)
    lines = significant_lines(text)
    header = [next(lines, None) for _ in range(3)]
    if header[0] is None or header[0][1].upper() != "JASC-PAL":
        raise ctx.error("this is not a JASC palette: the first line must be 'JASC-PAL'",
                        header[0][0] if header[0] else 1)
    if header[2] is None:
        raise ctx.error("the file is truncated: the version and colour count lines are missing")
    (_, version), (count_line, count_field) = header[1], header[2]
    if version != "0100":
        ctx.warn(f"unexpected version {version[:20]!r} (expected 0100)", header[1][0])
    if not re.fullmatch(r"\d{1,9}", count_field):
        raise ctx.error(f"expected the number of colours, found {count_field[:40]!r}", count_line)
    count = int(count_field)
    ctx.check_count(count, count_line)

    swatches: list[Swatch] = []
    for lineno, line in lines:
        if len(swatches) == count:
            ctx.warn(f"more colour lines than the declared {count}; the rest were ignored", lineno)
            break
        parts = line.split()
        if len(parts) not in (3, 4) or not all(_INT.fullmatch(p) for p in parts):
            raise ctx.error(f"expected a colour line 'R G B' or 'R G B A', found {line[:40]!r}", lineno)
        values = []
        for p in parts:
            v = int(p)
            if v > 255:
                ctx.warn(f"value {v} is outside 0..255; clamped to 255", lineno)
                v = 255
            values.append(v)
        swatches.append(Swatch(tuple(values[:3]), alpha=values[3] if len(values) == 4 else 255))
    if len(swatches) < count:
        raise ctx.error(f"the header declares {count_text(count, 'colour')} but only {len(swatches)} "
                        "colour lines follow (truncated file?)")
    return ctx.finish(swatches)


def write_jasc(palette: Palette) -> bytes:
    """JASC-PAL 0100 text bytes, CRLF line ends, one "r g b" line per colour (names and alpha not kept)."""
    # CRLF: the format comes from Windows and Paint Shop Pro expects it.
    out = ["JASC-PAL", "0100", str(len(palette.swatches))]
    out += [f"{r} {g} {b}" for r, g, b in (s.rgb for s in palette.swatches)]
    return ("\r\n".join(out) + "\r\n").encode("ascii")


def read_riff(data: bytes, ctx: ReadContext) -> Palette:
    """The palette in Microsoft RIFF .pal bytes `data` (module docstring for the layout).

    Colours come out as 8-bit sRGB swatches; oddities go to the palette's warnings.
    Raises PaletteError (`ctx.error`) naming the file, the problem and, for text, the line.
    """
    if len(data) < 12 or data[:4] != b"RIFF":
        raise ctx.error("not a RIFF palette (it does not start with 'RIFF')")
    if data[8:12] != b"PAL ":
        form = data[8:12].decode("latin-1")
        raise ctx.error(f"this RIFF file holds {form!r} data, not a palette ('PAL ')")
    (riff_size,) = struct.unpack("<I", data[4:8])
    if riff_size + 8 != len(data):
        ctx.warn(f"the RIFF header says {count_text(riff_size + 8, 'byte')} but the file has {len(data)}")

    pos = 12
    for _ in range(_MAX_CHUNKS):
        if pos + 8 > len(data):
            break
        cid = data[pos:pos + 4]
        (size,) = struct.unpack("<I", data[pos + 4:pos + 8])
        body_start = pos + 8
        if cid == b"data":
            return _riff_data(data[body_start:body_start + size], size, body_start, ctx)
        pos = body_start + size + (size & 1)
    else:
        raise ctx.error(f"no 'data' chunk among the first {count_text(_MAX_CHUNKS, 'chunk')}; not a palette")
    raise ctx.error("no 'data' chunk found: the RIFF palette is truncated or empty")


def _riff_data(body: bytes, size: int, offset: int, ctx: ReadContext) -> Palette:
    if len(body) < 4:
        raise ctx.error(f"the 'data' chunk at byte {offset - 8} is truncated")
    version, count = struct.unpack("<HH", body[:4])
    if version != 0x0300:
        ctx.warn(f"unexpected palette version 0x{version:04X} (expected 0x0300)")
    need = 4 + 4 * count
    if len(body) < need:
        raise ctx.error(f"the 'data' chunk declares {count_text(count, 'colour')} ({count_text(need, 'byte')}) "
                        f"but only {count_text(len(body), 'byte')} are present (truncated file?)")
    if size > need:
        ctx.warn(f"{size - need} extra bytes in the 'data' chunk ignored")
    swatches = [Swatch((body[i], body[i + 1], body[i + 2])) for i in range(4, need, 4)]
    return ctx.finish(swatches)
