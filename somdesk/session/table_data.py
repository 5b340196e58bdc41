"""A table map, trained and applied without Qt: the steps the CLI and the window share.
(The default columns are chosen in session.table_columns, rows are placed by session.table_assign:
import those names from there.)

    tab = read_table("customers.csv")
    tm = train_table_map(tab, TableMapSpec(columns=("age", "income"), label="segment"), cancel=token)
    tm.config.height, tm.codebook (H, W, A), tm.clusters (H, W), tm.assignments (every row)
    rows = assign_cells(tm, cells)      # BMU row/col, segment, distance, outlier per row

Training (defaults, each overridable in TableMapSpec; see docs/tables.md for why):
  * the epochs train on at most session.table_size.TRAIN_ROWS rows (a seeded random sample of
    the prepared rows); every row is measured, segmented and assigned;
  * the SOM Toolbox's automatic size and shape (for the rows trained on) (core.preparation.auto_map_size),
    hexagonal grid, linear (PCA) initialisation, batch training for
    core.preparation.auto_epochs epochs with the gaussian radius falling from
    max(H, W)/4 to END_RADIUS = 1.25 (core.masked_som, which uses present values only,
    so missing="train" and complete tables go the same way);
  * segments: the codebook clustered (session.segments) into k clusters, k given or
    suggested by the validity curve.
Assignment (training file and new data alike, so they agree exactly): the fitted
recipe turns the cells into features, the BMU is searched over present active
features (core.masked_som.masked_bmus), distance = Euclidean distance to the BMU in
training units (quantization error of that row), outlier = distance above
Q3 + 3 (Q3 - Q1) of the training rows' distances (Tukey's "far out").
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from somdesk.core import cancel as cancel_mod
from somdesk.core.masked_som import masked_bmus, passive_planes, sigma_start, train_masked
from somdesk.core.options import SOMConfig, count_text, named_options
from somdesk.core.preparation import Prepared, Recipe, prepare_table
from somdesk.errors import OptionError
from somdesk.session.table_assign import (few_values, few_values_warning, min_present_of, outlier_threshold,
                                          row_distances)
from somdesk.session.table_checks import check_clusters, check_weights, constant_in_rows, refuse_constant, refuse_few_rows
from somdesk.session.table_columns import (default_columns, default_columns_warnings, default_passive,
                                           numeric_label_warning)
from somdesk.session.table_labels import LabelCounts
from somdesk.session.table_size import auto_size, filled_rows, trained_rows, training_note, training_subset

__all__ = ["TableMapSpec", "TableMap", "train_table_map", "measure_table_map", "options_to_dict", "options_from_dict",
           "check_spec", "same_recipe"]


class _DefaultLabel:
    """The type of DEFAULT_LABEL: TableMapSpec.label when none was given."""

    def __repr__(self) -> str:
        return "DEFAULT_LABEL"

    def __reduce__(self):       # a pickled spec (a worker process) gets the one sentinel back
        return "DEFAULT_LABEL"


#: TableMapSpec.label when the caller gave none: the default label column, chosen by the one
#: rule the window, the CLI and the library Session share (`resolve_label`, testerH #7).
#: `label=None` says "no label".
DEFAULT_LABEL = _DefaultLabel()


def resolve_label(table, spec: "TableMapSpec") -> "TableMapSpec":
    """`spec` with its label decided for `table`: DEFAULT_LABEL becomes the column that looks
    like the rows' class (session.table_columns.default_label_column, what the window's Setup
    proposes and `somdesk train --table` takes without --label), never one of the columns `spec`
    trains on or shows (columns, passive, categorical); None when no column fits or there is no
    table.  A label given (a name or None) is kept.  The label is never trained on."""
    from dataclasses import replace

    if spec.label is not DEFAULT_LABEL:
        return spec
    if table is None:
        return replace(spec, label=None)
    from somdesk.session.table_columns import default_label_column

    named = set(spec.columns or ()) | set(spec.passive) | set(spec.categorical)
    return replace(spec, label=default_label_column(table, set(table.numeric_columns) | named, chosen=named))


@named_options     # TableMapSpec(epoch=3): an OptionError listing the valid names, not a TypeError
@dataclass(frozen=True)
class TableMapSpec:
    """The user's choices for a table map; None = automatic.  `label`: the column whose values
    name the nodes (never trained on); not given (DEFAULT_LABEL), the default rule picks it
    (`resolve_label`), as the window and the CLI do; None: no label."""

    columns: tuple | None = None          # None: every numeric column but the label
    label: str | None = DEFAULT_LABEL     # type: ignore[assignment]
    weights: dict = field(default_factory=dict)
    passive: tuple = ()
    categorical: tuple = ()
    group_weight: float = 1.0
    normalise: str = "zscore"
    missing: str = "drop"
    height: int | None = None
    width: int | None = None
    epochs: int | None = None
    topology: str = "hexagonal"
    seed: int = 0
    clusters: int | None = None           # k; None = suggested by the validity curve
    cluster_method: str = "kmeans"       # session.segments.DEFAULT_METHOD (why: see there)


@dataclass
class TableMap:
    """A trained table map (see module docstring).  Arrays are in training units unless named."""

    recipe: Recipe
    config: SOMConfig
    codebook: np.ndarray                  # (H, W, A) active features x sqrt(weight)
    passive: np.ndarray | None            # (H, W, P) passive features, normalised units (NaN: no data)
    label_column: str | None
    clusters: np.ndarray | None           # (H, W) int64 segment of each node
    cluster_method: str
    outlier_threshold: float
    quantization_error: float
    topographic_error: float
    curve: dict = field(default_factory=dict)      # validity curve {"k": [...], "davies_bouldin": [...], ...}
    inputs: np.ndarray | None = None      # (N, A) training rows (NaN filled), as saved
    row_index: np.ndarray | None = None   # (N,) their file rows
    source: str | None = None             # the table's file name (older maps: all they record)
    source_path: str | None = None        # its absolute path when trained
    read_options: dict | None = None      # io.tables ReadOptions it was read with (options_to_dict)
    # {"decimal", "thousands"} a text table's numbers were read with (given or sniffed): new
    # files are scored with them (session.scoring.scoring_options; tester8 #14)
    number_format: dict | None = None
    epochs_done: int | None = None        # a run stopped part way: epochs trained so far (None: all)
    # rows known in less than this share of the placing weight are not reliably placed: flagged as
    # outliers (few_values; tester9 #7).  None (maps saved before): no row is flagged (review10 #1)
    min_present: float | None = None
    # its table file's io.fingerprint (+ "rows" read) when trained: a reopened map does not take a
    # changed file for its table (session.table_source; tester9 #8).  None: no file, or saved before
    source_fingerprint: dict | None = None
    # the label column's rows per node and label (session.table_labels; --label's majority labels
    # and purity per node and segment, saved with the map); None: no label column or no labelled row
    label_counts: LabelCounts | None = None
    # every column of its training table, used or not (an id, a text column left out): scoring that
    # table again does not call them "columns the map does not use" (tester12 #10).  None: saved before
    table_columns: tuple | None = None

    @property
    def finished(self) -> bool:
        """Has the map trained every epoch of its config (not a stopped run)?"""
        return self.epochs_done is None or self.epochs_done >= self.config.iterations

    @property
    def k(self) -> int:
        return 0 if self.clusters is None else int(self.clusters.max()) + 1

    def planes(self) -> tuple[list, np.ndarray]:
        """(feature names, (H, W, F) every feature in normalised units, passive included)."""
        r = self.recipe
        h, w = self.codebook.shape[:2]
        out = np.full((h, w, len(r.features)), np.nan)
        out[:, :, r.active] = r.unweight(self.codebook)
        if self.passive is not None:
            out[:, :, ~r.active] = self.passive
        return list(r.features), out

    def planes_in_units(self) -> tuple[list, np.ndarray]:
        """Like `planes` but numeric features back in the file's units (one-hot stay 0..1)."""
        names, p = self.planes()
        return names, self.recipe.offset + p * np.where(self.recipe.scale > 0, self.recipe.scale, 0.0)


