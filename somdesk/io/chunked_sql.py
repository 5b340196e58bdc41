"""The DuckDB side of reading tables in chunks (io.chunked): which files, how DuckDB reads them,
and the SQL expressions of their cells.

    files = expand("events/*.csv")                       # the files of a path or glob, sorted
    src = reader_sql(files, text_dialect=sniffed_dialect(files), missing=("-999",))   # a table function
    con = engine_connection()                            # a connection with bounded memory

Text files are read with the in-memory reader's missing-value texts and (for an all-text read of
numbers written with a decimal comma or digit groups) the dialect somdesk sniffs; Parquet in place;
JSON typed from every record.  Split from io.chunked; import these names from here (SQL quoting:
io.tables.duckutil.q and lit).
"""
from __future__ import annotations

import functools
import glob
import os
import shutil
from typing import NamedTuple

from somdesk.core.options import count_text
from somdesk.errors import FileFormatError, SomdeskError
from somdesk.io.tables.duckutil import lit, q

DEFAULT_CHUNK_ROWS = 262_144
ENGINE_MEMORY = "512MB"
PARQUET_SUFFIXES = (".parquet", ".parq", ".pq")
STAGED_SUFFIXES = (".csv", ".tsv", ".txt", ".gz", ".json", ".ndjson", ".jsonl")

Partition = tuple[str, int, int]   # (parquet file, first row, end row) within that file


# How many files' heads (and formats) are kept, by version.  More than any glob read at once: the
# steps of one open each walk the whole glob in order, and a cache smaller than the glob keeps none
# of it (least recently used goes first) -- at 256, a glob of 300 small CSVs sniffed each head 37
# times and took 60-80 s to open (glob14).  An entry is small (the head's text is not kept).
HEADS_KEPT = 65_536


class CodedColumn(str):
    """A text column read as numbers: the 0-based position of each value in `categories`,
    -1 for another value, NaN where missing (NULL or "").  It is its column's name (a str),
    so it travels in a partition's column list to Dask workers like any other column."""

    categories: tuple

    def __new__(cls, name: str, categories):
        obj = super().__new__(cls, name)
        obj.categories = tuple(str(c) for c in categories)
        return obj

    def __reduce__(self):
        return CodedColumn, (str(self), self.categories)


def text_expr(name: str) -> str:
    """SQL: the column as text, NULL where missing ("" is missing too, as in memory)."""
    return f"nullif(CAST({q(name)} AS VARCHAR), '')"


def select_expr(c: str) -> str:
    """SQL select item: column `c` as DOUBLE, or a CodedColumn's category positions (-1: another
    value, NULL where missing), named as the column."""
    if isinstance(c, CodedColumn):
        listed = "[" + ", ".join(lit(x) for x in c.categories) + "]::VARCHAR[]"
        v = text_expr(c)
        return (f"CASE WHEN {v} IS NULL THEN NULL ELSE coalesce(list_position({listed}, {v}), 0) - 1 END::DOUBLE "
                f"AS {q(c)}")
    return f"CAST({q(c)} AS DOUBLE) AS {q(c)}"


def engine_connection():
    """A DuckDB connection with bounded memory (ENGINE_MEMORY) that keeps rows in file order; its
    caller closes it.  SomdeskError when duckdb is not installed."""
    try:
        from somdesk.io.tables.duckutil import connect
        # ENGINE_MEMORY, or less when this process may take less (a `ulimit -v` cap, a busy
        # machine: connect's duckutil.fitted); closed by its caller (`with engine_connection()
        # as con`), else by duckutil.close_all
        return connect({"memory_limit": ENGINE_MEMORY, "preserve_insertion_order": True})
    except ImportError as exc:  # pragma: no cover - duckdb is a dependency
        raise SomdeskError(f"the table engine (duckdb) is not installed: {exc}") from None


def is_pattern(path: str) -> bool:
    """Is `path` a glob (it has *, ? or [) rather than one file's name?"""
    return any(ch in path for ch in "*?[")


