"""Spreadsheets (.xlsx/.xlsm/.xlsb, .xls, .ods) through python-calamine.

A sheet is written to a temporary UTF-8 CSV that the engine then reads like
any text table, so filters, sampling and type sniffing work the same way for
every format.  Numbers keep full precision (repr of the float), dates become
ISO text (the engine types them), empty cells become empty fields (missing).
Merged cells are not spread: only their top-left cell holds the value, as in
the file.  Title rows above the header (a merged "Report title") are skipped by the
text files' rule unless the user sets the rows to skip.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os

from somdesk.core import cancel as cancel_mod
from somdesk.core.options import count_text
from somdesk.errors import FileFormatError, OptionError
from somdesk.io.file_kinds import damaged_map_not_table, file_kind, with_article
from somdesk.io.tables.detect import TextHints, skip_titles

_TITLE_ROWS = 52     # rows judged for titles above the header (detect.skip_titles looks at 52)

__all__ = ["sheet_to_csv", "sheet_names", "sheets_note"]


def _open(path: str, name: str):
    import python_calamine as pc

    try:
        return pc.CalamineWorkbook.from_path(path)
    except Exception as exc:                  # calamine raises its own error classes and ValueError
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise FileFormatError(_why_unreadable(path, name, reason)
                              or f"cannot read {name}: not a readable spreadsheet ({reason})") from None


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _why_unreadable(path: str, name: str, reason: str = "") -> str | None:
    """What a file the spreadsheet reader refused is, when its first bytes say more than the
    reader's own words ("invalid Zip archive: Could not find EOCD", tester6 F48/F21): an OLE2
    container named .xlsx (Excel saves a password-protected workbook so), or a somdesk map."""
    import zipfile

    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError:
        return None
    low = name.lower()
    if head == OLE2_MAGIC:
        if low.endswith((".xlsx", ".xlsm", ".xlsb")):
            return (f"{name} is an encrypted (password-protected) workbook, or an old-format .xls named "
                    f"{os.path.splitext(name)[1]}: open it in Excel or LibreOffice and save it without a "
                    "password as .xlsx or .csv")
        return (f"cannot read {name}: the .xls workbook is damaged or password-protected; open it in Excel or "
                "LibreOffice and save it without a password as .xlsx or .csv")
    if low.endswith(".somz") or head[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(path) as z:
                is_map = "meta.json" in z.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            is_map = False
        if not is_map and low.endswith(".somz"):     # the map reader's words (testerG #7)
            return damaged_map_not_table(name)
        if is_map:
            return (f"{name} is a somdesk map, not a table: score a table with it (somdesk assign {name} TABLE, "
                    "or File > Score new data in the window), or open it in the window")
    # the format the user has, by the name then the bytes (tester11 #3): a damaged .xlsx is a
    # damaged workbook, a .zip or .docx no spreadsheet at all
    kind = file_kind(name, head)
    if kind is None:
        return None
    if "workbook" in kind or "spreadsheet" in kind:
        return f"cannot read {name}: the {kind} is damaged or truncated ({reason})" if reason else None
    return f"cannot read {name}: it is {with_article(kind)}, not a spreadsheet or a table"


def sheet_names(path, name: str | None = None) -> list[str]:
    """Names of the sheets of a workbook, in order."""
    path = os.fspath(path)
    return list(_open(path, name or os.path.basename(path)).sheet_names)


def _cell(v) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return str(v.total_seconds())
    return str(v)


def sheet_to_csv(path: str, name: str, fmt: str, opts, tmpdir: str, cancel=None) -> tuple[str, dict]:
    """Write the chosen sheet to `tmpdir`/sheet.csv; return (its path, dialect dict)."""
    wb = _open(path, name)
    try:
        names = list(wb.sheet_names)
        if not names:
            raise FileFormatError(f"cannot read {name}: the workbook has no sheets")
        sheet = opts.sheet
        if sheet is None:
            sheet = 0
        if isinstance(sheet, str) and sheet.strip().isdigit() and sheet not in names:
            sheet = int(sheet)
        if isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise OptionError(f"{name} has {count_text(len(names), 'sheet')}; there is no sheet number {sheet} "
                                  f"(sheets: {', '.join(names)})")
            sheet = names[sheet]
        if sheet not in names:
            raise OptionError(f"{name} has no sheet {sheet!r}; its sheets are: {', '.join(names)}")
        out = os.path.join(tmpdir, "sheet.csv")
        # no sheet asked for: the first that holds anything (a workbook often starts with an
        # empty or cover sheet, and the user could not see the others' names: tester6 F11)
        tried = [sheet] if opts.sheet is not None else names
        for sheet in tried:
            n, head, partial = _write_sheet(wb, sheet, name, out, opts, cancel)
            if n:
                break
        if n == 0:
            if len(names) == 1:
                raise FileFormatError(f"cannot read {name}: its sheet {sheet!r} is empty")
            if opts.sheet is None:
                raise FileFormatError(f"cannot read {name}: all its {count_text(len(names), 'sheet')} are empty")
            others = ", ".join(repr(x) for x in names if x != sheet)
            raise FileFormatError(f"cannot read {name}: sheet {sheet!r} is empty (its other sheets: {others})")
        _pad(out)
        dialect = {"sheet": sheet, "sheets": names}
        if opts.sheet is None and sheet != names[0]:
            dialect["empty_sheets"] = names[:names.index(sheet)]
        titles = _titles(head) if opts.skip is None else []
        if titles:
            dialect["skip"], dialect["title_lines"] = len(titles), titles
        group = _group_header(head[len(titles):]) if opts.skip is None and opts.header is not False else None
        if group:
            dialect["group_header"] = group
        if partial:
            dialect["partial"] = True
        return out, dialect
    finally:
        try:
            wb.close()
        except Exception:
            pass


def _write_sheet(wb, sheet: str, name: str, out: str, opts, cancel) -> tuple[int, list, bool]:
    """Write `sheet`'s non-blank rows to the CSV file `out`: (rows written, the first rows'
    cells for the title rule, whether a preview stopped early)."""
    try:
        rows = wb.get_sheet_by_name(sheet).iter_rows()
    except Exception as exc:
        raise FileFormatError(f"cannot read {name}, sheet {sheet!r}: {exc}") from None
    n = 0
    head: list[list[str]] = []
    # a preview of a big sheet: the skipped lines, the header and preview_rows data rows
    last = (None if opts.preview_rows is None else
            (opts.skip or 0) + (opts.header is not False) + opts.preview_rows)
    partial = False
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        for row in rows:
            if n % 4096 == 0:
                cancel_mod.check(cancel)
            cells = [_cell(v) for v in row]
            while cells and cells[-1] == "":
                cells.pop()
            if not cells:
                continue                  # blank rows in a sheet carry no data
            if last is not None and n >= last:
                partial = True
                break
            w.writerow(cells)
            if n < _TITLE_ROWS:
                head.append(cells)
            n += 1
    return n, head, partial


def _is_number(cell: str) -> bool:
    try:
        float(cell)     # a sheet's numbers are written by repr (_cell): float() reads them all
    except ValueError:
        return False
    return True


def _group_header(rows: list[list[str]]) -> tuple | None:
    """(group names, column names) when the first of `rows` (the header's row and those below
    it, cells as written) looks like a group row over the real header: merged "Size" over
    "width" and "height" leaves the group row with empty cells (tester F #9: read as Size,
    column1, Colour, column3, all text).  Judged only when it is cheap and clear: the first row
    has a filled and an empty cell; the second is filled in every cell, text only, no name
    twice; and below it most of those columns hold a number.  Else None."""
    if len(rows) < 3:
        return None
    top, names, below = rows[0], rows[1], rows[2:8]
    width = len(names)
    cells = top + [""] * (width - len(top))
    if width < 2 or len(top) > width or not any(cells) or all(cells):
        return None
    if not all(names) or any(_is_number(c) for c in names) or len(set(names)) < width:
        return None
    numeric = sum(any(j < len(r) and r[j] and _is_number(r[j]) for r in below) for j in range(width))
    if numeric * 2 <= width:
        return None
    return tuple(c for c in cells if c), tuple(names)


def sheets_note(table, choose: str) -> str | None:
    """Words for a table read from a workbook of several sheets when no sheet was asked for
    (the first that holds anything was read): "the workbook has 3 sheets, 'Notes' (read),
    'Data', 'Other': choose one with `choose`" -- added to a refusal (no numeric column) and to
    `table info`, so the other sheets' names are seen (tester F #9).  None for one sheet, a
    sheet asked for, or a file that is not a workbook."""
    sheets = list((getattr(table, "dialect", None) or {}).get("sheets") or ())
    if len(sheets) < 2 or getattr(getattr(table, "options", None), "sheet", None) is not None:
        return None
    read = table.dialect.get("sheet")
    shown = ", ".join(repr(str(x)) + (" (read)" if x == read else "") for x in sheets)
    return f"the workbook has {count_text(len(sheets), 'sheet')}, {shown}: choose one with {choose}"


def _titles(head: list[list[str]]) -> list[str]:
    """The sheet's title rows above its header (a merged "Report title" cell), by the text
    files' rule (detect.skip_titles); rows whose cells hold line breaks are not judged."""
    if any("\n" in c or "\r" in c for row in head for c in row):
        return []
    lines = []
    for row in head:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(row)
        lines.append(buf.getvalue())
    hints = TextHints()
    return [ln.rstrip(",") for ln in lines[:skip_titles(tuple(lines), 0, hints)]]


def _pad(path: str) -> None:
    """Give every row the width of the widest, so ragged sheet rows read as missing cells."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    width = max(len(r) for r in rows)
    if all(len(r) == width for r in rows):
        return
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        for r in rows:
            w.writerow(r + [""] * (width - len(r)))
