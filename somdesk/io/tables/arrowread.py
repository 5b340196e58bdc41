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

__all__ = ["available", "parquet_rows", "read_parquet", "read_csv", "ENABLED"]

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
        for g in range(f.num_row_groups):                      # row groups: a cancel point each
            cancel_mod.check(cancel)
            parts.append(f.read_row_group(g, use_threads=True))
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
