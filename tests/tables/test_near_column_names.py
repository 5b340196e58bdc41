"""A column missing only by its case or spelling is named ("did you mean 'Income'?") wherever a
missing column is reported: assign in memory and out of core, --columns/--label (tester13 #10a)."""
from __future__ import annotations

import pytest

from somdesk.cli import main
from somdesk.io.tables.table import near_name, near_names_hint

HINT = "(column names are matched exactly, case included)"


def test_near_name_rules():
    cols = ["Income", "age", "spend"]
    assert near_name("income", cols) == "Income" and near_name(" AGE ", cols) == "age"
    assert near_name("spnd", cols) == "spend" and near_name("zzz", cols) is None
    assert near_names_hint(["zzz"], cols) == ""
    assert near_names_hint(["income", "x", "Age"], cols) == f"; did you mean 'Income' for 'income', 'age' for 'Age'? {HINT}"


@pytest.fixture
def files(tmp_path):
    rows = "".join(f"{1000 + 37 * i % 900},{20 + i % 40},{(i * 7) % 13 * 1.5}\n" for i in range(40))
    (tmp_path / "t.csv").write_text("income,age,spend\n" + rows)
    (tmp_path / "case.csv").write_text("Income,age,spend\n" + rows)
    assert main(["train", "--table", str(tmp_path / "t.csv"), "--epochs", "2", "--width", "3", "--height", "2",
                 "--save-map", str(tmp_path / "m.somz"), "-q"]) == 0
    return tmp_path


@pytest.mark.parametrize("extra", [[], ["--out-of-core"]])
def test_assign_names_the_near_match(files, capsys, extra):
    capsys.readouterr()
    assert main(["assign", str(files / "m.somz"), str(files / "case.csv"), "--out", str(files / "a.csv"),
                 *extra]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"did you mean 'Income'? {HINT}" in err and "Traceback" not in err


def test_a_label_or_column_in_another_case_is_named(files, capsys):
    capsys.readouterr()
    assert main(["train", "--table", str(files / "t.csv"), "--label", "Age", "--save-map",
                 str(files / "n.somz")]) == 2
    assert f"has no column 'Age'; did you mean 'age'? {HINT}" in capsys.readouterr().err
    assert main(["train", "--table", str(files / "t.csv"), "--columns", "Income,age", "--save-map",
                 str(files / "n.somz")]) == 2
    assert "did you mean 'income'?" in capsys.readouterr().err


def test_a_rename_is_suggested_only_from_columns_the_map_does_not_use():
    """testerH #4: a file lacking item09.. was told "'item08' for 'item09'", a column the map uses."""
    cols = ["user_id"] + [f"item{i:02d}" for i in range(9)]
    missing = [f"item{i:02d}" for i in range(9, 14)]
    used = [f"item{i:02d}" for i in range(14)]
    assert near_names_hint(missing, cols, used=used) == ""
    # a column the map does not use is a plausible rename, named for one missing name only
    hint = near_names_hint(["item09", "item10"], cols + ["item_9"], used=used)
    assert hint == f"; did you mean 'item_9' for 'item09'? {HINT}"
    assert near_names_hint(["spend"], ["income", "spnd"], used=["income", "spend"]) == f"; did you mean 'spnd'? {HINT}"


@pytest.mark.parametrize("extra", [[], ["--out-of-core"]])
def test_assign_with_columns_absent_suggests_no_used_column(tmp_path, capsys, extra):
    rows = "".join(",".join(str((i * (j + 3)) % 7) for j in range(6)) + "\n" for i in range(40))
    (tmp_path / "t.csv").write_text("item01,item02,item03,item04,item05,item06\n" + rows)
    (tmp_path / "few.csv").write_text("item01,item02,item03\n" + "".join(r[:5] + "\n" for r in rows.splitlines(True)))
    assert main(["train", "--table", str(tmp_path / "t.csv"), "--epochs", "2", "--width", "3", "--height", "2",
                 "--save-map", str(tmp_path / "m.somz"), "-q"]) == 0
    capsys.readouterr()
    assert main(["assign", str(tmp_path / "m.somz"), str(tmp_path / "few.csv"), "--out", str(tmp_path / "a.csv"),
                 *extra]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "item04" in err and "did you mean" not in err, err
