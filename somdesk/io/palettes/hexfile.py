"""Lospec hex palette (.hex): one RRGGBB per line, optional leading ``#``.

No names, no header.  Blank lines are skipped.  We write lower-case digits
without ``#``, as lospec.com does.
"""
from __future__ import annotations

from .colorspaces import parse_hex
from .context import ReadContext, decode_text, significant_lines
from .model import Palette, Swatch

FORMAT = "hex"


def read(data: bytes, ctx: ReadContext) -> Palette:
    text = decode_text(data, ctx)
    swatches: list[Swatch] = []
    for lineno, line in significant_lines(text):
        digits = line[1:] if line.startswith("#") else line
        parsed = parse_hex(digits) if len(digits) == 6 else None
        if parsed is None:
            raise ctx.error(f"expected a colour as RRGGBB hex digits, found {line[:40]!r}", lineno)
        swatches.append(Swatch(parsed[0]))
        ctx.check_count(len(swatches), lineno)
    return ctx.finish(swatches)


def write(palette: Palette) -> bytes:
    return "".join(s.hex[1:] + "\n" for s in palette.swatches).encode("ascii")
