"""The rows view's order by a column (session.row_order; tester8 #16: a text column's sort cost
0.73 s a click on 120,000 rows): the same order as the former per-click sort, missing last,
stable, in both directions, and the column ranked once."""
from __future__ import annotations

import numpy as np
import pytest

from somdesk.session.row_order import column_ranks, sorted_rows


def _former_sort():
    """The former RowsModel.sort (per click, every shown cell as float or str, then lexsort): the
    oracle, as benchmarks/bench_rows_sort.py times it."""
    import importlib.util
    import os

    path = os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks", "bench_rows_sort.py")
    spec = importlib.util.spec_from_file_location("bench_rows_sort", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.former_sort


_reference = _former_sort()


def _columns(n: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n).round(1)
    x[rng.random(n) < 0.1] = np.nan
    x[rng.random(n) < 0.05] = -0.0
    words = np.array(rng.choice(["b", "a", "", "Zed", "äpfel", "a b", "10", "9"], n), dtype=object)
    words[rng.random(n) < 0.1] = None
    mixed = np.array([None if i % 7 == 0 else (i % 5 if i % 3 else f"t{i % 4}") for i in range(n)], dtype=object)
    return {"float": x, "int": rng.integers(-3, 4, n), "bool": rng.random(n) < 0.5, "text": words,
            "mixed": mixed, "distinct": np.array([f"r{i:05d}" for i in rng.permutation(n)], dtype=object),
            # many distinct texts, one long: ranked by Python, not as a fixed-width numpy array
            "long": np.array([f"r{i:05d}" if i % 50 else None for i in rng.permutation(n - 1)] + ["z" * 100],
                             dtype=object)}


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", ["float", "int", "bool", "text", "mixed", "distinct", "long"])
def test_the_order_is_the_former_sorts(seed, name):
    col = _columns(500, seed)[name]
    ranks = column_ranks(col)
    rng = np.random.default_rng(seed + 10)
    rows = rng.permutation(500)[:300]                 # a selection, in some earlier order
    for descending in (False, True):
        assert np.array_equal(sorted_rows(ranks, rows, descending), _reference(col, rows, descending))
    assert np.array_equal(sorted_rows(ranks, rows[:0]), rows[:0])


def test_ranks_missing_and_ties():
    r = column_ranks(np.array(["b", None, "a", "b", ""], dtype=object))
    assert r.tolist() == [2, -1, 1, 2, 0]
    assert column_ranks(np.array([2.0, np.nan, -0.0, 0.0, 1.5])).tolist() == [2, -1, 0, 0, 1]
    rows = np.array([4, 3, 2, 1, 0])
    assert sorted_rows(column_ranks(np.array([1, 1, 0, 0, 1])), rows).tolist() == [3, 2, 4, 1, 0]
    assert sorted_rows(column_ranks(np.array([1, 1, 0, 0, 1])), rows, True).tolist() == [4, 1, 0, 3, 2]


def test_many_distinct_values_sort_as_well():
    n = 70_000                                         # more ranks than a 16-bit key holds
    col = np.arange(n)[::-1].astype(np.float64)
    col[5] = np.nan
    out = sorted_rows(column_ranks(col), np.arange(n))
    assert out[-1] == 5 and np.all(np.diff(col[out[:-1]]) > 0)