def topology(spec: TableMapSpec) -> str:
    """The canonical topology of `spec` ("rectangular" or "hexagonal", with core.options' aliases
    such as "hex", as the colour `train` takes them); OptionError naming the choices."""
    from somdesk.core.options import TOPOLOGIES, choose

    return choose(spec.topology, TOPOLOGIES, "topology")


def check_spec(spec: TableMapSpec) -> None:
    """OptionError for a map size or epoch count outside core.options.check_grid's ranges (the one
    range check: its `field` lets the CLI name the flag), a segment count that is not a whole
    number from 1 -- or, when both sides of the map are given, more than its nodes
    (check_clusters) --, a topology that is not one of core.options.TOPOLOGIES (tester8 #7:
    anything but "hex..." trained a rectangular map without a word), weights outside the
    window's range (session.table_checks.check_weights), and a normalisation, missing-value
    policy, category group weight or clustering method the preparation or the segmentation
    would refuse.  Everything here is in `spec` alone: the CLI calls it before the table is
    read (testerC #19: `--normalise foo` was refused after the table was read)."""
    import math

    from somdesk.core.clustering import method_name
    from somdesk.core.options import check_grid
    from somdesk.core.preparation import MISSING_POLICIES, NORMALISATIONS, choose

    topology(spec)
    try:
        check_grid(spec.width, spec.height, spec.epochs)
    except OptionError as exc:   # the spec's option is `epochs`: say so, not the core's "iterations"
        if exc.field != "iterations":
            raise
        raise OptionError(exc.worded("epochs"), exc.field, "epochs") from None
    v = spec.clusters
    if v is not None and (isinstance(v, bool) or int(v) != v or int(v) < 1):
        raise OptionError(f"clusters must be a whole number from 1, got {v!r}")
    if spec.height is not None and spec.width is not None:
        check_clusters(spec.clusters, spec.height, spec.width)
    check_weights(spec.weights)
    # the words and the checks of core.preparation.fit_recipe, which makes them on the read rows
    choose(spec.normalise, NORMALISATIONS, "normalisation")
    choose(spec.missing, MISSING_POLICIES, "missing-value policy")
    try:
        gw = float(spec.group_weight)
    except (TypeError, ValueError):
        gw = math.nan
    if not math.isfinite(gw) or gw <= 0:
        raise OptionError(f"the category group weight must be above 0, got {spec.group_weight!r}")
    method_name(spec.cluster_method)


