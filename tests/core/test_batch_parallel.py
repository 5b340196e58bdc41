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


def test_block_sums_agree_with_bincount_on_any_number_of_threads(monkeypatch):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(9000, 30))
    idx = rng.integers(0, 50, 9000)
    idx[idx == 4] = 5                                 # an empty node
    expected = np.stack([np.bincount(idx, weights=x[:, k], minlength=50) for k in range(30)], axis=1)
    monkeypatch.setattr(bmu_products, "SUM_BLOCK_WORK", 40_000)     # 6 blocks
    many = kernels.sums_by_node(idx, x, 50)
    monkeypatch.setattr(bmu_products, "workers", lambda: 1)
    one = kernels.sums_by_node(idx, x, 50)
    np.testing.assert_array_equal(many[0], one[0])
    np.testing.assert_array_equal(many[1], np.bincount(idx, minlength=50))
    np.testing.assert_allclose(many[0], expected, rtol=0, atol=1e-12)
    assert not many[0][4].any()


@pytest.mark.parametrize("magnitude", [1e-30, 1e-18, 1.0, 1e20, 1e100])
def test_product_search_is_exact_at_any_scale(magnitude):
    """float32 products on scaled data: no underflow or overflow breaks the bound."""
    wf, x = _data(20, n=3000, m=200, seed=4)
    wf, x = (wf - 50) * magnitude, (x - 50) * magnitude
    idx, d2 = kernels.bmus_of(wf, x)
    brute = ((x[:, None, :] - wf[None]) ** 2).sum(-1)
    np.testing.assert_allclose(d2, brute.min(axis=1), rtol=1e-12, atol=0)
    assert np.all(idx[40:80] == 5)
    assert np.mean(idx == brute.argmin(axis=1)) > 0.999


def test_a_codebook_far_outside_the_data_is_searched_exactly():
    wf, x = _data(20, n=3000, m=200, seed=5)
    wf[:100] *= 1e30                                  # beyond float32 once scaled to the data
    idx, d2 = kernels.bmus_of(wf, x)
    brute = ((x[:, None, :] - wf[None]) ** 2).sum(-1)
    np.testing.assert_array_equal(idx, brute.argmin(axis=1))
    np.testing.assert_allclose(d2, brute.min(axis=1), rtol=1e-12, atol=0)


def test_a_forked_child_gets_its_own_pool(monkeypatch):
    import multiprocessing

    monkeypatch.setattr(bmu_products, "PARALLEL_FROM", 0)
    wf, x = _data(16, n=2000, m=100)
    expected = kernels.bmus_of(wf, x)[0]             # the parent's pool now exists
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        got = pool.apply_async(_bmus_in_child, (wf, x)).get(timeout=120)
    np.testing.assert_array_equal(got, expected)


def _bmus_in_child(wf, x):
    bmu_products.PARALLEL_FROM = 0
    return kernels.bmus_of(wf, x)[0]


def test_overlapping_searches_restore_the_blas_threads_once():
    from threadpoolctl import threadpool_info

    def blas_threads():   # numpy's own BLAS (scipy's, when loaded later, is not the one matmul uses)
        return [i["num_threads"] for i in threadpool_info()
                if i["user_api"] == "blas" and "numpy" in i["filepath"]]

    before = blas_threads()
    assert before
    a = bmu_products.one_blas_thread()           # search A starts
    a.__enter__()
    b = bmu_products.one_blas_thread()           # search B starts on another thread
    b.__enter__()
    a.__exit__(None, None, None)                 # A ends first: B still runs on one BLAS thread
    assert set(blas_threads()) == {1}
    b.__exit__(None, None, None)
    assert blas_threads() == before


