"""What the out-of-core reader (io.chunked) reads: the files' formats, and the columns of a
glob's files checked one file at a time, for out-of-core training and scoring.

    why_not_streamable("book.xlsx")     # "book.xlsx is a spreadsheet (xlsx); out of core ..." or None
    check_formats(files, "events/*")     # FileFormatError with that sentence
    check_files(con, files, "events/*.csv", ["age", "income"], union_types, categorical=())

The engine streams text tables (CSV, TSV, NDJSON/JSON, gzip or zstd compressed) and
Parquet; spreadsheets (xlsx, xls, ods) and somdesk maps (.somz) are read by the
in-memory reader only, so they are refused up front with a sentence that says so
(instead of the engine's "Error when sniffing file").

DuckDB reads a glob as one table: text files with `union_by_name` (a column one
file lacks is NULL in its rows), Parquet files likewise (`io.chunked._reader`).
That silently trains on or scores rows with every value of a missing column
missing (dropped under missing="drop", filled with means otherwise), and a
column that holds numbers in one file but text in another becomes text for the
whole glob.  So every file is described on its own first:

  * every file must hold every column used (the chosen columns, the map's
    columns, or by default every numeric column): otherwise one FileFormatError
    naming the files and the columns they lack.  Extra columns in some files are
    fine (they are not read).
  * a column that holds numbers in some files and text in others is refused
    (naming a file and a value that is not a number), unless it is one of
    `categorical` (categories compared as text: codes such as 7 in one file and
    "N7" in another are both categories).  A file whose column is empty is typed
    text by the CSV sniffer but adds no text: DuckDB's union then stays numeric,
    so such a file is no mismatch.
"""
from __future__ import annotations

from somdesk.core.options import count_text
from somdesk.errors import FileFormatError
from somdesk.io.chunked_sql import unreadable

__all__ = ["check_files", "check_formats", "first_text", "why_not_streamable"]

SHOWN = 3       # files named in one message


def why_not_streamable(path: str) -> str | None:
    """None when the out-of-core reader can read the file `path`, else one sentence saying why not
    (the format from the first bytes, then the name: io.tables.detect.detect_format)."""
    import os

    from somdesk.io.tables.detect import detect_format

    name = os.path.basename(path)
    if name.lower().endswith(".somz"):
        return f"{name} is a somdesk map, not a table; score a table with it: somdesk assign {name} TABLE"
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return None                     # the engine names the unreadable file
    fmt = detect_format(head, name)
    if fmt in ("xlsx", "xls", "ods"):
        return (f"{name} is a spreadsheet ({fmt}); out of core reads text tables (CSV, TSV, JSON lines, "
                "gzip) and Parquet only: train or score it in memory, or save it as CSV or Parquet first")
    return None


def check_formats(files: list[str], pattern: str = "") -> None:
    """FileFormatError (why_not_streamable) for the first file the out-of-core reader cannot read,
    or for a glob mixing Parquet and text files (the engine reads a glob with one reader: it said
    "Error when sniffing file" of the Parquet file)."""
    from somdesk.io.chunked import PARQUET_SUFFIXES

    for f in files:
        why = why_not_streamable(f)
        if why is not None:
            raise FileFormatError(why)
    parquet = [f for f in files if f.lower().endswith(PARQUET_SUFFIXES)]
    if parquet and len(parquet) < len(files):
        text = next(f for f in files if not f.lower().endswith(PARQUET_SUFFIXES))
        raise FileFormatError(f"{pattern or 'the glob'} mixes Parquet and text files ({parquet[0]}, {text}): "
                              "a glob is read as one kind of file; narrow it (e.g. *.parquet or *.csv)")


def _describe(con, reader: str, where: str) -> dict[str, str]:
    try:
        return {name: typ for name, typ, *_ in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()}
    except Exception as exc:  # duckdb raises many kinds; all mean "cannot read"
        raise unreadable(where, exc) from None


def first_text(con, reader: str, column: str) -> str | None:
    """The first non-missing value of `column` in `reader` that is not a number (None if every one is)."""
    from somdesk.io.chunked import _quote
    q = _quote(column)
    v = f"nullif(trim(CAST({q} AS VARCHAR)), '')"
    try:
        row = con.execute(f"SELECT {v} FROM {reader} WHERE {v} IS NOT NULL AND "
                          f"TRY_CAST({v} AS DOUBLE) IS NULL LIMIT 1").fetchone()
    except Exception:  # the caller's message stands without the example
        return None
    return None if row is None else str(row[0])


def _names(items) -> str:
    return ", ".join(repr(c) for c in items)