def prepare_for(table, spec: TableMapSpec, step=None) -> Prepared:
    """The prepared rows `train_table_map` trains on for `spec` (the Setup tab's "auto" size is
    measured on the same, session.table_size); raises as prepare_table.  With no columns named,
    the default columns (`default_columns`) plus the date columns as passive ones."""
    from dataclasses import replace
    spec = resolve_label(table, spec)
    columns, left_out = spec.columns, []
    if columns is None:
        # the default columns, plus any column named categorical or passive: naming it says
        # the user wants it (tester5 F4: `--categorical city` alone was dropped without a word)
        columns = default_columns(table, spec.label, spec.missing)
        columns += tuple(c for c in (*spec.categorical, *spec.passive) if c not in columns and c != spec.label)
        # date columns (a year) are shown on the map, placing no row (session.table_columns.date_columns)
        dates = tuple(c for c in default_passive(table, spec.label, spec.missing) if c not in columns)
        columns += dates
        spec = replace(spec, passive=tuple(spec.passive) + dates)
        # what the default left out, first among the preparation's warnings: the CLI prints them,
        # the window shows them (tester10 #9: the window left an `inf` column out without a word)
        left_out = default_columns_warnings(table, spec.label, spec.missing)
    prep = prepare_table(table, columns, spec.label, spec.normalise, spec.missing, weights=spec.weights,
                         passive=spec.passive, categorical=spec.categorical, group_weight=spec.group_weight,
                         step=step)
    prep.warnings[:0] = left_out
    # a numeric label with many values (a measurement) is left out of training like any label: say so
    note = numeric_label_warning(spec.label, prep.labels,
                                 spec.label is not None and spec.label in getattr(table, "numeric_columns", ()))
    prep.warnings.extend([note] if note else [])
    # zeros that may mean "not rated" among the numeric columns trained on: warned, never changed
    # (testerG #4: a segment's best item showed "mean rating 1.28" on a 1-5 scale)
    from somdesk.session.unrated import zero_unrated_warning
    zeros = zero_unrated_warning(table, prep.recipe.numeric_columns)
    prep.warnings.extend([zeros] if zeros else [])
    return prep


