"""Categories the map never saw are counted and said when new data is scored (tester6 F32):
the CLI's `assign` (in memory, out of core) and the window's Score new data (the session's
score task); the rows are still scored, as all zeros in that column's one-hot features."""
import csv

import numpy as np
import pandas as pd
import pytest

from somdesk.cli import main
from somdesk.io.tables.table import read_table
from somdesk.session.table_data import TableMapSpec
from somdesk.session.table_workspace import TableWorkspace
from somdesk.session.unseen import UnseenTally


@pytest.fixture
def trained(tmp_path):
    rng = np.random.default_rng(0)
    n = 150
    df = pd.DataFrame({"age": rng.integers(18, 80, n), "income": rng.normal(4e4, 9e3, n).round(2),
                       "region": rng.choice(list("NSEW"), n), "plan": ["basic", "pro", "team"] * (n // 3)})
    df.to_csv(tmp_path / "cust.csv", index=False)
    new = df.head(8).copy()
    new.loc[:4, "region"] = "Mars"
    new.loc[5, "plan"] = "gold"
    new.to_csv(tmp_path / "new.csv", index=False)
    codes = df.head(5).copy()
    codes["region"] = 7                              # a numeric code where the map learnt words
    codes.to_csv(tmp_path / "codes.csv", index=False)
    df.head(6).to_csv(tmp_path / "seen.csv", index=False)
    m = tmp_path / "cat.somz"
    assert main(["train", "--table", str(tmp_path / "cust.csv"), "--columns", "age,income,region,plan",
                 "--height", "4", "--width", "4", "--epochs", "5", "--save-map", str(m), "-q"]) == 0
    return tmp_path, m


def _warnings(err):
    return [line for line in err.splitlines() if line.startswith("warning:") and "never saw" in line]


@pytest.mark.parametrize("streaming", [False, True])
def test_assign_warns_once_per_file_with_counts_per_column(trained, capsys, streaming):
    d, m = trained
    extra = ["--out-of-core"] if streaming else []
    capsys.readouterr()
    assert main(["assign", str(m), str(d / "new.csv"), "--out", str(d / "s.csv")] + extra) == 0
    w = _warnings(capsys.readouterr().err)
    assert len(w) == 1
    assert "'region' in 5 rows ('Mars')" in w[0] and "'plan' in 1 row ('gold')" in w[0]
    with open(d / "s.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 8 and all(r["bmu_row"] != "-1" for r in rows)   # still scored
    assert main(["assign", str(m), str(d / "codes.csv"), "--out", str(d / "c.csv")] + extra) == 0
    w = _warnings(capsys.readouterr().err)
    assert len(w) == 1 and "'region' in 5 rows ('7')" in w[0]
    assert main(["assign", str(m), str(d / "seen.csv"), "--out", str(d / "ok.csv")] + extra) == 0
    assert _warnings(capsys.readouterr().err) == []


def test_out_of_core_and_in_memory_score_category_codes_alike(trained):
    # a category column stored as numbers (7) was compared as "7.0" out of core, "7" in memory
    d, m = trained
    assert main(["assign", str(m), str(d / "codes.csv"), "--out", str(d / "a.csv"), "-q"]) == 0
    assert main(["assign", str(m), str(d / "codes.csv"), "--out", str(d / "b.csv"), "--out-of-core", "-q"]) == 0
    assert (d / "a.csv").read_text() == (d / "b.csv").read_text()


def test_the_window_score_task_returns_the_warning(trained):
    d, m = trained
    ws = TableWorkspace()
    ws.set_table(read_table(str(d / "cust.csv")), str(d / "cust.csv"))
    ws.train(TableMapSpec(columns=("age", "income", "region", "plan"), height=4, width=4, epochs=5, seed=0))
    n, warnings = ws.score_file(str(d / "new.csv"), str(d / "s.csv"))
    assert n == 8
    assert sum("never saw" in w for w in warnings) == 1
    assert any("'region' in 5 rows ('Mars')" in w for w in warnings)


def test_missing_cells_are_not_unseen_and_many_values_are_capped():
    class R:                         # the two fields UnseenTally reads of a Recipe
        columns, kinds, categories = ("c",), ("categorical",), {"c": ["a", "b"]}
    t = UnseenTally()
    t.add(R, {"c": np.array(["a", "", "b"], dtype=object)})
    assert t.warning("x") is None
    t.add(R, {"c": np.array(["z", "z"] + [f"v{i}" for i in range(2000)], dtype=object)})
    assert t.rows["c"] == 2002 and len(t.values["c"]) <= 1000
    assert "'c' in 2,002 rows ('z', " in t.warning("x")
