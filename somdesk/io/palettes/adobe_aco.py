"""Photoshop colour swatches (.aco).

Byte layout (big-endian), per Adobe's Photoshop file format spec::

    section v1: uint16 version=1, uint16 count, count x colour
    section v2: uint16 version=2, uint16 count, count x (colour, name)
    colour:     uint16 space, uint16 w, x, y, z
    name (v2):  uint32 n = UTF-16 code units incl. terminator, n x uint16 (UTF-16BE)

Photoshop writes v1 then v2 (v1 for old readers, v2 adds names).  Some tools
write only v2.  We prefer v2 when it is present and intact; a damaged v2
after a good v1 falls back to v1 with a warning.

Colour spaces (w, x, y, z are uint16 unless noted):

* 0 RGB:  w, x, y = R, G, B in 0..65535
* 1 HSB:  w = hue 0..65535 -> 0..360 degrees, x = S, y = B in 0..65535
* 2 CMYK: w, x, y, z = C, M, Y, K with 0 = 100 % ink, 65535 = no ink
* 7 Lab:  w = L 0..10000 (L*100), x, y = a, b as *signed* int16 (a*100, b*100)
* 8 Gray: w = 0..10000 is ink, as Photoshop's Grayscale K% swatches: 0 = white,
  10000 = black; the remaining level is the gamma-encoded grey (GIMP's loader:
  Y' = 1 - w / 10000)

Other spaces (Pantone, Focoltone, Trumatch, Toyo, HKS, ...) are proprietary
book references without usable values: skipped with a warning.

An .aco has no signature, only a version and a count, so random bytes can start like
one (testerW #4): a file whose entries are almost all in no space Photoshop writes is
"not a palette" (ReadContext.check_readable) -- unless its sections end exactly at the
end of the file (one section, or a version 1 and a version 2 of the same count), a
structure random bytes do not have: then it is a palette, its unknown spaces are
skipped with one warning line each, and it is refused only when no colour can be read,
naming the space (ReadContext.skip_kind).
"""
from __future__ import annotations

import struct

from somdesk.core.options import count_text

from . import colorspaces as cs
from .context import ReadContext
from .model import Palette, PaletteError, Swatch

FORMAT = "aco"
_COLOUR = struct.Struct(">5H")  # space, w, x, y, z
_SPACE_NAMES = {3: "Pantone", 4: "Focoltone", 5: "Trumatch", 6: "Toyo", 9: "wide CMYK", 10: "HKS"}
_SPACES_HINT = "Photoshop's colour spaces are 0 RGB, 1 HSB, 2 CMYK, 7 Lab and 8 Gray"


def _colour_to_rgb(space: int, w: int, x: int, y: int, z: int, ctx: ReadContext, label: str,
                   sound: bool = False):
    if space == 0:
        return cs.rgb_unit_to_bytes(w / 65535, x / 65535, y / 65535)
    if space == 1:
        return cs.hsb_to_rgb(w / 65535 * 360.0, x / 65535, y / 65535)
    if space == 2:
        return cs.cmyk_to_rgb(1 - w / 65535, 1 - x / 65535, 1 - y / 65535, 1 - z / 65535)
    if space == 7:
        a = x - 65536 if x >= 32768 else x
        b = y - 65536 if y >= 32768 else y
        L = w / 100.0
        if L > 100.0:
            ctx.warn(f"{label}: Lab lightness {L:g} above 100 clamped")
            L = 100.0
        a, b = a / 100.0, b / 100.0
        if not cs.lab_in_gamut(L, a, b):
            ctx.warn(f"{label}: Lab colour is outside the sRGB gamut; clipped")
        return cs.lab_to_rgb(L, a, b, "D50")
    if space == 8:
        if w > 10000:
            ctx.warn(f"{label}: gray value {w} above 10000 clamped")
        return cs.gray_to_rgb(1.0 - min(w, 10000) / 10000)   # w is ink (K %): 0 = white
    what = _SPACE_NAMES.get(space)
    if what is None and sound:      # a real palette's entry in a space Photoshop does not write
        ctx.skip_kind(f"in the unknown colour space {space}", _SPACES_HINT)
    elif what is None:     # no colour space Photoshop writes, in a file of no sound structure
        ctx.skip_unreadable(f"{label}: unknown colour space {space}")
    else:                  # a colour book's reference: a real colour this program cannot convert
        ctx.skip_kind(f"in colour space {space} ({what}: a colour book this program cannot convert)")
    return None


