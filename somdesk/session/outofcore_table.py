"""Table maps trained on tables of any size: streamed in chunks, in one process or on Dask.

    tm = train_table_map_streaming("events/*.parquet", TableMapSpec(columns=("a", "b")),
                                   executor=DaskExecutor("local:2"), cancel=token)
    save_table_map(tm, "events.somz")          # scored later with `somdesk assign`

The same map `session.table_data.train_table_map` makes in memory — the SOM
Toolbox's size and length rules, pca start, the masked batch map with the radius
falling from max(H, W)/4 to END_RADIUS, hit-weighted segments — but the rows are
read one chunk at a time (`io.chunked`), so memory is bounded by the chunk, not
the table.  On a table that fits in memory both give the same codebook to 1e-9.

What differs, because the whole table is never held:
  * numeric columns only, every value present (filter rows with `where`); the
    in-memory path also one-hot encodes text and handles missing values;
  * offsets and scales come from the engine's aggregates (mean, population std,
    min, max per column);
  * the automatic size uses the row count of the whole table and the shape of a
    uniform sample of up to SAMPLE_ROWS rows; the topographic error and the
    outlier threshold are measured on that sample, which is also what the saved
    map keeps as its inputs (so the window shows it);
  * quantization error and hits (for the segments) are measured over every row
    in one more pass.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from somdesk.core.cancel import CancelToken, check
from somdesk.core.masked_som import masked_bmus, passive_planes, sigma_start
from somdesk.core.options import SOMConfig
from somdesk.core.preparation import Recipe, _weights_for, auto_epochs, auto_map_size, choose, NORMALISATIONS
from somdesk.errors import OptionError
from somdesk.io.chunked import DEFAULT_CHUNK_ROWS, ChunkedTable
from somdesk.session.outofcore import LocalExecutor, StreamingBatch, TableMapRule, prepared_chunk
from somdesk.session.table_data import END_RADIUS, TableMap, TableMapSpec

SAMPLE_ROWS = 100_000


@dataclass(frozen=True)
class WeightedFeatures:
    """Raw numeric columns -> the table map's training matrix (picklable for Dask workers):
    (x - offset) / scale (0 where the scale is 0), active columns times sqrt(weight)."""

    offset: np.ndarray
    scale: np.ndarray
    active: np.ndarray      # (F,) bool
    root_weight: np.ndarray  # (A,)

    def normalised(self, x: np.ndarray) -> np.ndarray:
        sc = np.where(self.scale > 0, self.scale, 1.0)
        return np.where(self.scale > 0, (x - self.offset) / sc, 0.0 * x)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(self.normalised(x)[:, self.active] * self.root_weight)


def _recipe(columns: tuple, stats: dict, spec: TableMapSpec) -> Recipe:
    normalise = choose(spec.normalise, NORMALISATIONS, "normalisation")
    w = _weights_for(columns, spec.weights, spec.passive)
    if normalise == "zscore":
        off, sc = stats["mean"], np.where(stats["max"] > stats["min"], stats["std"], 0.0)
    elif normalise == "minmax":
        off, sc = stats["min"], stats["max"] - stats["min"]
    else:
        off, sc = np.zeros(len(columns)), np.ones(len(columns))
    sc = np.where(np.isfinite(sc), sc, 0.0)
    f = len(columns)
    return Recipe(columns, ("numeric",) * f, normalise, "drop", np.asarray(off, float), np.asarray(sc, float),
                  np.zeros(f), {}, w, 1.0, columns, np.arange(f, dtype=np.int64),
                  np.array([w[c] for c in columns], dtype=float))


@dataclass(frozen=True)
class StreamProgress:
    """Where an out-of-core table map's training is (yielded by `StreamingTableRun.task`).

    `done`/`total` epochs, `chunk`/`chunks` inside the epoch under way (0 when between
    epochs); after a whole epoch `codebook` (H, W, A) is a copy of the weights and
    `sample_hits` (H, W) the rows of the run's sample per node (for live views)."""

    task: str
    done: int
    total: int
    what: str = "epochs"
    chunk: int = 0
    chunks: int = 0
    rows: int = 0
    sample_rows: int = 0
    codebook: np.ndarray | None = None
    sample_hits: np.ndarray | None = None


