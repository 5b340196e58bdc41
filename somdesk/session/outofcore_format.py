"""The number format of delimited text files read in chunks: trained on (tester9 #9) or scored.

    number_format, columns, text = text_number_format("eu/*.csv", None, label=None)
    fmt = agreed_number_format(files, lambda f: sniffed_number_format(f), "train on them apart")

DuckDB's own rules type a European file's `55.183,76` columns as text, and the default columns
(the numeric ones) left them out without a word; the in-memory reader sniffs the decimal comma
and digit groups in the file's head and converts them.  This gives the chunked reader
(`io.chunked.ChunkedTable.open(number_format=...)`) the same format and the same columns.
"""
from __future__ import annotations

from somdesk.errors import FileFormatError


PLAIN = (".", "")       # a decimal point, no digit groups: DuckDB's own rule reads such numbers


def sniffed_text(path, options=None):
    """(delimiter, io.tables.detect.TextHints) a text table file's first lines suggest, as the
    reader sniffs them (io.tables.textfile.sniff_head), or (None, None) when it is not text or
    cannot be read (the reader then says why).  The one sniff scoring (session.scoring) and
    reading in chunks use (review10 #13e: it was scoring's private function, imported here)."""
    from somdesk.errors import SomdeskError
    from somdesk.io.chunked_sql import head_sniff
    from somdesk.io.tables.textfile import sniff_head

    try:
        # default options: the head read once per file version for every step (glob14)
        sniffed = head_sniff(path) if options is None else sniff_head(path, options)
    except (OSError, SomdeskError, ValueError, TypeError):
        return None, None
    return (None, None) if sniffed is None else (sniffed.delimiter, sniffed.hints)


def sniffed_number_format(path, options=None) -> tuple[str, str] | None:
    """(decimal, thousands) the first lines of text table file `path` show (io.tables.textfile.
    sniff_head, as the in-memory reader sniffs them), or None when they show none (or it is not
    a text file, or cannot be read: the reader then says why)."""
    hints = sniffed_text(path, options)[1]
    if hints is None or hints.decimal is None:
        # "12%", "$5", "(5)": DuckDB reads them as text, the in-memory reader converts them
        return PLAIN if hints is not None and hints.decorated else None
    return hints.decimal, hints.thousands or ""


def given_number_format(decimal: str | None, thousands: str | None) -> tuple[str, str] | None:
    """(decimal, thousands) of the separators the user gave (--decimal / --thousands, either may be
    None: a "." group mark means a decimal comma), or None when neither was given."""
    if decimal is None and thousands is None:
        return None
    th = thousands or ""
    return decimal or ("," if th == "." else "."), th


def agreed_number_format(files: list[str], format_of, refusal: str) -> tuple[str, str] | None:
    """The (decimal, thousands) every file of a glob writes its numbers in, by `format_of(file)`
    ((decimal, thousands), None for PLAIN), or None when there are no files.  The files are read
    by one reader, so FileFormatError naming up to three that differ, ending with `refusal`
    (what to do: "train on them apart", "score them apart, or give --decimal and --thousands").
    The one check for training and scoring in chunks (io.chunked.ChunkedTable.open takes it)."""
    from somdesk.io.names import display_basename

    formats: dict = {}
    for f in files:
        formats.setdefault(format_of(f) or PLAIN, f)
    if len(formats) > 1:
        said = "; ".join(f"{display_basename(f)}: decimal {k[0]!r}" + (f", digit groups {k[1]!r}" if k[1] else "")
                         for k, f in list(formats.items())[:3])
        raise FileFormatError(f"the files write numbers differently ({said}): {refusal}")
    return next(iter(formats)) if formats else None


