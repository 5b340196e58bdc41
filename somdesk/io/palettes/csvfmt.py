"""CSV palettes and palette collections (spreadsheets, design tokens, datasets).

Accepted layouts (header names are case-insensitive; comma, semicolon or tab
separated, chosen from the first line):

* a header with a ``hex`` (or ``color``/``colour``) column, optional ``name``;
* a header with ``r,g,b`` (or ``red,green,blue``) columns 0..255, optional ``name``;
* no header: one hex colour per row (a second column, if any, is the name),
  or ``r,g,b[,name]`` rows of numbers;
* ``r,g,b`` numbers are 0..255, unless every one of them lies in 0..1 and some
  has a decimal point: then they are 0..1 fractions, as colour-map files write
  them (CET maps, matplotlib's ``_cm_listed`` data, pyqtgraph's ``colors/maps``;
  found in the palette trials, where ``0.976,0.520,0.971`` had become #010101);
* no header, every cell a hex colour (``#F9DCDD,#F3B2B6`` or ``#000,#555``):
  every cell of every row is a colour, in reading order;
* a **collection**: one column holds a list of hex colours per row, e.g.
  ``"['#950404FF', '#E04B28FF']"`` -- one palette per row.  The header (if
  any) may have a ``name``/``title``/``palette`` column for the names;
  without a header the first other non-empty cell names the row.

Hex colours keep their alpha (8 or 4 digits, ``#rrggbbaa``).  Values
outside 0..255 are clamped with a warning; any other cell that should be a
colour and is not is an error naming its line.  Read-only.
"""
from __future__ import annotations

import csv
import itertools
import re

from somdesk.core.options import count_text

from .colorspaces import parse_hex, unit_to_byte
from .context import ReadContext, decode_text, significant_lines
from .hexfile import is_hex_list_line
from .model import Palette, Swatch

FORMAT = "csv"
_INT = re.compile(r"[-+]?\d{1,12}(?:\.\d*)?")
_HEX_KEYS = ("hex", "color", "colour")
_RGB_KEYS = (("r", "g", "b"), ("red", "green", "blue"))
_NAME_KEYS = ("name", "title", "palette", "palette_name", "palette name", "label")
_BRACKETS = {"[": "]", "(": ")", "{": "}"}


def delimiter_for(line: str) -> str:
    """The first of "," ";" tab that occurs in `line`, else ","."""
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


def list_cell(cell: str) -> list[str] | None:
    """``"['#aa0000', '#00bb00']"`` (or ``#a00 #0b0``) -> the hex strings, else None.

    A bracketed cell may be empty (``[]``: an empty palette); an unbracketed
    one needs at least two colours, so a lone colour stays a colour.
    """
    s = cell.strip()
    bracketed = len(s) >= 2 and _BRACKETS.get(s[0]) == s[-1]
    inner = s[1:-1].strip() if bracketed else s
    if bracketed and not inner:
        return []
    if not is_hex_list_line(inner):
        return None
    tokens = [t.strip().strip("\"'") for t in re.split(r"[,;\s]+", inner.strip(" ,;")) if t.strip()]
    return tokens if bracketed or len(tokens) >= 2 else None


def _list_column(row: list[str]) -> int | None:
    return next((i for i, c in enumerate(row) if list_cell(c) is not None), None)


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


def _unit_fractions(pending) -> bool:
    """Are all r,g,b cells fractions 0..1 (some with a decimal point)?  See the module docstring."""
    dotted = False
    for _line, cells, _name in pending:
        for cell in cells:
            cell = cell.strip()
            if not _INT.fullmatch(cell) or not 0.0 <= float(cell) <= 1.0:
                return False
            dotted = dotted or "." in cell
    return dotted


def _rgb_swatches(pending, ctx: ReadContext) -> list[Swatch]:
    names = ("r", "g", "b")
    if _unit_fractions(pending):
        return [Swatch(tuple(unit_to_byte(float(c)) for c in cells), name) for _line, cells, name in pending]
    return [Swatch(tuple(_channel(c, ctx, line, names[i]) for i, c in enumerate(cells)), name)
            for line, cells, name in pending]


