"""The BMU search picked by dimension and size (tree, BLAS products, brute force) is exact."""
import os
import subprocess
import sys

import numpy as np
import pytest

from somdesk.core import SOM, SOMConfig, kernels

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _brute(wf, x):
    idx = np.empty(len(x), np.int64)
    best = np.empty(len(x))
    for s in range(0, len(x), 100):   # (100, M, D) at a time
        d2 = ((x[s:s + 100, None, :] - wf[None, :, :]) ** 2).sum(-1)
        idx[s:s + 100] = np.argmin(d2, axis=1)
        best[s:s + 100] = d2.min(axis=1)
    return idx, best


@pytest.mark.parametrize("dim", [3, 13, 50, 300])
def test_bmus_equal_brute_force_with_near_ties(dim):
    rng = np.random.default_rng(dim)
    wf = rng.normal(size=(400, dim)) * 10 + 1000    # offset: the expanded form cancels badly here
    wf[7] = wf[3]                                    # exact duplicate node: the lower index must win
    x = rng.normal(size=(6000, dim)) * 10 + 1000
    x[:50] = wf[3] + 1e-13                           # near-ties far below the expansion's rounding
    x[50:100] = wf[rng.integers(0, 400, 50)]         # samples sitting exactly on nodes
    mid = (wf[10] + wf[11]) / 2
    x[100] = mid                                     # equidistant (up to rounding) from two nodes
    idx, d2 = kernels.bmus_of(wf, x)
    ref_idx, ref_d2 = _brute(wf, x)
    exact = ((wf[idx] - x) ** 2).sum(-1)
    # the same minimum distance as brute force; the same node wherever the minimum is unique
    np.testing.assert_allclose(exact, ref_d2, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(d2, ref_d2, rtol=1e-12, atol=1e-12)
    assert np.all(idx[:50] == 3)
    assert np.mean(idx == ref_idx) > 0.999


SCRIPT = r"""
import sys
import numpy as np
from somdesk.core import SOM, SOMConfig, kernels
rng = np.random.default_rng(5)
out = {}
for dim, n in ((13, 4000), (50, 4000), (300, 3000)):
    x = rng.normal(size=(n, dim))
    cfg = SOMConfig(width=25, height=15, iterations=3, mode="batch", init="pca", seed=0)
    out[f"batch-{dim}"] = SOM(x, cfg).train().weights
    out[f"bmus-{dim}"] = kernels.bmus_of(out[f"batch-{dim}"].reshape(-1, dim), x)[0].astype(float)
print(kernels.BACKEND, file=sys.stderr)
np.savez(sys.argv[1], **out)
"""


def test_every_backend_agrees_on_many_dimension_batch_maps(tmp_path, aot_dir):
    results = {}
    for backend in ("numba", "aot", "numpy"):
        env = dict(os.environ, SOMDESK_KERNELS=backend,
                   PYTHONPATH=os.pathsep.join([str(aot_dir), ROOT, os.environ.get("PYTHONPATH", "")]))
        path = tmp_path / f"{backend}.npz"
        proc = subprocess.run([sys.executable, "-c", SCRIPT, str(path)], env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr.strip() == backend
        results[backend] = dict(np.load(path))
    for other in ("numpy", "aot"):
        for key, value in results["numba"].items():
            assert np.max(np.abs(value - results[other][key])) <= 1e-9, (other, key)


def test_batch_sums_by_node_match_bincount():
    from somdesk.core.kernels import sums_by_node

    rng = np.random.default_rng(1)
    x = rng.normal(size=(500, 20))
    idx = rng.integers(0, 40, 500)
    idx[idx == 7] = 8                                # an empty node
    expected = np.stack([np.bincount(idx, weights=x[:, k], minlength=40) for k in range(20)], axis=1)
    sums, counts = sums_by_node(idx, x, 40)
    np.testing.assert_array_equal(sums, expected)           # same order of additions: same bits
    np.testing.assert_array_equal(counts, np.bincount(idx, minlength=40))
    assert SOM(x, SOMConfig(width=8, height=5, iterations=2, mode="batch", seed=0)).train().done


WARM_SCRIPT = r"""
import gc
import numpy as np
from numba.core.registry import CPUDispatcher
from somdesk.core import kernels
from somdesk.session.datasets import frozen_array
from somdesk.session.mapstate import measure

def signatures():
    return {id(o): len(o.signatures) for o in gc.get_objects() if isinstance(o, CPUDispatcher)}

kernels.warm_up()
before = signatures()
rng = np.random.default_rng(0)
for n in (20, 336):                      # brute force and the kd-tree (n x nodes > 2e6)
    data = frozen_array(rng.random((n, 3)), np.float64)              # a session's dataset
    weights = frozen_array(rng.random((100, 100, 3)), np.float64)    # a live map's weights
    measure(weights, data, False, False)
after = signatures()
print(sum(after.get(k, 0) - v for k, v in before.items()) + sum(v for k, v in after.items() if k not in before))
"""


def test_warm_up_loads_every_kernel_variant_the_live_maps_measure_with():
    """The window's live maps measure frozen weights on frozen data; warm_up (called before the
    clock by `somdesk train` and the smoke mode alike) loads those variants too, so the window
    does not load them inside the run it is timed on.  A fresh process: nothing loaded before."""
    env = dict(os.environ, PYTHONPATH=ROOT, SOMDESK_KERNELS="numba")
    out = subprocess.run([sys.executable, "-c", WARM_SCRIPT], capture_output=True, text=True, env=env,
                         timeout=600)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-1] == "0", out.stdout


def _tied_search_case(rng, dim: int, nodes: int = 900, rows: int = 300):
    """Nodes and inputs with exact ties: duplicated nodes, inputs on nodes, on midpoints, repeated."""
    wf = np.round(rng.random((nodes, dim)) * 8) / 8       # a coarse grid of values: many equal distances
    wf[7] = wf[3]
    wf[500:510] = wf[20]
    x = np.round(rng.random((rows, dim)) * 8) / 8
    x[:20] = wf[3]
    x[20:40] = (wf[10] + wf[11]) / 2
    x[40:60] = x[60:80]
    return wf, x


@pytest.mark.parametrize("dim", [1, 2, 3, 4, 6])
def test_one_scan_gives_the_bmus_and_the_two_nearest_bit_for_bit(dim):
    """kernels.nearest_and_second (a live map's measures, one scan) against bmus_of and
    two_nearest (two scans), ties included, on writable and read-only arrays (a session's)."""
    if kernels.BACKEND == "numpy":
        pytest.skip("no compiled kernels: the measures keep the two searches")
    rng = np.random.default_rng(dim)
    wf, x = _tied_search_case(rng, dim)
    for frozen in (False, True):
        if frozen:
            wf, x = wf.copy(), x.copy()
            wf.flags.writeable = x.flags.writeable = False
        idx, d2, two = kernels.nearest_and_second(wf, x)
        ref_idx, ref_d2 = kernels.bmus_of(wf, x)
        assert np.array_equal(idx, ref_idx)
        assert np.array_equal(d2.view(np.int64), ref_d2.view(np.int64))    # the same bits
        assert np.array_equal(two, kernels.two_nearest(wf, x))
        on = np.flatnonzero((wf == wf[3]).all(axis=1))          # nodes 3 and 7 at least
        assert np.all(idx[:20] == on[0]) and np.all(two[:20] == on[:2])   # the first indices win ties


def test_one_scan_only_where_both_searches_scan_every_node():
    rng = np.random.default_rng(0)
    assert kernels.nearest_and_second(rng.random((1, 3)), rng.random((5, 3))) is None        # one node
    assert kernels.nearest_and_second(rng.random((10, 3)), np.empty((0, 3))) is None         # no inputs
    assert kernels.nearest_and_second(rng.random((10_000, 3)), rng.random((201, 3))) is None  # a kd-tree's size
    assert kernels.nearest_and_second(rng.random((1000, 13)), rng.random((50, 13))) is None  # the products


@pytest.mark.parametrize("topology", ["rectangular", "hexagonal"])
def test_a_live_maps_measures_are_the_two_searches(monkeypatch, topology):
    """session.mapstate.measure by one scan: the BMUs, hits, QE and TE the two searches gave."""
    from somdesk.session import mapstate

    rng = np.random.default_rng(3)
    wf, x = _tied_search_case(rng, 3, nodes=30 * 30)
    weights = wf.reshape(30, 30, 3)
    hexagonal = topology == "hexagonal"
    for toroidal in (False, True):
        one = mapstate.measure(weights, x, hexagonal, toroidal)
        with monkeypatch.context() as m:
            m.setattr(kernels, "nearest_and_second", lambda *a, **k: None)
            two = mapstate.measure(weights, x, hexagonal, toroidal)
        assert one.keys() == two.keys()
        for key in one:
            assert np.array_equal(np.asarray(one[key]), np.asarray(two[key])), key
        assert one["te"] > 0                      # the pairs' grid distances were counted