class StreamingTableRun:
    """An out-of-core table map, one epoch at a time (see module docstring).

        run = StreamingTableRun("big.parquet", spec, chunk_rows=262_144, where=None)
        for info in run.epochs(cancel): ...       # EpochInfo after each epoch
        tm = run.finish(cancel)                    # the final pass over every row, segments
        run.close()

    Opening reads the engine's statistics, draws the sample and sets the size and length
    (the same for every executor); `epochs` streams every row per epoch.  Raises as
    `train_table_map_streaming` does.
    """

    def __init__(self, path, spec: TableMapSpec = TableMapSpec(), *, chunk_rows: int = DEFAULT_CHUNK_ROWS,
                 where: str | None = None, executor=None, cancel: CancelToken | None = None):
        if spec.categorical:
            raise OptionError("categorical columns need the in-memory table path (drop --out-of-core / --dask)")
        if str(spec.missing).lower() not in ("drop",):
            raise OptionError("out-of-core training needs every value present: filter rows with --where "
                              "(e.g. \"a IS NOT NULL\") instead of --missing")
        self.path, self.spec = path, spec
        self.executor = executor or LocalExecutor()
        self.src = src = ChunkedTable.open(path, list(spec.columns) if spec.columns else None, chunk_rows, where)
        try:
            columns = tuple(c for c in src.columns if c != spec.label)
            if spec.label and spec.label in src.columns:
                src.columns = list(columns)
            check(cancel)
            self.recipe = recipe = _recipe(columns, src.stats(), spec)
            self.prep = prep = WeightedFeatures(recipe.offset, recipe.scale, recipe.active,
                                                np.sqrt(recipe.feature_weight[recipe.active]))
            rng = np.random.default_rng(np.random.SeedSequence([int(spec.seed), 7]))
            self.rows = n = src.rows
            self.pick = np.sort(rng.choice(n, size=min(n, SAMPLE_ROWS), replace=False)) if n > SAMPLE_ROWS \
                else np.arange(n)
            check(cancel)
            self.raw_sample = src.rows_at(self.pick)
            self.sample = prep(self.raw_sample)
            self.hexagonal = hexagonal = str(spec.topology).lower().startswith("hex")
            if spec.height is None or spec.width is None:
                h, w = auto_map_size(self.sample, hexagonal, munits=max(1, math.ceil(5 * n ** 0.54321)))
                h, w = spec.height or h, spec.width or w
            else:
                h, w = int(spec.height), int(spec.width)
            epochs = int(spec.epochs or auto_epochs(n, h * w))
            self.config = SOMConfig(width=w, height=h, iterations=epochs, mode="batch", init="pca",
                                    sigma=sigma_start(h, w), topology="hexagonal" if hexagonal else "rectangular",
                                    decay="classic", seed=int(spec.seed))
            # the start weights' pass (pca: mean and covariance chunk by chunk) can be stopped too
            a = int(np.count_nonzero(recipe.active))
            self.run = StreamingBatch(src, self.config, prepare=prep, executor=self.executor,
                                      rule=TableMapRule(END_RADIUS), weights=np.zeros((h, w, a)))
            self.run.weights = self.run.initial_weights(cancel)
        except BaseException:
            src.close()
            raise

    @property
    def chunks(self) -> int:
        return len(self.src.partitions)

    def epochs(self, cancel: CancelToken | None = None):
        """The remaining epochs, yielding EpochInfo after each (session.outofcore)."""
        return self.run.epochs(cancel)

    def sample_hits(self) -> np.ndarray:
        """(H, W) rows of the sample per node under the current weights."""
        h, w = self.config.height, self.config.width
        idx, _ = masked_bmus(self.run.weights.reshape(h * w, -1), self.sample)
        return np.bincount(idx, minlength=h * w).reshape(h, w)

    def task(self, cancel: CancelToken | None = None, live: bool = True):
        """Generator for a driver (the window): yields StreamProgress per epoch (with the
        codebook and the sample's hits when `live`) and, through the executor's `on_part`
        hook when it has one, per chunk; returns the TableMap (`finish`)."""
        total = self.config.iterations
        yield StreamProgress("segment", self.run.iteration, total, rows=self.rows, sample_rows=len(self.pick),
                             chunks=self.chunks)
        for info in self.epochs(cancel):
            extra = {}
            if live:
                extra = dict(codebook=self.run.weights.copy(), sample_hits=self.sample_hits())
            yield StreamProgress("segment", info.epoch + 1, total, rows=self.rows, sample_rows=len(self.pick),
                                 chunks=self.chunks, **extra)
        return self.finish(cancel)

    def finish(self, cancel: CancelToken | None = None) -> TableMap:
        """One more pass over every row (quantization error, hits for the segments), the
        sample's measures, the segments: the trained TableMap."""
        from somdesk.core.metrics import topographic_error
        from somdesk.session.segments import cluster_nodes

        spec, config, recipe, prep, src = self.spec, self.config, self.recipe, self.prep, self.src
        h, w = config.height, config.width
        codebook = self.run.weights
        flat = codebook.reshape(h * w, -1)
        hits = np.zeros(h * w)
        total = 0.0
        on_part = getattr(self.executor, "on_part", None)
        for i, part in enumerate(src.partitions):
            check(cancel)
            idx, d2 = masked_bmus(flat, prepared_chunk(part, src.columns, prep))
            hits += np.bincount(idx, minlength=h * w)
            total += float(np.sqrt(d2).sum())
            if on_part is not None:
                on_part(i + 1, len(src.partitions))
        self.hits = hits.reshape(h, w)
        sidx, sd2 = masked_bmus(flat, self.sample)
        sdist = np.sqrt(sd2)
        q1, q3 = np.percentile(sdist, [25, 75])
        passive = None
        if (~recipe.active).any():
            passive = passive_planes(sidx, prep.normalised(self.raw_sample)[:, ~recipe.active], h, w, 1.0,
                                     self.hexagonal)
        seg = cluster_nodes(codebook, spec.clusters, spec.cluster_method, config.topology, hits=hits, cancel=cancel)
        return TableMap(recipe=recipe, config=config, codebook=codebook, passive=passive, label_column=spec.label,
                        clusters=seg.labels, cluster_method=spec.cluster_method,
                        outlier_threshold=float(q3 + 3 * (q3 - q1)), quantization_error=total / self.rows,
                        topographic_error=float(topographic_error(codebook, self.sample, self.hexagonal, False)),
                        curve=seg.curve, inputs=self.sample, row_index=self.pick.astype(np.int64),
                        source=str(self.path))

    def close(self) -> None:
        self.src.close()


def train_table_map_streaming(path, spec: TableMapSpec = TableMapSpec(), *, chunk_rows: int = DEFAULT_CHUNK_ROWS,
                              where: str | None = None, executor=None, cancel: CancelToken | None = None,
                              progress: Callable[[int, int], None] | None = None) -> TableMap:
    """Train a table map on `path` (file or glob: Parquet, CSV, gzip, NDJSON) out of core.

    Returns a TableMap (session.table_data) ready for `save_table_map`.
    Raises FileFormatError for unreadable tables, missing values or text columns,
    OptionError for bad choices, Cancelled when `cancel` is set (checked per chunk).
    The window runs the same `StreamingTableRun`, so both give the same map.
    """
    run = StreamingTableRun(path, spec, chunk_rows=chunk_rows, where=where, executor=executor, cancel=cancel)
    try:
        for info in run.epochs(cancel):
            if progress is not None:
                progress(info.epoch + 1, run.config.iterations)
        return run.finish(cancel)
    finally:
        run.close()
