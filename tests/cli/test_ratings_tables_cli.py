"""testerG #3, #4 on the command line: the drop refusal of a ratings table names --missing train
(not the window's words), and zeros that may mean "not rated" are warned by `table info` and
`train --table` (--top-items too) in the flag's words (--also-missing 0, which keeps the usual
missing-value words: fixV), once, and not with --also-missing 0."""
from __future__ import annotations

from somdesk.cli import main
from tests.session.test_sparse_ratings import ratings_csv


def test_train_refusal_under_drop_names_missing_train(tmp_path, capsys):
    path = ratings_csv(tmp_path / "r.csv")
    assert main(["train", "--table", str(path), "--save-map", str(tmp_path / "m.somz")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "--missing train" in err[0], err
    assert "Missing values" not in err[0]
    assert not (tmp_path / "m.somz").exists()


def test_table_info_warns_of_zeros_that_may_mean_not_rated(tmp_path, capsys):
    path = ratings_csv(tmp_path / "r.csv")
    assert main(["table", "info", str(path)]) == 0
    err = capsys.readouterr().err
    lines = [w for w in err.splitlines() if "not rated" in w]
    assert len(lines) == 1 and "8 columns (other values 1-5)" in lines[0] and "--also-missing 0" in lines[0], err
    assert "import preview" not in err
    assert main(["table", "info", str(path), "--also-missing", "0"]) == 0
    assert "not rated" not in capsys.readouterr().err


def test_train_and_top_items_warn_of_the_zeros_once(tmp_path, capsys):
    path = ratings_csv(tmp_path / "r.csv")
    args = ["train", "--table", str(path), "--missing", "train", "--save-map", str(tmp_path / "m.somz"),
            "--top-items", str(tmp_path / "top.csv"), "--seed", "1", "--report", str(tmp_path / "r.html")]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert sum("not rated" in w for w in err.splitlines()) == 1 and "--also-missing 0" in err, err
    page = (tmp_path / "r.html").read_text(encoding="utf-8")      # a reader of the report is told both ways
    assert "may mean &#x27;not rated&#x27;" in page
    assert "--also-missing 0 (in the window: the Setup tab&#x27;s Read 0 as missing button)" in page
    assert main(args + ["--also-missing", "0"]) == 0
    assert "not rated" not in capsys.readouterr().err
    assert "not rated" not in (tmp_path / "r.html").read_text(encoding="utf-8")
