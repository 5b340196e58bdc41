"""One table file as a DuckDB view named `src`: sniffed, converted, filtered.

    src = Source.open("sales.csv.gz", ReadOptions(decimal=","), cancel=token)
    src.columns, src.types, src.dialect, src.format
    cols = src.fetch(limit=1_000_001)          # {name: numpy array}, file order
    src.close()

DuckDB does the reading (CSV/TSV/any delimiter, gzip, Parquet, JSON/NDJSON;
out-of-core); spreadsheets arrive through calamine as a temporary CSV; text in
encodings DuckDB does not read natively is transcoded to a temporary UTF-8 file.
Our own rules on top (see detect.py): comment and metadata lines, the decimal
comma, strict digit grouping, missing-value tokens, one-line error messages
naming the file, line and column.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading


from somdesk.core import cancel as cancel_mod
from somdesk.errors import Cancelled, FileFormatError, OptionError
from somdesk.io.tables import arrowread, detect
from somdesk.io.tables.columns import Fetched
from somdesk.io.tables.options import ReadOptions
from somdesk.io.tables.sqlfilter import check_filter

__all__ = ["Source", "column_kind", "NUMERIC_TYPES"]

NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                 "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "REAL")
MAX_COLUMNS = 10_000


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


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + str(name).replace('"', '""') + '"'


def lit(text: str) -> str:
    """A quoted SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


class _Interrupter:
    """Polls a CancelToken every 20 ms while a query runs and interrupts the connection."""

    def __init__(self, con, token):
        self.con, self.token = con, token
        self.done = threading.Event()
        self.thread = None

    def __enter__(self):
        cancel_mod.check(self.token)
        if self.token is not None:
            self.thread = threading.Thread(target=self._run, name="somdesk-table-cancel", daemon=True)
            self.thread.start()
        return self

    def _run(self):
        while not self.done.wait(0.02):
            if self.token.cancelled:
                self.con.interrupt()
                return

    def __exit__(self, *exc):
        self.done.set()
        if self.thread is not None:
            self.thread.join()
        if self.token is not None and self.token.cancelled:
            raise Cancelled("stopped")
        return False


_DELIM_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", " ": "space"}


