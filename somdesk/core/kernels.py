"""The inner loops: numba JIT from source, compiled ahead of time when frozen, else numpy.

The mexican hat (Ricker wavelet, h = (1 - q) exp(-q/2), q = d^2/sigma^2; the
formula of MiniSom's `_mexican_hat`) is negative beyond d = sigma.  An update
w' = w + a h (v - w) gives w' - v = (1 - a h)(w - v): for a h in [0, 1] the node
moves towards v (a convex combination, so it stays between w and v), but for
a h < 0 it moves away by the factor 1 + |a h| > 1, every time, which grows
geometrically: MiniSom applies no limit and such runs end at 1e36 or NaN.
somdesk's rule: a repulsive update (a h < 0) is clipped, per dimension, to the
data's range [min, max] of that dimension, widened to include the weight's
own value (so a node already outside, e.g. after PCA initialisation, is never
pulled in by a push away).  The rim still pushes nodes apart, but never out of
the data's bounding box, so weights stay finite and meaningful.

All back ends give the same weights to float64 rounding (tests check 1e-9).
SOMDESK_KERNELS=numba|aot|numpy picks one: `aot` is the module that
tools/build_aot_kernels.py compiles from the same source (the packaged app uses
it and ships no numba; its kernels release the GIL like the JIT's, and the
kd-tree query, parallel under the JIT, runs in row spans on the per-core pool);
`numpy` is ~40x slower on the seed job and exists so training still works where
neither can load.
"""
from __future__ import annotations

import os
import sys
from types import SimpleNamespace

import numpy as np

from somdesk.core import bmu_products, online_block
from somdesk.core._tiles import TILE, tile_shape
from somdesk.core.cancel import CancelToken, check
from somdesk.core.cpu_features import aot_module_names
from somdesk.core.data_checks import check_columns
from somdesk.errors import SomdeskError
from somdesk.core.topology import HEX_ROW_HEIGHT2, RADIUS_RTOL, squared_grid_distance, within_radius

NEIGHBOURHOOD_CODES = {"gaussian": 0, "bubble": 1, "mexican-hat": 2, "triangle": 3}
CUTOFF = 1e-16

BACKEND = "numpy"
_pick = _sums = None   # compiled candidate check of the product search and sums_by_node, when there are
_prep = None           # compiled centring of the product search's data (bmu_products.PreparedData)
# The flag handed to kernels when nobody can cancel: never set.
_NEVER = np.zeros(1, dtype=np.int64)
_NO_DISTANCES = np.empty(0)     # the product search's out_d2 when only BMUs are wanted
_nb = _kd = None
_choice = os.environ.get("SOMDESK_KERNELS", "").lower()


def _built_from_this_source(aot) -> bool:
    """Was `aot` compiled from today's kernel sources?  (Always, in the frozen app.)"""
    if getattr(sys, "frozen", False):
        return True
    from somdesk.core.aot_fingerprint import source_fingerprint
    return hasattr(aot, "fingerprint") and aot.fingerprint() == source_fingerprint()


_AOT = None     # the module of kernels compiled ahead of time, once loaded


def aot_module():
    """The ahead-of-time kernel module when it is the back end, else None (dither uses its fs_rows)."""
    return _AOT if BACKEND == "aot" else None


def _import_aot(name: str):
    import importlib

    for full in (f"somdesk.core.{name}", name):   # in the package, or built elsewhere on sys.path (tests)
        try:
            module = importlib.import_module(full)
        except ImportError:
            continue
        if _built_from_this_source(module):      # not a build left over from older kernel sources
            return module
    return None


def _load_aot():
    """The kernels compiled ahead of time (tools/build_aot_kernels.py), or None.

    Builds of the same source for three CPU levels: `_kernels_aot_v4` (AVX-512),
    `_kernels_aot_v3` (AVX2 and FMA; the classic epoch's rows run ~2x faster than
    generic x86-64 code) and `_kernels_aot` for any CPU; the best one the CPU
    runs, capped by SOMDESK_AOT_CPU (somdesk.core.cpu_features.aot_module_names).
    """
    global _AOT
    aot = None
    for name in aot_module_names():
        aot = _import_aot(name)
        if aot is not None:
            break
    if aot is None:
        return None
    _AOT = aot
    nb = SimpleNamespace(online_epoch=aot.online_epoch, online_epochs=getattr(aot, "online_epochs", None),
                         batch_accumulate=aot.batch_accumulate,
                         two_nearest=aot.two_nearest, online_epoch_wide=aot.online_epoch_wide,
                         u_matrix=getattr(aot, "u_matrix", None),
                         block=SimpleNamespace(block_steps=aot.block_steps, finish_stage=aot.finish_stage,
                                               block_steps32=getattr(aot, "block_steps32", None),
                                               finish_stage32=getattr(aot, "finish_stage32", None),
                                               factor_tables=aot.factor_tables, reach=aot.reach))
    kd = SimpleNamespace(build=aot.kd_build, query=aot.kd_query, brute=aot.kd_brute,
                         query2=getattr(aot, "kd_query2", None))     # a build before 2026-11-30 lacks it
    prep = (aot.column_stats, aot.centre_rows) if hasattr(aot, "centre_rows") else None
    return nb, kd, aot.pick_exact, aot.sums_by_node, prep


