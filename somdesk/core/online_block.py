"""The classic epoch, gaussian, many dimensions: BMUs of a block of inputs from BLAS products.

Used by somdesk.core.kernels.online_epoch where `kernels.uses_block_epoch`
says so (compiled kernels, JIT or ahead of time; D >= BLOCK_FROM, learning
rate <= MAX_ALPHA, codebook up to MAX_CODEBOOK numbers).
Same algorithm, the same BMUs and the same weights to float64 rounding as the
sequential kernel (somdesk.core._online_wide_numba) and the plain
transcription (somdesk.core.reference); tests/core/test_classic_block.py checks.

Why: the sequential kernel moves the (D, M) codebook through the cache three
times per input (BMU scan, update read and write); on 25x15 at D = 50 that is
150 KB from L2 each time, the whole cost.  Here a block of B inputs costs two
BLAS products against the codebook (A = X W0 for the distances, X^T g for the
weights W = diag(c) (W0 + X^T g)), which run near the core's peak, plus O(M t)
scalar work per input on arrays that stay in L1 (somdesk.core._online_block_numba
gives the algebra).

The error bound (`block_tolerance`).  With u = 2^-53 and S = max_j |w0_j|^2 +
max_s |x_s|^2 (every w_j(t) is a convex combination of w0_j and the block's
inputs, so |w_j(t)|^2 <= S and |w_j(t).x_t| <= S): the expanded distance's
error is at most 3 e_q + (10 B + 4) u S, where e_q <= (D + B + 2) u S bounds
w.x_t's (the products' D-term sums, the t-term correction, the scale c), and
the |w|^2 recurrence adds at most 10 u S per input because its coefficients
(1 - f)^2 + 2 f (1 - f) <= 1 do not amplify earlier errors (gamma_n bounds of
Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., ch. 3).  A
candidate measured again from its weights formed in float64 is within
(4 B + 4 D + 16) u S of the exact value.  `block_tolerance` takes twice the
sum; every node whose expanded distance is within twice that bound of the
smallest is a candidate, so the node a float64 measurement ranks first is
never left out.

The float32 screen (`SCREEN`, `screen_tolerance`; docs/kernels.md).  After the
weights' product, the distance product is the block's largest cost, and in
float32 it takes half the time (AVX2: ~0.6 against ~1.3 us an input).  It runs
on centred coordinates: mu is the codebook's mean at the epoch's start
(distances do not change under a shift, and the algebra above holds for
w - mu and x - mu, the update commuting with the shift).  P_j = |w_j - mu|^2
and |x_t - mu|^2 stay float64; one sgemm forms A and the Gram from the
float32 roundings of s (x - mu) and s (w0 - mu), s a power of two that brings
every centred norm of the epoch below 1 (each w_j(t) - mu is a convex
combination of w0_j - mu and inputs - mu, so R = max(max |w0_j|, max |x|) +
|mu| bounds them all): float32 cannot overflow, and times 1 / s^2 the result
is exact again.  With u32 = 2^-24, rounding a coordinate to float32 gives
a_i (1 + d) + e, |d| <= u32, |e| <= 2^-126 (subnormals, or zero if flushed);
a float32 dot product of D terms adds at most gamma_D times the sum of the
terms' magnitudes (any order, fused or not) and 2^-126 a step by underflow;
with sum |a_i b_i| <= |a| |b| (Cauchy-Schwarz), an entry's error is at most
(D + 3) u32 |a| |b| plus 4 D 2^-126 (|a| + |b| + 1) in scaled units.  So with
Xc = max_s |x_s - mu| over the block and Wc = max_j |w0_j - mu|, A_tj is off
by at most (D + 3) u32 Xc Wc, G_st by (D + 3) u32 Xc^2, and
q_j(t) = c_j (A_tj + sum_s g_sj G_st) by E = (D + 3) u32 Xc (Wc + Xc) because
c_j + sum_s c_j g_sj = 1 (the coefficients of a convex combination).  P's
recurrence takes q's error with weight 2 f (1 - f) and (1 - f)^2 + 2 f (1 - f)
<= 1, so P stays within E too (induction), and a distance P - 2 q + |x_t|^2
within 3 E beyond the float64 bound.  The centring's float64 roundings move a
distance by at most ~8.1 u S_c (S_c: S of the centred vectors), and a
candidate is measured uncentred, within the float64 bound of
S <= 2 S_c + 4 |mu|^2.  `screen_tolerance` gives these terms with the margin
of 2 `block_tolerance` takes; the window stays twice the total.  So the
screen's candidates hold every node the float64 measurement could rank first,
and its BMU is the measured minimum (first on ties) as on the float64 path;
the weights are made from the BMUs alone (c, g, X^T g), so they are that
path's bit for bit (tests/core/test_classic_block.py checks both).

The correction sums in float32 (session 13).  For blocks of up to
SUM32_MAX (`_online_block_numba`) inputs the screen sums
A_tj + sum_{s<t} g_sj G_st in float32 on the sgemm's own output (no float64
copy of it), with g rounded to float32; q = c (that sum) / s^2 is formed in
float64.  At input t the sum has t + 1 terms: rounding g adds u32 to each
product, the products and the additions (any order, fused or not) at most
gamma_{t+1}, so with sum |terms| <= |x_t| (c |w0_j| + sum_s c g_sj |x_s|)
<= Xc max(Wc, Xc) (the convex combination again) q moves by at most
(t + 2) u32 Xc (Wc + Xc) more, and its distance by three times that (the P
recurrence as above); each float32 operation adds at most 2^-126 by
underflow, 2 t of them.  `screen_tolerance` takes t <= B (the block's
length): the relative term (D + 3) + (B + 2) + 1, the absolute one
4 D + 2 B + 2.  The terms g_sj G_st stay below 2^B in scaled units (g = f / c,
f <= MAX_ALPHA = 1/2 so c >= 2^-B, |G| <= 1), far inside float32's range for
B <= SUM32_MAX = 64; longer blocks sum in float64 as before.
"""
from __future__ import annotations

