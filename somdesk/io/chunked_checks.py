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
file lacks is NULL in its rows), Parquet files likewise (`io.chunked_sql.reader_sql`).
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
from somdesk.io.chunked_sql import reraise_stop, unreadable

__all__ = ["check_files", "check_formats", "first_text", "why_not_streamable", "misnamed_warnings", "number_cell", "cell_text",
           "numbers_in_text", "infinite_columns", "format_breaker", "typed_too_soon"]

SHOWN = 3       # files named in one message


def why_not_streamable(path: str) -> str | None:
    """None when the out-of-core reader can read the file `path`, else one sentence saying why not
    (the format from the first bytes, unpacked, then the name: io.tables.detect.detect_format):
    a spreadsheet, or a somdesk map.  A table whose content is another format than its name says
    (a CSV named .parquet) is read by its content, as in memory (chunked_sql.file_format; the
    warning: `misnamed_warnings`).  FileFormatError from detect_format / head_bytes (binary
    data named .parquet, a damaged gzip stream)."""
    import os

    from somdesk.io.tables.detect import detect_format

    name = os.path.basename(path)
    if name.lower().endswith(".somz"):
        return f"{name} is a somdesk map, not a table; score a table with it: somdesk assign {name} TABLE"
    from somdesk.io.tables.detect import head_bytes
    try:
        head, _codec = head_bytes(path, name)       # unpacked: a gzip file's content is what counts
    except OSError:
        return None                     # the engine names the unreadable file
    fmt = detect_format(head, name)
    if fmt in ("xlsx", "xls", "ods"):
        return (f"{name} is a spreadsheet ({fmt}); out of core reads text tables (CSV, TSV, JSON lines, "
                "gzip) and Parquet only: train or score it in memory, or save it as CSV or Parquet first")
    return None


def misnamed_warnings(files: list[str]) -> list[str]:
    """The in-memory reader's warning (io.tables.detect.misnamed: "t.parquet is named like a
    Parquet file but holds delimited text: it is read as such (renaming it .csv says what it
    is)") for the first of `files` whose content is another table format than its name says
    (chunked_sql.file_format), with how many more of a glob's files are so; [] when none is."""
    from somdesk.io.chunked_sql import file_format
    from somdesk.io.names import display_basename
    from somdesk.io.tables.detect import misnamed

    said = [w for w in (misnamed(display_basename(f), file_format(f)) for f in files) if w]
    if len(said) > 1:
        return [f"{said[0]} (and {count_text(len(said) - 1, 'more file', 'more files')} alike)"]
    return said


def check_formats(files: list[str], pattern: str = "") -> None:
    """FileFormatError (why_not_streamable) for the first file the out-of-core reader cannot read,
    or for a glob mixing Parquet and text files, by their content (the engine reads a glob with one
    reader: it said "Error when sniffing file" of the Parquet file)."""
    from somdesk.io.chunked_sql import file_format

    for f in files:
        why = why_not_streamable(f)
        if why is not None:
            raise FileFormatError(why)
    parquet = [f for f in files if file_format(f) == "parquet"]
    text = [f for f in files if file_format(f) != "parquet"]
    for f in text:      # markup, binary data, an encoding that does not decode: the in-memory refusal
        _head_refusal(f)
    if parquet and text:
        raise FileFormatError(f"{pattern or 'the glob'} mixes Parquet and text files ({parquet[0]}, {text[0]}): "
                              "a glob is read as one kind of file; narrow it (e.g. *.parquet or *.csv)")


def _head_refusal(path: str) -> None:
    """FileFormatError in the in-memory reader's words when the head of text file `path` is not a
    table (io.tables.textfile.sniff_head: XML, HTML, binary data, tester11 #1); DuckDB read such a
    file as a table of one column.  A file that cannot be opened is left to the read.  The head
    is sniffed once for every step of the open (chunked_sql.head_sniff)."""
    from somdesk.io.chunked_sql import head_sniff
    try:
        head_sniff(path)
    except FileFormatError:
        raise
    except Exception:  # noqa: BLE001 - OSError, a bad option: the read itself says why
        return


