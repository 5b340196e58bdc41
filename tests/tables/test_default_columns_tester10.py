"""tester10 #1: a scikit-learn CSV's class target (the column beyond the metadata line's n_features)
is not a default training column; #9: a column with an `inf` cell is left out of the default
columns with a warning, by the CLI and the window alike (the CLI refused, the window said nothing)."""
from __future__ import annotations

import glob
import json
import os

import pytest

from somdesk.cli import main
from somdesk.io.tables.table import read_table
from somdesk.session.table_columns import default_columns, identifier_warning
from somdesk.session.table_data import TableMapSpec

SKLEARN = glob.glob(os.path.join(os.path.dirname(__import__("sklearn").__file__), "datasets", "data"))


@pytest.mark.skipif(not SKLEARN, reason="scikit-learn's data files are not installed")
@pytest.mark.parametrize("name, features, target", [("iris.csv", 4, "column4"), ("wine_data.csv", 13, "column13")])
def test_the_class_target_is_left_out_and_named(tmp_path, capsys, name, features, target):
    path = os.path.join(SKLEARN[0], name)
    tab = read_table(path)
    try:
        first = tab.columns[0]
        cols = default_columns(tab)
        w = identifier_warning(tab)
    finally:
        tab.close()
    assert target not in cols and len(cols) == features
    assert f"{target!r} (the class target of the file's scikit-learn metadata line: class_0" in w or \
        f"{target!r} (the class target of the file's scikit-learn metadata line: setosa, versicolor, virginica)" in w
    out = tmp_path / "m.json"
    assert main(["train", "--table", path, "--width", "3", "--height", "3", "--epochs", "2",
                 "--save-map", str(tmp_path / "m.somz"), "--metrics-json", str(out)]) == 0
    assert target not in json.loads(out.read_text())["features"]
    # tester13 #9: the target named by the metadata line is the default label (not trained on)
    cap = capsys.readouterr()
    assert f"label: {target} (the default" in cap.err + cap.out and "left out" not in cap.err
    assert main(["train", "--table", path, "--no-label", "--width", "3", "--height", "3", "--epochs", "2",
                 "--save-map", str(tmp_path / "m.somz"), "--metrics-json", str(out)]) == 0
    assert target not in json.loads(out.read_text())["features"]
    assert f"warning: 1 numeric column is left out of the training columns: {target!r}" in capsys.readouterr().err
    # named, it is trained on
    assert main(["train", "--table", path, "--columns", f"{first},{target}", "--width", "2", "--height", "2",
                 "--epochs", "1", "--save-map", str(tmp_path / "m2.somz"), "--metrics-json", str(out), "-q"]) == 0
    assert json.loads(out.read_text())["features"] == [first, target]


def test_a_table_without_metadata_keeps_its_last_column(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("a,b,c\n" + "".join(f"{i * 0.5},{i % 3 + 0.25},{i % 2}\n" for i in range(30)))
    tab = read_table(p)
    try:
        assert default_columns(tab) == ("a", "b", "c")
    finally:
        tab.close()


INFNAN = "a,b\n1,2\ninf,3\nnan,4\n-inf,5\n2,6\n"
SAID = ("column 'a' is not numeric: line 3 has 'inf' or a number beyond 1.8e308 (an infinite value); it is left out "
        "of the training columns (to train on it, read such cells as missing: --also-missing inf,-inf)")


def test_an_infinite_value_leaves_the_column_out_in_the_cli(tmp_path, capsys):
    p = tmp_path / "infnan.csv"
    p.write_text(INFNAN)
    out = tmp_path / "m.json"
    assert main(["train", "--table", str(p), "--width", "2", "--height", "2", "--epochs", "2",
                 "--save-map", str(tmp_path / "m.somz"), "--metrics-json", str(out)]) == 0
    assert json.loads(out.read_text())["features"] == ["b"]
    assert f"warning: {SAID}" in capsys.readouterr().err.splitlines()
    # read as missing, it trains
    assert main(["train", "--table", str(p), "--missing-values", "inf,-inf,nan", "--missing", "train", "--columns", "a,b", "--width", "2",
                 "--height", "2", "--epochs", "2", "--save-map", str(tmp_path / "m.somz"), "--metrics-json",
                 str(out), "-q"]) == 0
    assert json.loads(out.read_text())["features"] == ["a", "b"]


def test_the_window_says_the_same(tmp_path):
    from somdesk.session.table_workspace import TableWorkspace

    p = tmp_path / "infnan.csv"
    p.write_text(INFNAN)
    ws = TableWorkspace()
    ws.set_table(read_table(p), str(p))
    try:
        assert default_columns(ws.table) == ("b",)
        tm = ws.train(TableMapSpec(height=2, width=2, epochs=2))
        assert list(tm.recipe.columns) == ["b"] and SAID in ws.warnings
    finally:
        ws.table.close()
