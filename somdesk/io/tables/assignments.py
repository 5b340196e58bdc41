"""Row assignments written to disk (the data model lives in somdesk.core.clustering)."""
from __future__ import annotations

import csv
import os

from somdesk.core.clustering import Assignments
from somdesk.io.atomic import atomic_open
from somdesk.io.names import utf8_name

__all__ = ["write_assignments_csv", "write_scores", "write_parquet", "score_line", "SCORE_COLUMNS", "SCORE_SUFFIXES", "FILE_COLUMN"]


def write_assignments_csv(path: str | os.PathLike, assignments: Assignments) -> None:
    """Write `row,node_row,node_col,cluster[,label]` atomically (UTF-8, comma, header line).

    `row` is the data-row number in the source file, 0 = first row after the
    header (the index pandas gives it); `cluster` is empty when none was given.
    """
    has_labels = assignments.labels is not None
    with atomic_open(path, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["row", "node_row", "node_col", "cluster"] + (["label"] if has_labels else []))
        for rec in assignments:
            row, r, c, k = rec[:4]
            line = [row, r, c, "" if k < 0 else k]
            if has_labels:
                line.append("" if rec[4] is None else rec[4])
            out.writerow(line)


# the first six are the contract of every scores file; `present` (placing columns with a value,
# tester8 #3) came later, so it comes after them
# the names a scores file may have: CSV, or Parquet (the CLI's --out and the window's Score new data)
SCORE_SUFFIXES = (".csv", ".parquet", ".pq")
SCORE_COLUMNS = ("row", "bmu_row", "bmu_col", "segment", "distance", "outlier", "present")
FILE_COLUMN = "file"        # after SCORE_COLUMNS when a glob was scored: the file each row came from


def score_line(rows, a: dict, i: int) -> list:
    """Row `i` of a block (`write_scores`) as the CSV cells of SCORE_COLUMNS."""
    dist = a["distance"][i]
    return [int(rows[i]), int(a["bmu_row"][i]), int(a["bmu_col"][i]), int(a["segment"][i]),
            "" if dist != dist else repr(float(dist)), "true" if a["outlier"][i] else "false",
            int(a["present"][i])]


