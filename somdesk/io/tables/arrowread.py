"""Whole-file reads through Arrow's own C++ readers, when pyarrow is installed.

DuckDB stays the engine (sniffing, filters, sampling, every-row blocks, error
messages); this module only speeds up the one step that dominates a plain read --
getting every row of a file into memory:

* Parquet: the row count comes from the footer (no scan), and the columns are read
  directly by pyarrow.parquet (multi-threaded, no SQL result to convert).
* Delimited text in the plain case (no filter, '.' decimals, no digit groups, UTF-8,
  '"' quotes, sniffed types all numbers or text): pyarrow.csv parses the file with the
  names, types, delimiter, skipped lines and missing-value tokens DuckDB sniffed.  It
  reads in blocks, so a cancel is honoured between blocks.

Any error (a ragged line, a word in a number column, an unclosed quote, ...) returns
None and the caller reads the file through DuckDB, which gives the one-line message
naming the line -- so errors, types and values are DuckDB's in every case.  Without
pyarrow (the desktop bundle leaves it out) everything goes through DuckDB.
"""
from __future__ import annotations

import os

from somdesk.core import cancel as cancel_mod
from somdesk.errors import Cancelled

__all__ = ["available", "parquet_rows", "parquet_schema", "read_parquet", "read_csv", "ENABLED"]

# tests switch this off to compare the two paths on the same files
ENABLED = os.environ.get("SOMDESK_ARROW_READ", "1") != "0"

_INT_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER")
_FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")
BLOCK_BYTES = 4 << 20


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


def parquet_rows(path: str) -> int | None:
    """Rows in a Parquet file from its footer, or None if pyarrow cannot tell."""
    if not available():
        return None
    import pyarrow.parquet as pq
    try:
        return int(pq.ParquetFile(path).metadata.num_rows)
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
    return None


def parquet_schema(path: str) -> tuple[list[str], list[str]] | None:
    """(column names, DuckDB type names) from a Parquet file's footer, or None when
    DuckDB should describe it (no pyarrow, an unreadable footer, duplicate names,
    timestamps, nested or other types whose mapping DuckDB decides)."""
    if not available():
        return None
    import pyarrow.parquet as pq
    try:
        schema = pq.ParquetFile(path).schema_arrow
    except Exception:
        return None
    names = list(schema.names)
    types = [_duck_type(t) for t in schema.types]
    if len(set(names)) != len(names) or None in types or not names:
        return None
    return names, types


def read_parquet(path: str, columns: list[str], cancel=None):
    """Every row of `columns` (a pyarrow Table in that order), or None to use DuckDB."""
    if not available():
        return None
    import pyarrow.parquet as pq
    try:
        f = pq.ParquetFile(path)
        if list(f.schema_arrow.names) != list(columns):       # duplicates renamed, nested: DuckDB
            return None
        parts = []
        groups = list(range(f.num_row_groups))
        for lo in range(0, len(groups), 4):    # four row groups a call: threads busy, a cancel point each
            cancel_mod.check(cancel)
            parts.append(f.read_row_groups(groups[lo:lo + 4], use_threads=True))
        if not parts:
            return None
        import pyarrow as pa
        return pa.concat_tables(parts) if len(parts) > 1 else parts[0]
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

    `plan`: path, gzip, delimiter, header, skip, names, types (DuckDB's), nulls
    (missing-value tokens as given to DuckDB), one_column.
    """
    if not available():
        return None
    import pyarrow as pa
    import pyarrow.csv as pacsv
    types = csv_types(plan["types"])
    if types is None:
        return None
    names = plan["names"]
    try:
        stream = pa.input_stream(plan["path"], compression="gzip" if plan["gzip"] else None)
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=plan["skip"] + int(plan["header"]),
                                           block_size=BLOCK_BYTES, use_threads=True),
            parse_options=pacsv.ParseOptions(delimiter=plan["delimiter"], quote_char='"', double_quote=True,
                                             escape_char=False, newlines_in_values=plan["quoted"],
                                             # DuckDB: a blank line is a missing cell only in a one-column file
                                             ignore_empty_lines=not plan["one_column"]),
            convert_options=pacsv.ConvertOptions(column_types=dict(zip(names, types)), null_values=plan["nulls"],
                                                 strings_can_be_null=True, quoted_strings_can_be_null=True,
                                                 check_utf8=True))
        batches = []
        with reader:
            for batch in reader:
                cancel_mod.check(cancel)
                batches.append(batch)
        return pa.Table.from_batches(batches, schema=reader.schema)
    except Cancelled:
        raise
    except Exception:          # any reason at all: DuckDB reads it and says what is wrong
        return None
