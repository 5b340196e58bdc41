"""The Setup tab's column rules are taken on the read task's worker (`judge_columns`), so that
filling the tab on the window's thread costs no pass over the cells: every rule it asks is known."""
from __future__ import annotations

import numpy as np
import pytest

from somdesk.io.tables.table import read_table
from somdesk.session import table_columns as tc


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "t.csv"
    rng = np.random.default_rng(0)
    with open(path, "w") as f:
        f.write("id,year,size,species,word\n")
        for i in range(400):
            f.write(f"{i + 1},{2000 + i % 9},{rng.normal():.4f},{'abc'[i % 3]},w{i}\n")
    t = read_table(path)
    yield t
    t.close()


def test_after_judge_columns_the_default_choice_passes_over_no_cells(table, monkeypatch):
    expected = (tc.default_columns(table, "species"), tc.default_passive(table, "species"),
                tc.default_label_column(table, set(table.numeric_columns)))
    tc._JUDGED.pop(table, None)
    tc.judge_columns(table)

    def no_pass(*args, **kw):
        raise AssertionError("a pass over the cells on the window's thread")
    for rule in ("_identifier_reason", "_date_reason", "_label_kinds"):
        monkeypatch.setattr(tc, rule, no_pass)
    monkeypatch.setattr("somdesk.io.tables.table._none_count", no_pass)
    label = tc.default_label_column(table, set(table.numeric_columns))
    assert (tc.default_columns(table, label), tc.default_passive(table, label), label) == expected
    assert [table.missing_count(c) for c in table.columns] == [0] * 5
    assert expected == (("size",), ("year",), "species")