def write_scores(path: str | os.PathLike, blocks, cancel=None, files: bool = False) -> int:
    """Write per-row scores to CSV or Parquet (by the name's extension), atomically.

    `blocks` yields (row_index (B,), {"bmu_row", "bmu_col", "segment", "distance",
    "outlier", "present"} (B,) arrays); columns are SCORE_COLUMNS (`row` = row number in the
    scored file, 0 = first data row -- of a glob: counted on through its files in sorted order;
    `distance` the Euclidean distance to the BMU in training units, for a row with missing
    values measured over its present values and scaled to the whole row
    (session.table_assign.row_distances), empty when the row had no usable value; `outlier`
    true/false; `present` how many of the map's placing columns the row has a value in).
    With `files` (a glob was scored) each block
    also holds "file" (B,) str and the last column, FILE_COLUMN, names the row's file.
    Returns the number of rows.

    Both formats are written block by block into io.atomic's temporary file beside `path`
    (never $TMPDIR, never the whole result in memory): a full disk or `ulimit -f` is one
    SomdeskError "cannot write PATH: ..." and leaves no file (testerC #1).  Parquet goes
    through pyarrow's ParquetWriter, or DuckDB when pyarrow is absent (write_parquet).
    """
    from somdesk.core import cancel as cancel_mod

    fspath = os.fspath(path)
    n = 0

    def checked():
        nonlocal n
        for rows, a in blocks:
            cancel_mod.check(cancel)
            yield rows, a
            n += len(rows)

    if fspath.lower().endswith(SCORE_SUFFIXES[1:]):
        write_parquet(fspath, ({"row": rows, **{k: a[k] for k in SCORE_COLUMNS[1:]},
                                **({FILE_COLUMN: a[FILE_COLUMN]} if files else {})} for rows, a in checked()),
                      files=files)
        return n
    with atomic_open(fspath, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(SCORE_COLUMNS + ((FILE_COLUMN,) if files else ()))
        for rows, a in checked():
            names = a[FILE_COLUMN] if files else None
            for i in range(len(rows)):
                line = score_line(rows, a, i)
                if files:
                    line.append(utf8_name(names[i]))
                out.writerow(line)
    return n


# the Parquet types of SCORE_COLUMNS (and FILE_COLUMN): one schema for every scores file
_PARQUET_TYPES = {"row": "int64", "bmu_row": "int32", "bmu_col": "int32", "segment": "int32", "distance": "float64",
                  "outlier": "bool", "present": "int32", FILE_COLUMN: "string"}
_DUCK_TYPES = {"int64": "BIGINT", "int32": "INTEGER", "float64": "DOUBLE", "bool": "BOOLEAN", "string": "VARCHAR"}


def write_parquet(path: str, blocks, files: bool = False) -> None:
    """Write the score blocks `blocks` (dicts of SCORE_COLUMNS (+ FILE_COLUMN with `files`) ->
    (B,) arrays) as one Parquet file at `path`, atomically and streamed: each block is a row
    group written into io.atomic's temporary file beside `path`, so memory holds one block.
    SomdeskError "cannot write PATH: REASON" when the file cannot be written (disk full, `ulimit
    -f`, permission); nothing is left at `path` then (a previous file stays as it was).

    Without pyarrow (the desktop bundle leaves it out) DuckDB collects the blocks in its
    database (spilled to disk past memory) and COPYs them into the temporary file by name."""
    names = list(SCORE_COLUMNS) + ([FILE_COLUMN] if files else [])
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        pa = None
    if pa is None:
        _write_parquet_duckdb(path, blocks, names)
        return
    schema = pa.schema([(c, _PARQUET_TYPES[c]) for c in names])
    with atomic_open(path, "wb") as f:
        writer = pq.ParquetWriter(f, schema)
        try:
            wrote = False
            for block in blocks:
                cols = [_arrow_column(pa, block[c], schema.field(c).type) for c in names]
                writer.write_batch(pa.record_batch(cols, schema=schema))
                wrote = True
            if not wrote:       # no rows: still a file with the columns
                writer.write_table(schema.empty_table())
        finally:
            writer.close()      # the footer; an OSError from it is the write's (atomic_open says so)


def _arrow_column(pa, values, typ):
    import numpy as np

    if pa.types.is_string(typ):
        return pa.array([utf8_name(v) for v in values], type=typ)
    arr = np.asarray(values)
    if pa.types.is_floating(typ):
        return pa.array(arr.astype(np.float64), type=typ, from_pandas=True)   # NaN -> null, as CSV's ""
    return pa.array(arr.astype(typ.to_pandas_dtype()), type=typ)


def _write_parquet_duckdb(path: str, blocks, names: list) -> None:
    """write_parquet's way without pyarrow: the blocks inserted into a DuckDB table, COPYed into
    io.atomic's temporary file beside `path` (atomic_path)."""
    import numpy as np

    from somdesk.errors import SomdeskError
    from somdesk.io.atomic import atomic_path
    from somdesk.io.names import display_name
    from somdesk.io.tables.duckutil import connect, duck_message, lit, q, stop_for

    cols = ", ".join(f"{q(c)} {_DUCK_TYPES[_PARQUET_TYPES[c]]}" for c in names)
    with connect() as con:
        con.execute(f"CREATE TABLE scores ({cols})")
        for block in blocks:
            data = {c: (np.array([utf8_name(v) for v in block[c]], dtype=str) if c == FILE_COLUMN else np.asarray(block[c]))
                    for c in names}
            con.register("block", data)
            con.execute("INSERT INTO scores SELECT " + ", ".join(
                f"CASE WHEN isnan({q(c)}) THEN NULL ELSE {q(c)} END" if c == "distance" else q(c)
                for c in names) + " FROM block")
            con.unregister("block")
        with atomic_path(path) as tmp:
            try:
                con.execute(f"COPY scores TO {lit(tmp)} (FORMAT parquet)")
            except Exception as exc:      # duckdb.IOException: a full disk, `ulimit -f`
                stop = stop_for(exc)
                if stop is not None:
                    raise stop from None
                raise SomdeskError(f"cannot write {display_name(path)}: {duck_message(exc)}") from None

