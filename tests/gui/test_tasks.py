"""The one worker mechanism (somdesk.gui.tasks): real threads, real long passes.

A "pass" here is work that takes tens of seconds and checks the CancelToken
between chunks, as the core's SOM.step(cancel=...) does between inputs.
"""
from __future__ import annotations

import time

import numpy as np
import pytest

from somdesk.core.cancel import CancelToken
from somdesk.errors import SomdeskError
from somdesk.gui import tasks
from tests.timing import load_scaled

LONG_PASS_S = 30.0


def long_pass(token: CancelToken, seconds: float = LONG_PASS_S) -> None:
    """Busy numpy work for `seconds`, checking the token about every millisecond."""
    a = np.random.default_rng(0).random((64, 64))
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        token.check()
        a = a @ a.T
        a /= np.abs(a).max()


def passes(token: CancelToken, log: list, n: int = 3, seconds: float = LONG_PASS_S):
    """A resumable task: `n` long passes, yielding the number done after each."""
    while len(log) < n:
        long_pass(token, seconds)
        log.append(len(log))
        yield len(log)
    return "all done"


def wait_state(qtbot, runner, state, timeout=2000):
    qtbot.waitUntil(lambda: runner.state == state, timeout=timeout)


def test_stop_inside_a_long_pass_within_200_ms(qtbot):
    runner = tasks.TaskRunner()
    log: list = []
    runner.start("train", lambda tok: passes(tok, log), pausable=True)
    time.sleep(0.5)                       # well inside the first 30 s pass
    assert runner.state == "running"
    with qtbot.waitSignal(runner.finished, timeout=5000) as blocker:
        t0 = time.perf_counter()
        runner.stop()
        worker = tasks.live_workers()[0]
        assert worker.wait(1.0)
        took = time.perf_counter() - t0
    assert took < load_scaled(0.2), f"stop took {took * 1000:.0f} ms"
    kind, result, stopped = blocker.args
    assert (kind, result, stopped) == ("train", None, True)
    assert log == []                      # the pass was interrupted, not finished
    assert runner.state == "idle"
    assert tasks.live_workers() == []


def test_shutdown_joins_a_long_pass_at_once(qtbot):
    runner = tasks.TaskRunner()
    heard = []
    runner.finished.connect(lambda *a: heard.append(a))
    runner.start("train", lambda tok: passes(tok, []))
    time.sleep(0.3)
    t0 = time.perf_counter()
    runner.shutdown()                     # a window closing: joins, hears nothing more
    assert time.perf_counter() - t0 < load_scaled(0.2)
    assert tasks.live_workers() == []
    qtbot.wait(50)
    assert heard == [] and runner.state == "idle"


def test_shutdown_all_at_quit(qtbot):
    runners = [tasks.TaskRunner() for _ in range(3)]
    for r in runners:
        r.start("read", lambda tok: passes(tok, []))
    time.sleep(0.3)
    t0 = time.perf_counter()
    assert tasks.shutdown_all()
    assert time.perf_counter() - t0 < load_scaled(0.2)
    assert tasks.live_workers() == []
    qtbot.wait(20)


def test_pause_inside_a_pass_then_resume_redoes_that_pass(qtbot):
    runner = tasks.TaskRunner()
    log: list = []
    runner.start("train", lambda tok: passes(tok, log, n=2, seconds=0.3), pausable=True)
    time.sleep(0.1)
    t0 = time.perf_counter()
    runner.pause()
    qtbot.waitUntil(lambda: tasks.live_workers()[0].token.cancelled or log, timeout=1000)
    # the pass under way is abandoned within one check; the task waits
    time.sleep(0.5)
    assert log == [] and runner.state == "paused"
    assert time.perf_counter() - t0 > 0.5
    with qtbot.waitSignal(runner.finished, timeout=5000) as blocker:
        runner.resume()
    assert blocker.args == ["train", "all done", False]
    assert log == [0, 1]


def test_step_while_paused_runs_to_the_next_yield(qtbot):
    runner = tasks.TaskRunner()
    log: list = []
    seen = []
    runner.yielded.connect(lambda kind, v: seen.append(v))
    runner.start("train", lambda tok: passes(tok, log, n=3, seconds=0.05), pausable=True, paused=True)
    qtbot.wait(200)
    assert log == []
    runner.step_once()
    qtbot.waitUntil(lambda: seen == [1], timeout=2000)
    qtbot.wait(200)
    assert log == [0] and runner.state == "paused"
    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.resume()
    assert log == [0, 1, 2] and seen[-1] == 3


def test_latest_value_wins_and_the_last_one_arrives(qtbot):
    runner = tasks.TaskRunner()
    seen = []

    def slow_paint(kind, value):
        seen.append(value)
        time.sleep(0.01)                  # the GUI is slower than the worker

    def many(token):
        for i in range(20_000):
            token.check()
            yield i
        return "end"

    runner.yielded.connect(slow_paint)
    with qtbot.waitSignal(runner.finished, timeout=10_000) as blocker:
        runner.start("quantise", many)
    assert blocker.args[1] == "end"
    assert seen[-1] == 19_999
    assert len(seen) < 2_000              # stale values were dropped, not queued
    assert seen == sorted(seen)


@pytest.mark.parametrize("exc, details", [(SomdeskError("bad table"), False), (ZeroDivisionError("x"), True)])
def test_errors_arrive_as_signals(qtbot, exc, details):
    runner = tasks.TaskRunner()

    def failing(token):
        yield 1
        raise exc

    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        runner.start("read", failing)
    kind, message, det = blocker.args
    assert kind == "read" and str(exc) in message
    assert bool(det) == details
    assert runner.state == "idle" and tasks.live_workers() == []


def test_a_replaced_task_is_never_heard(qtbot):
    runner = tasks.TaskRunner()
    kinds = []
    runner.yielded.connect(lambda kind, v: kinds.append(kind))
    runner.finished.connect(lambda kind, *a: kinds.append(kind + ":end"))
    runner.start("old", lambda tok: passes(tok, [], n=1000, seconds=0.001))
    qtbot.wait(50)
    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.start("new", lambda tok: passes(tok, [], n=2, seconds=0.01))
    qtbot.wait(50)
    assert "old:end" not in kinds
    assert kinds[-1] == "new:end"
    first_new = kinds.index("new") if "new" in kinds else len(kinds)
    assert all(k == "new" or k == "new:end" for k in kinds[first_new:])
    assert tasks.shutdown_all()


def test_paced_never_sleeps_a_negative_time(monkeypatch):
    """The pace's deadline may pass between reading the clock twice (a loaded machine): the
    wait must end, not raise "sleep length must be non-negative" inside the training task."""
    import itertools
    from types import SimpleNamespace

    from somdesk.gui import window_tasks

    ticks = itertools.count()                    # every read of the clock moves on 0.7 ms
    slept = []
    fake_time = SimpleNamespace(perf_counter=lambda: next(ticks) * 0.0007,
                                sleep=lambda s: (slept.append(s), time.sleep(0) if s >= 0 else
                                                 (_ for _ in ()).throw(ValueError("negative sleep"))))
    monkeypatch.setattr(window_tasks, "time", fake_time)

    def task():
        for e in range(1, 40):
            yield SimpleNamespace(epoch=e)
    window = SimpleNamespace(pace=120.0)           # 8.3 ms an epoch: deadlines straddle clock reads
    out = list(window_tasks.paced(task(), window, CancelToken()))
    assert len(out) == 39 and slept and min(slept) >= 0
