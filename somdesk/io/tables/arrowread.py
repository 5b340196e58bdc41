"""Whole-file reads through Arrow's own C++ readers, when pyarrow is installed.

DuckDB stays the engine (sniffing, filters, sampling, every-row blocks, error
messages); this module only speeds up the one step that dominates a plain read --
getting every row of a file into memory:

* Parquet: the file is memory-mapped and its footer parsed once (schema, row count),
  and the columns are read directly by pyarrow.parquet (multi-threaded, no SQL result
  to convert, no copy of the file into a read buffer first).
* Delimited text in the plain case (no filter, no digit groups, UTF-8,
  '"' quotes, sniffed types all numbers or text): pyarrow.csv parses the file with the
  names, types, delimiter, skipped lines and missing-value tokens DuckDB sniffed.  An
  uncompressed file without quotes is memory-mapped and cut at line ends into one piece
  per core, each parsed by its own thread (Arrow's streaming reader alone parses one
  block at a time).  It reads in blocks, so a cancel is honoured between blocks.

Any error (a ragged line, a word in a number column, an unclosed quote, ...) returns
None and the caller reads the file through DuckDB, which gives the one-line message
naming the line -- so errors, types and values are DuckDB's in every case.  Without
pyarrow (the desktop bundle leaves it out) everything goes through DuckDB.
"""
from __future__ import annotations

import functools
import itertools
import os

from somdesk.core import cancel as cancel_mod
from somdesk.errors import Cancelled

__all__ = ["available", "parquet_columns", "parquet_durations", "parquet_file", "parquet_rows", "parquet_schema", "read_parquet", "read_csv",
           "ENABLED"]

# tests switch this off to compare the two paths on the same files
ENABLED = os.environ.get("SOMDESK_ARROW_READ", "1") != "0"

_INT_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER")
_FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")
BLOCK_BYTES = 4 << 20
PIECE_BYTES = 4 << 20        # a text file is cut into pieces of about this size (tests lower it)
MIN_PIECE_BYTES = 1 << 20    # ... but none smaller than this when cut only to use every thread
MAX_PIECES = 256
TAPER = 0.2                  # the last pieces shrink to this fraction of a full one
MAX_THREADS = 8
READ_BYTES = 256 << 20     # Parquet: uncompressed bytes a call reads (a cancel point after each)


def available() -> bool:
    """True when pyarrow (with its CSV and Parquet readers) can be imported."""
    if not ENABLED:
        return False
    try:
        import pyarrow.csv  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except Exception:          # not installed, or a broken build: DuckDB reads everything
        return False
    return True


def parquet_file(path: str):
    """The Parquet file opened by pyarrow (memory-mapped: its pages are decoded straight
    from the page cache, no read into a buffer first -- a third of a plain read's time),
    or None when pyarrow is off or cannot open it.  The footer is parsed once here; the
    schema, the row count and the read all use this one object."""
    if not available():
        return None
    import pyarrow.parquet as pq
    try:
        return pq.ParquetFile(path, memory_map=True)
    except Exception:
        return None


_SECONDS_PER = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}


def parquet_durations(path: str, pf=None) -> dict[str, float]:
    """{column (as read: parquet_columns): units per second} of the Parquet file's duration
    (time difference) columns.

    Parquet has no duration type: Arrow writes one as a plain INT64 and keeps the type (and
    its unit) in its own schema in the footer, so DuckDB reads the stored counts as BIGINT
    (2 s as 2,000,000) while pyarrow reads duration[us], which casts to no number (tester10
    #10: a traceback).  Both read paths turn them into seconds with this (ENABLED or not:
    the footer only); {} when pyarrow cannot be imported (the desktop bundle: DuckDB's
    counts are then read as they are stored, docs/tables.md)."""
    cols = parquet_columns(path, pf)
    return cols[2] if cols is not None else {}


def parquet_columns(path: str, pf=None) -> tuple[list[str], list[str], dict[str, float]] | None:
    """(names as stored, names as read, {name as read: units per second of a duration column})
    of a Parquet file's top-level columns, from its footer; None when pyarrow cannot read it.

    Names as read are io.tables.header_names.unique_names of the stored ones: DuckDB cannot
    hold two names that differ only in ASCII letter case (`yn`, `YN`), and its own renaming of
    duplicates may take a name the file has (`a,a,a_1` -> `a,a_1,a_1_1`); both readers (Arrow's
    and DuckDB's, in memory and in chunks) give the columns these names, by position."""
    try:
        if pf is None:
            st = os.stat(path)
            return _parquet_columns_at(path, st.st_mtime_ns, st.st_size)
        schema = pf.schema_arrow
    except Exception:
        return None
    return _columns_of(schema)