@pytest.mark.parametrize("dim", [20, 300])
def test_bmus_without_distances_are_the_same_bmus(dim, monkeypatch):
    """Batch epochs ask for BMUs only (no exact distance of a lone candidate): same indices,
    with the compiled check, the numpy one and the brute-force fallback."""
    wf, x = _data(dim, n=3000, m=200, seed=6)
    full = kernels.bmus_of(wf, x)
    idx, none = kernels.bmus_of(wf, x, distances=False, prepared=kernels.prepare(x))
    assert none is None
    np.testing.assert_array_equal(idx, full[0])
    monkeypatch.setattr(kernels, "_pick", None)
    np.testing.assert_array_equal(kernels.bmus_of(wf, x, distances=False)[0], full[0])
    far = wf.copy()
    far[:100] *= 1e30                               # the brute-force fallback
    np.testing.assert_array_equal(kernels.bmus_of(far, x, distances=False)[0], kernels.bmus_of(far, x)[0])


@pytest.mark.parametrize("dim", [50, 300])
def test_many_candidates_at_rounding_ties_pick_brute_forces_node(dim):
    """Nodes whose squared distances are sums of the same terms in other orders (equal up to
    rounding): the candidates are ranked in a fast order, then measured in brute force's
    sequential order; the BMU is the sequential minimum, first on ties, with or without distances."""
    rng = np.random.default_rng(dim)
    x = rng.normal(size=(64, dim)) * 1e-7 * (np.arange(64) >= 32)[:, None]   # half of them 0
    delta = rng.normal(size=dim) * 1e-6
    wf = np.stack([delta[rng.permutation(dim)] for _ in range(120)] +          # the same terms for x = 0
                  [rng.normal(size=dim) for _ in range(80)])
    wf[40] = wf[7]                                              # an exact duplicate: 7 wins
    terms = (wf[None, :, :] - x[:, None, :]) ** 2
    seq = np.cumsum(terms, axis=-1)[..., -1]                    # brute force's order, one by one
    ref = np.argmin(seq, axis=1)
    idx, d2 = kernels.bmus_of(wf, x)
    assert kernels.uses_products(len(x), len(wf), dim)
    np.testing.assert_array_equal(idx, ref)
    np.testing.assert_array_equal(d2, seq[np.arange(len(x)), ref])
    np.testing.assert_array_equal(kernels.bmus_of(wf, x, distances=False)[0], ref)
    assert len(set(seq[0, :120])) > 1 and np.ptp(seq[0, :120]) <= 1e-13 * seq[0, 0]   # rounding decides


@pytest.mark.parametrize("dim", [13, 300])
def test_near_ties_below_float32_rounding_get_brute_forces_node(dim, monkeypatch):
    """Samples a hair (1e-9 relative) off the bisector of their two nearest nodes, on a codebook
    well inside the data (as trained maps are: the window's 2 |x| W term, not |x|^2): float32
    rounding cannot tell the two apart, so the window must keep both and the exact check
    decides.  A window 100 times narrower fails here at D = 13, 1000 times at D = 300 (the
    bound is a worst case; typical float32 errors are far smaller)."""
    rng = np.random.default_rng(dim)
    wf = rng.normal(size=(150, dim)) * 0.1
    x = rng.normal(size=(3000, dim))
    d2 = ((x[:, None, :] - wf[None]) ** 2).sum(-1)
    a, b = np.argsort(d2, axis=1)[:, :2].T
    normal = (wf[b] - wf[a]) / np.linalg.norm(wf[b] - wf[a], axis=1)[:, None]
    on = x - (np.sum((x - (wf[a] + wf[b]) / 2) * normal, axis=1))[:, None] * normal   # on the bisector
    on += 1e-9 * np.linalg.norm(on, axis=1)[:, None] * normal                         # nudged towards b
    two = np.sort(np.argsort(((on[:, None, :] - wf[None]) ** 2).sum(-1), axis=1)[:, :2], axis=1)
    still = np.all(two == np.sort(np.stack([a, b], 1), axis=1), axis=1)   # a and b are still the nearest
    x = np.concatenate([on[still], x])
    seq = np.array([np.argmin(np.cumsum((wf - row) ** 2, axis=1)[:, -1]) for row in x])
    for parallel in (False, True):
        monkeypatch.setattr(bmu_products, "PARALLEL_FROM", 0 if parallel else 10**18)
        idx, _ = kernels.bmus_of(wf, x, distances=False, prepared=kernels.prepare(x))
        np.testing.assert_array_equal(idx, seq)
    np.testing.assert_array_equal(kernels.bmus_of(wf, x)[0], seq)
    monkeypatch.setattr(kernels, "_pick", None)                      # the numpy check too
    np.testing.assert_array_equal(kernels.bmus_of(wf, x)[0], seq)
    assert still.sum() > 1000 and np.mean(seq[:still.sum()] == b[still]) > 0.9   # the nudge decides


