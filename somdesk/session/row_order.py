"""The order of a table's rows by one column, for the rows view's header clicks (no Qt).

    ranks = column_ranks(values)                  # (N,) once per column: its values' order
    shown = sorted_rows(ranks, shown, descending)  # the shown rows reordered, stably

A column's values are ranked once (numbers by value, texts by code point; missing: -1);
each sort after that is integer work on the shown rows alone.  Sorting 120,000 rows by a
text column cost the window 0.73-0.77 s a click (tester8 #16): every click turned every
shown cell into a str, then into a fixed-width string array, and sorted those.
"""
from __future__ import annotations

import numpy as np

__all__ = ["column_ranks", "sorted_rows"]

SAMPLE = 4096          # rows that tell a column of many distinct texts from one of categories
SHORT_TEXT = 64        # numpy ranks many texts when none is longer than this many characters


def column_ranks(values: np.ndarray) -> np.ndarray:
    """(N,) int64 rank of each value of the column `values` (N,): equal values share a rank,
    ranks follow the values' order (numbers by value, -0.0 equal to 0.0; text by code point,
    as Python compares str; any other object by its str()); -1 where the value is missing
    (NaN, None).  Computed once per column and kept by the caller (RowsModel)."""
    v = np.asarray(values)
    if v.dtype.kind in "biuf":
        present = ~np.isnan(v) if v.dtype.kind == "f" else np.ones(len(v), dtype=bool)
        out = np.full(len(v), -1, dtype=np.int64)
        out[present] = np.unique(v[present], return_inverse=True)[1].reshape(-1)
        return out
    items = v.tolist()
    if not all(type(x) is str or x is None for x in items):
        items = [None if x is None else str(x) for x in items]
    # many distinct texts (names, keys; judged on ~4,000 rows spread over the column): numpy
    # sorts them as fixed-width strings faster than Python ranks them (120,000 names: ~120 ms
    # against ~200 ms) -- unless one is long, which makes that array rows x longest x 4 bytes
    sample = items[::max(1, len(items) // SAMPLE)]
    if len(set(sample)) > len(sample) // 4 and \
            max((len(x) for x in items if x is not None), default=0) <= SHORT_TEXT:
        missing = np.fromiter((x is None for x in items), dtype=bool, count=len(items))
        out = np.unique(np.array(["" if x is None else x for x in items], dtype=str), return_inverse=True)[1]
        return np.where(missing, -1, out.reshape(-1)).astype(np.int64)
    distinct = dict.fromkeys(items)          # one of each, by hashing (in C)
    distinct.pop(None, None)
    # a few categories: a sort of those few texts, not of every row
    rank = {x: i for i, x in enumerate(sorted(distinct))}
    rank[None] = -1
    return np.fromiter(map(rank.__getitem__, items), dtype=np.int64, count=len(items))


def sorted_rows(ranks: np.ndarray, rows: np.ndarray, descending: bool = False) -> np.ndarray:
    """`rows` (indices into the column) ordered by `ranks[rows]` (column_ranks), missing last in
    both orders; stable: rows of equal values keep their order in `rows`."""
    r = ranks[rows]
    top = int(r.max()) + 1 if len(r) else 0
    # one integer key: missing (-1) after every value, the order flipped for descending
    key = np.where(r < 0, top, (top - 1 - r) if descending else r)
    # small keys sort by radix (numpy's stable sort of 8- and 16-bit integers): linear time
    key = key.astype(np.uint16 if top < 1 << 16 else np.int64)
    return rows[np.argsort(key, kind="stable")]
