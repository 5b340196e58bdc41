"""A run's clock starts after the kernels are compiled or loaded (testerW #6: a fresh
install's first run said "1,000 epochs in 95.2 s" for 3 s of training)."""
from __future__ import annotations

import time

from somdesk.core import kernels
from somdesk.session import Session, runs


def test_kernel_warm_up_is_not_counted_as_training_time(monkeypatch):
    real = kernels.warm_up

    def slow_warm_up():          # stands for numba compiling on the first run
        time.sleep(0.6)
        real()

    monkeypatch.setattr(kernels, "warm_up", slow_warm_up)
    monkeypatch.setattr(runs, "_KERNELS_READY", False)
    s = Session()
    s.new_colours(n=8, seed=1)
    s.update_config(height=3, width=3, iterations=4, seed=1)
    first = s.train()
    assert first.warm_up >= 0.6 and first.elapsed < 0.6
    s.reset_weights()
    again = s.train()                 # the same process: the kernels are ready
    assert again.warm_up == 0.0

