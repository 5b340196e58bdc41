"""Issue 16 in the window: a table over the in-memory limit trains out of core, one epoch per
step, with progress per chunk, Stop inside an epoch, live views on a sample, and the same
weights as `somdesk train --table DATA --mode batch --out-of-core` for the same seed."""
from __future__ import annotations

from tests.gui.helpers import open_table_now

import os
import subprocess
import sys

import numpy as np
import pytest

TIMEOUT = 180_000
N = 3000


def _data(tmp_path, fmt):
    import duckdb

    rng = np.random.default_rng(11)
    g = rng.integers(0, 3, N)
    x = np.array([[0, 0, 0, 0], [5, 5, 0, 1], [0, 5, 5, 3]], float)[g] + rng.normal(0, 1, (N, 4))
    cols = {c: x[:, j] for j, c in enumerate("abcd")}
    cols["kind"] = np.array([f"k{v}" for v in g], dtype=object)
    path = tmp_path / f"big.{fmt}"
    con = duckdb.connect()
    con.register("t", cols)
    con.execute(f"COPY (SELECT * FROM t) TO '{path}' (FORMAT {fmt})")
    con.close()
    return str(path)


@pytest.fixture
def small_limit(monkeypatch):
    """An in-memory limit of 1,000 rows and 700-row chunks, so a 3,000-row table is 'large'."""
    from somdesk.gui import table_scale
    from somdesk.io.tables import table

    monkeypatch.setattr(table, "DEFAULT_MAX_ROWS", 1000)
    monkeypatch.setattr(table_scale, "CHUNK_ROWS", 700)



