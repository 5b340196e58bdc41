"""The rows in memory are assigned once per training, reopen and re-cluster: the profiles and the
top items are of the segments of those assignments (closing7's final read: a second and third BMU
pass over every row computed them again), and the CLI's --top-items with --report shares one pass."""
from __future__ import annotations

import numpy as np
import pytest

import somdesk.session.table_assign as table_assign
from somdesk.io.tables.table import read_table
from somdesk.session.progress import run_to_end
from somdesk.session.report import table_profiles, table_top_items
from somdesk.session.table_assign import assign_cells, row_cells
from somdesk.session.table_data import TableMapSpec, train_table_map
from somdesk.session.table_tasks import map_steps, recluster_steps

from _files import sklearn_csv


@pytest.fixture(scope="module")
def wine():
    tab = read_table(sklearn_csv("wine_data.csv"))
    tm, _ = train_table_map(tab, TableMapSpec(label=tab.columns[-1], height=5, width=6, epochs=6, clusters=3))
    return tab, tm


@pytest.fixture
def passes(monkeypatch):
    """Counts assign_cells' calls; every call after the first gives the rows in reverse order's
    segments, so anything computed from a second pass differs from the first pass's assignments."""
    real, calls = table_assign.assign_cells, []

    def counted(tm, cells, cancel=None):
        out = real(tm, cells, cancel)
        calls.append(1)
        if len(calls) > 1:
            out = dict(out, segment=out["segment"][::-1].copy())
        return out
    # the home module: the callers (session.table_tasks) import it from there when they run
    monkeypatch.setattr(table_assign, "assign_cells", counted)
    return calls


@pytest.mark.parametrize("steps", ["map", "recluster"])
def test_profiles_are_of_the_assigned_segments_in_one_pass(wine, passes, steps):
    tab, tm = wine
    result = run_to_end(map_steps(tm, tab) if steps == "map" else recluster_steps(tm, tab, 4))
    assert len(passes) == 1                          # one BMU pass over the rows in memory
    seg = result["assigned"]["segment"]
    assert not np.array_equal(seg, seg[::-1])        # the fixture's second pass would differ
    want = table_profiles(result["tm"], tab, segments=seg)
    got = result["profiles"]
    assert got["segments"] == want["segments"] and np.array_equal(got["size"], want["size"])
    assert np.allclose(got["mean"], want["mean"], equal_nan=True)
    assert np.array_equal(got["size"], np.bincount(seg[seg >= 0])[got["segments"]])


def test_given_segments_are_the_ones_profiled_and_ranked(wine):
    tab, tm = wine
    seg = assign_cells(tm, row_cells(tm, tab))["segment"]
    assert table_profiles(tm, tab)["size"].tolist() == table_profiles(tm, tab, segments=seg)["size"].tolist()
    one = np.zeros(tab.n_rows, np.int64)             # every row in segment 0: one profile of them all
    prof = table_profiles(tm, tab, segments=one)
    assert prof["segments"] == [0] and prof["size"].tolist() == [tab.n_rows]
    assert list(table_top_items(tm, tab, 3, segments=one)) == [0]
    assert table_top_items(tm, tab, 3) == table_top_items(tm, tab, 3, segments=seg)
    with pytest.raises(ValueError):
        table_profiles(tm, tab, segments=seg[:-1])


def test_row_cells_placing_only_leaves_out_the_passive_columns(tmp_path):
    import pandas as pd
    rng = np.random.default_rng(0)
    path = tmp_path / "t.csv"
    pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60), "later": rng.normal(size=60),
                  "kind": rng.choice(["x", "y"], 60)}).to_csv(path, index=False)
    tab = read_table(str(path))
    tm, _ = train_table_map(tab, TableMapSpec(columns=("a", "b", "later", "kind"), passive=("later",),
                                              categorical=("kind",), height=3, width=3, epochs=3, clusters=2))
    assert sorted(row_cells(tm, tab)) == ["a", "b", "kind", "later"]
    assert sorted(row_cells(tm, tab, placing_only=True)) == ["a", "b", "kind"]
    assert row_cells(tm, tab)["kind"].dtype == object and set(row_cells(tm, tab)["kind"]) == {"x", "y"}
