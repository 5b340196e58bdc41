"""SOM.run_epochs (many classic epochs in one kernel call) gives exactly what step() gives."""
import threading
import time

import numpy as np
import pytest

from somdesk.core import SOM, SOMConfig, kernels
from somdesk.core.cancel import CancelToken
from somdesk.errors import Cancelled
from tests.timing import load_scaled

COLOURS = np.random.default_rng(12).random((40, 3))
CONFIGS = [
    SOMConfig(width=30, height=20, iterations=50, seed=3),      # sigma 15: fused passes, then windows
    SOMConfig(width=12, height=10, iterations=40, seed=5, order="shuffled", topology="hexagonal",
              toroidal=True, neighbourhood="bubble", decay="linear"),
    SOMConfig(width=12, height=9, iterations=40, seed=5, init="pca", neighbourhood="mexican-hat"),
    SOMConfig(width=12, height=10, iterations=20, seed=5, mode="batch"),
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.mode}-{c.topology}-{c.neighbourhood}")
def test_run_epochs_in_chunks_equals_step_by_step(config):
    kernels.warm_up()
    one = SOM(COLOURS, config)
    infos = [one.step() for _ in range(config.iterations)]
    som = SOM(COLOURS, config)
    last = []
    for chunk in (1, 7, 13, 100):
        info = som.run_epochs(chunk)
        if info is not None:
            last.append(info)
    assert som.done and som.run_epochs(5) is None
    np.testing.assert_array_equal(som.weights, one.weights)   # bit for bit
    ends, done = [], 0
    for chunk in (1, 7, 13, 100):
        if done < config.iterations:
            done = min(done + chunk, config.iterations)
            ends.append(done - 1)
    assert [i.iteration for i in last] == ends
    ref = infos[last[-1].iteration]
    assert (last[-1].sigma, last[-1].alpha) == (ref.sigma, ref.alpha)
    if config.mode == "classic":
        np.testing.assert_array_equal(last[-1].bmus, ref.bmus)


def test_a_cancel_inside_a_chunk_keeps_the_epochs_before_it_and_resumes_exactly():
    if kernels.BACKEND != "numba":
        pytest.skip("chunks run in one call only under the numba JIT")
    kernels.warm_up()
    x = np.random.default_rng(0).random((2000, 3))
    cfg = SOMConfig(width=200, height=200, iterations=400, seed=1)
    som = SOM(x, cfg)
    token = CancelToken()
    box = {}

    def run():
        try:
            som.run_epochs(400, token)
        except Cancelled as exc:
            box["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(1.0)
    token.cancel()
    t0 = time.perf_counter()
    thread.join(30)
    assert time.perf_counter() - t0 < load_scaled(0.2)
    assert isinstance(box.get("error"), Cancelled)
    stopped_at = som.iteration
    assert 0 <= stopped_at < 400
    ref = SOM(x, cfg)
    for _ in range(stopped_at):
        ref.step()
    np.testing.assert_array_equal(som.weights, ref.weights)   # the interrupted epoch was undone
    som.run_epochs(3)
    ref.run_epochs(3)
    np.testing.assert_array_equal(som.weights, ref.weights)


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.mode}-{c.topology}-{c.neighbourhood}")
def test_snapshots_inside_a_chunk_are_the_weights_step_by_step(config):
    """The time-lapse's frames at Max (tester11 #1): the kernel call copies the weights at the
    iterations asked for, without being cut; each snapshot equals the weights step() reaches."""
    kernels.warm_up()
    one = SOM(COLOURS, config)
    after = {}
    for _ in range(config.iterations):
        one.step()
        after[one.iteration] = one.weights.copy()
    som = SOM(COLOURS, config)
    got = []
    ask = [0, 1, 2, 5, 6, 13, config.iterations, config.iterations + 5]
    for chunk in (6, 7, 100):
        som.run_epochs(chunk, snapshot_at=ask, on_snapshot=lambda it, w: got.append((it, w.copy())))
    assert [it for it, _w in got] == [1, 2, 5, 6, 13, config.iterations]       # each once, in order
    for it, w in got:
        assert w.shape == one.weights.shape
        np.testing.assert_array_equal(w, after[it])
    np.testing.assert_array_equal(som.weights, one.weights)


def test_snapshots_before_a_cancel_are_delivered_and_none_after():
    config = SOMConfig(width=40, height=40, iterations=400, seed=2)
    kernels.warm_up()
    som = SOM(COLOURS, config)
    token = CancelToken()
    got = []

    def snap(it, w):
        got.append(it)
        if it == 3:
            token.cancel()          # after the call that reached it: the next call stops at once
    with pytest.raises(Cancelled):
        for _ in range(4):
            som.run_epochs(100, token, snapshot_at=range(1, 401), on_snapshot=snap)
    assert got == list(range(1, som.iteration + 1)) and som.iteration < 400