def _duck_message(exc: Exception) -> str:
    """DuckDB's error as one line: which line of the file, and what is wrong there."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    first = re.sub(r"^[A-Za-z ]*Error: ", "", first)
    m = re.search(r"CSV Error on Line: (\d+)", text)
    if not m:
        m2 = re.search(r"[Ll]ine:? (\d+)", text)
        if m2 and "line" not in first.lower():
            first += f" (line {m2.group(1)})"
        return first
    line = m.group(1)
    cols = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    delim = re.search(r"delimiter = (\S+)", text)
    dname = _DELIM_NAMES.get(delim.group(1), repr(delim.group(1))) if delim else "?"
    if cols:
        return (f"line {line} has {cols.group(2)} field(s) but the header has {cols.group(1)} "
                f"(the delimiter is {dname})")
    if "unterminated quote" in text:
        return f"line {line} has a quote (\") that is never closed"
    conv = re.search(r"Error when converting column \"([^\"]+)\"\.\s*(.*)", text)
    if conv:
        return f"line {line}, column {conv.group(1)!r}: {conv.group(2).strip()}"
    reason = next((ln.strip() for ln in text.splitlines()[2:] if ln.strip() and not ln.startswith(("Possible", "*"))),
                  "not valid CSV")
    return f"line {line}: {reason}"


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
        self._create_view = None              # creates `src` on first use (plain text files)
        self.path = None                      # the file the engine reads (after any transcoding)
        self._csv_plan = None                 # how Arrow may read it whole (arrowread.read_csv)
        self._owned: list[str] = []
        self._types_override: dict[str, str] = {}

    @property
    def con(self):
        """The DuckDB connection with the view `src` (opened on first use for a Parquet
        file that Arrow reads whole: a connection costs tens of milliseconds)."""
        if self._con is None:
            self._con = self._connect()
        return self._con

    @classmethod
    def _open_parquet_lazily(cls, path, name, head) -> "Source | None":
        schema = arrowread.parquet_schema(path)
        if schema is None:
            return None

        def connect():
            import duckdb
            con = duckdb.connect(config=_config())
            con.execute(f"CREATE VIEW src AS SELECT * FROM read_parquet({lit(path)})")
            return con

        src = cls(None, name, "parquet", {}, [], None, 0, schema)
        src._connect = connect
        src.path = path
        src.head_bytes = len(head)
        src.head_lines = head.count(b"\n")
        return src

    # -- opening -----------------------------------------------------------------------
    @classmethod
    def open(cls, path, options: ReadOptions | None = None, cancel=None, name: str | None = None) -> "Source":
        """Open `path` (see module docstring); FileFormatError/OptionError/Cancelled."""
        import duckdb

        opts = (options or ReadOptions()).checked()
        path = os.fspath(path)
        name = name or os.path.basename(path)
        head, gz = detect.head_bytes(path, name)
        if not head.strip(b" \t\r\n\xef\xbb\xbf"):
            raise FileFormatError(f"cannot read {name}: the file is empty")
        fmt = opts.format or detect.detect_format(head, name)
        if fmt == "parquet" and not opts.where:
            src = cls._open_parquet_lazily(path, name, head)
            if src is not None:
                if len(src.columns) > MAX_COLUMNS:
                    raise FileFormatError(f"cannot read {name}: it has {len(src.columns):,} columns; "
                                          f"the limit is {MAX_COLUMNS:,}")
                return src
        con = duckdb.connect(config=_config())
        tmpdir = None
        try:
            warnings: list[str] = []
            header_lines = 1
            retype = None
            known = None
            plan = None
            read_path = path
            with _Interrupter(con, cancel):
                if fmt in ("xlsx", "xls", "ods"):
                    from somdesk.io.tables.spreadsheet import sheet_to_csv
                    tmpdir = tempfile.mkdtemp(prefix="somdesk-table-")
                    csv_path, dialect = sheet_to_csv(path, name, fmt, opts, tmpdir, cancel)
                    header = opts.header if opts.header is not None else True
                    con.execute(f"CREATE VIEW raw AS SELECT * FROM read_csv({lit(csv_path)}, delim=',', "
                                f"quote='\"', escape='\"', header={header}, skip={opts.skip or 0}, "
                                f"nullstr={_nullstr(opts)}, sample_size=-1)")
                    header_lines = (opts.skip or 0) + int(header)
                elif fmt == "parquet":
                    con.execute(f"CREATE VIEW raw AS SELECT * FROM read_parquet({lit(path)})")
                    dialect = {}
                    header_lines = 0
                elif fmt == "json":
                    con.execute(f"CREATE VIEW raw AS SELECT * FROM read_json({lit(path)}, format='auto')")
                    dialect = {"json_format": "auto"}
                    header_lines = 0
                else:
                    (read_path, dialect, header_lines, tmpdir, retype, known,
                     plan) = _open_text(con, path, name, head, gz, opts, warnings, cancel)
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
                    con.execute("CREATE VIEW src AS SELECT * FROM raw")
            src = cls(con, name, fmt, dialect, warnings, tmpdir, header_lines,
                      None if known is None or opts.where else known[:2])
            if len(src.columns) > MAX_COLUMNS:
                raise FileFormatError(f"cannot read {name}: it has {len(src.columns):,} columns; "
                                      f"the limit is {MAX_COLUMNS:,}")
            src.numbered = bool(opts.where)
            src._retype = retype
            src._create_view = None if known is None else known[2].get("create")
            src.path = read_path
            src._csv_plan = plan
            src.size_bytes = os.path.getsize(read_path) if fmt == "csv" else None
            src.head_bytes = len(head)
            src.head_lines = head.count(b"\n")
            return src
        except (FileFormatError, OptionError, Cancelled):
            con.close()
            _rmtree(tmpdir)
            raise
        except duckdb.Error as exc:
            con.close()
            _rmtree(tmpdir)
            raise FileFormatError(f"cannot read {name}: {_duck_message(exc)}") from None
        except (OSError, UnicodeError, ValueError) as exc:
            con.close()
            _rmtree(tmpdir)
            raise FileFormatError(f"cannot read {name}: {exc}") from None

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

        for _ in range(len(self.columns) + 1):
            try:
                with _Interrupter(self.con, cancel):
                    self._ensure_view()
                    if arrow:
                        return self.con.sql(sql).to_arrow_table()
                    return self.con.execute(sql).fetchnumpy()
            except duckdb.InterruptException:
                raise Cancelled("stopped") from None
            except duckdb.ConversionException as exc:
                m = re.search(r'column "?([^"\n]+?)"?[.\n ]', str(exc))
                col = m.group(1) if m else None
                if self._retype is None or col not in self.columns or col in self._types_override:
                    raise FileFormatError(f"cannot {what} {self.name}: {_duck_message(exc)}") from None
                self._types_override[col] = "VARCHAR"
                self._retype(self._types_override)
                self.types[self.columns.index(col)] = "VARCHAR"
            except duckdb.Error as exc:
                raise FileFormatError(f"cannot {what} {self.name}: {_duck_message(exc)}") from None
        raise FileFormatError(f"cannot {what} {self.name}: the column types keep changing")

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
            n = arrowread.parquet_rows(self.path)
            if n is not None:
                return n
        return int(self.scalar("SELECT count(*) FROM src", cancel))

    def read_all(self, cancel=None) -> Fetched:
        """Every row, file order (with `__somdesk_row` first when filtered): Arrow's own
        readers for a plain text or Parquet file when possible, else one engine query."""
        if not self.numbered and not self._types_override:
            got = None
            if self.format == "parquet":
                got = arrowread.read_parquet(self.path, self.columns, cancel)
            elif self._csv_plan is not None:
                got = arrowread.read_csv(self._csv_plan, cancel)
            if got is not None:
                return Fetched.from_arrow(got)
        if self.numbered:
            return self.fetch(f"SELECT * FROM {self.row_numbers_sql()}", cancel)
        return self.fetch(f"SELECT {', '.join(q(c) for c in self.columns)} FROM src", cancel)

    def may_exceed(self, rows: int) -> bool:
        """True unless the file is clearly smaller than `rows` rows (from its size and the
        bytes per line of its first 256 KiB; compressed and spreadsheet files: by size only)."""
        if self.size_bytes is None or self.head_lines <= 0:
            return True
        factor = 8.0 if self.dialect.get("gzip") else 1.0
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

    def close(self) -> None:
        try:
            if self._con is not None:
                self._con.close()
        finally:
            for d in [self._tmpdir] + self._owned:
                _rmtree(d)
            self._tmpdir = None
            self._owned = []


def _config() -> dict:
    return {"threads": max(1, min(4, os.cpu_count() or 1))}


def _rmtree(d):
    if d:
        shutil.rmtree(d, ignore_errors=True)


def _null_tokens(opts: ReadOptions) -> list[str]:
    tokens = set()
    for t in opts.missing_tokens:
        tokens.update({t, t.upper(), t.title(), t.lower()})
    return sorted(tokens)


def _nullstr(opts: ReadOptions) -> str:
    return "[" + ", ".join(lit(t) for t in _null_tokens(opts)) + "]"


def _sniff(con, path: str, skip: int, opts: ReadOptions, header, delim, no_quotes: bool = False) -> tuple:
    args = [f"skip={skip}"]
    if delim:
        args.append(f"delim={lit(delim)}")
    if no_quotes:
        # no quote character in the head: the standard '"' dialect is DuckDB's default
        # anyway, and naming it spares the sniffer its quote/escape search (on 10,000
        # columns 0.3 s instead of 2 s)
        args.append("quote='\"', escape='\"'")
    if header is not None:
        args.append(f"header={header}")
    import duckdb
    sql = "SELECT Delimiter, Quote, Escape, HasHeader, Columns FROM sniff_csv({}, {}, sample_size=20480{})"
    try:
        return con.execute(sql.format(lit(path), ", ".join(args), "")).fetchone()
    except duckdb.Error:
        # a ragged or broken line: sniff leniently here; the strict read then names the line
        return con.execute(sql.format(lit(path), ", ".join(args), ", ignore_errors=true")).fetchone()


def _open_text(con, path, name, head, gz, opts: ReadOptions, warnings, cancel):
    """Create the view `raw` over a delimited text file; return (path, dialect, header lines,
    tmpdir, retype, known, plan).  In the plain case (`known` is not None: no number
    conversion) the view is not created here but by `known[2]["create"]` when first
    needed -- binding read_csv over 10,000 columns takes seconds, and a whole-file read
    through Arrow (`plan`) does not need it."""
    text, encoding, enc_warnings = detect.head_text(head, name, opts.encoding)
    warnings.extend(enc_warnings)
    tmpdir = None
    if encoding not in ("utf-8", "ascii") or head[:3] == b"\xef\xbb\xbf" and gz:
        tmpdir = tempfile.mkdtemp(prefix="somdesk-table-")
        path = _transcode(path, name, encoding, gz, tmpdir, cancel)
    missing = opts.missing_tokens

    def delim_guess(skip):
        return opts.delimiter or detect.guess_delimiter(text, skip) or ","

    hints = detect.text_hints(text, delim_guess, missing)
    skip = opts.skip if opts.skip is not None else hints.skip
    header = opts.header if opts.header is not None else hints.header
    decimal = opts.decimal or hints.decimal or "."
    thousands = opts.thousands if opts.thousands is not None else (hints.thousands or "")
    import duckdb
    try:
        guess = opts.delimiter or detect.guess_delimiter(text, skip)
        no_quotes = '"' not in text and "'" not in text and "\\" not in text
        delim, quote, escape, has_header, columns = _sniff(con, path, skip, opts, header, guess, no_quotes)
        if no_quotes:
            quote = escape = "(empty)"           # as the sniffer reports a file without quotes
    except duckdb.Error as exc:
        raise FileFormatError(f"cannot read {name}: {_duck_message(exc)}") from None
    if header is None:
        header = bool(has_header)
    comment = opts.comment or ""
    if header:
        body = [ln for ln in detect._lines(text)[skip:] if ln.strip()]
        cells = [c.strip() for c in detect._split(body[0], delim)] if body else []
        if any(not c for c in cells):
            warnings.append(f"{sum(not c for c in cells)} column(s) had no name and were named by position")
        if len(set(cells)) < len(cells):
            warnings.append("duplicate column names were made unique (a second 'x' becomes 'x_1')")
    custom_numbers = decimal != "." or thousands != ""
    names = [c["name"] for c in columns]
    ctypes = ["VARCHAR" if custom_numbers else c["type"] for c in columns]
    # the sniffed names and types are given back explicitly, so DuckDB does not sniff
    # again each time a query binds the view (seconds on a 10,000-column file)
    args = [f"delim={lit(delim)}", f"header={header}", f"skip={skip}", f"nullstr={_nullstr(opts)}",
            "auto_detect=false"]
    if quote and quote != "(empty)":
        args.append(f"quote={lit(quote)}")
    if escape and escape != "(empty)":
        args.append(f"escape={lit(escape)}")
    if comment:
        args.append(f"comment={lit(comment)}")
    dialect = {"delimiter": delim, "quote": None if quote in (None, "(empty)") else quote,
               "header": header, "skip": skip, "decimal": decimal, "thousands": thousands,
               "encoding": encoding, "comment": comment or None, "gzip": gz}
    if hints.metadata is not None:
        dialect["metadata"] = hints.metadata
    if hints.comment_lines:
        dialect["comment_lines"] = hints.comment_lines
    # the plain case (no filter, default numbers) creates `src` directly and only when a
    # query needs it; a retype then replaces that view
    view = {"name": "raw" if opts.where or custom_numbers else "src"}
    view["create"] = lambda: _recreate(con, path, args, names, ctypes, view["name"])
    retype = None if custom_numbers else (
        lambda override: _recreate(con, path, args, names, [override.get(n, t) for n, t in zip(names, ctypes)],
                                   view["name"]))
    if view["name"] == "raw":
        view.pop("create")()
    if custom_numbers:
        _convert_numbers(con, decimal, thousands, cancel)
    known = None if custom_numbers else (names, ctypes, view)
    lines = detect._lines(text)
    plan = None
    if (not custom_numbers and not comment and not opts.where and quote in (None, "(empty)", '"')
            and escape in (None, "(empty)", '"') and encoding in ("utf-8", "ascii")
            and all(ln.strip() and '"' not in ln for ln in lines[:skip + int(header)])):
        plan = {"path": path, "gzip": gz and tmpdir is None, "delimiter": delim, "header": header, "skip": skip,
                "names": names, "types": ctypes, "nulls": _null_tokens(opts), "one_column": len(names) == 1,
                "quoted": True}
    return path, dialect, skip + int(header), tmpdir, retype, known, plan


def _recreate(con, path, args, names, types, view: str = "raw") -> None:
    cols = ", ".join(f"{lit(n)}: {lit(t)}" for n, t in zip(names, types))
    con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM read_csv({lit(path)}, {', '.join(args)}, "
                f"columns={{{cols}}})")


def _number_pattern(decimal: str, thousands: str) -> str:
    d = re.escape(decimal)
    if thousands:
        t = re.escape(thousands)
        ip = rf"(\d+|\d{{1,3}}({t}\d{{3}})+)"
    else:
        ip = r"\d+"
    return rf"^\s*[+-]?({ip}({d}\d*)?|{d}\d+)([eE][+-]?\d+)?\s*$"


def _convert_numbers(con, decimal: str, thousands: str, cancel) -> None:
    """Replace `raw` by a view where every column whose texts are all numbers (in this
    locale's strict form) is DOUBLE; others stay text.  One pass over the file."""
    cols = [r[0] for r in con.execute("DESCRIBE SELECT * FROM raw").fetchall()]
    pat = lit(_number_pattern(decimal, thousands))
    checks = ", ".join(f"bool_and({q(c)} IS NULL OR regexp_full_match({q(c)}, {pat})) AND count({q(c)}) > 0"
                       for c in cols)
    with _Interrupter(con, cancel):
        ok = con.execute(f"SELECT {checks} FROM raw").fetchone()
    parts = []
    for c, good in zip(cols, ok):
        if good:
            e = f"trim({q(c)})"
            if thousands:
                e = f"replace({e}, {lit(thousands)}, '')"
            if decimal != ".":
                e = f"replace({e}, {lit(decimal)}, '.')"
            parts.append(f"CAST({e} AS DOUBLE) AS {q(c)}")
        else:
            parts.append(q(c))
    con.execute("ALTER VIEW raw RENAME TO raw_text")
    con.execute(f"CREATE VIEW raw AS SELECT {', '.join(parts)} FROM raw_text")


def _transcode(path, name, encoding, gz, tmpdir, cancel) -> str:
    out = os.path.join(tmpdir, "utf8.csv")
    try:
        with detect.decoded_stream(path, encoding, gz) as src, open(out, "w", encoding="utf-8", newline="") as dst:
            while True:
                cancel_mod.check(cancel)
                block = src.read(1 << 20)
                if not block:
                    break
                dst.write(block.lstrip("\ufeff") if dst.tell() == 0 else block)
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"cannot read {name}: it is not valid {encoding} text ({exc.reason})") from None
    return out