def expand(pattern: str | os.PathLike) -> list[str]:
    """The files a path or glob names, sorted (one order everywhere); errors if none."""
    pattern = os.fspath(pattern)
    if is_pattern(pattern):
        files = sorted(p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p))
    else:
        if os.path.isdir(pattern):
            raise FileFormatError(f"{pattern} is a folder; give a file or a glob such as {pattern}/*.parquet")
        if not os.path.exists(pattern):
            raise FileFormatError(f"{pattern}: no such file")
        files = [pattern]
    if not files:
        raise FileFormatError(f"no files match {pattern}")
    return files


def engine_files(files: list[str]) -> tuple[list[str], dict, str | None]:
    """(the files as DuckDB can open them, {link: the file's own name}, the links' folder or None).
    A name that is not UTF-8 is read through an ASCII symbolic link (io.tables.duckutil.engine_path;
    tester7 #20): DuckDB failed on it with "Python Conversion Failure"."""
    from somdesk.io.tables.duckutil import engine_path

    out, shown, folder = [], {}, None
    try:
        for i, f in enumerate(files):
            name, made = engine_path(f, folder, f"file{i}")
            folder = made or folder
            if name != f:
                shown[name] = f
            out.append(name)
    except FileFormatError:
        if folder is not None:          # not handed to a table: nobody else removes it
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return out, shown, folder


def files_format(files: list[str]) -> str:
    """"parquet", "json" or "csv": how `reader_sql` reads these files (one reader for them all),
    each file's format by its content (`file_format`), as the in-memory reader decides."""
    kinds = {file_format(f) for f in files}
    return kinds.pop() if len(kinds) == 1 and kinds <= {"parquet", "json"} else "csv"


def file_format(path: str) -> str:
    """"parquet", "json" or "csv" of one table file: by its content when it is clearly one of
    them (io.tables.detect.detect_format on its first bytes, unpacked: the in-memory reader's one
    rule, tester13 #8 -- a CSV named .parquet is text, Parquet named .csv is Parquet), by its name
    when the content says nothing, cannot be read (the read then says why) or is another format
    (a spreadsheet: io.chunked_checks refuses it).  Read once per version of the file."""
    try:
        st = os.stat(path)
    except OSError:
        return format_by_name(path)
    return _format_at(path, st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=HEADS_KEPT)
def _format_at(path: str, _mtime_ns: int, _size: int) -> str:
    from somdesk.io.tables.detect import detect_format, head_bytes
    name = os.path.basename(path)
    try:
        fmt = detect_format(head_bytes(path, name)[0], name)
    except (OSError, SomdeskError):
        return format_by_name(path)
    return fmt if fmt in ("parquet", "json", "csv") else format_by_name(path)


def format_by_name(path: str) -> str:
    """"parquet", "json" or "csv" as the name of table file `path` says (.parquet / .pq, .json /
    .ndjson / .jsonl (gz too), anything else text)."""
    low = path.lower()
    if low.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if low.endswith((".json", ".ndjson", ".jsonl", ".json.gz", ".ndjson.gz", ".jsonl.gz")):
        return "json"
    return "csv"


def parquet_reader(files, args: str) -> str:
    """`read_parquet(args)` in a FROM clause, with the columns named as the in-memory reader
    names them (io.tables.arrowread.parquet_columns: duplicates and names that differ only in
    letter case made unique, by position -- when every file stores the same names) and the
    duration columns of `files` (their first file's footer) as DOUBLE seconds -- the rule of the
    in-memory reader (io.tables.arrowread.parquet_durations; review10 #11: chunks read
    microseconds)."""
    from somdesk.io.tables.arrowread import parquet_columns
    from somdesk.io.tables.duckutil import durations_swap, renamed_alias

    cols = parquet_columns(files[0]) if files else None
    if cols is None:
        return f"read_parquet({args})"
    raw, names, per = cols
    alias = renamed_alias(raw, names)
    if alias and any((parquet_columns(f) or (None,))[0] != raw for f in files[1:]):
        # files that store other names are matched by name (union_by_name): DuckDB's own names
        alias, per = "", {c: u for c, u in per.items() if c in raw}
    if not alias and not per:
        return f"read_parquet({args})"
    return f"(SELECT *{durations_swap(per)} FROM read_parquet({args}){alias})"


