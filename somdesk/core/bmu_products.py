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
mean first, which changes no distance and keeps norms small).  Within one row
(one sample x) |x|^2 is common to every node, so only q = |w|^2 - 2 x.w ranks
them and only its errors matter: rounding the centred coordinates to float32
(relative u each; the float64 centring adds a relative 2^-53) moves 2 x.w by at
most (2u + u^2) 2 sum |x_i w_i| <= (2u + u^2) 2 |x| |w| (Cauchy-Schwarz);
rounding |w|^2 to float32 moves it by u |w|^2; a float32 dot product of the D + 1
terms, whose absolute values sum to 2 sum |x_i w_i| + |w|^2 <= 2 |x| |w| + |w|^2,
is off by at most gamma_(D+1) = (D + 1) u (1 + small) times that (Higham,
Accuracy and Stability of Numerical Algorithms, 2nd ed., eq. 3.5, any summation
order).  So every expanded value is within (D + 8) u (2 |x| W + W^2) of the true
one, W = max |w| (D + 3 would do; the rest is slack for the second-order terms);
candidates are the nodes within twice that of the row's smallest,
`tolerance_scale` = 4 (D + 8) u (a margin of 2).  The earlier window bounded
2 |x| |w| by |x|^2 + |w|^2; on a codebook that sits well inside the data (every
trained map: |w| ~ 0.1-0.2 |x| at D = 300) that was 2-7 times wider than needed
and left several candidates for most samples.

The bound is relative, so it needs float32's normal range: the centred data
are multiplied by a power of two (exact; it changes no ranking) that brings
their largest magnitude into [0.5, 1), the window gets an absolute term for
gradual underflow, (D + 2) 2^-149 per product (each of the D + 1 products and
sums loses at most half the smallest subnormal; the window takes 4 times that:
two products, a margin of 2), and a codebook reaching
beyond 2^40 of that scale (where squares could overflow) is searched exactly
by brute force instead.
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
# Samples x dimensions per block of the parallel per-node sums.
SUM_BLOCK_WORK = 2_000_000
# Cache the float32 copy of a data set up to this many bytes (else convert per chunk).
PREPARE_MAX_BYTES = 512 * 2**20

_pool: ThreadPoolExecutor | None = None
_pool_pid = 0
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
    """The shared pool; a new one in a forked child (the parent's threads are not there)."""
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(max_workers=workers(), thread_name_prefix="somdesk-bmu")
            _pool_pid = os.getpid()
        return _pool


