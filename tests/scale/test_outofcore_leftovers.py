"""Out of core reads what the in-memory reader reads (the thirteenth session's leftovers, left14):
the number-format query's file names, the default label (a scikit-learn class target; numbers written as text are no label), ..."""
from __future__ import annotations

import os

import numpy as np
import pytest

from somdesk.cli import main
from somdesk.session.scoring import load_table_map

ROWS = [f"{i};{i},5;{(i * 7) % 11},25;k{i % 3}" for i in range(60)]


def _train(path, out, *extra):
    return main(["train", "--table", path, "--width", "2", "--height", "2", "--epochs", "1", "--seed", "1", "-q",
                 "--save-map", out, *extra])


@pytest.mark.parametrize("kind", ["not-utf8-name", "cr-only", "both"])
def test_the_number_format_query_reads_the_files_as_the_reader_does(tmp_path, capsys, monkeypatch, kind):
    """A decimal-comma file whose name is not UTF-8 failed out of core with DuckDB's "Python
    Conversion Failure" (the number-format query gave DuckDB the name as typed); a CR-only one is
    read as in memory.  Both give the in-memory map's columns and number format."""
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))        # links and copies land here
    name = os.fsdecode(b"eu\xff.csv") if kind != "cr-only" else "eu.csv"
    path = os.path.join(str(tmp_path), name)
    end = "\n" if kind == "not-utf8-name" else "\r"
    with open(path, "w", newline="") as f:
        f.write(end.join(["id;a;b;kind", *ROWS]) + end)
    mem, ooc = str(tmp_path / "mem.somz"), str(tmp_path / "ooc.somz")
    assert _train(path, mem) == 0, capsys.readouterr().err
    assert _train(path, ooc, "--out-of-core") == 0, capsys.readouterr().err
    m, o = load_table_map(mem), load_table_map(ooc)
    assert o.recipe.features == m.recipe.features == ("a", "b")
    np.testing.assert_allclose(o.recipe.offset, m.recipe.offset, rtol=1e-9)
    assert o.number_format == m.number_format == {"decimal": ",", "thousands": "", "delimiter": ";"}
    assert not os.listdir(scratch)                                # no link or copy left behind


def _label_line(err_out: str) -> str | None:
    return next((ln for ln in err_out.splitlines() if ln.startswith("label: ")), None)


def _both_labels(path, tmp_path, capsys, *extra):
    """The default label line `train --table` says in memory and out of core (None: no label)."""
    said = []
    for where in ([], ["--out-of-core"]):
        assert main(["train", "--table", str(path), "--width", "2", "--height", "2", "--epochs", "1", "--seed", "1",
                     "--save-map", str(tmp_path / "m.somz"), *extra, *where]) == 0
        out = capsys.readouterr()
        said.append(_label_line(out.out + out.err))
    return said