def reader_sql(files: list[str], filename: str | None = None, text_dialect: str | None = None,
            missing: tuple | None = None, text: tuple = ()) -> str:
    """The DuckDB table function that reads these files (with each row's file in a column
    named `filename`, when given).  `text_dialect` (`sniffed_dialect(files)`, sniffed once by the
    caller: each call here would read every file's head again): every column of a delimited
    text file as text, in that dialect, for numbers written with a decimal comma or digit
    groups, converted by the caller; None: columns typed by DuckDB (but those in `text`, read as text:
    a word past DuckDB's type sample, io.chunked.open).  `missing`: the cell texts that
    mean "no value" in text files (io.tables ReadOptions.missing: they replace the default ones,
    an empty cell is always missing), None: the defaults, as the in-memory reader's."""
    fmt, as_text_columns = files_format(files), text
    listed = "[" + ", ".join(lit(f) for f in files) + "]"
    if filename is not None:
        listed += f", filename={lit(filename)}"
    if fmt == "parquet":
        # by name, as text files: the columns of every file, not the first file's by position
        # (io.chunked_checks refuses a glob whose files lack a column used)
        return parquet_reader(files, f"{listed}, union_by_name=true" if len(files) > 1 else listed)
    # text: the compression from the files' first bytes, not their names (io/tables/compressed.py),
    # when they agree; a glob mixing codecs is left to DuckDB's guess by name
    from somdesk.io.tables import compressed
    codecs = {file_codec(f) for f in files}
    comp = f", {compressed.duck_arg(codecs.pop())}" if len(codecs) == 1 else ""
    if fmt == "json":
        # columns and types from every record, not a sample of the first: a later record with a
        # new key or type failed the whole read (tester8 #10); one more pass over text being staged
        return f"read_json_auto({listed}{comp}, sample_size=-1){_json_alias(files, comp)}"
    # the in-memory reader's missing tokens (NA, n/a, null, ?, -, ...), so both paths see the same cells
    from somdesk.io.tables.options import ReadOptions
    from somdesk.io.tables.textfile import nullstr
    text = ", all_varchar=true" + text_dialect if text_dialect is not None else _head_args(files)
    nulls = nullstr(ReadOptions(missing=tuple(missing) if missing is not None else None))
    if as_text_columns and text_dialect is None:     # typed as numbers from a sample, a word further down
        text += ", types={" + ", ".join(f"{lit(c)}: 'VARCHAR'" for c in as_text_columns) + "}"
    return f"read_csv({listed}, union_by_name=true, nullstr={nulls}{comp}{text}{_renamed(files)})"


def _json_alias(files: list[str], comp: str) -> str:
    """' AS t(...)' naming a JSON read's columns as the in-memory reader does when keys differ
    only in letter case (io.tables.json_names), else ''.  Once per version of the files."""
    try:
        key = tuple((f, st.st_mtime_ns, st.st_size) for f in files for st in [os.stat(f)])
    except OSError:
        return ""                       # the read itself says what is wrong
    return _json_alias_at(key, comp)


@functools.lru_cache(maxsize=256)
def _json_alias_at(key: tuple, comp: str) -> str:
    import duckdb
    from somdesk.io.tables import json_names
    from somdesk.io.tables.duckutil import scratch
    from somdesk.io.tables.header_names import engine_key

    listed = "[" + ", ".join(lit(k[0]) for k in key) + "]"
    reader = f"read_json_auto({listed}{comp}, sample_size=-1)"
    try:
        with scratch() as con:
            # the first records' keys first: only keys that differ in case alone need the full pass
            seen: dict[str, str] = {}
            twins = False
            for (row,) in con.execute(f"SELECT json_keys(json) FROM (SELECT json FROM read_json_objects("
                                      f"{listed}, format='auto'{comp}) LIMIT 20480)").fetchall():
                for k in row or ():
                    twins = twins or seen.setdefault(engine_key(k), k) != k
            if not twins:
                return ""
            names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]
            return json_names.renamed_keys(con, reader, names, every=True)[0]
    except duckdb.Error:
        return ""                       # the read itself names the fault


# A text file up to this size is read again in memory, only for a refusal's words (the line
# number of a ragged row or an unclosed quote).  A few MiB: the in-memory read takes about 7x the
# file in RAM, and the out-of-core reader exists for files that do not fit (review12: at 256 MiB a
# 38 MB file took 5.5 s and 33 -> 286 MB RSS to word its refusal).  Larger files get DuckDB's words.
IN_MEMORY_WORDS_BYTES = 4 << 20


