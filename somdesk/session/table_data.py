"""A table map, trained and applied without Qt: the steps the CLI and the window share.

    tab = read_table("customers.csv")
    tm = train_table_map(tab, TableMapSpec(columns=("age", "income"), label="segment"), cancel=token)
    tm.config.height, tm.codebook (H, W, A), tm.clusters (H, W), tm.assignments (every row)
    rows = assign_cells(tm, cells)      # BMU row/col, segment, distance, outlier per row

Training (defaults, each overridable in TableMapSpec; see docs/tables.md for why):
  * the SOM Toolbox's automatic size and shape (core.preparation.auto_map_size),
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

import re
import weakref
from dataclasses import dataclass, field

import numpy as np

from somdesk.core import cancel as cancel_mod
from somdesk.core.masked_som import masked_bmus, passive_planes, sigma_start, train_masked
from somdesk.core.options import SOMConfig
from somdesk.core.preparation import Prepared, Recipe, prepare_table
from somdesk.errors import OptionError
from somdesk.session.table_checks import check_weights, constant_in_rows, refuse_constant
from somdesk.session.table_size import auto_size, filled_rows

__all__ = ["TableMapSpec", "TableMap", "train_table_map", "measure_table_map", "assign_cells", "assign_table",
           "row_cells",
           "default_columns", "identifier_columns", "identifier_warning", "check_columns", "placing_columns", "rows_in_nodes",
           "options_to_dict", "options_from_dict"]


@dataclass(frozen=True)
class TableMapSpec:
    """The user's choices for a table map; None = automatic."""

    columns: tuple | None = None          # None: every numeric column but the label
    label: str | None = None
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


MISSING_LABELS = frozenset({"", "na", "n/a", "nan", "null", "?", "-"})

MAX_LABEL_KINDS = 50    # a column with more distinct values is an identifier, not a label


