"""The SOM trainer: a plain object you step one iteration at a time.

    som = SOM(data, SOMConfig(width=100, height=100, iterations=1000, seed=1))
    for info in som.steps():        # or som.step(), or som.train()
        ...                         # info.iteration, info.sigma, info.alpha

Stepping, pausing (just stop calling step) and resuming give the same weights
as one uninterrupted `train()`: every iteration's randomness (the shuffled
input order) is derived from (seed, iteration), not from a running generator,
so nothing but the weights and the iteration counter carries state.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from somdesk.core import kernels
from somdesk.core.initialise import initial_weights
from somdesk.core.options import SOMConfig
from somdesk.core.schedules import SCHEDULES
from somdesk.errors import OptionError, SomdeskError

MAX_SAMPLES = 50_000_000
# Squared distances of values beyond this overflow float64 (1e150**2 > 1.8e308 / D).
MAX_ABS_VALUE = 1e150


@dataclass(frozen=True)
class StepInfo:
    """What one iteration did: it was iteration `iteration` (0-based) of `total`."""

    iteration: int
    total: int
    sigma: float
    alpha: float
    bmus: np.ndarray | None = None  # BMU (flat index) of each input, classic mode


def as_data(data) -> np.ndarray:
    """Validate training data: a finite, non-empty (N, D) float64 array."""
    try:
        arr = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise SomdeskError(f"training data is not numeric: {exc}") from None
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise SomdeskError(f"training data must be a non-empty table of shape (samples, features), got {arr.shape}")
    if arr.shape[0] > MAX_SAMPLES:
        raise SomdeskError(f"{arr.shape[0]:,} samples is over the limit of {MAX_SAMPLES:,}")
    if not np.all(np.isfinite(arr)):
        raise SomdeskError("training data contains NaN or infinite values")
    if np.max(np.abs(arr)) > MAX_ABS_VALUE:
        raise SomdeskError(f"training data has values beyond +-{MAX_ABS_VALUE:g}; rescale it first")
    return np.ascontiguousarray(arr)


class SOM:
    """A Kohonen map of `height` x `width` nodes trained on `data` (N, D)."""

    def __init__(self, data, config: SOMConfig | None = None, weights=None, iteration: int = 0):
        self.config = config if config is not None else SOMConfig()
        if self.config.mode == "batch" and self.config.neighbourhood == "mexican-hat":
            raise OptionError("batch training needs a non-negative neighbourhood (gaussian, bubble "
                              "or triangle): the mexican hat's negative rim makes the batch "
                              "average undefined")
        self.data = as_data(data)
        self._sequential = np.arange(len(self.data), dtype=np.int64)   # read-only for the kernels
        # A run without a seed still gets one, so it can be saved and resumed exactly.
        self.seed = self.config.seed if self.config.seed is not None else secrets.randbits(63)
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
        """The (H, W, D) float64 weights; updated in place by training, copy to keep."""
        return self._weights

    @weights.setter
    def weights(self, value) -> None:
        h, w, d = self.config.height, self.config.width, self.data.shape[1]
        arr = np.array(value, dtype=np.float64, copy=True, order="C")
        if arr.shape != (h, w, d):
            raise SomdeskError(f"weights have shape {arr.shape}, expected (height, width, dim) = {(h, w, d)}")
        if not np.all(np.isfinite(arr)):
            raise SomdeskError("weights contain NaN or infinite values")
        if arr.size and np.max(np.abs(arr)) > MAX_ABS_VALUE:
            raise SomdeskError(f"weights have values beyond +-{MAX_ABS_VALUE:g}; rescale them first")
        self._weights = arr
        self._last_bmu = np.zeros(len(self.data), dtype=np.int64)
        self._boxes = kernels.TileBoxes(h, w, d)

    @property
    def total(self) -> int:
        return self.config.iterations

    @property
    def done(self) -> bool:
        return self.iteration >= self.config.iterations

    def schedule_at(self, t: int) -> tuple[float, float]:
        """(sigma_t, alpha_t) of iteration t."""
        c = self.config
        return SCHEDULES[c.decay](t, c.iterations, c.sigma0, c.learning_rate)

    def order_at(self, t: int) -> np.ndarray:
        """The order in which iteration t presents the inputs."""
        n = len(self.data)
        if self.config.order == "sequential":
            return self._sequential
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, 1, t]))
        return rng.permutation(n).astype(np.int64)

    # -- training --------------------------------------------------------------
    def step(self) -> StepInfo | None:
        """Run one iteration (one pass over the inputs). None when already done."""
        if self.done:
            return None
        t = self.iteration
        sigma, alpha = self.schedule_at(t)
        c = self.config
        hexagonal = c.topology == "hexagonal"
        if c.mode == "classic":
            bmus = kernels.online_epoch(self._weights, self.data, self.order_at(t), alpha, sigma,
                                        c.neighbourhood, hexagonal, c.toroidal, self._last_bmu, self._boxes)
        else:
            bmus = self._batch_epoch(sigma, hexagonal)
        self.iteration = t + 1
        return StepInfo(t, c.iterations, sigma, alpha, bmus)

    def _batch_epoch(self, sigma: float, hexagonal: bool) -> None:
        """Kohonen's batch map: every node becomes the h-weighted mean of the data."""
        c = self.config
        h, w, d = self._weights.shape
        idx, _ = kernels.bmus_of(self._weights.reshape(-1, d), self.data)
        counts = np.bincount(idx, minlength=h * w).astype(np.float64)
        sums = np.empty((h * w, d))
        for k in range(d):  # one dimension at a time keeps temporaries at O(N)
            sums[:, k] = np.bincount(idx, weights=self.data[:, k], minlength=h * w)
        num, den = kernels.batch_smooth(sums, counts, h, w, sigma, c.neighbourhood, hexagonal, c.toroidal)
        ok = den > 0
        flat = self._weights.reshape(-1, d)
        flat[ok] = num[ok] / den[ok, None]
        self._boxes.invalidate()
        return None

    def steps(self) -> Iterator[StepInfo]:
        """Generator over the remaining iterations; stop iterating to pause."""
        while not self.done:
            yield self.step()

    def train(self, callback: Callable[[StepInfo], bool | None] | None = None) -> "SOM":
        """Run to the end; `callback(info)` returning False stops early (resumable)."""
        for info in self.steps():
            if callback is not None and callback(info) is False:
                break
        return self

    def reset(self) -> None:
        """Back to the initial weights of this seed and iteration 0."""
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, 0]))
        self.weights = initial_weights(self.config.init, self.data, self.config.height, self.config.width, rng)
        self.iteration = 0

    # -- measures (convenience wrappers over somdesk.core.metrics) -------------
    def quantization_error(self, data=None) -> float:
        from somdesk.core.metrics import quantization_error
        return quantization_error(self._weights, self.data if data is None else as_data(data))

    def topographic_error(self, data=None) -> float:
        from somdesk.core.metrics import topographic_error
        return topographic_error(self._weights, self.data if data is None else as_data(data),
                                 self.config.topology == "hexagonal", self.config.toroidal)

    def u_matrix(self) -> np.ndarray:
        from somdesk.core.metrics import u_matrix
        return u_matrix(self._weights, self.config.topology == "hexagonal", self.config.toroidal)

    def hit_counts(self, data=None) -> np.ndarray:
        from somdesk.core.metrics import hit_counts
        return hit_counts(self._weights, self.data if data is None else as_data(data))

    def bmus(self, data=None) -> np.ndarray:
        from somdesk.core.metrics import bmus
        return bmus(self._weights, self.data if data is None else as_data(data))
