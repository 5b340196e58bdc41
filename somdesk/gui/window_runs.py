"""Training runs and the results of the window's tasks (a mixin of gui/window.Window).

    win.train()                 # Training > Train (Ctrl+T): from where the map is, or afresh
    win.step(); win.stop_task(); win.reset_weights(); win.quantise()
    runner.finished -> win._on_finished(kind, result, stopped)   # the status line says what ended

Needs the window's `session`, `runner`, `left`, `metrics`, `progress_label`, `timelapse`,
`tables`, `undo` and `refresh()`.  A run is `Session.train_task` paced by
gui/window_tasks.paced and run by the window's one TaskRunner; what each task's end means
for the status line, the title and the views is said here, once.
"""
from __future__ import annotations

from PySide6.QtCore import Slot

from somdesk.core.options import count_text
from somdesk.errors import SomdeskError
from somdesk.gui.window_actions import SPEEDS
from somdesk.gui.window_drawing import FPS, panel_config, quantised_nodes
from somdesk.gui.window_tasks import OpenApart, PaletteChoice, SnapshotPolicy, paced
from somdesk.gui.window_unsaved import discard_training
from somdesk.session.runs import epoch_position, kernels_ready, planned_epochs

__all__ = ["WindowRuns", "MEASURE_BUDGET"]

MEASURE_BUDGET = 0.05             # share of training time the live maps (BMUs, QE, TE, U) may take

def warm_words(result) -> str:
    """", after 92 s compiling or loading the training kernels" when the run's start waited for
    them at least a second (not counted in the epochs' time), else ""."""
    warm = getattr(result, "warm_up", 0.0)
    return f", after {warm:.0f} s compiling or loading the training kernels" if warm >= 1.0 else ""


