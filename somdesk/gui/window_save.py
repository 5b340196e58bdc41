"""Saving as a task: the window's maps are written on the window's runner, never on its thread
(a mixin of gui/window.Window).

    steps = win.session.save_steps(path)      # checked now (SomdeskError), written by the task
    win.start_save(path, steps)               # "Saving x.somz…", then "Saved x.somz."
    win.saving                                # a save task is under way
    win.after_save(fn)                        # fn() once the file is complete (a close, an open)

A 400,000-row table map took ~1 s of the GUI thread to write (zlib), a big picture's map 1.1 s
of CPU (its stored copy scaled down, then compressed): the window froze meanwhile.  The task
shows its progress line, Stop ends it (the old file stays as it was: io.atomic), and the session
is marked saved only when the file is complete (Session.save_steps).  A close or an open whose
prompt was answered Save waits for the task without blocking the event loop: it goes ahead when
the file is written, and not at all when the save failed or was stopped (the message says why,
the window stays).  Needs the window's `runner`, `session`, `undo`, `files`, `statusBar()`,
`show_error`, `refresh()`.
"""
from __future__ import annotations

from somdesk.io.names import display_basename

__all__ = ["WindowSave", "SAVE_KIND", "WRITE_KIND"]

SAVE_KIND = "save"          # the runner's task kind of a save (gui/task_words.WORDS)
WRITE_KIND = "write"        # another file written by a task (start_write: a big palette)


class WindowSave:
    """Start a save task, hear its end, run what waited for it (see module docstring)."""

    _save_out: str | None = None
    _after_save = None          # fn() to run once the save task wrote its file
    _saver = None               # the TaskRunner of a save while a run is paused (paused_saver)

    @property
    def saving(self) -> bool:
        """Is a save task under way (its file not yet complete)?"""
        return (self.runner.busy and self.runner.kind == SAVE_KIND) or (self._saver is not None and self._saver.busy)

    def paused_saver(self):
        """The runner of a Save while a palette's or picture's run is paused: the window's own
        runner holds that run (Resume continues it), and a task started there would end it.
        The same mechanism (gui/tasks.TaskRunner), a second instance; the save writes a copy of
        the map taken when Save was pressed, so Resume may go on meanwhile (the map is then not
        its file's: still unsaved).  Its end is heard as the window runner's save is."""
        if self._saver is None:
            from somdesk.gui.tasks import TaskRunner

            self._saver = TaskRunner(self)
            self._saver.finished.connect(lambda _k, result, stopped: self._saver_ended(result, stopped))
            self._saver.failed.connect(lambda _k, message, details: self._saver_failed(message, details))
        return self._saver

    def _saver_ended(self, result, stopped: bool) -> None:
        self.save_finished(result, stopped)
        self.refresh()

    def _saver_failed(self, message: str, details: str) -> None:
        self.save_failed()
        self.show_error(message, details)
        self.refresh()

    def start_save(self, path: str, steps, runner=None) -> bool:
        """Run `steps(token)` (Session.save_steps) as a task of `runner` (default the window's),
        writing `path`; False with the message said when that runner is busy (one task at a
        time: starting would stop it).  True when the task started: its end says "Saved
        x.somz." (save_finished)."""
        from somdesk.gui.task_words import wait_message

        runner = runner if runner is not None else self.runner
        if runner.busy:
            self.show_error(wait_message(runner, "saving the map"))
            return False
        self._save_out, self._after_save = path, None
        self.statusBar().showMessage(f"Saving {display_basename(path)}…")
        runner.start(SAVE_KIND, lambda token: steps(token))
        self.refresh()
        return True

    def stop_saving(self, wait: bool = True, timeout_s: float | None = None) -> None:
        """At close: the paused run's save task (if any) stops, the old file as it was."""
        if self._saver is not None:
            self._saver.shutdown(wait=wait, timeout_s=timeout_s)

    def after_save(self, fn) -> None:
        """Run `fn()` once the save under way has written its file (replaces one set before);
        it is dropped when the save fails or is stopped."""
        self._after_save = fn

    def save_finished(self, result, stopped: bool) -> None:
        """The save task ended (window_runs._on_finished) with `result`, the path written (a Stop
        that came after the last piece: written all the same), or None: a Stop left the old file
        as it was."""
        path, then = self._save_out or "", self._after_save
        self._after_save = None
        if result is None:
            self.statusBar().showMessage(f"Save stopped: {display_basename(path)} was not written "
                                         "(a file of that name is as it was).", 10000)
            return
        self.files.remember(path)
        if self.session.kind != "table":
            self.undo.setClean()             # the map holds the edited colours
        self.statusBar().showMessage(f"Saved {display_basename(path)}.", 5000)
        if then is not None:      # after every listener of the task's end has run (the dock's too)
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, self, then)

    # -- other files written by a task ------------------------------------------------------------
    def start_write(self, path: str, what: str, write, done) -> bool:
        """Run `write()` (it writes `path` atomically and returns a value) as the window's task,
        then `done(value)` in the GUI thread; `what` names it for the progress line and a Stop
        ("Save palette as"); False, with the message said, while another task runs."""
        from somdesk.core.cancel import check
        from somdesk.gui.task_words import wait_message
        from somdesk.session.progress import Progress

        if self.runner.busy:
            self.show_error(f"{what} of this many colours runs as a task. "
                            + wait_message(self.runner, "writing it"))
            return False
        self._write_out, self._write_what, self._write_done = path, what, done

        def steps(token):
            yield Progress(WRITE_KIND, 0, 0, "", f"writing {display_basename(path)}")
            check(token)
            return (write(),)          # a Stop after this came too late: written all the same
        self.runner.start(WRITE_KIND, steps)
        self.refresh()
        return True

    def write_finished(self, result, stopped: bool) -> None:
        """The task of `start_write` ended: its `done`, or what a Stop left."""
        done, self._write_done = getattr(self, "_write_done", None), None
        if result is None or done is None:
            self.statusBar().showMessage(f"{self._write_what} stopped: {display_basename(self._write_out)} "
                                         "was not written.", 8000)
            return
        done(result[0])

    def save_failed(self) -> None:
        """The save task failed (the message is shown): nothing waits for it any more."""
        self._after_save = None
