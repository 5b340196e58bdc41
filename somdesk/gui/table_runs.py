"""The table map's runs in the window: training, re-segmenting, measuring a stopped run, and what
each task of the dock says when it ends (a mixin of gui/table_workflow.TableWorkflow).

    wf.train()                   # TableWorkspace.train_task as a task (window.runner), Stop at once
    wf.measure_stopped(run)      # a stopped run's map measured by a task of its own (Stop skips it)
    runner.finished -> wf._finished(kind, result, stopped)

A label column picked during a run is kept and applied to the map the run ends with.  Needs
the workflow's `ws`, `win`, `setup`, `tabs`, `selection_label`, `_map_message` and refresh().
"""
from __future__ import annotations

from somdesk.core.options import count_text
from somdesk.errors import SomdeskError
from somdesk.gui import dialogs
from somdesk.gui.table_dock import NO_SELECTION
from somdesk.io.names import display_basename, display_name

__all__ = ["TableRuns", "KINDS", "offer"]

KINDS = ("segment", "score", "report", "export", "locate")      # runner task kinds of the dock
_NONE = object()                                       # no label column picked during a run


def offer(value) -> None:
    """A task's `progress=` callback: hand `value` to the running worker (latest wins)."""
    from somdesk.gui import tasks

    worker = tasks.current()
    if worker is not None:
        worker.offer(value)