def train_table_map(table, spec: TableMapSpec = TableMapSpec(), cancel=None, progress=None,
                    prepared: Prepared | None = None, resume: TableMap | None = None,
                    keep_partial: bool = False, stage=None,
                    measure_stopped: bool = True, preparing=None) -> tuple[TableMap, Prepared]:
    """Prepare, train, cluster (see module docstring).  `progress(done, total)` after each epoch;
    `stage(text)` as the measuring and the segmenting after the epochs start; `preparing(done,
    total)` at each step of the preparation before the first epoch (prepare_table's stages, the
    checks, the size, the start weights).  `cancel` is checked at each of those steps too: a
    1,000,000-row table's preparation took 15 s on a loaded machine and Stop waited 3.3 s for
    it (testerH #2).

    Raises OptionError/FileFormatError for bad choices or data, Cancelled when stopped.  With
    `keep_partial`, a stop after at least one new epoch returns the map of the epochs trained
    so far instead (`epochs_done` < epochs; segments and measures of that codebook, measured
    under `cancel.after_stop()`; with `measure_stopped` False it is returned unmeasured, no
    segments and NaN measures, for `measure_table_map` to finish later: the window's Stop
    ends the task at once, tester7 #25); `resume`
    (such a map, e.g. reopened from its file) continues from its epoch when `spec` prepares
    the same recipe and config -- the finished map then equals an uninterrupted run's bit
    for bit, since each epoch depends only on the codebook before it and its radius.
    """
    from somdesk.core.preparation import PREPARE_STEPS
    from somdesk.session.table_source import table_fingerprint

    total = PREPARE_STEPS + 4           # prepare_table's stages, then 4 of train_table_map's own

    def step(done: int, _n: int = 0) -> None:     # between stages: stop, say how far
        cancel_mod.check(cancel)
        if preparing is not None:
            preparing(done, total)

    check_spec(spec)
    spec = resolve_label(table, spec)      # the label not given: the default rule's (tm.label_column)
    prep = prepared or prepare_for(table, spec, step)
    step(PREPARE_STEPS + 1)
    refuse_constant(prep.recipe, constant_in_rows(prep.data, prep.recipe), getattr(table, "name", "table"),
                    rows=len(prep.data), total=len(prep.data) + prep.n_dropped_rows)
    refuse_few_rows(getattr(table, "name", "table"), len(prep.data), len(prep.data) + prep.n_dropped_rows)
    hexagonal = topology(spec) == "hexagonal"
    x = prep.data
    filled = filled_rows(prep)
    step(PREPARE_STEPS + 2)
    # the epochs train on at most TRAIN_ROWS rows (a seeded sample; session.table_size), sized for
    # them; every row is measured, segmented and assigned below
    h, w, epochs = auto_size(filled, trained_rows(len(x)), spec)   # the Setup tab's "auto" is the same call
    check_clusters(spec.clusters, h, w)          # before the epochs, not after them
    step(PREPARE_STEPS + 3)
    subset = training_subset(len(x), spec.seed)
    note = training_note(len(x))
    if note and note not in prep.warnings:
        prep.warnings.append(note)
    config = SOMConfig(width=w, height=h, iterations=epochs, mode="batch", init="pca",
                       sigma=sigma_start(h, w), topology="hexagonal" if hexagonal else "rectangular",
                       decay="classic", seed=int(spec.seed))
    start, w_start = 0, None
    if resume is not None and not resume.finished and resume.config == config \
            and same_recipe(resume.recipe, prep.recipe):
        start, w_start = int(resume.epochs_done), resume.codebook
    sample = x if subset is None else x[subset]
    step(total)
    codebook, done = _train(sample, config, cancel, progress, start, w_start, keep_partial)
    nan = float("nan")
    tm = TableMap(recipe=prep.recipe, config=config, codebook=codebook, passive=None,
                  label_column=spec.label, clusters=None, cluster_method=spec.cluster_method,
                  outlier_threshold=nan, quantization_error=nan, topographic_error=nan, inputs=filled,
                  row_index=prep.row_index, source=getattr(table, "name", None),
                  source_path=getattr(table, "path", None),
                  read_options=options_to_dict(getattr(table, "options", None)),
                  number_format=number_format_of(table), epochs_done=None if done >= epochs else done,
                  min_present=min_present_of(prep.present_share if prep.present_share is not None else ()),
                  source_fingerprint=table_fingerprint(table), table_columns=_columns_of(table))
    if prep.present_share is not None:
        flagged = int(few_values(tm, prep.present_share).sum())
        note = few_values_warning(tm, f"{getattr(table, 'name', 'the table')} (training rows)", flagged)
        prep.warnings.extend([note] if note else [])
    if done < epochs:       # stopped: the epochs trained are measured and segmented to the end,
        if not measure_stopped:
            return tm, prep
        cancel = cancel.after_stop() if cancel is not None else None   # unless the task is abandoned
    return measure_table_map(tm, prep, spec.clusters, cancel, stage), prep


