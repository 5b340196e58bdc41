"""Python's cyclic garbage collection runs on the window's thread only, and in short pieces
(gui/gc_guard.py): pyqtgraph's 0.5 s timer held the window 50-260 ms a collection while a worker
allocated (a table run, a saved map's first measure loading numba's kernels), and each of its full
collections scanned every object of the imported modules (~0.17 s)."""
from __future__ import annotations

import gc
import threading
import time

import numpy as np
import pytest

from somdesk.gui import gc_guard
from tests.gui.helpers import open_and_wait, open_table_now
from tests.timing import load_scaled


class _Collections:
    """Every collection while it is on: (generation, seconds, thread name)."""

    def __init__(self):
        self.seen, self._start = [], {}
        gc.callbacks.append(self._cb)

    def _cb(self, phase, info):
        me = threading.current_thread().name
        if phase == "start":
            self._start[me] = time.perf_counter()
        else:
            self.seen.append((info["generation"], time.perf_counter() - self._start.pop(me), me))

    def stop(self):
        gc.callbacks.remove(self._cb)


@pytest.fixture
def settled():
    """As the app after start-up (gui/app.main): what is alive now frozen; thawed afterwards, so
    the next tests' collections find this process's objects again."""
    gc_guard.settle()
    yield
    gc.unfreeze()


def test_collections_are_made_by_the_timer_and_a_settle_freezes_start_up(qtbot, settled):
    assert not gc.isenabled() and gc.get_freeze_count() > 0
    seen = _Collections()
    try:
        class Node:
            pass
        for _ in range(2_000):              # cyclic garbage: found by the timer's young collections
            a, b = Node(), Node()
            a.other, b.other = b, a
        qtbot.waitUntil(lambda: gc.get_count()[0] < 700, timeout=5_000)
    finally:
        seen.stop()
    assert seen.seen and all(s[2] == "MainThread" for s in seen.seen)
    assert max(s[0] for s in seen.seen) < 2          # no full collection for a little garbage


def test_a_surge_of_young_objects_is_frozen_not_scanned(qtbot, settled):
    """A worker loading modules or kernels makes tens of thousands of long-lived objects at once:
    frozen at the next tick instead of scanned (a 0.1-0.3 s young collection)."""
    collector = gc_guard.install()
    before, surges = gc.get_freeze_count(), len(collector.surges)
    kept = [[i] for i in range(gc_guard.SURGE + 5_000)]         # lists: objects the collector tracks
    qtbot.waitUntil(lambda: len(collector.surges) > surges, timeout=5_000)
    assert gc.get_freeze_count() >= before + len(kept)
    assert not any(gc.is_tracked(k) and k in gc.get_objects(0) for k in kept[:3])


def test_no_long_collection_on_the_window_thread_while_tables_and_maps_open_and_train(qtbot, win, tmp_path, settled):
    """A table of 100,000 x 20 opened and trained, a saved 200 x 200 map opened: every collection
    on the window's thread, none over 50 ms (load-scaled)."""
    import duckdb

    from somdesk.core.options import SOMConfig
    from somdesk.core.som import SOM
    from somdesk.io.mapfile import save_map

    table = tmp_path / "t.csv"
    cols = ", ".join(f"round(random() * {j + 1}, 4) AS c{j}" for j in range(18))
    con = duckdb.connect()
    con.execute(f"COPY (SELECT {cols}, CASE WHEN random() < 0.5 THEN 'red' ELSE 'blue' END AS colour, "
                f"'w' || (range % 1000)::VARCHAR AS word FROM range(100000)) TO '{table}' (HEADER, DELIMITER ',')")
    con.close()
    somz = tmp_path / "m.somz"
    som = SOM(np.random.default_rng(0).random((200, 3)), SOMConfig(width=200, height=200, iterations=2, seed=1))
    som.train()
    save_map(som, somz)
    gc_guard.settle()                       # what this test made so far is not the window's
    seen = _Collections()
    try:
        wf = win.tables
        assert open_table_now(qtbot, wf, table)
        qtbot.waitUntil(lambda: not wf.auto_line.busy, timeout=120_000)
        wf.setup.height.setValue(12)
        wf.setup.width.setValue(12)
        wf.setup.epochs.setValue(3)
        assert wf.train()
        qtbot.waitUntil(lambda: not win.runner.busy, timeout=180_000)
        assert open_and_wait(qtbot, win, somz)
        qtbot.wait(500)
    finally:
        seen.stop()
    assert win.last_error is None, win.last_error
    assert seen.seen, "no collection at all: the timer is not running"
    elsewhere = [s for s in seen.seen if s[2] != "MainThread"]
    assert not elsewhere, elsewhere
    longest = max(s[1] for s in seen.seen)
    print(f"{len(seen.seen)} collections, longest {longest * 1000:.0f} ms "
          f"(generation {max(seen.seen, key=lambda s: s[1])[0]}); frozen surges: {gc_guard.install().surges}")
    assert longest < load_scaled(0.05), (f"a collection held the window {longest * 1000:.0f} ms",
                                         sorted(seen.seen, key=lambda s: -s[1])[:5])
