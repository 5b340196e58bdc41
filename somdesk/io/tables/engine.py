"""One table file as a DuckDB view named `src`: sniffed, converted, filtered.

    src = Source.open("sales.csv.gz", ReadOptions(decimal=","), cancel=token)
    src.columns, src.types, src.dialect, src.format
    got = src.read_all(token)                  # columns.Fetched, file order
    src.close()

DuckDB does the reading (CSV/TSV/any delimiter, gzip/zstd, Parquet, JSON/NDJSON;
out-of-core); spreadsheets arrive through calamine as a temporary CSV; text in
encodings DuckDB does not read natively is transcoded to a temporary UTF-8 file.
Our own rules on top (see detect.py, textfile.py): comment and metadata lines, the
decimal comma, strict digit grouping, missing-value tokens, one-line error messages
naming the file, line and column.  Whole-file reads go through Arrow's readers when
they can (arrowread.py), with DuckDB as the fallback that names what is wrong.
"""
from __future__ import annotations

import itertools
import os
import shutil
import tempfile

from somdesk.core.options import count_text
from somdesk.errors import Cancelled, FileFormatError, OptionError
from somdesk.io.tables import arrowread, compressed, detect, duckutil, json_names
from somdesk.io.tables.duckutil import (Interrupter, config as _config, duck_message, durations_swap, lit, q,
                                         renamed_alias, stop_for)
from somdesk.io.tables.textfile import failed_column, long_line_message, nullstr, open_text
from somdesk.io.tables.columns import Fetched
from somdesk.io.tables.options import ReadOptions
from somdesk.io.tables.sqlfilter import check_filter

__all__ = ["Source", "column_kind", "NUMERIC_TYPES"]

NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                 "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "REAL")
MAX_COLUMNS = 10_000


def _records_key(con) -> str | None:
    """The key of a JSON document that is one object holding one list of records (objects), or
    None.  Only the view's description is asked for, plus one row when it has that shape."""
    cols = con.execute("DESCRIBE raw").fetchall()
    if len(cols) != 1 or not (str(cols[0][1]).startswith("STRUCT(") and str(cols[0][1]).endswith(")[]")):
        return None
    return cols[0][0] if con.execute("SELECT count(*) FROM (SELECT 1 FROM raw LIMIT 2)").fetchone()[0] == 1 else None


def parquet_select(path: str, pf=None) -> str:
    """The engine's SELECT of a Parquet file: its columns named as arrowread.parquet_columns
    names them (duplicates and names differing only in letter case made unique, by position),
    its duration columns as DOUBLE seconds (see arrowread.parquet_durations: DuckDB reads them
    as the stored integer counts).  Without pyarrow: DuckDB's own names and counts."""
    cols = arrowread.parquet_columns(path, pf)
    base = f"read_parquet({lit(path)})"
    if cols is None:
        return f"SELECT * FROM {base}"
    raw, names, per = cols
    return f"SELECT *{durations_swap(per)} FROM {base}{renamed_alias(raw, names)}"


def parquet_warnings(path: str, pf=None) -> list[str]:
    """The warnings of a Parquet file's names made unique or given (parquet_columns), as a text
    file's header gets them (io.tables.textfile)."""
    from somdesk.io.tables import header_names
    cols = arrowread.parquet_columns(path, pf)
    if cols is None:
        return []
    raw, _names, _per = cols
    _names, renames, unnamed = header_names.unique_names(raw, trim=False)
    out = []
    if unnamed:
        out.append(header_names.unnamed_warning(unnamed))
    said = header_names.renames_warning(renames, names=raw)
    if said:
        out.append(said)
    return out


def column_kind(duck_type: str) -> str:
    """"numeric", "boolean", "date", "text" or "nested" for a DuckDB type name."""
    t = duck_type.upper()
    if t in NUMERIC_TYPES or t.startswith("DECIMAL"):
        return "numeric"
    if t == "BOOLEAN":
        return "boolean"
    if t.startswith(("DATE", "TIME", "INTERVAL")):
        return "date"
    if t in ("VARCHAR", "UUID", "ENUM") or t.startswith("ENUM"):
        return "text"
    return "nested"