def files_number_format(files: list[str], given: tuple | None = None) -> tuple[str, str] | None:
    """(decimal, thousands) the delimited text `files` (a glob's files) are read with in chunks:
    `given` (given_number_format) or what their first lines show (agreed_number_format); None when
    DuckDB's own rules read their numbers (PLAIN) or they are not text.  FileFormatError when the
    files of a glob write numbers differently."""
    from somdesk.io.chunked_sql import files_format

    if not files or files_format(files) != "csv":
        return None
    fmt = given if given is not None else agreed_number_format(files, sniffed_number_format, "train on them apart")
    if fmt == PLAIN and any(getattr(sniffed_text(f)[1], "decorated", False) for f in files):
        return fmt        # numbers with currency or percent signs: converted by our rule, as in memory
    return None if fmt is None or fmt == PLAIN else fmt


def text_number_format(path, columns: list[str] | None, label: str | None, given: tuple | None = None):
    """(number_format, columns, text columns) to read the delimited text file(s) `path` (a file
    or glob) in chunks as the in-memory reader reads them: when their first lines show a decimal
    comma or digit groups (io.tables.textfile.sniff_head), or `given` ((decimal, thousands) the user
    gave: given_number_format; tester9 #10's leftover: --decimal / --thousands were refused),
    {"decimal", "thousands", "delimiter"}, the columns (given, else every column the in-memory rule
    types numeric: all cells of the first io.tables.textfile.SAMPLE_ROWS rows numbers in that
    form, not all missing; the label left out) and the ones of them read as text.  (None,
    columns, ()) when DuckDB's own rules read the numbers right (a decimal point, no groups) or
    the files are not text.  FileFormatError when the files of a glob write numbers differently
    (agreed_number_format; not asked when the format is given)."""
    from somdesk.io.chunked import over_engine_files
    from somdesk.io.chunked_sql import engine_connection, expand, reader_sql, sniffed_dialect
    from somdesk.io.tables.duckutil import lit, q
    from somdesk.io.tables.textfile import SAMPLE_ROWS, number_pattern

    files = expand(path)
    fmt = files_number_format(files, given)
    if fmt is None:
        return None, columns, ()
    number_format = {"decimal": fmt[0], "thousands": fmt[1]}
    delimiter = sniffed_text(files[0])[0]
    if delimiter:       # saved with the map as the in-memory map saves it (session.scoring)
        number_format["delimiter"] = delimiter

    def numeric_in(names_read):
        """(column names, each one's numbers-in-this-format verdict) over the files `names_read`."""
        # a file in an encoding DuckDB does not decode (cp1252, Shift-JIS) is read from a UTF-8 copy,
        # as ChunkedTable.open reads it (it was refused here: "Invalid unicode")
        from somdesk.io.chunked import utf8_read
        folder, names_read = utf8_read(names_read)
        con = engine_connection()
        try:
            src = reader_sql(names_read, text_dialect=sniffed_dialect(names_read))
            names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()]
            pat = lit(number_pattern(*fmt))
            cell = "nullif(trim({0}), '')"
            checks = ", ".join(f"bool_and({cell.format(q(c))} IS NULL OR regexp_full_match("
                               f"{cell.format(q(c))}, {pat})) AND count({cell.format(q(c))}) > 0"
                               for c in names)
            return names, con.execute(f"SELECT {checks} FROM (SELECT * FROM {src} LIMIT {SAMPLE_ROWS})").fetchone()
        finally:
            con.close()
            if folder is not None:
                import shutil
                shutil.rmtree(folder, ignore_errors=True)

    # the engine's names (ASCII links for names that are not UTF-8: DuckDB cannot take them) and
    # mixed line ends (CRLF with bare LF or CR) read from an LF copy, as the in-memory reader,
    # ChunkedTable.open, count_rows and text_column_kinds read them; any other failure: their words
    names, ok = over_engine_files(path, numeric_in, files)
    numeric = [c for c, good in zip(names, ok) if good]
    if columns is None:
        columns = [c for c in numeric if c != label]
    return number_format, columns, tuple(c for c in columns if c not in numeric)