def _sklearn_csv(path, n=150, features=4, classes=("setosa", "versicolor", "virginica")):
    rng = np.random.default_rng(0)
    lines = [f"{n},{features}," + ",".join(classes)]
    lines += [",".join(f"{v:.1f}" for v in rng.normal(5, 1, features)) + f",{i % len(classes)}" for i in range(n)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_scikit_learn_class_target_is_the_default_label_out_of_core(tmp_path, capsys):
    """iris.csv's metadata line names the classes: its last column is the default label in memory
    (tester13 #9); out of core there was none (the target was only left out of the columns)."""
    f = _sklearn_csv(tmp_path / "iris.csv")
    mem, ooc = _both_labels(f, tmp_path, capsys)
    assert mem == ooc == "label: column4 (the default; --label none to train without one)"
    m = load_table_map(tmp_path / "m.somz")        # the out-of-core map: trained without its label
    assert m.recipe.features == ("column0", "column1", "column2", "column3")


def test_a_chosen_class_target_or_a_line_naming_no_classes_is_no_default_label(tmp_path, capsys):
    f = _sklearn_csv(tmp_path / "iris.csv")
    assert _both_labels(f, tmp_path, capsys, "--columns", "column0,column1,column4") == [None, None]
    g = tmp_path / "plain.csv"                           # rows, features, no class names
    g.write_text("\n".join(["150,4"] + f.read_text().splitlines()[1:]) + "\n")
    assert _both_labels(g, tmp_path, capsys) == [None, None]


def test_numbers_with_decimal_commas_are_no_default_label_out_of_core(tmp_path, capsys):
    """`0,5;1,5;...`: few distinct values, typed text by DuckDB -- out of core took `grade` for the
    label; the in-memory reader reads the column as numbers (the head shows the decimal comma)."""
    f = tmp_path / "eu.csv"
    f.write_text("a;b;grade\n" + "".join(f"{i},25;{(i * 7) % 13},5;{i % 4},5\n" for i in range(80)))
    assert _both_labels(f, tmp_path, capsys) == [None, None]
    assert load_table_map(tmp_path / "m.somz").recipe.features == ("a", "b", "grade")
    # a text column beside them is still the label, both ways
    g = tmp_path / "eu2.csv"
    g.write_text("a;grade;kind\n" + "".join(f"{i},25;{i % 4},5;k{i % 3}\n" for i in range(80)))
    assert _both_labels(g, tmp_path, capsys) == ["label: kind (the default; --label none to train without one)"] * 2


def test_numbers_with_the_marks_given_are_no_default_label_out_of_core(tmp_path, capsys):
    """`1.250;3`: the head shows no decimal comma (1.250 reads as a fraction), --decimal , and
    --thousands . say so; `+1` / `007` cells are numbers in memory with no format at all."""
    f = tmp_path / "given.csv"
    f.write_text("qty;size\n" + "".join(f"{1 + i % 5}.{(i * 37) % 1000:03d};{i % 3},{i % 2}\n" for i in range(80)))
    marks = ["--decimal", ",", "--thousands", "."]
    assert _both_labels(f, tmp_path, capsys, *marks) == [None, None]
    g = tmp_path / "signed.csv"
    g.write_text("x,code,v\n" + "".join(f"{i},{'+' if i % 2 else '00'}{i % 4},{i * 0.5}\n" for i in range(80)))
    assert _both_labels(g, tmp_path, capsys) == [None, None]


def test_text_column_kinds_says_which_columns_read_as_numbers(tmp_path):
    from somdesk.io.chunked import text_column_kinds

    f = tmp_path / "t.csv"
    f.write_text("a;b;kind;c\n" + "".join(f"{i};{i % 3},5;k{i % 2};{'NA' if i == 3 else '+1'}\n" for i in range(20)))
    columns: dict = {}
    kinds, rows = text_column_kinds(str(f), None, (), 51, (",", ""), columns)
    assert kinds == {"kind": 2} and rows == 20
    assert columns == {"a": True, "b": True, "kind": False, "c": True}
    kinds, _ = text_column_kinds(str(f), None, (), 51)        # a decimal point: b's cells are words
    assert kinds == {"b": 3, "kind": 2}


def _frame():
    import pandas as pd
    return pd.DataFrame({"a": (np.arange(60.0) * 3) % 17, "b": (np.arange(60.0) * 7) % 11,
                         "kind": list("xyz") * 20})


@pytest.mark.parametrize("written, name", [("csv", "t.parquet"), ("parquet", "t.csv"), ("ndjson", "t.csv"),
                                           ("csv", "t.json"), ("parquet", "t.json")])
def test_a_misnamed_table_is_read_by_its_content_out_of_core(tmp_path, capsys, written, name):
    """Refused out of core with a rename hint before (left14); now read as in memory, with the
    in-memory warning, in training and in scoring -- the same map both ways."""
    df, path = _frame(), tmp_path / name
    if written == "csv":
        df.to_csv(path, index=False)
    elif written == "parquet":
        df.to_parquet(path)
    else:
        df.to_json(path, orient="records", lines=True)
    mem, ooc = str(tmp_path / "mem.somz"), str(tmp_path / "ooc.somz")
    assert _train(str(path), mem) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert main(["train", "--table", str(path), "--width", "2", "--height", "2", "--epochs", "1", "--seed", "1",
                 "--save-map", ooc, "--out-of-core"]) == 0
    err = capsys.readouterr().err
    assert f"warning: {name} is named like " in err and "it is read as such (renaming it ." in err
    m, o = load_table_map(mem), load_table_map(ooc)
    assert o.recipe.features == m.recipe.features == ("a", "b")
    np.testing.assert_allclose(o.recipe.offset, m.recipe.offset, rtol=1e-9)
    scores = tmp_path / "s.csv"
    assert main(["assign", mem, str(path), "--out-of-core", "--out", str(scores)]) == 0
    assert f"{name} is named like " in capsys.readouterr().err
    assert len(scores.read_text().splitlines()) == 61


def test_a_glob_of_misnamed_and_named_files_is_one_kind_by_content(tmp_path, capsys):
    """Parquet named .csv beside Parquet named .parquet is a glob of Parquet files (it 'mixed'
    Parquet and text by the names); text named .parquet beside Parquet still mixes them."""
    df = _frame()
    d = tmp_path / "d"
    d.mkdir()
    df.to_parquet(d / "one.parquet")
    df.to_parquet(d / "two.csv")
    assert main(["train", "--table", str(d / "*"), "--width", "2", "--height", "2", "--epochs", "1",
                 "--out-of-core", "--save-map", str(tmp_path / "g.somz")]) == 0
    err = capsys.readouterr().err
    assert "two.csv is named like delimited text but holds a Parquet file" in err
    (d / "two.csv").unlink()
    df.to_csv(d / "three.parquet", index=False)
    assert main(["train", "--table", str(d / "*"), "--width", "2", "--height", "2", "--epochs", "1",
                 "--out-of-core", "--save-map", str(tmp_path / "g.somz")]) == 2
    assert "mixes Parquet and text files" in capsys.readouterr().err
