"""The classic epoch's colour passes (somdesk.core._online3_numba): gaussian, D = 3.

While the window covers the map a fused pass updates and finds the next BMU; later a
window pass measures the window and a tile search the rest.  These maps are big
enough for both phases and for windows that wrap (toroidal) or cover the map in one
direction only.  Every epoch's BMUs must equal the numpy back end's (np.argmin over
the whole map: an independent search, first node on ties) and the weights agree to
1e-9 on every back end; the ahead-of-time build gives the JIT's bits.  Exact ties
(grid weights) are checked against a whole-map search with the kernels' own update
arithmetic: the numpy back end rounds its update apart (no fused multiply-add), so
after a few updates its near-ties may legitimately resolve differently.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

from numba import njit

from somdesk.core import SOM, SOMConfig
from somdesk.core._kernels_numba import (
    CUTOFF, GAUSSIAN, HEX_H, _col_offset2, _reach, _row_offset, _window, factor_tables,
)
from somdesk.core.reference import classic_reference

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SCRIPT = """
import sys
import numpy as np
from somdesk.core import SOM, SOMConfig, kernels
out = {}
rng = np.random.default_rng(7)
smooth = rng.random((60, 3))
levels = np.array([0.0, 0.5, 1.0])
ties = levels[rng.integers(0, 3, (24, 3))]          # repeated colours, exact ties of distances
# "grid": sigma 1.5 from the start, so windows from the first epoch and nodes outside them
# keep their grid weights: exact ties between nodes in and out of the window, across wraps
for name, data, init, sigma in (("smooth", smooth, None, None), ("ties", ties, levels, None),
                                ("grid", ties, levels, 1.5)):
    for topo in ("rectangular", "hexagonal"):
        for tor in (False, True):
            for h, w in ((36, 40), (12, 44)):         # the second: rows covered, columns windowed
                c = SOMConfig(width=w, height=h, iterations=24 if sigma is None else 6, topology=topo,
                              toroidal=tor, seed=3, sigma=sigma, order="shuffled" if tor else "sequential")
                r = np.random.default_rng(h)
                w0 = r.random((h, w, 3)) if init is None else init[r.integers(0, 3, (h, w, 3))]
                som = SOM(data, c, weights=w0)
                bmus = [som.step().bmus for _ in range(c.iterations)]
                key = f"{name}-{topo}-{tor}-{h}x{w}"
                out[key] = som.weights
                out[key + "-bmus"] = np.array(bmus)
print(kernels.BACKEND, file=sys.stderr)
np.savez(sys.argv[1], **out)
"""


def _run(backend: str, path, aot_dir) -> dict:
    env = dict(os.environ, SOMDESK_KERNELS=backend,
               PYTHONPATH=os.pathsep.join([str(aot_dir), ROOT, os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(path)], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == backend
    return dict(np.load(path))


@pytest.fixture(scope="module")
def results(aot_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("colours")
    return {b: _run(b, tmp / f"{b}.npz", aot_dir) for b in ("numba", "numpy", "aot")}


def test_every_epochs_bmus_equal_a_whole_map_argmin(results):
    for key, value in results["numpy"].items():
        if key.endswith("-bmus") and not key.startswith("grid"):
            np.testing.assert_array_equal(results["numba"][key], value, err_msg=key)


def test_weights_agree_on_every_back_end(results):
    for key, value in results["numba"].items():
        if not key.endswith("-bmus") and not key.startswith("grid"):
            assert np.max(np.abs(value - results["numpy"][key])) <= 1e-9, key
    for key, value in results["numba"].items():
        np.testing.assert_array_equal(results["aot"][key], value, err_msg=key)   # same source, same bits


@njit(fastmath={'contract'})
def _whole_map_epoch(wp, x, order, alpha, sigma, hexagonal, toroidal, bmus):
    """The classic epoch the plain way: BMU by a scan of every node (first on ties), then
    the kernels' update (same window, cutoff and fused multiply-add) node by node."""
    dim, height, width = wp.shape
    ty, tx = factor_tables(height, width, sigma, alpha, hexagonal)
    reach = _reach(GAUSSIAN, sigma, alpha)
    ystep = HEX_H if hexagonal else 1.0
    flat = wp.reshape(dim, height * width)
    for k in range(order.shape[0]):
        v = x[order[k]]
        best = np.inf
        b = 0
        for m in range(height * width):
            s = 0.0
            for d in range(dim):
                t = flat[d, m] - v[d]
                s += t * t
            if s < best:
                best = s
                b = m
        bmus[k] = b
        bi = b // width
        bj = b - bi * width
        bx2 = 2 * bj + (bi % 2 if hexagonal else 0)
        r_lo, r_hi = _window(bi, reach / ystep, height, toroidal)
        c_lo, c_hi = _window(bj, reach, width, toroidal)
        for ii in range(r_lo, r_hi):
            i = ii % height
            a = ty[_row_offset(i, bi, height, toroidal)]
            if a < CUTOFF:
                continue
            p = i % 2 if hexagonal else 0
            for jj in range(c_lo, c_hi):
                j = jj % width
                f = a * tx[_col_offset2(j, p, bx2, width, toroidal)]
                for d in range(dim):
                    wp[d, i, j] += f * (v[d] - wp[d, i, j])