import threading

import numpy as np

from somdesk.core.cancel import CancelToken, check

# Inputs per block, by measurement (docs/kernels.md: 25x15, D = 50, CPU time per epoch).
BLOCK = 32
# From this many dimensions the block epoch beats the sequential one (measured; see docs/kernels.md).
BLOCK_FROM = 20
# The coefficients g = f / c need c = prod (1 - f) far from underflow within a block.
MAX_ALPHA = 0.5
# Codebooks up to this many numbers (M x D): the epoch keeps two more arrays of that size (a
# working copy and X^T g), 2 x 128 MiB at most; larger ones stay with the sequential kernel.
MAX_CODEBOOK = 2 ** 24
U = 2.0 ** -53
U32 = 2.0 ** -24            # float32's unit roundoff
TINY32 = 2.0 ** -126        # float32's smallest normal: the absolute error of a flushed or subnormal result
# The float32 screen (the distance product in float32, checked by the bound); False: float64 products.
SCREEN = True
_EMPTY = np.empty((0, 0))
# S (see _in_range) the block epoch takes; outside it, the sequential kernel.
SCALE_RANGE = (1e-200, 1e200)


def block_tolerance(dim: int, block: int) -> float:
    """Relative error bound of a block's distances (module docstring); times S it is absolute."""
    return 2.0 * ((3 * (dim + block + 2) + 10 * block + 4) + (4 * block + 4 * dim + 16)) * U


def screen_tolerance(dim: int, block: int) -> tuple[float, float, float]:
    """(relative, absolute, centring) allowances of the float32 screen (module docstring, "The float32 screen").

    dim D, block B the most inputs a block.  The distance's extra error is at
    most relative * max|x_s - mu| (max|w0_j - mu| + max|x_s - mu|) + centring * S_c
    + absolute * (max|x_s - mu| + max|w0_j - mu| + 1), S_c the centred S; each
    term with the margin of 2 `block_tolerance` also takes.  The relative and
    absolute terms hold the product's rounding (D) and the float32 correction
    sums' (B).
    """
    return (2.0 * 3.0 * (dim + block + 6) * U32, 2.0 * 3.0 * (4.0 * dim + 2.0 * block + 2.0) * TINY32,
            2.0 * 10.0 * U)