# The packaged app ships AOT kernels and no numba; from source numba's JIT is used.
if _choice == "aot" or (_choice == "" and getattr(sys, "frozen", False)):
    loaded = _load_aot()
    if loaded is not None:
        _nb, _kd, _pick, _sums, _prep = loaded
        BACKEND = "aot"
if _nb is None and _choice not in ("numpy", "aot"):
    try:
        from somdesk.core import _kdtree_numba as _kd
        from somdesk.core import _kernels_numba as _kn
        from somdesk.core import _online_numba as _on
        from somdesk.core._online_wide_numba import online_epoch_wide as _wide
        from somdesk.core._bmu_numba import pick_exact as _pick
        from somdesk.core._bmu_numba import sums_by_node as _sums
        from somdesk.core import _bmu_numba as _bm
        _prep = (_bm.column_stats, _bm.centre_rows)   # the product search's centring
        from somdesk.core import _online_block_numba as _blk
        _nb = SimpleNamespace(online_epoch=_on.online_epoch, online_epochs=_on.online_epochs,
                              batch_accumulate=_kn.batch_accumulate, two_nearest=_kn.two_nearest,
                              online_epoch_wide=_wide, TILE=_kn.TILE, RADIUS_RTOL=_kn.RADIUS_RTOL,
                              u_matrix=_kn.u_matrix,
                              block=SimpleNamespace(block_steps=_blk.block_steps, finish_stage=_blk.finish_stage,
                                                    block_steps32=_blk.block_steps32,
                                                    finish_stage32=_blk.finish_stage32,
                                                    factor_tables=_kn.factor_tables, reach=_kn._reach))
        BACKEND = "numba"
        assert _nb.TILE == TILE, "somdesk.core._kernels_numba.TILE must equal somdesk.core._tiles.TILE"
        assert _nb.RADIUS_RTOL == RADIUS_RTOL, "_kernels_numba.RADIUS_RTOL must equal topology.RADIUS_RTOL"
    except ImportError:  # numba missing or broken: the numpy path still works
        _nb = _kd = None

# What the About box and reports say the kernels are (the packaged app has no numba).
BACKEND_LABEL = {"numba": "numba JIT", "aot": "compiled ahead of time (numba pycc)",
                 "numpy": "numpy (no compiled kernels)"}[BACKEND]


def _flag(cancel: CancelToken | None) -> np.ndarray:
    """The one-element int64 array kernels poll: the token's flag, or one never set."""
    return _NEVER if cancel is None else cancel.flag


# Above this many dimensions a kd-tree visits most leaves: BMUs come from BLAS
# matrix products instead (exact, see somdesk.core.bmu_products).
TREE_MAX_DIM = 6
PRODUCTS_FROM = 200_000      # N x M x D above which BLAS products beat a brute-force scan
tolerance_scale = bmu_products.tolerance_scale


def prepare(x: np.ndarray, keep: bool = True) -> bmu_products.PreparedData:
    """x (N, D) float64 made ready for repeated product searches (bmu_products.PreparedData)."""
    return bmu_products.PreparedData(x, keep, _prep)


one_blas_thread = bmu_products.one_blas_thread
# No kernel is called in chunks to let a stop through: every back end's kernels release the
# GIL and read the stop flag themselves (tools/build_aot_kernels.py makes pycc's wrappers
# release it).
# Samples per call of the ahead-of-time kd-tree query: pycc has no prange, so the samples go
# to the per-core pool in spans of this many (~2-10 ms each on a 100x100 map).
KD_SPAN_ROWS = 2048


