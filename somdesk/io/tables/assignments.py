"""Row assignments written to disk (the data model lives in somdesk.core.clustering)."""
from __future__ import annotations

import csv
import os

from somdesk.core.clustering import Assignments
from somdesk.io.atomic import atomic_open

__all__ = ["write_assignments_csv", "write_scores", "score_line", "SCORE_COLUMNS", "SCORE_SUFFIXES", "FILE_COLUMN"]


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
    Returns the number of rows.  Parquet goes through a temporary CSV read back by DuckDB.
    """
    import shutil
    import tempfile

    from somdesk.core import cancel as cancel_mod

    fspath = os.fspath(path)
    parquet = fspath.lower().endswith(SCORE_SUFFIXES[1:])
    n = 0

    def write_csv(f):
        nonlocal n
        out = csv.writer(f, lineterminator="\n")
        out.writerow(SCORE_COLUMNS + ((FILE_COLUMN,) if files else ()))
        for rows, a in blocks:
            cancel_mod.check(cancel)
            names = a[FILE_COLUMN] if files else None
            for i in range(len(rows)):
                line = score_line(rows, a, i)
                if files:
                    line.append(names[i])
                out.writerow(line)
            n += len(rows)

    if not parquet:
        with atomic_open(fspath, "w", encoding="utf-8", newline="") as f:
            write_csv(f)
        return n
    from somdesk.io.tables.duckutil import connect

    tmp = tempfile.mkdtemp(prefix="somdesk-scores-")
    try:
        csv_path = os.path.join(tmp, "scores.csv")
        with open(csv_path, "w", encoding="utf-8", newline="") as f:
            write_csv(f)
        pq = os.path.join(tmp, "scores.parquet")
        with connect() as con:
            types = "{'row': 'BIGINT', 'bmu_row': 'INTEGER', 'bmu_col': 'INTEGER', 'segment': 'INTEGER', " \
                    "'distance': 'DOUBLE', 'outlier': 'BOOLEAN', 'present': 'INTEGER'" + \
                    (f", '{FILE_COLUMN}': 'VARCHAR'}}" if files else "}")
            con.execute(f"COPY (SELECT * FROM read_csv('{csv_path}', header=true, columns={types})) "
                        f"TO '{pq}' (FORMAT parquet)")
        with open(pq, "rb") as f:
            data = f.read()
        from somdesk.io.atomic import atomic_write_bytes
        atomic_write_bytes(fspath, data)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return n