def _hex_swatch(cell: str, ctx: ReadContext, line: int, name=None) -> Swatch:
    parsed = parse_hex(cell.strip())
    if parsed is None:
        raise ctx.error(f"{cell.strip()[:40]!r} is not a hex colour like #rrggbb", line)
    return Swatch(parsed[0], name, parsed[1])


def _rows(text: str, ctx: ReadContext):
    """Yield (line number, row) for CSV rows that have a non-blank cell."""
    lines = significant_lines(text)
    first = next(lines, None)
    if first is None:
        raise ctx.error("the file is empty")
    # Feed the csv module only non-blank lines (skipped at regex speed) and
    # remember each one's real line number for messages.  A blank line inside
    # a quoted field is lost -- an acceptable price for hostile-input speed.
    current = [first[0]]
    delimiter = delimiter_for(first[1])

    def feed():
        for lineno, text_line in itertools.chain([first], lines):
            current[0] = lineno
            if '"' in text_line:
                text_line = _mend_quotes(text_line, delimiter, ctx, lineno)
            yield text_line + "\n"

    try:
        for row in csv.reader(feed(), delimiter=delimiter):
            if any(cell.strip() for cell in row):
                yield current[0], row
    except csv.Error as exc:
        raise ctx.error(f"malformed CSV ({exc})", current[0]) from None


def _mend_quotes(line: str, delimiter: str, ctx: ReadContext, lineno: int) -> str:
    """`line` with each quoted cell that holds a quote not doubled (`"a"b"`, which Python's csv
    module reads as `ab"`) written as the cell it most likely means: the text between its outer
    quotes, as written (`a"b`), with a warning naming the cell (docs/palette-formats.md).  A cell
    is quoted when it starts with a quote; its closing quote is the one followed by the delimiter
    or the line's end; `""` inside stays one quote.  Lines csv reads strictly are returned as
    they are (one strict parse of the line, at C speed)."""
    try:
        next(csv.reader([line], delimiter=delimiter, strict=True), None)
        return line
    except csv.Error as exc:
        if "expected after" not in str(exc):   # not a stray quote (a quoted line break): csv's own rule
            return line
    d = re.escape(delimiter)
    cell = re.compile(rf'(?:^|(?<={d}))([ \t]*)"((?:""|[^"]|"(?!"|[ \t]*(?:{d}|$)))*?)"([ \t]*)(?={d}|$)')

    def mend(m: re.Match) -> str:
        inner = m.group(2)
        if '"' not in inner.replace('""', ""):     # well formed: as it is
            return m.group(0)
        value = inner.replace('""', '"')
        ctx.warn(f"the quoted cell {m.group(0).strip()[:60]!r} holds a quote that is not doubled: it is read as "
                 f"{value[:60]!r}, the text between its outer quotes (write a quote inside quotes as \"\")", lineno)
        return f'{m.group(1)}"{value.replace(chr(34), chr(34) * 2)}"{m.group(3)}'
    return cell.sub(mend, line)


def read_all(data: bytes, ctx: ReadContext) -> list[Palette]:
    """The palettes in CSV bytes `data` (module docstring for the layout) -- every one: a single palette, or one per row of a collection.

    Colours come out as 8-bit sRGB swatches; oddities go to the palette's warnings.
    Raises PaletteError (`ctx.error`) naming the file, the problem and, for text, the line.
    """
    rows = _rows(decode_text(data, ctx), ctx)
    first = next(rows, None)
    if first is None:
        raise ctx.error("the CSV has no cells with values, so the palette contains no colours")
    second = next(rows, None)
    peeked = [first] + ([second] if second is not None else [])
    if _list_column(first[1]) is not None:
        return ctx.finish_many(_collection(itertools.chain(peeked, rows), None, ctx), "row")
    if second is not None and _list_column(second[1]) is not None and header_kind(first[1]) != "rgb":
        return ctx.finish_many(_collection(itertools.chain([second], rows), first[1], ctx), "row")
    return [ctx.finish(_single(itertools.chain(peeked, rows), ctx))]


