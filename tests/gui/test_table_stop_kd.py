"""tester13 #1 in the window: Stop while a table run's epoch is inside the kd-tree BMU search
(few columns, a big map: core.kernels' tree path) ended the task only when the search ended
(34 s on a 1,000,000-row table).  The stop is now seen inside the search."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from tests.gui.helpers import open_table_now
from tests.timing import load_scaled

TIMEOUT = 180_000


@pytest.fixture(scope="module")
def wide_map_csv(tmp_path_factory):
    """150,000 rows x 4 numbers: on a 100 x 90 map each epoch's BMUs come from the kd-tree
    (4 <= kernels.TREE_MAX_DIM columns, 150,000 x 9,000 pairs) and take seconds."""
    path = tmp_path_factory.mktemp("kdstop") / "rows.csv"
    x = np.random.default_rng(5).normal(size=(150_000, 4))
    np.savetxt(path, x, delimiter=",", fmt="%.4f", header="a,b,c,d", comments="")
    return path


@pytest.fixture
def in_kd_search(monkeypatch):
    """Set while some thread is inside kernels._kd_rows (the compiled search). A marker, not a
    look at the worker's stack from this thread: reading another running thread's frames
    (sys._current_frames) can crash Python 3.11 (fixS, fourteenth session)."""
    from somdesk.core import kernels

    inside, real = threading.Event(), kernels._kd_rows

    def marked(*args, **kwargs):
        inside.set()
        try:
            return real(*args, **kwargs)
        finally:
            inside.clear()

    monkeypatch.setattr(kernels, "_kd_rows", marked)
    return inside


def test_stop_inside_the_kd_tree_search_ends_the_table_task_at_once(qtbot, win, wide_map_csv, in_kd_search):
    wf = win.tables
    assert open_table_now(qtbot, wf, wide_map_csv, timeout_ms=TIMEOUT)
    wf.setup.height.setValue(90)
    wf.setup.width.setValue(100)
    wf.setup.epochs.setValue(5)
    ends = []
    win.runner.finished.connect(lambda kind, result, stopped: ends.append((time.perf_counter(), stopped)))
    assert wf.train()
    qtbot.waitUntil(in_kd_search.is_set, timeout=TIMEOUT)       # the stop lands inside the search
    qtbot.wait(300)
    assert in_kd_search.is_set() and not ends, "the search ended before the stop: the test proves nothing"
    t0 = time.perf_counter()
    win.stop_task()
    qtbot.waitUntil(lambda: len(ends) >= 1, timeout=TIMEOUT)
    took = ends[0][0] - t0
    assert ends[0][1]                                      # stopped
    print(f"stop inside the kd search: {took * 1000:.0f} ms")
    assert took < load_scaled(0.5), f"Stop took {took * 1000:.0f} ms"
    if win.runner.busy:          # stopped after whole epochs: their measuring is a task of its own
        win.stop_task()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