# Files described by one query (`_describe_each`): a query per file cost about 10 ms each on
# small files (300 files, two opens: 6 s of a 25 s run, glob14); batched so the SQL stays short.
DESCRIBED_AT_ONCE = 256


def _describe_each(con, readers: list[tuple[str, str]]) -> dict[str, dict[str, str]]:
    """{file: {column: DuckDB type}} of each (file, its own table function) in `readers`, each file
    typed on its own as the glob's union is not (a number column in one file, text in another),
    in queries of DESCRIBED_AT_ONCE files.  When a batch fails, its files are described one by
    one, so the refusal names the file DuckDB cannot read (`_describe`)."""
    out: dict[str, dict[str, str]] = {}
    for start in range(0, len(readers), DESCRIBED_AT_ONCE):
        batch = readers[start:start + DESCRIBED_AT_ONCE]
        # each file's columns in its own order (a UNION ALL keeps none of itself: ordered by k, j)
        sql = " UNION ALL ".join(f"SELECT {k} AS k, row_number() OVER () AS j, column_name, column_type "
                                 f"FROM (DESCRIBE SELECT * FROM {r})" for k, (_f, r) in enumerate(batch))
        try:
            rows = con.execute(f"SELECT k, column_name, column_type FROM ({sql}) ORDER BY k, j").fetchall()
        except Exception as exc:  # noqa: BLE001 - duckdb raises many kinds: which file, and its words, below
            from somdesk.io.tables.duckutil import interrupted
            if interrupted(exc):            # a stop, not a bad file: no more queries
                raise unreadable(batch[0][0], exc) from None
            out.update({f: _describe(con, r, f) for f, r in batch})
            continue
        got: dict[int, dict[str, str]] = {k: {} for k in range(len(batch))}
        for k, name, typ in rows:
            got[k][name] = typ
        out.update({f: got[k] for k, (f, _r) in enumerate(batch)})
    return out


def _describe(con, reader: str, where: str) -> dict[str, str]:
    try:
        return {name: typ for name, typ, *_ in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()}
    except Exception as exc:  # duckdb raises many kinds; all mean "cannot read"
        raise unreadable(where, exc) from None


def number_cell(v: str) -> str:
    """SQL boolean: the trimmed, present text `v` is a number by the in-memory reader's rule
    (io.tables.table.Table._number_rule, plain numbers): what Python's float() takes -- `+1`,
    `007`, `1e3`, ` 5 ` --, ASCII only, and finite (`inf`, `Infinity`, `1e309` are not numbers:
    an infinite value makes its column text in memory).  DuckDB's cast also takes `+-1`."""
    d = f"TRY_CAST({v} AS DOUBLE)"
    return (f"({d} IS NOT NULL AND NOT isinf({d}) AND regexp_full_match({v}, '[\\x00-\\x7f]*') "
            f"AND NOT regexp_matches({v}, '^[+-][+-]'))")


def cell_text(column: str, missing: tuple | None = None) -> str:
    """SQL: column `column` as trimmed text, NULL where the in-memory reader sees no value (an
    empty cell, or a missing-value text in any case and with spaces around: `missing`, None for
    the defaults, io.tables.options.ReadOptions.missing_tokens)."""
    from somdesk.io.tables.duckutil import lit, q
    from somdesk.io.tables.options import ReadOptions

    tokens = ReadOptions(missing=tuple(missing) if missing is not None else None).missing_tokens
    t = f"trim(CAST({q(column)} AS VARCHAR))"
    listed = ", ".join(lit(x) for x in sorted(tokens))
    return f"CASE WHEN lower({t}) IN ({listed}) THEN NULL ELSE {t} END"