def _kd_rows(query, wf: np.ndarray, x: np.ndarray, tree, outs: tuple, flag: np.ndarray) -> None:
    """query(wf, x, tree, *outs, flag) over every row of x: one prange call under the JIT, row
    spans on every core (bmu_products.run_spans) for the ahead-of-time build, each span
    writing its rows of every array in `outs`.  Each sample's search is independent, so the
    spans give the JIT's result bit for bit."""
    if BACKEND != "aot":
        query(wf, x, tree, *outs, flag)
        return

    def span(a: int, b: int) -> None:
        if flag[0] == 0:
            query(wf, x[a:b], tree, *(o[a:b] for o in outs), flag)

    bmu_products.run_spans(span, len(x), KD_SPAN_ROWS, len(x) > KD_SPAN_ROWS)


def _kd_query(wf: np.ndarray, x: np.ndarray, tree, idx: np.ndarray, d2: np.ndarray, flag: np.ndarray) -> None:
    """idx, d2 = the kd-tree BMU and squared distance of every row of x (`_kd_rows`)."""
    _kd_rows(_kd.query, wf, x, tree, (idx, d2), flag)


def neighbourhood(nb: str, d2: np.ndarray, sigma: float) -> np.ndarray:
    """h(d), the same shape as the squared grid distances d2 (numpy version of the kernels' _h).

    `nb` "gaussian", "bubble", "triangle" or anything else for the mexican hat; sigma
    in node spacings.
    """
    if nb == "gaussian":
        return np.exp(-d2 / (2.0 * sigma * sigma))
    if nb == "bubble":
        return within_radius(d2, sigma).astype(np.float64)
    if nb == "triangle":
        return np.clip(1.0 - np.sqrt(d2) / sigma, 0.0, None)
    q = d2 / (sigma * sigma)
    return (1.0 - q) * np.exp(-0.5 * q)


def _squared_distances_to(b: int, height: int, width: int, hexagonal: bool, toroidal: bool) -> np.ndarray:
    """(H, W) squared grid distance of every node to node b."""
    return squared_grid_distance(np.arange(height * width), b, height, width, hexagonal,
                                 toroidal).reshape(height, width)


class TileBoxes:
    """Per-tile weight bounding boxes kept between epochs for the pruned BMU search."""

    def __init__(self, height: int, width: int, dim: int):
        shape = tile_shape(height, width)
        self.lo = np.empty((dim,) + shape)   # planar, like the classic kernel's codebook
        self.hi = np.empty((dim,) + shape)
        self.dirty = np.ones(shape, dtype=np.uint8)

    def invalidate(self) -> None:
        """Mark every tile's box stale (the weights were changed outside the kernel)."""
        self.dirty[...] = 1


# From this many dimensions the classic gaussian epoch runs somdesk.core._online_wide_numba;
# between WIDE_FROM and WIDE_ANY_MAP only on maps of up to WIDE_MAX_NODES nodes, where the
# tile boxes of the other kernel cannot pay (measured per epoch, CPU time: 25x15 D=8 5.0 ms
# against 7.9, D=50 17 against 35; 100x100 D=8 68 against 57, D=13 equal; 40x40 D=20 26 against 35).
WIDE_FROM = 8
WIDE_ANY_MAP = 16
WIDE_MAX_NODES = 4096


def uses_wide_epoch(nb: str, dim: int, height: int, width: int) -> bool:
    """True when the classic epoch of this job runs the many-dimension kernel."""
    return nb == "gaussian" and dim >= WIDE_FROM and (dim >= WIDE_ANY_MAP or height * width <= WIDE_MAX_NODES)


def uses_block_epoch(nb: str, dim: int, height: int, width: int, alpha: float) -> bool:
    """True when the classic epoch of this job runs by blocks of inputs (somdesk.core.online_block)."""
    return (getattr(_nb, "block", None) is not None and nb == "gaussian" and dim >= online_block.BLOCK_FROM
            and 0.0 <= alpha <= online_block.MAX_ALPHA and height * width * dim <= online_block.MAX_CODEBOOK)


