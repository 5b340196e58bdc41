"""Helpers shared by the GUI tests: the one window (gui/window.py) set up for a test."""
from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from somdesk.core import SOMConfig

FIRST_RUN_TIMEOUT_MS = 120_000  # the first step of a process may compile/load numba kernels; a shared machine at load 13 took over 30 s


def make_window(qtbot, colours=None, config: SOMConfig | None = None, speed: str | None = "max", *,
                settings: bool = True, interactive: bool = False):
    """A shown `Window` with its own throw-away settings (conftest.temp_settings), `colours`
    as its inputs (random ones if None) and `config` as its map settings."""
    from somdesk.gui.settings import Settings
    from somdesk.gui.window import Window

    win = Window(interactive=interactive, confirm_unsaved=False, settings=Settings() if settings else None)
    qtbot.addWidget(win)
    if colours is not None:
        win.session.new_colours(colours, title="test colours")
    else:
        win.new_colours()
    if config is not None:
        win.left.params.set_config(config)
        win.session.set_config(config)
    if speed is not None:
        win.set_speed(speed)
    win.show()
    QApplication.processEvents()
    return win


def wait_idle(qtbot, win, timeout: int = FIRST_RUN_TIMEOUT_MS) -> None:
    """Until the window's task (open, train, quantise, cluster) has ended and its results are in."""
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=timeout)
    QApplication.processEvents()
    qtbot.waitUntil(lambda: not win._redraw.isActive(), timeout=2000)    # the last map drawn


def train(qtbot, win, timeout: int = FIRST_RUN_TIMEOUT_MS):
    """Train (Ctrl+T) to the end; returns the session's map."""
    win.train()
    wait_idle(qtbot, win, timeout)
    return win.session.map


def save_now(qtbot, win, save, timeout: int = FIRST_RUN_TIMEOUT_MS) -> bool:
    """Call `save()` (File > Save, the dock's Save table map ...) and wait for the save task it
    starts (gui/window_save.py) to end; True when it started and wrote its file."""
    win.last_error = None
    if not save():
        return False
    qtbot.waitUntil(lambda: not win.saving, timeout=timeout)
    QApplication.processEvents()
    return win.last_error is None and win.statusBar().currentMessage().startswith("Saved")


def open_and_wait(qtbot, win, *paths) -> bool:
    ok = win.open_paths([str(p) for p in paths])
    wait_idle(qtbot, win)
    return ok



def open_table_now(qtbot, wf, path, timeout_ms: int = 120_000) -> bool:
    """`wf.open_table(path, preview=False)` (the whole read is a task on the window's runner),
    then wait for it: True when the table reached the session."""
    if not wf.open_table(str(path), preview=False):
        return False
    qtbot.waitUntil(lambda: not wf.win.runner.busy, timeout=timeout_ms)
    return wf.table is not None


class GapMeter:
    """A QTimer ticking every `interval_ms` on the GUI thread: the longest gap between its ticks
    (`longest`, seconds) is the longest stall of the window; `all` keeps the gaps over 0.1 s as
    (seconds, when).  `from_start`: the first gap is counted from now, else from the first tick.
    `cpu_longest`: the most CPU time the GUI thread spent between two ticks (time.thread_time),
    the work that held it, which other processes on a loaded machine barely change.
    Stop it with `timer.stop()`."""

    def __init__(self, interval_ms: int = 5, from_start: bool = True):
        self.last, self.longest = (time.perf_counter() if from_start else None), 0.0
        self.cpu_last, self.cpu_longest = time.thread_time(), 0.0
        self.all: list[tuple[float, float]] = []
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        if self.last is not None:
            self.cpu_longest = max(self.cpu_longest, cpu - self.cpu_last)
        self.cpu_last = cpu
        if self.last is not None:
            self.longest = max(self.longest, now - self.last)
            if now - self.last > 0.1:
                self.all.append((round(now - self.last, 3), round(self.last, 3)))
        self.last = now


def save_colour_map(path, width: int = 3, height: int = 2):
    """A small trained palette map (5 colours, seed 1, 2 epochs) saved as .somz at `path`, made by
    the Qt-free session: what the window's tests open or score with where a colour map is wanted."""
    from somdesk.session import Session

    s = Session()
    s.new_colours(n=5, seed=1)
    s.set_config(s.config.replace(width=width, height=height, iterations=2))
    s.train()
    s.save(path)
    return path
