"""Batch training and scoring on tables larger than memory, in one process or on Dask.

    src = ChunkedTable.open("big/*.parquet", columns=cols)
    prep = Standardise.from_stats(src.stats(), "zscore")
    run = StreamingBatch(src, SOMConfig(width=30, height=20, iterations=10, mode="batch", seed=1),
                         prepare=prep, executor=LocalExecutor())
    for info in run.epochs(cancel=token): ...       # EpochInfo after each epoch
    run.weights                                        # (H, W, D)

Every epoch reads the partitions in their fixed order (`ChunkedTable.partitions`),
computes per-node sums with the same kernel the in-memory batch map uses
(`somdesk.core.batch_map.node_sums`), adds them in partition order and applies
one update.  `LocalExecutor` does this in this process, holding one chunk at a
time; `somdesk.session.dask_executor.DaskExecutor` sends one task per partition
to a cluster and adds the results in the same order, so both give the in-memory
`SOM(..., mode="batch")` weights to float64 rounding.

Initial weights follow `somdesk.core.initialise` exactly: random-uniform from
the data's range, random-samples by drawing the same row numbers, pca from the
mean and covariance accumulated chunk by chunk.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from somdesk.core.batch_map import (add_moments, apply_batch_update, merge_moments, node_sums,
                                    zero_sums)
from somdesk.core.cancel import CancelToken, check
from somdesk.core.initialise import pca_plane_from_moments
from somdesk.core.options import SOMConfig, draw_seed
from somdesk.core.schedules import SCHEDULES
from somdesk.errors import OptionError, SomdeskError
from somdesk.io.chunked import ChunkedTable, chunk_reads, read_partition
from somdesk.io.chunked_sql import Partition


@dataclass(frozen=True)
class Standardise:
    """x' = (x - offset) / scale per column; a missing value (NaN) is an error."""

    offset: np.ndarray   # (D,)
    scale: np.ndarray    # (D,), never 0

    @classmethod
    def from_stats(cls, stats: dict, method: str = "zscore") -> "Standardise":
        """Offsets and scales from `ChunkedTable.stats()` (zscore: mean/std ddof=0; minmax; none)."""
        d = len(stats["mean"])
        if method == "zscore":
            off, sc = stats["mean"], stats["std"]
        elif method == "minmax":
            off, sc = stats["min"], stats["max"] - stats["min"]
        elif method == "none":
            off, sc = np.zeros(d), np.ones(d)
        else:
            raise OptionError(f"unknown normalisation {method!r}; choose one of: zscore, minmax, none")
        sc = np.where(np.isfinite(sc) & (sc > 0), sc, 1.0)  # constant column -> all zeros
        return cls(np.asarray(off, dtype=np.float64), np.asarray(sc, dtype=np.float64))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return (x - self.offset) / self.scale


def identity(x: np.ndarray) -> np.ndarray:
    return x


def prepared_chunk(part: Partition, columns: list[str], prepare: Callable) -> np.ndarray:
    """Read and prepare one partition; missing values are an error out of core unless the
    preparation says it keeps them (`prepare.masked`: a table map's masked training)."""
    x = prepare(read_partition(part, columns))
    ok = ~np.isinf(x) if getattr(prepare, "masked", False) else np.isfinite(x)
    if not np.all(ok):
        raise SomdeskError(f"rows {part[1]}-{part[2] - 1} of {part[0]} have missing or non-finite "
                           "values; filter them (--where) or fill them before training out of core")
    return x


# The local executor's stop flag, seen by the partition functions it runs on its own thread: a
# partition of a big map takes a minute, and Stop waited for it (a Dask worker sees None: the
# token is never pickled; DaskExecutor checks it between partitions).
_RUNNING = threading.local()


def _partition_cancel() -> CancelToken | None:
    return getattr(_RUNNING, "cancel", None)