# the lists it returns are shared by every caller of one version: read them, never change them
@functools.lru_cache(maxsize=256)
def _parquet_columns_at(path: str, _mtime_ns: int, _size: int):
    # by version of the file: a chunked read asks once per partition
    try:
        import pyarrow.parquet as pq
        schema = pq.ParquetFile(path).schema_arrow
    except Exception:
        return None
    return _columns_of(schema)


def _columns_of(schema):
    import pyarrow as pa
    from somdesk.io.tables.header_names import unique_names
    raw = [f.name for f in schema]
    names = unique_names(raw, trim=False)[0]
    per = {n: _SECONDS_PER[f.type.unit] for n, f in zip(names, schema) if pa.types.is_duration(f.type)}
    return raw, names, per


def _durations_as_seconds(table, per: dict[str, float]):
    """The pyarrow Table with each duration column of `per` as float64 seconds."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for name, units in per.items():
        i = table.schema.get_field_index(name)
        if i < 0:
            continue
        col = pc.divide(pc.cast(pc.cast(table.column(i), pa.int64()), pa.float64()), units)
        table = table.set_column(i, pa.field(name, pa.float64()), col)
    return table


def parquet_rows(path: str, pf=None) -> int | None:
    """Rows in a Parquet file from its footer, or None if pyarrow cannot tell."""
    pf = pf if pf is not None else parquet_file(path)
    if pf is None:
        return None
    try:
        return int(pf.metadata.num_rows)
    except Exception:
        return None


def _duck_type(t) -> str | None:
    """DuckDB's name for an Arrow type as read_parquet maps it (None: leave it to DuckDB)."""
    import pyarrow as pa
    ints = {8: "TINYINT", 16: "SMALLINT", 32: "INTEGER", 64: "BIGINT"}
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    if pa.types.is_signed_integer(t):
        return ints[t.bit_width]
    if pa.types.is_unsigned_integer(t):
        return "U" + ints[t.bit_width]
    if pa.types.is_float32(t):
        return "FLOAT"
    if pa.types.is_float64(t):
        return "DOUBLE"
    if pa.types.is_decimal(t):
        return f"DECIMAL({t.precision},{t.scale})"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "VARCHAR"
    if pa.types.is_date(t):
        return "DATE"
    if pa.types.is_duration(t):
        return "DOUBLE"         # seconds (parquet_durations), as the engine's view gives them
    return None


def parquet_schema(path: str, pf=None) -> tuple[list[str], list[str]] | None:
    """(column names, DuckDB type names) from a Parquet file's footer, or None when
    DuckDB should describe it (no pyarrow, an unreadable footer, duplicate names,
    timestamps, nested or other types whose mapping DuckDB decides)."""
    pf = pf if pf is not None else parquet_file(path)
    if pf is None:
        return None
    try:
        schema = pf.schema_arrow
    except Exception:
        return None
    names = _columns_of(schema)[1]          # duplicates and case twins renamed (parquet_columns)
    types = [_duck_type(t) for t in schema.types]
    if None in types or not names:
        return None
    return names, types


def read_parquet(path: str, columns: list[str], cancel=None, pf=None):
    """Every row of `columns` (a pyarrow Table in that order), or None to use DuckDB.

    The row groups are read in as few calls as keep a cancel point every READ_BYTES
    (uncompressed): Arrow decodes the column chunks of one call on all its threads, and
    each call ends on a barrier (four groups a call took twice the time of one call)."""
    pf = pf if pf is not None else parquet_file(path)
    if pf is None:
        return None
    import pyarrow as pa
    try:
        raw, names, per = _columns_of(pf.schema_arrow)
        if names != list(columns):                               # not the file's columns: DuckDB
            return None
        md = pf.metadata
        calls, group, size = [], [], 0
        for i in range(pf.num_row_groups):
            group.append(i)
            size += md.row_group(i).total_byte_size
            if size >= READ_BYTES:
                calls.append(group)
                group, size = [], 0
        if group:
            calls.append(group)
        parts = []
        for groups in calls:
            cancel_mod.check(cancel)
            parts.append(pf.read_row_groups(groups, use_threads=True))
        if not parts:
            return None
        table = pa.concat_tables(parts) if len(parts) > 1 else parts[0]
        if names != raw:
            table = table.rename_columns(names)
        return _durations_as_seconds(table, per)
    except Cancelled:
        raise
    except Exception:          # any reason at all: DuckDB reads it and says what is wrong
        return None