class TableRuns:
    """Train, re-segment, measure a stopped run, and every dock task's end (see module docstring)."""

    @property
    def running(self) -> bool:
        """Is one of the dock's tasks (training, scoring, the report) running?"""
        return self.win.runner.busy and self.win.runner.kind in KINDS

    def train(self, seed: int = 0) -> bool:
        """Train the table map from the setup panel (random seed `seed`: the smoke mode's)."""
        ws = self.ws
        if self.win.runner.busy:
            return False
        try:
            ws.check_trainable()      # a map whose table is not open says so (tester6 F26)
            spec = self.setup.spec(seed=seed)
            ws.set_spec(spec)
            if self.out_of_core.isChecked():
                ws.check_out_of_core(spec)
        except SomdeskError as exc:
            self.win.show_error(str(exc))
            return False
        self.win.run_started()        # the last run's "Table map (stopped after …)" line goes
        if self.out_of_core.isChecked():
            self.train_out_of_core(spec)
        else:
            self.win.runner.start("segment", lambda token: ws.train_task(spec, token, offer, defer_measuring=True))
        self.win.refresh()
        self.refresh()
        return True

    def _k_edited(self, k: int) -> None:
        ws = self.ws
        if ws.tm is None or self.win.runner.busy:
            return
        self.win.runner.start("segment", lambda token: ws.recluster_task(k or None, token), what="resegment")
        self.refresh()

    def _label_edited(self, _i: int) -> None:
        """Another label column picked while a map is shown: relabel it, no retraining.  Picked
        while a map trains, it is kept and applied to the map the run ends with (tester8 #4:
        the run's end put the combo back to the label it started with, without a word)."""
        ws = self.ws
        if self.win.runner.busy and self.win.runner.kind == "segment":
            self._label_wanted = self.setup.label.currentData()
            return
        self._label_wanted = _NONE            # picked when idle: this choice is the latest
        if ws.tm is None or ws.table is None or self.win.runner.busy:
            return
        try:
            ws.set_label_column(self.setup.label.currentData())
        except SomdeskError as exc:
            self.win.show_error(str(exc))

    def _apply_wanted_label(self) -> bool:
        """The label column picked during the run, applied to the map it ended with; True when
        one was (the status line then says so)."""
        wanted, self._label_wanted = getattr(self, "_label_wanted", _NONE), _NONE
        ws = self.ws
        if wanted is _NONE or ws.tm is None or ws.table is None or wanted == ws.label_column:
            return False
        try:
            ws.set_label_column(wanted)
        except SomdeskError as exc:
            self.win.show_error(str(exc))
            return False
        label = display_name(wanted) if wanted is not None else "no column"
        self.win.statusBar().showMessage(f"{self._map_message}  Labelled by {label}, as picked during the run.",
                                         15000)
        return True

    def measure_stopped(self, run) -> None:
        """A table run was stopped (the task ended at once): its epochs' map is measured,
        segmented and its rows assigned by a task of its own, which Stop ends at once too
        (tester7 #25: that measuring on 200,000 rows held the stopped task 18 s)."""
        ws = self.ws
        self.win.statusBar().showMessage(f"Stopped after epoch {run.tm.epochs_done} of {run.tm.config.iterations}: "
                                         f"measuring that map on {count_text(run.rows, 'row')} (Stop skips it; Train "
                                         "continues the run).", 15000)
        self.win.runner.start("segment", lambda token: ws.measure_task(run, token), what="measure")
        self.win.refresh()
        self.refresh()

    def _failed(self, kind: str, _message: str, _details: str) -> None:
        """A failed training run (the window shows the message): the dock says what is shown
        again, not the run's last progress line (tester4 F1: "Training on all 2,000,001 rows
        out of core ..." stayed over an empty map)."""
        if kind == "segment":
            self._label_wanted = _NONE        # a pick during a failed run must not return over a later one
        if kind == "segment" and self._alive():
            if self.ws.tm is None:            # nothing to show on the map tab: back to the settings
                self.tabs.setCurrentIndex(0)
            self._nothing_kept("Training failed; ")
            self.refresh()

    def _nothing_kept(self, why: str) -> None:
        """A table run that kept nothing (stopped before its first epoch, failed): the dock
        says what is shown again, not the run's last line, and the status bar why."""
        self._scale_installed()
        self.selection_label.setText(NO_SELECTION)
        self.win.statusBar().showMessage(why + "nothing was kept"
                                         + (" (the previous map stays)." if self.ws.tm is not None else "."), 15000)

    def _show_score(self, n: int, warnings: list) -> None:
        """A Score new data's end: the status line with the count of its warnings and where they
        are listed, as an open's (window_tasks.with_warnings; testerG #10: the window said
        "Scored 40 rows" and dropped what `somdesk assign` prints) -- under the map in the dock,
        or, when the dock is not shown (a saved map scored from another window), in a message."""
        from somdesk.gui.warning_notes import list_notes
        from somdesk.gui.window_tasks import with_warnings

        text = f"Scored {count_text(n, 'row')} into {display_basename(self._score_out)}."
        in_dock = self.ws.holds_data          # the dock is shown (gui/table_workflow._table_changed)
        self.win.statusBar().showMessage(
            with_warnings(text, warnings, "the table dock" if in_dock else "the message"), 15000)
        if in_dock or not warnings:
            list_notes(self.score_notes, f"{count_text(len(warnings), 'warning')} scoring "
                                         f"{display_basename(self._score_out)}:", warnings)
        elif self.win.interactive:
            dialogs.show_message(self.win, "somdesk", text, "\n".join(warnings))

    def _finished(self, kind: str, result, stopped: bool) -> None:
        if not self._alive():
            return
        if kind == "open" and not stopped and self.holds_data and self.ws.loaded and self._map_message:
            # after the window's "Opened x" (connected first): what the opened table map is
            self.win.statusBar().showMessage(self._map_message, 15000)
        if kind not in KINDS:
            return
        follow_up = result is not None and isinstance(result, dict) and "stopped_run" in result
        labelled = kind == "segment" and not follow_up and self._apply_wanted_label()
        if kind == "score" and result is not None:
            n, warnings = result
            self.last_score = (n, list(warnings))
            self._show_score(n, list(warnings))
        elif kind == "locate" and result is not None:       # Locate table… (gui/table_open.py)
            t = self.ws.table
            name = display_basename(getattr(t, "path", None) or getattr(t, "name", "")) if t is not None else ""
            self.win.statusBar().showMessage(f"Showing the rows of {name} on the map.", 10000)
        elif kind == "report" and result is not None:
            self.win.statusBar().showMessage(f"Wrote {display_basename(result)}.", 10000)
        elif kind == "export" and result is not None:      # Export rows (gui/table_files.py)
            self.win.statusBar().showMessage(f"Wrote {count_text(result, 'row')} to {display_basename(self._export_out)}.", 8000)
        elif kind == "segment" and follow_up:
            self.measure_stopped(result["stopped_run"])
            return
        elif kind == "segment" and stopped and self.ws.pending is not None:
            run = self.ws.pending
            self._nothing_kept(f"Measuring stopped: the map of epoch {run.tm.epochs_done} of "
                               f"{run.tm.config.iterations} is not shown, Train continues the run from it; ")
        elif kind == "segment" and result is not None and labelled:
            pass                                                         # the status says both
        elif kind == "segment" and result is not None and self._map_message:
            self.win.statusBar().showMessage(self._map_message, 15000)    # a stopped run's map too
        elif stopped:
            if kind == "segment":
                self._nothing_kept("Stopped before the first epoch ended: ")
            elif kind == "export":
                self.win.statusBar().showMessage(f"Export rows stopped: {display_basename(self._export_out)} "
                                                 "was not written.", 8000)
            else:
                self.win.statusBar().showMessage("Cancelled.", 5000)
        self.refresh()
