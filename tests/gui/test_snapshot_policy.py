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
