"""The SOM trainer: a plain object you step one iteration at a time.

    som = SOM(data, SOMConfig(width=100, height=100, iterations=1000, seed=1))
    for info in som.steps():        # or som.step(), or som.train()
        ...                         # info.iteration, info.sigma, info.alpha

Stepping, pausing (just stop calling step) and resuming give the same weights
as one uninterrupted `train()`: every iteration's randomness (the shuffled
input order) is derived from (seed, iteration), not from a running generator,
so nothing but the weights and the iteration counter carries state.

Cancelling (a `somdesk.core.cancel.CancelToken` passed as `cancel=`) reaches
inside an epoch: the kernels read the token's flag before every input (classic)
or between chunks of samples (batch BMU search and smoothing), so a stop takes
effect within milliseconds whatever the map size.  On a cancel mid-epoch the
SOM is put back exactly as it was before that epoch and `Cancelled` is raised,
so (weights, iteration) stay the whole state and continuing gives the
uninterrupted run bit for bit.  Why restore rather than remember the position
inside the epoch: a saved map (.somz holds weights and iteration) must resume
exactly too.  The classic epoch restores from a copy of its start weights
(one memcpy of the codebook per epoch, ~2% of the seed job; the same copy
serves the non-finite check below).  Epochs shorter than LONG_EPOCH_WORK
node-dimension updates (~1 ms) are only checked between epochs.  Batch epochs
write the weights only at their end, so they need no copy.

Non-finite weights: every epoch's result is checked; NaN or infinity stops
training with a `SomdeskError` and the weights of the epoch's start (the last
finite state).  With every neighbourhood but the mexican hat each update is a
convex combination (factor in [0, 1]), which cannot leave the finite hull of
the data and the previous weights, so the check is a guard; the mexican hat's
updates are clipped to the data's box (see somdesk.core.kernels).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from somdesk.core import kernels
from somdesk.core.cancel import CancelToken, check
# as_data and the limits live with the other data checks; imported here, where callers find them
from somdesk.core.data_checks import MAX_ABS_VALUE, MAX_SAMPLES, as_data, as_samples  # noqa: F401
from somdesk.core.initialise import initial_weights
from somdesk.core.options import SOMConfig, count_text, draw_seed
from somdesk.core.schedules import SCHEDULES
from somdesk.errors import Cancelled, OptionError, SomdeskError

# A classic epoch of at least this many node-dimension updates (inputs x nodes x
# dims, ~1 ms) can be cancelled part-way (and copies its start weights to undo);
# a shorter one is only cancelled between epochs.
LONG_EPOCH_WORK = 2_000_000


@dataclass(frozen=True)
class StepInfo:
    """What one iteration did: it was iteration `iteration` (0-based) of `total`."""

    iteration: int
    total: int
    sigma: float
    alpha: float
    bmus: np.ndarray | None = None  # BMU (flat index) of each input, classic mode


PLANE_ALIGN = 64   # bytes: the codebook's start, a cache line (see _aligned_copy)


def _aligned_copy(a: np.ndarray) -> np.ndarray:
    """A C-contiguous copy of a whose data start on a PLANE_ALIGN-byte boundary.

    The classic kernels load and store the codebook's rows in 32-byte vectors (AVX2);
    numpy's allocation of a large array starts 16 bytes into a page, so half of those
    accesses straddled two cache lines: a row update ran at 0.62 ns a node instead of
    0.31 (100x100 colours, AVX2 machine).  Every row (W doubles a row, H W a plane) then
    starts on a 32-byte boundary when W is a multiple of 4, as the Visibone job's 100."""
    raw = np.empty(a.size * a.itemsize + PLANE_ALIGN, dtype=np.uint8)
    skip = -raw.ctypes.data % PLANE_ALIGN
    out = raw[skip:skip + a.size * a.itemsize].view(a.dtype).reshape(a.shape)
    out[...] = a
    return out


def _all_finite(a: np.ndarray) -> bool:
    """True if no element is NaN or infinite (one reduction: inf - inf and NaN propagate)."""
    return a.size == 0 or math.isfinite(float(np.add.reduce(a, axis=None)))