def unreadable(where: str, exc: Exception, files: list[str] | None = None) -> BaseException:
    """The refusal of a file or glob DuckDB cannot read as a table, in the in-memory reader's
    words ("cannot read bad.json: line 5 is not valid JSON (unexpected character)";
    io.tables.duckutil.duck_message: the right line, not DuckDB's count one too high, review10 #16).
    The one place a DuckDB error of the chunked reader becomes our message: no "Conversion Error:"
    or "Invalid Input Error" reaches the user.  `files` (the path or glob's files): a delimited text
    file (up to IN_MEMORY_WORDS_BYTES) the in-memory reader refuses gives its very sentence (a ragged
    line, a quote never closed: DuckDB's sniffer said "Error when sniffing file"), a glob's file
    named; otherwise DuckDB's message in our words.  A FileFormatError to raise -- or Cancelled
    (KeyboardInterrupt) when `exc` is a query interrupted by a stop or a Ctrl+C (duckutil.stop_for):
    no file fault, and no sniffing of what the file is after a stop."""
    from somdesk.io.names import display_basename, display_name
    from somdesk.io.tables.duckutil import duck_message, stop_for

    if (stop := stop_for(exc)) is not None:
        return stop
    # one file by its name, as in memory; a glob as given (its folder says which files)
    name = display_name(where) if is_pattern(where) else display_basename(where)
    words = in_memory_refusal(files) if files else None
    if words is not None:
        return FileFormatError(words)
    text = str(exc)
    if "sniffing file" in text or "sniff" in text.lower() and "dialect" in text.lower():
        return FileFormatError(f"cannot read {name}: its delimiter, quoting and columns could not be made out "
                               "(rows with different numbers of fields, or a quote never closed)")
    return FileFormatError(f"cannot read {name}: {duck_message(exc)}")


def in_memory_refusal(files: list[str]) -> str | None:
    """The in-memory reader's refusal of the first of `files` (delimited text, at most
    IN_MEMORY_WORDS_BYTES) it refuses, None when it reads them all (or they are not text): the
    words of a read that failed in chunks, read again only then."""
    from somdesk.io.tables.table import read_table

    if files_format(files) != "csv":
        return None
    for f in files:
        try:
            if os.path.getsize(f) > IN_MEMORY_WORDS_BYTES:
                continue
            read_table(f).close()
        except FileFormatError as exc:
            return str(exc)
        except Exception as exc:  # noqa: BLE001 - no better words than DuckDB's own
            reraise_stop(exc)
            continue
    return None


def no_rows_message(con, src: str | None, files: list[str], where: str, filtered: bool = False) -> str | None:
    """The in-memory reader's words for a table with no rows ("cannot read h.csv: the file has a
    header line but no data rows", "... no rows match the filter", "... the table has no rows"),
    or None when `src` (a table function on connection `con`; None: known to be empty) has a row."""
    from somdesk.io.names import display_basename, display_name
    if src is not None and con.execute(f"SELECT 1 FROM {src} LIMIT 1").fetchone() is not None:
        return None
    name = display_name(where) if is_pattern(where) else display_basename(where)
    what = ("no rows match the filter" if filtered else
            "the file has a header line but no data rows" if files_format(files) == "csv" and not is_pattern(where)
            else "the table has no rows")
    return f"cannot read {name}: {what}"


