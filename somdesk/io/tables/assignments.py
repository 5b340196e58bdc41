"""Row assignments written to disk (the data model lives in somdesk.core.clustering)."""
from __future__ import annotations

import csv
import os

from somdesk.core.clustering import Assignments
from somdesk.io.atomic import atomic_open

__all__ = ["write_assignments_csv"]


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
