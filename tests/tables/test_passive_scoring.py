"""Scoring new data against a map with passive columns (tester8 #1): passive columns are only
shown on the map, so DATA may lack them, leave them empty or hold anything in them; the
scores are those of the same rows with the passive values, in memory and out of core."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from somdesk.cli import main
from somdesk.session.scoring import load_table_map, score_file
from somdesk.session.table_assign import placing_columns

N = 90


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(8)
    g = rng.integers(0, 3, N)
    df = pd.DataFrame({"a": rng.normal(g * 4.0, 1.0), "b": rng.normal(-g * 3.0, 1.0),
                       "region": np.array(["north", "south", "east"])[g],
                       "year": rng.integers(2019, 2025, N).astype(float),
                       "plan": rng.choice(["gold", "basic"], N)})
    df.loc[rng.random(N) < 0.1, "a"] = np.nan
    return df


@pytest.fixture(scope="module", params=["mean", "train"])
def trained(request, tmp_path_factory):
    d = tmp_path_factory.mktemp("passive")
    _frame().to_csv(d / "train.csv", index=False)
    m = d / "m.somz"
    assert main(["train", "--table", str(d / "train.csv"), "--columns", "a,b,region,year,plan",
                 "--categorical", "region,plan", "--passive", "year,plan", "--missing", request.param,
                 "--width", "4", "--height", "3", "--epochs", "3", "--clusters", "3", "--seed", "2",
                 "--save-map", str(m), "-q"]) == 0
    return d, m


def _scores(path) -> list[str]:
    return open(path, encoding="utf-8").read().splitlines()


def test_only_the_active_columns_place_rows(trained):
    tm = load_table_map(trained[1])
    assert placing_columns(tm.recipe) == ["a", "b", "region"] and tm.passive.shape[2] >= 2


@pytest.mark.parametrize("variant", ["absent", "empty", "junk"])
def test_new_data_without_usable_passive_values_scores_as_with_them(trained, tmp_path, capsys, variant):
    d, m = trained
    new = _frame().sample(frac=1.0, random_state=1).reset_index(drop=True)
    new.to_csv(tmp_path / "full.csv", index=False)
    if variant == "absent":
        new = new.drop(columns=["year", "plan"])
    elif variant == "empty":
        new["year"], new["plan"] = np.nan, ""
    else:
        new["year"], new["plan"] = "not yet", 7           # text in a numeric passive column
    new.to_csv(tmp_path / "new.csv", index=False)
    assert main(["assign", str(m), str(tmp_path / "full.csv"), "--out", str(tmp_path / "want.csv"), "-q"]) == 0
    want = _scores(tmp_path / "want.csv")
    for extra in ([], ["--out-of-core", "--chunk-rows", "40"]):
        out = tmp_path / f"got{len(extra)}.csv"
        assert main(["assign", str(m), str(tmp_path / "new.csv"), "--out", str(out), "-q", *extra]) == 0, \
            capsys.readouterr().err
        assert _scores(out) == want
    n, warnings = score_file(load_table_map(m), tmp_path / "new.csv", tmp_path / "window.csv")   # Score new data
    assert n == N and _scores(tmp_path / "window.csv") == want
    assert not any("unseen" in w or "never saw" in w for w in warnings)   # a passive column's values: no word


def test_an_absent_active_column_is_still_one_error(trained, tmp_path, capsys):
    d, m = trained
    _frame().drop(columns=["b"]).to_csv(tmp_path / "nob.csv", index=False)
    for extra in ([], ["--out-of-core"]):
        assert main(["assign", str(m), str(tmp_path / "nob.csv"), "--out", str(tmp_path / "x.csv"), *extra]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error:") and re.search(r"column\(s\) '?b\b", err[0])


def test_the_maps_own_table_still_needs_its_passive_columns(trained, tmp_path):
    # reopening a map shows its passive planes from its own table: that one needs them all
    from somdesk.errors import FileFormatError
    from somdesk.io.tables.table import read_table
    from somdesk.session.table_assign import check_columns

    _frame().drop(columns=["year"]).to_csv(tmp_path / "noyear.csv", index=False)
    tm, table = load_table_map(trained[1]), read_table(tmp_path / "noyear.csv")
    try:
        check_columns(tm, table, scoring=True)
        with pytest.raises(FileFormatError, match="'year'"):
            check_columns(tm, table)
    finally:
        table.close()