def read(data: bytes, ctx: ReadContext) -> Palette:
    """The first palette of `read_all`; raises its PaletteError."""
    return read_all(data, ctx)[0]


def _collection(rows, header: list[str] | None, ctx: ReadContext):
    """One (swatches, name) per row; the list column is found in the first row."""
    list_col = name_col = None
    if header is not None:
        lower = [c.strip().lower() for c in header]
        name_col = next((lower.index(k) for k in _NAME_KEYS if k in lower), None)
    for line, row in rows:
        if list_col is None:
            list_col = _list_column(row)
        cell = row[list_col] if list_col < len(row) else ""
        tokens = list_cell(cell)
        if tokens is None:
            raise ctx.error(f"column {list_col + 1}: expected a list of hex colours like "
                            f"\"['#rrggbb', ...]\" (as in the rows before), found {cell[:40]!r}",
                            line)
        if name_col is not None:
            name = row[name_col] if name_col < len(row) else None
        elif header is None:
            name = next((c for i, c in enumerate(row) if i != list_col and c.strip()), None)
        else:
            name = None
        yield [_hex_swatch(t, ctx, line) for t in tokens], name


def _single(rows, ctx: ReadContext) -> list[Swatch]:
    swatches: list[Swatch] = []
    pending: list[tuple[int, list[str], str | None]] = []   # r,g,b rows: the scale is decided at the end
    kind = hex_col = name_col = None
    rgb_cols: tuple[int, int, int] | None = None
    extra_warned = False
    for line, row in rows:
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
            cells = [c for c in row if c.strip()]
            if len(cells) > 1 and parse_hex(cells[0].strip()) and parse_hex(cells[1].strip()):
                # "#F9DCDD,#F3B2B6,...": every cell is a colour.  Decided from
                # the first two cells so a bad later cell is an error, not a name.
                kind = "grid"
            elif parse_hex(row[0].strip()) is not None:
                kind, hex_col, name_col = "hex", 0, (1 if len(row) > 1 else None)
            elif len(row) >= 3 and all(_INT.fullmatch(c.strip()) for c in row[:3]):
                kind, rgb_cols, name_col = "rgb", (0, 1, 2), (3 if len(row) > 3 else None)
            else:
                found = ", ".join(repr(c.strip()[:20]) for c in row[:4]) + (", ..." if len(row) > 4 else "")
                raise ctx.error(f"expected a header with a 'hex' (or 'color') column or 'r,g,b' "
                                f"columns, rows of hex colours, or a column of colour lists; the "
                                f"first row has {count_text(len(row), 'cell')}: {found}", line)
        if kind == "grid":
            swatches += [_hex_swatch(c, ctx, line) for c in row if c.strip()]
            ctx.check_count(len(swatches), line)
            continue
        need = max([hex_col or 0, *(rgb_cols or ())])
        if len(row) <= need:
            raise ctx.error(f"expected at least {count_text(need + 1, 'column')}, found {len(row)}", line)
        name = row[name_col] if name_col is not None and name_col < len(row) else None
        if not extra_warned and any(c.strip() for c in row[max([need, name_col or 0]) + 1:]):
            ctx.warn("cells after the colour and name columns were ignored", line)
            extra_warned = True
        if kind == "hex":
            swatches.append(_hex_swatch(row[hex_col], ctx, line, name))
        else:
            cells = [row[c] for c in rgb_cols]
            for i, c in enumerate(cells):
                if not _INT.fullmatch(c.strip()):
                    raise ctx.error(f"column {'rgb'[i]!r}: expected a number 0..255, found {c.strip()[:40]!r}",
                                    line)
            pending.append((line, cells, name))
        ctx.check_count(len(swatches) + len(pending), line)
    return swatches + _rgb_swatches(pending, ctx)