def _head_args(files: list[str]) -> str:
    """read_csv arguments for the dialect somdesk sniffs in the files' heads, as the in-memory
    reader sniffs them (io.tables.textfile.sniff_head): the delimiter (DuckDB's own sniffer took a
    ragged file for one column and scored nothing), the encoding when it is not UTF-8 (Latin-1,
    UTF-16: DuckDB read UTF-8 only), and ', skip=k[, header=false]' for k (maybe 0) lines before the table
    (comments, titles, a scikit-learn metadata line: DuckDB took `150,4,setosa,versicolor,virginica`
    for the header and trained on the class target, review10 #12; with no header DuckDB names the
    columns column0.. as the in-memory read does).  FileFormatError when the files of a glob are
    written differently (`sniffed_dialect`: a glob of `;` and `,` files scored empty rows); '' when
    nothing is sniffed (DuckDB decides)."""
    sniffed_dialect(files)                 # refuses a glob whose files differ
    out = ""
    delimiter = _same_in_every_file(files, _delimiter)
    if delimiter:       # and the standard quote, as the in-memory read: a quote never closed is an error
        out += f", delim={lit(delimiter)}, quote='\"', escape='\"'"
    encoding = _same_in_every_file(files, _encoding)
    if encoding:
        out += f", encoding={lit(encoding)}"
    layout = _same_in_every_file(files, head_layout)
    if layout is None:
        return out
    skip, headerless = layout
    # skip=0 said too, as the in-memory read says it: DuckDB's sniffer skips lines of its own (it read
    # a GIMP palette's colours below its two title lines as a table, review10 #14)
    return out + f", skip={int(skip)}" + (", header=false" if headerless else "")


def _delimiter(path: str) -> str | None:
    sniffed = _sniffed(path)
    return None if sniffed is None else sniffed.delimiter


# the encodings DuckDB's CSV reader decodes itself, by the names io.tables.detect.head_text gives
_DUCK_ENCODINGS = {"iso8859-1": "latin-1", "latin-1": "latin-1", "utf-16": "utf-16"}


def _encoding(path: str) -> str | None:
    """DuckDB's name of the file's encoding when it is not UTF-8 and DuckDB reads it, else None."""
    sniffed = _sniffed(path)
    return None if sniffed is None else _DUCK_ENCODINGS.get(sniffed.encoding.lower())


def foreign_encoding(path: str) -> str | None:
    """The encoding of the text file `path` when DuckDB's CSV reader cannot decode it itself
    (Shift-JIS, GB18030, cp1251...: io.tables.detect.guess_encoding found it), so it is read
    from a UTF-8 copy as in memory; None for UTF-8, Latin-1, UTF-16 and files not text."""
    sniffed = _sniffed(path)
    if sniffed is None:
        return None
    enc = sniffed.encoding.lower()
    return None if enc in ("utf-8", "ascii") or enc in _DUCK_ENCODINGS else sniffed.encoding


class _Head(NamedTuple):
    sniffed: object             # io.tables.textfile.HeadSniff with its text dropped, or None (not text)
    renames: tuple | None       # the header's names when it renamed a duplicate (`_duplicate_renames`)
    said: tuple = ()            # the header's warnings of renamed and blank names (`names_warnings`)


def head_sniff(path: str):
    """io.tables.textfile.sniff_head(path) with default options, read once per version of the
    file (size, modification time) however many steps and files ask: a HeadSniff whose `text`
    is "" (dropped to keep the cache small), or None when the file is not delimited text.
    Raises what sniff_head raises (OSError, FileFormatError for a head that is no table,
    SomdeskError, ValueError), the same each time."""
    st = os.stat(path)
    head, exc = _head_at(path, st.st_mtime_ns, st.st_size)
    if exc is not None:
        raise exc.with_traceback(None)
    return head.sniffed


def _sniffed(path: str):
    """`head_sniff(path)`, None when it cannot be stat'ed or sniffed (the read itself says why)."""
    try:
        return head_sniff(path)
    except (OSError, SomdeskError, ValueError, TypeError):
        return None


@functools.lru_cache(maxsize=HEADS_KEPT)
def _head_at(path: str, _mtime_ns: int, _size: int) -> tuple[_Head | None, Exception | None]:
    """(the head, None) or (None, the exception sniff_head raised, without its traceback: its
    frames hold the head's text)."""
    from dataclasses import replace
    from somdesk.io.tables.textfile import sniff_head
    try:
        sniffed = sniff_head(path)
    except (OSError, SomdeskError, ValueError, TypeError) as exc:
        return None, exc.with_traceback(None)
    if sniffed is None:
        return _Head(None, None), None
    return _Head(replace(sniffed, text=""), *_renames_in(sniffed)), None


