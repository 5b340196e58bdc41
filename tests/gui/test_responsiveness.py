"""The GUI thread stays responsive while a big map trains in the worker."""
from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QTimer

from somdesk.core import SOMConfig

from .helpers import FIRST_RUN_TIMEOUT_MS, make_window


class GapRecorder:
    """A ~5 ms QTimer on the GUI thread; the longest gap between its ticks is how long
    the event loop was blocked (plus the 5 ms period)."""

    def __init__(self, interval_ms: int = 5):
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.last = None
        self.gaps: list[float] = []

    def _tick(self):
        now = time.perf_counter()
        if self.last is not None:
            self.gaps.append(now - self.last)
        self.last = now

    def start(self):
        self.last = None
        self.timer.start()

    def stop(self):
        self.timer.stop()

    @property
    def longest_ms(self) -> float:
        return 1000 * max(self.gaps) if self.gaps else float("nan")


def test_longest_event_loop_gap_while_a_200x200_map_trains(qtbot, colours):
    win = make_window(qtbot, colours, SOMConfig(width=200, height=200, iterations=1500, seed=1), speed="max")
    try:
        # warm the kernels on a first short run, so the measured run is a steady one
        win.params.set_config(SOMConfig(width=20, height=20, iterations=5, seed=1))
        with qtbot.waitSignal(win.controller.finished, timeout=FIRST_RUN_TIMEOUT_MS):
            win.train()
        win.params.set_config(SOMConfig(width=200, height=200, iterations=1500, seed=1))
        qtbot.wait(200)
        recorder = GapRecorder()
        snaps = []
        win.controller.snapshot_ready.connect(snaps.append)
        recorder.start()
        with qtbot.waitSignal(win.controller.finished, timeout=FIRST_RUN_TIMEOUT_MS) as done:
            win.train()
        recorder.stop()
        assert done.args[0].iteration == 1500
        assert win.canvas.image.image.shape == (200, 200, 4)
        assert len(snaps) >= 5 and len(recorder.gaps) > 50
        print(f"\n200x200: {len(snaps)} snapshots in {done.args[0].elapsed:.2f} s, "
              f"longest GUI gap {recorder.longest_ms:.1f} ms, median {1000 * np.median(recorder.gaps):.1f} ms")
        assert recorder.longest_ms < 100
    finally:
        win.close()
