"""testerG #2 and #8: scoring new data with `somdesk assign`.

A placing column blank in every row is scored as that cell missing in every row (as when one
row has a value), with one warning naming it and no number-format hint; a text cell in a
numeric column names `--also-missing` (or, with tokens in force, `--missing-values`) with the
texts, and the number-format hint is kept for a cell that looks like a number written another way."""
from __future__ import annotations

import csv

import numpy as np
import pytest

from somdesk.cli import main

COLUMNS = ["id", "age", "visits", "spend"]


def _rows(n, seed):
    rng = np.random.default_rng(seed)
    return [[f"C{i}", f"{rng.integers(18, 80)}", f"{rng.integers(0, 30)}", f"{rng.normal(400, 120):.2f}"]
            for i in range(n)]


def _write(path, rows):
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([COLUMNS, *rows])
    return str(path)


@pytest.fixture(scope="module", params=["train", "drop", "mean"])
def trained(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"m-{request.param}")
    data = _write(folder / "train.csv", _rows(80, 1))
    m = str(folder / "m.somz")
    assert main(["train", "--table", data, "--columns", "age,visits,spend", "--missing", request.param,
                 "--width", "4", "--height", "3", "--epochs", "3", "--save-map", m, "-q"]) == 0
    return request.param, m


def _score(m, data, out, capsys, *extra):
    capsys.readouterr()
    code = main(["assign", m, data, "--out", str(out), *extra])
    err = capsys.readouterr().err
    rows = list(csv.DictReader(open(out, newline=""))) if code == 0 else None
    return code, err, rows


def test_a_column_blank_in_every_row_scores_as_when_one_row_has_a_value(trained, tmp_path, capsys):
    mode, m = trained
    rows = _rows(6, 2)
    for r in rows:
        r[2] = ""                                      # visits: blank in every row
    code, err, blank = _score(m, _write(tmp_path / "blank.csv", rows), tmp_path / "b.csv", capsys)
    assert code == 0, err
    assert err.count("'visits'") == 1 and "has no values" in err and "scored as missing in every row" in err
    assert "decimal" not in err and "number format" not in err          # no number-format hint
    rows[0][2] = "12"                                  # the same rows with one value: scored the same way
    code, _, almost = _score(m, _write(tmp_path / "almost.csv", rows), tmp_path / "a.csv", capsys)
    assert code == 0
    assert [r["present"] for r in blank] == ["2"] * 6
    assert [r["present"] for r in almost] == ["3"] + ["2"] * 5
    for a, b in zip(blank[1:], almost[1:]):            # rows 1.. are identical in both files
        assert a == b


def test_a_single_row_file_missing_a_value_is_scored(trained, tmp_path, capsys):
    _, m = trained
    code, err, rows = _score(m, _write(tmp_path / "one.csv", [["C1", "40", "", "300"]]), tmp_path / "o.csv", capsys)
    assert code == 0, err
    assert len(rows) == 1 and rows[0]["present"] == "2" and rows[0]["segment"] != "-1"


def test_a_text_cell_in_a_numeric_column_names_missing_values(trained, tmp_path, capsys):
    _, m = trained
    rows = _rows(8, 3)
    rows[3][1] = "thirty"
    rows[5][3] = "n/a?"
    data = _write(tmp_path / "text.csv", rows)
    code, err, _ = _score(m, data, tmp_path / "t.csv", capsys)
    assert code == 2
    assert "line 5 has 'thirty'" in err and "'n/a?'" in err
    assert "--also-missing 'thirty,n/a?'" in err          # the usual NA, N/A ... kept (fixV)
    assert "decimal" not in err and "thousands" not in err
    assert len(err.strip().splitlines()) == 1
    # the way forward it names works: every row scored, those cells missing
    code, err, scored = _score(m, data, tmp_path / "t.csv", capsys, "--also-missing", "thirty,n/a?")
    assert code == 0, err
    assert len(scored) == 8 and scored[3]["present"] == "2" and scored[5]["present"] == "2"


def test_missing_values_in_force_are_kept_in_the_advice(trained, tmp_path, capsys):
    _, m = trained
    rows = _rows(5, 4)
    rows[1][1], rows[2][3] = "-999", "unknown"
    code, err, _ = _score(m, _write(tmp_path / "t.csv", rows), tmp_path / "t.csv.out.csv", capsys,
                          "--missing-values", "-999")
    assert code == 2 and "--missing-values -999,unknown" in err


def test_a_number_written_another_way_keeps_the_number_format_hint(trained, tmp_path, capsys):
    _, m = trained
    rows = _rows(5, 5)
    rows[2][3] = "1.234,5"
    code, err, _ = _score(m, _write(tmp_path / "n.csv", rows), tmp_path / "n-out.csv", capsys)
    assert code == 2
    assert "'1.234,5'" in err and "--missing-values" not in err and "--also-missing" not in err


def test_in_chunks_a_blank_column_is_warned_and_a_text_cell_names_missing_values(trained, tmp_path, capsys):
    _, m = trained
    rows = _rows(6, 6)
    for r in rows:
        r[2] = ""
    code, err, blank = _score(m, _write(tmp_path / "blank.csv", rows), tmp_path / "b.csv", capsys, "--out-of-core")
    assert code == 0, err
    assert err.count("'visits' has no values") == 1 and [r["present"] for r in blank] == ["2"] * 6
    rows = _rows(6, 7)
    rows[1][1] = "thirty"
    code, err, _ = _score(m, _write(tmp_path / "text.csv", rows), tmp_path / "t.csv", capsys, "--out-of-core")
    assert code == 2 and "holds 'thirty'" in err and "--also-missing thirty" in err and "--decimal" not in err