def first_text(con, reader: str, column: str, missing: tuple | None = None) -> str | None:
    """The first present value of `column` in `reader` that is not a number by the in-memory rule
    (`number_cell`), None if every one is (or the query fails: the caller's words stand alone)."""
    v = cell_text(column, missing)
    try:
        row = con.execute(f"SELECT {v} FROM {reader} WHERE {v} IS NOT NULL AND NOT {number_cell(v)} "
                          "LIMIT 1").fetchone()
    except Exception as exc:  # the caller's message stands without the example
        reraise_stop(exc)
        return None
    return None if row is None else str(row[0])


def numbers_in_text(con, reader: str, candidates, missing: tuple | None = None) -> list[str]:
    """The columns of `candidates` (typed text by DuckDB's sniffer) whose every present cell is a
    number by the in-memory rule and that have one: `+1`, `007`, ` 5` are numbers in memory
    (the in-memory reader parses a text column cell by cell), so they are here.  One query per
    column that stops at its first word (a real text column costs a few rows); a column of
    numbers is read to its end, as the in-memory reader reads it."""
    out = []
    for c in candidates:
        if first_text(con, reader, c, missing) is not None:
            continue
        v = cell_text(c, missing)
        try:
            if con.execute(f"SELECT 1 FROM {reader} WHERE {v} IS NOT NULL LIMIT 1").fetchone() is not None:
                out.append(c)
        except Exception as exc:  # noqa: BLE001 - left as text: the read itself says what is wrong
            reraise_stop(exc)
            continue
    return out


def _finite_by_statistics(con, file: str) -> set[str]:
    """The columns of the Parquet `file` whose statistics show every value finite (every row group
    has finite min and max); a column they do not (or cannot) clear is not in it.  One footer read."""
    import math

    from somdesk.io.tables.duckutil import lit
    try:
        rows = con.execute(f"SELECT path_in_schema, stats_min_value, stats_max_value FROM "
                           f"parquet_metadata({lit(file)})").fetchall()
    except Exception as exc:  # noqa: BLE001 - no usable statistics: every column is scanned
        reraise_stop(exc)
        return set()
    seen, bad = set(), set()
    for name, lo, hi in rows:
        seen.add(name)
        try:
            if not (math.isfinite(float(lo)) and math.isfinite(float(hi))):
                bad.add(name)
        except (TypeError, ValueError):
            bad.add(name)
    return seen - bad


