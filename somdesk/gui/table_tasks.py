"""The table workflow's long steps, as generators for the window's one TaskRunner (gui/tasks.py).

    train_task(table, spec, token)          train_table_map, assign the rows in memory, profiles
    recluster_task(tm, table, k, token)     the codebook clustered again (k None: suggested)
    score_task(tm, data_path, out_path, token)   every row of a file scored into .csv/.parquet

Progress from inside a blocking headless call is handed to the running worker with
`tasks.current().offer(...)` (latest wins), so the window's progress line moves.
"""
from __future__ import annotations

import numpy as np

__all__ = ["train_task", "recluster_task", "map_task", "score_task", "row_cells"]


def row_cells(tm, table) -> dict:
    """The recipe's columns of the rows in memory, as assign_cells takes them."""
    from somdesk.session.table_data import _texts

    r = tm.recipe
    return {c: (table.cells(c) if k == "numeric" else _texts(table.cells(c))) for c, k in zip(r.columns, r.kinds)}


def _offer(value) -> None:
    from somdesk.gui import tasks

    worker = tasks.current()
    if worker is not None:
        worker.offer(value)


def train_task(table, spec, token):
    """Generator for the runner: train, assign the rows in memory, profile; returns a dict."""
    from somdesk.session import Progress
    from somdesk.session.report import table_profiles
    from somdesk.session.table_data import assign_cells, train_table_map

    yield Progress("segment", 0, 1, "epochs")
    tm, _prep = train_table_map(table, spec, cancel=token,
                                progress=lambda d, t: _offer(Progress("segment", d, t, "epochs")))
    yield Progress("segment", 1, 1, "assigning rows")
    assigned = assign_cells(tm, row_cells(tm, table), token)
    prof = table_profiles(tm, table, token)
    return {"tm": tm, "assigned": assigned, "profiles": prof}


def map_task(tm, table, token):
    """Generator: a saved table map shown with the rows of `table` (None: the map alone, hits
    from the training rows the map keeps); returns the dict `train_task` returns + "loaded"."""
    from somdesk.core.masked_som import masked_bmus
    from somdesk.session import Progress
    from somdesk.session.report import table_profiles
    from somdesk.session.table_data import assign_cells

    yield Progress("segment", 0, 1, "assigning rows")
    if table is None:
        idx, _ = masked_bmus(tm.codebook, tm.inputs, token)
        return {"tm": tm, "assigned": None, "profiles": None, "node_of_row": idx, "loaded": True}
    assigned = assign_cells(tm, row_cells(tm, table), token)
    return {"tm": tm, "assigned": assigned, "profiles": table_profiles(tm, table, token), "loaded": True}


def recluster_task(tm, table, k, token):
    """Generator: the codebook clustered into k segments (None: suggested) without retraining."""
    from dataclasses import replace

    from somdesk.core.masked_som import masked_bmus
    from somdesk.session import Progress
    from somdesk.session.report import table_profiles
    from somdesk.session.segments import cluster_nodes
    from somdesk.session.table_data import assign_cells

    yield Progress("segment", 0, 1, "clustering nodes")
    h, w = tm.codebook.shape[:2]
    idx, _ = masked_bmus(tm.codebook, tm.inputs, token)
    seg = cluster_nodes(tm.codebook, k, tm.cluster_method, tm.config.topology,
                        hits=np.bincount(idx, minlength=h * w), cancel=token)
    tm = replace(tm, clusters=seg.labels, curve=seg.curve)
    assigned = assign_cells(tm, row_cells(tm, table), token)
    return {"tm": tm, "assigned": assigned, "profiles": table_profiles(tm, table, token)}


def score_task(tm, data_path, out_path, token):
    """Generator: score every row of `data_path` against `tm` into `out_path` (csv/parquet).
    Returns (rows, warnings); missing columns raise FileFormatError naming them."""
    from somdesk.io.tables.assignments import write_scores
    from somdesk.io.tables.table import read_table
    from somdesk.session import Progress
    from somdesk.session.scoring import score_table

    yield Progress("score", 0, 0, "reading")
    table = read_table(data_path, None, token)
    try:
        blocks, warnings = score_table(tm, table, token)
        total = table.n_rows_total

        def counted():
            done = 0
            for rows, a in blocks:
                done += len(rows)
                _offer(Progress("score", done, total, "rows"))
                yield rows, a
        yield Progress("score", 0, total, "rows")
        n = write_scores(out_path, counted(), token)
    finally:
        table.close()
    return n, list(table.warnings) + warnings
