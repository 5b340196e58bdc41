"""Tables larger than memory in the window (issue 16): batch training out of core, one epoch
per step, with the live views on a sample (a mixin of gui/table_workflow.TableWorkflow).

When the opened table has more rows than the in-memory limit (`io.tables` samples it:
`table.sampled`), the Setup tab's "Train on every row out of core" is ticked for the user
(who may also tick it for any table).  Training then runs
`session.outofcore_table.StreamingTableRun` -- the code `somdesk train --table DATA --mode
batch --out-of-core` runs, so the two give the same weights -- as a task on the window's
one TaskRunner:

  * every epoch streams every row in chunks of CHUNK_ROWS (memory bounded by the chunk);
    the progress line moves per chunk ("epoch 3 of 10: chunk 5 of 40");
  * Stop cancels the CancelToken, checked before every chunk: it ends inside the epoch;
  * after each epoch the map shows the hits of the run's sample (at most
    outofcore_table.SAMPLE_ROWS rows) under the new weights, and the dock says so:
    "training on all N rows out of core; views show a sample of M";
  * at the end one more chunked pass measures every row (quantization error, hits, so the
    segments and the hit map count every row); the rows view and the profiles use the rows
    held in memory (the import's sample), and File > Score new data… assigns every row in
    chunks.

Out of core reads the file with the engine's own detection and the import's SQL filter; text
columns are one-hot encoded and missing values dropped, filled with the mean or median, or
trained with (masked), with the category sets and fill values computed by the engine
(session.outofcore_table); numeric columns ticked Categorical stay in memory.
"""
from __future__ import annotations

import os

from PySide6.QtWidgets import QCheckBox, QLabel

from somdesk.errors import OptionError

__all__ = ["TableScale", "CHUNK_ROWS", "outofcore_task"]

CHUNK_ROWS = 262_144        # rows per chunk (io.chunked.DEFAULT_CHUNK_ROWS; tests make it small)


def outofcore_task(path, spec, table, where, token, chunk_rows: int | None = None):
    """Generator for the runner: train out of core (StreamProgress per epoch and per chunk),
    then assign and profile the rows in memory; returns the dict `table_tasks.train_task`
    returns plus "out_of_core": {"rows", "sample_rows", "hits"}."""
    from somdesk.gui.table_tasks import _offer, row_cells
    from somdesk.session import Progress
    from somdesk.session.outofcore import LocalExecutor
    from somdesk.session.outofcore_table import StreamingTableRun
    from somdesk.session.report import table_profiles
    from somdesk.session.table_data import assign_cells

    yield Progress("segment", 0, 0, "reading the table's statistics")
    latest = {}

    def on_part(done: int, total: int) -> None:   # inside an epoch, on the worker's thread
        p = latest.get("p")
        if p is None:                             # the start weights' pass, before epoch 1
            _offer(Progress("segment", done, total, "chunks read for the start weights"))
        else:
            from dataclasses import replace
            where = f"epoch {p.done + 1}" if p.done < p.total else "measuring every row"
            _offer(replace(p, chunk=done, chunks=total, what=f"epochs · {where}: chunk {done} of {total}"))

    run = StreamingTableRun(path, spec, chunk_rows=chunk_rows or CHUNK_ROWS, where=where,
                            executor=LocalExecutor(on_part), cancel=token)
    try:
        task = run.task(token)
        while True:
            try:
                p = next(task)
            except StopIteration as end:
                tm = end.value
                break
            latest["p"] = p
            yield p
        hits = run.hits
    finally:
        run.close()
    yield Progress("segment", 1, 1, "assigning the rows in memory")
    assigned = assign_cells(tm, row_cells(tm, table), token)
    return {"tm": tm, "assigned": assigned, "profiles": table_profiles(tm, table, token),
            "out_of_core": {"rows": run.rows, "sample_rows": len(run.pick), "hits": hits}}