def csv_types(types: list[str]):
    """Arrow types for DuckDB's sniffed types, or None if one is not a plain number or text."""
    import pyarrow as pa
    out = []
    for t in types:
        t = t.upper()
        if t in _INT_TYPES or t == "BIGINT":
            out.append(pa.int64())
        elif t in _FLOAT_TYPES:
            out.append(pa.float64())
        elif t == "VARCHAR":
            out.append(pa.string())
        else:
            return None
    return out


def read_csv(plan: dict, cancel=None):
    """Every row of a delimited text file as a pyarrow Table, or None to use DuckDB.

    `plan`: path, codec (compression: None, "gzip", "zstd"), delimiter, header, skip, names, types (DuckDB's), nulls
    (missing-value tokens as given to DuckDB), one_column, tokens_seen.

    A file without a single '"' (none in the head, plan["head_quotes"]; each piece is
    searched by its thread) is cut at line ends into pieces parsed by thread_count()
    threads -- Arrow's streaming reader parses one block at a time, so on two cores this
    halves the wall time.  A file with quotes may hold a newline inside a value, so it
    is read in one stream that knows quotes; a compressed file too.

    Every cell is looked up among the missing-value tokens, a tenth of the parse.  When
    every column is a number column and no token but "" shows in the head
    (plan["tokens_seen"] False), the file is first parsed with "" alone: a token further
    down ("NA", "?") is not a number, the parse fails on it and is done again with every
    token; tokens that are numbers to Arrow ("nan") give NaN both ways.
    """
    if not available():
        return None
    types = csv_types(plan["types"])
    if types is None:
        return None
    attempts = [plan["nulls"]]
    fewer = _number_nulls(plan["nulls"], types)
    if fewer is not None and not plan.get("tokens_seen", True):
        attempts.insert(0, fewer)
    for k, nulls in enumerate(attempts):
        try:
            return _read(plan, types, nulls, cancel)
        except Cancelled:
            raise
        except Exception as exc:    # any reason at all: DuckDB reads it and says what is wrong
            if k + 1 < len(attempts) and "conversion error" in str(exc):
                continue
            return None
    return None


def _number_nulls(nulls: list[str], types) -> list[str] | None:
    """The tokens a parse of number columns needs ("" if it is one), or None when that
    parse could differ: a text column, or a token that is a number other than NaN ("-999")."""
    import pyarrow as pa

    from somdesk.io.tables.textfile import numbers_need_no_tokens
    if any(t != pa.float64() for t in types) or not numbers_need_no_tokens(nulls):
        return None
    return [t for t in nulls if t == ""]


