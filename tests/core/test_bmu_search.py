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
