"""tester11 #5: closing the window during a table training run took 3.1 s: an out-of-core run's
preparation is DuckDB queries over every row (staging a CSV as Parquet, statistics, the sample),
none of which looked at the stop, and closing joins the run's thread.  A stop now interrupts the
query under way (io.tables.duckutil.interrupting), so the window is gone well under 1 s after
close(), with no thread left running -- in memory and out of core, training or preparing."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from tests.gui.helpers import open_table_now
from tests.timing import load_scaled

TIMEOUT = 180_000


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    """100,000 rows x 8 numbers in 5 groups (as test_table_stop_latency)."""
    path = tmp_path_factory.mktemp("close") / "big.csv"
    rng = np.random.default_rng(3)
    centres = rng.normal(0, 5, (5, 8))
    x = centres[rng.integers(0, 5, 100_000)] + rng.normal(0, 1, (100_000, 8))
    np.savetxt(path, x, delimiter=",", fmt="%.4f", header=",".join(f"f{k}" for k in range(8)), comments="")
    return path


def _grow(path, copies: int) -> None:
    """`path` made `copies` times as long (its rows again, DuckDB's COPY: seconds, not minutes)."""
    import duckdb

    out = str(path) + ".tmp"
    con = duckdb.connect()
    try:
        con.execute(f"COPY (SELECT t.* FROM read_csv('{path}') t, range({copies})) TO '{out}' (HEADER)")
    finally:
        con.close()
    import os
    os.replace(out, path)


def _threads_left(before) -> list:
    """The window's tasks still running, and our own (not daemon) threads started since `before`
    (the thread pools' idle daemon threads stay: they run nothing)."""
    from somdesk.gui import tasks

    return [w.kind for w in tasks.live_workers()] + [
        t.name for t in threading.enumerate() if t.is_alive() and t not in before and not t.daemon]


@pytest.mark.parametrize("case", ["in memory", "out of core", "out of core, preparing"])
def test_close_during_a_big_table_run_is_at_once(qtbot, big_csv, tmp_path, case):
    from PySide6.QtWidgets import QApplication

    from somdesk.gui.window import WINDOWS, Window

    path = big_csv
    if case == "out of core, preparing":       # 2 million rows: staging them takes seconds
        path = tmp_path / "huge.csv"
        path.write_bytes(big_csv.read_bytes())
    before = set(threading.enumerate())
    win = Window(interactive=False, confirm_unsaved=False)
    qtbot.addWidget(win)
    win.show()
    wf = win.tables
    assert open_table_now(qtbot, wf, path, timeout_ms=TIMEOUT)
    if case == "out of core, preparing":
        _grow(path, 20)                         # the window read 100,000 rows; the run reads them all
    wf.setup.height.setValue(45)
    wf.setup.width.setValue(45)
    wf.setup.epochs.setValue(200)
    wf.out_of_core.setChecked(case != "in memory")
    assert wf.train()
    if case == "in memory":
        qtbot.waitUntil(lambda: any(f"training: {k} of" in win.progress_label.text() for k in (2, 3)),
                        timeout=TIMEOUT)
    elif case == "out of core":
        qtbot.waitUntil(lambda: "Epoch 2 of" in wf.scale_label.text() + win.progress_label.text()
                        or "Epoch 3 of" in wf.scale_label.text() + win.progress_label.text(), timeout=TIMEOUT)
    else:
        qtbot.wait(800)                         # in the preparation: staging 2 million rows
        assert win.runner.busy and "Epoch" not in wf.scale_label.text() + win.progress_label.text()
    t0 = time.perf_counter()
    assert win.close()
    took = time.perf_counter() - t0
    QApplication.processEvents()
    assert not win.isVisible() and win not in WINDOWS
    print(f"{case}: close took {took * 1000:.0f} ms")
    assert took < load_scaled(0.5), f"close took {took * 1000:.0f} ms"
    assert not _threads_left(before), _threads_left(before)
