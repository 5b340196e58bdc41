"""GIMP palette (.gpl), also written by Inkscape, Krita, Aseprite, MyPaint.

Layout::

    GIMP Palette
    Name: My palette          (optional)
    Columns: 8                (optional, display hint: swatches per row, kept in Palette.columns)
    Channels: RGBA            (optional, Aseprite extension: 4 numbers a line)
    # comment
    255   0   0	Red           (R G B [A] then an optional name)

Real files have a UTF-8 BOM, CRLF, tabs, Latin-1 names and values above 255
(hand-edited), so the reader tolerates all of those; values outside 0..255
are clamped with a warning.  With ``Channels: RGBA`` the fourth number is
alpha and is kept (`Swatch.alpha`).  Anything else that is not a comment, header or
colour line is an error with its line number -- silently skipping lines
would silently drop colours.
"""
from __future__ import annotations

import re

from .context import ReadContext, decode_text, significant_lines
from .model import Palette, Swatch

FORMAT = "gpl"

_HEADER = "gimp palette"
# Headers are "Key: value".  Parsed with split() rather than a regex with
# lazy groups: those backtrack quadratically on long whitespace runs.
_KEY = re.compile(r"[A-Za-z][A-Za-z ]*")
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d*)?")


def _split_colour(line: str, channels: int) -> tuple[list[str], str | None] | None:
    """'255 0 0 Red' -> (['255', '0', '0'], 'Red'), or None if not a colour line."""
    parts = line.split(None, channels)
    if len(parts) < channels or not all(_NUMBER.fullmatch(p) for p in parts[:channels]):
        return None
    return parts[:channels], (parts[channels] if len(parts) > channels else None)


def _number(text: str, ctx: ReadContext, line: int) -> int:
    # Guard int() against absurd digit strings (Python refuses >4300 digits).
    if len(text) > 12:
        value = -(10 ** 12) if text.startswith("-") else 10 ** 12
    elif "." in text:
        value = int(round(float(text)))
        ctx.warn(f"value {text} is not a whole number; rounded to {value}", line)
    else:
        value = int(text)
    return value


def _channel(text: str, ctx: ReadContext, line: int) -> int:
    if len(text) <= 3 and text.isdigit() and text.isascii():   # the common case, fast
        value = int(text)
        if value <= 255:
            return value
    value = _number(text, ctx, line)
    if 0 <= value <= 255:
        return value
    clamped = 0 if value < 0 else 255
    ctx.warn(f"value {text} is outside 0..255; clamped to {clamped}", line)
    return clamped


def read(data: bytes, ctx: ReadContext) -> Palette:
    """The palette in GIMP .gpl bytes `data` (module docstring for the layout).

    Colours come out as 8-bit sRGB swatches; oddities go to the palette's warnings.
    Raises PaletteError (`ctx.error`) naming the file, the problem and, for text, the line.
    """
    text = decode_text(data, ctx)
    lines = significant_lines(text, "#")
    first = next(lines, None)
    if first is None:
        raise ctx.error("the file is empty")
    if first[1].lower() != _HEADER:
        raise ctx.error("this is not a GIMP palette: the first line must be 'GIMP Palette'", first[0])

    name: str | None = None
    columns: int | None = None
    channels = 3
    swatches: list[Swatch] = []
    for lineno, stripped in lines:
        colour = _split_colour(stripped, channels)
        if colour is not None:
            numbers, colour_name = colour
            rgb = (_channel(numbers[0], ctx, lineno), _channel(numbers[1], ctx, lineno),
                   _channel(numbers[2], ctx, lineno))
            alpha = _channel(numbers[3], ctx, lineno) if channels == 4 else 255
            swatches.append(Swatch(rgb, colour_name, alpha))
            ctx.check_count(len(swatches), lineno)
            continue
        key, colon, value = stripped.partition(":")
        if colon and _KEY.fullmatch(key.strip()):
            key, value = key.strip().lower(), value.strip()
            if key == "name":
                name = value
            elif key == "columns":
                # GIMP accepts 0..256, 0 = its own choice; anything else is only a hint, so warn
                if value.isascii() and value.isdigit() and int(value) <= 256:
                    columns = int(value) or None
                else:
                    ctx.warn(f"Columns {value[:20]!r} is not 0..256; ignored", lineno)
            elif key == "channels":
                if value.upper() == "RGBA":
                    channels = 4
                elif value.upper() == "RGB":
                    channels = 3
                else:
                    raise ctx.error(f"unsupported channels {value[:20]!r} (expected RGB or RGBA)", lineno)
            else:
                ctx.warn(f"unknown header {key[:40]!r} ignored", lineno)
            continue
        want = "R G B A [name]" if channels == 4 else "R G B [name]"
        raise ctx.error(f"expected a colour line '{want}', found {_shorten(stripped)!r}", lineno)
    return ctx.finish(swatches, name, columns)


def _shorten(s: str, n: int = 40) -> str:
    return s if len(s) <= n else s[:n] + "..."


def write(palette: Palette) -> bytes:
    """GIMP's layout; with ``Channels: RGBA`` and 4 numbers a line only when
    some colour is not opaque (GIMP 2.10 itself does not read that header)."""
    rgba = palette.has_alpha
    out = ["GIMP Palette"]
    if palette.name:
        out.append(f"Name: {palette.name}")
    if palette.columns and palette.columns <= 256:    # GIMP's own limit for the hint
        out.append(f"Columns: {palette.columns}")
    if rgba:
        out.append("Channels: RGBA")
    out.append("#")
    for s in palette.swatches:
        r, g, b = s.rgb
        numbers = f"{r:3d} {g:3d} {b:3d}" + (f" {s.alpha:3d}" if rgba else "")
        out.append(numbers + (f"\t{s.name}" if s.name else ""))
    return ("\n".join(out) + "\n").encode("utf-8")