def infinite_columns(con, files: list[str], columns, *, name: str | None = None, text_file: str | None = None,
                     labels: dict | None = None, exact_rows: bool = True) -> dict[str, str]:
    """{column: the in-memory reader's sentence} for the `columns` of the Parquet `files` (read in
    place, or staged) that hold an infinite value (`inf`, `-inf`, a number beyond 1.8e308): in
    memory such a column is not numeric ("column 'a' is not numeric: line 3 has 'inf' or a
    number beyond 1.8e308 (an infinite value)"), so the default columns leave it out and a column
    asked for is refused; trained on, it broke the statistics.  One scan of those columns.
    `text_file`: the one delimited text file the staged rows came from (its rows are named by
    line); `labels` {name read: name shown} of a glob's files (the sentence names the file);
    `exact_rows` False when a filter left rows out (the row cannot be named); `name` the one file's
    name for the sentence (a glob's: its label), None: no name."""
    from somdesk.io.chunked_files import FILE_COLUMN
    from somdesk.io.chunked_sql import head_layout, parquet_reader
    from somdesk.io.tables.duckutil import lit, q

    columns = list(columns)
    if not columns:
        return {}
    found: dict[str, tuple] = {}
    for f in files:
        # a column whose every row group has finite min and max statistics holds no infinite value:
        # read from the footer, so a clean table is not scanned (DuckDB writes no statistics for a
        # column chunk holding inf or NaN; other writers may write inf)
        finite = _finite_by_statistics(con, f)
        left = [c for c in columns if c not in found and c not in finite]
        if not left:
            break
        src = parquet_reader([f], f"{lit(f)}, file_row_number=true")
        aggs = ", ".join(f"arg_min(file_row_number, CASE WHEN isinf(CAST({q(c)} AS DOUBLE)) THEN "
                         f"file_row_number END), arg_min(CAST({q(c)} AS DOUBLE) > 0, CASE WHEN "
                         f"isinf(CAST({q(c)} AS DOUBLE)) THEN file_row_number END)" for c in left)
        row = con.execute(f"SELECT {aggs} FROM {src}").fetchone()
        for k, c in enumerate(left):
            if row[2 * k] is not None:
                found[c] = (f, int(row[2 * k]), bool(row[2 * k + 1]))
    out = {}
    for c, (f, r, positive) in found.items():
        mark = "'inf'" if positive else "'-inf'"
        where, named = f"row {r + 1}", labels.get(f, name) if labels else name
        staged = labels is not None and f not in labels       # a glob's text files, staged as one
        if staged and exact_rows:       # the file of the row, and the row within it
            src = parquet_reader([f], f"{lit(f)}, file_row_number=true")
            fc = q(FILE_COLUMN)
            got = con.execute(f"SELECT {fc}, {r} - min(file_row_number) FROM {src} WHERE {fc} = "
                              f"(SELECT {fc} FROM {src} WHERE file_row_number = {r}) GROUP BY {fc}").fetchone()
            if got is not None:
                named, r = labels.get(got[0], got[0]), int(got[1])
                layout = head_layout(got[0]) or (0, False)
                where = f"line {layout[0] + (0 if layout[1] else 1) + 1 + r}"
        elif text_file is not None and exact_rows:
            layout = head_layout(text_file) or (0, False)
            where = f"line {layout[0] + (0 if layout[1] else 1) + 1 + r}"
        if not exact_rows:
            where = "a row"
        sentence = (f"column {c!r} is not numeric: {where} has {mark} or a number beyond "
                    f"{'' if positive else '-'}1.8e308 (an infinite value)")
        out[c] = (f"{named}: " if named else "") + sentence
    return out


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
    `shown` {file: name for messages} (a file read through a link: io.chunked_sql.engine_files).
    Raises FileFormatError naming the file(s), the column(s) and, for a mismatch, a value."""
    from somdesk.io.chunked_sql import is_numeric_type, reader_sql

    if len(files) < 2:
        return
    # `text_dialect`: read as the table is (a number format: every column text, the glob's dialect)
    # `missing`: the texts meaning "no value" (io.chunked_sql.reader_sql), as the table is read
    per_file = _describe_each(con, [(f, reader_sql([f], text_dialect=text_dialect, missing=missing)) for f in files])
    if shown:     # the rest speaks of the user's names
        per_file = {shown.get(f, f): v for f, v in per_file.items()}
        readers = {shown.get(f, f): f for f in files}
        files = [shown.get(f, f) for f in files]
    else:
        readers = {f: f for f in files}
    used = list(columns) if columns is not None else [c for c, t in union_types.items() if is_numeric_type(t)]
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
               # no columns given: every numeric column is read (an id or a date column too, which the
               # training may then leave out or make passive), not "the columns used" (tester12 #10)
               else f"the columns used ({', '.join(used)}); choose columns every file has (--columns), or "
                    "leave those files out of the glob" if columns is not None
               else f"the same numeric columns ({', '.join(used)}); choose columns every file has "
                    "(--columns), or leave those files out of the glob")
        raise FileFormatError(f"{'; '.join(parts)}{tail}{seen}: every file of {pattern} must hold {how}")
    cats = set(categorical)
    candidates = used if columns is not None else list(union_types)
    for c in candidates:
        if c in cats or is_numeric_type(union_types.get(c, "")):
            continue
        numeric_in = [f for f, types in per_file.items() if c in types and is_numeric_type(types[c])]
        if not numeric_in:
            continue            # text in every file: a category column
        for f in files:
            if f in numeric_in or c not in per_file[f]:
                continue
            value = first_text(con, reader_sql([readers[f]], missing=missing), c, missing)
            if value is not None:
                raise FileFormatError(f"column {c!r} holds numbers in {numeric_in[0]} but text in {f} "
                                      f"({value!r}); a column must be numbers in every file of {pattern} "
                                      f"(or text in every file): correct {f}"
                                      + ("" if used_by else f", or leave {c!r} out with --columns"))


def typed_too_soon(exc: Exception, shown: dict | None = None, labels: dict | None = None) -> tuple | None:
    """(column, the in-memory reader's sentence "column 'a' is not numeric: line 25002 has 'x'",
    a glob's file named first) when DuckDB's error `exc` is a cell its sniffer's sample typed as a
    number that is not one; None for another error."""
    import re

    text = str(exc)
    conv = re.search(r'Error when converting column "((?:[^"]|"")+)"\. Could not convert string "(.*)" to', text)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    if not conv or not line:
        return None
    column, value = conv.group(1).replace('""', '"'), conv.group(2)
    sentence = f"column {column!r} is not numeric: line {line.group(1)} has {value!r}"
    file = re.search(r"^\s*file = (.*)$", text, re.M)
    if labels is not None and file:
        name = file.group(1).strip()
        sentence = f"{labels.get(name, (shown or {}).get(name, name))}: {sentence}"
    return column, sentence


def missing_values_advice(value, missing=None) -> str:
    """"; if that text means 'no value', give --also-missing ..." for a cell `value` that holds no
    digit ('thirty', 'n/a?': a marker, not a number in another format; testerG #8), or, with the
    tokens `missing` in force, --missing-values naming them too (io.tables.table.missing_values_flag);
    "" for None or a number-like cell."""
    from somdesk.io.tables.table import looks_like_number, missing_values_flag

    if value is None or looks_like_number(value):
        return ""
    return (f"; if that text means 'no value', give {missing_values_flag(missing, (value,))}: those cells are then "
            "read as missing, as a blank one is")


def format_breaker(con, files: list[str], message: str, columns: list[str], number_format: dict,
                   shown: dict | None = None, text_dialect: str = "", missing: tuple | None = None) -> str | None:
    """The words for a staging error `message` raised by a cell that is not a number written in
    `number_format` (io.tables.textfile.NUMBER_ERROR names its column): the file, column and
    cell, and what to give when the files write numbers otherwise; None for another error.
    `text_dialect`: the files' dialect as the staging read had it (io.chunked_sql.sniffed_dialect)."""
    from somdesk.io.chunked_sql import reader_sql
    from somdesk.io.tables.duckutil import lit, q
    from somdesk.io.tables.textfile import failed_column, number_pattern

    if "breaks the number form" not in message:
        return None
    column = failed_column(message, columns)
    if column is None:
        return None
    dec, th = number_format["decimal"], number_format.get("thousands") or ""
    v = cell_text(column, missing)      # the conversion's own rule (io.chunked_sql.number_expr)
    try:
        src = reader_sql(files, '_somdesk_file', text_dialect, missing)
        row = con.execute(f"SELECT {v}, {q('_somdesk_file')} FROM {src} "
                          f"WHERE {v} IS NOT NULL AND NOT regexp_full_match({v}, {lit(number_pattern(dec, th))}) "
                          "LIMIT 1").fetchone()
    except Exception as exc:  # the words stand without the example
        reraise_stop(exc)
        row = None
    where = "" if row is None else f" ({(shown or {}).get(row[1], row[1])} holds {row[0]!r})"
    advice = missing_values_advice(row[0] if row is not None else None, missing)
    if advice:
        return f"column {column!r} is not numeric: {(shown or {}).get(row[1], row[1])} holds {row[0]!r}{advice}"
    groups = f"digit groups {th!r}" if th else "no digit groups"
    return (f"column {column!r} is not numbers written with decimal {dec!r} and {groups}{where}; "
            "give --decimal and --thousands if the files write numbers otherwise")
