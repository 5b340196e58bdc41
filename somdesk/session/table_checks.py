"""Choices and data a table map cannot be trained on, refused before training with one message
(in memory: session.table_data; out of core: session.outofcore_table; the CLI and the window).

    check_weights({"age": 2.0})                        # OptionError outside 0 or 0.01..100
    refuse_constant(recipe, constant_in_rows(x, recipe), "t.csv")

* Weights: 0 (passive) or WEIGHT_RANGE, the window's weight box.  An absurd weight (1e308)
  trained and then failed with "values beyond +-1e150" after leaked numpy warnings
  (tester6 F38).
* Constant columns: when EVERY active column holds one value in every row (missing cells left
  out; a text column with one category) the map would be of identical rows and its
  "suggested" segments of them mislead (tester6 F45): refused, naming the columns.  Some
  constant columns among varying ones only warn (core.preparation): they add nothing but
  are what the user chose.  One row holds one value in every column: refused the same way
  (tester10 #4: a 1-row table trained, exit 0, into a .somz that reopening refused as damaged,
  its scales all 0); no rows at all are refused elsewhere.
* Too few rows: a map needs MIN_ROWS (3) rows to train on (`refuse_few_rows`).  Two rows
  trained a map of all-zero weights, its segments' silhouettes all undefined, without a word
  (testerC #10): with two rows each column's z-score is -1 or +1, the map is a line between two
  points and no segmentation measure exists.  Refused after the constant check (one row keeps
  its message).
"""
from __future__ import annotations

import warnings

import numpy as np

from somdesk.core.options import count_text
from somdesk.errors import OptionError

__all__ = ["WEIGHT_RANGE", "MIN_ROWS", "check_weights", "constant_in_rows", "refuse_constant", "refuse_few_rows",
           "check_clusters", "CLUSTERS_SUBJECT"]

CLUSTERS_SUBJECT = "clusters (the number of segments)"

MIN_ROWS = 3        # the fewest rows a table map trains on (module docstring)

WEIGHT_RANGE = (0.01, 100.0)     # the window's weight box; 0 is passive


def check_weights(weights) -> None:
    """OptionError naming the first weight of `weights` ({column: number}) that is not 0 or in
    WEIGHT_RANGE."""
    lo, hi = WEIGHT_RANGE
    for c, v in (weights or {}).items():
        try:
            v = float(v)
        except (TypeError, ValueError):
            raise OptionError(f"the weight of {c!r} must be a number, got {v!r}") from None
        if not (v == 0 or lo <= v <= hi):
            raise OptionError(f"the weight of {c!r} must be 0 (passive) or from {lo:g} to {hi:g}, got {v:g}")


def constant_in_rows(x: np.ndarray, recipe) -> set | None:
    """The active columns of `recipe` whose features hold one value over the rows of `x`
    ((N, A) training matrix, NaN missing): all of them for one row; None for no rows."""
    if len(x) == 0:
        return None
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)     # an all-missing feature: nanmax of nothing
        flat = ~(np.nanmax(x, axis=0) > np.nanmin(x, axis=0)) if x.size else np.ones(x.shape[1], bool)
    feat_col = recipe.feature_column[recipe.active]
    return {recipe.columns[j] for j in np.unique(feat_col) if flat[feat_col == j].all()}


def refuse_constant(recipe, constant, name: str, rows: int | None = None, total: int | None = None) -> None:
    """OptionError when every active column of `recipe` is in `constant` (see module docstring);
    `constant` None: nothing to say.  `rows` 1 (the rows trained on) is named in the message,
    with `total` (the rows before those with a missing value were dropped) when more: the file
    did not have 1 row, dropping left 1 (review10 #8)."""
    if constant is None:
        return
    active = list(dict.fromkeys(recipe.columns[j] for j in recipe.feature_column[recipe.active]))
    if active and all(c in constant for c in active):
        shown = ", ".join(map(repr, active[:8])) + (f" and {len(active) - 8} more" if len(active) > 8 else "")
        one = ("" if rows != 1 else "it has 1 row, so " if not total or total <= 1 else
               f"dropping the rows with a missing value (missing: drop) left 1 of {count_text(total, 'row')}, so ")
        raise OptionError(f"{name}: {one}every column chosen to train on has one value in every row ({shown}): "
                          "there is nothing to learn; choose columns whose values vary"
                          + ("" if rows != 1 else " and a table of more rows" if not total or total <= 1
                             else ", or fill the missing values instead of dropping rows (missing: mean, median "
                                  "or train)"))


def refuse_few_rows(name: str, rows: int, total: int | None = None) -> None:
    """OptionError when `rows` (the rows trained on) is from 1 to MIN_ROWS - 1; `total` (the rows
    before those with a missing value were dropped) named when more.  0 rows are refused
    elsewhere ("every row has a missing value")."""
    if not 0 < rows < MIN_ROWS:
        return
    if total and total > rows:
        raise OptionError(f"{name}: dropping the rows with a missing value (missing: drop) left "
                          f"{rows:,} of {count_text(total, 'row')}; a map needs at least "
                          f"{count_text(MIN_ROWS, 'row')} to train on: fill the missing values instead (missing: mean, median "
                          "or train), or choose other columns")
    raise OptionError(f"{name}: it has {count_text(rows, 'row')}; a map needs at least {count_text(MIN_ROWS, 'row')} to "
                      "train on (with fewer it cannot organise or segment them): add rows")


def check_clusters(k: int | None, height: int, width: int) -> None:
    """OptionError (field "clusters", subject CLUSTERS_SUBJECT: the CLI words it as --clusters)
    when `k` segments cannot be made of a `height` x `width` map's nodes; None: suggested.
    Called as soon as the map's size is known, before training (testerC: `--clusters 5000` was
    refused by the segmentation after 4.5 minutes of training)."""
    n = int(height) * int(width)
    if k is not None and not 1 <= int(k) <= n:
        raise OptionError(f"{CLUSTERS_SUBJECT} must be from 1 to the {count_text(n, 'node')} of the "
                          f"{height} x {width} map, got {k}", field="clusters", subject=CLUSTERS_SUBJECT)