@pytest.mark.parametrize("shape", [(3000, 20), (16000, 300)])
def test_compiled_preparation_centres_and_scales_as_numpy(shape, monkeypatch):
    """The compiled one-pass centring (column_stats, centre_rows): the float32 rows numpy's
    formula gives for the same mean, bit for bit; squares within 1e-13; the scale is the power
    of two of the largest centred magnitude; the same on one thread or many; same BMUs."""
    if kernels._prep is None:
        pytest.skip("no compiled kernels")
    rng = np.random.default_rng(shape[1])
    x = rng.normal(size=shape) * 10.0 ** rng.integers(-3, 3, size=shape[1]) + 40.0
    prep = kernels.prepare(x)
    np.testing.assert_allclose(prep.mean, x.mean(axis=0), rtol=1e-12, atol=0)
    xc = (x - prep.mean) * prep.scale
    np.testing.assert_array_equal(prep.x32[:, :-1], xc.astype(np.float32))
    assert np.all(prep.x32[:, -1] == 1.0)
    np.testing.assert_allclose(prep.xsq, np.einsum("nd,nd->n", xc, xc), rtol=1e-13, atol=0)
    spread = float(np.max(np.abs(x - prep.mean)))
    assert prep.scale == float(np.ldexp(1.0, -np.frexp(spread)[1]))
    monkeypatch.setattr(bmu_products, "PARALLEL_FROM", 10**18)     # one thread
    serial = kernels.prepare(x)
    np.testing.assert_array_equal(serial.mean, prep.mean)
    np.testing.assert_array_equal(serial.x32, prep.x32)
    np.testing.assert_array_equal(serial.xsq, prep.xsq)
    wf = x[rng.integers(0, len(x), 150)] + 0.01
    monkeypatch.setattr(bmu_products, "PREPARE_MAX_BYTES", 0)       # converted per chunk
    per_chunk = kernels.bmus_of(wf, x, prepared=kernels.prepare(x))
    monkeypatch.setattr(kernels, "_prep", None)                      # numpy's preparation
    plain = kernels.bmus_of(wf, x, prepared=kernels.prepare(x))
    np.testing.assert_array_equal(kernels.bmus_of(wf, x, prepared=prep)[0], plain[0])
    np.testing.assert_array_equal(per_chunk[0], plain[0])


def test_spans_run_once_each_and_the_first_error_is_raised(monkeypatch):
    """run_spans: every span exactly once on the caller and the pool; a failing span stops the
    hand-out and its exception reaches the caller after the other threads have let go."""
    monkeypatch.setenv("SOMDESK_THREADS", "3")
    seen = np.zeros(1000, np.int64)

    def mark(a, b):
        seen[a:b] += 1

    bmu_products.run_spans(mark, 1000, 7, True)
    assert np.all(seen == 1)

    def fail(a, b):
        if a >= 350:
            raise ValueError(f"span {a}")
        seen[a:b] += 1

    with pytest.raises(ValueError, match="span"):
        bmu_products.run_spans(fail, 1000, 7, True)
