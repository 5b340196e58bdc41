"""A head of a big table file, for a quick look (the import preview) before the whole read.

    out = head_copy("sales.csv.gz", folder)     # a file of the same name in `folder`, or None

The head is a file of the same name and format that the reader reads like the original:
the first `text_bytes` of a text file, extended to the end of the line they cut (up to
MAX_LINE more bytes, the reader's longest line: a first data row longer than the head is
still in it, tester6 F46) -- unpacked first when it is gzip or zstd, so a compressed file
is never unpacked whole for a preview -- or the first `parquet_rows` rows of a Parquet
file (DuckDB reads only the row groups they are in).  None means "read the file itself":
it is small, a spreadsheet, UTF-16 text, its first lines are longer than the reader
allows, or unreadable (then the reader says what is wrong with it).
"""
from __future__ import annotations

import os

from somdesk.io.tables import compressed

__all__ = ["head_copy", "TEXT_BYTES", "PARQUET_ROWS", "MAX_LINE"]

TEXT_BYTES = 1 << 20          # a text file bigger than this is previewed from its first MiB (unpacked)
MAX_LINE = 2_000_000           # the longest line the text reader takes (DuckDB's max_line_size default)
PARQUET_ROWS = 20_000         # a Parquet file over TEXT_BYTES with more rows is previewed from these
# files whose head is not a table of its own: zip (xlsx/ods), OLE (xls), and the two above
_BINARY_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"PAR1") + tuple(compressed.MAGIC.values())


def head_copy(path: str, folder: str, text_bytes: int | None = None, parquet_rows: int | None = None) -> str | None:
    """Write the head of `path` to `folder`/<its name> and return that path, or None (see
    module docstring).  Never raises for a bad file: the whole read reports it."""
    text_bytes = TEXT_BYTES if text_bytes is None else text_bytes
    parquet_rows = PARQUET_ROWS if parquet_rows is None else parquet_rows
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            head = f.read(text_bytes + MAX_LINE + 1) if os.path.isfile(path) else b""
    except OSError:
        return None
    out = os.path.join(folder, os.path.basename(path))
    if head.startswith(b"PAR1"):
        return _parquet_head(path, out, parquet_rows) if size > text_bytes else None
    codec = compressed.codec_of(head)
    if codec is not None:
        try:
            with compressed.open_stream(path, codec) as f:
                head = compressed.read_up_to(f, text_bytes + MAX_LINE + 1)
        except compressed.ERRORS:
            return None
        # the unpacked size: all of it when the read stopped short, else (more follows) at least one byte more
        size = len(head) if len(head) <= text_bytes + MAX_LINE else len(head) + 1
    if size <= text_bytes or head.startswith(_BINARY_MAGIC) or b"\x00" in head[:4096]:
        return None                       # small, binary or UTF-16: read whole
    start = head.rfind(b"\n", 0, text_bytes) + 1          # the line the head's last byte is in
    end = head.find(b"\n", text_bytes - 1)                 # ... ends here (complete it)
    if end < 0 and len(head) >= size:
        return None                       # that line runs to the end of the file: read whole
    if end >= 0 and end - start <= MAX_LINE:
        cut = end
    elif start > 0 and head.count(b"\n", 0, start) >= 2:
        cut = start - 1                   # a line too long for the reader further down: it reports it
    else:
        return None                       # the first lines are too long: the reader says which
    if cut + 1 >= size:
        return None                       # the head is the whole file
    with open(out, "wb") as f:
        f.write(head[:cut + 1])
    return out


def _parquet_head(path: str, out: str, rows: int) -> str | None:
    import duckdb

    from somdesk.io.tables.duckutil import connect, lit

    try:
        with connect() as con:
            total = con.execute(f"SELECT sum(num_rows) FROM parquet_file_metadata({lit(path)})").fetchone()[0]
            if total is None or total <= rows:
                return None
            from somdesk.io.tables.engine import parquet_select     # durations as seconds, as a whole read
            con.execute(f"COPY ({parquet_select(path)} LIMIT {int(rows)}) TO {lit(out)} (FORMAT parquet)")
    except duckdb.Error:
        return None
    return out
