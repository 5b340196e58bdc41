"""The training worker, mostly without threads: run() on the main thread (Orange's way)."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from somdesk.core import SOM, SOMConfig
from somdesk.errors import SomdeskError
from somdesk.gui import _compat
from somdesk.gui.controller import IDLE, PAUSED, TrainingController
from somdesk.gui.worker import TrainingWorker, make_snapshot, running_threads

from .helpers import FIRST_RUN_TIMEOUT_MS


def _som(w=12, h=9, iterations=40, **kw):
    data = np.random.default_rng(1).random((15, 3))
    return SOM(data, SOMConfig(width=w, height=h, iterations=iterations, seed=11, **kw))


def _collect(worker):
    snaps, finals, failures = [], [], []

    def on_snap(s):
        snaps.append(s)
        worker.snapshot_consumed()

    worker.snapshot_ready.connect(on_snap)
    worker.finished.connect(finals.append)
    worker.failed.connect(lambda m, d: failures.append((m, d)))
    return snaps, finals, failures


def test_run_delivers_the_final_state_as_copies(qapp):
    som = _som()
    worker = TrainingWorker(som, pace=None)
    snaps, finals, failures = _collect(worker)
    worker.run()
    assert not failures
    assert len(finals) == 1 and snaps[-1] is finals[0]
    final = finals[0]
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


def test_snapshots_are_throttled(qapp):
    worker = TrainingWorker(_som(iterations=3000), pace=None, fps=5)
    snaps, finals, _ = _collect(worker)
    worker.run()
    elapsed = finals[0].elapsed
    assert len(snaps) <= 5 * elapsed + 3          # ~fps per second, plus the final one
    assert finals[0].iteration == 3000


def test_pace_slows_the_run_down(qapp):
    worker = TrainingWorker(_som(iterations=30), pace=100.0)
    _, finals, _ = _collect(worker)
    worker.run()
    assert finals[0].elapsed >= 0.25               # 30 iterations at 100 it/s ~ 0.3 s


def test_stop_flag_is_checked_between_iterations(qapp):
    som = _som(iterations=10_000)
    worker = TrainingWorker(som, pace=None, fps=1000)
    snaps, finals, _ = _collect(worker)
    worker.snapshot_ready.connect(lambda s: worker.request_stop())
    worker.run()
    assert finals[0].stopped and finals[0].final
    assert som.iteration < 10_000


def test_core_errors_and_bugs_become_failed(qapp, monkeypatch):
    som = _som()
    worker = TrainingWorker(som)
    _, finals, failures = _collect(worker)
    monkeypatch.setattr(som, "step", lambda: (_ for _ in ()).throw(SomdeskError("bad input, clearly")))
    worker.run()
    assert failures == [("bad input, clearly", "")] and not finals

    worker = TrainingWorker(som)
    _, _, failures = _collect(worker)
    monkeypatch.setattr(som, "step", lambda: 1 / 0)
    worker.run()
    (message, details), = failures
    assert message.startswith("Unexpected error") and "ZeroDivisionError" in details


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
    assert controller._retired == []                  # released once its last signal arrived


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