class _Damaged(Exception):
    """A section cannot be parsed; the caller decides: error or fall back."""


class _Section:
    def __init__(self, version: int, entries: list, end: int) -> None:
        self.version, self.entries, self.end = version, entries, end


def _parse_section(data: bytes, pos: int) -> _Section:
    """Parse one v1/v2 section at `pos` (raises _Damaged)."""
    if pos + 4 > len(data):
        raise _Damaged(f"the file is truncated in the section header at byte {pos}")
    version, count = struct.unpack(">HH", data[pos:pos + 4])
    if version not in (1, 2):
        raise _Damaged(f"unsupported ACO version {version} at byte {pos} (expected 1 or 2)")
    pos += 4
    entries = []
    for i in range(count):
        end = pos + _COLOUR.size
        if end > len(data):
            raise _Damaged(f"the file is truncated: version {version} section promises {count} "
                            f"colours but ends after {i}")
        colour = _COLOUR.unpack(data[pos:end])
        pos = end
        name = None
        if version == 2:
            if pos + 4 > len(data):
                raise _Damaged(f"the file is truncated in the name of colour {i + 1}")
            (units,) = struct.unpack(">I", data[pos:pos + 4])
            pos += 4
            if pos + 2 * units > len(data):
                raise _Damaged(f"colour {i + 1} claims a name of {count_text(units, 'character')} "
                                f"but the file ends first (truncated?)")
            raw = data[pos:pos + 2 * units]
            pos += 2 * units
            name = raw.decode("utf-16-be", errors="replace").split("\x00", 1)[0]
        entries.append((colour, name))
    return _Section(version, entries, pos)


def read(data: bytes, ctx: ReadContext) -> Palette:
    """The palette in Photoshop .aco bytes `data` (module docstring for the layout).

    Colours come out as 8-bit sRGB swatches; oddities go to the palette's warnings.
    Raises PaletteError (`ctx.error`) naming the file, the problem and, for text, the line.
    """
    if len(data) < 4:
        raise ctx.error("the file is too short to be a Photoshop .aco swatch file")
    try:
        first = _parse_section(data, 0)
    except _Damaged as exc:
        raise ctx.error(str(exc)) from None
    chosen = first
    end = first.end
    sound = True          # the sections end the file, v1 and v2 agreeing: a palette (module docstring)
    if first.version == 1 and len(data) - end >= 4:
        try:
            second = _parse_section(data, end)
        except _Damaged as exc:
            ctx.warn(f"the version 2 section (names) is damaged ({exc}); "
                     "using the version 1 colours without names")
            end, sound = len(data), False
        else:
            if second.version == 2:
                if len(second.entries) != len(first.entries):
                    ctx.warn(f"version 1 has {count_text(len(first.entries), 'colour')} but version 2 has "
                             f"{len(second.entries)}; using version 2")
                    sound = False
                chosen, end = second, second.end
            else:
                ctx.warn("a second version 1 section was ignored")
                end, sound = second.end, False
    if end < len(data):
        ctx.warn(f"{count_text(len(data) - end, 'byte')} after the swatches ignored")
        sound = False

    swatches = []
    for i, ((space, w, x, y, z), name) in enumerate(chosen.entries, start=1):
        label = f"colour {i}" + (f" ({name!r})" if name else "")
        rgb = _colour_to_rgb(space, w, x, y, z, ctx, label, sound)
        if rgb is not None:
            swatches.append(Swatch(rgb, name))
    return ctx.finish(swatches)


def write(palette: Palette) -> bytes:
    """The .aco bytes of `palette`: a version 1 block then a version 2 block with names (RGB
    channels 0..65535 = 257 x the 8-bit value; alpha is not kept).  Raises PaletteError for
    more than 65,535 colours (the count is a uint16)."""
    n = len(palette.swatches)
    if n > 65535:
        # The count field is uint16; MAX_COLORS (65,536) is one more.
        raise PaletteError(f"a .aco file holds at most 65535 colours; this palette has {n}")
    v1 = [struct.pack(">HH", 1, n)]
    v2 = [struct.pack(">HH", 2, n)]
    for s in palette.swatches:
        r, g, b = s.rgb
        colour = _COLOUR.pack(0, r * 257, g * 257, b * 257, 0)
        v1.append(colour)
        name = (s.name or "").encode("utf-16-be", errors="replace") + b"\x00\x00"
        v2.append(colour + struct.pack(">I", len(name) // 2) + name)
    return b"".join(v1) + b"".join(v2)

