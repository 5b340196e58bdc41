"""testerW (15th session) #2: closing the window during the first Train after an install froze it
for 152 s -- the run was inside numba's compile of the kernels, which reads no stop flag, and the
close joined it.  A closing window now waits at most CLOSE_WAIT_S for its tasks; the one left
runs to its end unseen (the application's exit does not wait for it either: test_quit_during_tasks)."""
from __future__ import annotations

import threading
import time

import numpy as np

from somdesk.core import SOMConfig
from somdesk.gui.tasks import live_workers
from somdesk.gui.window import CLOSE_WAIT_S

from tests.timing import load_scaled


def test_close_does_not_wait_for_a_compile(qtbot, monkeypatch):
    from somdesk.gui.window import Window
    from somdesk.session import runs

    entered, release = threading.Event(), threading.Event()

    def compiling() -> float:          # like numba's compile: no stop flag is read
        entered.set()
        release.wait(60)
        return 0.0

    monkeypatch.setattr(runs, "warm_kernels", compiling)
    win = Window(interactive=False, confirm_unsaved=False)
    qtbot.addWidget(win)
    win.show()
    win.session.new_colours(np.random.default_rng(0).random((20, 3)))
    win.left.params.set_config(SOMConfig(width=10, height=10, iterations=50, seed=1))
    win.train()
    assert entered.wait(10)
    worker = live_workers()[0]
    t0 = time.perf_counter()
    win.close()
    took = time.perf_counter() - t0
    try:
        assert not win.isVisible()
        assert took < load_scaled(CLOSE_WAIT_S + 0.3), f"close took {took:.2f} s"
        assert not worker.ended                      # left behind, not joined
    finally:
        release.set()
    assert worker.wait(10)                           # it ends by itself once the compile is over
    assert not live_workers()
