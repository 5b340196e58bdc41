"""Time bounds for tests that run on shared, sometimes overloaded machines (CI runners, the
2-core development box): one rule, used by every test that bounds a wall-clock time.

    from tests.timing import load_scaled
    assert took < load_scaled(0.2)          # 200 ms on a free core

Speed itself is measured by benchmarks/ (ratios in one run); these bounds only catch a
freeze or a hang, so they must not fail because other processes take the CPU.
"""
from __future__ import annotations

import os


def load_scaled(seconds: float) -> float:
    """`seconds` on a machine with a free core; on an overloaded one (1-minute load average
    above the core count) a thread gets the CPU proportionally less often, so the bound grows
    with load / cores."""
    return seconds * max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