class Source:
    """A table file opened in DuckDB as the view `src` (see module docstring)."""

    def __init__(self, con, name, fmt, dialect, warnings, tmpdir, header_lines, known=None):
        self._con = con                       # None: connected when first used (see `con`)
        self._connect = None
        self.name = name
        self.format = fmt
        self.dialect = dialect
        self.warnings = warnings
        self._tmpdir = tmpdir
        self.header_lines = header_lines     # file lines before the first data row
        if known is not None:                 # names and types as sniffed: no DESCRIBE (a bind)
            self.columns, self.types = list(known[0]), [str(t) for t in known[1]]
        else:
            desc = con.execute("DESCRIBE SELECT * FROM src").fetchall()
            self.columns = [r[0] for r in desc]
            self.types = [str(r[1]) for r in desc]
        self.numbered = False
        self.size_bytes = None                # file size, head size and lines in it (may_exceed)
        self.head_bytes = 0
        self.head_lines = 0
        self._retype = None
        self._widen = None                    # gives a text view every missing-value token
        self._fix_line_ends = None            # reads a copy with LF ends if they are mixed (textfile)
        self._create_view = None              # creates `src` on first use (plain text files)
        self.path = None                      # the file the engine reads (after any transcoding)
        self._csv_plan = None                 # how Arrow may read it whole (arrowread.read_csv)
        self._parquet = None                  # pyarrow's ParquetFile (footer parsed once)
        self._owned: list[str] = []
        self._types_override: dict[str, str] = {}

    @property
    def con(self):
        """The DuckDB connection with the view `src` (opened on first use for a Parquet or
        plain text file that Arrow reads whole: a connection costs tens of milliseconds)."""
        if self._con is None:
            self._con = self._connect()
        return self._con

    @classmethod
    def _open_parquet_lazily(cls, path, name, head) -> "Source | None":
        pf = arrowread.parquet_file(path)
        schema = arrowread.parquet_schema(path, pf) if pf is not None else None
        if schema is None:
            return None

        def connect():
            con = duckutil.connect(_config())
            con.execute(f"CREATE VIEW src AS {parquet_select(path)}")
            return con

        src = cls(None, name, "parquet", {}, parquet_warnings(path, pf), None, 0, schema)
        src._connect = connect
        src._parquet = pf
        src.path = path
        src.head_bytes = len(head)
        src.head_lines = head.count(b"\n")
        return src

    # -- opening -----------------------------------------------------------------------
    @classmethod
    def open(cls, path, options: ReadOptions | None = None, cancel=None, name: str | None = None,
             json_every_record: bool = False) -> "Source":
        """Open `path` (see module docstring); FileFormatError/OptionError/Cancelled.
        `json_every_record`: JSON columns and types from every record, not DuckDB's sample of the
        first ones (io.tables.table.read_table asks for it when a later record did not fit)."""
        import duckdb

        opts = (options or ReadOptions()).checked()
        path = os.fspath(path)
        name = name or os.path.basename(path)
        head, codec = detect.head_bytes(path, name)
        if not head.strip(b" \t\r\n\xef\xbb\xbf"):
            raise FileFormatError(f"cannot read {name}: the file is empty")
        fmt = opts.format or detect.detect_format(head, name)
        _check_applies(opts, fmt, name)
        if fmt == "parquet" and not opts.where:
            src = cls._open_parquet_lazily(path, name, head)
            if src is not None:
                said = None if opts.format else detect.misnamed(name, fmt)
                if said:
                    src.warnings.append(said)
                if len(src.columns) > MAX_COLUMNS:
                    raise FileFormatError(f"cannot read {name}: it has {count_text(len(src.columns), 'column')}; "
                                          f"the limit is {MAX_COLUMNS:,}")
                return src
        opened = []

        def connect():
            if not opened:
                opened.append(duckutil.connect(_config()))
            return opened[0]

        # a text file without a filter gets its connection when a query first needs one
        # (a whole-file read through Arrow never does); the sniffer runs on a shared one
        lazy = fmt == "csv" and not opts.where
        con = None if lazy else connect()
        tmpdir = None
        try:
            warnings: list[str] = []
            said = None if opts.format else detect.misnamed(name, fmt)
            if said:
                warnings.append(said)
            header_lines = 1
            retype = None
            known = None
            plan = None
            widen = None
            fix_line_ends = None
            read_path = path
            with Interrupter(con if con is not None else _Opened(opened), cancel):
                if fmt in ("xlsx", "xls", "ods"):
                    from somdesk.io.tables.spreadsheet import sheet_to_csv
                    tmpdir = tempfile.mkdtemp(prefix="somdesk-table-")
                    csv_path, dialect = sheet_to_csv(path, name, fmt, opts, tmpdir, cancel)
                    if dialect.get("empty_sheets"):
                        empty = ", ".join(repr(x) for x in dialect["empty_sheets"])
                        warnings.append(f"the first sheet(s) {empty} are empty: sheet {dialect['sheet']!r} "
                                        "is read (choose another with the sheet option)")
                    if dialect.get("group_header"):     # tester F #9: a merged group row over the header
                        groups, real = dialect.pop("group_header")
                        lines = dialect.get("skip", 0) + 1
                        warnings.append(f"the first row of sheet {dialect['sheet']!r} looks like a group header "
                                        f"({', '.join(map(repr, groups))}) over the column names "
                                        f"({', '.join(map(repr, real[:4]))}{', ...' if len(real) > 4 else ''}): "
                                        f"read it with {count_text(lines, 'line')} skipped (--skip {lines}; in the "
                                        "window, Lines to skip)")
                    header = opts.header if opts.header is not None else True
                    skip = opts.skip if opts.skip is not None else dialect.get("skip", 0)
                    con.execute(f"CREATE VIEW raw AS SELECT * FROM read_csv({lit(csv_path)}, delim=',', "
                                f"quote='\"', escape='\"', header={header}, skip={skip}, "
                                f"nullstr={nullstr(opts)}, sample_size=-1, "
                                # no BOOLEAN: a yes/no column keeps its words, as in a text
                                # file (textfile.py), and Table gives it its kind by them
                                "auto_type_candidates=['BIGINT', 'DOUBLE', 'TIME', 'DATE', 'TIMESTAMP', 'VARCHAR']"
                                f"{_sheet_names(csv_path, skip, header, warnings)})")
                    header_lines = skip + int(header)
                elif fmt == "parquet":
                    con.execute(f"CREATE VIEW raw AS {parquet_select(path)}")
                    warnings.extend(parquet_warnings(path))
                    dialect = {}
                    header_lines = 0
                elif fmt == "json":
                    every = ", sample_size=-1" if json_every_record else ""
                    jpath, jcodec = path, codec
                    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
                        # UTF-16 with a BOM (PowerShell 5's Out-File): DuckDB reads UTF-8 only,
                        # so a UTF-8 copy is read, as for UTF-16 text tables (tester10 #24)
                        from somdesk.io.tables.textfile import transcode_to_utf8
                        tmpdir = tempfile.mkdtemp(prefix="somdesk-table-")
                        jpath, jcodec = transcode_to_utf8(path, name, "utf-16", codec, tmpdir, cancel), None
                    con.execute(f"CREATE VIEW raw AS SELECT * FROM read_json({lit(jpath)}, format='auto', "
                                f"{compressed.duck_arg(jcodec)}{every})")
                    dialect = {"json_format": "auto"}
                    if jpath != path:
                        dialect["encoding"] = "utf-16"
                    if codec is not None:
                        dialect["compression"] = codec
                    key = _records_key(con)
                    if key is None:
                        # keys differing only in letter case: named as in every other format
                        reader = f"read_json({lit(jpath)}, format='auto', {compressed.duck_arg(jcodec)}{every})"
                        alias, said = json_names.renamed_keys(
                            con, reader, [r[0] for r in con.execute("DESCRIBE raw").fetchall()], json_every_record)
                        warnings.extend(said)
                        if alias:
                            con.execute(f"CREATE OR REPLACE VIEW raw AS SELECT * FROM {reader}{alias}")
                    if key is not None:
                        # {"customers": [{...}, ...]}: the API export's one key holding the
                        # records is the table (it read as 1 row x 1 nested column: tester6 F10)
                        con.execute(f"CREATE OR REPLACE VIEW raw AS SELECT unnest({q(key)}, max_depth := 2) "
                                    f"FROM read_json({lit(jpath)}, format='auto', {compressed.duck_arg(jcodec)}{every})")
                        dialect["records_key"] = key
                    header_lines = 0
                else:
                    (read_path, dialect, header_lines, tmpdir, retype, known,
                     plan, widen, fix_line_ends) = open_text(connect, path, name, head, codec, opts, warnings, cancel)
                if opts.where:
                    con.execute("CREATE VIEW unfiltered AS SELECT * FROM raw")
                    check_filter(con, opts.where, "unfiltered")
                    con.execute("CREATE VIEW numbered AS SELECT (row_number() OVER ()) - 1 AS __somdesk_row, * "
                                "FROM unfiltered")
                    con.execute(f"CREATE VIEW src AS SELECT * EXCLUDE (__somdesk_row) FROM numbered "
                                f"WHERE ({opts.where})")
                    dialect["where"] = opts.where
                elif known is not None:
                    pass                              # `src` is created when first queried
                else:
                    connect().execute("CREATE VIEW src AS SELECT * FROM raw")
            src = cls(opened[0] if opened else None, name, fmt, dialect, warnings, tmpdir, header_lines,
                      None if known is None or opts.where else known[:2])
            if len(src.columns) > MAX_COLUMNS:
                raise FileFormatError(f"cannot read {name}: it has {count_text(len(src.columns), 'column')}; "
                                      f"the limit is {MAX_COLUMNS:,}")
            src._connect = connect
            src.numbered = bool(opts.where)
            src._retype = retype
            src._widen = widen
            src._fix_line_ends = fix_line_ends
            src._create_view = None if known is None else known[2].get("create")
            src.path = read_path
            src._csv_plan = plan
            src.size_bytes = os.path.getsize(read_path) if fmt == "csv" else None
            src.head_bytes = len(head)
            src.head_lines = head.count(b"\n")
            return src
        except (FileFormatError, OptionError, Cancelled):
            _close(opened)
            _rmtree(tmpdir)
            raise
        except duckdb.Error as exc:
            _close(opened)
            _rmtree(tmpdir)
            raise FileFormatError(f"cannot read {name}: {duck_message(exc)}") from None
        except (OSError, UnicodeError, ValueError) as exc:
            _close(opened)
            _rmtree(tmpdir)
            from somdesk.io.names import os_reason
            raise FileFormatError(f"cannot read {name}: {os_reason(exc)}") from None

    # -- reading -----------------------------------------------------------------------
    def _ensure_view(self) -> None:
        if self._create_view is not None:
            create, self._create_view = self._create_view, None
            create()

    def query(self, sql: str, cancel=None, what: str = "read", arrow: bool = False):
        """Run `sql` and return the numpy dict of its result (arrow=True: a pyarrow Table),
        errors mapped to FileFormatError.

        A value far down a text file that does not fit the type sniffed from the first
        rows (a word in a column of numbers) makes that column text, and the query runs again.
        """
        import duckdb

        for _ in range(len(self.columns) + 2):
            try:
                with Interrupter(self.con, cancel):
                    self._ensure_view()
                    # a relation's fetchnumpy converts a sixth faster than a cursor's (DuckDB
                    # 1.x-2.x); a statement (CREATE ...) runs at once and gives no relation
                    rel = self.con.sql(sql)
                    if rel is None:
                        return {}
                    return rel.to_arrow_table() if arrow else rel.fetchnumpy()
            except duckdb.InterruptException:
                raise Cancelled("stopped") from None
            except RuntimeError as exc:       # DuckDB's word for a Ctrl+C while it ran (duckutil.stop_for)
                if (stop := stop_for(exc, cancel)) is not None:
                    raise stop from None
                raise
            except (duckdb.ConversionException, duckdb.InvalidInputException) as exc:
                if not isinstance(exc, duckdb.ConversionException) and self._line_ends_fixed(cancel):
                    continue                  # line ends mixed further down: read a copy with LF ends
                if (isinstance(exc, duckdb.ConversionException) and self._widen is not None
                        and self._widen()):
                    continue                  # read with "" as the only token: a token further down
                # a value that does not fit the column's type: make the column text
                col = failed_column(str(exc), self.columns)
                if self._retype is None or col not in self.columns or col in self._types_override:
                    raise FileFormatError(f"cannot {what} {self.name}: {self._message(exc, cancel)}") from None
                self._types_override[col] = "VARCHAR"
                self._retype(self._types_override)
                self.types[self.columns.index(col)] = "VARCHAR"
            except duckdb.Error as exc:
                if self._line_ends_fixed(cancel):
                    continue
                raise FileFormatError(f"cannot {what} {self.name}: {self._message(exc, cancel)}") from None
        raise FileFormatError(f"cannot {what} {self.name}: the column types keep changing")

    def _line_ends_fixed(self, cancel=None) -> bool:
        """After a DuckDB error on a text file: if its line ends are mixed (CRLF and LF,
        lineends.py), read a copy with LF ends from now on and return True (once)."""
        fix = self._fix_line_ends
        if fix is None:
            return False
        self._fix_line_ends = None
        got = fix(cancel)
        if got is None:
            return False
        self.path, folder = got
        self.own_dir(folder)
        return True

    def _message(self, exc, cancel=None) -> str:
        """DuckDB's error as one line; a too-long line of a text file is found and named
        here (DuckDB may name another line)."""
        if self.format == "csv" and self.path is not None:
            msg = long_line_message(str(exc), self.path, cancel)
            if msg:
                return msg
        return duck_message(exc)

    def scalar(self, sql: str, cancel=None):
        out = self.query(sql, cancel)
        return next(iter(out.values()))[0] if out else None

    def fetch(self, sql: str, cancel=None) -> Fetched:
        """The result of `sql` as `Fetched` columns: through Arrow when pyarrow is installed
        (a third of the conversion time of fetchnumpy), else fetchnumpy."""
        if arrowread.available():
            return Fetched.from_arrow(self.query(sql, cancel, arrow=True))
        return Fetched.from_numpy(self.query(sql, cancel))

    def count_rows(self, cancel=None) -> int:
        """Rows in the (filtered) table; Parquet without a filter: from the file's footer."""
        if self.format == "parquet" and not self.numbered:
            n = arrowread.parquet_rows(self.path, self._parquet)
            if n is not None:
                return n
        return int(self.scalar("SELECT count(*) FROM src", cancel))

    def read_all(self, cancel=None) -> Fetched:
        """Every row, file order (with `__somdesk_row` first when filtered): Arrow's own
        readers for a plain text or Parquet file when possible, else one engine query."""
        if not self.numbered and not self._types_override:
            got = None
            if self.format == "parquet":
                got = arrowread.read_parquet(self.path, self.columns, cancel, pf=self._parquet)
            elif self._csv_plan is not None:
                got = arrowread.read_csv(self._csv_plan, cancel)
            if got is not None:          # a pyarrow Table, or Fetched (number columns in one block)
                return got if isinstance(got, Fetched) else Fetched.from_arrow(got)
        if self.numbered:
            return self.fetch(f"SELECT * FROM {self.row_numbers_sql()}", cancel)
        if self.format == "parquet" and not arrowread.available() and len(self.columns) <= 64:
            # a columnar file, fetchnumpy: one query a column converts a third faster than
            # one query for all (few columns only: each query has a fixed cost)
            got = {}
            for c in self.columns:
                got.update(self.query(f"SELECT {q(c)} FROM src", cancel))
            return Fetched(list(self.columns), [got[c] for c in self.columns], False)
        return self.fetch(f"SELECT {', '.join(q(c) for c in self.columns)} FROM src", cancel)

    def may_exceed(self, rows: int) -> bool:
        """True unless the file is clearly smaller than `rows` rows (from its size and the
        bytes per line of its first 256 KiB; compressed and spreadsheet files: by size only)."""
        if self.size_bytes is None or self.head_lines <= 0:
            return True
        factor = 8.0 if self.dialect.get("compression") else 1.0
        est = self.size_bytes * factor * self.head_lines / max(1, self.head_bytes)
        return est > 0.75 * rows

    def row_numbers_sql(self) -> str:
        """A relation with `__somdesk_row` (row number in the unfiltered file) and every column."""
        if self.numbered:
            return "(SELECT * FROM numbered WHERE " + self.dialect["where"].join("()") + ")"
        return "(SELECT (row_number() OVER ()) - 1 AS __somdesk_row, * FROM src)"

    def own_dir(self, path: str) -> None:
        """Remove folder `path` when this source closes."""
        self._owned.append(path)

    def release_file(self) -> None:
        """Done with the whole-file read: unmap a Parquet file (memory-mapped for it) so the
        open table holds no mapping of a file the user may replace; later queries (samples,
        blocks) go through DuckDB, which opens the file itself."""
        self._parquet = None

    def close(self) -> None:
        self._parquet = None                  # unmaps the file
        try:
            if self._con is not None:
                self._con.close()
        finally:
            for d in [self._tmpdir] + self._owned:
                _rmtree(d)
            self._tmpdir = None
            self._owned = []


