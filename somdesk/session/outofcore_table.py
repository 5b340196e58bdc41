"""Table maps trained on tables of any size: streamed in chunks, in one process or on Dask.

    tm = train_table_map_streaming("events/*.parquet", TableMapSpec(columns=("a", "b")),
                                   executor=DaskExecutor("local:2"), cancel=token)
    save_table_map(tm, "events.somz")          # scored later with `somdesk assign`

The same map `session.table_data.train_table_map` makes in memory — the SOM
Toolbox's size and length rules, pca start, the masked batch map with the radius
falling from max(H, W)/4 to END_RADIUS, hit-weighted segments — but the rows are
read one chunk at a time (`io.chunked`), so memory is bounded by the chunk, not
the table.  On a table that fits in memory both give the same codebook to 1e-9.

Preparation, as `core.preparation.fit_recipe` does it, with the statistics computed by
the engine (DuckDB, `ChunkedTable.profile`) over every row, missing cells left out:
  * numeric columns: offsets and scales from mean, population std, min, max;
  * text columns: one-hot, the category set from SELECT DISTINCT (NULL and "" are
    missing), sorted in Python as in memory, features "col=cat", the group weight
    shared w * group_weight / m; each chunk carries category codes
    (`io.chunked_sql.CodedColumn`) that `WeightedFeatures` expands;
  * missing="drop": rows with a missing active value are left out by a WHERE clause
    (the statistics above still count every row, as in memory); "mean"/"median": NaN
    filled with the engine's avg / quantile_cont(0.5) (numpy's median: the mean of the
    two middle values), one-hot features with the mean/median of their 0/1 indicator;
    "train": the masked batch map (core.masked_som, the SOM Toolbox way: BMU and sums over
    present values), rows with no active value left out by the engine; the pca start, the
    automatic size and the topographic error use the rows filled with the means, as in memory.

What differs, because the whole table is never held:
  * numeric columns forced categorical are refused (text columns only are one-hot);
  * the automatic size uses the row count of the whole table and the shape of a
    uniform sample of up to SAMPLE_ROWS rows; the topographic error and the
    outlier threshold are measured on that sample, which is also what the saved
    map keeps as its inputs (so the window shows it);
  * quantization error and hits (for the segments) are measured over every row
    in one more pass.
"""
from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from somdesk.core.cancel import CancelToken, check
from somdesk.core.masked_som import masked_bmus, passive_planes, sigma_start
from somdesk.core.options import SOMConfig
from somdesk.core.preparation import (MAX_ABS_VALUE, MISSING_POLICIES, NORMALISATIONS, Recipe, feature_weights, choose,
                                     all_rows_missing, drop_warning)
from somdesk.errors import Cancelled, FileFormatError, OptionError
from somdesk.io.chunked import ChunkedTable
from somdesk.io.chunked_sql import CodedColumn, DEFAULT_CHUNK_ROWS
from somdesk.io.tables.table import metadata_class_names
from somdesk.session.outofcore import LocalExecutor, StreamingBatch, TableMapRule, prepared_chunk
from somdesk.session.outofcore_format import text_number_format
from somdesk.session.table_checks import check_clusters, refuse_constant, refuse_few_rows
from somdesk.session.table_columns import (numeric_label_warning, dates_warning_of, default_fallback, left_out_warning,
                                           missing_share_reason)
from somdesk.session.table_labels import LabelTally
from somdesk.session.table_assign import min_present_of, outlier_threshold, row_distances
from somdesk.session.table_data import (DEFAULT_LABEL, END_RADIUS, TableMap, TableMapSpec, check_spec, same_recipe,
                                       topology)
from somdesk.session.table_size import auto_size

SAMPLE_ROWS = 100_000


