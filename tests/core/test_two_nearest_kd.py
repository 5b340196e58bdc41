"""The topographic error's two nearest nodes from a kd-tree (tester7 F33: the brute-force scan
was 50 s of a 58-s job on a 400x400 map of 65,536 colours).  Every path gives the brute-force
scan's pairs exactly: ordered by distance, then node index."""
from __future__ import annotations

import numpy as np
import pytest

from somdesk.core import kernels, metrics


def _numpy_pairs(wf, x):
    dist = ((x[:, None, :] - wf[None, :, :]) ** 2).sum(axis=2)
    order = np.lexsort((np.broadcast_to(np.arange(len(wf)), dist.shape), dist), axis=1)
    return order[:, :2]


@pytest.mark.parametrize("dim", [1, 2, 3, 6])
@pytest.mark.parametrize("grid", [None, 4])      # None: continuous values; 4: levels with many ties
def test_kd_pairs_equal_the_brute_force_pairs(dim, grid):
    rng = np.random.default_rng(dim * 10 + (grid or 0))
    wf = rng.random((900, dim))
    x = rng.random((3000, dim))
    if grid:
        wf, x = np.round(wf * grid) / grid, np.round(x * grid) / grid
        wf[10] = wf[500]                          # duplicate nodes: the lower index first
    got = kernels.two_nearest(wf, x)              # 3000 x 900 > 2e6: the tree's path
    want = _numpy_pairs(wf, x)
    np.testing.assert_array_equal(got, want)


def test_the_tree_is_used_and_the_error_unchanged(monkeypatch):
    if getattr(kernels._kd, "query2", None) is None:
        pytest.skip("no compiled kd-tree kernels on this back end")
    calls = []
    real = kernels._kd.query2
    monkeypatch.setattr(kernels._kd, "query2", lambda *a: (calls.append(1), real(*a))[1], raising=False)
    rng = np.random.default_rng(3)
    weights = rng.random((40, 40, 3))
    data = rng.random((5000, 3))
    te = metrics.topographic_error(weights, data)
    assert calls
    brute = _numpy_pairs(weights.reshape(-1, 3), data)
    dist = metrics.grid_distance(brute[:, 0], brute[:, 1], 40, 40, False, False)
    assert te == float(np.mean(dist > metrics.neighbour_threshold(False)))


def test_a_set_flag_stops_the_tree_search():
    from somdesk.core.cancel import CancelToken
    from somdesk.errors import Cancelled

    token = CancelToken()
    token.cancel()
    rng = np.random.default_rng(5)
    with pytest.raises(Cancelled):
        kernels.two_nearest(rng.random((2000, 3)), rng.random((5000, 3)), token)


def test_the_ahead_of_time_build_finds_the_same_pairs(on_each_backend):
    script = (
        "import sys, numpy as np\n"
        "from somdesk.core import kernels\n"
        "rng = np.random.default_rng(11)\n"
        "wf = np.round(rng.random((2500, 3)) * 8) / 8\n"
        "x = rng.random((9000, 3))\n"
        "assert getattr(kernels._kd, 'query2', None) is not None, kernels.BACKEND\n"
        "np.savez(sys.argv[1], pairs=kernels.two_nearest(wf, x), backend=kernels.BACKEND)\n")
    got = on_each_backend(script)
    assert str(got["aot"]["backend"]) == "aot"
    np.testing.assert_array_equal(got["numba"]["pairs"], got["aot"]["pairs"])
