"""The rows view sorts a few shown rows of a big table without ranking the whole column
(review9 #14: the first header click on a 1,000,000-row text column stalled the GUI thread
2.6 s for a node's 10 rows), in the same order as the whole-column ranks give."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

import somdesk.gui.table_rows as table_rows


def _model(n: int):
    rng = np.random.default_rng(3)
    names = np.array([f"cust-{i:08d}-{'xyz'[i % 3]}" for i in rng.permutation(n)], dtype=object)
    names[::97] = None
    model = table_rows.RowsModel()
    model.set_columns({"name": names, "x": rng.normal(size=n).round(1)})
    return model, names


def _shown(model) -> list:
    return [model.index(i, 0).data() for i in range(model.rowCount())]


def test_few_shown_rows_are_ranked_alone(monkeypatch):
    model, names = _model(200_000)
    rows = np.random.default_rng(4).choice(200_000, size=1000, replace=False)
    rows[:3] = [0, 97, 194]                     # missing values among the shown rows
    model.set_rows(rows)
    seen = []
    real = table_rows.column_ranks
    monkeypatch.setattr(table_rows, "column_ranks", lambda v: seen.append(len(v)) or real(v))
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        model.sort(0, order)
        got = model._rows.copy()
        want = table_rows.sorted_rows(real(names), rows, order == Qt.SortOrder.DescendingOrder)
        assert np.array_equal(got, want), order
    assert seen and max(seen) == 1000            # never the 200,000-row column
    shown = _shown(model)
    k = sum(names[r] is None for r in rows)
    assert k >= 3 and shown[-k:] == [""] * k and "" not in shown[:-k]      # missing last


def test_many_shown_rows_rank_the_column_once(monkeypatch):
    model, names = _model(60_000)
    model.set_rows(np.arange(60_000))
    seen = []
    real = table_rows.column_ranks
    monkeypatch.setattr(table_rows, "column_ranks", lambda v: seen.append(len(v)) or real(v))
    model.sort(0, Qt.SortOrder.AscendingOrder)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert seen == [60_000]
    assert np.array_equal(model._rows, table_rows.sorted_rows(real(names), np.arange(60_000), True))
