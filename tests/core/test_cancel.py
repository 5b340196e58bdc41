"""Cancellation reaches inside a training pass; a cancelled SOM resumes exactly; NaN stops training."""
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from somdesk.core import SOM, SOMConfig, kernels
from somdesk.core.cancel import CancelToken
from somdesk.core.metrics import topographic_error
from somdesk.errors import Cancelled, SomdeskError
from tests.timing import load_scaled

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _cancel_during(work, after: float):
    """Run work(token) in a thread, cancel after `after` s; return (latency s, exception, still running)."""
    token = CancelToken()
    box = {}

    def run():
        try:
            box["result"] = work(token)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            box["error"] = exc
        box["end"] = time.perf_counter()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    time.sleep(after)
    running = thread.is_alive()
    t0 = time.perf_counter()
    token.cancel()
    thread.join(30)
    assert not thread.is_alive(), "the pass did not stop"
    return box["end"] - t0, box.get("error"), running


def test_a_long_classic_pass_stops_within_200_ms():
    """1000x1000 nodes, 10,000 inputs: one pass takes tens of seconds; Stop takes < 200 ms."""
    kernels.warm_up()
    x = np.random.default_rng(0).random((10_000, 3))
    som = SOM(x, SOMConfig(width=1000, height=1000, iterations=5, seed=1))
    before = som.weights.copy()
    latency, error, running = _cancel_during(som.step, after=1.5)
    assert running, "the pass ended before it was cancelled: the test proves nothing"
    assert isinstance(error, Cancelled)
    assert latency < load_scaled(0.2), f"stop took {latency * 1000:.0f} ms"
    assert som.iteration == 0
    np.testing.assert_array_equal(som.weights, before)   # exactly as before the pass


def test_a_long_batch_pass_and_a_long_measure_stop_within_200_ms():
    kernels.warm_up()
    rng = np.random.default_rng(1)
    x = rng.random((20_000, 3))
    # bubble: the per-node smoothing loop over 640,000 nodes of a 800x800 map is the long part
    som = SOM(x, SOMConfig(width=800, height=800, iterations=3, mode="batch", neighbourhood="bubble", seed=1))
    before = som.weights.copy()
    latency, error, running = _cancel_during(som.step, after=1.0)
    if running:   # on a fast machine the whole pass may fit in the second
        assert isinstance(error, Cancelled) and latency < 0.2, latency
        np.testing.assert_array_equal(som.weights, before)
        assert som.iteration == 0
    # the topographic error on a million nodes: a full two-nearest scan per sample
    w = rng.random((1000, 1000, 3))
    latency, error, running = _cancel_during(lambda tok: topographic_error(w, x, cancel=tok), after=0.5)
    assert running and isinstance(error, Cancelled)
    assert latency < load_scaled(0.2), f"stop took {latency * 1000:.0f} ms"


CONFIGS = [
    SOMConfig(width=60, height=50, iterations=6, seed=3, order="shuffled"),
    SOMConfig(width=60, height=50, iterations=6, seed=3, topology="hexagonal", neighbourhood="mexican-hat"),
    SOMConfig(width=60, height=50, iterations=6, seed=3, mode="batch", neighbourhood="triangle"),
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.mode}-{c.neighbourhood}")
def test_resume_after_cancel_equals_the_uninterrupted_run(config):
    kernels.warm_up()
    x = np.random.default_rng(4).random((3000 if config.mode == "batch" else 400, 3))
    whole = SOM(x, config).train().weights
    som = SOM(x, config)
    cancels = 0
    for delay in (0.0, 0.002, 0.005, 0.01, 0.02, 0.03):
        token = CancelToken()
        timer = threading.Timer(delay, token.cancel)
        timer.start()
        try:
            som.train(cancel=token)
        except Cancelled:
            cancels += 1
        timer.join()
        if som.done:
            break
    som.train()
    assert cancels >= 1
    np.testing.assert_array_equal(som.weights, whole)


def test_a_set_token_stops_before_any_work():
    som = SOM(np.random.default_rng(0).random((5, 3)), SOMConfig(width=4, height=4, iterations=3, seed=0))
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        som.train(cancel=token)
    with pytest.raises(Cancelled):
        next(som.steps(cancel=token))
    assert som.iteration == 0
    token.reset()
    som.train(cancel=token)
    assert som.done


@pytest.mark.parametrize("mode", ["classic", "batch"])
def test_non_finite_weights_stop_training_with_the_last_finite_weights(monkeypatch, mode):
    x = np.random.default_rng(0).random((30, 3))
    som = SOM(x, SOMConfig(width=8, height=6, iterations=10, mode=mode, seed=0))
    som.step()
    good = som.weights.copy()
    real = kernels.online_epoch if mode == "classic" else kernels.batch_smooth

    def poisoned(*args, **kwargs):
        out = real(*args, **kwargs)
        if mode == "classic":
            args[0][2, 3, 1] = np.nan        # the kernel's weights, updated in place
            return out
        num, den = out
        num[5, 0] = np.inf
        return num, den

    monkeypatch.setattr(kernels, "online_epoch" if mode == "classic" else "batch_smooth", poisoned)
    real_many = kernels.online_epochs      # a compiled back end's classic step runs this one

    def poisoned_many(wp, x, *args, **kwargs):
        bad = x.copy()
        bad[0, 1] = np.nan                   # the first input's update makes weights NaN
        return real_many(wp, bad, *args, **kwargs)

    monkeypatch.setattr(kernels, "online_epochs", poisoned_many)
    with pytest.raises(SomdeskError, match="NaN or infinite"):
        som.step()
    assert som.iteration == 1
    np.testing.assert_array_equal(som.weights, good)


CANCEL_SCRIPT = r"""
import sys, threading, time
import numpy as np
from somdesk.core import SOM, SOMConfig, kernels
from somdesk.core.cancel import CancelToken
from somdesk.errors import Cancelled
from tests.timing import load_scaled
kernels.warm_up()
x = np.random.default_rng(0).random((30000, 3))   # an epoch far longer than the 0.3 s before the cancel, however fast the kernel
som = SOM(x, SOMConfig(width=500, height=500, iterations=2, seed=2, order="shuffled"))
before = som.weights.copy()
token = CancelToken()
asked = []
timer = threading.Timer(0.3, lambda: (asked.append(time.perf_counter()), token.cancel()))
timer.start()
try:
    som.step(token)
    sys.exit("finished before the cancel")
except Cancelled:
    latency = time.perf_counter() - asked[0]
assert latency < load_scaled(0.2), latency
assert som.iteration == 0 and np.array_equal(som.weights, before), "not restored"
print(kernels.BACKEND)
"""


def test_every_backend_cancels_inside_a_pass(aot_dir):
    """numba JIT, the ahead-of-time build and numpy all stop part-way and restore the weights."""
    for backend in ("numba", "aot", "numpy"):
        env = dict(os.environ, SOMDESK_KERNELS=backend,
                   PYTHONPATH=os.pathsep.join([str(aot_dir), ROOT, os.environ.get("PYTHONPATH", "")]))
        proc = subprocess.run([sys.executable, "-c", CANCEL_SCRIPT], env=env, capture_output=True, text=True)
        assert proc.returncode == 0, (backend, proc.stderr)
        assert proc.stdout.strip() == backend
