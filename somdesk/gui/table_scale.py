"""Tables larger than memory in the window (issue 16): batch training out of core, one epoch
per step, with the live views on a sample (a mixin of gui/table_workflow.TableWorkflow).

The Setup tab's "Train on every row out of core" is not ticked when a table opens, not even
one over the in-memory limit (`io.tables` samples it: `table.sampled`): the default map is
the one `somdesk train --table` makes, on the rows in memory (tester8 #15; docs/table-window.md,
"One default map").  The user may tick it for any table.  Training then runs
`session.outofcore_table.StreamingTableRun` -- the code `somdesk train --table DATA --mode
batch --out-of-core` runs, so the two give the same weights -- through the session's
`TableWorkspace.train_task(spec, out_of_core=True)` (its steps: session/table_tasks.py
outofcore_steps) as a task on the window's one TaskRunner:

  * every epoch streams every row in chunks of CHUNK_ROWS (memory bounded by the chunk);
    the progress line moves per chunk ("epoch 3 of 10: chunk 5 of 40");
  * Stop cancels the CancelToken, checked before every chunk: it ends inside the epoch; the
    whole epochs trained are kept (measured on the sample: another pass over every row would
    cost an epoch) and Train goes on from there, also after Save and reopen, to the
    uninterrupted run's map;
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

import sys

from PySide6.QtWidgets import QCheckBox, QLabel
from somdesk.core.options import count_text

__all__ = ["TableScale", "CHUNK_ROWS"]

OUT_OF_CORE_TIP = ("Each epoch reads the whole table in chunks, so a table larger than memory trains on every "
                   "row; the live views show a sample.  Text tables (CSV, TSV, JSON lines) and Parquet only.")
CHUNK_ROWS = 262_144        # rows per chunk (io.chunked_sql.DEFAULT_CHUNK_ROWS; tests make it small)


class TableScale:
    """Needs `win`, `ws`, `setup`, `map_view`, `legend`, `tabs`, `selection_label` (TableWorkflow)."""

    scale_note = ""

    def _build_scale(self, layout) -> None:
        self.out_of_core = QCheckBox("Train on every row out of core (batch map, read in chunks)")
        self.out_of_core.setToolTip(OUT_OF_CORE_TIP)
        self.scale_label = QLabel()
        self.scale_label.setWordWrap(True)
        self.scale_label.setObjectName("out-of-core-state")
        layout.addWidget(self.out_of_core)
        self.win.runner.yielded.connect(self._yielded_scale)

    def _scale_table_set(self, table) -> None:
        """A new table: out of core offered (not for spreadsheets), not ticked."""
        self.scale_note = ""
        self.scale_label.setText("")
        why = self.ws.out_of_core_unavailable() if table is not None else None
        usable = table is not None and why is None          # not for spreadsheets (tester6 F27)
        # not ticked by default: the default map is the CLI's (`somdesk train --table` trains
        # in memory on the import's sample), one size for one file (tester8 #15, docs/table-window.md)
        self.out_of_core.blockSignals(True)       # the caller measures "auto" once, after this
        self.out_of_core.setChecked(False)
        self.out_of_core.blockSignals(False)
        self.out_of_core.setEnabled(usable)
        self.out_of_core.setToolTip(f"Not available: {why}." if why else OUT_OF_CORE_TIP)

    def train_out_of_core(self, spec) -> bool:
        """Start the out-of-core training of the table (see module docstring); OptionError
        (TableWorkspace.check_out_of_core) when it cannot."""
        from somdesk.gui.table_workflow import offer

        ws = self.ws
        ws.check_out_of_core(spec)      # text columns are one-hot encoded out of core; forced numbers are not
        table, chunk_rows = ws.table, CHUNK_ROWS
        n, m = table.n_rows_total, min(table.n_rows_total, _sample_rows())
        self.scale_note = (f"Training on all {count_text(n, 'row')} out of core (batch map, {count_text(CHUNK_ROWS, 'row')} per chunk); "
                           f"views show a sample of {m:,}.")
        self.scale_label.setText(f"<b>{self.scale_note}</b>")
        self.tabs.setCurrentIndex(1)
        self.selection_label.setText("The rows held in memory appear here when training ends.")
        self._live_hex, self._live_epoch = str(spec.topology).lower().startswith("hex"), None
        self._epoch_clock, self._left_text = None, ""     # the time-left estimate counts this run only
        self.win.runner.start("segment", lambda token: ws.train_task(spec, token, offer, out_of_core=True,
                                                                     chunk_rows=chunk_rows, defer_measuring=True))
        return True

    def _yielded_scale(self, kind: str, value) -> None:
        """Live view of an out-of-core run: the sample's hits under the latest weights."""
        if kind != "segment":        # not imported before: a colour run's first map paid ~20 ms
            return
        # nor for an in-memory run, whose progress is never a StreamProgress: importing the
        # out-of-core module on its first progress line held the window 0.4-0.8 s (fixC)
        ooc = sys.modules.get("somdesk.session.outofcore_table")
        if ooc is None or not isinstance(value, ooc.StreamProgress):
            return
        chunk = f", chunk {value.chunk} of {value.chunks}" if value.chunk else ""
        where = (f"Epoch {value.done + 1} of {value.total}{chunk}{self._time_left(value)}"
                 if value.done < value.total else f"All {count_text(value.total, 'epoch')} done; measuring every row{chunk}")
        self.scale_note = (f"Training on all {count_text(value.rows, 'row')} out of core; views show a sample of "
                           f"{value.sample_rows:,}.  {where}.")
        self.scale_label.setText(f"<b>{self.scale_note}</b>")
        if value.sample_hits is not None and getattr(self, "_live_epoch", None) != value.done:
            self._live_epoch = value.done
            self.draw_live(value.sample_hits, value.done, value.total)

    def _time_left(self, value) -> str:
        """", about 1 h 27 min left" from the epochs this run finished so far (tester3 F12: a
        big table's default map trains for over an hour and said nothing of it)."""
        import time

        now = time.monotonic()
        if self._epoch_clock is None:       # the run's first report (epoch 0, or where a resumed run goes on)
            self._epoch_clock = (value.done, now)
        start_epoch, start_time = self._epoch_clock
        if value.done <= start_epoch:       # no whole epoch of this run yet
            return ""
        if not value.chunk:                 # an epoch just ended: estimate again
            per_epoch = (now - start_time) / (value.done - start_epoch)
            self._left_text = f"; about {_duration(per_epoch * (value.total - value.done))} left"
        return self._left_text

    def draw_live(self, hits, epoch: int, total: int) -> None:
        from PySide6.QtGui import QPixmap

        from somdesk import render
        from somdesk.gui.map_view import to_qimage

        from somdesk.render.views import hit_nodes
        rgb, legend = hit_nodes(hits)
        self.map_view.show_nodes(rgb, getattr(self, "_live_hex", True))
        self.legend.setPixmap(QPixmap.fromImage(to_qimage(render.colour_bar(
            legend.cmap, legend.levels, length=300, title=f"sample rows per node after epoch {epoch} of {total}"))))

    def _scale_installed(self) -> None:
        info = self.ws.out_of_core
        if info is None:
            self.scale_label.setText("")
            return
        tm = self.ws.tm
        if info.get("hits_of") == "sample":      # stopped: measured on the sample, not in another epoch-long pass
            self.scale_note = (f"Stopped after epoch {tm.epochs_done} of {tm.config.iterations} (Train continues "
                               f"it), trained on all {count_text(info['rows'], 'row')} out of core; until it ends, the hit map "
                               f"and the segments count the sample of {count_text(info['sample_rows'], 'row')}.")
            self.scale_label.setText(f"<b>{self.scale_note}</b>")
            return
        trained = f"Trained on all {count_text(info['rows'], 'row')} out of core"
        self.scale_note = (f"{trained}; the hit map and the segments "
                           f"count every row (a chunked pass), the rows view and profiles show the "
                           f"{count_text(self.ws.table.n_rows, 'row')} in memory.  File › Score new data… assigns every row "
                           "in chunks.")
        self.scale_label.setText(f"<b>{self.scale_note}</b>")


def _duration(seconds: float) -> str:
    """'40 s', '12 min', '1 h 27 min'."""
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


def _sample_rows() -> int:
    from somdesk.session.outofcore_table import SAMPLE_ROWS
    return SAMPLE_ROWS