class SOM:
    """A Kohonen map of `height` x `width` nodes trained on `data` (N, D).

    The self-organizing map of T. Kohonen ("Self-organized formation of topologically
    correct feature maps", Biol. Cybern. 43, 1982; "Self-Organizing Maps", 3rd ed.,
    Springer 2001): config.mode "classic" is the online rule (one input at a time),
    "batch" Kohonen's batch map.  `data` (N, D) is validated by `as_data` (a 1-D array
    is refused: x.reshape(-1, 1) is one feature); `weights`, if
    given, is an (H, W, D) start (else `initial_weights` of config.init and the
    seed); `iteration` is the 0-based number of epochs already done.

    Raises OptionError for the mexican-hat neighbourhood in batch mode and
    SomdeskError for bad data (see `as_data`), weights of the wrong shape or not
    finite, or `iteration` outside 0..config.iterations.
    """

    def __init__(self, data, config: SOMConfig | None = None, weights=None, iteration: int = 0):
        self.config = config if config is not None else SOMConfig()
        if self.config.mode == "batch" and self.config.neighbourhood == "mexican-hat":
            raise OptionError("batch training needs a non-negative neighbourhood (gaussian, bubble "
                              "or triangle): the mexican hat's negative rim makes the batch "
                              "average undefined")
        self.data = as_data(data)
        self._prepared = None   # the data made ready for the batch BMU search (kernels.prepare)
        self._sequential = np.arange(len(self.data), dtype=np.int64)   # read-only for the kernels
        # A run without a seed still gets one, so it can be saved and resumed exactly (at most
        # 2**53 - 1, read exactly from JSON: core.options.draw_seed).
        self.seed = self.config.seed if self.config.seed is not None else draw_seed()
        h, w = self.config.height, self.config.width
        if weights is None:
            rng = np.random.default_rng(np.random.SeedSequence([self.seed, 0]))
            weights = initial_weights(self.config.init, self.data, h, w, rng)
        self.weights = weights
        if not 0 <= int(iteration) <= self.config.iterations:
            raise SomdeskError(f"iteration {iteration} is outside 0..{self.config.iterations}")
        self.iteration = int(iteration)

    # -- state -----------------------------------------------------------------
    @property
    def weights(self) -> np.ndarray:
        """The (H, W, D) float64 weights; updated in place by training, copy to keep.

        A view of the planar (D, H, W) codebook the classic kernel works on (so no
        epoch pays a transpose); not C-contiguous: reshape gives a copy.  Setting it
        copies the value and raises SomdeskError when it is not (H, W, D), not finite or
        beyond +-MAX_ABS_VALUE.
        """
        return self._weights

    @weights.setter   # (the property's docstring above covers the setter)
    def weights(self, value) -> None:
        h, w, d = self.config.height, self.config.width, self.data.shape[1]
        arr = np.array(value, dtype=np.float64, copy=True, order="C")
        if arr.shape != (h, w, d):
            raise SomdeskError(f"weights have shape {arr.shape}, expected (height, width, dim) = {(h, w, d)}")
        if not np.all(np.isfinite(arr)):
            raise SomdeskError("weights contain NaN or infinite values")
        if arr.size and np.max(np.abs(arr)) > MAX_ABS_VALUE:
            raise SomdeskError(f"weights have values beyond +-{MAX_ABS_VALUE:g}; rescale them first")
        self._planes = _aligned_copy(np.moveaxis(arr, -1, 0))   # (D, H, W), the master copy
        self._weights = np.moveaxis(self._planes, 0, -1)                 # (H, W, D) view of it
        self._backup = None   # start weights of the running epoch, when it can be undone
        self._last_bmu = np.zeros(len(self.data), dtype=np.int64)
        self._boxes = kernels.TileBoxes(h, w, d)

    @property
    def total(self) -> int:
        """The number of iterations (epochs) of the run, config.iterations."""
        return self.config.iterations

    @property
    def done(self) -> bool:
        """True once all config.iterations iterations have run."""
        return self.iteration >= self.config.iterations

    def schedule_at(self, t: int) -> tuple[float, float]:
        """(sigma_t, alpha_t) of iteration t."""
        c = self.config
        return SCHEDULES[c.decay](t, c.iterations, c.sigma0, c.learning_rate)

    def order_at(self, t: int) -> np.ndarray:
        """(N,) int64 indices into the data: the order in which iteration t presents the inputs.

        For order "sequential" this is the SOM's own 0..N-1 array (do not write to it);
        "shuffled" draws a permutation from (seed, t), so any iteration can be replayed.
        """
        n = len(self.data)
        if self.config.order == "sequential":
            return self._sequential
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, 1, t]))
        return rng.permutation(n).astype(np.int64)

    # -- training --------------------------------------------------------------
    def step(self, cancel: CancelToken | None = None) -> StepInfo | None:
        """Run one iteration (one pass over the inputs). None when already done.

        Raises `somdesk.errors.Cancelled` when `cancel` is set before or during
        the pass (the SOM is then exactly as before it), and `SomdeskError` when
        the pass produced non-finite weights (restored to the pass's start).
        """
        if self.done:
            return None
        check(cancel)
        t = self.iteration
        sigma, alpha = self.schedule_at(t)
        c = self.config
        hexagonal = c.topology == "hexagonal"
        if c.mode == "classic":
            bmus = self._classic_epoch(t, sigma, alpha, hexagonal, cancel)
        else:
            bmus = self._batch_epoch(sigma, hexagonal, cancel)
        self.iteration = t + 1
        return StepInfo(t, c.iterations, sigma, alpha, bmus)

    def _classic_epoch(self, t: int, sigma: float, alpha: float, hexagonal: bool,
                       cancel: CancelToken | None) -> np.ndarray:
        c = self.config
        n = len(self.data)
        long_epoch = n * self._planes.size >= LONG_EPOCH_WORK
        inner = cancel if long_epoch else None     # short epochs: checked between epochs only
        if self._backup is None:
            self._backup = np.empty_like(self._planes)
        # One epoch through the multi-epoch kernel where the back end has it: run_epochs' compiled
        # code, so step() and run_epochs() give the same bits on every back end (the ahead-of-time
        # build's single-epoch export rounds ~1e-16 apart from it, docs/packaging.md); the kernel
        # keeps the backup and checks the weights itself.
        out = kernels.online_epochs(self._planes, self.data, self.order_at(t)[None], np.array([alpha]),
                                    np.array([sigma]), c.neighbourhood, hexagonal, c.toroidal, self._last_bmu,
                                    self._boxes, self._backup, inner)
        if out is not None:
            _done, status, bmus = out
            self._raise_for(status, t, cancel)
            return bmus[0]
        np.copyto(self._backup, self._planes)
        try:
            bmus = kernels.online_epoch(self._planes, self.data, self.order_at(t), alpha, sigma,
                                        c.neighbourhood, hexagonal, c.toroidal, self._last_bmu, self._boxes,
                                        inner)
        except BaseException:
            self._restore()
            raise
        if not _all_finite(self._planes):
            self._restore()
            raise SomdeskError(f"training stopped at iteration {t + 1}: the weights became NaN or "
                               "infinite (they are kept as before that iteration)")
        return bmus

    @staticmethod
    def _raise_for(status: int, t: int, cancel: CancelToken | None) -> None:
        """Raise what kernels.online_epochs' status says happened in iteration t (0: nothing)."""
        if status == 1:
            check(cancel)
            raise Cancelled("stopped")   # the flag was set and cleared again: still a stop
        if status == 2:
            raise SomdeskError(f"training stopped at iteration {t + 1}: the weights became NaN or "
                               "infinite (they are kept as before that iteration)")

    def _restore(self) -> None:
        np.copyto(self._planes, self._backup)
        self._boxes.invalidate()

    def _batch_epoch(self, sigma: float, hexagonal: bool, cancel: CancelToken | None) -> None:
        """Kohonen's batch map: every node becomes the h-weighted mean of the data.

        The weights are written only at the end, so a cancel leaves them untouched.
        """
        c = self.config
        h, w, d = self._weights.shape
        flat = np.ascontiguousarray(self._weights.reshape(-1, d))   # (M, D) copy of the planar codebook
        if self._prepared is None and kernels.uses_products(len(self.data), h * w, d):
            self._prepared = kernels.prepare(self.data)     # the float32 copy, made once per run
        idx, _ = kernels.bmus_of(flat, self.data, cancel, self._prepared, distances=False)
        sums, counts = kernels.sums_by_node(idx, self.data, h * w)
        with kernels.one_blas_thread():   # small products: a second BLAS thread only waits
            num, den = kernels.batch_smooth(sums, counts, h, w, sigma, c.neighbourhood, hexagonal,
                                            c.toroidal, cancel)
        # nodes without support (den 0) keep their weights: flat is a copy, written only where ok
        np.divide(num, den[:, None], out=flat, where=(den > 0)[:, None])
        if not _all_finite(flat):
            raise SomdeskError("training stopped: the batch update gave NaN or infinite weights "
                               "(they are kept as before that iteration)")
        check(cancel)
        self._planes.reshape(d, -1)[...] = flat.T     # one strided copy into the planes
        self._boxes.invalidate()
        return None

    def steps(self, cancel: CancelToken | None = None) -> Iterator[StepInfo]:
        """Generator over the remaining iterations; stop iterating to pause.

        Raises `Cancelled` (SOM as before the interrupted iteration) when `cancel` is set.
        """
        while not self.done:
            yield self.step(cancel)

    def run_epochs(self, count: int, cancel: CancelToken | None = None, snapshot_at=(),
                   on_snapshot: Callable[[int, np.ndarray], None] | None = None) -> StepInfo | None:
        """Up to `count` iterations, classic ones in a single kernel call; the last one's StepInfo.

        For a driver that shows a frame every few dozen epochs (the window at Max):
        one call without the GIL instead of one per epoch.  Same weights as
        `count` calls of `step()` (same arithmetic, same orders), same guarantees:
        a cancel inside an epoch undoes that epoch (the ones before it stay done)
        and raises `Cancelled`; non-finite weights raise `SomdeskError` with the
        weights of that epoch's start.  Batch epochs, many-dimension epochs and the
        numpy back end (no multi-epoch kernel) go one `step()` at a time.
        None when already done.

        Snapshots (a time-lapse's frames): for each `iteration` in `snapshot_at` that
        this call reaches (the value of `self.iteration` after that epoch),
        `on_snapshot(iteration, weights)` is called with an (H, W, D) float64 copy of
        the weights then, in order, after the call and before a stop or a fault is
        raised.  The kernel copies them as it goes, so they cost no extra call.
        """
        count = min(int(count), self.config.iterations - self.iteration)
        if count <= 0:
            return None
        c = self.config
        t0 = self.iteration
        wanted = sorted({int(i) for i in snapshot_at if t0 < int(i) <= t0 + count}) if on_snapshot else []
        if count == 1 or c.mode != "classic":
            return self._steps_with_snapshots(count, cancel, wanted, on_snapshot)
        check(cancel)
        schedule = [self.schedule_at(t) for t in range(t0, t0 + count)]
        orders = np.stack([self.order_at(t) for t in range(t0, t0 + count)])
        if self._backup is None:
            self._backup = np.empty_like(self._planes)
        snap_after = np.array([i - t0 for i in wanted], dtype=np.int64)
        snaps = np.empty((len(wanted), self._planes.size)) if wanted else None
        out = kernels.online_epochs(self._planes, self.data, orders, np.array([a for _s, a in schedule]),
                                    np.array([s for s, _a in schedule]), c.neighbourhood,
                                    c.topology == "hexagonal", c.toroidal, self._last_bmu, self._boxes,
                                    self._backup, cancel, snap_after if wanted else None, snaps)
        if out is None:          # this back end steps epoch by epoch
            return self._steps_with_snapshots(count, cancel, wanted, on_snapshot)
        done, status, bmus = out
        self.iteration = t0 + done
        for k, it in enumerate(wanted):
            if it <= t0 + done:      # planar (D, H, W) rows -> (H, W, D), as `weights` reads
                on_snapshot(it, np.moveaxis(snaps[k].reshape(self._planes.shape), 0, -1))
        self._raise_for(status, t0 + done, cancel)
        sigma, alpha = schedule[-1]
        return StepInfo(t0 + done - 1, c.iterations, sigma, alpha, bmus[-1])

    def _steps_with_snapshots(self, count: int, cancel, wanted: list, on_snapshot) -> StepInfo | None:
        """`count` step()s, calling `on_snapshot` at the iterations `wanted` (run_epochs)."""
        info = None
        for _ in range(count):
            info = self.step(cancel)
            if wanted and self.iteration in wanted:
                on_snapshot(self.iteration, self.weights.copy())
        return info

    def train(self, callback: Callable[[StepInfo], bool | None] | None = None,
              cancel: CancelToken | None = None) -> "SOM":
        """Run to the end; `callback(info)` returning False stops early (resumable).

        Raises `Cancelled` when `cancel` is set; the SOM is then exactly as after
        the last completed iteration, so `train()` again continues the same run.
        """
        for info in self.steps(cancel):
            if callback is not None and callback(info) is False:
                break
        return self

    def reset(self) -> None:
        """Back to the initial weights of this seed and iteration 0."""
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, 0]))
        self.weights = initial_weights(self.config.init, self.data, self.config.height, self.config.width, rng)
        self.iteration = 0

    # -- measures (convenience wrappers over somdesk.core.metrics) -------------
    # New data is checked against the map's D features (data_checks.as_samples): a 1-D
    # array of D values is one sample; another width is refused, never searched.
    def _samples(self, data) -> np.ndarray:
        return self.data if data is None else as_samples(data, self.data.shape[1])

    def quantization_error(self, data=None, cancel: CancelToken | None = None) -> float:
        """Mean Euclidean distance (data units) of each sample of `data` (N, D), default the
        training data, to its BMU's weights: metrics.quantization_error.  A 1-D array of D
        values is one sample.  Raises SomdeskError for bad `data` (data_checks.as_samples:
        not numeric, another number of columns than the map's D, NaN...), `Cancelled` when
        `cancel` is set."""
        from somdesk.core.metrics import quantization_error
        return quantization_error(self._weights, self._samples(data), cancel)

    def topographic_error(self, data=None, cancel: CancelToken | None = None) -> float:
        """Fraction (0-1) of samples of `data` (N, D), default the training data, whose two
        nearest nodes are not grid neighbours: metrics.topographic_error.  A 1-D array of D
        values is one sample.  Raises SomdeskError for bad `data` (data_checks.as_samples),
        `Cancelled` when `cancel` is set."""
        from somdesk.core.metrics import topographic_error
        return topographic_error(self._weights, self._samples(data),
                                 self.config.topology == "hexagonal", self.config.toroidal, cancel)

    def u_matrix(self) -> np.ndarray:
        """(H, W) float64 U-matrix of the current weights: metrics.u_matrix."""
        from somdesk.core.metrics import u_matrix
        return u_matrix(self._weights, self.config.topology == "hexagonal", self.config.toroidal)

    def hit_counts(self, data=None, cancel: CancelToken | None = None) -> np.ndarray:
        """(H, W) int64 number of samples of `data` (N, D), default the training data, per
        BMU: metrics.hit_counts.  A 1-D array of D values is one sample.  Raises
        SomdeskError for bad `data` (data_checks.as_samples), `Cancelled` when `cancel` is set."""
        from somdesk.core.metrics import hit_counts
        return hit_counts(self._weights, self._samples(data), cancel)

    def bmus(self, data=None, cancel: CancelToken | None = None) -> np.ndarray:
        """(N, 2) int64 (row, column) of each sample's best-matching node: metrics.bmus.
        `data` (N, D), default the training data; a 1-D array of D values is one sample
        (N = 1).  Raises SomdeskError for bad `data` (data_checks.as_samples), `Cancelled`
        when `cancel` is set."""
        from somdesk.core.metrics import bmus
        return bmus(self._weights, self._samples(data), cancel)