def online_epoch(wp: np.ndarray, x: np.ndarray, order: np.ndarray, alpha: float, sigma: float,
                 nb: str, hexagonal: bool, toroidal: bool, last_bmu: np.ndarray,
                 boxes: TileBoxes, cancel: CancelToken | None = None) -> np.ndarray:
    """Present x[order[k]] one after the other, updating the planar codebook in place; return the BMUs.

    Kohonen's online rule (Kohonen 2001): w += alpha h(d(bmu, node); sigma) (x - w), the
    mexican hat's repulsive updates clipped to the data's box (module docstring).

    wp (D, H, W) C-contiguous float64 (planar: see somdesk.core._online_numba),
    x (N, D), order (n,) int64; returns (n,) BMU flat indices (row-major).
    `cancel` is read before every input; when it is set the pass stops there,
    wp holds the weights after the inputs already presented, and `Cancelled`
    is raised (the caller restores wp if it needs the epoch undone).
    """
    bmus = np.empty(len(order), dtype=np.int64)
    if uses_block_epoch(nb, wp.shape[0], wp.shape[1], wp.shape[2], alpha):
        # many dimensions: BMUs from BLAS products against each block's start weights
        boxes.invalidate()
        with one_blas_thread():     # BLAS's own threads on these small products stall (docs/kernels.md)
            done = online_block.online_epoch_block(_nb.block, wp, x, order, alpha, sigma, hexagonal, toroidal,
                                                   last_bmu, bmus, _flag(cancel), cancel)
        if done:
            return bmus          # (False: weights or data beyond the bound's range, the wide kernel runs)
    if _nb is not None and _nb.online_epoch_wide is not None and uses_wide_epoch(nb, *wp.shape):
        # many dimensions: the tile boxes prune nothing; full scans and whole-plane updates
        boxes.invalidate()
        done = _nb.online_epoch_wide(wp, x, order, alpha, sigma, hexagonal, toroidal, last_bmu, bmus,
                                     _flag(cancel))
        if done < len(order):
            check(cancel)
        return bmus
    if _nb is not None:
        done = _nb.online_epoch(wp, x, order, alpha, sigma, NEIGHBOURHOOD_CODES[nb], hexagonal, toroidal,
                                last_bmu, bmus, boxes.lo, boxes.hi, boxes.dirty, _flag(cancel))
        if done < len(order):
            boxes.invalidate()
            check(cancel)
        return bmus
    w3 = np.moveaxis(wp, 0, -1)          # (H, W, D) view: updates land in wp
    height, width, _ = w3.shape
    xlo, xhi = x.min(axis=0), x.max(axis=0)
    for k, src in enumerate(order):
        check(cancel)
        v = x[src]
        b = int(np.argmin(np.sum((w3 - v) ** 2, axis=2)))
        h = alpha * neighbourhood(nb, _squared_distances_to(b, height, width, hexagonal, toroidal), sigma)
        h[np.abs(h) < CUTOFF] = 0.0
        new = w3 + h[..., None] * (v - w3)
        if nb == "mexican-hat":   # repulsion stays inside the data's box (see module docstring)
            push = h < 0
            new[push] = np.clip(new[push], np.minimum(xlo, w3[push]), np.maximum(xhi, w3[push]))
        w3[...] = new
        bmus[k] = last_bmu[src] = b
    return bmus


_NO_SNAPS = (np.empty(0, dtype=np.int64), np.empty((0, 1)))


def online_epochs(wp: np.ndarray, x: np.ndarray, orders: np.ndarray, alphas: np.ndarray, sigmas: np.ndarray,
                  nb: str, hexagonal: bool, toroidal: bool, last_bmu: np.ndarray, boxes: TileBoxes,
                  backup: np.ndarray, cancel: CancelToken | None = None,
                  snap_after: np.ndarray | None = None,
                  snaps: np.ndarray | None = None) -> tuple[int, int, np.ndarray] | None:
    """Several classic epochs in one kernel call (compiled back ends; None for numpy or many dimensions).

    wp (D, H, W) planar codebook, orders (E, N) int64, alphas/sigmas (E,), backup
    (D, H, W) scratch.  Returns (epochs completed, status, bmus (E, N)); status 0:
    all ran, 1: `cancel` was set inside epoch `completed`, 2: that epoch made a
    weight non-finite.  Either way wp holds the weights after the completed
    epochs (the interrupted one is undone).  The call releases the GIL (JIT and
    ahead-of-time build alike), so the window stays live during it.  SOM.step
    runs its one epoch through this kernel too, where it exists.  `snap_after`
    (S,) int64 ascending, epochs of this call (1 = after its first), and `snaps`
    (S, D*H*W) float64: the codebook is copied there after those epochs, inside
    the call (a time-lapse's frames, SOM.run_epochs); rows past `completed` are
    left as they were.
    """
    if getattr(_nb, "online_epochs", None) is None or uses_wide_epoch(nb, *wp.shape):
        return None          # many dimensions: the wide kernel, epoch by epoch
    bmus = np.empty(orders.shape, dtype=np.int64)
    if snap_after is None:
        snap_after, snaps = _NO_SNAPS
    done, status = _nb.online_epochs(wp, x, orders, alphas, sigmas, NEIGHBOURHOOD_CODES[nb], hexagonal,
                                     toroidal, last_bmu, bmus, boxes.lo, boxes.hi, boxes.dirty, _flag(cancel),
                                     backup, snap_after, snaps)
    return int(done), int(status), bmus