class _OneBlasThread:
    """BLAS limited to one thread while any search runs (a count, so overlapping
    searches from several threads restore the original setting exactly once)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._depth = 0
        self._limiter = None

    def __enter__(self):
        global _blas
        with self._lock:
            if self._depth == 0:
                if _blas is None:
                    try:
                        from threadpoolctl import ThreadpoolController
                        _blas = ThreadpoolController()
                    except ImportError:   # pragma: no cover - a dependency
                        _blas = False
                self._limiter = _blas.limit(limits=1, user_api="blas") if _blas else None
            self._depth += 1
        return self

    def __exit__(self, *exc):
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._limiter is not None:
                self._limiter.restore_original_limits()
                self._limiter = None
        return False


_one_blas = _OneBlasThread()


def one_blas_thread() -> _OneBlasThread:
    """A context in which BLAS runs on the calling thread only (process-wide while it lasts).

    Our own pool provides the parallelism; BLAS threads on top would oversubscribe.
    Without threadpoolctl (a dependency) BLAS keeps its default.
    """
    return _one_blas


def run_spans(fn, n: int, step: int, parallel: bool) -> None:
    """fn(a, b) for consecutive [a, b) spans of range(n), on the pool when `parallel`.

    The calling thread takes spans too (with workers() - 1 pool threads): when the
    machine has no free core for a pool thread, the caller, which is running
    anyway, does the work instead of sleeping until a pool thread is scheduled
    (measured at load ~6: the 4,000 x 50 search took 2.6x its one-thread time
    with the caller waiting).  Each span is independent (writes its own rows),
    so the result does not depend on which thread ran it; the first exception
    stops the hand-out and is raised here.
    """
    spans = [(a, min(n, a + step)) for a in range(0, n, step)]
    threads = min(workers(), len(spans))
    if not parallel or threads <= 1:
        for a, b in spans:
            fn(a, b)
        return
    lock = threading.Lock()
    todo = iter(spans)
    failed = []

    def drain() -> None:
        while not failed:
            with lock:
                span = next(todo, None)
            if span is None:
                return
            try:
                fn(*span)
            except BaseException as exc:
                failed.append(exc)
                raise

    helpers = [_executor().submit(drain) for _ in range(threads - 1)]
    try:
        drain()
    finally:
        for f in helpers:          # a helper not started yet never will (nothing left: no wait,
            if not f.cancel():     # no deadlock behind busy pool threads); a started one may
                f.exception()      # still be writing its span into our arrays: wait for it
    if failed:
        raise failed[0]


def node_sums(idx: np.ndarray, x: np.ndarray, m_count: int, sums_kernel) -> tuple[np.ndarray, np.ndarray]:
    """((M, D) sums, (M,) counts) of the samples whose BMU is each node, on every core.

    The samples are cut into a fixed number of blocks (from the data's size,
    not the number of threads), each summed in sample order by `sums_kernel`
    (somdesk.core._bmu_numba.sums_by_node), and the blocks added in order: the
    same result on one thread or many, within float64 rounding of the
    one-block sum.
    """
    n, d = x.shape
    blocks = int(min(8, max(1, n * d // SUM_BLOCK_WORK)))
    step = -(-n // blocks)
    parts = [(np.zeros((m_count, d)), np.zeros(m_count)) for _ in range(blocks)]

    def one(a: int, b: int) -> None:
        s, c = parts[a // step]
        sums_kernel(idx[a:b], x[a:b], s, c)

    run_spans(one, n, step, blocks > 1)
    sums, counts = parts[0]
    for s, c in parts[1:]:
        sums += s
        counts += c
    return sums, counts


def tolerance_scale(dim: int) -> float:
    """Candidate window of the product search: 4 (D + 8) u, u = float32 unit roundoff (bound above)."""
    return 4.0 * (dim + 8) * (float(np.finfo(np.float32).eps) / 2.0)


# Centred, scaled codebook magnitudes above this are searched by brute force (no float32 overflow).
SCALED_MAX = 2.0 ** 40
_UNDERFLOW = float(np.ldexp(1.0, -149))


class PreparedData:
    """A data set made ready for repeated product searches (batch training: once, not every epoch).

    x (N, D) float64 C-contiguous.  Holds its mean, the power of two `scale`
    that brings the centred data's largest magnitude into [0.5, 1) and, when
    `keep` and that fits in PREPARE_MAX_BYTES, the centred scaled rows as
    (N, D + 1) float32 [s (x - mean), 1] and |s (x - mean)|^2 (else each chunk
    converts its own rows).  `compiled`: the kernels (column_stats, centre_rows)
    of somdesk.core._bmu_numba, which do each in one pass over the data on every
    core (~4x faster on 16,000 x 300), or None for numpy.  Any centre gives the
    same distances, so the two need not agree on the mean's last bits.
    """

    def __init__(self, x: np.ndarray, keep: bool = True, compiled=None):
        self.x = np.ascontiguousarray(x, dtype=np.float64)
        n, d = self.x.shape
        parallel = n * d >= PARALLEL_FROM
        stats, self._centre = compiled if compiled is not None else (None, None)
        if stats is not None and n:
            self.mean, lo, hi = _column_stats(self.x, stats, parallel)
            spread = float(np.max(np.maximum(hi - self.mean, self.mean - lo)))
        else:
            self.mean = self.x.mean(axis=0)
            # max |x - mean| from the columns' extremes: rounding is monotonic, so the same value
            # without two (N, D) temporaries (~15 ms and their page faults on 16,000 x 300)
            spread = float(np.max(np.maximum(self.x.max(axis=0) - self.mean, self.mean - self.x.min(axis=0)))) \
                if self.x.size else 0.0
        self.scale = float(np.ldexp(1.0, -np.frexp(spread)[1])) if spread > 0 else 1.0
        self.x32 = None
        self.xsq = None
        if keep and n * (d + 1) * 4 <= PREPARE_MAX_BYTES:
            self.xsq = np.empty(n)
            self.x32 = np.empty((n, d + 1), dtype=np.float32)

            def convert(a: int, b: int) -> None:
                self._convert(a, b, self.x32[a:b], self.xsq[a:b])

            run_spans(convert, n, max(1, CHUNK_PRODUCTS // (d + 1)), parallel)

    def _convert(self, a: int, b: int, out32: np.ndarray, outsq: np.ndarray) -> None:
        if self._centre is not None:
            self._centre(self.x[a:b], self.mean, self.scale, out32, outsq)
            return
        xc = (self.x[a:b] - self.mean) * self.scale
        outsq[:] = np.einsum("nd,nd->n", xc, xc)
        out32[:, :-1] = xc
        out32[:, -1] = 1.0

    def rows(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """([s (x - mean), 1] float32 (b - a, D + 1), |s (x - mean)|^2 (b - a,)) of rows a..b."""
        if self.x32 is not None:
            return self.x32[a:b], self.xsq[a:b]
        out32 = np.empty((b - a, self.x.shape[1] + 1), dtype=np.float32)
        outsq = np.empty(b - a)
        self._convert(a, b, out32, outsq)
        return out32, outsq


def _column_stats(x: np.ndarray, kernel, parallel: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean, min, max) of x's columns in one pass, in a fixed number of blocks of rows (set by
    the size, not the threads: the same bits on any number of threads), added in block order."""
    n, d = x.shape
    blocks = int(min(8, max(1, n * d // SUM_BLOCK_WORK)))
    step = -(-n // blocks)
    parts = [(np.zeros(d), np.full(d, np.inf), np.full(d, -np.inf)) for _ in range(-(-n // step))]

    def one(a: int, b: int) -> None:
        kernel(x[a:b], *parts[a // step])

    run_spans(one, n, step, parallel and len(parts) > 1)
    sums, lo, hi = parts[0]
    for s, mn, mx in parts[1:]:
        sums += s
        np.minimum(lo, mn, out=lo)
        np.maximum(hi, mx, out=hi)
    return sums / n, lo, hi


def search(wf: np.ndarray, data: PreparedData, idx: np.ndarray, d2: np.ndarray, pick,
           flag: np.ndarray, cancel: CancelToken | None = None) -> bool:
    """idx[s], d2[s] = exact BMU and squared distance of data.x[s] among wf's rows (first on ties).

    wf (M, D) float64; idx (N,) int64 and d2 (N,) float64 are filled (an empty d2:
    the BMUs only, see _bmu_numba.pick_exact).  `pick` is
    the compiled candidate check (somdesk.core._bmu_numba.pick_exact) or None for
    the numpy one.  Returns False, filling nothing, when the codebook reaches
    beyond the float32 range of the method (the caller then searches exactly).
    Raises `Cancelled` when `cancel` is set (flag is its flag).
    """
    wf = np.ascontiguousarray(wf, dtype=np.float64)
    m_count, dim = wf.shape
    wc = (wf - data.mean) * data.scale
    if wc.size and not float(np.max(np.abs(wc))) <= SCALED_MAX:
        return False
    wsq = np.einsum("md,md->m", wc, wc)
    nodes = np.empty((m_count, dim + 1), dtype=np.float32)
    nodes[:, :-1] = -2.0 * wc
    nodes[:, -1] = wsq
    scale = tolerance_scale(dim)
    # the underflow allowance, 4 (D + 2) 2^-149, folded into W^2: the check's window
    # scale (2 |x| W + W^2) grows by at least scale times what is added to W^2
    wsq_max = float(wsq.max()) + 4.0 * (dim + 2) * _UNDERFLOW / scale
    x = data.x
    n = len(x)
    parallel = n * m_count * (dim + 1) >= PARALLEL_FROM
    step = max(1, CHUNK_PRODUCTS // m_count)
    if parallel:   # as many chunks for every thread, of equal size: no thread finishes a chunk late
        threads = workers()
        chunks = -(-n // step)
        step = -(-n // (-(-chunks // threads) * threads))

    def chunk(a: int, b: int) -> None:
        if flag[0] != 0:
            return
        xa, xsq = data.rows(a, b)
        qt = np.matmul(nodes, xa.T)     # (M, rows) float32, BLAS: the check scans it along rows
        if pick is not None:
            pick(qt, xsq, wf, x[a:b], wsq_max, scale, idx[a:b], d2[a:b], flag)
        else:
            _pick_numpy(qt, xsq, wf, x[a:b], wsq_max, scale, idx[a:b], d2[a:b])

    with one_blas_thread():
        run_spans(chunk, n, step, parallel)
    check(cancel)
    return True


def _pick_numpy(qt, xsq, wf, xs, wsq_max, scale, out_idx, out_d2) -> None:
    """The candidate check of pick_exact in numpy (no compiled kernels); qt (M, n)."""
    approx = qt.T.astype(np.float64)
    window = scale * (2.0 * np.sqrt(xsq * wsq_max) + wsq_max)     # scale (2 |x| W + W^2)
    cand = approx <= (approx.min(axis=1) + window)[:, None]
    out_idx[:] = np.argmax(cand, axis=1)
    # near-ties: exact distances summed in dimension order, as the compiled check and a brute-force
    # loop do (np.sum adds pairwise: another rounding, another node at a rounding tie); lowest index first
    for r in np.flatnonzero(cand.sum(axis=1) > 1):
        nodes = np.flatnonzero(cand[r])
        exact = np.cumsum((wf[nodes] - xs[r]) ** 2, axis=1)[:, -1]
        out_idx[r] = nodes[int(np.argmin(exact))]
    if len(out_d2):
        out_d2[:] = np.cumsum((wf[out_idx] - xs) ** 2, axis=1)[:, -1]