def _read(plan, types, nulls, cancel):
    import mmap

    import pyarrow as pa
    plan = dict(plan, nulls=nulls)
    if plan["codec"]:
        return _read_stream(pa.input_stream(plan["path"], compression=plan["codec"]), plan, types, True, cancel)
    with open(plan["path"], "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return _read_stream(pa.BufferReader(pa.allocate_buffer(0)), plan, types, False, cancel)
        # the quote scans search Python's mapping of the file ...
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    buf = arrow_map = None
    try:
        # ... and the parser reads Arrow's own mapping of it (both the page cache): an Arrow
        # buffer over a Python object (pa.py_buffer(mm), as before) takes the GIL when Arrow
        # frees it, and Arrow may free it on one of its threads after the read returned -- at
        # the interpreter's exit such a thread is ended inside a C++ destructor, and the
        # process aborts (exit status 134; apache/arrow#34314, tester10 #3).  Arrow's own
        # mapping is freed without Python.
        arrow_map = pa.memory_map(plan["path"])
        buf = arrow_map.read_buffer()         # zero-copy view of the mapping
        if len(buf) != len(mm):               # replaced between the two opens: DuckDB reads it
            return None
        if not plan.get("head_quotes", True):
            # no '"' in the head: cut into pieces, each thread looks for one in its own
            # piece before parsing it (a quote further down: read again as one stream)
            cuts = _pieces(mm, plan["skip"] + int(plan["header"]))
            if len(cuts) > 2:
                got = _read_pieces(mm, buf, cuts, plan, types, cancel)
                if got is not _QUOTED:
                    return got
            elif mm.find(b'"') < 0:
                return _read_stream(pa.BufferReader(buf), plan, types, False, cancel)
        return _read_stream(pa.BufferReader(buf), plan, types, True, cancel)
    finally:
        del buf
        if arrow_map is not None:
            arrow_map.close()                 # unmapped when the last Arrow buffer of it is freed
        mm.close()                            # only Python's own scans viewed it


_QUOTED = object()     # _read_pieces: a piece holds a '"'


def thread_count() -> int:
    """Threads that parse a text file's pieces: Arrow's CPU count (tests raise it)."""
    import pyarrow as pa
    return max(1, min(MAX_THREADS, pa.cpu_count()))


def _pieces(mm, skip: int) -> list[int]:
    """Byte offsets cutting the mapped file after a newline into pieces of about
    PIECE_BYTES -- at least one per thread when it has MIN_PIECE_BYTES for each, a
    multiple of the thread count, at most MAX_PIECES -- first 0 and last the size, the
    first piece holding the `skip` lines before the data.

    The pieces are handed to the threads first come, first served: with several per
    thread, a thread that loses its core for a while (another process) does not hold
    up the read by a whole half of the file; the last two per thread shrink to TAPER
    of a full piece (as pandas 3.1's parallel reader cuts them)."""
    size = len(mm)
    threads = thread_count()
    n = -(-size // PIECE_BYTES)
    if n > 1 or size >= 2 * MIN_PIECE_BYTES:
        n = max(n, min(threads, size // MIN_PIECE_BYTES))
        n = min(MAX_PIECES, -(-n // threads) * threads)
    if n < 2:
        return [0, size]
    start = 0
    for _ in range(skip):
        start = mm.find(b"\n", start) + 1
        if start == 0:
            return [0, size]
    # the last pieces shrink (to TAPER of a full one): the read ends when the last piece
    # a thread took is done, so it should end on small ones
    tapered = min(n, 2 * threads) if n > threads and TAPER < 1 else 0
    weights = [1.0] * (n - tapered) + [1 - (1 - TAPER) * (i + 1) / tapered for i in range(tapered)]
    ends = list(itertools.accumulate(weights))
    cuts = [0]
    for k in range(1, n):
        cut = mm.find(b"\n", max(start, cuts[-1], start + int((size - start) * ends[k - 1] / ends[-1]))) + 1
        if cut == 0 or cut >= size:          # no newline left: fewer pieces
            break
        if cut > cuts[-1]:
            cuts.append(cut)
    cuts.append(size)
    return cuts


def _reader(source, plan, types, skip: int, quoted: bool, threads: bool, size: int = 0):
    """Arrow's streaming CSV reader.  `quoted` False: the file holds no '"' at all, so
    quote handling is switched off (a few per cent of the tokenizer) and no value can
    hold a newline.  A piece of `size` bytes is parsed as one block (up to 8 MiB; bigger
    blocks cost more CPU, measured: 1-4 MiB parse fastest): one chunk a column and piece."""
    import pyarrow.csv as pacsv
    names = plan["names"]
    block = max(BLOCK_BYTES, min(size + 1, 8 << 20)) if size > BLOCK_BYTES else BLOCK_BYTES
    return pacsv.open_csv(
        source,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=skip, block_size=block,
                                       use_threads=threads),
        parse_options=pacsv.ParseOptions(delimiter=plan["delimiter"], quote_char='"' if quoted else False,
                                         double_quote=quoted, escape_char=False, newlines_in_values=quoted,
                                         # DuckDB: a blank line is a missing cell only in a one-column file
                                         ignore_empty_lines=not plan["one_column"]),
        convert_options=pacsv.ConvertOptions(column_types=dict(zip(names, types)), null_values=plan["nulls"],
                                             decimal_point=plan.get("decimal", "."),
                                             strings_can_be_null=True, quoted_strings_can_be_null=True,
                                             check_utf8=True))


def _read_stream(source, plan, types, quoted: bool, cancel):
    import pyarrow as pa
    reader = _reader(source, plan, types, plan["skip"] + int(plan["header"]), quoted, True)
    batches = []
    with reader:
        for batch in reader:
            cancel_mod.check(cancel)
            batches.append(batch)
    table = pa.Table.from_batches(batches, schema=reader.schema)
    if quoted and _spans_lines(table):
        # Arrow takes a quote never closed as a value running on to the next '"' or the end of
        # the file, without a word (tester10 #14: half a file in one cell, exit 0; review10 #18: a
        # later quote "closed" it and a row vanished into the cell); DuckDB's strict reader names
        # the line.  A file with real line breaks in its values only costs a DuckDB read.
        raise ValueError("a value spans lines: perhaps a quote never closed")
    return table


def _spans_lines(table) -> bool:
    """Does any text value of the Arrow `table` hold a line break (one vectorised search a
    text column)?"""
    import pyarrow as pa
    import pyarrow.compute as pc

    for col in table.columns:
        if (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)) and \
                pc.any(pc.match_substring_regex(col, "[\r\n]")).as_py():
            return True
    return False


def _read_pieces(mm, buf, cuts, plan, types, cancel):
    """Parse the pieces buf[cuts[k]:cuts[k+1]] on thread_count() threads, each taking
    the next piece when it is done with one (the readers release the GIL while they
    parse); the first error or a cancel stops the others at their next block.  Each
    piece is first searched for a '"' (quote handling is off): if one holds one, the
    others stop and _QUOTED is returned.  When every column is a number column, the
    pieces are not searched (a '"' fails the parse of a number) and each is copied into
    one float64 block by the thread that parsed it (columns.PieceBlock); after an error
    the file is searched once, and a '"' gives _QUOTED."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import pyarrow as pa
    stop = threading.Event()
    quoted = threading.Event()
    n = len(cuts) - 1
    block = None
    if all(t == pa.float64() for t in types):
        from somdesk.io.tables.columns import PieceBlock
        block = PieceBlock(plan["names"], _estimate_rows(mm), n)

    def piece(k):
        if stop.is_set() or (cancel is not None and cancel.cancelled):
            stop.set()
            return None, None
        # a '"' in a number column fails its parse, so number files are searched only then
        if block is None and mm.find(b'"', cuts[k], cuts[k + 1]) >= 0:
            quoted.set()
            stop.set()
            return None, None
        skip = plan["skip"] + int(plan["header"]) if k == 0 else 0
        batches = []
        try:
            size = cuts[k + 1] - cuts[k]
            reader = _reader(pa.BufferReader(buf.slice(cuts[k], size)), plan, types, skip, False, False, size)
            with reader:
                for batch in reader:
                    if stop.is_set() or (cancel is not None and cancel.cancelled):
                        stop.set()
                        return None, None
                    batches.append(batch)
        except BaseException:
            stop.set()
            raise
        if block is not None:
            block.add(k, batches)       # copied into the block now, while in this core's cache
            return None, reader.schema
        return batches, reader.schema

    with ThreadPoolExecutor(min(n, thread_count()), thread_name_prefix="somdesk-csv") as pool:
        futures = [pool.submit(piece, k) for k in range(n)]
        try:
            done = [f.result() for f in futures]
        except Exception:
            if block is None or mm.find(b'"') < 0:
                raise
            quoted.set()                # a quoted number ("1.5") or text in a number file
    cancel_mod.check(cancel)
    if quoted.is_set():
        return _QUOTED
    if stop.is_set():
        return None
    if block is not None:
        return block.finish()
    return pa.Table.from_batches([b for batches, _ in done for b in batches], schema=done[0][1])


def _estimate_rows(mm) -> int:
    """Rows a number block should hold for the mapped file: its size over the mean line
    length of 8 windows of 32 KiB spread over it, plus 3 % (a low guess costs one more
    copy of the block, see columns.PieceBlock)."""
    size = len(mm)
    win = min(size, 32 << 10)
    lines = sum(mm[(size - win) * w // 7:(size - win) * w // 7 + win].count(b"\n") for w in range(8))
    return int(size * max(1, lines) / (8 * max(1, win)) * 1.03) + 64
