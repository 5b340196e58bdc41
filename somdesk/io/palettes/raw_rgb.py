"""Headerless RGB-triplet palettes: Photoshop Color Table (.act) and raw .pal.

Photoshop Color Table ``.act`` (Adobe, "Photoshop File Formats
Specification", Color Table section)::

    256 x (uint8 r, g, b)                         768 bytes
    [uint16 colour count, uint16 transparent index]   +4 bytes = 772 (big-endian,
                                                  Photoshop 6 and later)

The count says how many of the 256 entries are used (the rest is padding);
the transparent index is 0xFFFF when no entry is transparent.  There is no
signature, so like GIMP and Krita we recognise the format by its ``.act``
extension.  GIMP also reads shorter files (any whole number of triplets), so
we do too, with a warning.

Raw RGB ``.pal`` as NES/Famicom emulators write it (FCEUX, Mesen, Nestopia):
no header, 192 bytes = 64 colours, or 1536 bytes = 64 colours x 8 colour
emphasis variants (entry = emphasis * 64 + colour; emphasis bit 0 = red,
1 = green, 2 = blue, as in PPUMASK bits 5-7).  A 1536-byte file is read as a
collection of 8 palettes, the plain one first.  768 bytes (256 colours, DOS /
VGA-style and ACT tables saved as .pal) is the same structure and is read as
one palette.  These are recognised by size only, and only when the file has
no JASC or RIFF signature (see detect.py).
"""
from __future__ import annotations

import struct

from somdesk.core.options import count_text

from .context import ReadContext
from .model import Palette, PaletteError, Swatch

ACT_FORMAT = "act"
RAW_FORMAT = "raw-pal"

ACT_COLOURS = 256
ACT_PLAIN_BYTES = 3 * ACT_COLOURS          # 768
ACT_EXTENDED_BYTES = ACT_PLAIN_BYTES + 4   # 772
NO_TRANSPARENCY = 0xFFFF

#: Sizes of headerless RGB .pal files we recognise, and their colour counts.
RAW_PAL_SIZES = {192: 64, 768: 256, 1536: 512}
_EMPHASIS = ("no emphasis", "red emphasis", "green emphasis", "red+green emphasis",
             "blue emphasis", "red+blue emphasis", "green+blue emphasis",
             "red+green+blue emphasis")


def _triplets(data: bytes, count: int) -> list[Swatch]:
    return [Swatch((data[i], data[i + 1], data[i + 2])) for i in range(0, 3 * count, 3)]


def read_act(data: bytes, ctx: ReadContext) -> Palette:
    """The palette in Photoshop .act bytes `data` (768, or 772 with count and transparent index) (module docstring for the layout).

    Colours come out as 8-bit sRGB swatches; oddities go to the palette's warnings.
    Raises PaletteError (`ctx.error`) naming the file, the problem and, for text, the line.
    """
    size = len(data)
    if size == ACT_EXTENDED_BYTES:
        count, transparent = struct.unpack(">HH", data[ACT_PLAIN_BYTES:])
        if not 1 <= count <= ACT_COLOURS:
            ctx.warn(f"the colour count field says {count}, outside 1..256; all 256 entries read")
            count = ACT_COLOURS
        swatches = _triplets(data, count)
        if transparent != NO_TRANSPARENCY:
            if transparent < count:
                s = swatches[transparent]
                swatches[transparent] = Swatch(s.rgb, s.name, alpha=0)
            else:
                ctx.warn(f"the transparent index {transparent} is not one of the {count} "
                         "colours; ignored")
        return ctx.finish(swatches)
    if size == ACT_PLAIN_BYTES:
        return ctx.finish(_triplets(data, ACT_COLOURS))
    if 0 < size < ACT_PLAIN_BYTES and size % 3 == 0:
        ctx.warn(f"the file is {count_text(size, 'byte')}, not the 768 or 772 Photoshop writes; read as "
                 f"{size // 3} RGB triplets, as GIMP does")
        return ctx.finish(_triplets(data, size // 3))
    raise ctx.error(f"a Photoshop colour table (.act) is 768 or 772 bytes (256 RGB triplets "
                    f"[+ count and transparent index]); this file is {count_text(size, 'byte')}")


def write_act(palette: Palette) -> bytes:
    """768 bytes when the palette is 256 opaque colours, else the 772-byte form.

    Unused entries are black padding.  The first fully transparent swatch
    becomes the transparent index; ACT cannot hold any other alpha (see
    `write_losses`).  More than 256 colours raises PaletteError.
    """
    n = len(palette.swatches)
    if n > ACT_COLOURS:
        raise PaletteError(f"a Photoshop colour table holds at most 256 colours; "
                           f"the palette has {n}")
    table = b"".join(bytes(s.rgb) for s in palette.swatches)
    table += b"\x00" * (ACT_PLAIN_BYTES - len(table))
    transparent = next((i for i, s in enumerate(palette.swatches) if s.alpha == 0),
                       NO_TRANSPARENCY)
    if n == ACT_COLOURS and transparent == NO_TRANSPARENCY:
        return table
    return table + struct.pack(">HH", n, transparent)


def read_raw_all(data: bytes, ctx: ReadContext) -> list[Palette]:
    """The palettes in headerless RGB .pal bytes `data` (module docstring for the layout) -- every one: 8 emphasis palettes for a 1536-byte NES file, else one.

    Colours come out as 8-bit sRGB swatches; oddities go to the palette's warnings.
    Raises PaletteError (`ctx.error`) naming the file, the problem and, for text, the line.
    """
    size = len(data)
    colours = RAW_PAL_SIZES.get(size)
    if colours is None:
        sizes = ", ".join(f"{s} ({count_text(c, 'colour')})" for s, c in RAW_PAL_SIZES.items())
        raise ctx.error(f"a headerless RGB .pal is {sizes} bytes; this file is {count_text(size, 'byte')} "
                        "and has no JASC-PAL or RIFF header")
    swatches = _triplets(data, colours)
    if colours == 512:
        return ctx.finish_many(((swatches[i * 64:(i + 1) * 64], _EMPHASIS[i]) for i in range(8)),
                               "emphasis palette")
    return [ctx.finish(swatches)]


def read_raw(data: bytes, ctx: ReadContext) -> Palette:
    """The first palette of `read_raw_all`; raises its PaletteError."""
    return read_raw_all(data, ctx)[0]
