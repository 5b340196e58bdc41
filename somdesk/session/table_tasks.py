"""The table map's long steps, as generators any thread may drive (no Qt).

    train_steps(table, spec, cancel, progress)           train_table_map, assign the rows in memory, profiles
    outofcore_steps(path, spec, table, where, cancel, progress, chunk_rows)   the same, streaming every row
    map_steps(tm, table, cancel)                         a saved map shown with the rows of `table`
    recluster_steps(tm, table, k, cancel)                the codebook clustered again (k None: suggested)
    score_steps(tm, data_path, out_path, cancel, progress)   every row of a file scored into .csv/.parquet

Each yields session.progress.Progress between its steps and returns a plain result
(a dict for the map steps: "tm", "assigned", "profiles", "node_of_row", optionally
"loaded" and "out_of_core").  Progress from INSIDE a blocking call (the epochs of
`train_table_map`, the blocks of a scored file, the chunks of an out-of-core epoch)
goes to the plain callback `progress(Progress)`: the window hands it to its worker
(`tasks.current().offer`, latest wins), a script may print it, None ignores it.
`session.table_workspace.TableWorkspace` runs these and installs their results.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from somdesk.core.options import count_text
from somdesk.errors import SomdeskError
from somdesk.core.cancel import check
from somdesk.session.progress import Progress, run_to_end

__all__ = ["StoppedRun", "node_of_row", "train_steps", "outofcore_steps", "map_steps", "recluster_steps",
           "score_steps", "report_steps",
           "format_cell", "write_rows_csv", "rows_csv_steps"]


def _say(progress, value) -> None:
    if progress is not None:
        progress(value)


def node_of_row(tm, assigned: dict) -> np.ndarray:
    """(N,) int64 flat node (row * W + col) of each assigned row, -1 for a row with no BMU."""
    w = tm.config.width
    return np.where(assigned["bmu_row"] >= 0, assigned["bmu_row"] * w + assigned["bmu_col"], -1).astype(np.int64)


def _applied(tm, table, cancel, **extra) -> dict:
    """The map `tm` applied to the rows in memory of `table`: assignments, profiles, nodes."""
    from somdesk.session.report import table_profiles, table_top_items
    from somdesk.session.table_assign import assign_cells, row_cells

    cells = row_cells(tm, table)
    assigned = assign_cells(tm, cells, cancel)
    # one BMU pass and one encoding of the cells: the profiles and the top items of a ratings
    # table (users x items, shown when the user says it is one) are of the segments just assigned
    seg = assigned["segment"]
    return {"tm": tm, "assigned": assigned, "profiles": table_profiles(tm, table, cancel, segments=seg, cells=cells),
            "top_items": table_top_items(tm, table, segments=seg),
            "node_of_row": node_of_row(tm, assigned), **extra}


@dataclass
class StoppedRun:
    """A table run stopped after whole epochs whose map is not measured yet.

    The window's Stop ends a table task at once (tester7 #25: the kept epochs' measuring on
    200,000 rows held the task 18 s after Stop); measuring and segmenting that map, and
    assigning the rows in memory, is `steps(cancel)`, a follow-up task of its own that Stop
    ends at once too.  `tm` is the map unmeasured (codebook, recipe, config, `epochs_done`:
    what Train continues from; no segments, NaN measures); `rows` how many rows the
    measuring reads."""

    tm: object
    rows: int
    steps: Callable


def train_steps(table, spec, cancel=None, progress=None, resume=None, defer_measuring: bool = False):
    """Generator: train (session.table_data.train_table_map), assign the rows in memory, profile;
    returns the result dict.  OptionError/FileFormatError on bad choices.  A stop after at least
    one epoch returns the map of the epochs trained (`tm.epochs_done`); before that, Cancelled.
    With `defer_measuring`, such a stop returns {"stopped_run": StoppedRun} at once instead.
    `resume`: a stopped map to continue (when `spec` gives its recipe and config)."""
    from somdesk.session.table_data import train_table_map

    # each stage is named as it starts: the first epoch comes after the preparation and the
    # initialisation, and a big map's measuring and segmenting take a while too (tester6 F14)
    yield Progress("segment", 0, 0, "", phase="preparing the table")
    tm, prep = train_table_map(table, spec, cancel=cancel, resume=resume, keep_partial=True,
                               progress=lambda d, t: _say(progress, Progress("segment", d, t, "epochs", "training")),
                               stage=lambda text: _say(progress, Progress("segment", 0, 0, "", text)),
                               measure_stopped=False, preparing=lambda d, t: _say(progress, _preparing(d, t)))
    warnings = list(prep.warnings)      # what the preparation found (the CLI prints them too)
    if not tm.finished:     # stopped: no more yields (a driver that was told to stop pulls no more)
        run = StoppedRun(tm, len(prep.data), lambda c: _measured_steps(tm, prep, spec, table, warnings, c, progress))
        if defer_measuring:
            return {"stopped_run": run}
        return run_to_end(run.steps(cancel.after_stop() if cancel is not None else None))
    yield Progress("segment", 0, 0, "", phase="assigning rows")
    result = _applied(tm, table, cancel)
    result["warnings"] = warnings
    return result


def _preparing(done: int, total: int) -> Progress:
    """The preparation's step `done` of `total` (train_table_map's `preparing`); its last step
    starts the first epoch, which on a big map takes a while too."""
    if done >= total:
        return Progress("segment", 0, 0, "", "training, epoch 1")
    return Progress("segment", done, total, "steps", "preparing the table")


def _measured_steps(tm, prep, spec, table, warnings, cancel, progress=None):
    """Generator: a stopped in-memory run's map measured and segmented on its rows, then the rows
    in memory assigned and profiled; returns the result dict (StoppedRun.steps).  `progress`
    hears each stage inside the measuring (the task's driver: the one running it then)."""
    from somdesk.session.table_data import measure_table_map

    def stage(text: str) -> None:
        _say(progress, Progress("segment", 0, 0, "", f"epoch {tm.epochs_done}'s map: {text}"))

    yield Progress("segment", 0, 0, "", phase=f"measuring the map of epoch {tm.epochs_done} on {count_text(len(prep.data), 'row')}")
    tm = measure_table_map(tm, prep, spec.clusters, cancel, stage)
    yield Progress("segment", 0, 0, "", phase="assigning rows")
    result = _applied(tm, table, cancel)
    result["warnings"] = list(warnings)
    return result


def map_steps(tm, table, cancel=None):
    """Generator: a saved table map shown with the rows of `table` (None: the map alone, hits from
    the training rows the map keeps); returns the result dict with "loaded": True."""
    from somdesk.core.masked_som import masked_bmus

    yield Progress("segment", 0, 0, "", phase="assigning rows")
    if table is None:
        idx, _ = masked_bmus(tm.codebook, tm.inputs, cancel)
        return {"tm": tm, "assigned": None, "profiles": None, "node_of_row": np.asarray(idx, np.int64),
                "loaded": True}
    return _applied(tm, table, cancel, loaded=True)


def recluster_steps(tm, table, k, cancel=None):
    """Generator: the codebook of `tm` clustered into `k` segments (None: suggested) without
    retraining; returns the result dict (rows of `table` re-assigned, None: hits only)."""
    from dataclasses import replace

    from somdesk.core.masked_som import masked_bmus
    from somdesk.session.segments import cluster_nodes

    yield Progress("segment", 0, 0, "", phase="finding segments")
    h, w = tm.codebook.shape[:2]
    idx, _ = masked_bmus(tm.codebook, tm.inputs, cancel)
    seg = cluster_nodes(tm.codebook, k, tm.cluster_method, tm.config.topology,
                        hits=np.bincount(idx, minlength=h * w), cancel=cancel)
    tm = replace(tm, clusters=seg.labels, curve=seg.curve)
    if table is None:
        return {"tm": tm, "assigned": None, "profiles": None, "node_of_row": np.asarray(idx, np.int64)}
    return _applied(tm, table, cancel)


def outofcore_steps(path, spec, table, where=None, cancel=None, progress=None, chunk_rows: int | None = None,
                    resume=None, defer_measuring: bool = False):
    """Generator: train on every row of the file `path` out of core
    (session.outofcore_table.StreamingTableRun: batch map, chunks of `chunk_rows`), yielding
    its StreamProgress per epoch; `progress` hears about every chunk.  Then assigns and
    profiles the rows in memory of `table`; returns the result dict plus "out_of_core":
    {"rows", "sample_rows", "hits", "hits_of"} (hits of every row, or of the sample after a
    stop).  As `train_steps`: a stop after at least one epoch returns the map of the epochs
    trained (`tm.epochs_done`), before that Cancelled (`defer_measuring`: {"stopped_run":
    StoppedRun} at once, its map measured on the sample by a follow-up task); `resume` (a
    stopped map of the same recipe and config) is continued."""
    from dataclasses import replace

    from somdesk.io.chunked_sql import DEFAULT_CHUNK_ROWS
    from somdesk.session.outofcore import LocalExecutor
    from somdesk.session.outofcore_table import StreamingTableRun

    yield Progress("segment", 0, 0, "", phase="reading the table's statistics")
    latest = {}

    def on_part(done: int, total: int) -> None:   # inside an epoch, on the driving thread
        p = latest.get("p")
        if p is None:                             # the start weights' pass, before epoch 1
            _say(progress, Progress("segment", done, total, "chunks", phase="reading the start weights"))
        else:
            at = f"epoch {p.done + 1}" if p.done < p.total and not run.stopped else "measuring every row"
            _say(progress, replace(p, chunk=done, chunks=total, what=f"epochs · {at}: chunk {done} of {total}"))

    run = StreamingTableRun(path, spec, chunk_rows=chunk_rows or DEFAULT_CHUNK_ROWS, where=where,
                            executor=LocalExecutor(on_part), cancel=cancel, resume=resume)
    try:
        task = run.task(cancel, measure_stopped=not defer_measuring)
        while True:
            try:
                p = next(task)
            except StopIteration as end:
                tm = end.value
                break
            latest["p"] = p
            yield p
        hits = getattr(run, "hits", None)      # set by the measuring (not yet after a deferred stop)
    finally:
        run.close()
    if run.stopped and defer_measuring:
        return {"stopped_run": StoppedRun(tm, len(run.pick), lambda c: _sample_measured_steps(run, table, c))}
    if run.stopped:         # no more yields; the rows in memory are assigned unless the task is abandoned
        cancel = cancel.after_stop() if cancel is not None else None
    else:
        yield Progress("segment", 0, 0, "", phase="assigning the rows in memory")
    return _applied(tm, table, cancel, warnings=list(run.warnings),     # what the preparation found
                    out_of_core={"rows": run.rows, "sample_rows": len(run.pick), "hits": hits,
                                 "hits_of": "sample" if run.stopped else "every row"})


def _sample_measured_steps(run, table, cancel):
    """Generator: a stopped out-of-core run's map measured and segmented on its sample (the run's
    file is closed: `finish(every_row=False)` reads none of it), the rows in memory assigned
    and profiled; returns the result dict (StoppedRun.steps)."""
    yield Progress("segment", 0, 0, "", phase=f"measuring the map of epoch {run.run.iteration} on the "
                                              f"{count_text(len(run.pick), 'row')} of the sample")
    tm = run.finish(cancel, every_row=False)
    yield Progress("segment", 0, 0, "", phase="assigning the rows in memory")
    return _applied(tm, table, cancel,
                    out_of_core={"rows": run.rows, "sample_rows": len(run.pick), "hits": run.hits,
                                 "hits_of": "sample"})


def score_steps(tm, data_path, out_path, cancel=None, progress=None, options=None):
    """Generator: score every row of `data_path` against `tm` into `out_path` (.csv/.parquet);
    returns (rows, warnings).  Columns the map needs but the file lacks: FileFormatError naming them."""
    from somdesk.io.tables.assignments import write_scores
    from somdesk.session.opening import read_table_named as read_table   # names a palette/picture
    from somdesk.session.scoring import score_table

    yield Progress("score", 0, 0, "reading")
    table = read_table(data_path, options, cancel)
    try:
        blocks, warnings = score_table(tm, table, cancel)
        total = table.n_rows_total

        def counted():
            done = 0
            for rows, a in blocks:
                done += len(rows)
                _say(progress, Progress("score", done, total, "rows"))
                yield rows, a
        yield Progress("score", 0, total, "rows")
        n = write_scores(out_path, counted(), cancel)
    finally:
        table.close()
    return n, warnings              # the reader's included (scoring.read_warnings)


def report_steps(path, tm, profiles, title: str, top: dict | None = None, top_note: str | None = None):
    """Generator: the HTML report (session.report.write_report; `top`: its top items, `top_note` a
    warning above them); returns the path."""
    from somdesk.session.report import write_report

    yield Progress("report", 0, 1, "writing")
    write_report(path, tm, profiles, title, top, top_note)
    return str(path)


def format_cell(v) -> str:
    """A cell as shown and exported: integers without '.0', other floats in full (the shortest
    text that reads back as the same float: 36319.16 stays 36319.16, where 6 significant
    digits wrote 36319.2 and changed the user's data, tester6 F8), missing (NaN/None) as
    empty, booleans as true/false, text as it is."""
    import math

    if v is None:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if math.isnan(f):
            return ""
        if f.is_integer() and abs(f) < 2**53:
            return str(int(f))
        return repr(f)
    return str(v)


ROWS_PER_BLOCK = 5_000       # rows written between progress reports and Stop checks (~0.1 s at 15 columns)


def write_rows_csv(path, columns: dict, rows) -> int:
    """Write `rows` ((R,) indices, in that order) of `columns` ({name: (N,) array}) as CSV,
    atomically; returns R.  SomdeskError on an unwritable path."""
    return run_to_end(rows_csv_steps(path, columns, rows))


def rows_csv_steps(path, columns: dict, rows, cancel=None):
    """Generator: `write_rows_csv` a block of ROWS_PER_BLOCK rows at a time, yielding
    Progress("export", rows done, R, "rows", "writing rows") and checking `cancel` between
    blocks (Cancelled: the target is left as it was, the temporary file removed: io.atomic);
    returns R.  The window runs it as a task (tester6 F28: 200,000 rows held the GUI 4 s)."""
    import csv

    from somdesk.io.atomic import atomic_open

    rows = np.asarray(rows, dtype=np.int64).reshape(-1)
    names, cols = list(columns), [np.asarray(c) for c in columns.values()]
    yield Progress("export", 0, len(rows), "rows", "writing rows")
    with atomic_open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(names)
        for lo in range(0, len(rows), ROWS_PER_BLOCK):
            check(cancel)
            block = rows[lo:lo + ROWS_PER_BLOCK]
            w.writerows(zip(*[format_column(c[block]) for c in cols]))
            yield Progress("export", lo + len(block), len(rows), "rows", "writing rows")
        check(cancel)           # a stop after the last block leaves the old file too
    return len(rows)


def format_column(values: np.ndarray) -> list[str]:
    """format_cell of every value of a column, float columns a column at a time (the same
    text: integers without '.0' below 2^53, else the shortest round-trip repr, NaN empty).
    Cell by cell, 200,000 rows x 15 columns took 13 s on the GUI thread (tester6 F28)."""
    if values.dtype.kind in "iu":
        return values.astype(str).tolist()
    if values.dtype.kind == "b":
        return np.where(values, "true", "false").tolist()
    if values.dtype.kind != "f":
        return [format_cell(v) for v in values.tolist()]
    v = values.astype(np.float64, copy=False)
    out = [repr(x) for x in v.tolist()]
    with np.errstate(invalid="ignore"):
        whole = np.flatnonzero((v == np.floor(v)) & (np.abs(v) < 2.0**53))
    for i, text in zip(whole.tolist(), v[whole].astype(np.int64).astype(str).tolist()):
        out[i] = text
    for i in np.flatnonzero(np.isnan(v)).tolist():
        out[i] = ""
    return out
