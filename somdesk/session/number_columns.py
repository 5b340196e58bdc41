"""One number format per column, for the tables the window shows (tester10: the import preview
and the Rows tab showed 1.5 / 2 / 0.333333333 / 1e-07 in one column).

    fmt = column_format(values)          # from the column's own values (NaN: missing)
    fmt.text(2.5)                        # "2.50" when another value of the column needs 2 decimals
    fmt.texts(values)                    # every cell, "" where missing

The format is chosen once from every value of the column:
  * whole numbers only (below 1e15): as integers, no ".0";
  * else fixed decimals, the same for every cell: enough for the finest value, each value
    counted to at most SIGNIFICANT significant digits (1.5, 2.25 -> "1.50", "2.25";
    0.001234 needs 6 decimals), at most MAX_DECIMALS;
  * a column with a huge (>= 1e10) or a tiny (below 1e-5, not 0) value: e-notation for the
    whole column, with as many significant digits as its most precise value needs (at most
    SIGNIFICANT): "1.50e-07", "2.00e+03".
Infinities show as "inf" / "-inf".  A column of more than SAMPLE values is judged on SAMPLE of
them spread evenly over it, its largest and smallest nonzero magnitudes and its first SAMPLE
values that are not whole included (a million
values took ~2 s on a loaded 2-core machine, on the window's thread at the first draw).  Only what is shown changes: sort, export (format_cell:
every digit) and the data keep the values.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["ColumnFormat", "column_format", "SIGNIFICANT"]

SIGNIFICANT = 6        # at most this many significant digits a value asks for
HUGE = 1e10            # from here a column is written in e-notation ...
TINY = 1e-5            # ... and below this (0 excepted)
WHOLE_LIMIT = 1e15     # whole numbers up to here are exact as integers in float64 (2**53 ~ 9e15)
MAX_DECIMALS = 8       # 0.00001234 (a value just over TINY) still shows 4 significant digits
SAMPLE = 100_000       # values judged at most (see the module docstring)


@dataclass(frozen=True)
class ColumnFormat:
    """How every number of one column is shown: kind "int", "fixed" (with `digits` decimals) or
    "exp" (with `digits` digits after the point of the mantissa)."""
    kind: str
    digits: int = 0

    def text(self, v) -> str:
        """The cell `v` (a number; NaN or None: missing -> "") as the column shows it."""
        if v is None:
            return ""
        f = float(v)
        if math.isnan(f):
            return ""
        if math.isinf(f):
            return "inf" if f > 0 else "-inf"
        if self.kind == "int":
            return str(int(f))
        if self.kind == "exp":
            return f"{f:.{self.digits}e}"
        text = f"{f:.{self.digits}f}"
        return "0" + text[2:] if text.startswith("-0") and float(text) == 0 else text   # no "-0.00"

    def texts(self, values) -> list[str]:
        """Every cell of `values` ((N,) numbers) as text, "" where missing."""
        return [self.text(v) for v in np.asarray(values, dtype=np.float64).tolist()]


def _significant(v: np.ndarray) -> np.ndarray:
    """(N,) the significant digits (1..SIGNIFICANT) each nonzero finite value of `v` needs: the
    fewest p that round it to itself (relative 1e-9), SIGNIFICANT when none does."""
    exp = np.floor(np.log10(np.abs(v)))
    need = np.full(v.shape, SIGNIFICANT, dtype=np.int64)
    for p in range(SIGNIFICANT, 0, -1):
        scale = 10.0 ** (exp - p + 1)
        rounded = np.round(v / scale) * scale
        ok = np.abs(rounded - v) <= 1e-9 * np.abs(v)
        need[ok] = p
    return need


def column_format(values) -> ColumnFormat:
    """The one format of a column of numbers `values` ((N,) float or int array; NaN: missing),
    by the rule in the module docstring.  An empty or all-missing column: "int"."""
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return ColumnFormat("int")
    fraction = v != np.round(v)
    if not fraction.any() and float(np.max(np.abs(v))) < WHOLE_LIMIT:
        return ColumnFormat("int")
    if v.size > SAMPLE:         # with the extremes and the first SAMPLE values that are not whole
        a = np.abs(v)
        ends = [int(np.argmax(a)), int(np.argmin(np.where(a > 0, a, np.inf)))]
        v = np.concatenate([v[:: -(-v.size // SAMPLE)], v[ends], v[np.flatnonzero(fraction)[:SAMPLE]]])
    nonzero = v[v != 0]
    sig = _significant(nonzero)
    biggest, smallest = float(np.max(np.abs(nonzero))), float(np.min(np.abs(nonzero)))
    if biggest >= HUGE or smallest < TINY:
        return ColumnFormat("exp", int(sig.max()) - 1)
    exp = np.floor(np.log10(np.abs(nonzero))).astype(np.int64)
    decimals = np.maximum(sig - 1 - exp, 0)
    return ColumnFormat("fixed", min(int(decimals.max()), MAX_DECIMALS))
