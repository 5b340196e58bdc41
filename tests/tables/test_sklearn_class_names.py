"""A scikit-learn CSV's target reads as the classes its metadata line names, and is the default
label (tester13 #9: iris's `--label column4` reported "segment 0: 0 100%", and no label was
proposed).  On the venv's own iris.csv (150,4,setosa,versicolor,virginica)."""
from __future__ import annotations

import json

import pytest

from _files import sklearn_csv
from somdesk.cli import main
from somdesk.core.preparation import table_labels
from somdesk.io.tables.table import metadata_class_names, read_table
from somdesk.session.table_columns import default_label_column

CLASSES = {"setosa", "versicolor", "virginica"}


def test_the_metadata_line_names_the_classes():
    target, names = metadata_class_names("150,4,setosa,versicolor,virginica", ["a", "b", "c", "d", "t"])
    assert target == "t" and names["0"] == names["0.0"] == "setosa" and names["2"] == "virginica"
    assert metadata_class_names("150,4", ["a", "b", "c", "d", "t"]) == (None, {})          # no names
    assert metadata_class_names("150,4,x,y", ["a", "b", "t"]) == (None, {})                  # columns do not fit
    assert metadata_class_names(None, ["a"]) == (None, {})


def test_iris_labels_are_the_class_names_and_the_target_is_the_default_label():
    tab = read_table(sklearn_csv("iris.csv"))
    try:
        assert tab.value_names("column0") is None
        assert set(table_labels(tab, "column4")) == CLASSES
        assert default_label_column(tab, set(tab.numeric_columns)) == "column4"
        assert default_label_column(tab, set(tab.numeric_columns), chosen={"column4"}) is None
    finally:
        tab.close()


@pytest.mark.parametrize("extra", [[], ["--out-of-core"]])
def test_cli_label_summary_names_the_classes(tmp_path, capsys, extra):
    out = tmp_path / "m.json"
    assert main(["train", "--table", sklearn_csv("iris.csv"), "--label", "column4", "--epochs", "3", "--seed", "1",
                 *extra, "--save-map", str(tmp_path / "m.somz"), "--metrics-json", str(out)]) == 0
    cap = capsys.readouterr()
    got = cap.out + cap.err
    assert "setosa 100%" in got and " 0 100%" not in got
    assert {s["top"] for s in json.loads(out.read_text())["label"]["segments"]} <= CLASSES


def test_cli_default_label_and_report(tmp_path, capsys):
    report = tmp_path / "r.html"
    assert main(["train", "--table", sklearn_csv("iris.csv"), "--epochs", "3", "--seed", "1",
                 "--save-map", str(tmp_path / "m.somz"), "--report", str(report)]) == 0
    cap = capsys.readouterr()
    got = cap.out + cap.err
    assert "label: column4 (the default" in got and "setosa" in got
    assert "class target" not in got                       # the label is not trained on: no left-out warning
    assert "setosa" in report.read_text(encoding="utf-8")
    # naming it in --columns trains on it, and then it is not the default label
    assert main(["train", "--table", sklearn_csv("iris.csv"), "--columns", "column0,column4", "--epochs", "2",
                 "--save-map", str(tmp_path / "n.somz")]) == 0
    assert "label: column4" not in capsys.readouterr().err


def test_the_window_proposes_the_target_and_names_its_classes():
    from somdesk.session.table_workspace import TableWorkspace

    path = sklearn_csv("iris.csv")
    ws = TableWorkspace()
    ws.set_table(read_table(path), path)
    try:
        assert ws.spec.label == "column4"
        ws.train(ws.spec)
        lc = ws._label_counts("column4")
        assert set(lc.names) == CLASSES
    finally:
        ws.table.close()
