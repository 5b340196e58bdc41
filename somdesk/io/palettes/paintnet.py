"""Paint.NET palette (.txt).

One colour per line as AARRGGBB hex digits; lines starting with ``;`` are
comments.  Paint.NET itself writes exactly 96 entries, but accepts fewer, so
we read any number.  We also accept plain RRGGBB lines, which hand-written
files contain.  The AA byte is kept as the colour's alpha.  Read-only.
"""
from __future__ import annotations

from .colorspaces import parse_hex
from .context import ReadContext, decode_text, significant_lines
from .model import Palette, Swatch

FORMAT = "paintnet"


def read(data: bytes, ctx: ReadContext) -> Palette:
    """The palette in Paint.NET .txt bytes `data` (module docstring for the layout).

    Colours come out as 8-bit sRGB swatches; oddities go to the palette's warnings.
    Raises PaletteError (`ctx.error`) naming the file, the problem and, for text, the line.
    """
    text = decode_text(data, ctx)
    swatches: list[Swatch] = []
    for lineno, line in significant_lines(text, ";"):
        line = line.split(";", 1)[0].strip()
        if not line:
            continue
        if len(line) == 8 and (parsed := parse_hex(line)) is not None:
            argb = int(line, 16)
            rgb = ((argb >> 16) & 255, (argb >> 8) & 255, argb & 255)
            alpha = argb >> 24
        elif len(line) == 6 and (parsed := parse_hex(line)) is not None:
            rgb, alpha = parsed[0], 255
        else:
            raise ctx.error(f"expected a colour as AARRGGBB hex digits, found {line[:40]!r}", lineno)
        swatches.append(Swatch(rgb, alpha=alpha))
        ctx.check_count(len(swatches), lineno)
    return ctx.finish(swatches)
