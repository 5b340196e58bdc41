"""Training as a generator (gui.training) and the controller over the task adapter.

The generator is driven on the main thread here (Orange's way); the threaded
behaviour is in test_tasks.py and the tests below that use the controller.
"""
from __future__ import annotations

import sys

import numpy as np
import pytest

from somdesk.core import SOM, SOMConfig
from somdesk.core.cancel import CancelToken
from somdesk.errors import Cancelled, SomdeskError
from somdesk.gui import _compat
from somdesk.gui.controller import IDLE, PAUSED, TrainingController
from somdesk.gui.tasks import live_workers as running_threads
from somdesk.gui.training import RunControl, make_snapshot, train_states

from .helpers import FIRST_RUN_TIMEOUT_MS


def _som(w=12, h=9, iterations=40, **kw):
    data = np.random.default_rng(1).random((15, 3))
    return SOM(data, SOMConfig(width=w, height=h, iterations=iterations, seed=11, **kw))


def _drive(som, control, token=None, on_snap=None):
    """Run train_states to its end on this thread: (snapshots, final)."""
    token = token or CancelToken()
    gen = train_states(som, token, control)
    snaps = []
    while True:
        try:
            value = next(gen)
        except StopIteration as end:
            snaps.append(end.value)
            return snaps, end.value
        if value is not None:
            snaps.append(value)
            if on_snap is not None:
                on_snap(value, token)


def test_run_delivers_the_final_state_as_copies():
    som = _som()
    snaps, final = _drive(som, RunControl(pace=None))
    assert final.final and not final.stopped
    assert final.iteration == final.total == 40 and som.done
    np.testing.assert_array_equal(final.weights, som.weights)
    assert not np.shares_memory(final.weights, som.weights)
    assert final.bmus.shape == (15, 2) and final.hits.sum() == 15
    assert final.measures[-1][0] == 40              # QE/TE of the final state, always
    qe, te = final.measures[-1][1:]
    assert qe == pytest.approx(som.quantization_error()) and te == pytest.approx(som.topographic_error())
    # every snapshot owns its weights: none is a view of another or of the SOM
    assert all(not np.shares_memory(a.weights, b.weights) for a, b in zip(snaps, snaps[1:]))


def test_snapshots_are_throttled():
    snaps, final = _drive(_som(iterations=3000), RunControl(pace=None, fps=5))
    assert len(snaps) <= 5 * final.elapsed + 3          # ~fps per second, plus the final one
    assert final.iteration == 3000


def test_pace_slows_the_run_down():
    _, final = _drive(_som(iterations=30), RunControl(pace=100.0))
    assert final.elapsed >= 0.25               # 30 epochs at 100 per second ~ 0.3 s


def test_a_cancelled_token_stops_between_and_inside_epochs():
    som = _som(iterations=10_000)
    with pytest.raises(Cancelled):
        _drive(som, RunControl(pace=None, fps=1000), on_snap=lambda s, tok: tok.cancel())
    assert 0 < som.iteration < 10_000


def test_measures_in_chunks_equal_the_core_definitions(monkeypatch):
    from somdesk.gui import training
    som = _som(w=30, h=20)
    som.train()
    monkeypatch.setattr(training, "CHUNK_WORK", 600 * 4)      # 4 inputs per chunk
    _, qe, te = training.measure(som, CancelToken())
    assert qe == pytest.approx(som.quantization_error()) and te == pytest.approx(som.topographic_error())
    snap = training.make_snapshot(som, token=CancelToken())
    np.testing.assert_array_equal(snap.hits, som.hit_counts())


def test_core_errors_and_bugs_propagate_to_the_adapter(monkeypatch):
    som = _som()
    monkeypatch.setattr(som, "step", lambda **kw: (_ for _ in ()).throw(SomdeskError("bad input, clearly")))
    with pytest.raises(SomdeskError, match="bad input, clearly"):
        _drive(som, RunControl(pace=None))


def test_errors_reach_the_window_as_signals(qtbot, monkeypatch):
    som = _som()
    controller = TrainingController()
    monkeypatch.setattr(som, "step", lambda **kw: 1 / 0)
    with qtbot.waitSignal(controller.failed, timeout=FIRST_RUN_TIMEOUT_MS) as failed:
        controller.start(som)
    message, details = failed.args
    assert message.startswith("Unexpected error") and "ZeroDivisionError" in details
    assert controller.state == IDLE


def test_paused_worker_steps_one_iteration_at_a_time(qtbot):
    # Worker signals are waited on through the controller, whose slots run in the
    # GUI thread: a plain Python callable connected straight to a signal of an
    # object in another thread is called in THAT thread by PySide6.
    som = _som(iterations=500)
    controller = TrainingController()
    snaps = []
    controller.snapshot_ready.connect(snaps.append)
    controller.start(som, paused=True)
    try:
        qtbot.wait(100)
        assert som.iteration == 0 and controller.state == PAUSED
        for expected in (1, 2, 3):
            with qtbot.waitSignal(controller.snapshot_ready, timeout=FIRST_RUN_TIMEOUT_MS):
                controller.step()
            assert snaps[-1].iteration == expected
            assert len(snaps[-1].measures) == 1       # a single step is always measured
        qtbot.wait(100)
        assert som.iteration == 3
        with qtbot.waitSignal(controller.finished, timeout=FIRST_RUN_TIMEOUT_MS) as done:
            controller.resume()
        assert done.args[0].iteration == 500 and controller.state == IDLE
    finally:
        controller.shutdown()
    assert not running_threads()


def test_a_worker_replaced_by_a_new_one_is_ignored(qtbot):
    controller = TrainingController()
    finished = []
    controller.finished.connect(finished.append)
    first, second = _som(iterations=100_000), _som(iterations=50)
    controller.start(first)
    with qtbot.waitSignal(controller.finished, timeout=FIRST_RUN_TIMEOUT_MS):
        controller.start(second)                      # Train again while running
    qtbot.wait(50)
    assert [s.total for s in finished] == [50]        # nothing from the replaced run
    assert first.iteration < 100_000 and not running_threads()


def test_preview_snapshot_skips_the_bmu_search(qapp):
    snap = make_snapshot(_som(), with_bmus=False, view="umatrix")
    assert snap.bmus is None and snap.hits is None and snap.umatrix.shape == (9, 12)
    assert snap.iteration == 0


def test_pyside_calls_do_not_free_none_or_true():
    """PySide6 6.12 drops references to None (void methods) and True (emit);
    _compat must keep both alive, or the process aborts a few seconds into a run."""
    from PySide6.QtCore import QObject, Signal

    class E(QObject):
        s = Signal(object)

    e = E()
    for _ in range(20_000):
        e.s.emit(1)
        e.setObjectName("x")
    assert sys.getrefcount(True) > 1000 and sys.getrefcount(None) > 1000
    if sys.version_info < (3, 12) and _compat.pyside_leaks_singletons():
        assert _compat._APPLIED