def _open(qtbot, win, path, h=4, w=5, epochs=6):
    wf = win.tables
    assert open_table_now(qtbot, wf, path)
    assert wf.table.sampled and wf.table.n_rows == 1000 and wf.table.n_rows_total == N
    assert not wf.out_of_core.isChecked()             # the default map is the CLI's: the sample (tester8 #15)
    wf.out_of_core.setChecked(True)
    assert wf.setup.label.currentData() == "kind"
    wf.setup.height.setValue(h)
    wf.setup.width.setValue(w)
    wf.setup.epochs.setValue(epochs)
    return wf


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_out_of_core_in_the_window_equals_the_cli(qtbot, win, tmp_path, small_limit, fmt):
    from somdesk.session.outofcore_table import StreamProgress
    from somdesk.session.scoring import load_table_map

    path = _data(tmp_path, fmt)
    wf = _open(qtbot, win, path)
    seen, notes = [], []

    def on_yield(kind, value):
        if isinstance(value, StreamProgress):
            seen.append(value)
            notes.append(wf.scale_label.text())
    win.runner.yielded.connect(on_yield)
    assert wf.train()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert win.last_error is None, win.last_error
    tm = wf.tm
    assert tm is not None and tm.config.iterations == 6 and tm.codebook.shape[:2] == (4, 5)
    assert any(p.chunk > 0 and p.chunks == 5 for p in seen)           # progress inside the epoch
    assert any(p.codebook is not None and p.sample_hits.sum() == N for p in seen)   # live view: the sample
    assert any(f"all {N:,} rows out of core" in t and f"sample of {N:,}" in t for t in notes)
    assert any("left" in t and "Epoch 3 of 6" in t for t in notes)      # a time estimate after whole epochs
    assert not any("left" in t for t in notes if "Epoch 1 of 6" in t)   # none before the first epoch ends
    assert int(wf.all_hits.sum()) == N                                # every row counted at the end
    assert len(wf.assigned["segment"]) == 1000                        # the rows in memory
    wf.map_choice.setCurrentText("hits")
    assert wf._scalar().sum() == N
    assert "Trained on all 3,000 rows out of core" in wf.scale_label.text()

    out = tmp_path / "cli.somz"
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    r = subprocess.run([sys.executable, "-m", "somdesk", "train", "--table", path, "--mode", "batch",
                        "--out-of-core", "--chunk-rows", "700", "--columns", "a,b,c,d", "--label", "kind",
                        "--height", "4", "--width", "5", "--epochs", "6", "--seed", "0", "--save-map", str(out),
                        "--quiet"], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    cli = load_table_map(out)
    np.testing.assert_allclose(tm.codebook, cli.codebook, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(tm.clusters, cli.clusters)


def test_stop_ends_inside_an_epoch(qtbot, win, tmp_path, small_limit, monkeypatch):
    import threading
    import time

    from somdesk.gui import table_scale
    from somdesk.session import outofcore

    monkeypatch.setattr(table_scale, "CHUNK_ROWS", 300)             # 10 chunks per epoch
    calls = []
    slow = outofcore.TableMapRule.partition_sums

    def counted(*a, **k):
        calls.append(threading.get_ident())
        time.sleep(0.03)
        return slow(*a, **k)
    monkeypatch.setattr(outofcore.TableMapRule, "partition_sums", staticmethod(counted))
    path = _data(tmp_path, "parquet")
    # 12 epochs: the stop comes in epoch 2, and Train then runs the rest, 10 chunks an epoch, each
    # read through a DuckDB database of its own (~0.1 s): with 40 the rest was ~380 reads (~30 s)
    wf = _open(qtbot, win, path, epochs=12)
    stopped_at = []

    from somdesk.session.outofcore_table import StreamProgress

    def on_yield(kind, value):
        if isinstance(value, StreamProgress) and value.done >= 1 and 2 <= value.chunk < 8 and not stopped_at:
            stopped_at.append(len(calls))
            win.runner.stop()
    win.runner.yielded.connect(on_yield)
    assert wf.train()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert stopped_at, "no progress inside an epoch arrived"
    assert len(calls) - stopped_at[0] <= 2          # at most the chunk under way (and one racing it)
    assert len(calls) % 10 != 0                     # ended part way through an epoch
    # the whole epochs trained are kept, as in memory: measured over every row, Train continues them
    assert win.last_error is None and wf.tm is not None and wf.ws.stopped
    kept = wf.tm.epochs_done
    assert 1 <= kept < 12 and int(wf.all_hits.sum()) == N
    assert "Train continues it" in win.statusBar().currentMessage()
    assert f"Stopped after epoch {kept} of 12 (Train continues it), trained on all 3,000 rows" in wf.scale_label.text()
    win.runner.yielded.disconnect(on_yield)
    monkeypatch.setattr(outofcore.TableMapRule, "partition_sums", staticmethod(slow))
    wf.setup.epochs.setValue(12)                    # the same spec: it goes on from epoch `kept`
    first = []
    win.runner.yielded.connect(lambda kind, v: first.append(v.done) if isinstance(v, StreamProgress) else None)
    assert wf.train()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert win.last_error is None and wf.tm.finished and first[0] == kept and first[-1] == 12
    assert "Trained on all 3,000 rows out of core" in wf.scale_label.text()


def test_out_of_core_refuses_what_it_cannot_do(qtbot, win, tmp_path, small_limit):
    wf = _open(qtbot, win, _data(tmp_path, "parquet"))
    wf.setup.set_column("a", categorical=True)      # numbers forced categorical: in memory only
    assert not wf.train()
    assert "only text columns" in win.last_error
    assert not win.runner.busy


def test_stop_during_the_start_weights_pass(qtbot, win, tmp_path, small_limit, monkeypatch):
    """The pass before epoch 1 (pca start: mean and covariance chunk by chunk) stops too."""
    import time

    from somdesk.gui import table_scale
    from somdesk.session import outofcore

    monkeypatch.setattr(table_scale, "CHUNK_ROWS", 300)
    calls = []
    moments = outofcore.partition_moments

    def slow(*a, **k):
        calls.append(1)
        time.sleep(0.05)
        return moments(*a, **k)
    monkeypatch.setattr(outofcore, "partition_moments", slow)
    wf = _open(qtbot, win, _data(tmp_path, "parquet"))
    assert wf.train()
    qtbot.waitUntil(lambda: len(calls) >= 2, timeout=TIMEOUT)
    win.runner.stop()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert len(calls) < 10 and wf.tm is None and win.last_error is None
    # tester3 F5: the dock no longer says "Training on all ... rows" after the stop
    assert "Training on all" not in wf.scale_label.text()
    assert "Stopped before the first epoch ended: nothing was kept" in win.statusBar().currentMessage()


def test_a_failing_run_leaves_no_progress_line(qtbot, win, tmp_path, small_limit, monkeypatch):
    """tester4 F1: an out-of-core run that failed left "Training on all N rows out of core"
    over an empty map and "segment…" in the status bar; the window shows the error and the
    dock what is shown again."""
    from somdesk.errors import FileFormatError
    from somdesk.session import outofcore

    def broken(*a, **k):
        raise FileFormatError("big.parquet: the file changed while it was read")
    monkeypatch.setattr(outofcore, "partition_moments", broken)
    wf = _open(qtbot, win, _data(tmp_path, "parquet"))
    assert wf.train()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert "the file changed while it was read" in win.last_error
    assert "Training on all" not in wf.scale_label.text()
    assert win.progress_label.text() == ""
    assert wf.tm is None and wf.tabs.currentIndex() == 0      # back on Setup, not an empty map
    assert win.statusBar().currentMessage() == "Training failed; nothing was kept."