@pytest.mark.parametrize("topology", ["rectangular", "hexagonal"])
@pytest.mark.parametrize("toroidal", [False, True])
def test_exact_ties_resolve_as_a_whole_map_search(topology, toroidal):
    """Grid weights and repeated colours, sigma 1.5: windows from the first epoch and nodes
    outside them still on the grid, so distances tie exactly in and out of the window."""
    rng = np.random.default_rng(7)
    levels = np.array([0.0, 0.5, 1.0])
    colours = levels[rng.integers(0, 3, (24, 3))]
    w0 = levels[rng.integers(0, 3, (36, 40, 3))]
    config = SOMConfig(width=40, height=36, iterations=6, sigma=1.5, topology=topology, toroidal=toroidal,
                       seed=3, order="shuffled")
    som = SOM(colours, config, weights=w0)
    expected = np.zeros(len(colours), dtype=np.int64)
    for t in range(config.iterations):
        sigma, alpha = som.schedule_at(t)
        planes = som._planes.copy()
        info = som.step()
        _whole_map_epoch(planes, som.data, som.order_at(t), alpha, sigma, topology == "hexagonal", toroidal,
                         expected)
        np.testing.assert_array_equal(info.bmus, expected)
        np.testing.assert_array_equal(som._planes, planes)      # bit for bit


def test_windowed_epochs_match_the_plain_transcription():
    """A 60x60 map run through both phases, against the transcription (to 1e-6, the goal's bound)."""
    rng = np.random.default_rng(60)
    colours = rng.random((30, 3))
    w0 = rng.random((60, 60, 3))
    expected = classic_reference(w0, colours, 40)
    som = SOM(colours, SOMConfig(width=60, height=60, iterations=40), weights=w0).train()
    assert np.max(np.abs(som.weights - expected)) <= 1e-6


def test_window_pass_picks_the_first_tied_node_when_the_window_wraps():
    """Every node of the window at distance 0 of u: the first in row-major order wins, also
    when the window's rows and columns wrap (visited 17, 18, 19, 0, 1, ...)."""
    from somdesk.core._online3_numba import _window_pass3

    height, width = 20, 24
    wp = np.full((3, height, width), 0.5)
    flat = wp.reshape(-1)
    u = np.full(3, 0.5)
    ty = np.zeros(height + 1)            # every row below the cutoff: measured, not moved
    gxf = np.ones(2 * width)
    rowf = np.zeros(height)
    for (r_lo, r_hi), (c_lo, c_hi) in (((-3, 10), (-2, 5)), ((4, 9), (20, 27)), ((15, 23), (6, 11))):
        rows = [r % height for r in range(r_lo, r_hi)]
        cols = [c % width for c in range(c_lo, c_hi)]
        best, node = _window_pass3(wp, flat, gxf, u, u, 0, r_lo, r_hi, c_lo, c_hi, ty, rowf, False, True)
        assert best == 0 and node == min(rows) * width + min(cols)


def test_tile_search_prefers_an_earlier_tied_node_outside_the_window():
    from somdesk.core._online3_numba import _search_outside3
    from somdesk.core._online_numba import refresh_boxes_planar
    from somdesk.core._tiles import tile_shape

    height, width = 32, 32
    wp = np.ones((3, height, width))
    wp[:, 3, 13] = 0.5                   # in tile (0, 1): the first node at distance 0
    wp[:, 20, 27] = 0.5                  # in tile (2, 3): the window's (and the guess's) answer
    nt = tile_shape(height, width)
    lo, hi = np.empty((3,) + nt), np.empty((3,) + nt)
    refresh_boxes_planar(wp, lo, hi, np.ones(nt, np.uint8))
    row_in = np.zeros(nt[0], dtype=np.bool_)
    col_in = np.zeros(nt[1], dtype=np.bool_)
    row_in[2] = col_in[3] = True         # the window covered tile (2, 3)
    u = np.full(3, 0.5)
    found = 20 * width + 27
    node = _search_outside3(wp, wp.reshape(-1), u, lo.reshape(3, -1), hi.reshape(3, -1), np.empty(nt[0] * nt[1]),
                            row_in, col_in, 0, found, found)
    assert node == 3 * width + 13
