"""Zeros that may mean "not rated" (testerG #4): a ratings table written with 0 for an item a
user did not rate (items in 1..5) reads those zeros as ratings, and a segment's best item then
showed "mean rating 1.28" on a 1-5 scale (184 of its 280 "ratings" were 0; the real ones
averaged 3.74).  Nothing here changes a value: the table info, training, the window's Setup
tab and the top items only warn, and the user reads 0 as missing by choice (--missing-values 0;
the window's import preview: Missing values 0).

    cols = zero_unrated_columns(table)            # {column: (least, largest other value)}
    text = zero_unrated_warning(table, columns)   # one sentence for the table, or None

The rule for one numeric column (`zero_scale`), over its present values: no value below 0;
the other values lie on a rating scale -- every one at least 1 and at most MAX_SCALE, in steps
of 0.5, with at least MIN_LEVELS distinct ones -- so 0 sits below all of them with a gap; and 0
is frequent: at least ZERO_SHARE of the present values and MIN_ZEROS cells.  A count column
(children 0..5) can pass it too, which is why the sentence says "may".
"""
from __future__ import annotations

import weakref

import numpy as np

from somdesk.core.choice_words import ZERO_AS_MISSING
from somdesk.core.options import count_text

__all__ = ["MAX_SCALE", "MIN_LEVELS", "MIN_ZEROS", "ZERO_SHARE", "map_zero_warning", "zero_scale",
           "zero_unrated_columns", "zero_unrated_warning"]

MAX_SCALE = 10        # the top of the scales recognised (1..5, 1..7, 1..10)
MIN_LEVELS = 3        # distinct other values: a yes/no 0/1 column is not a rating
ZERO_SHARE = 0.2      # 0 in at least this share of the present values ...
MIN_ZEROS = 5         # ... and in at least this many cells
NAMED = 3             # up to this many columns are named in the sentence

_SCALES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()     # table -> {column: scale or None}


def zero_scale(values) -> tuple[float, float] | None:
    """(least, largest) of the non-zero values of `values` (1-D float, NaN = missing) when its
    zeros may mean "not rated" (module docstring's rule), else None.  No errors of its own."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if not len(v):
        return None
    zero = v == 0
    zeros = int(zero.sum())
    if zeros < MIN_ZEROS or zeros < ZERO_SHARE * len(v):
        return None
    rest = v[~zero]
    if not len(rest) or rest.min() < 1 or rest.max() > MAX_SCALE or np.any(rest * 2 != np.round(rest * 2)):
        return None
    if len(np.unique(rest)) < MIN_LEVELS:
        return None
    return float(rest.min()), float(rest.max())


def zero_unrated_columns(table, columns=None) -> dict:
    """{column: (least, largest other value)} of the numeric `columns` of `table` (None: every
    numeric column; others are skipped) whose zeros may mean "not rated" (`zero_scale`), in
    column order; judged once per table and column.  A table without cells in memory (out of
    core) gives {}."""
    numeric = set(getattr(table, "numeric_columns", ()))
    if not hasattr(table, "cells"):
        return {}
    try:
        known = _SCALES.setdefault(table, {})
    except TypeError:                     # a table-like object that takes no weak reference
        known = {}
    out = {}
    for c in (table.numeric_columns if columns is None else columns):
        if c not in numeric:
            continue
        if c not in known:
            known[c] = zero_scale(table.cells(c))
        if known[c] is not None:
            out[c] = known[c]
    return out


def _number(x: float) -> str:
    return f"{x:g}"


def zero_unrated_warning(table, columns=None) -> str | None:
    """One sentence for the whole table (however many columns) when zeros of its numeric
    `columns` (None: all) may mean "not rated", naming the way to read them as missing in the
    window's words (the CLI prints core.choice_words.cli_words: --missing-values 0); None otherwise.
    "0 may mean 'not rated' in 200 columns (other values 1-5): ..."."""
    found = zero_unrated_columns(table, columns)
    if not found:
        return None
    lo = min(a for a, _ in found.values())
    hi = max(b for _, b in found.values())
    names = list(found)
    which = count_text(len(names), "column")
    if len(names) <= NAMED:
        which += " (" + ", ".join(repr(c) for c in names) + ")"
    return (f"0 may mean 'not rated' in {which} (other values {_number(lo)}-{_number(hi)}): a mean rating then "
            f"counts it as a rating; read it as missing with {ZERO_AS_MISSING}")


def map_zero_warning(tm, table) -> str | None:
    """zero_unrated_warning of `table` over the numeric columns of table map `tm`'s recipe (the
    items its top items rank); None without a table (a reopened map whose file is gone)."""
    if table is None:
        return None
    return zero_unrated_warning(table, tm.recipe.numeric_columns)