class TableScale:
    """Needs `win`, `table`, `path`, `read_options`, `setup`, `map_view`, `legend`, `tabs`."""

    all_hits = None
    scale_note = ""

    def _build_scale(self, layout) -> None:
        self.out_of_core = QCheckBox("Train on every row out of core (batch map, read in chunks)")
        self.out_of_core.setToolTip("Each epoch reads the whole table in chunks, so a table larger than "
                                    "memory trains on every row; the live views show a sample.")
        self.scale_label = QLabel()
        self.scale_label.setWordWrap(True)
        self.scale_label.setObjectName("out-of-core-state")
        layout.addWidget(self.out_of_core)
        self.win.runner.yielded.connect(self._yielded_scale)

    def _scale_table_set(self, table) -> None:
        """A new table: out of core is ticked when it is over the in-memory limit."""
        self.all_hits, self.scale_note = None, ""
        self.scale_label.setText("")
        self.out_of_core.setChecked(bool(table is not None and table.sampled))
        self.out_of_core.setEnabled(table is not None)

    def train_out_of_core(self, spec) -> bool:
        """Start the out-of-core training of the dock's table (see module docstring)."""
        # text columns are one-hot encoded out of core too; numbers forced categorical are not
        forced = [c for c in spec.categorical if self.table is not None and c in self.table.columns
                  and self.table.kind(c) == "numeric"]
        if forced:
            self.win.show_error("Out of core, only text columns are one-hot encoded: untick Categorical "
                                f"for {', '.join(forced)} or train in memory.")
            return False
        table, path = self.table, self.path
        if not path or not os.path.exists(path):
            raise OptionError("out-of-core training reads the table's file again; it is not there any more")
        where = getattr(self.read_options, "where", None)
        n, m = table.n_rows_total, min(table.n_rows_total, _sample_rows())
        self.scale_note = (f"Training on all {n:,} rows out of core (batch map, {CHUNK_ROWS:,} rows per chunk); "
                           f"views show a sample of {m:,}.")
        self.scale_label.setText(f"<b>{self.scale_note}</b>")
        self.tabs.setCurrentIndex(1)
        self.selection_label.setText("The rows held in memory appear here when training ends.")
        self._live_hex, self._live_epoch = str(spec.topology).lower().startswith("hex"), None
        self.win.runner.start("segment", lambda token: outofcore_task(path, spec, table, where, token))
        return True

    def _yielded_scale(self, kind: str, value) -> None:
        """Live view of an out-of-core run: the sample's hits under the latest weights."""
        if kind != "segment":        # not imported before: a colour run's first map paid ~20 ms
            return
        from somdesk.session.outofcore_table import StreamProgress

        if not isinstance(value, StreamProgress):
            return
        chunk = f", chunk {value.chunk} of {value.chunks}" if value.chunk else ""
        where = (f"Epoch {value.done + 1} of {value.total}{chunk}" if value.done < value.total else
                 f"All {value.total} epochs done; measuring every row{chunk}")
        self.scale_note = (f"Training on all {value.rows:,} rows out of core; views show a sample of "
                           f"{value.sample_rows:,}.  {where}.")
        self.scale_label.setText(f"<b>{self.scale_note}</b>")
        if value.sample_hits is not None and getattr(self, "_live_epoch", None) != value.done:
            self._live_epoch = value.done
            self.draw_live(value.sample_hits, value.done, value.total)

    def draw_live(self, hits, epoch: int, total: int) -> None:
        from PySide6.QtGui import QPixmap

        from somdesk import render
        from somdesk.gui.map_view import to_qimage

        from somdesk.render.views import hit_nodes
        rgb, legend = hit_nodes(hits)
        self.map_view.show_nodes(rgb, getattr(self, "_live_hex", True))
        self.legend.setPixmap(QPixmap.fromImage(to_qimage(render.colour_bar(
            legend.cmap, legend.levels, length=300, title=f"sample rows per node after epoch {epoch} of {total}"))))

    def _scale_installed(self, result: dict) -> None:
        info = result.get("out_of_core")
        if info is None:
            self.all_hits = None
            self.scale_label.setText("")
            return
        self.all_hits = info["hits"]
        self.scale_note = (f"Trained on all {info['rows']:,} rows out of core; the hit map and the segments "
                           f"count every row (a chunked pass), the rows view and profiles show the "
                           f"{self.table.n_rows:,} rows in memory.  File › Score new data… assigns every row "
                           "in chunks.")
        self.scale_label.setText(f"<b>{self.scale_note}</b>")


def _sample_rows() -> int:
    from somdesk.session.outofcore_table import SAMPLE_ROWS
    return SAMPLE_ROWS
