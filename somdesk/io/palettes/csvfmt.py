"""CSV palettes (spreadsheets, exported design tokens).

Accepted layouts (header names are case-insensitive; comma, semicolon or tab
separated, chosen from the first line):

* a header with a ``hex`` (or ``color``/``colour``) column, optional ``name``;
* a header with ``r,g,b`` (or ``red,green,blue``) columns 0..255, optional ``name``;
* no header: one hex colour per row (a second column, if any, is the name),
  or ``r,g,b[,name]`` rows of integers.

Values outside 0..255 are clamped with a warning.  Read-only.
"""
from __future__ import annotations

import csv
import itertools
import re

from .colorspaces import parse_hex
from .context import ReadContext, decode_text, significant_lines
from .model import Palette, Swatch

FORMAT = "csv"
_INT = re.compile(r"[-+]?\d{1,12}(?:\.\d*)?")
_HEX_KEYS = ("hex", "color", "colour")
_RGB_KEYS = (("r", "g", "b"), ("red", "green", "blue"))


def delimiter_for(line: str) -> str:
    for d in (",", ";", "\t"):
        if d in line:
            return d
    return ","


def header_kind(cells: list[str]) -> str | None:
    """'hex' / 'rgb' if `cells` is a header we understand, else None."""
    lower = [c.strip().lower() for c in cells]
    if any(k in lower for k in _HEX_KEYS):
        return "hex"
    if any(all(k in lower for k in keys) for keys in _RGB_KEYS):
        return "rgb"
    return None


def _channel(cell: str, ctx: ReadContext, line: int, column: str) -> int:
    cell = cell.strip()
    if not _INT.fullmatch(cell):
        raise ctx.error(f"column {column!r}: expected a number 0..255, found {cell[:40]!r}", line)
    value = int(round(float(cell)))
    if not 0 <= value <= 255:
        clamped = min(max(value, 0), 255)
        ctx.warn(f"column {column!r}: value {cell} is outside 0..255; clamped to {clamped}", line)
        value = clamped
    return value


def read(data: bytes, ctx: ReadContext) -> Palette:
    text = decode_text(data, ctx)
    lines = significant_lines(text)
    first = next(lines, None)
    if first is None:
        raise ctx.error("the file is empty")
    # Feed the csv module only non-blank lines (skipped at regex speed) and
    # remember each one's real line number for messages.  A blank line inside
    # a quoted field is lost -- an acceptable price for hostile-input speed.
    current = [first[0]]

    def feed():
        for lineno, text_line in itertools.chain([first], lines):
            current[0] = lineno
            yield text_line + "\n"

    reader = csv.reader(feed(), delimiter=delimiter_for(first[1]))
    swatches: list[Swatch] = []
    low_alpha = 0
    kind = hex_col = name_col = None
    rgb_cols: tuple[int, int, int] | None = None
    try:
        for row in reader:
            line = current[0]
            if not any(cell.strip() for cell in row):
                continue
            if kind is None:
                kind = header_kind(row)
                lower = [c.strip().lower() for c in row]
                if kind == "hex":
                    hex_col = next(lower.index(k) for k in _HEX_KEYS if k in lower)
                    name_col = lower.index("name") if "name" in lower else None
                    continue
                if kind == "rgb":
                    keys = next(keys for keys in _RGB_KEYS if all(k in lower for k in keys))
                    rgb_cols = tuple(lower.index(k) for k in keys)
                    name_col = lower.index("name") if "name" in lower else None
                    continue
                # No header: decide from the first data row.
                if parse_hex(row[0].strip()) is not None:
                    kind, hex_col, name_col = "hex", 0, (1 if len(row) > 1 else None)
                elif len(row) >= 3 and all(_INT.fullmatch(c.strip()) for c in row[:3]):
                    kind, rgb_cols, name_col = "rgb", (0, 1, 2), (3 if len(row) > 3 else None)
                else:
                    raise ctx.error("expected a header with a 'hex' column or 'r,g,b' columns, "
                                    "or rows of hex colours", line)
            need = max([hex_col or 0, *(rgb_cols or ())])
            if len(row) <= need:
                raise ctx.error(f"expected at least {need + 1} columns, found {len(row)}", line)
            if kind == "hex":
                cell = row[hex_col].strip()
                parsed = parse_hex(cell)
                if parsed is None:
                    raise ctx.error(f"{cell[:40]!r} is not a hex colour like #rrggbb", line)
                rgb, alpha = parsed
                low_alpha += alpha < 255
            else:
                names = ("r", "g", "b")
                rgb = tuple(_channel(row[c], ctx, line, names[i]) for i, c in enumerate(rgb_cols))
            name = row[name_col] if name_col is not None and name_col < len(row) else None
            swatches.append(Swatch(rgb, name))
            ctx.check_count(len(swatches), line)
    except csv.Error as exc:
        raise ctx.error(f"malformed CSV ({exc})", current[0]) from None
    if low_alpha:
        ctx.warn(f"{low_alpha} colour(s) have alpha below ff; alpha was ignored")
    return ctx.finish(swatches)
