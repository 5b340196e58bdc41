"""Which file of a glob each row came from: the `file` column of `somdesk assign`'s scores.

    labels = source_labels(given, engine)       # {name DuckDB reads: name written in the scores}
    names = partition_files(part, labels)       # (n,) object array, one name per row of `part`

A Parquet glob is read in place, so a partition lies in one file and its name is that
file's.  A text glob (CSV, TSV, gzip, NDJSON) is staged into one Parquet file
(io.chunked); staging then keeps each row's file in FILE_COLUMN (DuckDB's `filename`
option), and a partition's names come from it as runs (the staged rows keep the files'
order, so a partition holds one run per file it spans; rows out of that order are still
named one by one).
"""
from __future__ import annotations

import numpy as np

FILE_COLUMN = "__somdesk_file__"      # the staged copy's column naming each row's file


def source_labels(given: list[str], engine: list[str]) -> dict[str, str]:
    """{the name DuckDB reads (a link for a name that is not UTF-8): the file's label}: the name
    as the glob expansion gave it (relative when the pattern was), bytes that are not UTF-8 as
    \\xNN escapes (io.names.utf8_name: the scores are UTF-8)."""
    from somdesk.io.names import utf8_name

    return {e: utf8_name(g) for g, e in zip(given, engine)}


def partition_files(part, labels: dict[str, str]) -> np.ndarray:
    """(n,) object array: the label of the file each row of partition `part` (file, first,
    end) came from; `labels` as `source_labels` gives them (a worker calls this too)."""
    from somdesk.io.chunked_sql import engine_connection
    from somdesk.io.tables.duckutil import lit, q

    file, first, end = part
    n = int(end) - int(first)
    if file in labels:                                   # a Parquet file read in place
        return np.full(n, labels[file], dtype=object)
    src = f"read_parquet({lit(file)}, file_row_number=true)"
    rows = f"file_row_number >= {int(first)} AND file_row_number < {int(end)}"
    col = q(FILE_COLUMN)
    con = engine_connection()
    try:
        runs = con.execute(f"SELECT {col}, min(file_row_number), count(*) FROM {src} WHERE {rows} "
                           f"GROUP BY {col} ORDER BY 2").fetchall()
        starts = [int(r[1]) for r in runs]
        counts = [int(r[2]) for r in runs]
        if starts == list(np.cumsum([int(first)] + counts[:-1])):     # one run per file
            return np.repeat(np.array([labels.get(r[0], r[0]) for r in runs], dtype=object), counts)
        each = con.execute(f"SELECT {col} FROM {src} WHERE {rows} ORDER BY file_row_number").fetchall()
    finally:
        con.close()
    return np.array([labels.get(r[0], r[0]) for r in each], dtype=object)