def measure_table_map(tm: TableMap, prep: Prepared, clusters: int | None = None, cancel=None,
                      stage=None) -> TableMap:
    """The trained codebook of `tm` measured on its prepared rows `prep` (BMUs: quantization
    error, the outlier threshold, passive planes; topographic error) and segmented into
    `clusters` segments (None: suggested); returns the TableMap with them.  Cancelled when
    `cancel` is set (checked inside each pass); `stage(text)` names each part."""
    from dataclasses import replace

    from somdesk.core.metrics import topographic_error
    from somdesk.session.segments import cluster_nodes

    x, codebook = prep.data, tm.codebook
    h, w = codebook.shape[:2]
    hexagonal = tm.config.topology == "hexagonal"
    if stage is not None:
        stage(f"measuring the map on {count_text(len(x), 'row')}")
    idx, d2 = masked_bmus(codebook, x, cancel)
    dist = np.sqrt(d2)
    # the outlier threshold (Q3 + 3 IQR, at least the rows' spread: table_assign.outlier_threshold)
    # from distances of the kind scoring reports (assign_cells): with
    # missing="train" rows with holes are measured over what is known, scaled (row_distances);
    # the mean/median modes' rows are filled, in training and in scoring alike.  The
    # quantization error stays the SOM's own.
    scored = row_distances(prep.recipe, codebook, x, idx, d2)
    passive = None
    if (~prep.recipe.active).any():
        passive = passive_planes(idx, prep.raw[:, ~prep.recipe.active], h, w, 1.0, hexagonal)
    te = topographic_error(codebook, tm.inputs, hexagonal, False, cancel)
    counts = None
    if tm.label_column is not None and prep.labels is not None:     # the majority labels (tester11)
        from somdesk.session.table_labels import label_counts, labelled_rows
        share = prep.present_share if prep.present_share is not None else np.ones(len(idx))
        ok = labelled_rows(prep.recipe.missing, share)       # the one rule, as the window's
        labels = [lab if keep else None for lab, keep in zip(prep.labels, ok)]
        counts = label_counts(labels, idx, h, w, tm.label_column)
    tm = replace(tm, passive=passive, outlier_threshold=outlier_threshold(scored, x),
                 quantization_error=float(dist.mean()), topographic_error=float(te), label_counts=counts)
    cancel_mod.check(cancel)
    if stage is not None:
        stage("finding segments")
    seg = cluster_nodes(codebook, clusters, tm.cluster_method, tm.config.topology,
                        hits=np.bincount(idx, minlength=h * w), cancel=cancel)
    tm.clusters, tm.curve = seg.labels, seg.curve
    return tm


END_RADIUS = 1.25   # batch radius at the last epoch; why 1.25 and not 1: see docs/tables.md


def same_recipe(a: Recipe, b: Recipe) -> bool:
    """Do two recipes turn the same cells into the same features (a run may be resumed)?"""
    da, db = a.to_dict(), b.to_dict()
    arrays = ("offset", "scale", "fill", "feature_column", "feature_weight")
    same = all(np.array_equal(np.asarray(da[k], float), np.asarray(db[k], float), equal_nan=True) for k in arrays)
    return same and {k: v for k, v in da.items() if k not in arrays} == {k: v for k, v in db.items() if k not in arrays}