class BlockScratch:
    """Arrays of one (D, M, W, B) shape, kept between epochs."""

    def __init__(self, dim: int, m_count: int, width: int, block: int):
        self.key = (dim, m_count, width, block)
        # the float32 screen's arrays: the centred codebook and inputs, the product, the centred Gram
        self.w32 = np.empty((dim, m_count + block), dtype=np.float32)   # then the inputs transposed
        self.xxc = np.empty(block)
        self.a32 = np.empty(block * (m_count + block), dtype=np.float32)
        self._views32 = {}
        self.buf = np.empty((dim, m_count + block))   # the codebook, then the block's inputs transposed
        self.xb = np.empty((block, dim))
        self.ag = np.empty(block * (m_count + block))
        self.g = np.zeros((block, m_count))
        self.g32 = np.zeros((block, m_count), dtype=np.float32)    # g rounded: the screen's correction sums
        self.xg = np.empty((dim, m_count))
        self.nodes = np.empty((5, m_count))
        self.gx = np.zeros((2, width))
        self.counts = np.zeros(2, dtype=np.int64)     # inputs with several candidates, their candidates
        self._views = {}

    def views(self, b: int) -> tuple:
        """(xb, ag, W0 with xb^T, g, xb^T) for a block of b inputs: C-contiguous where the kernels need it."""
        if b not in self._views:
            m_count = self.key[1]
            xb = self.xb[:b]
            self._views[b] = (xb, self.ag[:b * (m_count + b)].reshape(b, m_count + b),
                              self.buf[:, :m_count + b], self.g[:b], xb.T)
        return self._views[b]

    def views32(self, b: int) -> tuple:
        """(xb32 (b, D), a32 (b, M + b), w32 with xb32^T (D, M + b)) for a block of b inputs (the float32 screen)."""
        if b not in self._views32:
            m_count = self.key[1]
            xbt32 = self.w32[:, m_count:m_count + b]
            self._views32[b] = (xbt32.T, self.a32[:b * (m_count + b)].reshape(b, m_count + b),
                                self.w32[:, :m_count + b])
        return self._views32[b]


_local = threading.local()      # one scratch per thread: SOMs may train in several threads at once


def _scratch_for(dim: int, m_count: int, width: int, block: int) -> BlockScratch:
    s = getattr(_local, "scratch", None)
    if s is None or s.key != (dim, m_count, width, block):
        s = _local.scratch = BlockScratch(dim, m_count, width, block)
    return s


def _in_range(norms2: np.ndarray, x: np.ndarray) -> tuple[bool, float]:
    """(Is S = max |w_j|^2 + max |x|^2 (module docstring) inside SCALE_RANGE or zero, max |x|^2).

    The bound is relative to S: far below it gradual underflow, far above it
    overflow would break it, so such epochs go to the sequential kernel.
    """
    lo, hi = SCALE_RANGE
    xmax = float(np.einsum("ij,ij->i", x, x).max()) if len(x) else 0.0
    scale = float(norms2.max()) + xmax
    return scale == 0.0 or lo <= scale <= hi, xmax      # NaN fails both


