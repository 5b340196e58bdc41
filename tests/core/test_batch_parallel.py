"""The product BMU search on several threads gives the serial search's answer, every time."""
import numpy as np
import pytest

from somdesk.core import SOM, SOMConfig
from somdesk.core import bmu_products, kernels
from somdesk.core.cancel import CancelToken
from somdesk.errors import Cancelled


def _data(dim, n=5000, m=300, seed=0):
    rng = np.random.default_rng(seed)
    wf = rng.normal(size=(m, dim)) * 3 + 50
    x = rng.normal(size=(n, dim)) * 3 + 50
    x[:40] = wf[rng.integers(0, m, 40)]           # samples sitting on nodes
    x[40:80] = wf[5] + 1e-12                       # near-ties below float32 resolution
    wf[9] = wf[5]                                  # a duplicate node: the lower index wins
    return wf, x


def _search(wf, x, monkeypatch, parallel, chunk, pick=kernels._pick):
    monkeypatch.setattr(bmu_products, "PARALLEL_FROM", 0 if parallel else 10**18)
    monkeypatch.setattr(bmu_products, "CHUNK_PRODUCTS", chunk)
    idx = np.empty(len(x), np.int64)
    d2 = np.empty(len(x))
    bmu_products.search(wf, bmu_products.PreparedData(x), idx, d2, pick, kernels._NEVER)
    return idx, d2


@pytest.mark.parametrize("dim", [13, 50, 300])
def test_parallel_search_equals_serial_and_brute_force(dim, monkeypatch):
    wf, x = _data(dim)
    serial = _search(wf, x, monkeypatch, parallel=False, chunk=10**9)
    for chunk in (3_000, 40_000):                  # many small chunks and a few larger ones
        par = _search(wf, x, monkeypatch, parallel=True, chunk=chunk)
        np.testing.assert_array_equal(par[0], serial[0])
        np.testing.assert_array_equal(par[1], serial[1])
    brute = ((x[:, None, :] - wf[None]) ** 2).sum(-1)
    np.testing.assert_allclose(serial[1], brute.min(axis=1), rtol=1e-12, atol=1e-12)
    assert np.all(serial[0][40:80] == 5)
    assert np.mean(serial[0] == brute.argmin(axis=1)) > 0.999


def test_numpy_candidate_check_agrees_with_the_compiled_one(monkeypatch):
    wf, x = _data(50, n=2000)
    compiled = _search(wf, x, monkeypatch, parallel=True, chunk=5_000)
    plain = _search(wf, x, monkeypatch, parallel=True, chunk=5_000, pick=None)
    np.testing.assert_array_equal(compiled[0], plain[0])
    np.testing.assert_allclose(compiled[1], plain[1], rtol=1e-12, atol=0)


def test_prepared_and_per_chunk_conversion_agree(monkeypatch):
    wf, x = _data(20, n=3000)
    kept = kernels.bmus_of(wf, x, prepared=kernels.prepare(x))
    monkeypatch.setattr(bmu_products, "PREPARE_MAX_BYTES", 0)    # too big to keep: per chunk
    converted = kernels.bmus_of(wf, x, prepared=kernels.prepare(x))
    fresh = kernels.bmus_of(wf, x)
    for other in (converted, fresh):
        np.testing.assert_array_equal(kept[0], other[0])
        np.testing.assert_array_equal(kept[1], other[1])


def test_batch_training_is_deterministic_on_one_or_many_threads(monkeypatch):
    x = np.random.default_rng(7).normal(size=(6000, 40))
    cfg = SOMConfig(width=12, height=10, iterations=4, mode="batch", init="pca", seed=0)
    monkeypatch.setattr(bmu_products, "CHUNK_PRODUCTS", 20_000)
    runs = [SOM(x, cfg).train().weights.copy() for _ in range(2)]
    monkeypatch.setattr(bmu_products, "PARALLEL_FROM", 10**18)   # one thread
    runs.append(SOM(x, cfg).train().weights.copy())
    for other in runs[1:]:
        assert np.max(np.abs(other - runs[0])) <= 1e-9
        np.testing.assert_array_equal(other, runs[0])


def test_a_set_token_stops_the_parallel_search(monkeypatch):
    wf, x = _data(30, n=4000)
    monkeypatch.setattr(bmu_products, "PARALLEL_FROM", 0)
    monkeypatch.setattr(bmu_products, "CHUNK_PRODUCTS", 3_000)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        kernels.bmus_of(wf, x, token)
