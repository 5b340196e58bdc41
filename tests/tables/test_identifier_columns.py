"""Columns left out of the default training columns as row identifiers (tester8 #13): only
whole numbers can be keys, and every column left out is named in one warning line."""
from __future__ import annotations

import json

import numpy as np

from somdesk.cli import main
from somdesk.io.tables.table import read_table
from somdesk.session.table_columns import default_columns, default_passive, identifier_warning

from _files import write_text


def _csv(tmp_path, name: str, columns: dict) -> str:
    n = len(next(iter(columns.values())))
    rows = [",".join(str(v[i]) for v in columns.values()) for i in range(n)]
    return write_text(tmp_path, name, ",".join(columns) + "\n" + "\n".join(rows) + "\n")


def test_measurements_named_index_are_trained_on(tmp_path, capsys):
    rng = np.random.default_rng(5)
    n = 200
    path = _csv(tmp_path, "indexcols.csv", {
        "Happiness Index": rng.normal(5, 1, n).round(3), "price_index": rng.normal(100, 5, n).round(2),
        "GDP": rng.normal(3e4, 5e3, n).round(1), "uv_idx": rng.uniform(0, 11, n).round(1)})
    out = tmp_path / "m.json"
    assert main(["train", "--table", path, "--width", "3", "--height", "3", "--epochs", "2",
                 "--save-map", str(tmp_path / "m.somz"), "--metrics-json", str(out)]) == 0
    assert json.loads(out.read_text())["features"] == ["Happiness Index", "price_index", "GDP", "uv_idx"]
    assert "identifier" not in capsys.readouterr().err


def test_row_numbers_and_keys_left_out_are_named_in_one_warning(tmp_path, capsys):
    rng = np.random.default_rng(6)
    n = 40
    path = _csv(tmp_path, "ranks.csv", {"customer_id": rng.permutation(n) * 13 + 5000, "rank": rng.permutation(n) + 1,
                                        "score": rng.normal(0, 1, n).round(3), "age": rng.integers(18, 80, n),
                                        "year": 1990 + rng.permutation(n)})
    tab = read_table(path)
    try:
        # year is no identifier; a date since tester11: shown passive (default_passive), not trained on
        assert default_columns(tab) == ("score", "age") and default_passive(tab) == ("year",)
        w = identifier_warning(tab)
    finally:
        tab.close()
    assert "'customer_id' (named as an identifier)" in w and "'rank' (distinct whole numbers" in w and "--columns" in w
    assert main(["train", "--table", path, "--width", "3", "--height", "3", "--epochs", "2",
                 "--save-map", str(tmp_path / "m.somz")]) == 0
    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if "row identifiers" in line] == [f"warning: {w}"]
    # named, they train; no warning then
    assert main(["train", "--table", path, "--columns", "rank,score", "--width", "3", "--height", "3",
                 "--epochs", "2", "--save-map", str(tmp_path / "m2.somz")]) == 0
    assert "row identifiers" not in capsys.readouterr().err


def test_identifiers_alone_stay_in_without_a_warning(tmp_path):
    path = _csv(tmp_path, "ids.csv", {"id": np.arange(1, 31), "label": ["xy"[i % 2] for i in range(30)]})
    tab = read_table(path)
    try:
        assert default_columns(tab, "label") == ("id",) and identifier_warning(tab, "label") is None
    finally:
        tab.close()


def test_each_column_is_judged_once_per_table(tmp_path, monkeypatch, capsys):
    # closing7: identifier_warning and default_columns each judged every numeric column (np.unique
    # twice on train --table's path); now once per table, whoever asks first
    import somdesk.session.table_columns as td      # where the default columns are chosen

    real, judged = td._identifier_reason, []
    monkeypatch.setattr(td, "_identifier_reason", lambda t, c: judged.append((id(t), c)) or real(t, c))
    rng = np.random.default_rng(7)
    n = 40
    path = _csv(tmp_path, "ranks.csv", {"row_id": rng.permutation(n) + 100, "rank": rng.permutation(n) + 1,
                                        "score": rng.normal(0, 1, n).round(3), "label": ["ab"[i % 2] for i in range(n)]})
    assert main(["train", "--table", path, "--width", "3", "--height", "3", "--epochs", "2",
                 "--save-map", str(tmp_path / "m.somz"), "-q"]) == 0, capsys.readouterr().err
    assert sorted(c for _, c in judged) == ["rank", "row_id", "score"]          # once each
    judged.clear()
    tab = read_table(path)
    try:
        assert default_columns(tab) == ("score",) and "'row_id'" in identifier_warning(tab)
        assert sorted(c for _, c in judged) == ["rank", "row_id", "score"]
    finally:
        tab.close()
    other = read_table(path)                     # another table: judged again
    try:
        default_columns(other)
    finally:
        other.close()
    assert len(judged) == 6


def test_keys_named_no_nr_number_or_glued_id_are_left_out_whatever_their_range(tmp_path):
    """tester9 #5: userid, customerid, CustNo, order_number, account_nr starting at 100001 were
    trained on as measurements; whole numbers under such names that repeat (counts) are kept."""
    rng = np.random.default_rng(9)
    n = 60
    path = _csv(tmp_path, "ids2.csv", {
        "userid": rng.permutation(n) + 50001, "customerid": rng.permutation(n) + 7000,
        "CustNo": rng.permutation(n) + 100001, "order_number": 90000 + 7 * rng.permutation(n),
        "account_nr": rng.permutation(n) + 4400000, "product_code": rng.permutation(n) * 3 + 10,
        "number_of_children": rng.integers(0, 4, n), "amount_paid": rng.permutation(n) + 300,
        "year": 1950 + rng.permutation(n), "spend": rng.normal(50, 9, n).round(2)})
    tab = read_table(path)
    try:
        assert default_columns(tab) == ("number_of_children", "amount_paid", "spend")
        assert default_passive(tab) == ("year",)          # a date (tester11), not a key
        w = identifier_warning(tab)
    finally:
        tab.close()
    for key in ("userid", "customerid", "CustNo", "order_number", "account_nr", "product_code"):
        assert f"'{key}' (distinct whole numbers named as a key)" in w
