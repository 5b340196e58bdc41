"""Rows placed on a trained table map: the one assignment rule of training rows and new data.

    a = assign_cells(tm, cells)      # {"bmu_row", "bmu_col", "segment", "distance", "outlier", "present", "few"}
    for rows, a in assign_table(tm, table): ...        # every row of a table, in blocks

The fitted recipe turns the cells into features, the BMU is searched over present active
features (core.masked_som.masked_bmus), the distance is comparable across rows (`row_distances`),
and a row is an outlier when it lies beyond the map's threshold, has no placing value, or is
known in too little of the placing weight (`few_values`, tester9 #7).  Only the placing columns
are read (`placing_columns`).  Split from session.table_data; import these names from here.
"""
from __future__ import annotations

import numpy as np

from somdesk.core.masked_som import masked_bmus
from somdesk.core.options import count_text
from somdesk.errors import FileFormatError

__all__ = ["assign_cells", "assign_table", "row_cells", "check_columns", "placing_columns", "present_columns",
           "row_distances", "outlier_threshold", "rows_spread", "rows_in_nodes", "few_values",
           "few_values_warning", "min_present_of", "MIN_PRESENT_SHARE", "NotNumbers", "blank_columns",
           "blank_columns_warning", "blank_warning", "valued_columns"]


# a row known in less than this share of what the training rows were typically known in (by the
# placing weight) is flagged as an outlier: its place rests on too few values (tester9 #7)
MIN_PRESENT_SHARE = 0.5


def min_present_of(shares) -> float:
    """The `TableMap.min_present` of training rows known in `shares` (N,) of the placing weight
    (Recipe.present_share): MIN_PRESENT_SHARE of their median -- half the weight for a complete
    table, less for a ratings table whose rows are sparse by nature (a user rates a few items)."""
    shares = np.asarray(shares, dtype=np.float64)
    return float(MIN_PRESENT_SHARE * np.median(shares)) if shares.size else MIN_PRESENT_SHARE


def few_values(tm, shares) -> np.ndarray:
    """(N,) bool: rows known in `shares` (Recipe.present_share) of the placing weight, some but less
    than the map's `min_present` (tester9 #7: a row known in 1 column of 5 fits its BMU, chosen on
    that one value, best of all, and came out as the file's best fit).  Their distance cannot be
    trusted, so `assign_cells` flags them as outliers (their BMU and segment stay: the best guess).
    A map saved without `min_present` (before 2026-12-01) flags none, as before: its training rows'
    share cannot be recovered (the saved rows are filled), and half of the whole weight flagged 96 %
    of an old ratings map's rows (review10 #1); trained again, it gets the rule."""
    shares = np.asarray(shares, dtype=np.float64)
    limit = getattr(tm, "min_present", None)
    if limit is None:
        return np.zeros(shares.shape, dtype=bool)
    return (shares > 0) & (shares < limit - 1e-9)       # a half-known row is not below half


def few_values_warning(tm, name: str, rows: int) -> str | None:
    """One sentence for `rows` rows of `name` flagged by `few_values`, or None for none."""
    if not rows:
        return None
    limit = tm.min_present if getattr(tm, "min_present", None) is not None else MIN_PRESENT_SHARE
    one = rows == 1
    return (f"{name}: {count_text(rows, 'row')} {'has' if one else 'have'} values in less than {limit:.0%} "
            f"of the map's placing columns (by weight) and {'is' if one else 'are'} flagged as {'an outlier' if one else 'outliers'}"
            f": {'its' if one else 'their'} place and distance rest on too few values (the "
            "`present` column counts the columns)")


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


def rows_spread(observed: np.ndarray) -> float:
    """The spread of rows `observed` (N, A) (active features times sqrt(weight), NaN where
    missing): the root mean square distance of a row from the rows' mean row,
    sqrt(sum over features of the variance of its present values), in the units of
    `row_distances`.  A feature with no present value adds 0; no row gives 0.0.  For z-scored
    features of weight 1 it is sqrt(A)."""
    x = np.asarray(observed, dtype=np.float64)
    if x.ndim != 2 or not x.size:
        return 0.0
    have = ~np.isnan(x)
    n = have.sum(axis=0)
    safe = np.where(have, x, 0.0)
    mean = safe.sum(axis=0) / np.maximum(n, 1)
    var = (np.where(have, safe - mean, 0.0) ** 2).sum(axis=0) / np.maximum(n, 1)
    total = float(var.sum())
    return float(np.sqrt(total)) if np.isfinite(total) else 0.0