class WindowRuns:
    """Training, Step, Stop, Reset, Quantise and every task's end (see module docstring)."""

    def train(self) -> None:
        """Train (Ctrl+T): from where the map is, or afresh when the panel's settings changed."""
        s = self.session
        if self.tables.holds_data and not self.runner.busy:
            self.tables.train()                # the table map in the Segments dock
            return
        if s.dataset is None or self.runner.busy:
            return
        if not self._apply_panel_config():
            return
        if s.done:
            s.reset_weights()
        # an image map's phases continue the axis; it spans what the title counts
        self.metrics.clear_points(epoch_position(s, s.map.iteration)[1] if s.map is not None else planned_epochs(s))
        self._start_training(paused=False)

    def _start_training(self, paused: bool) -> None:
        s = self.session
        from somdesk.core import kernels
        if kernels.BACKEND == "numba" and not kernels_ready():
            # a source install compiles its kernels on the first run (numba's cache then keeps
            # them): up to a minute with no epoch to show, which looked like nothing happening
            # (tester6 F24); the first epoch's progress replaces the line.  The session's flag
            # (runs.warm_kernels sets it), not one of the window's own: one fact, one flag
            self.progress_label.setText("Starting (the first run after an install or an update compiles "
                                        "the training kernels: this can take a minute)…")
        from somdesk.gui.window_tasks import drop_reset_frames
        drop_reset_frames(self)            # training is not undoable: no Undo of a Reset reaches them now
        self.undo.forget()                 # nor of an edit: the session's history goes too (runs.train_task)
        self.run_started()
        self._run_from = epoch_position(s, s.map.iteration)[0] if s.map is not None else 0
        policy = SnapshotPolicy(FPS, MEASURE_BUDGET, pace=lambda: self.pace)
        frames = self.timelapse.run_frames()      # the time-lapse's frames, taken by the run itself
        self.runner.start("train", lambda token: paced(
            s.train_task(cancel=token, snapshot_when=policy, chunk=policy.epochs, frames=frames), self, token,
            policy),
            pausable=True, paused=paused)

    def run_started(self) -> None:
        """A training run starts: the last run's "Stopped at …" / "Finished …" line goes, so the
        status line never describes a run that is over while another one trains (tester6 F16)."""
        self.statusBar().clearMessage()

    def step(self) -> None:
        if self.runner.busy:
            self.runner.step_once()
            return
        if self.session.dataset is None or not self._apply_panel_config() or self.session.done:
            return
        self._start_training(paused=True)
        self.runner.step_once()

    def end_tasks(self) -> None:
        """Stop and join the window's tasks, then run what they posted to the session before
        they ended: without that, the last epoch a training posted landed AFTER a Reset made
        during the run (the map read "epoch 41" after Reset, tester6 F37).  The progress line
        of a task ended this way goes too (its finished signal is not heard)."""
        from PySide6.QtCore import QCoreApplication

        self.runner.shutdown()
        QCoreApplication.sendPostedEvents(self.poster)
        self.progress_label.clear()

    def reset_weights(self) -> None:
        """Back to the initial weights; undoable (Ctrl+Z)."""
        s = self.session
        if s.dataset is None:
            return
        self.end_tasks()
        from somdesk.gui.window_tasks import ResetWeights
        self.undo.push(ResetWeights(self))

    def set_speed(self, key: str) -> None:
        self.actions[f"speed_{key}"].setChecked(True)
        self.pace = dict((k, v) for k, _l, v, _s, _t in SPEEDS)[key]
        self.speed = key

    def quantise(self) -> None:
        if self.session.kind == "image" and not self.runner.busy:
            dither = self.left.image_panel.dither.isChecked()
            self.runner.start("quantise", lambda token: self.session.quantise_task(cancel=token, dither=dither))

    def _apply_panel_config(self) -> bool:
        """Make the panel's settings the session's; a change that throws away unsaved
        training asks first.  False if the user cancelled or the settings are invalid."""
        s = self.session
        try:
            cfg = self.left.params.config()
        except SomdeskError as exc:
            self.show_error(str(exc))
            return False
        if cfg == panel_config(s):      # a drawn seed shows as random: no change
            return True
        if cfg == s.config:
            s.set_config(cfg)           # the drawn seed typed: the user's now (no new map)
            return True
        if s.would_discard_training and s.dirty and self.interactive:
            if not discard_training(self, "New settings start a fresh map."):
                return False
        s.set_config(cfg)
        return True

    def _config_edited(self) -> None:
        """Settings edited while nothing is trained: show the new map's initial weights."""
        s = self.session
        if not self.runner.busy and s.dataset is not None and not s.would_discard_training:
            try:
                cfg = self.left.params.config()
            except SomdeskError:
                return
            if cfg != panel_config(s):    # equal to s.config: the drawn seed typed, now the user's
                s.set_config(cfg)

    def stop_task(self) -> None:
        """Training > Stop: the task ends at its next check.  Said at once, with Stop disabled
        (the label kept saying "1 of 30 epochs" with Stop enabled as if it had not been heard,
        tester6 F13).  A table run's kept epochs are measured afterwards by a task of their
        own (gui/table_workflow.measure_stopped), which Stop ends at once too."""
        if not self.runner.busy:
            return
        self.runner.stop()
        if self.runner.busy:
            self.progress_label.setText("Stopping…")
        self.refresh()

    @Slot(str, str, str)
    def _on_failed(self, kind: str, message: str, details: str) -> None:
        self.progress_label.clear()            # the failed task's last "segment…" line goes too
        if kind == "save":
            self.save_failed()                 # a close waiting for it stays a window
        if kind == "train":
            self.run_epoch = None
        if kind == "open":
            for p in self._opening:
                self.files.forget_if_missing(p)     # a vanished recent file leaves the list
        self.show_error(message, details)

    @Slot(str, object)
    def _on_yielded(self, kind: str, value) -> None:
        if kind == "train":
            if value.map is not None:
                self.session.show(value.map)
            if getattr(value, "preview", None) is not None:    # image maps: the picture quantised live
                self.live_preview = value.preview
                if self.view in ("quantised", "compare"):
                    self.schedule_draw()
            self.run_epoch = (value.overall, value.planned)    # the title reads it while the run goes on
            self.progress_label.setText(f"epoch {value.overall:,} of {value.planned:,}"
                                        + (f" · {value.phase} {value.iteration:,} of {value.total:,}"
                                           if value.phase != "training" else ""))
        elif self.runner.stopping:
            return                                 # "Stopping…" stays until the task ends
        else:
            done, total = getattr(value, "done", 0), getattr(value, "total", 0)
            what, phase = getattr(value, "what", ""), getattr(value, "phase", "")
            head = phase or {"segment": "training"}.get(kind, kind)
            self.progress_label.setText(f"{head}: {done:,} of {total:,} {what}" if total else f"{head}…")

    @Slot(str, object, bool)
    def _on_finished(self, kind: str, result, stopped: bool) -> None:
        self.progress_label.clear()
        if kind == "train":
            self.run_epoch = None
        if kind == "train" and result is not None:
            m, done, planned, timed = self._final_map(result)
            ran = max(0, done - getattr(self, "_run_from", 0))
            # this run's epochs and time: "at epoch 25 of 1,000 in 0.0 s" after a run continued
            # from epoch 25 read as 25 epochs in no time (tester6 F16)
            msg = ("Stopped" if result.stopped else "Finished") + \
                  f" at epoch {done:,} of {planned:,} ({count_text(ran, 'epoch')}" + \
                  (f" in {result.elapsed:.1f} s{warm_words(result)})." if timed else " in this run).")
            if m.qe is not None:
                msg += f"  Quantisation error {m.qe:.4f}, topographic error {m.te:.3f}."
                from somdesk.gui.colour_space_view import run_summary
                msg += run_summary(self.session, m)   # colours: mean CIEDE2000, gamut
            self.statusBar().showMessage(msg, 15000)
            self.last_run = result
        elif kind == "train" and stopped and self.session.map is not None:
            m = self.session.map                   # stopped inside an epoch: no outcome, the map stays
            done, planned = epoch_position(self.session, m.iteration)
            ran = max(0, done - getattr(self, "_run_from", 0))
            self.statusBar().showMessage(f"Stopped at epoch {done:,} of {planned:,} "
                                         f"({count_text(ran, 'epoch')} in this run).", 15000)
        elif kind == "open" and self.tables.is_found(result):
            self.tables.open_found(result)          # the import preview, then the Segments dock
        elif kind == "open" and isinstance(result, OpenApart):
            self.open_apart(result.groups)          # a window each: the first here, the others new
        elif kind == "open" and isinstance(result, PaletteChoice):
            self.files.remember(result.path)
            self.pick_palette(result)
        elif kind == "open":
            from somdesk.gui.window_tasks import with_warnings

            # the install was posted before the task ended: the dataset is the file's, with
            # what its reader said (the CLI's warnings, tester F #2)
            d = self.session.dataset
            said = () if stopped or d is None else d.warnings
            self.statusBar().showMessage("Cancelled." if stopped else with_warnings(result or "", said), 8000)
            if not stopped:
                for p in self._opening:
                    self.files.remember(p)
        elif kind == "quantise" and result is not None:
            # the result shown; side by side stays side by side (the user chose to compare)
            self.set_view("compare" if self.view == "compare" else "quantised")
            # the figures `somdesk quantize` prints, in the status line too (tester11)
            colours = result.colours_text(quantised_nodes(self.session, result))
            how = " with dithering" if result.dithered else ""
            self.statusBar().showMessage(f"Quantised the full picture{how}: {colours}, {result.quality_text()}.", 15000)
        elif kind == "quantise" and stopped:
            self.statusBar().showMessage("Quantise stopped: the full picture was not quantised.", 8000)
        elif kind == "save":
            self.save_finished(result, stopped)            # gui/window_save.py: a close may wait for it
        elif kind == "write":
            self.write_finished(result, stopped)   # a big palette written (gui/window_files.py)
        elif kind == "export-image":
            self.exports.finished(result, stopped)
        elif kind == "export-timelapse":
            self.timelapse.finished_export(result, stopped)
        self.refresh()

    def _final_map(self, result):
        """(map, epochs trained, planned, timed) a run's end reports: its outcome's map, or the
        map shown when Steps after a Pause took it further (the outcome is the Pause's, so Stop
        said "Stopped at epoch 431" of a map at 434, and its time: tester7 #9, #15)."""
        m = result.map
        done, planned = epoch_position(self.session, m.iteration)
        shown = self.session.map
        if shown is not None and shown is not m:
            later, later_plan = epoch_position(self.session, shown.iteration)
            if later > done:
                return shown, later, later_plan, False
        return m, done, planned, True

    def _on_measures(self, measures) -> None:
        if not measures:
            s = self.session
            self.metrics.clear_points(epoch_position(s, s.map.iteration)[1] if s.map is not None else planned_epochs(s))
            self._n_measures = 0
            return
        n = getattr(self, "_n_measures", 0)
        self.metrics.add_points(measures[n:])
        self._n_measures = len(measures)