def _same_width(wf: np.ndarray, x: np.ndarray) -> None:
    """SomdeskError unless x is (N, D) for wf's D: the compiled searches read D values a row, so a
    narrower x would be read past its rows (testerH #1).  Public entry points check first
    (data_checks.as_samples, with the user's words); this is the guard for every caller."""
    if np.ndim(x) != 2 or np.shape(x)[1] != wf.shape[1]:
        if np.ndim(x) != 2:
            raise SomdeskError(f"data must be a table of shape (samples, {wf.shape[1]}), got {np.shape(x)}")
        check_columns(np.shape(x)[1], wf.shape[1])


def uses_products(n: int, m_count: int, dim: int) -> bool:
    """True when bmus_of searches n samples among m_count nodes of dim dimensions by BLAS products."""
    return dim > TREE_MAX_DIM and n * m_count * dim > PRODUCTS_FROM


def bmus_of(wf: np.ndarray, x: np.ndarray, cancel: CancelToken | None = None,
            prepared: bmu_products.PreparedData | None = None,
            distances: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """(BMU flat index, squared distance) of every row of x; exact, first index on ties.

    wf (M, D), x (N, D) float64.  `prepared` = kernels.prepare(x), kept by a
    caller that searches the same x again and again (batch epochs), saves
    converting x every time.  `distances=False`: the BMUs only (the distance
    is None; the product search then skips the exact distance of a sample
    with one candidate).  Raises `Cancelled` when `cancel` is set during
    the search (it is read between samples or chunks of samples).
    """
    _same_width(wf, x)
    n = len(x)
    idx = np.empty(n, dtype=np.int64)
    d2 = np.empty(n, dtype=np.float64)
    if n == 0:
        return idx, d2
    if _nb is not None:
        wf = np.ascontiguousarray(wf, dtype=np.float64)
        x = np.ascontiguousarray(x, dtype=np.float64)
        flag = _flag(cancel)
        if uses_products(n, wf.shape[0], wf.shape[1]):
            if not distances:
                _bmus_by_products(wf, x, idx, _NO_DISTANCES, cancel, prepared)
                return idx, None
            _bmus_by_products(wf, x, idx, d2, cancel, prepared)
        elif n * wf.shape[0] <= 2_000_000:  # a tree costs more than it saves here
            _kd.brute(wf, x, idx, d2, flag)
        else:
            tree = _kd.build(wf, flag)
            check(cancel)
            _kd_query(wf, x, tree, idx, d2, flag)
        check(cancel)
        return idx, d2
    if uses_products(n, wf.shape[0], wf.shape[1]):
        _bmus_by_products(wf, x, idx, d2 if distances else _NO_DISTANCES, cancel, prepared)
        return idx, (d2 if distances else None)
    _bmus_brute(wf, x, idx, d2, cancel)
    return idx, d2


def _bmus_brute(wf: np.ndarray, x: np.ndarray, idx: np.ndarray, d2: np.ndarray,
                cancel: CancelToken | None) -> None:
    """Exact distances to every node, chunked to keep the (chunk, M, D) temporary near 16 MB."""
    step = max(1, 2_000_000 // max(1, wf.size))
    for s in range(0, len(x), step):
        check(cancel)
        if _kd is not None:
            _kd.brute(wf, x[s:s + step], idx[s:s + step], d2[s:s + step], _flag(cancel))
            continue
        dist = np.sum((x[s:s + step, None, :] - wf[None, :, :]) ** 2, axis=2)
        idx[s:s + step] = np.argmin(dist, axis=1)
        d2[s:s + step] = dist[np.arange(len(dist)), idx[s:s + step]]
    check(cancel)


def _bmus_by_products(wf: np.ndarray, x: np.ndarray, idx: np.ndarray, d2: np.ndarray,
                      cancel: CancelToken | None, prepared: bmu_products.PreparedData | None) -> None:
    """Exact BMUs via float32 BLAS products nominating candidates, on every core (somdesk.core.bmu_products)."""
    data = prepared if prepared is not None and prepared.x is x else prepare(x, keep=False)
    if not bmu_products.search(wf, data, idx, d2, _pick, _flag(cancel), cancel):
        # a codebook far outside the data's scale (brute force fills distances too)
        _bmus_brute(wf, x, idx, d2 if len(d2) == len(idx) else np.empty(len(idx)), cancel)


def sums_by_node(idx: np.ndarray, data: np.ndarray, m_count: int) -> tuple[np.ndarray, np.ndarray]:
    """((M, D) sum, (M,) count) of the samples whose BMU is each node; idx (N,) int64, data (N, D).

    Small jobs add in sample order (the same bits as np.bincount); big ones in
    fixed blocks on every core (bmu_products.node_sums: same result on any
    number of threads, within float64 rounding of the sample-order sum).
    """
    n, d = data.shape
    if _sums is not None and n * d >= 2 * bmu_products.SUM_BLOCK_WORK:   # big: blocks on every core
        return bmu_products.node_sums(np.ascontiguousarray(idx, dtype=np.int64),
                                      np.ascontiguousarray(data, dtype=np.float64), m_count, _sums)
    sums = np.zeros((m_count, d))
    counts = np.zeros(m_count)
    if _sums is not None:
        _sums(np.ascontiguousarray(idx, dtype=np.int64), np.ascontiguousarray(data, dtype=np.float64),
              sums, counts)
        return sums, counts
    counts[:] = np.bincount(idx, minlength=m_count)
    if d <= 8:   # one dimension at a time keeps temporaries at O(N)
        for k in range(d):
            sums[:, k] = np.bincount(idx, weights=data[:, k], minlength=m_count)
        return sums, counts
    # many dimensions: one stable sort and one segmented sum (same order of additions)
    order = np.argsort(idx, kind="stable")
    sorted_idx = idx[order]
    starts = np.flatnonzero(np.r_[True, sorted_idx[1:] != sorted_idx[:-1]])
    sums[sorted_idx[starts]] = np.add.reduceat(data[order], starts, axis=0)
    return sums, counts


def u_matrix(weights: np.ndarray, hexagonal: bool, toroidal: bool) -> np.ndarray | None:
    """(H, W) U-matrix of weights (H, W, D) compiled, with the bits of metrics.u_matrix's numpy
    loop; None where that is not the case (no compiled kernel, D >= 8: numpy then sums pairwise,
    a torus 1 or 2 nodes across)."""
    fn = getattr(_nb, "u_matrix", None)
    height, width, dim = weights.shape
    if fn is None or dim >= 8 or (toroidal and (height <= 2 or width <= 2)):
        return None
    out = np.empty((height, width))
    fn(np.ascontiguousarray(np.moveaxis(weights, -1, 0)), hexagonal, toroidal, out)   # SOM's planes: no copy
    return out


def nearest_and_second(wf: np.ndarray, x: np.ndarray,
                       cancel: CancelToken | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(BMU flat index (N,) int64, its squared distance (N,) float64, (N, 2) int64 nearest and
    second-nearest node) of every row of x (N, D) among wf (M, D), by one full scan, or None
    where bmus_of and two_nearest would not both scan every node (no compiled kernels, a
    kd-tree or the product search, N x M > 2,000,000, fewer than two nodes, no rows).

    The values are bmus_of's and two_nearest's, bit for bit (tests/core/test_bmu_search.py):
    a live map's measures (session/mapstate.measure) read the nodes once instead of twice.
    Raises `Cancelled` when `cancel` is set during the scan.
    """
    _same_width(wf, x)
    n, m_count, dim = len(x), wf.shape[0], wf.shape[1]
    if _nb is None or n == 0 or m_count < 2 or uses_products(n, m_count, dim) or n * m_count > 2_000_000:
        return None
    wf = np.ascontiguousarray(wf, dtype=np.float64)
    x = np.ascontiguousarray(x, dtype=np.float64)
    two = np.zeros((n, 2), dtype=np.int64)
    d2 = np.empty(n, dtype=np.float64)
    _nb.two_nearest(wf, x, two, d2, _flag(cancel))
    check(cancel)
    return two[:, 0].copy(), d2, two


def two_nearest(wf: np.ndarray, x: np.ndarray, cancel: CancelToken | None = None) -> np.ndarray:
    """(N, 2): each row's nearest and second-nearest node (one node: both 0).

    Raises `Cancelled` when `cancel` is set during the search.
    """
    wf = np.ascontiguousarray(wf, dtype=np.float64)
    x = np.ascontiguousarray(x, dtype=np.float64)
    _same_width(wf, x)
    out = np.zeros((len(x), 2), dtype=np.int64)
    if len(x) == 0 or wf.shape[0] < 2:
        return out
    query2 = getattr(_kd, "query2", None) if _kd is not None else None
    if (query2 is not None and wf.shape[1] <= TREE_MAX_DIM and wf.shape[0] >= 64
            and len(x) * wf.shape[0] > 2_000_000):
        # a kd-tree, as for the BMUs: brute force was 50 s of a 58-s job on a 400x400 map of
        # 65,536 colours, and 5 minutes on 1000x1000 (tester7 F33); the same pairs, bit for bit
        flag = _flag(cancel)
        tree = _kd.build(wf, flag)
        check(cancel)
        _kd_rows(query2, wf, x, tree, (out,), flag)
        check(cancel)
        return out
    if _nb is not None:
        _nb.two_nearest(wf, x, out, _NO_DISTANCES, _flag(cancel))
        check(cancel)
        return out
    step = max(1, 2_000_000 // max(1, wf.size))
    for s in range(0, len(x), step):
        check(cancel)
        dist = np.sum((x[s:s + step, None, :] - wf[None, :, :]) ** 2, axis=2)
        part = np.argpartition(dist, 1, axis=1)[:, :2]
        rows = np.arange(len(dist))[:, None]
        order = np.lexsort((part, dist[rows, part]), axis=1)  # by distance, then index
        out[s:s + step] = np.take_along_axis(part, order, axis=1)
    return out


def batch_smooth(sums: np.ndarray, counts: np.ndarray, height: int, width: int, sigma: float,
                 nb: str, hexagonal: bool, toroidal: bool,
                 cancel: CancelToken | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(numerator (M, D), denominator (M,)) of Kohonen's batch map update.

    Raises `Cancelled` when `cancel` is set during the sums.
    """
    dim = sums.shape[1]
    if nb == "gaussian":
        return _batch_smooth_separable(sums, counts, height, width, sigma, hexagonal, toroidal, cancel)
    num = np.zeros((height * width, dim))
    den = np.zeros(height * width)
    if _nb is not None:
        _nb.batch_accumulate(sums, counts, height, width, sigma, NEIGHBOURHOOD_CODES[nb],
                             hexagonal, toroidal, num, den, 0, height * width, _flag(cancel))
        check(cancel)
        return num, den
    for m in np.flatnonzero(counts):
        check(cancel)
        h = neighbourhood(nb, _squared_distances_to(int(m), height, width, hexagonal, toroidal), sigma).ravel()
        h[h < CUTOFF] = 0.0
        den += h * counts[m]
        num += h[:, None] * sums[m]
    return num, den


def _axis_factors(target2: np.ndarray, source2: np.ndarray, period2: int, toroidal: bool,
                  unit2: float, sigma: float) -> np.ndarray:
    """exp(-d^2/2s^2) between positions in whole steps whose squared length is unit2 (table form)."""
    d = np.abs(target2[:, None] - source2[None, :])
    if toroidal:
        d = np.minimum(d, period2 - d)
    g = np.exp(-((d * d) * unit2) / (2.0 * sigma * sigma))
    g[g < CUTOFF] = 0.0
    return g


def _batch_smooth_separable(sums, counts, height, width, sigma, hexagonal, toroidal, cancel=None):
    """The gaussian batch update as matrix products: h = g(dy) g(dx) is separable.

    On hexagonal maps the x offset depends on both rows' parity, so the sum is
    split into (target parity, source parity) blocks.
    """
    dim = sums.shape[1]
    rows = np.arange(height)
    gy = _axis_factors(rows, rows, height, toroidal, HEX_ROW_HEIGHT2 if hexagonal else 1.0, sigma)
    s_grid = sums.reshape(height, width, dim)
    c_grid = counts.reshape(height, width, 1)
    both = np.concatenate([s_grid, c_grid], axis=2)  # smooth sums and counts together
    cols2 = 2 * np.arange(width)
    if not hexagonal and height * width * (height + width) * (dim + 1) <= 20_000_000:
        # one pass of two products (rows, then columns): the chunked form below spends
        # more on fancy-index copies than on the products (0.8 ms against 0.3 on 25x15 x 300)
        gx = _axis_factors(cols2, cols2, 2 * width, toroidal, 0.25, sigma)
        check(cancel)
        part = (gy @ both.reshape(height, -1)).reshape(height, width, dim + 1)
        flat = np.matmul(gx, part).reshape(height * width, dim + 1)
        return flat[:, :dim], flat[:, dim]          # views: copies cost ~1 ms of page faults an epoch
    out = np.zeros_like(both)
    parities = (0, 1) if hexagonal else (0,)
    for p in parities:
        tr = rows[rows % 2 == p] if hexagonal else rows
        for pb in parities:
            sr = rows[rows % 2 == pb] if hexagonal else rows
            gx = _axis_factors(cols2 + p, cols2 + pb, 2 * width, toroidal, 0.25, sigma)
            # target rows in chunks of ~2e7 multiply-adds, so a stop request is seen within ~10 ms
            per_row = max(1, len(sr) * width * (dim + 1) + width * width * (dim + 1))
            chunk = max(1, 20_000_000 // per_row)
            for c0 in range(0, len(tr), chunk):
                check(cancel)
                rows_t = tr[c0:c0 + chunk]
                part = np.tensordot(gy[np.ix_(rows_t, sr)], both[sr], axes=(1, 0))   # (rows, W, D+1)
                out[rows_t] += np.matmul(gx, part)                                   # over source columns
    flat = out.reshape(height * width, dim + 1)
    return flat[:, :dim], flat[:, dim]


def warm_up() -> None:
    """Compile (or load from cache) the kernels on a tiny map, so a first run is not slow."""
    if _nb is None:
        return
    w = np.random.default_rng(0).random((3, 4, 3))
    x = w.reshape(-1, 3)[:2].copy()
    planes = np.ascontiguousarray(np.moveaxis(w, -1, 0))
    for nb in NEIGHBOURHOOD_CODES:
        online_epoch(planes, x, np.arange(2), 0.1, 1.0, nb, False, False, np.zeros(2, np.int64),
                     TileBoxes(3, 4, 3))
    frozen = x.copy()
    frozen.flags.writeable = False      # a session's data are read-only: numba compiles a variant for that
    for data in (x, frozen):
        online_epoch(planes, data, np.arange(2), 0.1, 1.0, "gaussian", False, False, np.zeros(2, np.int64),
                     TileBoxes(3, 4, 3))
        online_epochs(planes, data, np.zeros((2, 2), np.int64), np.full(2, 0.1), np.ones(2), "gaussian", False,
                      False, np.zeros(2, np.int64), TileBoxes(3, 4, 3), np.empty_like(planes))   # the window at Max
    wide = np.ascontiguousarray(np.repeat(planes, 3, axis=0)[:WIDE_FROM])
    online_epoch(wide, wide.reshape(WIDE_FROM, -1).T[:2].copy(), np.arange(2), 0.1, 1.0, "gaussian",
                 False, False, np.zeros(2, np.int64), TileBoxes(3, 4, WIDE_FROM))
    block_dim = online_block.BLOCK_FROM      # the block epoch (many dimensions)
    many = np.ascontiguousarray(np.tile(planes, (-(-block_dim // 3), 1, 1))[:block_dim])
    rows = many.reshape(len(many), -1).T[:2].copy()
    frozen_rows = rows.copy()
    frozen_rows.flags.writeable = False
    for data in (rows, frozen_rows):
        online_epoch(many, data, np.arange(2), 0.1, 1.0, "gaussian", False, False, np.zeros(2, np.int64),
                     TileBoxes(3, 4, len(many)))
    # The measures of the window's live maps (session/mapstate.measure) search a frozen dataset
    # with a frozen map's weights: numba types read-only arrays apart, so each search kernel has
    # up to four variants.  Not loaded here, the first live map loaded them during the run
    # (~10 ms on the seed job, ~25 with the kd-tree: the window's extra time measured from outside).
    wf = np.random.default_rng(1).random((64, 3))
    frozen_w = w.reshape(-1, 3).copy()
    frozen_w.flags.writeable = False
    frozen_wf = wf.copy()
    frozen_wf.flags.writeable = False
    for data in (x, frozen):
        for nodes, tree_nodes in ((w.reshape(-1, 3), wf), (frozen_w, frozen_wf)):
            bmus_of(nodes, data)
            two_nearest(nodes, data)
            nearest_and_second(nodes, data)
            _kd_query(tree_nodes, data, _kd.build(tree_nodes, _NEVER), np.empty(2, np.int64), np.empty(2),
                      _NEVER)
    u_matrix(w, False, False)
    batch_smooth(x, np.ones(2), 1, 2, 1.0, "bubble", False, False)   # gaussian needs no kernel
    if _prep is not None:
        for data in (x, frozen):      # batch training's data: the SOM's own, or a session's (frozen)
            prepare(data)
    if _pick is not None:
        _pick((wf @ x.T).astype(np.float32), np.ones(2), wf, x, 1.0, 1e-6, np.empty(2, np.int64),
              np.empty(2), _NEVER)
