"""Paint.NET palette (.txt).

One colour per line as AARRGGBB hex digits; lines starting with ``;`` are
comments.  Paint.NET itself writes exactly 96 entries, but accepts fewer, so
we read any number.  We also accept plain RRGGBB lines, which hand-written
files contain.  Alpha is ignored (with one summary warning).  Read-only.
"""
from __future__ import annotations

from .colorspaces import parse_hex
from .context import ReadContext, decode_text, significant_lines
from .model import Palette, Swatch

FORMAT = "paintnet"


def read(data: bytes, ctx: ReadContext) -> Palette:
    text = decode_text(data, ctx)
    swatches: list[Swatch] = []
    low_alpha = 0
    for lineno, line in significant_lines(text, ";"):
        line = line.split(";", 1)[0].strip()
        if not line:
            continue
        if len(line) == 8 and (parsed := parse_hex(line)) is not None:
            argb = int(line, 16)
            rgb = ((argb >> 16) & 255, (argb >> 8) & 255, argb & 255)
            if argb >> 24 != 255:
                low_alpha += 1
        elif len(line) == 6 and (parsed := parse_hex(line)) is not None:
            rgb = parsed[0]
        else:
            raise ctx.error(f"expected a colour as AARRGGBB hex digits, found {line[:40]!r}", lineno)
        swatches.append(Swatch(rgb))
        ctx.check_count(len(swatches), lineno)
    if low_alpha:
        ctx.warn(f"{low_alpha} colour(s) have alpha below FF; alpha was ignored")
    return ctx.finish(swatches)