@dataclass(frozen=True)
class WeightedFeatures:
    """Raw chunk -> the table map's training matrix (picklable for Dask workers).

    The chunk (n, C) holds numeric columns as numbers and text columns as category codes
    (`io.chunked_sql.CodedColumn`: position in the sorted category list, -1 another value, NaN
    missing).  Features (F) as `Recipe.transform` makes them: (x - offset) / scale (0 where
    the scale is 0), one-hot blocks (all 0 for an unseen category, NaN where missing); then
    NaN replaced by `fill` when `fill` is given (mean/median policies); active features
    times sqrt(weight)."""

    offset: np.ndarray
    scale: np.ndarray
    active: np.ndarray      # (F,) bool
    root_weight: np.ndarray  # (A,)
    feature_column: np.ndarray | None = None   # (F,) source column of each feature; None: one per column
    code: np.ndarray | None = None             # (F,) category position of a one-hot feature, -1 numeric
    fill: np.ndarray | None = None             # (F,) normalised fill values, or None
    masked: bool = False                       # NaN kept (missing="train": masked batch map)

    def normalised(self, x: np.ndarray) -> np.ndarray:
        if self.feature_column is not None:
            x = x[:, self.feature_column]
        sc = np.where(self.scale > 0, self.scale, 1.0)
        out = np.where(self.scale > 0, (x - self.offset) / sc, np.where(np.isnan(x), np.nan, 0.0))
        if self.code is not None:
            hot = self.code >= 0
            if hot.any():
                codes = x[:, hot]
                out[:, hot] = np.where(np.isnan(codes), np.nan, (codes == self.code[hot]).astype(np.float64))
        if self.fill is not None:
            out = np.where(np.isnan(out), self.fill[None, :], out)
        return out

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(self.normalised(x)[:, self.active] * self.root_weight)


def _recipe(columns: tuple, kinds: tuple, profile: dict, spec: TableMapSpec, src=None) -> Recipe:
    """The Recipe `core.preparation.fit_recipe` makes, from the engine's statistics
    (`ChunkedTable.profile`); `src` gives the one-hot fill values (indicator means/medians)."""
    normalise = choose(spec.normalise, NORMALISATIONS, "normalisation")
    missing = choose(spec.missing, MISSING_POLICIES, "missing-value policy")
    gw = float(spec.group_weight)
    if not math.isfinite(gw) or gw <= 0:
        raise OptionError(f"the category group weight must be above 0, got {spec.group_weight!r}")
    w = feature_weights(columns, spec.weights, spec.passive)
    feats, fcol, fw, off, sc, fill, cats_of = [], [], [], [], [], [], {}
    for j, (c, kind) in enumerate(zip(columns, kinds)):
        if kind == "numeric":
            st = profile["numeric"][c]
            if not st["count"]:
                raise FileFormatError(f"{src.source if src else 'table'}: column {c!r} has no values "
                                      "(every cell is missing)")
            if max(abs(st["min"]), abs(st["max"])) > MAX_ABS_VALUE:
                raise FileFormatError(f"column {c!r} holds values beyond +-{MAX_ABS_VALUE:g}, too large to train "
                                      "on; rescale them first")
            if normalise == "zscore":
                o, s = st["mean"], (st["std"] if st["max"] > st["min"] else 0.0)
            elif normalise == "minmax":
                o, s = st["min"], st["max"] - st["min"]
            else:
                o, s = 0.0, 1.0
            s = s if math.isfinite(s) else 0.0
            raw = st["median"] if missing == "median" else st["mean"]
            f = (raw - o) / s if s > 0 else 0.0
            feats.append(c); fcol.append(j); fw.append(w[c]); off.append(o); sc.append(s); fill.append(f)
        else:
            cats = profile["text"][c]
            if not cats:
                raise FileFormatError(f"{src.source if src else 'table'}: column {c!r} has no values "
                                      "(every cell is missing)")
            if len(cats) > 200:
                raise OptionError(f"column {c!r} has more than 200 different values; one-hot encoding is "
                                  "limited to 200 categories (is it an identifier?)")
            cats_of[c] = list(cats)
            fill += list(src.indicator_stats(c, cats, missing == "median"))
            for cat in cats:
                feats.append(f"{c}={cat}"); fcol.append(j); fw.append(w[c] * gw / len(cats))
                off.append(0.0); sc.append(1.0)
    return Recipe(columns, kinds, normalise, missing, np.asarray(off, float), np.asarray(sc, float),
                  np.nan_to_num(np.asarray(fill, float)), cats_of, w, gw, tuple(feats),
                  np.asarray(fcol, np.int64), np.asarray(fw, float))


