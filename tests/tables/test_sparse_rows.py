"""Rows with few or no values (tester8 #3): one rule in every missing-value mode for a row with
no placing value, a distance comparable across rows, and the count of present columns."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from somdesk.core.masked_som import masked_bmus
from somdesk.io.tables.table import read_table
from somdesk.session.table_assign import assign_cells, rows_spread
from somdesk.session.table_data import TableMapSpec, train_table_map

COLS = ("a", "b", "c", "d", "kind")


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 3, n)
    df = pd.DataFrame({k: rng.normal(g * s, 1.0) for k, s in zip("abcd", (3.0, -2.0, 1.5, 4.0))})
    df["kind"] = np.array(["x", "y", "z"])[g]
    return df


@pytest.fixture(scope="module", params=["drop", "mean", "median", "train"])
def trained(request, tmp_path_factory):
    d = tmp_path_factory.mktemp("sparse")
    df = _frame(400, 1)
    if request.param == "train":
        df.loc[np.random.default_rng(2).random(400) < 0.1, "b"] = np.nan
    df.to_csv(d / "t.csv", index=False)
    tab = read_table(d / "t.csv")
    try:
        tm, _ = train_table_map(tab, TableMapSpec(columns=COLS, categorical=("kind",), missing=request.param,
                                                  height=5, width=6, epochs=4, clusters=3, seed=1))
    finally:
        tab.close()
    return tm


def _cells(df: pd.DataFrame) -> dict:
    return {c: (df[c].to_numpy(dtype=np.float64) if c != "kind" else
                np.array(["" if v != v else str(v) for v in df[c]], dtype=object)) for c in COLS}


def test_a_row_with_no_placing_value_has_no_bmu_in_every_mode(trained):
    df = _frame(3, 5)
    df.loc[1, :] = np.nan
    a = assign_cells(trained, _cells(df))
    assert (a["bmu_row"][1], a["bmu_col"][1], a["segment"][1]) == (-1, -1, -1)
    assert np.isnan(a["distance"][1]) and a["outlier"][1] and a["present"][1] == 0
    assert list(a["present"]) == [5, 0, 5] and (a["bmu_row"][[0, 2]] >= 0).all()


def test_the_distance_of_a_partial_row_is_its_known_part_scaled_to_the_whole(trained):
    r = trained.recipe
    df = _frame(200, 7)
    full = assign_cells(trained, _cells(df))
    part = df.copy()
    part.loc[:, ["b", "c", "d"]] = np.nan                       # one number and the category known
    a = assign_cells(trained, _cells(part))
    assert (a["present"] == 2).all() and (full["present"] == 5).all()
    # independently: the known features' squared distance to the BMU, times total / known weight
    fw = r.feature_weight[r.active]
    t = r.training_matrix(r.transform(_cells(part)))
    known = ~np.isnan(t)
    m = trained.codebook.reshape(-1, t.shape[1])[a["bmu_row"] * trained.codebook.shape[1] + a["bmu_col"]]
    if r.missing in ("mean", "median"):       # the filled row's distance, as the threshold's (review8)
        filled = r.training_matrix(r.fill_missing(r.transform(_cells(part))))
        want = np.sqrt(((filled - m) ** 2).sum(axis=1))
    else:
        want = np.sqrt(np.nansum((t - m) ** 2, axis=1) * fw.sum() / (known @ fw))
    np.testing.assert_allclose(a["distance"], want, rtol=1e-9)
    # closer to complete rows than the sum over fewer terms (a BMU chosen on fewer values still
    # fits them better than a complete row's fits all: `present` says how much is known; the
    # mean/median modes choose it on the filled row, so its known part fits worse)
    ratio = np.median(a["distance"]) / np.median(full["distance"])
    assert 0.45 < ratio < 2.5
    if r.missing in ("drop", "train"):
        _, d2 = masked_bmus(trained.codebook, t)
        assert np.median(np.sqrt(d2)) / np.median(full["distance"]) < ratio / 1.5


def test_complete_rows_are_unchanged_and_an_unseen_category_is_present(trained):
    df = _frame(50, 9)
    df.loc[0, "kind"] = "never seen"
    a = assign_cells(trained, _cells(df))
    t = trained.recipe.training_matrix(trained.recipe.transform(_cells(df)))
    idx, d2 = masked_bmus(trained.codebook, t)
    np.testing.assert_array_equal(a["distance"], np.sqrt(d2))      # bit for bit as before
    assert a["present"][0] == 5


def test_the_threshold_is_of_the_scored_distances_kind(trained, tmp_path):
    # review8: the training rows scored against their own map give the threshold back
    df = _frame(400, 1)
    if trained.recipe.missing == "train":
        df.loc[np.random.default_rng(2).random(400) < 0.1, "b"] = np.nan
    a = assign_cells(trained, _cells(df))
    d = a["distance"][np.isfinite(a["distance"])]
    q1, q3 = np.percentile(d, [25, 75])
    # Tukey's fence, floored at the rows' spread (tester F #6: table_assign.outlier_threshold)
    observed = trained.recipe.training_matrix(trained.recipe.transform(_cells(df)))
    assert trained.outlier_threshold == pytest.approx(max(q3 + 3 * (q3 - q1), rows_spread(observed)), rel=1e-9)


def test_the_outlier_threshold_uses_the_same_distances(trained):
    # a partial row whose known values are far off is an outlier; one that is typical is not (known
    # in 3 of 5 columns: a row known in less than half is flagged whatever its distance,
    # tests/tables/test_few_values.py)
    df = _frame(2, 11)
    df.loc[:, ["b", "kind"]] = np.nan
    df.loc[0, "a"], df.loc[0, "d"] = 60.0, 60.0
    a = assign_cells(trained, _cells(df))
    assert list(a["present"]) == [3, 3] and a["outlier"][0] and not a["outlier"][1] and not a["few"].any()
