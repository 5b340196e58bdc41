"""Exact BMUs of many samples from float32 BLAS products, on both cores.

For many dimensions the fastest way to compare N samples with M nodes is the
expansion |x - w|^2 = |x|^2 + (|w|^2 - 2 x.w), the bracket for every pair from
one matrix product of the samples [x, 1] with the nodes [-2 w, |w|^2] (D + 1
long, float32: twice BLAS's float64 speed).  Its rounding can reorder near-ties,
so it only nominates candidates, which are then measured exactly in float64
(somdesk.core._bmu_numba.pick_exact): the answer equals a brute-force search's.

Work split (why not numba's or BLAS's own threads): the samples are cut into
chunks of a few hundred rows, and a small pool of Python threads (one per core)
takes chunks off one queue, each running the product for its chunk with BLAS
on one thread and then the candidate check (numba, nogil) on the same rows
while they are in cache.  Each chunk writes only its own rows, so the result
does not depend on which thread did what (deterministic, equal to the serial
search).  Measured on the shared 2-core machine: OpenBLAS's own two threads
and numba's prange pool wait on each other (their idle threads spin), and a
busy second core stalls a fixed two-way split for a whole scheduler slice
(16 ms on a 1-ms product); a shared queue of small chunks lets the free
thread carry on.

Error bound (u = float32 unit roundoff, data and nodes centred on the data's
mean first, which changes no distance and keeps norms small): rounding the
centred coordinates to float32 moves a squared distance by at most
4 u (|x|^2 + |w|^2); rounding |w|^2 to float32 by u |w|^2; a float32 dot
product of D + 1 terms whose absolute values sum to 2 |x| |w| + |w|^2
<= |x|^2 + 2 |w|^2 is off by at most (D + 1) u (1 + small) times that
(Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., eq. 3.5, any
summation order).  So every expanded value is within
(D + 8) u (|x|^2 + 2 max |w|^2) of the true one; candidates are the nodes within
twice that of the row's smallest, `tolerance_scale` = 4 (D + 8) u (a margin of 2).
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from somdesk.core.cancel import CancelToken, check

# Products (rows x nodes) per chunk: ~1 MB of float32, stays in L2 for the check.
CHUNK_PRODUCTS = 262_144
# Multiply-adds (N x M x (D + 1)) below which one thread does it all (no hand-off).
PARALLEL_FROM = 4_000_000
# Cache the float32 copy of a data set up to this many bytes (else convert per chunk).
PREPARE_MAX_BYTES = 512 * 2**20

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_blas = None


def workers() -> int:
    """Threads the search uses: the cores this process may run on (SOMDESK_THREADS overrides)."""
    env = os.environ.get("SOMDESK_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:   # not on Linux
        return max(1, os.cpu_count() or 1)


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=workers(), thread_name_prefix="somdesk-bmu")
        return _pool


def one_blas_thread():
    """A context in which BLAS runs on the calling thread only (process-wide while it lasts).

    Our own pool provides the parallelism; BLAS threads on top would oversubscribe.
    Without threadpoolctl (a dependency) BLAS keeps its default.
    """
    global _blas
    if _blas is None:
        try:
            from threadpoolctl import ThreadpoolController
            _blas = ThreadpoolController()
        except ImportError:   # pragma: no cover
            _blas = False
    if _blas is False:
        import contextlib
        return contextlib.nullcontext()
    return _blas.limit(limits=1, user_api="blas")


def tolerance_scale(dim: int) -> float:
    """Candidate window of the product search: 4 (D + 8) u, u = float32 unit roundoff (bound above)."""
    return 4.0 * (dim + 8) * (float(np.finfo(np.float32).eps) / 2.0)


def _augment(xc: np.ndarray) -> np.ndarray:
    """(n, D + 1) float32 [xc, 1]."""
    out = np.empty((len(xc), xc.shape[1] + 1), dtype=np.float32)
    out[:, :-1] = xc
    out[:, -1] = 1.0
    return out


class PreparedData:
    """A data set made ready for repeated product searches (batch training: once, not every epoch).

    x (N, D) float64 C-contiguous.  Holds its mean and, when `keep` and that
    fits in PREPARE_MAX_BYTES, the centred rows as (N, D + 1) float32
    [x - mean, 1] and |x - mean|^2 (else each chunk converts its own rows).
    """

    def __init__(self, x: np.ndarray, keep: bool = True):
        self.x = np.ascontiguousarray(x, dtype=np.float64)
        self.mean = self.x.mean(axis=0)
        self.x32 = None
        self.xsq = None
        n, d = self.x.shape
        if keep and n * (d + 1) * 4 <= PREPARE_MAX_BYTES:
            xc = self.x - self.mean
            self.xsq = np.einsum("nd,nd->n", xc, xc)
            self.x32 = _augment(xc)

    def rows(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """([x - mean, 1] float32 (b - a, D + 1), |x - mean|^2 (b - a,)) of rows a..b."""
        if self.x32 is not None:
            return self.x32[a:b], self.xsq[a:b]
        xc = self.x[a:b] - self.mean
        return _augment(xc), np.einsum("nd,nd->n", xc, xc)


def search(wf: np.ndarray, data: PreparedData, idx: np.ndarray, d2: np.ndarray, pick,
           flag: np.ndarray, cancel: CancelToken | None = None) -> None:
    """idx[s], d2[s] = exact BMU and squared distance of data.x[s] among wf's rows (first on ties).

    wf (M, D) float64; idx (N,) int64 and d2 (N,) float64 are filled.  `pick` is
    the compiled candidate check (somdesk.core._bmu_numba.pick_exact) or None for
    the numpy one.  Raises `Cancelled` when `cancel` is set (flag is its flag).
    """
    wf = np.ascontiguousarray(wf, dtype=np.float64)
    m_count, dim = wf.shape
    wc = wf - data.mean
    wsq = np.einsum("md,md->m", wc, wc)
    nodes = np.empty((m_count, dim + 1), dtype=np.float32)
    nodes[:, :-1] = -2.0 * wc
    nodes[:, -1] = wsq
    nodes_t = nodes.T
    wsq_max = float(wsq.max())
    scale = tolerance_scale(dim)
    x = data.x
    n = len(x)
    step = max(1, CHUNK_PRODUCTS // m_count)

    def chunk(a: int, b: int) -> None:
        if flag[0] != 0:
            return
        xa, xsq = data.rows(a, b)
        q = np.matmul(xa, nodes_t)                      # (rows, M) float32, BLAS
        if pick is not None:
            pick(q, xsq, wf, x[a:b], wsq_max, scale, idx[a:b], d2[a:b], flag)
        else:
            _pick_numpy(q, xsq, wf, x[a:b], wsq_max, scale, idx[a:b], d2[a:b])

    spans = [(a, min(n, a + step)) for a in range(0, n, step)]
    with one_blas_thread():
        if len(spans) == 1 or workers() == 1 or n * m_count * (dim + 1) < PARALLEL_FROM:
            for a, b in spans:
                check(cancel)
                chunk(a, b)
        else:
            futures = [_executor().submit(chunk, a, b) for a, b in spans]
            for f in futures:
                f.result()
    check(cancel)


def _pick_numpy(q, xsq, wf, xs, wsq_max, scale, out_idx, out_d2) -> None:
    """The candidate check of pick_exact in numpy (no compiled kernels)."""
    approx = q.astype(np.float64)
    cand = approx <= (approx.min(axis=1) + scale * (xsq + 2.0 * wsq_max))[:, None]
    out_idx[:] = np.argmax(cand, axis=1)
    for r in np.flatnonzero(cand.sum(axis=1) > 1):   # near-ties: exact distances, lowest index first
        nodes = np.flatnonzero(cand[r])
        exact = np.sum((wf[nodes] - xs[r]) ** 2, axis=1)
        out_idx[r] = nodes[int(np.argmin(exact))]
    out_d2[:] = np.sum((wf[out_idx] - xs) ** 2, axis=1)