def _train(x, config: SOMConfig, cancel, progress, start: int = 0, codebook=None,
           keep_partial: bool = False) -> tuple[np.ndarray, int]:
    """Batch training over present values (core.masked_som; with no missing value it is the
    plain batch map), from the linear (PCA) initialisation of the filled rows, or from
    `codebook` after `start` epochs.  One `train_masked` epoch at a time at that epoch's
    radius (the same float `train_masked` computes for the whole run), so a run can stop
    between epochs and go on later unchanged.  Returns (codebook, epochs done); a stop
    returns the last whole epoch's codebook when `keep_partial` and at least one new epoch
    was trained, else raises Cancelled."""
    from somdesk.core.initialise import initial_weights
    from somdesk.errors import Cancelled

    if codebook is None:
        filled = x
        if np.isnan(x).any():
            present = ~np.isnan(x)
            means = np.where(present, x, 0.0).sum(0) / np.maximum(present.sum(0), 1)
            filled = np.where(present, x, means)
        rng = np.random.default_rng(np.random.SeedSequence([config.seed or 0, 0]))
        codebook = initial_weights(config.init, filled, config.height, config.width, rng)
    epochs, sigma0 = int(config.iterations), float(config.sigma0)
    m = np.asarray(codebook, dtype=np.float64)
    for e in range(int(start), epochs):
        frac = e / max(1, epochs - 1)
        sigma = sigma0 * (END_RADIUS / sigma0) ** frac if sigma0 > END_RADIUS else END_RADIUS
        try:
            m = train_masked(x, m, 1, sigma, sigma, config.topology == "hexagonal", config.toroidal, cancel)
        except Cancelled:
            if keep_partial and e > start:
                return m, e
            raise
        if progress is not None:
            progress(e + 1, epochs)
    return m, epochs


def number_format_of(table) -> dict | None:
    """{"decimal": ".", "thousands": "", "delimiter": ","} the numbers of a text `table` were read
    with when they were given or seen in the file (io.tables' dialect, "number_evidence"), else
    None: other formats' numbers are typed, and whole numbers show no format to keep."""
    dialect = getattr(table, "dialect", None) or {}
    if dialect.get("decimal") not in (".", ",") or not dialect.get("number_evidence"):
        return None          # a file of whole numbers shows no format: nothing to pin (review8)
    out = {"decimal": dialect["decimal"], "thousands": str(dialect.get("thousands") or "")}
    if isinstance(dialect.get("delimiter"), str):        # to tell a file of another dialect
        out["delimiter"] = dialect["delimiter"]
    return out


def options_to_dict(options) -> dict | None:
    """The fields of io.tables ReadOptions `options` that are set (not "detect"), as JSON values
    (None for no options): what a saved map records to read its table again the same way."""
    import dataclasses

    if options is None:
        return None
    # --also-missing folded into `missing`: the words in force, in the field every version reads
    # (scoring.scoring_missing takes a map's table's own words from it)
    options = options.resolved() if hasattr(options, "resolved") else options
    out = {}
    for f in dataclasses.fields(options):
        v = getattr(options, f.name)
        if v is not None:
            out[f.name] = list(v) if isinstance(v, tuple) else v
    return out


def options_from_dict(d) -> "object | None":
    """io.tables ReadOptions from `options_to_dict`'s dict (unknown fields of a newer version are
    left out); None for none.  OptionError for a value the reader refuses."""
    import dataclasses

    from somdesk.io.tables.options import ReadOptions

    if not isinstance(d, dict):
        return None
    names = {f.name for f in dataclasses.fields(ReadOptions)}
    kw = {k: (tuple(v) if isinstance(v, list) else v) for k, v in d.items() if k in names}
    try:
        return ReadOptions(**kw).checked()
    except (TypeError, ValueError) as exc:
        raise OptionError(f"the saved read options are not usable ({exc})") from None


def _columns_of(table) -> tuple | None:
    """The names of every column of `table` (TableMap.table_columns), None when it has none."""
    columns = getattr(table, "columns", None)
    return tuple(str(c) for c in columns) if columns is not None else None
