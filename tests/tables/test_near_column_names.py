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