def _renames_in(sniffed) -> tuple[tuple | None, tuple]:
    """(the header's names (header_names.unique_names) of a sniffed head when it renamed a
    duplicate, else None; the in-memory reader's warnings of renamed and blank names)."""
    from somdesk.io.tables import detect, header_names
    if not sniffed.delimiter or sniffed.hints.header is False:
        return None, ()
    cells = header_names.header_cells(detect._lines(sniffed.text)[sniffed.skip:], sniffed.delimiter, '"')
    names, renames, unnamed = header_names.unique_names(cells)
    said = [header_names.unnamed_warning(unnamed), header_names.renames_warning(renames, names=cells)]
    return (tuple(names) if renames else None), tuple(w for w in said if w)


def names_warnings(files: list[str]) -> list[str]:
    """The in-memory reader's warnings of the first file's renamed and blank column names (a
    CSV header's, a Parquet file's: io.tables.header_names), [] for JSON and when none."""
    if not files:
        return []
    fmt = file_format(files[0])
    if fmt == "parquet":
        from somdesk.io.tables.engine import parquet_warnings
        return parquet_warnings(files[0])
    if fmt != "csv":
        return []
    try:
        st = os.stat(files[0])
    except OSError:
        return []
    head, _exc = _head_at(files[0], st.st_mtime_ns, st.st_size)
    return list(head.said) if head is not None else []


def head_layout(path: str) -> tuple | None:
    """(lines before the table, no header line) as sniff_head finds them; None when not sniffed."""
    sniffed = _sniffed(path)
    if sniffed is None or not sniffed.delimiter:
        return None
    return int(sniffed.skip or 0), sniffed.hints.header is False


def metadata_line(files: list[str]) -> str | None:
    """The scikit-learn metadata line (`150,4,setosa,...`) every file starts with, as the
    in-memory reader keeps it in its dialect (session.table_columns.metadata_target); None
    when a file has none or they differ."""
    got = set()
    for f in files:
        sniffed = _sniffed(f)
        got.add(sniffed.hints.metadata if sniffed is not None else None)
    return got.pop() if len(got) == 1 else None


def _renamed(files: list[str]) -> str:
    """', names=[...]' when the files' header has duplicate names and every file has that header:
    the in-memory reader's names (io.tables.header_names), not DuckDB's, which may give a
    duplicate a name the file has (tester10 #20); '' otherwise (DuckDB names the columns)."""
    names = _same_in_every_file(files, _duplicate_renames)
    return "" if names is None else ", names=[" + ", ".join(lit(n) for n in names) + "]"


def _same_in_every_file(files: list[str], per_file):
    """`per_file(path)` (a reading of a file's head) when it is the same, and not None, for every
    file of `files`; else None."""
    got = {per_file(f) for f in files}
    return got.pop() if len(got) == 1 and None not in got else None