def _features(recipe: Recipe, filled: bool = False) -> WeightedFeatures:
    """The chunk preparation of `recipe`; `filled` fills NaN with the means even for
    missing="train" (its start weights, size and topographic error use the filled rows)."""
    code = np.full(len(recipe.features), -1, dtype=np.int64)
    for j, (c, kind) in enumerate(zip(recipe.columns, recipe.kinds)):
        if kind != "numeric":
            code[recipe.feature_column == j] = np.arange(len(recipe.categories[c]))
    fill = recipe.fill if recipe.missing in ("mean", "median") or filled else None
    return WeightedFeatures(recipe.offset, recipe.scale, recipe.active,
                            np.sqrt(recipe.feature_weight[recipe.active]), recipe.feature_column, code, fill,
                            recipe.missing == "train" and not filled)


def _metadata_target(src: ChunkedTable, label: str | None) -> dict[str, str]:
    """{column: why} for the class target of a scikit-learn CSV read in chunks: the in-memory rule
    (session.table_columns.metadata_target) on the files' metadata line and columns (review10 #12)."""
    from types import SimpleNamespace

    from somdesk.session.table_columns import metadata_target
    if not src.metadata:
        return {}
    numeric = set(src.numeric)
    view = SimpleNamespace(dialect={"metadata": src.metadata}, columns=list(src.file_columns),
                           numeric_columns=[c for c in src.file_columns if c in numeric])
    return metadata_target(view, label)


def _identifiers(src: ChunkedTable, columns: list[str], dates: dict | None = None) -> dict[str, str]:
    """{column: why} of the numeric `columns` of `src` that name rows rather than measure them, by
    session.table_columns.identifier_rule on the engine's statistics over every row (whole numbers,
    distinct, missing, least and largest): the in-memory default's rule out of core (review10 #2).
    `dates` (a dict) receives {column: why} of the other whole-number columns that hold dates
    (table_columns.date_rule, from the same statistics: shown passive, as in memory)."""
    from somdesk.io.chunked_sql import engine_connection
    from somdesk.io.tables.duckutil import q
    from somdesk.session.table_columns import date_rule, identifier_rule

    if not columns:
        return {}
    aggs = []
    for c in columns:
        v = f"CASE WHEN isnan(CAST({q(c)} AS DOUBLE)) THEN NULL ELSE CAST({q(c)} AS DOUBLE) END"
        # yyyymmdd: every value an 8-digit date (table_columns._yyyymmdd)
        ymd = (f"bool_and({v} BETWEEN 18000101 AND 21991231 AND floor({v} / 100) % 100 BETWEEN 1 AND 12 "
               f"AND {v} % 100 BETWEEN 1 AND 31)")
        aggs += [f"count({v})", f"count(DISTINCT {v})", f"bool_and({v} = round({v}))", f"min({v})", f"max({v})", ymd]
    con = engine_connection()
    try:
        row = con.execute(f"SELECT {', '.join(aggs)} FROM {src._source_sql()}").fetchone()
    finally:
        con.close()
    out = {}
    for k, c in enumerate(columns):
        n, distinct, whole, lo, hi, ymd = row[6 * k:6 * k + 6]
        if not n or not whole:
            continue
        why = identifier_rule(c, distinct == n, src.rows, src.rows, src.rows - n, float(lo), float(hi))
        if why:
            out[c] = why
        elif dates is not None and (when := date_rule(c, float(lo), float(hi), bool(ymd))):
            dates[c] = when
    return out


def _is_number(text: str) -> bool:
    """Does `text` (a label cell) read as a number (the label column is numeric in memory)?"""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _labels_of(part, column: str, names: dict | None = None) -> list:
    """The label cells of one partition as in-memory preparation gives them (core.preparation
    .prepare_table): the text, None where missing (empty, NA, ...: the default tokens, as out of
    core takes no --missing-values; core.preparation.label_values); class numbers read as their
    `names` ({text: name}: a scikit-learn CSV's classes, io.tables.table.metadata_class_names)."""
    from somdesk.core.preparation import label_values
    from somdesk.io.chunked import read_partition_cells

    labels = label_values(read_partition_cells(part, [], [column])[column].tolist())
    return [names.get(t.strip(), t) if t is not None else None for t in labels] if names else labels


