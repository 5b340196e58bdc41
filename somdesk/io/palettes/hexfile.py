"""Hex colour lists: Lospec ``.hex`` and one-line lists in .txt/.hex files.

Lospec writes one ``RRGGBB`` per line, optionally with a leading ``#``.
Coolors, Adobe Color and many web pages give a palette as one line instead::

    #F9DCDD, #F3B2B6, #EB8A90
    #000,#555,#aaa

so a line may hold any number of colours separated by commas, semicolons or
white space, each optionally in quotes.  With ``#`` a colour has 3, 4, 6 or
8 digits, and 4 or 8 digits carry alpha in CSS order (``#RRGGBBAA``), which
is kept.  Without ``#`` only 6 digits -- bare 3-digit numbers are too easily
something else, and bare 8-digit lines in a .txt are Paint.NET's ``AARRGGBB``
-- except in a file named ``.hex``: Lospec never writes 8 digits and Paint.NET
never writes .hex, and converters that do (ColorPaletteCodable, found in the
palette trials) write ``RRGGBBAA``, the 6-digit colour followed by its alpha,
so there bare 8 digits are read in CSS order too.  Every
token must be a colour: anything else is an error naming the line -- a
reader never drops colours silently.  No names.  We write lower-case
``rrggbb`` lines without ``#``, as lospec.com does.
"""
from __future__ import annotations

import re

from .colorspaces import parse_hex
from .context import ReadContext, decode_text, significant_lines
from .model import Palette, Swatch

FORMAT = "hex"

_SEPARATORS = re.compile(r"[,;\s]+")
_TOKEN = re.compile(r"#(?:[0-9A-Fa-f]{3,4}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})|[0-9A-Fa-f]{6}")
_TOKEN_HEX_FILE = re.compile(r"#?(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})|#[0-9A-Fa-f]{3,4}")   # in a .hex file


def _tokens(line: str) -> list[str]:
    return [t.strip("\"'") for t in _SEPARATORS.split(line.strip(" ,;\t")) if t]


def token_pattern(filename: str) -> re.Pattern:
    """The colour tokens read in `filename`: bare 8 digits only in a .hex file (module docstring)."""
    return _TOKEN_HEX_FILE if str(filename).lower().endswith(".hex") else _TOKEN


def is_hex_list_line(line: str, filename: str = "") -> bool:
    """True when `line` is one or more hex colours separated by , ; or spaces."""
    tokens = _tokens(line)
    token = token_pattern(filename)
    return bool(tokens) and all(token.fullmatch(t) for t in tokens)


def read(data: bytes, ctx: ReadContext) -> Palette:
    """The palette in hex list bytes `data` (module docstring for the layout).

    Colours come out as 8-bit sRGB swatches; oddities go to the palette's warnings.
    Raises PaletteError (`ctx.error`) naming the file, the problem and, for text, the line.
    """
    text = decode_text(data, ctx)
    swatches: list[Swatch] = []
    token_re = token_pattern(ctx.filename)
    for lineno, line in significant_lines(text):
        # One colour per line (Lospec) is the common case: skip the split.
        tokens = (line,) if token_re.fullmatch(line) else _tokens(line)
        for token in tokens:
            parsed = parse_hex(token) if token_re.fullmatch(token) else None
            if parsed is None:
                if len(tokens) == 1:
                    raise ctx.error(f"expected a colour as RRGGBB hex digits, found {line[:40]!r}",
                                    lineno)
                raise ctx.error(f"{token[:40]!r} is not a hex colour like #rrggbb or #rgb "
                                "(colours on a line are separated by commas, semicolons or spaces)",
                                lineno)
            swatches.append(Swatch(parsed[0], alpha=parsed[1]))
            ctx.check_count(len(swatches), lineno)
    return ctx.finish(swatches)


def write(palette: Palette) -> bytes:
    """Lospec .hex bytes: one lower-case ``rrggbb`` per line (names and alpha not kept)."""
    return "".join(s.hex[1:] + "\n" for s in palette.swatches).encode("ascii")