class _Opened:
    """Interrupts the connection of a lazily connected source, if it was opened."""

    def __init__(self, opened: list):
        self.opened = opened

    def interrupt(self) -> None:
        if self.opened:
            self.opened[0].interrupt()


def _close(opened: list) -> None:
    if opened:
        opened[0].close()


def _rmtree(d):
    if d:
        shutil.rmtree(d, ignore_errors=True)


_SHEETS = ("xlsx", "xls", "ods")


def _sheet_names(csv_path: str, skip: int, header: bool, warnings: list) -> str:
    """', names=[...]' for a sheet whose header has duplicate or blank names (io.tables.header_names,
    as for text files: DuckDB's renaming may take a name the sheet has, tester10 #20), with the
    warnings listing the renames and counting the blanks; '' otherwise."""
    if not header:
        return ""
    import csv
    from somdesk.io.tables import header_names
    with open(csv_path, encoding="utf-8", newline="") as f:
        rows = csv.reader(f)
        cells = next(itertools.islice(rows, skip, None), [])
    names, renames, unnamed = header_names.unique_names(cells)
    if unnamed:             # as a text file's header says it (io.tables.textfile)
        warnings.append(header_names.unnamed_warning(unnamed))
    said = header_names.renames_warning(renames, names=cells)
    if said is None and not unnamed:
        return ""
    if said is not None:
        warnings.append(said)
    return ", names=[" + ", ".join(lit(n) for n in names) + "]"


def _check_applies(opts: ReadOptions, fmt: str, name: str) -> None:
    """OptionError for a reading option the file's format has no use for, rather than ignoring it
    (tester7 #11: `table info customers.csv --sheet 3` exited 0): a sheet for a file that is not
    a spreadsheet, a delimiter or an encoding for one that is not text."""
    what = {"xlsx": "a spreadsheet", "xls": "a spreadsheet", "ods": "a spreadsheet", "parquet": "a Parquet file",
            "json": "a JSON file"}.get(fmt, "a text table")
    if opts.sheet is not None and fmt not in _SHEETS:
        raise OptionError(f"{name} is {what}, not a spreadsheet: it has no sheets (the sheet option is for "
                          ".xlsx, .xls and .ods files)")
    if fmt in _SHEETS + ("parquet", "json"):
        given = [n for n, v in (("delimiter", opts.delimiter), ("encoding", opts.encoding)) if v is not None]
        if given:
            raise OptionError(f"{name} is {what}: the {' and '.join(given)} option(s) are for text tables "
                              "(CSV, TSV) only")