def outlier_threshold(distances: np.ndarray, observed: np.ndarray) -> float:
    """The outlier threshold of a map measured on its training rows: Tukey's "far out" fence,
    Q3 + 3 IQR of the rows' `distances` (N,) (`row_distances`; NaN ignored), but never below
    the rows' spread (`rows_spread` of `observed` (N, A)), in the same units.

    Why the floor (tester F #6): when most rows sit on or near a node -- a map of as many
    nodes as rows, evenly spaced data -- the quartiles are near 0 and the fence with them,
    and the rows at a regular ramp's ends (the map's edge nodes are pulled inward, a SOM's
    border effect) were flagged: 6 of 40 perfectly regular rows.  A row is an outlier only
    when it is farther from its node than the rows are, on average, from their mean row (on
    regular data the farthest row measured was 0.85 of that spread; a row set apart from a
    ramp or a grid 1.07 to 2.7).  Returns 0.0 when no distance is finite."""
    d = np.asarray(distances, dtype=np.float64)
    d = d[np.isfinite(d)]
    if not d.size:
        return 0.0
    q1, q3 = np.percentile(d, [25, 75])
    return float(max(q3 + 3 * (q3 - q1), rows_spread(observed)))


def assign_cells(tm: TableMap, cells: dict, cancel=None) -> dict:
    """Per row of `cells` (column -> (N,) array): {"bmu_row", "bmu_col", "segment", "distance",
    "outlier", "present", "few"} arrays (`present`: placing columns with a value, `present_columns`;
    `few`: rows known in too little of the placing weight, `few_values`, flagged as outliers).
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
    few = few_values(tm, r.present_share(x)) & ~none
    row, col = np.divmod(idx, w)
    seg = tm.clusters.reshape(-1)[idx] if tm.clusters is not None else np.full(len(idx), -1)
    return {"bmu_row": np.where(none, -1, row), "bmu_col": np.where(none, -1, col),
            "segment": np.where(none, -1, seg).astype(np.int64), "distance": np.where(none, np.nan, dist),
            "outlier": none | few | (dist > tm.outlier_threshold), "present": present, "few": few}


class NotNumbers(FileFormatError):
    """New data's placing numeric column holds a cell that is not a number (testerG #8).

    `problem`: the sentence naming the first such cell (Table.problem); `cells`: (column, text)
    of the first such cell of each such column (texts that look like a number written another
    way left out: they want other decimal and thousands separators); `texts`: their texts, once
    each.  The message says they can be read as missing values without naming a tool: the CLI
    names `--also-missing` or `--missing-values`, the window its Score new data Missing values field (`advice`)."""

    def __init__(self, problem: str, cells: list):
        self.problem, self.cells = problem, list(cells)
        self.texts = tuple(dict.fromkeys(t for _, t in self.cells))
        super().__init__(self.advice(f"read {'it' if len(self.texts) == 1 else 'them'} as missing values"))

    def advice(self, way: str) -> str:
        """The message, with `way` ("give --also-missing x") to read the texts as missing values."""
        more = "; ".join(f"column {c!r} has {t!r}" for c, t in self.cells[1:4])
        more = f" (and {more}{' ...' if len(self.cells) > 4 else ''})" if more else ""
        one = len(self.texts) == 1
        return (f"{self.problem}{more}; if {'that text means' if one else 'those texts mean'} 'no value', {way}: "
                "the rows are then scored with those cells missing, as a blank one is")


def blank_columns(tm: TableMap, table) -> list[str]:
    """The placing columns of `table` with no value in any row (kind "empty"): scored as a cell
    missing in every row, as each map's missing-value handling scores one (testerG #2: such a
    file was refused while the same rows scored when one row had a value)."""
    placing = placing_columns(tm.recipe)
    return [c for c in placing if c in table.columns and table.kind(c) == "empty"]


def blank_columns_warning(tm: TableMap, table) -> str | None:
    """One sentence naming `blank_columns`, or None for none."""
    return blank_warning(table.name, blank_columns(tm, table))


def valued_columns(cells: dict) -> set:
    """The columns of `cells` (assign_cells' input: column -> (N,) numbers, NaN missing, or texts,
    "" missing) with a value in some row: scoring in chunks finds `blank_columns` by them."""
    def has(v):
        v = np.asarray(v)
        return bool((~np.isnan(v)).any()) if v.dtype == np.float64 else bool((v != "").any())
    return {c for c, v in cells.items() if has(v)}


def blank_warning(name: str, blank) -> str | None:
    """The sentence of `blank_columns_warning` for file `name` and columns `blank`, or None."""
    blank = list(blank)
    if not blank:
        return None
    one = len(blank) == 1
    return (f"{name}: {'column' if one else 'columns'} {', '.join(map(repr, blank))} "
            f"{'has' if one else 'have'} no values (every cell is missing): scored as missing in every row, as "
            "a blank cell is (the `present` column counts the columns with a value)")


def check_columns(tm: TableMap, table, scoring: bool = False) -> None:
    """FileFormatError naming columns the map needs but `table` lacks, or numeric ones that
    are not numbers.  The map's own table needs every column (its passive ones are shown);
    `scoring` new rows needs only the placing columns (placing_columns), and a column with no
    value in any row is scored as missing (blank_columns).  Scoring, a column of texts that are
    not numbers raises NotNumbers (the way forward: read them as missing values); one whose
    text looks like a number written another way names the map's number format."""
    from somdesk.io.tables.table import looks_like_number

    placing = placing_columns(tm.recipe) if scoring else list(tm.recipe.columns)
    missing = [c for c in placing if c not in table.columns]
    if missing:
        def names(cols):
            return ", ".join(map(repr, cols[:6])) + (f" and {len(cols) - 6} more" if len(cols) > 6 else "")
        from somdesk.io.tables.table import near_names_hint
        hint = near_names_hint(missing, table.columns, used=tm.recipe.columns)     # renames from unused columns
        raise FileFormatError(f"{table.name} has no column(s) {names(missing)} that the map was trained on "
                              f"(its columns: {names(list(table.columns))}){hint}")
    numeric = [c for c in tm.recipe.numeric_columns if c in placing]
    if scoring:
        blank = set(blank_columns(tm, table))
        numeric = [c for c in numeric if c not in blank]
    try:
        table.check_numeric(numeric)
    except FileFormatError as exc:
        if not scoring:
            raise
        first = next(c for c in numeric if table.problem(c) is not None)
        text = table.bad_text(first)
        if text is not None and not looks_like_number(text):
            cells = [(c, table.bad_text(c)) for c in numeric if table.problem(c) is not None]
            raise NotNumbers(str(exc), [(c, t) for c, t in cells if t is not None and not looks_like_number(t)]) from None
        nf = tm.number_format
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
    return {c: (_numbers(get(c)) if k == "numeric" else _texts(get(c)))
            for c, k in zip(recipe.columns, recipe.kinds) if keep is None or c in keep}


def _numbers(values: np.ndarray) -> np.ndarray:
    """A numeric recipe column's cells as float64: a column with no value in any row is held as
    texts (None) by the reader; it is a column of missing cells (blank_columns)."""
    if values.dtype == np.float64:
        return values
    if all(v is None for v in values.tolist()):
        return np.full(len(values), np.nan)
    return values               # not numbers: Recipe.transform names the column


def _texts(values: np.ndarray) -> np.ndarray:
    """Cells as the texts Table.strings gives ("" for missing, 7.0 -> "7")."""
    from somdesk.io.tables.table import num_text

    if values.dtype == np.float64:
        return np.array(["" if np.isnan(v) else num_text(v) for v in values.tolist()], dtype=object)
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
