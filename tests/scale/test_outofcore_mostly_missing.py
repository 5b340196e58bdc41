"""Out of core the default columns leave out columns missing in most rows too, and `--missing drop`
keeping under half of the rows says so (tester9 #10, as in memory: tests/tables/test_mostly_missing_columns.py)."""
from __future__ import annotations

import json

import numpy as np

from somdesk.cli import main

N = 400


def _ndjson(path, late_every: int | None = None) -> str:
    rng = np.random.default_rng(1)
    with open(path, "w", encoding="utf-8") as f:
        for i in range(N):
            rec = {"a": round(float(rng.normal()), 3), "b": round(float(rng.normal()), 3)}
            if (late_every is None and i == N - 1) or (late_every is not None and i % late_every == 0):
                rec["late"] = float(i % 7)
            f.write(json.dumps(rec) + "\n")
    return str(path)


def test_a_late_key_is_left_out_of_the_default_columns(tmp_path, capsys):
    path = _ndjson(tmp_path / "e.ndjson")
    out = tmp_path / "m.json"
    assert main(["train", "--table", path, "--out-of-core", "--width", "3", "--height", "3", "--epochs", "2",
                 "--save-map", str(tmp_path / "m.somz"), "--metrics-json", str(out)]) == 0
    got = json.loads(out.read_text())
    assert got["features"] == ["a", "b"] and got["rows"] == N
    assert ("warning: 1 numeric column is mostly missing and is left out of the training columns: 'late' "
            "(missing in 399 of 400 rows); name it in the columns to train on it (--columns)") in capsys.readouterr().err


def test_named_it_is_kept_and_dropping_most_rows_warns(tmp_path, capsys):
    path = _ndjson(tmp_path / "e.ndjson", late_every=3)        # 'late' in a third of the rows
    out = tmp_path / "m.json"
    assert main(["train", "--table", path, "--out-of-core", "--columns", "a,b,late", "--width", "3", "--height",
                 "3", "--epochs", "2", "--save-map", str(tmp_path / "m.somz"), "--metrics-json", str(out)]) == 0
    assert json.loads(out.read_text())["features"] == ["a", "b", "late"]
    err = capsys.readouterr().err
    assert "warning: dropping the rows with a missing value kept 134 of 400 rows; most missing: 'late' (266)" in err


def test_identifiers_are_left_out_as_in_memory(tmp_path, capsys):
    # review10 #2: out of core, an id column and row numbers were default training columns
    rng = np.random.default_rng(3)
    n = 60
    path = tmp_path / "ids.csv"
    path.write_text("customer_id,row,score,age\n" + "".join(
        f"{5000 + 13 * k},{r},{rng.normal():.3f},{rng.integers(18, 80)}\n"
        for k, r in zip(rng.permutation(n), rng.permutation(n) + 1)))
    out = tmp_path / "m.json"
    for extra in ([], ["--out-of-core"]):
        assert main(["train", "--table", str(path), *extra, "--width", "3", "--height", "3", "--epochs", "2",
                     "--save-map", str(tmp_path / "m.somz"), "--metrics-json", str(out)]) == 0
        assert json.loads(out.read_text())["features"] == ["score", "age"]
        err = capsys.readouterr().err
        assert "'customer_id' (named as an identifier); 'row' (distinct whole numbers no larger than the row count" in err