def _present_sql(column: str, kind: str) -> str:
    from somdesk.io.tables.duckutil import q

    name = q(column)
    if kind == "numeric":
        return f"({name} IS NOT NULL AND NOT isnan(CAST({name} AS DOUBLE)))"
    return f"(nullif(CAST({name} AS VARCHAR), '') IS NOT NULL)"


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
    `train_table_map_streaming` does.  `resume`: a map of a stopped run (`epochs_done`) of the
    same recipe and config, continued from its last whole epoch instead of a pca start.
    `number_format`: (decimal, thousands) the text files write numbers in, given (--decimal,
    --thousands); None: sniffed from their first lines.
    """

    def __init__(self, path, spec: TableMapSpec = TableMapSpec(), *, chunk_rows: int = DEFAULT_CHUNK_ROWS,
                 where: str | None = None, executor=None, cancel: CancelToken | None = None,
                 resume: TableMap | None = None, number_format: tuple | None = None):
        from somdesk.io.tables.duckutil import interrupting

        # the preparation is DuckDB queries over every row (staging a CSV, statistics, the
        # sample): a stop interrupts the one running (a COPY of 3 million rows went on ~5 s)
        with interrupting(cancel):
            self._prepare(path, spec, chunk_rows, where, executor, cancel, resume, number_format)

    def _prepare(self, path, spec, chunk_rows, where, executor, cancel, resume, number_format) -> None:
        missing = choose(spec.missing, MISSING_POLICIES, "missing-value policy")
        check_spec(spec)
        if spec.label is DEFAULT_LABEL:     # not given: the in-memory rule, counted over every row
            spec = replace(spec, label=default_label_out_of_core(path, spec, where, number_format))
        self.path, self.spec = path, spec
        # one file: where it is and its fingerprint, as an in-memory map keeps them (a reopened map
        # finds it, and does not take a changed file for it: session.table_source); a glob: neither
        from somdesk.session.table_source import source_fingerprint
        one = os.path.isfile(os.fspath(path))
        self.source_path = os.path.abspath(os.fspath(path)) if one else None
        self.fingerprint = source_fingerprint(os.fspath(path)) if one else None
        self.stopped = False            # `task` ended by a stop after whole epochs (its map: epochs_done)
        self.warnings: list[str] = []   # what the preparation found (the CLI prints them; the window shows them)
        self.executor = executor or LocalExecutor()
        wanted = list(spec.columns) if spec.columns else None
        # numbers written with a decimal comma or digit groups, as the files' first lines show them
        # (tester9 #9: DuckDB's own rules typed them text and the default columns left them out)
        # (given: `number_format` (decimal, thousands), session.outofcore_format.given_number_format)
        from somdesk.session.opening import chunks_named
        with chunks_named(path):        # a palette or picture given: said so, as in memory
            self.number_format, wanted, text_cols = text_number_format(path, wanted, spec.label, number_format)
            if self.number_format is None:
                text_cols = tuple(wanted or ())
            # statistics over every row (as in memory, before rows with a missing value are dropped)
            first = ChunkedTable.open(path, wanted, chunk_rows, where, text_columns=text_cols,
                                      categorical=tuple(spec.categorical), number_format=self.number_format)
        src = first
        try:
            self.warnings.extend(first.warnings)    # a file read by its content, not its name (as in memory)
            # a column of numbers with an infinite value or a word is left out of the default columns,
            # said as in memory (session.table_columns.spoiled_columns; out of core takes no
            # --missing-values / --also-missing: the way to train on an infinite value's column is in memory)
            self.warnings.extend(f"{why}; it is left out of the training columns" + (
                " (to train on it, read such cells as missing without --out-of-core: --also-missing inf,-inf)"
                if why.endswith("(an infinite value)") else "") for c, why in first.left_out.items() if c != spec.label)
            columns = tuple(c for c in first.columns if c != spec.label)
            numeric = set(first.numeric)
            forced = [c for c in spec.categorical if c in columns and c in numeric]
            if forced:
                raise OptionError(f"out of core, text columns are one-hot encoded; numeric column(s) "
                                  f"{', '.join(map(repr, forced))} cannot be forced categorical (drop --out-of-core)")
            kinds = tuple("numeric" if c in numeric else "categorical" for c in columns)
            check(cancel)
            prof = first.profile([c for c, k in zip(columns, kinds) if k == "numeric"],
                                 [c for c, k in zip(columns, kinds) if k != "numeric"],
                                 median=missing == "median")
            if spec.columns is None:
                # the default columns leave out those too sparse for the missing policy, as in memory
                # (tester9 #10: an NDJSON key of one late record; under train only the near-empty ones,
                # tester13 #2; session.table_columns), unless nothing else is left
                sparse = {c: why for c in columns if c in prof["numeric"] and c not in spec.categorical
                          and c not in spec.passive
                          and (why := missing_share_reason(first.rows - int(prof["numeric"][c]["count"]),
                                                           first.rows, missing))}
                # and row identifiers, judged by the in-memory rule on the engine's statistics (review10 #2)
                numeric_cols = [c for c, k in zip(columns, kinds) if k == "numeric" and c not in sparse
                                and c not in spec.categorical and c not in spec.passive]
                dates: dict = {}
                ids = _identifiers(first, numeric_cols, dates)
                # and a scikit-learn file's class target, by the in-memory rule (review10 #12)
                ids.update({c: why for c, why in _metadata_target(first, spec.label).items() if c in numeric_cols})
                # what is left out, and what comes back when nothing else would place rows: the
                # in-memory rule (table_columns.default_fallback: dates first, then identifiers)
                placing = [c for c in columns if c not in spec.passive]
                _, ids, sparse, dates = default_fallback(placing, ids, sparse, dates)
                if ids or sparse:
                    kinds = tuple(k for c, k in zip(columns, kinds) if c not in sparse and c not in ids)
                    columns = tuple(c for c in columns if c not in sparse and c not in ids)
                    self.warnings.append(left_out_warning(ids, sparse))
                if dates:       # date columns (a year) are shown passive, as in memory (table_columns.date_columns)
                    spec = replace(spec, passive=tuple(spec.passive) + tuple(dates))
                    self.warnings.append(dates_warning_of(dates))
            self.recipe = recipe = _recipe(columns, kinds, prof, spec, first)
            total = first.rows          # before --missing drop leaves rows out
            # the label column is read with the training columns (the same rows, the same chunks),
            # never trained on: `finish` counts it per node as in memory (session.table_labels)
            label_cols = (spec.label,) if spec.label is not None else ()
            self.label_column = spec.label
            coded = [CodedColumn(c, recipe.categories[c]) if k != "numeric" else c for c, k in zip(columns, kinds)]
            if missing in ("drop", "train"):
                # left out by the engine (a WHERE clause): rows with a missing active value (drop),
                # rows with no active value at all (train, as in memory)
                act = {recipe.columns[j] for j in np.unique(recipe.feature_column[recipe.active])}
                keep = (" AND " if missing == "drop" else " OR ").join(
                    _present_sql(c, k) for c, k in zip(columns, kinds) if c in act)
                kept = first.count_where(keep)
                if missing == "drop":       # keeping under half the rows says so, as in memory
                    note = drop_warning(kept, first.rows, {c: first.rows - int(prof["numeric"][c]["count"])
                                                           for c in act if c in prof["numeric"]})
                    self.warnings.extend([note] if note else [])
                if kept < total:
                    filt = f"({where}) AND ({keep})" if where else keep
                    first.close()
                    try:
                        src = ChunkedTable.open(path, list(columns) + list(label_cols), chunk_rows, filt,
                                               text_columns=tuple(text_cols if self.number_format else columns)
                                               + label_cols, categorical=tuple(spec.categorical),
                                               number_format=self.number_format)
                    except FileFormatError as exc:
                        if "no rows" in str(exc):
                            raise all_rows_missing(str(path)) from None
                        raise
            if label_cols and src is first:     # no rows left out: the same rows, with the label
                first.close()
                src = ChunkedTable.open(path, list(columns) + list(label_cols), chunk_rows, where,
                                        text_columns=tuple(text_cols if self.number_format else columns) + label_cols,
                                        categorical=tuple(spec.categorical), number_format=self.number_format)
            # over every row by the engine: a numeric column with min == max, a text one with one
            # category (after the rows-left-out check: "every row has a missing value" says more)
            constant = {c for c in columns if (c in prof["numeric"] and prof["numeric"][c]["min"] ==
                                               prof["numeric"][c]["max"]) or len(prof["text"].get(c, ())) == 1}
            if src.rows == 1:       # one row (left): one value in every column (tester10 #4, review10 #8)
                constant = set(columns)
            if src.rows >= 1:
                refuse_constant(recipe, constant, os.path.basename(str(path)), rows=src.rows, total=total)
                refuse_few_rows(os.path.basename(str(path)), src.rows, total)
            src.columns = coded
            self.src = src
            self.prep = prep = _features(recipe)
            filled = _features(recipe, filled=True)
            rng = np.random.default_rng(np.random.SeedSequence([int(spec.seed), 7]))
            self.rows = n = src.rows
            self.pick = np.sort(rng.choice(n, size=min(n, SAMPLE_ROWS), replace=False)) if n > SAMPLE_ROWS \
                else np.arange(n)
            check(cancel)
            self.raw_sample = src.rows_at(self.pick)
            # the least share of the placing weight a scored row needs, from the sample's rows as
            # in memory from every kept row (table_assign.min_present_of): raw cells, before any fill
            known = ~np.isnan(self.raw_sample[:, recipe.feature_column[recipe.active]])
            fw = recipe.feature_weight[recipe.active]
            self.min_present = min_present_of(known @ fw / fw.sum())
            self.sample = prep(self.raw_sample)              # NaN kept when missing="train"
            self.sample_filled = filled(self.raw_sample)     # what the size, TE and saved inputs use
            self.hexagonal = hexagonal = topology(spec) == "hexagonal"
            # the rule of every table map (session.table_size): N = every row kept, shape of the sample
            h, w, epochs = auto_size(self.sample_filled, n, spec)
            check_clusters(spec.clusters, h, w)      # before the epochs, not after them
            self.config = SOMConfig(width=w, height=h, iterations=epochs, mode="batch", init="pca",
                                    sigma=sigma_start(h, w), topology="hexagonal" if hexagonal else "rectangular",
                                    decay="classic", seed=int(spec.seed))
            # the start weights' pass (pca: mean and covariance chunk by chunk) can be stopped too
            a = int(np.count_nonzero(recipe.active))
            self.run = StreamingBatch(src, self.config, prepare=prep, executor=self.executor,
                                      rule=TableMapRule(END_RADIUS), weights=np.zeros((h, w, a)))
            if resume is not None and not resume.finished and resume.config == self.config \
                    and same_recipe(resume.recipe, recipe):
                # a stopped run goes on from its last whole epoch: a batch epoch depends only on
                # the weights and the epoch's index, so the end equals an uninterrupted run's
                self.run.weights = np.array(resume.codebook, dtype=float, copy=True)
                self.run.iteration = int(resume.epochs_done)
            else:
                # the pca start from the filled rows' moments, as in memory (session.table_data._train)
                self.run.prepare = filled
                self.run.weights = self.run.initial_weights(cancel)
                self.run.prepare = prep
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

    def task(self, cancel: CancelToken | None = None, live: bool = True, measure_stopped: bool = True):
        """Generator for a driver (the window): yields StreamProgress per epoch (with the
        codebook and the sample's hits when `live`) and, through the executor's `on_part`
        hook when it has one, per chunk; returns the TableMap (`finish`).  A stop after whole
        epochs with `measure_stopped` False returns the map unmeasured (`unmeasured`: no
        segments, NaN measures) at once; `finish(cancel, every_row=False)` measures it later."""
        total = self.config.iterations
        yield StreamProgress("segment", self.run.iteration, total, rows=self.rows, sample_rows=len(self.pick),
                             chunks=self.chunks)
        try:
            for info in self.epochs(cancel):
                extra = {}
                if live:
                    extra = dict(codebook=self.run.weights.copy(), sample_hits=self.sample_hits())
                yield StreamProgress("segment", info.epoch + 1, total, rows=self.rows, sample_rows=len(self.pick),
                                     chunks=self.chunks, **extra)
        except Cancelled:
            if self.run.iteration < 1:
                raise
            # stopped after whole epochs: as in memory, the map of the epochs trained is measured and
            # segmented (no more yields: a driver told to stop pulls no more), unless abandoned
            self.stopped = True
            if not measure_stopped:
                return self.unmeasured()
            # the sample only: a pass over every row costs an epoch, and a stop must not wait for one
            return self.finish(cancel.after_stop() if cancel is not None else None, every_row=False)
        return self.finish(cancel)

    def unmeasured(self) -> TableMap:
        """The map of the epochs trained so far, not measured: its codebook (a copy), recipe,
        config and `epochs_done` (what a resumed run needs); no segments, NaN measures."""
        nan = float("nan")
        config = self.config
        return TableMap(recipe=self.recipe, config=config, codebook=np.array(self.run.weights, copy=True),
                        passive=None, label_column=self.spec.label, clusters=None,
                        cluster_method=self.spec.cluster_method, outlier_threshold=nan, quantization_error=nan,
                        topographic_error=nan, inputs=self.sample_filled, row_index=self.pick.astype(np.int64),
                        source=str(self.path), number_format=self.number_format, min_present=self.min_present,
                        source_path=self.source_path, source_fingerprint=self.fingerprint,
                        table_columns=tuple(self.src.file_columns or ()) or None,
                        epochs_done=None if self.run.iteration >= config.iterations else int(self.run.iteration))

    def finish(self, cancel: CancelToken | None = None, every_row: bool = True) -> TableMap:
        """One more pass over every row (quantization error, hits for the segments), the
        sample's measures, the segments: the trained TableMap.  `every_row` False (a stopped
        run): hits and quantization error of the sample instead."""
        from somdesk.core.metrics import topographic_error
        from somdesk.session.segments import cluster_nodes

        spec, config, recipe, prep, src = self.spec, self.config, self.recipe, self.prep, self.src
        h, w = config.height, config.width
        codebook = self.run.weights
        flat = codebook.reshape(h * w, -1)
        hits = np.zeros(h * w)
        total = 0.0
        on_part = getattr(self.executor, "on_part", None)
        # the label's rows per node, as in memory (table_data.measure_table_map); a stopped run
        # measured on the sample only counts none (its rows' labels are not read)
        tally = LabelTally(h, w, self.label_column) if self.label_column is not None and every_row else None
        # a scikit-learn CSV's target reads as its class names, as in memory (io.tables.Table.value_names)
        target, names = metadata_class_names(getattr(src, "metadata", None), src.file_columns or ())
        names = names if target is not None and target == self.label_column else None
        from somdesk.io.chunked import chunk_reads
        with chunk_reads():         # one connection for the pass, not one per partition (fixV)
            for i, part in enumerate(src.partitions if every_row else ()):
                check(cancel)
                idx, d2 = masked_bmus(flat, prepared_chunk(part, src.columns, prep))
                hits += np.bincount(idx, minlength=h * w)
                if tally is not None:
                    tally.add(_labels_of(part, self.label_column, names), idx)
                total += float(np.sqrt(d2).sum())
                if on_part is not None:
                    on_part(i + 1, len(src.partitions))
        sidx, sd2 = masked_bmus(flat, self.sample)
        sdist = np.sqrt(sd2)
        if not every_row:
            hits, total = np.bincount(sidx, minlength=h * w).astype(float), float(sdist.sum())
        self.hits = hits.reshape(h, w)
        rows = self.rows if every_row else len(sdist)
        # the threshold from the distances scoring reports, as in memory (table_assign.row_distances)
        scored = row_distances(recipe, codebook, self.sample, sidx, sd2)
        passive = None
        if (~recipe.active).any():
            passive = passive_planes(sidx, prep.normalised(self.raw_sample)[:, ~recipe.active], h, w, 1.0,
                                     self.hexagonal)
        if tally is not None:       # a numeric label with many values says so, as in memory (tester12 #6)
            kinds = tally.kinds()
            note = numeric_label_warning(self.label_column, kinds, bool(kinds) and all(_is_number(k) for k in kinds))
            self.warnings.extend([note] if note else [])
        seg = cluster_nodes(codebook, spec.clusters, spec.cluster_method, config.topology, hits=hits, cancel=cancel)
        return TableMap(recipe=recipe, config=config, codebook=codebook, passive=passive, label_column=spec.label,
                        clusters=seg.labels, cluster_method=spec.cluster_method,
                        outlier_threshold=outlier_threshold(scored, self.sample),
                        quantization_error=total / max(1, rows),
                        topographic_error=float(topographic_error(codebook, self.sample_filled, self.hexagonal,
                                                                  False)),
                        curve=seg.curve, inputs=self.sample_filled, row_index=self.pick.astype(np.int64),
                        source=str(self.path), number_format=self.number_format, min_present=self.min_present,
                        source_path=self.source_path, source_fingerprint=self.fingerprint,
                        table_columns=tuple(self.src.file_columns or ()) or None,
                        epochs_done=None if self.run.iteration >= config.iterations else int(self.run.iteration),
                        label_counts=tally.counts() if tally is not None else None)

    def close(self) -> None:
        self.src.close()


def default_label_out_of_core(path, spec: TableMapSpec = TableMapSpec(), where: str | None = None,
                              number_format: tuple | None = None) -> str | None:
    """The default label column of the file or glob `path` read in chunks, by the in-memory rule
    (session.table_columns.default_label_column): a scikit-learn CSV's class target when its
    metadata line names the classes (`150,4,setosa,versicolor,virginica`), else label_rule on the
    text columns' distinct present values, counted by one engine query over every row (kept by
    `where`; io.chunked.text_column_kinds) -- columns whose cells are all numbers, written with
    `number_format` ((decimal, thousands) given, else what the files' first lines show:
    session.outofcore_format.files_number_format), are numbers, not labels, as in memory.  The
    columns `spec` trains on or shows (columns, passive, categorical) are left out, as the
    in-memory CLI does.  None when no column fits.  Raises FileFormatError for unreadable files
    (or a glob whose files write numbers differently)."""
    from somdesk.io.chunked import text_column_kinds
    from somdesk.io.chunked_sql import expand, files_format, metadata_line
    from somdesk.session.outofcore_format import files_number_format
    from somdesk.session.table_columns import MAX_LABEL_KINDS, MISSING_LABELS, label_rule

    from somdesk.session.opening import chunks_named

    named = set(spec.columns or ()) | set(spec.passive) | set(spec.categorical)
    columns: dict = {}
    with chunks_named(path):        # a palette or picture is named, as when the chunks are read
        files = expand(path)
        fmt = files_number_format(files, number_format)
        kinds, rows = text_column_kinds(path, where, MISSING_LABELS, MAX_LABEL_KINDS + 1, fmt, columns)
        # the class target the in-memory table names by the metadata line (Table.value_names)
        metadata = metadata_line(files) if files_format(files) == "csv" else None
    target, _ = metadata_class_names(metadata, list(columns))
    if target is not None and columns.get(target) and target not in named:
        return target
    return label_rule([c for c in kinds if c not in named], lambda c, limit: kinds[c], rows)


def train_table_map_streaming(path, spec: TableMapSpec = TableMapSpec(), *, chunk_rows: int = DEFAULT_CHUNK_ROWS,
                              where: str | None = None, executor=None, cancel: CancelToken | None = None,
                              progress: Callable[[int, int], None] | None = None,
                              number_format: tuple | None = None, warnings: list | None = None,
                              counts: dict | None = None) -> TableMap:
    """Train a table map on `path` (file or glob: Parquet, CSV, gzip, NDJSON) out of core.

    Returns a TableMap (session.table_data) ready for `save_table_map`.
    Raises FileFormatError for unreadable tables, columns with no value or rows all dropped,
    OptionError for bad choices (numeric columns forced categorical, over 200 categories), Cancelled when `cancel` is set (checked per chunk).
    The window runs the same `StreamingTableRun`, so both give the same map.  `number_format`:
    (decimal, thousands) given for text files (StreamingTableRun).  `warnings` (a list) gets what the
    preparation found (StreamingTableRun.warnings: columns left out, rows dropped).  `counts` (a
    dict) gets "rows": the rows every epoch trained on (the map's `inputs` are a sample of them).
    """
    run = StreamingTableRun(path, spec, chunk_rows=chunk_rows, where=where, executor=executor, cancel=cancel,
                            number_format=number_format)
    if warnings is not None:
        warnings.extend(run.warnings)
    try:
        for info in run.epochs(cancel):
            if progress is not None:
                progress(info.epoch + 1, run.config.iterations)
        seen = len(run.warnings)
        tm = run.finish(cancel)
        if counts is not None:
            counts["rows"] = int(run.rows)
        if warnings is not None:        # what counting every row found (a numeric label)
            warnings.extend(run.warnings[seen:])
        return tm
    finally:
        run.close()