def check_files(con, files: list[str], pattern: str, columns: list[str] | None, union_types: dict[str, str],
                categorical=(), used_by: str | None = None, shown: dict | None = None,
                text_dialect: str | None = None, missing: tuple | None = None) -> None:
    """Refuse a glob whose files do not all hold `columns` with one kind (see module docstring).

    `files` the glob's files (nothing is checked for one file); `columns` the columns used, None for
    "every numeric column" (then every column that is numeric in some file must be numeric in all);
    `union_types` the DuckDB types of the glob read as one table; `categorical` columns compared as text;
    `used_by` names what fixed the columns (a map: the messages then do not suggest other columns);
    `shown` {file: name for messages} (a file read through a link: io.chunked._engine_files).
    Raises FileFormatError naming the file(s), the column(s) and, for a mismatch, a value."""
    from somdesk.io.chunked import _is_numeric, _reader

    if len(files) < 2:
        return
    # `text_dialect`: read as the table is (a number format: every column text, the glob's dialect)
    # `missing`: the texts meaning "no value" (io.chunked._reader), as the table is read
    per_file = {f: _describe(con, _reader([f], text_dialect=text_dialect, missing=missing), f) for f in files}
    if shown:     # the rest speaks of the user's names
        per_file = {shown.get(f, f): v for f, v in per_file.items()}
        readers = {shown.get(f, f): f for f in files}
        files = [shown.get(f, f) for f in files]
    else:
        readers = {f: f for f in files}
    used = list(columns) if columns is not None else [c for c, t in union_types.items() if _is_numeric(t)]
    lacking = {f: [c for c in used if c not in types] for f, types in per_file.items()}
    lacking = {f: cs for f, cs in lacking.items() if cs}
    if lacking:
        parts = [f"{f} has no column(s) {_names(cs)}" for f, cs in list(lacking.items())[:SHOWN]]
        more = len(lacking) - SHOWN
        tail = f" (and {count_text(more, 'more file', 'more files')})" if more > 0 else ""
        first = next(iter(lacking.values()))[0]
        having = next((f for f in files if first in per_file[f]), None)
        seen = f" ({having} has {first!r})" if having else ""
        how = (f"the columns {used_by} uses ({', '.join(used)}); leave those files out of the glob" if used_by
               else f"the columns used ({', '.join(used)}); choose columns every file has (--columns), or "
                    "leave those files out of the glob")
        raise FileFormatError(f"{'; '.join(parts)}{tail}{seen}: every file of {pattern} must hold {how}")
    cats = set(categorical)
    candidates = used if columns is not None else list(union_types)
    for c in candidates:
        if c in cats or _is_numeric(union_types.get(c, "")):
            continue
        numeric_in = [f for f, types in per_file.items() if c in types and _is_numeric(types[c])]
        if not numeric_in:
            continue            # text in every file: a category column
        for f in files:
            if f in numeric_in or c not in per_file[f]:
                continue
            value = first_text(con, _reader([readers[f]], missing=missing), c)
            if value is not None:
                raise FileFormatError(f"column {c!r} holds numbers in {numeric_in[0]} but text in {f} "
                                      f"({value!r}); a column must be numbers in every file of {pattern} "
                                      f"(or text in every file): correct {f}"
                                      + ("" if used_by else f", or leave {c!r} out with --columns"))


def format_breaker(con, files: list[str], message: str, columns: list[str], number_format: dict,
                   shown: dict | None = None, text_dialect: str = "", missing: tuple | None = None) -> str | None:
    """The words for a staging error `message` raised by a cell that is not a number written in
    `number_format` (io.tables.textfile.NUMBER_ERROR names its column): the file, column and
    cell, and what to give when the files write numbers otherwise; None for another error.
    `text_dialect`: the files' dialect as the staging read had it (io.chunked._text_dialect)."""
    from somdesk.io.chunked import _quote, _reader, _sql_str
    from somdesk.io.tables.textfile import failed_column, number_pattern

    if "breaks the number form" not in message:
        return None
    column = failed_column(message, columns)
    if column is None:
        return None
    dec, th = number_format["decimal"], number_format.get("thousands") or ""
    v = f"nullif(trim(CAST({_quote(column)} AS VARCHAR)), '')"
    try:
        row = con.execute(f"SELECT {v}, {_quote('_somdesk_file')} FROM {_reader(files, '_somdesk_file', text_dialect, missing)} "
                          f"WHERE {v} IS NOT NULL AND NOT regexp_full_match({v}, {_sql_str(number_pattern(dec, th))}) "
                          "LIMIT 1").fetchone()
    except Exception:  # the words stand without the example
        row = None
    where = "" if row is None else f" ({(shown or {}).get(row[1], row[1])} holds {row[0]!r})"
    groups = f"digit groups {th!r}" if th else "no digit groups"
    return (f"column {column!r} is not numbers written with decimal {dec!r} and {groups}{where}; "
            "give --decimal and --thousands if the files write numbers otherwise")
