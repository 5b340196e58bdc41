"""The many-dimension classic epoch (somdesk.core._online_wide_numba) is the tile kernel's arithmetic."""

import numpy as np
import pytest

from somdesk.core import SOM, SOMConfig, kernels, online_block
from somdesk.core.cancel import CancelToken
from somdesk.core.reference import classic_reference
from somdesk.errors import Cancelled

pytestmark = pytest.mark.skipif(kernels.BACKEND != "numba", reason="compares the numba kernels")


@pytest.fixture(autouse=True)
def _no_block_epoch(monkeypatch):
    """These tests are about the sequential wide kernel: keep the block epoch (test_classic_block.py) out."""
    monkeypatch.setattr(online_block, "BLOCK_FROM", 10**9)


def _train(x, cfg, w0, wide: bool, monkeypatch):
    monkeypatch.setattr(kernels, "WIDE_FROM", 1 if wide else 10**9)
    monkeypatch.setattr(kernels, "WIDE_MAX_NODES", 10**9)
    return SOM(x, cfg, weights=w0).train().weights


@pytest.mark.parametrize("dim", [8, 13, 50])
@pytest.mark.parametrize("topology,toroidal,height", [("rectangular", False, 9), ("rectangular", True, 9),
                                                      ("hexagonal", False, 9), ("hexagonal", True, 10)])
def test_wide_epoch_gives_the_tile_kernels_weights_bit_for_bit(dim, topology, toroidal, height, monkeypatch):
    rng = np.random.default_rng(dim + height)
    x = rng.normal(size=(150, dim))
    w0 = rng.normal(size=(height, 23, dim))
    cfg = SOMConfig(width=23, height=height, iterations=12, topology=topology, toroidal=toroidal,
                    seed=3, sigma=6.0)
    tiles = _train(x, cfg, w0, False, monkeypatch)
    wide = _train(x, cfg, w0, True, monkeypatch)
    np.testing.assert_array_equal(wide, tiles)


def test_small_sigma_windows_and_bmus_match(monkeypatch):
    """Late epochs: the window covers a few rows and columns (the zero factors outside it)."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 12))
    w0 = rng.normal(size=(30, 40, 12))
    cfg = SOMConfig(width=40, height=30, iterations=8, sigma=0.6, seed=1)
    monkeypatch.setattr(kernels, "WIDE_FROM", 10**9)
    a = SOM(x, cfg, weights=w0)
    bm_a = [info.bmus for info in a.steps()]
    monkeypatch.setattr(kernels, "WIDE_FROM", 1)
    monkeypatch.setattr(kernels, "WIDE_MAX_NODES", 10**9)
    b = SOM(x, cfg, weights=w0)
    bm_b = [info.bmus for info in b.steps()]
    np.testing.assert_array_equal(a.weights, b.weights)
    for p, q in zip(bm_a, bm_b):
        np.testing.assert_array_equal(p, q)


def test_wide_epoch_matches_the_plain_transcription():
    rng = np.random.default_rng(6)
    data = rng.normal(size=(25, 40))
    w0 = rng.normal(size=(12, 10, 40))
    assert kernels.uses_wide_epoch("gaussian", 40, 12, 10)
    expected = classic_reference(w0, data, 40)
    som = SOM(data, SOMConfig(width=10, height=12, iterations=40, order="sequential"), weights=w0).train()
    assert np.max(np.abs(som.weights - expected)) <= 1e-6


def test_a_stop_inside_a_wide_epoch_restores_its_start():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4000, 50))
    som = SOM(x, SOMConfig(width=25, height=15, iterations=3, seed=0))
    som.step()
    before = som.weights.copy()
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        som.step(token)
    np.testing.assert_array_equal(som.weights, before)
    assert som.iteration == 1


def test_the_ahead_of_time_build_runs_the_wide_epoch_too(on_each_backend):
    script = (
        "import sys, numpy as np\n"
        "from somdesk.core import SOM, SOMConfig, kernels\n"
        "rng = np.random.default_rng(4); x = rng.normal(size=(300, 30)); w0 = rng.normal(size=(8, 9, 30))\n"
        "assert kernels._nb.online_epoch_wide is not None\n"
        "w = SOM(x, SOMConfig(width=9, height=8, iterations=15, seed=2), weights=w0).train().weights\n"
        "np.savez(sys.argv[1], w=w)\n"
    )
    out = on_each_backend(script)
    assert np.max(np.abs(out["aot"]["w"] - out["numba"]["w"])) <= 1e-9