def online_epoch_block(nbk, wp: np.ndarray, x: np.ndarray, order: np.ndarray, alpha: float, sigma: float,
                       hexagonal: bool, toroidal: bool, last_bmu: np.ndarray, bmus: np.ndarray,
                       flag: np.ndarray, cancel: CancelToken | None, block: int | None = None,
                       counts: np.ndarray | None = None) -> bool:
    """One classic gaussian epoch by blocks of `block` inputs; wp (D, H, W) planar codebook, updated in place.

    nbk: namespace of block_steps and finish_stage (somdesk.core._online_block_numba),
    factor_tables and reach (somdesk.core._kernels_numba).  x (N, D) float64,
    order (n,) int64; last_bmu (N,) and bmus (n,) int64 receive the BMUs.
    flag is read before every input: when it is set, wp holds the weights after
    the inputs presented so far and `Cancelled` is raised.  `counts` (2,)
    int64, if given, gets += (inputs with several candidates, their candidates).
    Returns False, having changed nothing, when the codebook or the data are
    outside the range the error bound covers (|w|^2 or |x|^2 beyond
    SCALE_RANGE; the bound is relative, so gradual underflow and overflow are
    left to the sequential kernel).
    """
    block = BLOCK if block is None else block
    dim, height, width = wp.shape
    m_count = height * width
    flat = wp.reshape(dim, m_count)          # a view: wp is C-contiguous
    s = _scratch_for(dim, m_count, width, block)
    ty, tx = nbk.factor_tables(height, width, sigma, alpha, hexagonal)
    geometry = np.array([height, width, int(hexagonal), int(toroidal)], dtype=np.int64)
    tally = s.counts if counts is None else counts
    buf = s.buf
    buf[:, :m_count] = flat
    n = len(order)
    nbk.finish_stage(buf, m_count, _EMPTY, s.nodes, x, order[:block], s.xb)
    ok, xmax = _in_range(s.nodes[0], x)
    if not ok:
        return False
    params = np.array([nbk.reach(0, sigma, alpha), block_tolerance(dim, block), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    screen = SCREEN and getattr(nbk, "block_steps32", None) is not None
    if screen:
        # the centre: the codebook's mean (any centre gives the same distances; near the data's
        # it keeps |x - mu| |w - mu|, the scale of the float32 allowance, small)
        mu = flat.mean(axis=1)
        root = float(np.sqrt(mu @ mu))
        # every w_j(t) - mu and x - mu of the epoch has a norm below `radius` (convex combinations);
        # scaled by a power of two to below 1, float32 neither overflows nor loses the bulk to underflow
        radius = (max(float(np.sqrt(s.nodes[0].max())), np.sqrt(xmax)) + root) * 1.001
        inv = float(np.ldexp(1.0, int(np.frexp(radius)[1]))) if radius > 0.0 else 1.0
        params[2:5] = screen_tolerance(dim, block)
        params[5:] = (float(mu @ mu), 1.0, inv)
        nbk.finish_stage32(buf, m_count, _EMPTY, s.nodes, x, order[:block], s.xb, mu, 1.0 / inv, s.w32, s.xxc)
    try:
        views = s.views(block)
        views32 = s.views32(block)
        for k0 in range(0, n, block):
            b = min(block, n - k0)
            xb, ag, wx, g, xbt = views if b == block else s.views(b)
            src = order[k0:k0 + b]
            if screen:
                xb32, a32, w32 = views32 if b == block else s.views32(b)
                np.matmul(xb32, w32, out=a32)         # float32: half the float64 product's time
                done = nbk.block_steps32(a32, s.xxc, buf, m_count, xb, ag, s.nodes, s.g, s.g32, s.gx, ty, tx,
                                         params, geometry, src, last_bmu, bmus[k0:k0 + b], tally, flag)
            else:
                np.matmul(xb, wx, out=ag)
                done = nbk.block_steps(buf, m_count, xb, ag, s.nodes, s.g, s.gx, ty, tx, params, geometry,
                                       src, last_bmu, bmus[k0:k0 + b], tally, flag)
            if done < b:
                np.matmul(xbt[:, :done], g[:done], out=s.xg)
                break
            np.matmul(xbt, g, out=s.xg)
            nxt = order[k0 + b:k0 + b + block]
            if screen:
                nbk.finish_stage32(buf, m_count, s.xg, s.nodes, x, nxt, s.xb, mu, 1.0 / inv, s.w32, s.xxc)
            else:
                nbk.finish_stage(buf, m_count, s.xg, s.nodes, x, nxt, s.xb)
        else:
            return True
        nbk.finish_stage(buf, m_count, s.xg, s.nodes, x, order[:0], s.xb)
    finally:
        flat[...] = buf[:, :m_count]
    check(cancel)
