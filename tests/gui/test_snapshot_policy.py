"""SnapshotPolicy (gui/window_tasks.py): how often the window asks the training task for a live
map at Max, given what the last map cost.  Pure arithmetic on the policy's own clock readings."""
from __future__ import annotations

from somdesk.gui.window_tasks import MAX_GAP, SLOW_MAP_SHARE, SnapshotPolicy

FPS, BUDGET = 25.0, 0.05


def _share_of_time_measuring(cost: float) -> float:
    """The share of a run spent on live maps when each costs `cost` s and one is due every gap."""
    p = SnapshotPolicy(FPS, BUDGET)
    p.last_cost = cost
    gap = p._gap()
    return cost / max(gap, cost)


def test_cheap_maps_come_at_the_frame_rate_or_within_the_budget():
    p = SnapshotPolicy(FPS, BUDGET)
    p.last_cost = 0.001
    assert p._gap() == 1.0 / FPS
    p.last_cost = 0.05                      # 5% of a second's training: one map a second
    assert abs(p._gap() - 1.0) < 1e-12


def test_a_map_is_shown_at_least_every_max_gap_when_that_stays_affordable():
    p = SnapshotPolicy(FPS, BUDGET)
    p.last_cost = 0.3                       # within budget only every 6 s: capped at MAX_GAP
    assert p._gap() == MAX_GAP


def test_an_expensive_map_never_takes_most_of_the_run():
    """A live map costing 1.8 s (TE of 2,000 colours on a 400x400 map) was asked for every 2 s:
    the window at Max ran 16x slower than SOM.train().  Measuring stays under SLOW_MAP_SHARE."""
    for cost in (0.6, 1.0, 1.8, 5.0, 30.0):
        assert _share_of_time_measuring(cost) <= SLOW_MAP_SHARE + 1e-12, cost


class _Clock:
    """Stands in for the `time` module SnapshotPolicy reads (perf_counter only)."""

    def __init__(self):
        self.now = 100.0

    def perf_counter(self) -> float:
        return self.now


def _policy_at_max(monkeypatch, epoch_time: float, cost: float) -> tuple[SnapshotPolicy, _Clock]:
    from somdesk.gui import window_tasks

    clock = _Clock()
    monkeypatch.setattr(window_tasks, "time", clock)
    p = SnapshotPolicy(FPS, BUDGET)
    p.epoch_time, p.last_cost, p.last = epoch_time, cost, clock.now    # a map was just taken
    return p, clock


def test_a_step_aimed_at_the_next_map_brings_it_when_the_epochs_went_faster(monkeypatch):
    """At Max a step is sized to end when the next map is due (1/FPS here); when its epochs
    go faster than estimated, the map comes at its end anyway instead of after one more short
    step (there were 2-3 steps a map, each a GIL hand-off)."""
    p, clock = _policy_at_max(monkeypatch, epoch_time=0.001, cost=0.001)
    n = p.epochs(0)
    assert n == 40                              # 40 ms of epochs: the map is due then
    clock.now += 0.025                          # they took 25 ms
    assert p(n)
    assert p.last == clock.now


def test_a_step_far_shorter_than_estimated_is_followed_by_another(monkeypatch):
    p, clock = _policy_at_max(monkeypatch, epoch_time=0.001, cost=0.001)
    n = p.epochs(0)
    clock.now += 0.015                          # less than half the time asked for
    assert not p(n)
    clock.now += 0.025
    assert p(p.epochs(n))                       # the next step is aimed at the map again


def test_a_step_that_ends_before_the_map_is_due_brings_none(monkeypatch):
    """A map costing 50 ms is due only every second; a step is at most MAX_SPAN (0.5 s) of
    epochs, so the first one ends with no map, however fast its epochs went."""
    from somdesk.gui.window_tasks import MAX_SPAN

    p, clock = _policy_at_max(monkeypatch, epoch_time=0.001, cost=0.05)
    n = p.epochs(0)
    assert n == int(MAX_SPAN / 0.001)
    clock.now += 0.4
    assert not p(n)


def test_the_epoch_time_follows_a_long_step_at_once():
    """A step of many epochs (at Max) outweighs the first epoch's time (cold caches, a
    compile); single steps (paced runs) still weigh a tenth each."""
    p = SnapshotPolicy(FPS, BUDGET)
    p.timed(0.0005, False, 1)
    p.timed(0.1, False, 1000)
    assert abs(p.epoch_time - 1e-4) < 1e-12
    p.timed(0.0002, False, 1)
    assert abs(p.epoch_time - (0.9e-4 + 0.2e-4)) < 1e-12


def test_a_run_lowers_the_gil_switch_interval_until_it_ends():
    """The run's worker needs the GIL back after each kernel call; with Python's default
    5 ms switch interval it waited up to that for a GUI thread drawing in Python."""
    import sys

    from somdesk.core.cancel import CancelToken
    from somdesk.gui.window_tasks import RUN_SWITCH_INTERVAL, paced, quick_gil_handoffs

    class Window:
        pace = None

    seen = []

    def task():
        for _ in range(3):
            seen.append(sys.getswitchinterval())
            yield None
        return "done"

    before = sys.getswitchinterval()
    with quick_gil_handoffs():                 # another window's run, already going
        assert sys.getswitchinterval() == min(before, RUN_SWITCH_INTERVAL)
        run = paced(task(), Window(), CancelToken())
        assert list(run) == [None] * 3
        assert sys.getswitchinterval() == min(before, RUN_SWITCH_INTERVAL)   # the other run goes on
    assert seen == [min(before, RUN_SWITCH_INTERVAL)] * 3
    assert sys.getswitchinterval() == before

    run = paced(task(), Window(), CancelToken())
    next(run)
    run.close()                                 # a run stopped early restores it too
    assert sys.getswitchinterval() == before