def _duplicate_renames(path: str) -> tuple | None:
    """The header's names (header_names.unique_names) when it renamed a duplicate, else None."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    head, _exc = _head_at(path, st.st_mtime_ns, st.st_size)
    return None if head is None else head.renames


def sniffed_dialect(files: list[str]) -> str:
    """read_csv arguments for the dialect somdesk sniffs in the files' heads (delimiter, lines
    before the header; io.tables.textfile.sniff_head), for an all-text read: DuckDB's own sniffer
    picks ',' for `x;y` / `11,04;12,465` (two commas, one ';' a line) and finds no header
    (review9 #15).  "" when nothing is sniffed.  FileFormatError when the files of a glob differ
    (delimiter, lines before the header, a header or none, encoding), naming two of them and how
    each is written: read as one table, a `;` file under a `,` glob read as one column and its
    rows were scored empty (fixQ2)."""
    dialects = {}
    for f in files:
        sniffed = _sniffed(f)        # None: the read itself says why
        if sniffed is not None and sniffed.delimiter:
            key = (sniffed.delimiter, sniffed.skip, sniffed.hints.header is False,
                   _DUCK_ENCODINGS.get(sniffed.encoding.lower(), "utf-8"))
            dialects.setdefault(key, f)
    if not dialects:
        return ""
    if len(dialects) > 1:
        from somdesk.io.names import display_basename
        (a, fa), (b, fb) = list(dialects.items())[:2]
        raise FileFormatError(f"the files are written differently: {display_basename(fa)} {_said(a, b)}, "
                              f"{display_basename(fb)} {_said(b, a)}; a glob is read as one table: "
                              "read them apart, or save them alike")
    delim, skip, headerless, enc = next(iter(dialects))
    # a scikit-learn metadata line is skipped and the numbers below it have no header (review10 #12)
    return (f", delim={lit(delim)}, header={'false' if headerless else 'true'}"
            + (f", skip={int(skip)}" if skip else "")
            # a Latin-1 file with a decimal comma was read as UTF-8 and refused ("Invalid unicode")
            + (f", encoding={lit(enc)}" if enc != "utf-8" else ""))


_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", " ": "space"}


def _said(mine: tuple, other: tuple) -> str:
    """How a file of dialect `mine` is written, in what differs from `other` (delimiter, lines
    before the header, header, encoding; `sniffed_dialect`'s keys)."""
    (d, k, headerless, enc), (d2, k2, h2, e2) = mine, other
    parts = []
    if d != d2:
        parts.append(f"uses the delimiter {d!r} ({_DELIMITER_NAMES.get(d, 'another mark')})")
    if k != k2:
        parts.append(f"has {count_text(k, 'line')} before the table")
    if headerless != h2:
        parts.append("has no header line" if headerless else "has a header line")
    if enc != e2:
        parts.append(f"is {enc} text")
    return " and ".join(parts)


def converted_columns(columns, text_columns, number_format: dict, missing: tuple | None = None) -> str:
    """SQL select list: `columns` of an all-text read, the ones not in `text_columns` as numbers
    in `number_format` (what staging writes; a filter is checked against it).  `missing`: as
    `number_expr`'s."""
    text = set(text_columns)
    return ", ".join(q(c) if c in text else number_expr(c, j, number_format, missing) + f" AS {q(c)}"
                     for j, c in enumerate(columns))


def number_expr(column: str, index: int, number_format: dict, missing: tuple | None = None) -> str:
    """SQL: text column `column` (#`index` of the columns) as numbers in `number_format`, NULL
    where the in-memory reader sees no value: an empty cell or a missing-value text (`missing`,
    None for the defaults) in any case and with surrounding spaces ignored (testerI #4: DuckDB's
    nullstr matches ` 0` only as written, so it was the number 0 here and missing in memory)."""
    from somdesk.io.chunked_checks import cell_text
    from somdesk.io.tables.textfile import number_sql
    return number_sql(cell_text(column, missing), number_format["decimal"],
                      number_format.get("thousands") or "", index)


def numeric_missing_words(missing: tuple | None) -> bool:
    """Whether a missing-value text (`missing`, None for the defaults) is a number (`0`, `-999`,
    `0.0`, `inf`; NaN is missing anyway).  DuckDB types a column of such cells as numbers and
    reads ` 0` as 0 before any text rule can see it, so such a column must be read as text
    and converted by `cell_text`'s rule (io.chunked.ChunkedTable.open)."""
    import math

    from somdesk.io.tables.options import ReadOptions
    for t in ReadOptions(missing=tuple(missing) if missing is not None else None).missing_tokens:
        try:
            if not math.isnan(float(t)):
                return True
        except ValueError:
            continue
    return False


def file_codec(path: str) -> str | None:
    """The compression of `path` from its first bytes ("gzip", "zstd": io.tables.compressed), None
    for none or an unreadable file (DuckDB then names it)."""
    from somdesk.io.tables import compressed
    try:
        with open(path, "rb") as f:
            return compressed.codec_of(f.read(4))
    except OSError:
        return None                  # DuckDB names the unreadable file


def is_numeric_type(duck_type: str) -> bool:
    """Is the DuckDB column type `duck_type` ("BIGINT", "DECIMAL(18,3)", ...) a number type?"""
    t = duck_type.upper()
    return any(t.startswith(p) for p in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                                         "USMALLINT", "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE",
                                         "DECIMAL", "REAL"))


def reraise_stop(exc: Exception) -> None:
    """Raise the stop `exc` stands for (duckutil.stop_for) -- a query interrupted by a stop or a
    Ctrl+C -- where a failure would otherwise be passed over (the caller's words stand alone)."""
    from somdesk.io.tables.duckutil import stop_for

    if (stop := stop_for(exc)) is not None:
        raise stop from None
