"""Columns missing in most rows are not default training columns (tester9 #10: an NDJSON key that
appears in one late record became a training column, and `--missing drop` then kept 1 row)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from somdesk.cli import main
from somdesk.io.tables.table import read_table
from somdesk.session.table_columns import default_columns, identifier_warning

N = 400


def _ndjson(path, late_every: int | None = None) -> str:
    """N records of id, a, b; 'late' only in the last one, or also in every `late_every`-th."""
    rng = np.random.default_rng(1)
    with open(path, "w", encoding="utf-8") as f:
        for i in range(N - 1):
            rec = {"id": i + 1, "a": round(float(rng.normal()), 3), "b": round(float(rng.normal()), 3)}
            if late_every and i % late_every == 0:
                rec["late"] = round(float(rng.normal()), 3)
            f.write(json.dumps(rec) + "\n")
        f.write(json.dumps({"id": N, "a": 0.5, "b": 0.25, "late": 9.0}) + "\n")
    return str(path)


def test_a_late_key_is_left_out_and_named_with_the_identifiers(tmp_path):
    tab = read_table(_ndjson(tmp_path / "e.ndjson"))
    try:
        assert default_columns(tab) == ("a", "b")
        w = identifier_warning(tab)
    finally:
        tab.close()
    assert w == ("2 numeric columns look like row identifiers (1) or are mostly missing (1) and are left out of "
                 "the training columns: 'id' (named as an identifier); 'late' (missing in 399 of 400 rows); name "
                 "them in the columns to train on them (--columns)")


def test_train_keeps_the_rows_and_says_why(tmp_path, capsys):
    path = _ndjson(tmp_path / "e.ndjson")
    out = tmp_path / "m.json"
    assert main(["train", "--table", path, "--width", "3", "--height", "3", "--epochs", "2",
                 "--save-map", str(tmp_path / "m.somz"), "--metrics-json", str(out)]) == 0
    got = json.loads(out.read_text())
    assert got["features"] == ["a", "b"] and got["rows"] == N
    err = capsys.readouterr().err
    assert "'late' (missing in 399 of 400 rows)" in err


def test_a_named_mostly_missing_column_is_kept_and_drop_warns(tmp_path, capsys):
    path = _ndjson(tmp_path / "e.ndjson", late_every=10)          # 'late' in 41 of 400 rows
    out = tmp_path / "m.json"
    assert main(["train", "--table", path, "--columns", "a,b,late", "--width", "2", "--height", "1",
                 "--epochs", "2", "--save-map", str(tmp_path / "m.somz"), "--metrics-json", str(out)]) == 0
    got = json.loads(out.read_text())
    assert got["features"] == ["a", "b", "late"] and got["rows"] == 41
    err = capsys.readouterr().err
    assert ("warning: dropping the rows with a missing value kept 41 of 400 rows; most missing: 'late' (359); "
            "leave such columns out, or keep the rows") in err


def test_a_drop_that_leaves_one_row_is_refused_saying_so(tmp_path, capsys):
    # fixK (drop warns) x fixM (one row is refused, tester10 #4 / review10 #8): the refusal says what happened
    path = _ndjson(tmp_path / "e.ndjson")
    assert main(["train", "--table", path, "--columns", "a,b,late", "--width", "2", "--height", "1",
                 "--epochs", "2", "--save-map", str(tmp_path / "m.somz")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "left 1 of 400 rows" in err and not (tmp_path / "m.somz").exists()


def test_mostly_missing_columns_left_out_but_for_a_table_of_nothing_else(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("x,y,z\n" + "".join(f"{i * 0.5},{'' if i % 3 else i},{'' if i % 3 else i * 2}\n"
                                          for i in range(30)))
    tab = read_table(path)
    try:
        assert tab.missing_count("y") == 20
        assert default_columns(tab) == ("x",)
        assert "'y' (missing in 20 of 30 rows); 'z' (missing in 20 of 30 rows)" in identifier_warning(tab)
    finally:
        tab.close()
    path.write_text("y,z\n" + "".join(f"{'' if i % 3 else i},{'' if i % 3 else i * 2}\n" for i in range(30)))
    tab = read_table(path)
    try:
        assert default_columns(tab) == ("y", "z") and identifier_warning(tab) is None
    finally:
        tab.close()


@pytest.mark.parametrize("missing", [10, 15])
def test_half_missing_is_not_mostly(tmp_path, missing):
    rng = np.random.default_rng(2)
    y = rng.normal(size=30).round(3).astype(object)
    y[:missing] = ""
    path = tmp_path / "h.csv"
    path.write_text("x,y\n" + "".join(f"{rng.normal():.3f},{v}\n" for v in y))
    tab = read_table(path)
    try:
        assert default_columns(tab) == ("x", "y") and identifier_warning(tab) is None
    finally:
        tab.close()


def test_the_windows_ticks_follow_the_same_rule(tmp_path):
    from somdesk.session.table_workspace import TableWorkspace

    ws = TableWorkspace()
    ws.set_table(read_table(_ndjson(tmp_path / "e.ndjson")), str(tmp_path / "e.ndjson"))
    try:
        assert default_columns(ws.table, ws.spec.label if ws.spec else None) == ("a", "b")
        tm = ws.train(ws.spec)
        assert list(tm.recipe.columns) == ["a", "b"]
    finally:
        ws.table.close()
