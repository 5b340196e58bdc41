"""The number format of delimited text files trained on in chunks (tester9 #9).

    number_format, columns, text = text_number_format("eu/*.csv", None, label=None)

DuckDB's own rules type a European file's `55.183,76` columns as text, and the default columns
(the numeric ones) left them out without a word; the in-memory reader sniffs the decimal comma
and digit groups in the file's head and converts them.  This gives the chunked reader
(`io.chunked.ChunkedTable.open(number_format=...)`) the same format and the same columns.
"""
from __future__ import annotations

from somdesk.errors import FileFormatError


def text_number_format(path, columns: list[str] | None, label: str | None):
    """(number_format, columns, text columns) to read the delimited text file(s) `path` (a file
    or glob) in chunks as the in-memory reader reads them: when their first lines show a decimal
    comma or digit groups (io.tables.textfile.sniff_head), {"decimal", "thousands"}, the columns
    (given, else every column the in-memory rule types numeric: all cells of the first
    io.tables.textfile.SAMPLE_ROWS rows numbers in that form, not all missing; the label left
    out) and the ones of them read as text.  (None, columns, ()) when DuckDB's own rules read the
    numbers right (a decimal point, no groups) or the files are not text.  FileFormatError when
    the files of a glob write numbers differently."""
    from somdesk.io.chunked import _connect, _format_of, _quote, _reader, _sql_str, _text_dialect, expand
    from somdesk.io.names import display_basename
    from somdesk.io.tables.textfile import SAMPLE_ROWS, number_pattern
    from somdesk.session.scoring import _sniffed_text

    files = expand(path)
    if not files or _format_of(files) != "csv":
        return None, columns, ()
    formats, delimiter = {}, None
    for i, f in enumerate(files):
        own_delimiter, hints = _sniffed_text(f)
        delimiter = own_delimiter if i == 0 else delimiter       # the first file's, as saved below
        if hints is not None and hints.decimal is not None:
            fmt = (hints.decimal, hints.thousands or "")
            formats.setdefault(fmt if fmt != (".", "") else None, f)
        else:
            formats.setdefault(None, f)
    if len(formats) > 1:
        said = "; ".join(f"{display_basename(f)}: " + (f"decimal {k[0]!r}" + (f", digit groups {k[1]!r}" if k[1]
                         else "") if k else "DuckDB's number form") for k, f in list(formats.items())[:3])
        raise FileFormatError(f"the files write numbers differently ({said}): train on them apart")
    fmt = next(iter(formats))
    if fmt is None:
        return None, columns, ()
    number_format = {"decimal": fmt[0], "thousands": fmt[1]}
    if delimiter:       # saved with the map as the in-memory map saves it (session.scoring)
        number_format["delimiter"] = delimiter
    con = _connect()
    try:
        src = _reader(files, text_dialect=_text_dialect(files))
        names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()]
        pat = _sql_str(number_pattern(*fmt))
        cell = "nullif(trim({0}), '')"
        checks = ", ".join(f"bool_and({cell.format(_quote(c))} IS NULL OR regexp_full_match("
                           f"{cell.format(_quote(c))}, {pat})) AND count({cell.format(_quote(c))}) > 0"
                           for c in names)
        ok = con.execute(f"SELECT {checks} FROM (SELECT * FROM {src} LIMIT {SAMPLE_ROWS})").fetchone()
    except Exception as exc:  # duckdb raises many kinds; ChunkedTable.open gives the real message
        raise FileFormatError(f"{path}: cannot read as a table: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()
    numeric = [c for c, good in zip(names, ok) if good]
    if columns is None:
        columns = [c for c in numeric if c != label]
    return number_format, columns, tuple(c for c in columns if c not in numeric)
