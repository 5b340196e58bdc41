"""Tables read in bounded chunks, for training and scoring out of core.

    src = ChunkedTable.open("events/*.parquet", columns=["a", "b"], chunk_rows=250_000)
    src.rows, src.columns, src.partitions      # row count, chosen columns, fixed chunk layout
    for part in src.partitions: x = src.read(part)   # (n, D) float64, NaN where missing
    src.stats()                                # per column: count, mean, std (ddof=0), min, max

The engine is DuckDB: Parquet files are read in place, chunk by chunk, through
their `file_row_number`; CSV, TSV, gzip and NDJSON (and globs of them) are
first copied once into a temporary Parquet file by DuckDB itself, which spills
to disk and keeps its own memory under `ENGINE_MEMORY`.  So memory is bounded
by the chunk size, never by the table.

A partition is a plain tuple (file, first row, end row): it can be sent to a
Dask worker, which reads the same rows with `read_partition`, so a cluster
and one process see the same chunks in the same order.

A walk over the partitions reads them through one connection per thread:

    with chunk_reads():                  # this thread's reads share one DuckDB connection
        for part in src.partitions: x = src.read(part)
                                         # ... closed when the block ends (or the walk is stopped)

Opening a DuckDB connection took 0.06-0.27 s, once per chunk before (fixV); a read outside such a
block (a Dask worker's task) opens and closes its own, as before.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import threading
from dataclasses import dataclass, field

import numpy as np

from somdesk.errors import FileFormatError, SomdeskError
from somdesk.io.chunked_sql import (DEFAULT_CHUNK_ROWS, Partition, converted_columns,
                                    engine_connection, engine_files, expand, file_codec, files_format,
                                    is_numeric_type, is_pattern, names_warnings, number_expr, numeric_missing_words,
                                    parquet_reader, reader_sql,
                                    select_expr,
                                    sniffed_dialect, text_expr, unreadable)
from somdesk.io.tables.duckutil import lit, q, scratch_write_error

ROW_COLUMN = "__somdesk_row__"     # a filtered staged copy's column: each row's number in the files


@dataclass
class ChunkedTable:
    """A table on disk read in fixed chunks; see the module docstring."""

    files: list[str]                 # parquet files actually read (staged copies for text)
    columns: list[str]
    rows: int
    partitions: list[Partition]
    source: str
    _staged_dir: str | None = field(default=None, repr=False)
    numeric: list = field(default_factory=list)   # the chosen columns that hold numbers
    _link_dir: str | None = field(default=None, repr=False)      # ASCII links to names that are not UTF-8
    # a glob's files: {name read: name as the glob gave it} (io.chunked_files); None for one file
    file_labels: dict | None = field(default=None, repr=False)
    # the files' scikit-learn metadata line (`150,4,setosa,...`), skipped when read, as the in-memory
    # table's dialect["metadata"] (session.table_columns.metadata_target); None: none
    metadata: str | None = None
    file_columns: list = field(default_factory=list)   # every column of the files, as read
    # numeric columns the default choice left out, {column: why} (an infinite value: the in-memory
    # reader's sentence, io.chunked_checks.infinite_columns); the callers say so as in memory
    left_out: dict = field(default_factory=dict)
    numbered: bool = False      # filtered: each staged row keeps its row number in the files (ROW_COLUMN)
    # the reader's warnings the callers say, as the in-memory table's `warnings` (a file read by its
    # content, not its name: io.chunked_checks.misnamed_warnings)
    warnings: list = field(default_factory=list)

    @classmethod
    def open(cls, pattern, columns: list[str] | None = None, chunk_rows: int = DEFAULT_CHUNK_ROWS,
             where: str | None = None, text_columns=(), categorical=(),
             used_by: str | None = None, number_format: dict | None = None,
             missing: tuple | None = None) -> "ChunkedTable":
        """Open a file or glob; `columns` default to every numeric column.

        Raises FileFormatError for missing files, unreadable tables, unknown or
        non-numeric columns, and a glob whose files do not all hold the columns
        used, or hold numbers in one file and text in another (io.chunked_checks;
        `categorical` columns may, `used_by` names a map that fixed the columns).
        `where` is an optional SQL filter applied once
        while staging (it forces staging for Parquet too).  `text_columns` may hold
        text (they are kept as text, for one-hot encoding: `CodedColumn`, `distinct_texts`).
        `number_format` {"decimal": "," or ".", "thousands": "" or a mark}: delimited text files
        write their numbers so (a table map's own table's format, session.scoring): `columns`
        (given) but the text ones are read as text and converted strictly with it, as the
        in-memory reader does (io.tables.textfile.number_sql); a cell that is not such a number
        is a FileFormatError naming the column and the cell (tester9 #2: DuckDB's own rules read
        "55.183,76" as text and "80.261" as 80.261).  Other formats' numbers are typed.
        `missing`: the texts meaning "no value" in delimited text files (`reader_sql`; a table map's own
        table's `--missing-values`, or the ones given: the in-memory scoring's rule).
        A text column whose numbers break on a word past DuckDB's type sample (20,480 rows) is text,
        as in memory: read again as text, left out of the default columns (`left_out`: "column 'a'
        is not numeric: line 25002 has 'x'"), refused when asked for.
        """
        kwargs = dict(columns=columns, chunk_rows=chunk_rows, where=where, text_columns=text_columns,
                      categorical=categorical, used_by=used_by, number_format=number_format, missing=missing)
        spoiled: dict[str, str] = {}
        line_ends: dict[str, str] = {}     # {a given file: its copy with LF line ends} (`_MixedLineEnds`)
        copies = None                      # their folder: the table is staged from them, then they go
        try:
            copies = _utf8_copies(expand(pattern), line_ends)
            while True:
                try:
                    return cls._open(pattern, spoiled=spoiled, line_ends=line_ends, **kwargs)
                except _TypedTooSoon as late:           # that column read as text this time
                    if late.column in spoiled:
                        raise FileFormatError(late.sentence) from None
                    spoiled[late.column] = late.sentence
                except _MixedLineEnds as mixed:        # read again from LF copies, as the in-memory reader
                    from somdesk.io.chunked_sql import file_codec
                    from somdesk.io.chunked_stage import stage_dir
                    from somdesk.io.tables import lineends
                    copies = copies or stage_dir()
                    for i, f in enumerate(mixed.files):
                        line_ends[f] = lineends.normalise(f, file_codec(f), os.path.join(copies, f"lines{i}.csv"))
        finally:
            if copies is not None:
                shutil.rmtree(copies, ignore_errors=True)

    @classmethod
    def _open(cls, pattern, columns, chunk_rows, where, text_columns, categorical, used_by, number_format,
              missing, spoiled: dict, line_ends: dict) -> "ChunkedTable":
        """`open`, with the columns in `spoiled` ({column: why}) read as text and the files in
        `line_ends` ({given file: its copy with LF line ends}) read from their copies.  Raises
        _MixedLineEnds when DuckDB fails on text files whose line ends are mixed (none copied yet)."""
        if chunk_rows < 1:
            raise SomdeskError(f"chunk size must be at least 1 row, got {chunk_rows}")
        given = expand(pattern)
        from somdesk.io.chunked_checks import (cell_text, check_files, check_formats, first_text, infinite_columns,
                                               misnamed_warnings, missing_values_advice, numbers_in_text,
                                               typed_too_soon)
        from somdesk.io.chunked_sql import no_rows_message
        from somdesk.io.chunked_stage import stage_dir
        from somdesk.io.names import display_basename
        from somdesk.io.chunked_files import FILE_COLUMN, source_labels
        check_formats(given, os.fspath(pattern))
        files, shown, link_dir = engine_files(given)
        if line_ends:       # a copy is named as its file in every message
            files = [line_ends.get(g, f) for g, f in zip(given, files)]
            shown = {**shown, **{line_ends[g]: g for g in given if g in line_ends}}
        labels = source_labels(given, files) if is_pattern(os.fspath(pattern)) else None
        # numbers written with the given marks: every column read as text, converted when staged
        as_text = bool(number_format) and files_format(files) == "csv"
        if as_text and columns is None:
            raise SomdeskError("a number format needs the columns named")
        dialect = sniffed_dialect(files) if as_text else None      # the files' heads read once
        staged = None                   # the staging folder (io.chunked_stage), removed unless handed on
        con = engine_connection()
        try:
            as_varchar = tuple(spoiled)     # columns DuckDB must leave as text
            src = reader_sql(files, text_dialect=dialect, missing=missing, text=as_varchar)
            try:
                desc = con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()
            except Exception as exc:  # duckdb raises many kinds; all mean "cannot read"
                _raise_unreadable(pattern, exc, given, line_ends)
            types = {name: typ for name, typ, *_ in desc}
            if not as_text and files_format(files) == "csv" and numeric_missing_words(missing):
                # a missing-value text that is a number (`0`): DuckDB's typed read gives ` 0` the
                # value 0 (its nullstr matches cells as written), the in-memory reader no value
                # (testerI #4).  Its columns are read as text and converted by the in-memory rule
                # below (`promoted`: io.chunked_checks.cell_text), one scan each.
                typed = [c for c, t in types.items() if is_numeric_type(t) and (columns is None or c in columns)]
                if typed:
                    as_varchar += tuple(typed)
                    src = reader_sql(files, text_dialect=dialect, missing=missing, text=as_varchar)
                    types = {name: typ for name, typ, *_ in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()}
            numeric = [n for n, t in types.items() if is_numeric_type(t)]
            if as_text:         # the columns that are not text hold numbers, in this format
                numeric = [c for c in columns if c in types and c not in set(text_columns)]
            unknown = [c for c in columns or () if c not in types]
            if unknown:
                from somdesk.io.tables.table import near_names_hint
                hint = near_names_hint(unknown, list(types), used=columns)     # renames from unused columns
                raise FileFormatError(f"{pattern}: no column(s) {', '.join(unknown)}; "
                                      f"columns are: {', '.join(types)}{hint}")
            # numbers DuckDB's sniffer typed text (`+1`, `007`): numbers, as the in-memory reader
            # parses a text column cell by cell (a categorical column stays text)
            promoted = []
            if not as_text and files_format(files) == "csv":
                cats = set(categorical)
                promoted = numbers_in_text(con, src, [c for c in (types if columns is None else columns)
                                                      if types[c].upper() == "VARCHAR" and c not in cats], missing)
                numeric = [c for c in types if c in set(numeric) | set(promoted)]   # in file order
            # as text, every file's columns are text: numbers are checked by the conversion
            check_files(con, files, os.fspath(pattern), columns, {**types, **{c: "DOUBLE" for c in promoted}},
                        list(columns) if as_text else categorical, used_by, shown, text_dialect=dialect,
                        missing=missing)
            def as_numbers(reader: str) -> str:
                """`reader` with the promoted columns as numbers, so a condition compares numbers."""
                if not promoted:
                    return reader
                repl = ", ".join(f"CAST({cell_text(c, missing)} AS DOUBLE) AS {q(c)}" for c in promoted)
                return f"(SELECT * REPLACE ({repl}) FROM {reader})"
            if where:       # the in-memory reader's checks and words (one condition on the columns)
                from somdesk.io.tables.sqlfilter import check_filter
                # with a number format, the condition sees the columns converted (numbers, not texts)
                view = (f"SELECT {converted_columns(columns, text_columns, number_format, missing)} FROM {src}"
                        if as_text else f"SELECT * FROM {as_numbers(src)}")
                con.execute(f"CREATE TEMP VIEW src AS {view}")
                where = check_filter(con, where, "src")
            given_columns = columns is not None
            if columns is None:
                columns = numeric
            text_ok = set(text_columns)
            text = [c for c in columns if c not in numeric and c not in text_ok]
            # a column with no value in any row (DuckDB types it text): numbers, all missing -- new
            # data scores it as missing in every row, as in memory (testerG #2); training in chunks
            # refuses it by its count of values (session.outofcore_table)
            blank = [c for c in text if not as_text and first_text(con, src, c, missing) is None]
            if blank:
                promoted += blank
                numeric = numeric + blank
                text = [c for c in text if c not in blank]
            if text:
                value = first_text(con, src, text[0], missing)
                raise FileFormatError(f"{pattern}: column(s) {', '.join(text)} are not numeric"
                                      + (f" ({text[0]!r} holds {value!r})" if value is not None else "")
                                      + missing_values_advice(value, missing))
            if not columns:
                raise FileFormatError(no_rows_message(con, src, given, os.fspath(pattern))
                                      or f"{pattern}: no numeric columns")
            if files_format(files) != "parquet" or where:      # by content, as the reader
                staged = stage_dir()
                out = os.path.join(staged, "table.parquet")
                sel = ", ".join(f"CAST({q(c)} AS VARCHAR) AS {q(c)}" if c in text_ok and c not in numeric
                                else number_expr(c, j, number_format, missing) + f" AS {q(c)}" if as_text
                                else f"CAST({q(c)} AS DOUBLE) AS {q(c)}" for j, c in enumerate(columns))
                filt = f" WHERE {where}" if where else ""
                reader = src
                if labels is not None:       # each row's file, for the scores' `file` column
                    reader = reader_sql(files, filename=FILE_COLUMN, text_dialect=dialect, missing=missing,
                                     text=as_varchar)
                    sel += f", {q(FILE_COLUMN)}"
                # promoted columns converted before the condition and the select see them
                reader = as_numbers(reader)
                query = f"SELECT {sel} FROM {reader}{filt}"
                if where:   # each row's number in the files (as the in-memory scores' `row`): ROW_COLUMN
                    number = f"row_number() OVER () - 1 AS {q(ROW_COLUMN)}"
                    query = (f"SELECT * FROM (SELECT {sel}, {number} FROM {reader}){filt}" if as_text
                             else f"SELECT {sel}, {q(ROW_COLUMN)} FROM (SELECT *, {number} FROM {reader}){filt}")
                try:
                    con.execute(f"COPY ({query}) TO {lit(out)} (FORMAT parquet)")
                except Exception as exc:
                    from somdesk.io.tables.duckutil import stop_for
                    if (stop := stop_for(exc)) is not None:    # a stop or Ctrl+C, not the file
                        raise stop from None
                    scratch_write_error(exc, staged)   # the temporary copy, not the data, failed
                    message = None
                    if as_text:
                        from somdesk.io.chunked_checks import format_breaker
                        message = format_breaker(con, files, str(exc).splitlines()[0], list(columns),
                                                 number_format, shown, dialect, missing)
                    if message is not None:
                        raise FileFormatError(f"{pattern}: {message}") from None
                    late = None if as_text or files_format(files) != "csv" else typed_too_soon(exc, shown, labels)
                    if late is not None and late[0] in columns:
                        column, sentence = late
                        named = sentence if labels is not None else f"{display_basename(given[0])}: {sentence}"
                        if given_columns and column not in text_ok:
                            raise FileFormatError(named) from None
                        raise _TypedTooSoon(column, sentence)
                    _raise_unreadable(pattern, exc, given, line_ends)
                files = [out]
            # an infinite value makes its column text in memory: left out of the default columns
            # (said: `left_out`), refused when asked for (review: chunks trained on `inf`)
            one_text = given[0] if len(given) == 1 and files_format(given) == "csv" else None
            infinite = infinite_columns(con, files, [c for c in columns if c in numeric], text_file=one_text,
                                        labels=labels, exact_rows=not where)
            if infinite:
                name = "" if labels is not None else display_basename(given[0]) + ": "
                if given_columns:
                    raise FileFormatError(name + next(iter(infinite.values())))
                columns = [c for c in columns if c not in infinite]
                if not columns:
                    raise FileFormatError(f"{pattern}: no numeric columns ({next(iter(infinite.values()))})")
            parts: list[Partition] = []
            total = 0
            for f in files:
                n = con.execute(f"SELECT count(*) FROM read_parquet({lit(f)})").fetchone()[0]
                parts += [(f, s, min(n, s + chunk_rows)) for s in range(0, n, chunk_rows)]
                total += n
            if total == 0:      # the in-memory reader's words
                raise FileFormatError(no_rows_message(None, None, given, os.fspath(pattern), bool(where)))
            from somdesk.io.chunked_sql import metadata_line
            table = cls(files, list(columns), total, parts, os.fspath(pattern), staged,
                        [c for c in columns if c in numeric], file_labels=labels,
                        metadata=metadata_line(given) if files_format(given) == "csv" else None,
                        file_columns=list(types), left_out={**{c: why for c, why in spoiled.items() if c not in columns},
                                                            **infinite}, numbered=bool(where),
                        warnings=misnamed_warnings(given) + names_warnings(given) + _grouped_warning(given, number_format)
                        + _decoration_warnings(given, [c for c in columns if c in numeric], number_format))
            staged = None                       # the table's now: its close() removes it
            table._link_dir, link_dir = link_dir, None
            return table
        finally:
            con.close()
            if link_dir is not None:            # not handed to a table: an error
                shutil.rmtree(link_dir, ignore_errors=True)
            if staged is not None:              # not handed to a table: an error, or no rows
                shutil.rmtree(staged, ignore_errors=True)

    def read(self, part: Partition) -> np.ndarray:
        """(n, D) float64 rows of one partition (NaN where a value is missing)."""
        return read_partition(part, self.columns)

    def files_of(self, part: Partition) -> np.ndarray | None:
        """(n,) object array: the file each row of `part` came from, as the glob gave it
        (io.chunked_files); None when one file was opened, not a glob."""
        if self.file_labels is None:
            return None
        from somdesk.io.chunked_files import partition_files
        return partition_files(part, self.file_labels)

    def row_numbers(self, part: Partition, start: int) -> np.ndarray:
        """(n,) int64 row numbers of partition `part` in the files (0 = the first data row; a
        glob's rows counted through its files in order): `start` onwards, or, when a filter left
        rows out, each row's own number, as the in-memory scores number them."""
        n = part[2] - part[1]
        if not self.numbered:
            return np.arange(start, start + n, dtype=np.int64)
        file, first, end = part
        with _reader() as con, _damage_words([file]):
            got = con.execute(f"SELECT {q(ROW_COLUMN)} FROM read_parquet({lit(file)}, file_row_number=true) "
                              f"WHERE file_row_number >= {int(first)} AND file_row_number < {int(end)} "
                              "ORDER BY file_row_number").fetchnumpy()[ROW_COLUMN]
        return np.asarray(got, dtype=np.int64)

    def chunks(self):
        """Yield (global first row, (n, D) chunk) in partition order (one connection: chunk_reads,
        closed when the generator ends or is closed)."""
        start = 0
        with chunk_reads():
            for part in self.partitions:
                x = self.read(part)
                yield start, x
                start += len(x)

    def rows_at(self, indices: np.ndarray) -> np.ndarray:
        """(k, D) rows at global row numbers `indices` (any order, repeats allowed)."""
        indices = np.asarray(indices, dtype=np.int64).ravel()
        out = np.empty((len(indices), len(self.columns)))
        start = 0
        with chunk_reads():
            for part in self.partitions:
                n = part[2] - part[1]
                hit = np.flatnonzero((indices >= start) & (indices < start + n))
                if len(hit):
                    out[hit] = self.read(part)[indices[hit] - start]
                start += n
        return out

    def stats(self) -> dict[str, np.ndarray]:
        """Per column over all rows (missing left out): count, mean, std (ddof=0), min, max."""
        con = engine_connection()
        try:
            with _damage_words(self.files):
                src = parquet_reader(self.files, "[" + ", ".join(lit(f) for f in self.files) + "]")
                aggs = []
                for c in self.columns:
                    name = q(c)
                    aggs += [f"count({name})", f"avg({name})", f"stddev_pop({name})", f"min({name})", f"max({name})"]
                row = con.execute(f"SELECT {', '.join(aggs)} FROM {src}").fetchone()
        finally:
            con.close()
        vals = np.array([np.nan if v is None else float(v) for v in row]).reshape(len(self.columns), 5)
        return {"count": vals[:, 0], "mean": vals[:, 1], "std": vals[:, 2], "min": vals[:, 3], "max": vals[:, 4]}

    def _source_sql(self) -> str:
        return parquet_reader(self.files, "[" + ", ".join(lit(f) for f in self.files) + "]")

    def profile(self, numeric: list[str], text: list[str], max_categories: int = 200,
                median: bool = False) -> dict:
        """The preparation statistics, computed by the engine over every row (missing left out).

        Returns {"numeric": {column: {count, mean, std (ddof=0), min, max, median}},
        "text": {column: sorted distinct texts (at most max_categories + 1)}}; NaN counts as
        missing, as in memory.  Categories are sorted in Python (str order), as in memory.
        The median (quantile_cont, exact) is only computed when asked (NaN otherwise): unlike
        the others it is not a streaming aggregate, the engine holds or spills the column."""
        con = engine_connection()
        try:
            with _damage_words(self.files):
                src = self._source_sql()
                out = {"numeric": {}, "text": {}}
                if numeric:
                    aggs = []
                    for c in numeric:
                        num = f"CAST({q(c)} AS DOUBLE)"
                        v = f"CASE WHEN isnan({num}) THEN NULL ELSE {num} END"
                        aggs += [f"count({v})", f"avg({v})", f"stddev_pop({v})", f"min({v})", f"max({v})",
                                 f"quantile_cont({v}, 0.5)" if median else "NULL"]
                    row = con.execute(f"SELECT {', '.join(aggs)} FROM {src}").fetchone()
                    vals = [np.nan if v is None else float(v) for v in row]
                    for k, c in enumerate(numeric):
                        out["numeric"][c] = dict(zip(("count", "mean", "std", "min", "max", "median"),
                                                     vals[6 * k:6 * k + 6]))
                for c in text:
                    v = text_expr(c)
                    got = con.execute(f"SELECT DISTINCT {v} FROM {src} WHERE {v} IS NOT NULL "
                                      f"LIMIT {int(max_categories) + 1}").fetchall()
                    out["text"][c] = sorted(str(r[0]) for r in got)
                return out
        finally:
            con.close()

    def count_where(self, condition: str) -> int:
        """Rows for which the SQL `condition` holds."""
        con = engine_connection()
        try:
            with _damage_words(self.files):
                return int(con.execute(f"SELECT count(*) FROM {self._source_sql()} WHERE {condition}").fetchone()[0])
        finally:
            con.close()

    def indicator_stats(self, column: str, categories, median: bool) -> np.ndarray:
        """Per category of a text column, the mean (or median) of its 0/1 indicator over rows
        where the column is present: the one-hot features' fill values, by the engine."""
        v = text_expr(column)
        agg = "quantile_cont" if median else "avg"
        tail = ", 0.5)" if median else ")"
        exprs = [f"{agg}(CASE WHEN {v} IS NULL THEN NULL WHEN {v} = {lit(c)} THEN 1.0 ELSE 0.0 END::DOUBLE{tail}"
                 for c in categories]
        con = engine_connection()
        try:
            with _damage_words(self.files):
                row = con.execute(f"SELECT {', '.join(exprs)} FROM {self._source_sql()}").fetchone()
        finally:
            con.close()
        return np.array([np.nan if x is None else float(x) for x in row])

    def close(self) -> None:
        """Remove the staged copy, if any."""
        for attr in ("_staged_dir", "_link_dir"):
            if getattr(self, attr):
                shutil.rmtree(getattr(self, attr), ignore_errors=True)
                setattr(self, attr, None)

    def __enter__(self) -> "ChunkedTable":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@contextlib.contextmanager
def _damage_words(files: list[str]):
    """Reads of `files` after open (a Parquet file is read in place, not staged): DuckDB meets a
    page spoilt past the footer only when it decodes it ("Snappy decompression failure" came out of
    `profile` as a traceback, tester12 #7).  Such an error becomes the in-memory reader's one
    refusal, FileFormatError "cannot read NAME: the Parquet file is damaged or truncated" (NAME:
    the file DuckDB names, else the first); other errors pass unchanged."""
    import duckdb

    from somdesk.io.names import display_basename
    from somdesk.io.tables.duckutil import DAMAGED_PARQUET, duck_message
    try:
        yield
    except duckdb.InterruptException:
        raise
    except duckdb.Error as exc:
        if duck_message(exc) != DAMAGED_PARQUET:
            raise
        text = str(exc)
        named = next((f for f in files if f in text), files[0] if files else "?")
        raise FileFormatError(f"cannot read {display_basename(named)}: {DAMAGED_PARQUET}") from None


def _raise_unreadable(pattern, exc: Exception, given: list[str], line_ends: dict):
    """Raise io.chunked_sql.unreadable's refusal -- or _MixedLineEnds first when text files among
    `given` end their lines in more than one way (none copied yet): DuckDB takes one line end for
    a whole file and refuses a CRLF file with a bare LF (a quoted line break in a header name written
    by Python's csv module, tester12 #2) though the in-memory reader reads it from an LF copy
    (io.tables.lineends).  Scanned only after DuckDB failed, as in memory."""
    mixed = [] if line_ends else _mixed_line_ends(given)
    if mixed:
        raise _MixedLineEnds(mixed)
    raise unreadable(os.fspath(pattern), exc, given) from None


def _mixed_line_ends(given: list[str]) -> list[str]:
    """The delimited text files among `given` whose lines end in more than one way (one scan each,
    io.tables.lineends.mixed); a file that cannot be scanned is left to the read's own refusal."""
    from somdesk.io.tables import lineends
    if files_format(given) != "csv":
        return []
    mixed = []
    for f in given:
        try:
            if lineends.mixed(f, file_codec(f)):
                mixed.append(f)
        except (OSError, EOFError, ValueError):  # noqa: PERF203 - the read's own refusal says why
            continue
    return mixed


def read_with_line_ends(pattern, run, files: list[str] | None = None):
    """`run(files)`'s result: DuckDB work over the files of the path or glob `pattern`, read as
    ChunkedTable.open reads them.  `files`: the files as the engine opens them (one per file of
    `pattern`, in order; default: `pattern`'s files).  When `run` fails and delimited text files
    among them end their lines in more than one way (CRLF with bare LF or CR: DuckDB takes one line
    end per file), it runs once more over LF copies of those (io.tables.lineends, as the in-memory
    reader reads them), removed after.  A SomdeskError from `run` (a bad --where, Cancelled) passes
    as it is; any other failure is FileFormatError in somdesk's words (chunked_sql.unreadable)."""
    from somdesk.io.chunked_stage import stage_dir
    from somdesk.io.tables import lineends

    given = expand(pattern)
    files = list(given) if files is None else list(files)
    try:
        return run(files)
    except SomdeskError:
        raise
    except Exception as exc:  # duckdb raises many kinds; all mean "cannot read"
        first = exc
    mixed = _mixed_line_ends(given)
    if not mixed:
        raise unreadable(os.fspath(pattern), first, given) from None
    copies = stage_dir()
    try:
        try:
            lf = {g: lineends.normalise(g, file_codec(g), os.path.join(copies, f"lines{i}.csv"))
                  for i, g in enumerate(mixed)}
        except (OSError, EOFError, ValueError):     # no copy (a full disk): the first failure's words
            raise unreadable(os.fspath(pattern), first, given) from None
        try:
            return run([lf.get(g, f) for g, f in zip(given, files)])
        except SomdeskError:
            raise
        except Exception as exc:  # duckdb raises many kinds; all mean "cannot read"
            raise unreadable(os.fspath(pattern), exc, given) from None
    finally:
        shutil.rmtree(copies, ignore_errors=True)


def count_rows(pattern) -> int:
    """Rows of the table file or glob `pattern` as the chunked reader counts them (one DuckDB
    count; mixed line ends read as read_with_line_ends reads them, as the in-memory reader).
    FileFormatError when it cannot be read."""
    def count(names):
        con = engine_connection()
        try:
            return int(con.execute(f"SELECT count(*) FROM {reader_sql(names)}").fetchone()[0])
        finally:
            con.close()
    return over_engine_files(pattern, count)


def over_engine_files(pattern, run, given: list[str] | None = None):
    """`run(names)`'s result, `names` being the files of `pattern` (or `given`, its expanded files)
    as the engine opens them (engine_files: ASCII links to names that are not UTF-8), read with
    their line ends as read_with_line_ends reads them; the links are removed after, whatever
    happens.  Errors as read_with_line_ends."""
    files, _, link_dir = engine_files(expand(pattern) if given is None else given)
    try:
        return read_with_line_ends(pattern, run, files)
    finally:
        if link_dir is not None:
            shutil.rmtree(link_dir, ignore_errors=True)


class _MixedLineEnds(Exception):
    """DuckDB failed on these text files, whose line ends are mixed: read them from LF copies."""

    def __init__(self, files: list[str]):
        super().__init__(", ".join(files))
        self.files = files


class _TypedTooSoon(Exception):
    """Staging met a word in a column DuckDB typed as numbers from its sample: read it as text."""

    def __init__(self, column: str, sentence: str):
        super().__init__(sentence)
        self.column, self.sentence = column, sentence


# the connection of each thread's walk (chunk_reads): thread ident -> [connection, depth].  Keyed
# by the ident taken when the walk began, not a threading.local: a generator's walk may be
# closed from another thread (the garbage collector's), and must close its own connection.
_WALKS: dict = {}
_WALKS_LOCK = threading.Lock()


@contextlib.contextmanager
def chunk_reads():
    """Within the block, every partition read of this thread (read_partition, read_partition_cells,
    ChunkedTable.row_numbers) goes through one DuckDB connection, opened here and closed when the
    outermost such block of the thread ends -- normally, by an error or by a stop.  Blocks nest
    (an inner one shares the outer one's connection).  A connection is never shared between
    threads (DuckDB's are not safe to share): each thread's walk has its own.  Errors: as
    engine_connection (SomdeskError without duckdb)."""
    key = threading.get_ident()
    with _WALKS_LOCK:
        walk = _WALKS.get(key)
        if walk is not None:
            walk[1] += 1
    if walk is None:
        walk = [engine_connection(), 1]        # outside the lock: opening one takes 0.06-0.27 s
        with _WALKS_LOCK:
            _WALKS[key] = walk
    try:
        yield walk[0]
    finally:
        with _WALKS_LOCK:
            walk[1] -= 1
            last = walk[1] == 0
            if last and _WALKS.get(key) is walk:
                del _WALKS[key]
        if last:
            walk[0].close()


@contextlib.contextmanager
def _reader():
    """The connection of this thread's walk (chunk_reads), or one of its own for this read only."""
    with _WALKS_LOCK:
        walk = _WALKS.get(threading.get_ident())
    if walk is not None:
        yield walk[0]
        return
    con = engine_connection()
    try:
        yield con
    finally:
        con.close()


def read_partition(part: Partition, columns: list[str]) -> np.ndarray:
    """Read one partition (a worker calls this too): (n, D) float64, NaN where missing."""
    file, first, end = part
    with _reader() as con, _damage_words([file]):
        sel = ", ".join(select_expr(c) for c in columns)
        res = con.execute(
            f"SELECT {sel} FROM {parquet_reader([file], lit(file) + ', file_row_number=true')} "
            f"WHERE file_row_number >= {int(first)} AND file_row_number < {int(end)} "
            f"ORDER BY file_row_number").fetchnumpy()
    out = np.empty((end - first, len(columns)))
    for k, c in enumerate(columns):
        c = str(c)
        col = res[c]
        if np.ma.isMaskedArray(col):
            col = col.filled(np.nan)
        out[:, k] = col
    return out


def read_partition_cells(part: Partition, numeric: list[str], text: list[str]) -> dict:
    """One partition as cells (a worker calls this too): numeric columns (n,) float64 with NaN
    where missing, text columns (n,) object arrays of str with "" where missing, the cells
    `Recipe.transform` takes (so scoring applies exactly the in-memory rule)."""
    file, first, end = part
    with _reader() as con, _damage_words([file]):
        sel = [f"CAST({q(c)} AS DOUBLE) AS {q(c)}" for c in numeric]
        sel += [q(c) for c in text]       # as stored: numbers are written below as in memory
        res = con.execute(
            f"SELECT {', '.join(sel)} FROM {parquet_reader([file], lit(file) + ', file_row_number=true')} "
            f"WHERE file_row_number >= {int(first)} AND file_row_number < {int(end)} "
            f"ORDER BY file_row_number").fetchnumpy()
    out = {}
    for c in numeric:
        col = res[c]
        out[c] = np.asarray(col.filled(np.nan) if np.ma.isMaskedArray(col) else col, dtype=np.float64)
    for c in text:
        out[c] = _cell_texts(res[c])
    return out


def _cell_texts(col) -> np.ndarray:
    """(n,) object array of a text column's cells as the in-memory reader gives them ("" where
    missing): a column stored as numbers (category codes 7, 12) is written 7, not 7.0, so a
    code scores as the category the in-memory map learnt (io.tables.table.num_text)."""
    from somdesk.io.tables.table import num_text

    mask = np.ma.getmaskarray(col) if np.ma.isMaskedArray(col) else None
    values = np.asarray(col.data if mask is not None else col)
    if values.dtype.kind in "fiub":
        texts = ["" if (v != v) else ("true" if v is True else "false" if v is False else num_text(v))
                 for v in values.tolist()]
    else:
        texts = ["" if v is None else str(v) for v in values.tolist()]
    if mask is not None:
        texts = ["" if m else t for t, m in zip(texts, mask.tolist())]
    return np.array(texts, dtype=object)


def text_column_kinds(pattern, where: str | None = None, missing=(), cap: int = 51,
                      number_format: tuple | None = None, columns: dict | None = None) -> tuple[dict, int]:
    """({text column: its distinct present values, counted up to `cap`}, rows) of a file or glob,
    by one DuckDB query over the files themselves (the staged copy holds only the chosen columns).

    A cell is present unless empty or, stripped and lower-cased, one of `missing` (the label
    rule's tokens: session.table_columns._label_kinds).  `where` (SQL, checked as `open` checks it)
    keeps only its rows, as the in-memory reader's filter.  Counts stop at `cap` per column
    (a column with more is no label; an identifier holds no more memory than `cap` values).
    A column DuckDB types as text whose every present cell (the reader's missing-value texts
    aside) is a number -- written with `number_format` ((decimal, thousands): `5,25` with a
    decimal comma), else by the in-memory reader's plain rule (`+1`, `007`) -- is not text: the
    in-memory reader reads it as numbers, so it is no label there either.  Judged on its distinct
    cells as stored, gathered in the same pass up to 4 x (`cap` + 1) (a column with more is no
    label whatever it holds, and counts as text here).  `columns` (a dict) receives {column: reads as
    numbers} for every column of the files, in their order (the label rule of a scikit-learn
    file's class target needs the numeric ones).
    Raises FileFormatError for unreadable files, as `open`."""
    from somdesk.io.chunked_checks import cell_text, check_formats, number_cell
    from somdesk.io.tables.textfile import number_pattern

    given = expand(pattern)
    check_formats(given, os.fspath(pattern))    # a palette or picture is named, as `open` names it
    is_number = (number_cell("v") if number_format is None
                 else f"regexp_full_match(v, {lit(number_pattern(*number_format))})")

    def kinds(names):
        folder, names = utf8_read(names)        # cp1252, Shift-JIS: a UTF-8 copy, as `open` reads them
        con = engine_connection()
        try:
            src = reader_sql(names)
            types = {n: t for n, t, *_ in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()}
            # a yes/no column DuckDB types BOOLEAN is text in memory (a label there, not here before)
            text = [c for c, t in types.items() if str(t).upper() in ("VARCHAR", "BOOLEAN")]
            con.execute(f"CREATE TEMP VIEW src AS SELECT * FROM {src}")
            filt = ""
            if where:
                from somdesk.io.tables.sqlfilter import check_filter
                filt = f" WHERE {check_filter(con, where, 'src')}"
            tokens = ", ".join(lit(t) for t in sorted(set(missing) | {""}))
            # exact distinct counts in one pass over the files (approximate ones could say 50 for 52),
            # and each text column's first distinct cells as stored, to tell numbers by (as cheap as
            # the counts; the number rule on every cell took the pass from 1.7 to 4.3 s on 500,000
            # rows, and on the cells made present first 1.3 -> 1.9 s)
            room = 4 * (int(cap) + 1)         # `5`, ` 5`, `5 `, `NA`: one value stored a few ways
            cast = {c: f"CAST({q(c)} AS VARCHAR)" for c in text}
            aggs = ["count(*)"] + [f"count(DISTINCT CASE WHEN lower(trim({cast[c]})) IN ({tokens}) THEN NULL "
                                   f"ELSE {cast[c]} END)" for c in text]
            aggs += [f"list_slice(list(DISTINCT {cast[c]}), 1, {room})" for c in text]
            row = con.execute(f"SELECT {', '.join(aggs)} FROM src{filt}").fetchone()
            numbers = set()
            for c, cells in zip(text, row[1 + len(text):]):
                if not cells or len(cells) >= room:
                    continue        # a column of more values is no label: text, as DuckDB typed it
                v = cell_text("x")  # present, trimmed (the reader's missing-value texts are NULL)
                all_numbers = con.execute(f"SELECT bool_and(v IS NULL OR {is_number}) AND count(v) > 0 FROM "
                                          f"(SELECT {v} AS v FROM (SELECT unnest(?::VARCHAR[]) AS x))",
                                          [cells]).fetchone()[0]
                if all_numbers:
                    numbers.add(c)
            if columns is not None:
                columns.update({c: c in numbers or is_numeric_type(str(t)) for c, t in types.items()})
            return {c: min(int(n), cap) for c, n in zip(text, row[1:1 + len(text)]) if c not in numbers}, int(row[0])
        finally:
            con.close()
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
    return over_engine_files(pattern, kinds, given)


def _utf8_copies(files: list[str], copies: dict) -> str | None:
    """UTF-8 copies of the text `files` in an encoding DuckDB's reader does not decode
    (chunked_sql.foreign_encoding: a Shift-JIS or cp1251 file), added to `copies` ({given file:
    its copy}, named as the file in every message), as the in-memory reader transcodes them
    (io.tables.textfile.transcode_to_utf8); the copies' folder, or None when none was needed.
    FileFormatError when a file is not valid text in its encoding further down."""
    from somdesk.io.chunked_sql import foreign_encoding
    from somdesk.io.chunked_stage import stage_dir
    from somdesk.io.names import display_basename
    from somdesk.io.tables.textfile import transcode_to_utf8
    folder = None
    try:
        for i, f in enumerate(files):
            enc = foreign_encoding(f)
            if enc is None:
                continue
            folder = folder or stage_dir()
            sub = os.path.join(folder, f"utf8-{i}")
            os.mkdir(sub)
            copies[f] = transcode_to_utf8(f, display_basename(f), enc, file_codec(f), sub, None)
    except BaseException:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def utf8_read(files: list[str]) -> tuple[str | None, list[str]]:
    """(a folder to remove after or None, `files` with UTF-8 copies in it for those in an encoding
    DuckDB's reader does not decode: io.chunked_sql.foreign_encoding; `_utf8_copies`)."""
    copies: dict[str, str] = {}
    folder = _utf8_copies(files, copies)
    return folder, [copies.get(f, f) for f in files]


def _grouped_warning(files: list[str], number_format) -> list[str]:
    """The in-memory reader's warning for columns of '1.500' read as 1.5 (io.tables.textfile.
    grouped_looking_warning), from the first file's head, when no number format is given."""
    if number_format or not files or files_format(files) != "csv":
        return []
    # the cached sniff first: the head is read again (for its text) only when it may say so
    head = _cached_head(files[0])
    if head is None or not head.delimiter or head.delimiter == "," or head.hints.decimal is not None:
        return []
    from somdesk.io.tables.textfile import head_grouped_warning
    said = head_grouped_warning(files[0])
    return [said] if said else []


def _decoration_warnings(files: list[str], numeric: list[str], number_format) -> list[str]:
    """The in-memory reader's warnings for numbers read without their currency or percent signs
    (io.tables.textfile.decoration_warnings), from the first file's head."""
    if not number_format or not files or files_format(files) != "csv":
        return []
    head = _cached_head(files[0])
    if head is None or not head.hints.decorated:
        return []
    from somdesk.io.tables.textfile import head_decoration_warnings
    return head_decoration_warnings(files[0], numeric, number_format["decimal"], number_format["thousands"])


def _cached_head(path: str):
    """chunked_sql.head_sniff(path) (read once per file version), None when it cannot be sniffed."""
    from somdesk.io.chunked_sql import head_sniff
    try:
        return head_sniff(path)
    except (OSError, SomdeskError, ValueError, TypeError):
        return None
