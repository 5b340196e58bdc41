"""A saved table map's description checked field by field before anything uses it (tester9 #1).

    problem = recipe_problem(recipe)        # None, or what is wrong, in words
    problem = map_problem(tm, info)         # the rest of meta.json's table_map against the arrays

A .somz is a ZIP anyone can edit, and a damaged one must be refused with one message
naming the file (scoring.load_table_map raises FileFormatError with it), never crash in
the preparation (a feature naming column 99: IndexError; a numeric column called
categorical: KeyError) nor score every row onto one node (every scale 0 or NaN).  Each
check is what `core.preparation.fit_recipe` guarantees of the recipes it makes, so no map
somdesk wrote is refused.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["recipe_problem", "map_problem", "cluster_method_of"]

KINDS = ("numeric", "categorical")


def recipe_problem(r) -> str | None:
    """What makes the preparation `r` (core.preparation.Recipe read from a file) unusable, or None.

    Checked: the columns are distinct names with a known kind each; normalisation and
    missing-value policy are known; every feature names a column that exists, one per numeric
    column and one per category of a category column, named "column" or "column=category";
    categories are given for exactly the category columns, distinct and not empty; every
    offset, scale, fill and weight is a finite number, scales and weights not negative,
    one-hot features have offset 0 and scale 1; the features' weights are the columns'
    weights (a category's: the column's x group weight / categories); at least one active
    feature varies (a scale above 0, or a category)."""
    cols, kinds, f = list(r.columns), list(r.kinds), len(r.features)
    if not (len(r.offset) == len(r.scale) == len(r.fill) == len(r.feature_column) == len(r.feature_weight) == f):
        return "feature counts differ"
    if not cols or not all(isinstance(c, str) for c in cols) or len(set(cols)) != len(cols):
        return "the columns are not distinct names"
    if len(kinds) != len(cols) or any(k not in KINDS for k in kinds):
        return f"each column's kind must be one of {', '.join(KINDS)}"
    from somdesk.core.preparation import MISSING_POLICIES, NORMALISATIONS
    if r.normalise not in NORMALISATIONS:
        return f"unknown normalisation {r.normalise!r}"
    if r.missing not in MISSING_POLICIES:
        return f"unknown missing-value policy {r.missing!r}"
    cat_cols = {c for c, k in zip(cols, kinds) if k == "categorical"}
    if set(r.categories) != cat_cols:
        return "categories are not given for exactly the category columns"
    for c, cats in r.categories.items():
        if not isinstance(cats, (list, tuple)) or not cats or "" in cats or len(set(cats)) != len(cats):
            return f"the categories of {c!r} are not distinct texts"
    fc = np.asarray(r.feature_column)
    if f and (fc.min() < 0 or fc.max() >= len(cols)):
        return "a feature names a column that does not exist"
    names = _feature_names(cols, kinds, r.categories, fc)
    if names is None or list(r.features) != names:
        return "the features do not match the columns, their kinds and categories"
    numbers = np.concatenate([r.offset, r.scale, r.fill, r.feature_weight])
    weights = list(r.weights.values())
    if not np.isfinite(numbers).all() or not all(math.isfinite(w) for w in weights) or \
            not math.isfinite(r.group_weight):
        return "a number is not finite"
    if (r.scale < 0).any() or (r.feature_weight < 0).any() or min(weights, default=0) < 0 or r.group_weight <= 0:
        return "a scale or weight is negative"
    if set(r.weights) != set(cols):
        return "the weights are not given for exactly the columns"
    onehot = np.array([kinds[j] == "categorical" for j in fc], dtype=bool)
    if (r.offset[onehot] != 0).any() or (r.scale[onehot] != 1).any():
        return "a category's offset or scale is not 0 and 1"
    want = np.array([r.weights[cols[j]] * (r.group_weight / len(r.categories[cols[j]]) if kinds[j] == "categorical"
                                           else 1.0) for j in fc])
    if not np.allclose(r.feature_weight, want, rtol=1e-9, atol=0.0):
        return "the features' weights do not match the columns' weights"
    active = r.feature_weight > 0
    if not active.any():
        return "no column is active (every weight is 0)"
    if not (active & ((r.scale > 0) | onehot)).any():
        return "no active column varies (every scale is 0)"
    return None


def _feature_names(cols, kinds, categories, fc) -> list[str] | None:
    """The feature names fit_recipe gives features `fc` (their columns, in order), or None when a
    column has not the number of features its kind and categories say."""
    seen = [0] * len(cols)
    names = []
    for j in fc.tolist():
        c, i = cols[j], seen[j]
        seen[j] += 1
        if kinds[j] == "numeric":
            names.append(c)
        elif i < len(categories[c]):
            names.append(f"{c}={categories[c][i]}")
    wanted = [1 if k == "numeric" else len(categories[c]) for c, k in zip(cols, kinds)]
    return names if seen == wanted else None


def map_problem(tm, info: dict) -> str | None:
    """What in the rest of a table map's description (meta.json "table_map" `info`) disagrees with
    the map `tm` built from it, or None: the codebook has one plane per active feature, segment
    numbers run 0..k-1 with the saved k, the label column is a text (or none), the outlier
    threshold is a finite number from 0, the measures are numbers (NaN: not measured), the
    topographic error a share."""
    r = tm.recipe
    if int(np.count_nonzero(r.active)) != tm.codebook.shape[2]:
        return f"the preparation has {int(r.active.sum())} active features but the codebook {tm.codebook.shape[2]}"
    seg = np.asarray(tm.clusters)
    if seg.size and (seg.min() < 0 or seg.max() >= seg.size):
        return "segment numbers are out of range"
    k = info.get("k")
    if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k != tm.k):
        return f"it says {k!r} segments where its segment numbers make {tm.k}"
    if seg.size and np.unique(seg).size != tm.k:
        return "a segment number is missing: segments are numbered from 0 without gaps"
    if tm.label_column is not None and not isinstance(tm.label_column, str):
        return "the label column is not a column name"
    if not math.isfinite(tm.outlier_threshold) or tm.outlier_threshold < 0:
        return f"the outlier threshold {tm.outlier_threshold!r} is not a distance"
    qe, te = tm.quantization_error, tm.topographic_error
    if not (math.isnan(qe) or qe >= 0) or not (math.isnan(te) or 0 <= te <= 1) or math.isinf(qe):
        return "the quantization or topographic error is not a measure"
    return None


def cluster_method_of(value) -> str:
    """The clustering method a saved map names (core.clustering.method_name), or the default
    (session.segments.DEFAULT_METHOD) for a map that names none (it could not be clustered
    again: "unknown clustering method ''").  OptionError for a method that is not one."""
    from somdesk.core.clustering import method_name
    from somdesk.session.segments import DEFAULT_METHOD

    return DEFAULT_METHOD if value is None or value == "" else method_name(value)