def default_label_column(table, numeric) -> str | None:
    """The last text column that looks like a category: 2 to MAX_LABEL_KINDS distinct values
    and at most half as many as rows (the class column is usually last: iris's species, a
    segment); None when no column does (identifiers, free text)."""
    limit = min(MAX_LABEL_KINDS, max(2, table.n_rows // 2))
    for name in reversed(table.columns):
        if name in numeric:
            continue
        # the distinct cells first, then the words of those few: a cell-by-cell lower() cost the
        # window's GUI thread ~1 s on a 1,000,000-row table (tester8 #16); an identifier or free
        # text is known from its first rows
        if len(_label_kinds(table, name, 10_000)) > limit:
            continue
        if 2 <= len(_label_kinds(table, name)) <= limit:
            return name
    return None


def _label_kinds(table, name: str, head: int | None = None) -> set:
    """The distinct present values of text column `name` (of its first `head` rows)."""
    cells = table.cells(name)[:head]
    distinct = set(cells.tolist()) if cells.dtype == object else set(table.strings(name, head))
    return {v for v in distinct if v is not None and v.lower() not in MISSING_LABELS}


# words that name a row (customer_id, CustomerID, uuid): any whole numbers under them are keys
_ID_WORDS = frozenset({"id", "ids", "uuid", "guid", "rowid", "rownum"})
# words that also name measurements (Happiness Index, price_index, uv_idx): keys only when the
# values are distinct whole numbers
_INDEX_WORDS = frozenset({"idx", "index"})
# words of key columns (CustNo, account_nr, order_number, product_code, user_key) -- also of
# measurements (number_of_children), so keys only with distinct whole numbers (tester9 #5)
_KEY_WORDS = frozenset({"no", "nr", "num", "number", "key", "code"})
# what a glued "...id" names (userid, customerid, orderid): "paid", "valid", "fluid" are not keys
_GLUED_ID = re.compile(r"(user|customer|cust|client|order|account|acct|member|person|patient|product|"
                       r"item|session|transaction|txn|record|row|employee|emp|student|movie|article|"
                       r"invoice|ticket|visitor|device|household|subject|participant|case|sample)id")


def _identifier_reason(table, name: str) -> str | None:
    """Why column `name` names rows rather than measuring them, or None.  Only whole numbers
    can be keys (a measurement with fractions never is, whatever its name: tester8 #13), and
      * its name has an identifier word ("id", "customer_id", "CustomerID", "uuid"), or
        "index"/"idx" with every value distinct (row numbers, not a price index's levels); or
      * every value is distinct, in 10 rows or more, and its name has a key word ("CustNo",
        "account_nr", "order_number", "product_code") or a glued one ("userid", "customerid"),
        whatever the numbers' range (keys that start at 100001: tester9 #5); or
      * its values are distinct whole numbers within 0..N, N the file's rows (row numbers
        1..N in any order, a pandas index written to the file; of a sampled table, a sample
        of them) -- in a table of at least 10 rows with no missing cell.  A rank or a day of
        the month over as many rows looks the same: `identifier_warning` says what was left out."""
    v = table.cells(name)
    present = v[np.isfinite(v)]
    if not present.size or not np.all(present == np.round(present)):
        return None
    distinct = np.unique(present).size == present.size
    words = {w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name)}
    if words & _ID_WORDS or (words & _INDEX_WORDS and distinct):
        return "named as an identifier"
    if distinct and len(v) >= 10 and (words & _KEY_WORDS or any(_GLUED_ID.fullmatch(w) for w in words)):
        return "distinct whole numbers named as a key"
    n, total = len(v), max(len(v), int(getattr(table, "n_rows_total", len(v))))
    if n < 10 or table.missing_count(name) or not distinct or v.min() < 0 or v.max() > total:
        return None
    return "distinct whole numbers no larger than the row count, like row numbers"


# {table: {column: _identifier_reason or None}}: default_columns and identifier_warning both ask
# (the CLI's train --table asks twice: np.unique over every numeric column each time); a table's
# cells do not change once read, and the entry goes with the table
_IDENTIFIERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def identifier_columns(table, label: str | None = None) -> dict[str, str]:
    """{column: why it names rows} of the numeric columns of `table` but `label` that look like
    row identifiers (`_identifier_reason`), in column order; each column is judged once per
    table however often this is asked."""
    try:
        known = _IDENTIFIERS.setdefault(table, {})
    except TypeError:                       # a table-like object that takes no weak reference
        known = {}
    out = {}
    for c in table.numeric_columns:
        if c == label:
            continue
        if c not in known:
            known[c] = _identifier_reason(table, c)
        if known[c]:
            out[c] = known[c]
    return out


def identifier_warning(table, label: str | None = None) -> str | None:
    """One sentence naming the columns the default choice leaves out as row identifiers and
    why, with the way to train on them -- or None (tester8 #13: left out without a word)."""
    numeric = [c for c in table.numeric_columns if c != label]
    found = list(identifier_columns(table, label).items())
    if not found or len(found) == len(numeric):       # identifiers alone stay in (default_columns)
        return None
    shown = "; ".join(f"{c!r} ({why})" for c, why in found[:6]) + (" ..." if len(found) > 6 else "")
    return (f"{len(found)} numeric column(s) look like row identifiers and are left out of the training "
            f"columns: {shown}; name them in the columns to train on them (--columns)")


def default_columns(table, label: str | None = None) -> tuple:
    """Every numeric column but the label and row identifiers (`_identifier_reason`: an "id"
    column or row numbers would put each row in a place of its own) -- the `train --table`
    default; identifiers stay in when they are the only numeric columns (`identifier_warning`
    names those left out).

    OptionError when a column of numbers holds an infinite value: left out silently, the
    user's column would vanish from the map with no word said.
    """
    numeric = tuple(c for c in table.numeric_columns if c != label)
    ids = identifier_columns(table, label)
    cols = tuple(c for c in numeric if c not in ids) or numeric
    in_numeric = set(numeric)           # a tuple here made 10,000 columns cost 1 s (tester2 C1)
    for c in table.columns:
        problem = table.problem(c) if c not in in_numeric and c != label else None
        if problem and problem.endswith("(an infinite value)"):
            raise OptionError(f"{table.name}: {problem}; fix the file, read it as missing "
                              f"(--missing-values inf,-inf) or leave the column out (--columns)")
    if not cols:
        # a table of categories: they train when chosen (one-hot), so say how (tester6 F34) --
        # unless the way the file was read made its numbers text (tester10 #17)
        texts = [c for c in table.columns if c != label and table.kind(c) in ("categorical", "boolean", "text")]
        hint = read_option_hint(table, texts)
        if hint is None:
            listed = ",".join(f'"{t}"' if "," in t or '"' in t else t for t in texts[:4])
            hint = f"; its text columns are one-hot encoded when chosen, e.g. --columns {listed}" if texts else ""
        besides = " (besides the label)" if label else ""
        raise OptionError(f"{table.name}: no numeric column to train on{besides}{hint}")
    return cols


_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def read_option_hint(table, texts, probe: int = 50) -> str | None:
    """'; ...' saying how the read made numbers text, or None when the text columns are words:
    one column whose name holds another delimiter (the delimiter is wrong), cells that are
    numbers with a decimal point under a decimal comma, or a header-less read whose first row
    alone is not a number (the header was read as data).  `texts`: the text columns' names;
    `probe`: how many cells of each are looked at."""
    d = table.dialect
    delim = d.get("delimiter")
    if delim is not None and len(table.columns) == 1:
        c = table.columns[0]
        other = next((x for x in (",", ";", "\t", "|") if x != delim and x in c), None)
        if other is not None:
            return (f"; with the delimiter {delim!r} the file has one column ({c[:60]!r}), which holds "
                    f"{other!r}: is the delimiter right?")
    dec = d.get("decimal", ".")
    for c in texts:
        cells = [x for x in table.strings(c, probe) if x]
        if not cells:
            continue
        if dec != "." and all(_NUMBER.fullmatch(x) for x in cells):
            return f"; column {c!r} holds {cells[0]!r}, not a number with the decimal separator {dec!r}"
        if (d.get("header") is False and len(cells) > 1 and not _NUMBER.fullmatch(cells[0])
                and all(_NUMBER.fullmatch(x.replace(dec, ".")) for x in cells[1:])):
            return (f"; the first row holds {cells[0]!r} in column {c!r}, the rest numbers: is the first "
                    "line a header?")
    return None


def spoiled_columns(table, label: str | None = None) -> list[str]:
    """Messages for the columns the default choice leaves out although they hold numbers
    but for some cells (problem() names the first: "column 'y' is not numeric: line 2000002
    has 'zzz'"): one stray word must not drop a column without a word said."""
    return [f"{table.problem(c)}; it is left out of the training columns"
            for c in table.columns if c != label and table.spoiled(c)]


def topology(spec: TableMapSpec) -> str:
    """The canonical topology of `spec` ("rectangular" or "hexagonal", with core.options' aliases
    such as "hex", as the colour `train` takes them); OptionError naming the choices."""
    from somdesk.core.options import TOPOLOGIES, choose

    return choose(spec.topology, TOPOLOGIES, "topology")


def _check_spec(spec: TableMapSpec) -> None:
    """OptionError for sizes that are not whole numbers from 1, a topology that is not one of
    core.options.TOPOLOGIES (tester8 #7: anything but "hex..." trained a rectangular map without
    a word), and weights outside the window's range (session.table_checks.check_weights)."""
    topology(spec)
    for name in ("height", "width", "epochs", "clusters"):
        v = getattr(spec, name)
        if v is not None and (isinstance(v, bool) or int(v) != v or int(v) < 1):
            raise OptionError(f"{name} must be a whole number from 1, got {v!r}")
    check_weights(spec.weights)


def prepare_for(table, spec: TableMapSpec) -> Prepared:
    """The prepared rows `train_table_map` trains on for `spec` (the Setup tab's "auto" size is
    measured on the same, session.table_size); raises as prepare_table."""
    columns = spec.columns
    if columns is None:
        # the default columns, plus any column named categorical or passive: naming it says
        # the user wants it (tester5 F4: `--categorical city` alone was dropped without a word)
        columns = default_columns(table, spec.label)
        columns += tuple(c for c in (*spec.categorical, *spec.passive) if c not in columns and c != spec.label)
    return prepare_table(table, columns, spec.label, spec.normalise, spec.missing, weights=spec.weights,
                         passive=spec.passive, categorical=spec.categorical, group_weight=spec.group_weight)


def train_table_map(table, spec: TableMapSpec = TableMapSpec(), cancel=None, progress=None,
                    prepared: Prepared | None = None, resume: TableMap | None = None,
                    keep_partial: bool = False, stage=None,
                    measure_stopped: bool = True) -> tuple[TableMap, Prepared]:
    """Prepare, train, cluster (see module docstring).  `progress(done, total)` after each epoch;
    `stage(text)` as the measuring and the segmenting after the epochs start.

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
    _check_spec(spec)
    prep = prepared or prepare_for(table, spec)
    refuse_constant(prep.recipe, constant_in_rows(prep.data, prep.recipe), getattr(table, "name", "table"))
    hexagonal = topology(spec) == "hexagonal"
    x = prep.data
    filled = filled_rows(prep)
    h, w, epochs = auto_size(filled, len(x), spec)      # the Setup tab's "auto" is the same call
    config = SOMConfig(width=w, height=h, iterations=epochs, mode="batch", init="pca",
                       sigma=sigma_start(h, w), topology="hexagonal" if hexagonal else "rectangular",
                       decay="classic", seed=int(spec.seed))
    start, w_start = 0, None
    if resume is not None and not resume.finished and resume.config == config \
            and _same_recipe(resume.recipe, prep.recipe):
        start, w_start = int(resume.epochs_done), resume.codebook
    codebook, done = _train(x, config, cancel, progress, start, w_start, keep_partial)
    nan = float("nan")
    tm = TableMap(recipe=prep.recipe, config=config, codebook=codebook, passive=None,
                  label_column=spec.label, clusters=None, cluster_method=spec.cluster_method,
                  outlier_threshold=nan, quantization_error=nan, topographic_error=nan, inputs=filled,
                  row_index=prep.row_index, source=getattr(table, "name", None),
                  source_path=getattr(table, "path", None),
                  read_options=options_to_dict(getattr(table, "options", None)),
                  number_format=number_format_of(table), epochs_done=None if done >= epochs else done)
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
        stage(f"measuring the map on {len(x):,} rows")
    idx, d2 = masked_bmus(codebook, x, cancel)
    dist = np.sqrt(d2)
    # the outlier threshold from distances of the kind scoring reports (assign_cells): with
    # missing="train" rows with holes are measured over what is known, scaled (row_distances);
    # the mean/median modes' rows are filled, in training and in scoring alike.  The
    # quantization error stays the SOM's own.
    scored = row_distances(prep.recipe, codebook, x, idx, d2)
    q1, q3 = np.percentile(scored[np.isfinite(scored)], [25, 75]) if np.isfinite(scored).any() else (0.0, 0.0)
    passive = None
    if (~prep.recipe.active).any():
        passive = passive_planes(idx, prep.raw[:, ~prep.recipe.active], h, w, 1.0, hexagonal)
    te = topographic_error(codebook, tm.inputs, hexagonal, False, cancel)
    tm = replace(tm, passive=passive, outlier_threshold=float(q3 + 3 * (q3 - q1)),
                 quantization_error=float(dist.mean()), topographic_error=float(te))
    cancel_mod.check(cancel)
    if stage is not None:
        stage("finding segments")
    seg = cluster_nodes(codebook, clusters, tm.cluster_method, tm.config.topology,
                        hits=np.bincount(idx, minlength=h * w), cancel=cancel)
    tm.clusters, tm.curve = seg.labels, seg.curve
    return tm


END_RADIUS = 1.25   # batch radius at the last epoch; why 1.25 and not 1: see docs/tables.md


def _same_recipe(a: Recipe, b: Recipe) -> bool:
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


def placing_columns(recipe) -> list[str]:
    """The columns that place rows on the map (a feature of weight > 0), in the recipe's order:
    the ones scoring needs.  Passive columns (weight 0) are only shown on the map, so new data
    may lack them or leave them empty (tester8 #1: the typical passive column, churned or next
    quarter's revenue, is the one new rows do not have yet)."""
    used = set(np.asarray(recipe.feature_column)[recipe.active].tolist())
    return [c for j, c in enumerate(recipe.columns) if j in used]


def _placing_cells(recipe, cells: dict) -> dict:
    """`cells` with every passive column (absent, empty or not) as missing cells (NaN, or ""
    for text): they never reach the BMU search, so their values do not matter; an absent
    placing column stays absent (Recipe.transform names it)."""
    placing = set(placing_columns(recipe))
    n = len(next(iter(cells.values()))) if cells else 0
    out = {c: v for c, v in cells.items() if c in placing}
    for c, kind in zip(recipe.columns, recipe.kinds):
        if c not in placing:
            out[c] = np.full(n, np.nan) if kind == "numeric" else np.full(n, "", dtype=object)
    return out


def present_columns(recipe, observed: np.ndarray) -> np.ndarray:
    """(N,) int64: how many placing columns each row of `observed` (N, A) active features (NaN
    missing) has a value in.  A text column's one-hot features are all present or all missing
    (an unseen category is all zeros), so each of its m features counts 1/m."""
    col = np.asarray(recipe.feature_column)[recipe.active]
    share = 1.0 / np.bincount(col)[col]
    return np.rint((~np.isnan(observed)) @ share).astype(np.int64)


def row_distances(recipe, codebook: np.ndarray, observed: np.ndarray, idx: np.ndarray, d2: np.ndarray) -> np.ndarray:
    """(N,) distance of each row to its BMU `idx` (flat), comparable across rows (tester8 #3).

    `observed` (N, A) are the rows' active features times sqrt(weight) with NaN where missing
    (before any fill), `d2` (N,) the squared distances the BMU search gave.  A complete row's
    distance is sqrt(d2).  A row with missing values is measured over its present features
    only, and the squared sum is scaled by (total weight) / (present weight).  The missing
    features are taken to differ as much, per unit of weight, as the present ones do.  So a
    row known in one column of five is not the best fit in the file for a distance summed
    over fewer terms (assign_cells uses it in the drop and train modes; the mean and median
    modes measure the filled row).  This is the SOM Toolbox's masked distance,
    normalised by the share of the mask that is known.  A row with no present value gets NaN.
    """
    fw = np.asarray(recipe.feature_weight)[recipe.active]
    miss = np.isnan(observed)
    part = np.flatnonzero(miss.any(axis=1))
    dist = np.sqrt(np.asarray(d2, dtype=np.float64))
    if not part.size:
        return dist
    flat = np.asarray(codebook, dtype=np.float64).reshape(-1, observed.shape[1])
    step = max(1, 4_000_000 // max(1, observed.shape[1]))     # bounded (rows, A) temporaries
    for lo in range(0, part.size, step):
        rows = part[lo:lo + step]
        ob, have = observed[rows], ~miss[rows]
        diff = np.where(have, ob - flat[idx[rows]], 0.0)
        weight = have @ fw
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            scaled = (diff * diff).sum(axis=1) * (fw.sum() / weight)
        dist[rows] = np.where(weight > 0, np.sqrt(scaled), np.nan)
    return dist


def assign_cells(tm: TableMap, cells: dict, cancel=None) -> dict:
    """Per row of `cells` (column -> (N,) array): {"bmu_row", "bmu_col", "segment", "distance",
    "outlier", "present"} arrays (`present`: placing columns with a value, `present_columns`).
    `distance`: in the drop and train modes `row_distances` (over what is known, scaled); in the
    mean/median modes the filled row's, the kind their outlier threshold was measured with
    (review8).  A row with no present placing value gets -1 / NaN / True in every
    missing-value mode: the mean and median modes no longer place an empty row as a typical one
    (tester8 #3).  `cells` need only the placing columns (placing_columns); passive ones are not
    read.  FileFormatError (Recipe.transform) for an absent placing column or a numeric one
    that is not numbers."""
    r = tm.recipe
    x = r.transform(_placing_cells(r, cells))
    observed = r.training_matrix(x)
    t = r.training_matrix(r.fill_missing(x)) if r.missing in ("mean", "median") else observed
    h, w = tm.codebook.shape[:2]
    idx, d2 = masked_bmus(tm.codebook, t, cancel)
    present = present_columns(r, observed)
    # the distance of the kind the outlier threshold was measured with: the filled row's in the
    # mean/median modes (their training rows are filled), else over what is known, scaled
    filled = r.missing in ("mean", "median")
    dist = np.sqrt(d2) if filled else row_distances(r, tm.codebook, observed, idx, d2)
    none = (present == 0) | ~np.isfinite(dist)
    row, col = np.divmod(idx, w)
    seg = tm.clusters.reshape(-1)[idx] if tm.clusters is not None else np.full(len(idx), -1)
    return {"bmu_row": np.where(none, -1, row), "bmu_col": np.where(none, -1, col),
            "segment": np.where(none, -1, seg).astype(np.int64), "distance": np.where(none, np.nan, dist),
            "outlier": none | (dist > tm.outlier_threshold), "present": present}


def check_columns(tm: TableMap, table, scoring: bool = False) -> None:
    """FileFormatError naming columns the map needs but `table` lacks, or numeric ones that
    are not numbers.  The map's own table needs every column (its passive ones are shown);
    `scoring` new rows needs only the placing columns (placing_columns)."""
    from somdesk.errors import FileFormatError

    placing = placing_columns(tm.recipe) if scoring else list(tm.recipe.columns)
    missing = [c for c in placing if c not in table.columns]
    if missing:
        def names(cols):
            return ", ".join(map(repr, cols[:6])) + (f" and {len(cols) - 6} more" if len(cols) > 6 else "")
        raise FileFormatError(f"{table.name} has no column(s) {names(missing)} that the map was trained on "
                              f"(its columns: {names(list(table.columns))})")
    try:
        table.check_numeric([c for c, kind in zip(tm.recipe.columns, tm.recipe.kinds)
                             if kind == "numeric" and c in placing])
    except FileFormatError as exc:
        nf = tm.number_format if scoring else None
        if not nf or (table.dialect or {}).get("decimal") != nf["decimal"]:
            raise
        groups = f"digit groups {nf['thousands']!r}" if nf["thousands"] else "no digit groups"
        raise FileFormatError(f"{exc} (read with the number format of the map's own table: decimal "
                              f"{nf['decimal']!r}, {groups}; a file that writes numbers differently needs "
                              "its own decimal and thousands separators)") from None


def assign_table(tm: TableMap, table, cancel=None, block_rows: int = 100_000, tally=None):
    """Generator of (row_index, assignment dict) for EVERY row of `table`, in blocks (see
    assign_cells).  The placing columns are checked (check_columns) before the first block is
    asked for.  `tally` (session.unseen.UnseenTally) counts the categories the map never saw."""
    check_columns(tm, table, scoring=True)
    return _assign_blocks(tm, table, cancel, block_rows, tally)


def _assign_blocks(tm, table, cancel, block_rows, tally):
    placing = placing_columns(tm.recipe)        # passive columns are not read (assign_cells)
    for rows, block in table.iter_blocks(placing, block_rows, cancel):
        cells = _recipe_cells(tm.recipe, block.__getitem__, placing)
        if tally is not None:
            tally.add(tm.recipe, cells)
        yield rows, assign_cells(tm, cells, cancel)


def row_cells(tm: TableMap, table, placing_only: bool = False) -> dict:
    """The recipe's columns of the rows in memory of `table` as assign_cells takes them: column ->
    (N,) array, numbers for a numeric column, texts ("" = missing) for a category column.
    `placing_only`: the placing columns only (placing_columns; what the BMU search reads), else
    the passive ones too (profiles show them).  OptionError (Table.cells) for a column the
    table lacks."""
    return _recipe_cells(tm.recipe, table.cells, placing_columns(tm.recipe) if placing_only else None)


def _recipe_cells(recipe, get, only=None) -> dict:
    """{column: get(column)} over the recipe's columns (those in `only`, None: all), category
    columns as the texts Table.strings gives (_texts): the one encoding of cells for a recipe."""
    keep = None if only is None else set(only)
    return {c: (get(c) if k == "numeric" else _texts(get(c)))
            for c, k in zip(recipe.columns, recipe.kinds) if keep is None or c in keep}


def _texts(values: np.ndarray) -> np.ndarray:
    """Cells as the texts Table.strings gives ("" for missing, 7.0 -> "7")."""
    from somdesk.io.tables.table import _num_text

    if values.dtype == np.float64:
        return np.array(["" if np.isnan(v) else _num_text(v) for v in values.tolist()], dtype=object)
    return np.array(["" if v is None else str(v) for v in values.tolist()], dtype=object)


def rows_in_nodes(assignment: dict, selected) -> np.ndarray:
    """(N,) bool: the rows of `assignment` (assign_cells output) whose BMU is a selected node.

    `selected` is an (H, W) bool array (nodes clicked or dragged over, or `clusters == s`
    for segment s).  For the window's select -> rows -> export."""
    sel = np.asarray(selected, dtype=bool)
    r, c = np.asarray(assignment["bmu_row"]), np.asarray(assignment["bmu_col"])
    ok = (r >= 0) & (c >= 0)
    out = np.zeros(len(r), dtype=bool)
    out[ok] = sel[r[ok], c[ok]]
    return out


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