def partition_sums(part: Partition, columns: list[str], prepare: Callable,
                   codebook: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """One task of the plain batch map: per-node sums (M, D), counts (M,), squared error."""
    return node_sums(codebook, prepared_chunk(part, columns, prepare), _partition_cancel())


def masked_partition_sums(part: Partition, columns: list[str], prepare: Callable,
                          codebook: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """One task of a table map's batch epoch (core.masked_som): per-node sums and counts
    per component, (M, D) each, and the squared error; the same search as in memory."""
    from somdesk.core.masked_som import present_sums, masked_bmus
    x = prepared_chunk(part, columns, prepare)
    idx, d2 = masked_bmus(codebook, x, _partition_cancel())
    s, c = present_sums(idx, x, len(codebook))
    return s, c, float(d2.sum())


def partition_moments(part: Partition, columns: list[str], prepare: Callable) -> dict:
    return add_moments(prepared_chunk(part, columns, prepare))


def add_sums(a, b):
    """Add two partial (sums, counts, squared error) results."""
    return a[0] + b[0], a[1] + b[1], a[2] + b[2]


class PlainRule:
    """`SOM(..., mode="batch")`: the config's decay schedule, den > 0 keeps a node."""

    partition_sums = staticmethod(partition_sums)

    def sigma(self, t: int, config: SOMConfig) -> float:
        return SCHEDULES[config.decay](t, config.iterations, config.sigma0, config.learning_rate)[0]

    def update(self, weights, sums, counts, sigma, config) -> None:
        apply_batch_update(weights, sums, counts, sigma, config)

    def rows(self, counts) -> int:
        return int(counts.sum())


class TableMapRule:
    """A table map's training (`session.table_data`, `core.masked_som.train_masked`):
    the radius falls exponentially from config.sigma0 to `end_radius`, per-component
    counts, and a component keeps its value where its smoothed count is ~0."""

    partition_sums = staticmethod(masked_partition_sums)

    def __init__(self, end_radius: float):
        self.end_radius = end_radius

    def sigma(self, t: int, config: SOMConfig) -> float:
        s0, s1, e = config.sigma0, self.end_radius, config.iterations
        return s0 * (s1 / s0) ** (t / max(1, e - 1)) if s0 > s1 else s1

    def update(self, weights, sums, counts, sigma, config) -> None:
        from somdesk.core.masked_som import smooth_sums
        h, w, d = weights.shape
        num, den = smooth_sums(sums, counts, h, w, sigma, config.topology == "hexagonal", config.toroidal)
        ok = den > 1e-12
        flat = weights.reshape(-1, d)
        flat[...] = np.where(ok, num / np.where(ok, den, 1.0), flat)

    def rows(self, counts) -> int:
        return int(counts[:, 0].sum()) if counts.ndim == 2 else int(counts.sum())


class LocalExecutor:
    """Runs partition tasks one after the other in this process (one chunk in memory).

    Partial results are added in the same pairwise tree as `DaskExecutor`
    (kept as a stack of O(log P) partials), so both give bit-identical sums.
    """

    name = "out-of-core"

    def __init__(self, on_part: Callable[[int, int], None] | None = None):
        # on_part(done, total) after each partition: progress inside an epoch (the window's)
        self.on_part = on_part

    def map_reduce(self, func, parts, reduce, cancel: CancelToken | None = None, **kwargs):
        stack: list[tuple[int, object]] = []    # (partitions covered, partial result)
        parts = list(parts)
        with chunk_reads():         # one connection for the pass, not one per partition (fixV)
            for i, part in enumerate(parts):
                check(cancel)
                _RUNNING.cancel = cancel             # Stop acts inside the partition too
                try:
                    stack.append((1, func(part, **kwargs)))
                finally:
                    _RUNNING.cancel = None
                if self.on_part is not None:
                    self.on_part(i + 1, len(parts))
                while len(stack) > 1 and stack[-1][0] == stack[-2][0]:
                    (n1, a), (n2, b) = stack[-2], stack[-1]
                    stack[-2:] = [(n1 + n2, reduce(a, b))]
        value = stack[-1][1]
        for _, a in reversed(stack[:-1]):   # the pairwise tree's carries, right to left
            value = reduce(a, value)
        return value

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class EpochInfo:
    epoch: int          # 0-based, the epoch just finished
    total: int
    sigma: float
    rms_error: float    # root mean squared BMU distance over all rows, before this epoch's update
    seconds: float
    rows: int


class StreamingBatch:
    """Kohonen's batch map over a `ChunkedTable`; see the module docstring."""

    def __init__(self, source: ChunkedTable, config: SOMConfig, prepare: Callable = identity,
                 executor=None, weights: np.ndarray | None = None, rule=None):
        if config.mode != "batch":
            raise OptionError("out-of-core and cluster training use the batch map: add --mode batch")
        if config.neighbourhood == "mexican-hat":
            raise OptionError("batch training needs a non-negative neighbourhood (gaussian, bubble or triangle)")
        self.source, self.config, self.prepare = source, config, prepare
        self.executor = executor or LocalExecutor()
        self.rule = rule or PlainRule()
        self.seed = config.seed if config.seed is not None else draw_seed()     # <= 2**53 - 1: JSON-exact
        self.iteration = 0
        self.weights = weights if weights is not None else self.initial_weights()

    def _map(self, func, reduce, cancel=None, **kw):
        return self.executor.map_reduce(func, self.source.partitions, reduce, cancel=cancel,
                                        columns=self.source.columns, prepare=self.prepare, **kw)

    def initial_weights(self, cancel: CancelToken | None = None) -> np.ndarray:
        """(H, W, D) start as `initial_weights` would give on the whole prepared table."""
        c = self.config
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, 0]))
        if c.init == "random-samples":
            pick = rng.integers(0, self.source.rows, size=(c.height, c.width))
            rows = self.prepare(self.source.rows_at(pick.ravel()))
            return rows.reshape(c.height, c.width, -1)
        mom = self._map(partition_moments, merge_moments, cancel)
        if c.init == "random-uniform":
            lo, hi = mom["min"], mom["max"]
            return lo + (hi - lo) * rng.random((c.height, c.width, len(lo)))
        return pca_plane_from_moments(mom["n"], mom["sum"], mom["outer"], c.height, c.width)

    def epochs(self, cancel: CancelToken | None = None) -> Iterator[EpochInfo]:
        """Run the remaining epochs, yielding after each; Cancelled leaves the last whole epoch."""
        c = self.config
        h, w, d = self.weights.shape
        while self.iteration < c.iterations:
            t0 = time.perf_counter()
            sigma = self.rule.sigma(self.iteration, c)
            sums, counts, sq = self._map(self.rule.partition_sums, add_sums, cancel,
                                         codebook=self.weights.reshape(-1, d).copy())
            check(cancel)
            self.rule.update(self.weights, sums, counts, sigma, c)
            if not np.all(np.isfinite(self.weights)):
                raise SomdeskError("training produced non-finite weights")
            self.iteration += 1
            rows = self.rule.rows(counts)
            yield EpochInfo(self.iteration - 1, c.iterations, sigma, float(np.sqrt(sq / max(1, rows))),
                            time.perf_counter() - t0, rows)

    def train(self, cancel: CancelToken | None = None) -> np.ndarray:
        for _ in self.epochs(cancel):
            pass
        return self.weights


def assign_chunks(source: ChunkedTable, weights: np.ndarray, prepare: Callable = identity,
                  cancel: CancelToken | None = None) -> Iterator[dict[str, np.ndarray]]:
    """Per chunk: row, bmu_row, bmu_col, distance (Euclidean, prepared units) of every row."""
    h, w, d = weights.shape
    from somdesk.core import kernels
    codebook = np.ascontiguousarray(weights.reshape(-1, d))
    start = 0
    with chunk_reads():             # one connection for the walk, closed when it ends or is closed
        for part in source.partitions:
            check(cancel)
            x = prepared_chunk(part, source.columns, prepare)
            idx, d2 = kernels.bmus_of(codebook, x)
            r, col = np.divmod(idx, w)
            yield {"row": np.arange(start, start + len(x), dtype=np.int64), "bmu_row": r, "bmu_col": col,
                   "distance": np.sqrt(d2)}
            start += len(x)
