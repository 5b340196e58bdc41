"""With `--missing train` a sparse column is a default training column (tester13 #2: a ratings
table, users x films, ~50% missing, trained on 8 of its 20 films, and the top items ranked only
those); only a column with fewer than MIN_PRESENT values is left out.  drop/mean/median keep the
"mostly missing" rule (tests/tables/test_mostly_missing_columns.py)."""
from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from somdesk.cli import main
from somdesk.io.tables.table import read_table
from somdesk.session.table_columns import MIN_PRESENT, default_columns, identifier_warning

N = 200
FILMS = [f"film_{j}" for j in range(8)]


def _ratings(path) -> str:
    """N users x 8 films rated 1-5 by about 10% of the users each (every user rates at least one),
    and 'rare' rated by 3 users."""
    rng = np.random.default_rng(5)
    r = rng.integers(1, 6, (N, len(FILMS))).astype(float)
    r[rng.random(r.shape) > 0.1] = np.nan
    r[np.arange(N), np.arange(N) % len(FILMS)] = 3.0
    rare = np.full(N, np.nan)
    rare[[3, 50, 120]] = 4.0
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["user", *FILMS, "rare"])
        for i in range(N):
            w.writerow([f"u{i}", *("" if np.isnan(v) else int(v) for v in r[i]), "" if np.isnan(rare[i]) else 4])
    return str(path)


def test_train_keeps_sparse_items_and_leaves_out_the_near_empty(tmp_path):
    tab = read_table(_ratings(tmp_path / "r.csv"))
    try:
        assert all(tab.missing_count(c) > N // 2 for c in FILMS)
        assert default_columns(tab, None, "train") == tuple(FILMS)
        assert identifier_warning(tab, None, "train") == (
            "1 numeric column is almost empty and is left out of the training columns: 'rare' (present in 3 of "
            "200 rows); name it in the columns to train on it (--columns)")
        for policy in ("drop", "mean", "median"):         # unchanged: most rows missing, left out
            assert default_columns(tab, None, policy) == tuple(FILMS + ["rare"])   # nothing else: all stay
    finally:
        tab.close()
    assert MIN_PRESENT == 5


def test_drop_still_leaves_out_mostly_missing_beside_full_columns(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("a,b,s\n" + "".join(f"{i * 0.5},{i % 7},{'' if i % 4 else i}\n" for i in range(40)))
    tab = read_table(path)
    try:
        assert default_columns(tab, None, "drop") == ("a", "b")
        assert default_columns(tab, None, "train") == ("a", "b", "s")
    finally:
        tab.close()


@pytest.mark.parametrize("extra", [[], ["--out-of-core"]])
def test_cli_top_items_cover_every_item(tmp_path, capsys, extra):
    data = _ratings(tmp_path / "r.csv")
    metrics = tmp_path / "m.json"
    top = ["--top-items", str(tmp_path / "top.csv")] if not extra else []
    assert main(["train", "--table", data, "--missing", "train", "--seed", "1", "--epochs", "3", *extra,
                 "--save-map", str(tmp_path / "r.somz"), "--metrics-json", str(metrics), *top]) == 0
    assert json.loads(metrics.read_text())["features"] == FILMS
    err = capsys.readouterr().err
    assert "'rare' (present in 3 of 200 rows)" in err and "film_" not in err
    if top:
        from somdesk.session.report import table_top_items
        from somdesk.session.scoring import load_table_map
        tab = read_table(data)
        try:
            got = table_top_items(load_table_map(str(tmp_path / "r.somz")), tab, n=20)
        finally:
            tab.close()
        ranked = {e[0] for entries in got.values() for e in entries}
        assert ranked and ranked <= set(FILMS)
        with open(tmp_path / "top.csv", encoding="utf-8") as f:
            assert {row["item"] for row in csv.DictReader(f)} <= set(FILMS)


def test_top_items_under_mean_says_train_keeps_the_sparse_items(tmp_path, capsys):
    path = tmp_path / "w.csv"                      # a full item beside sparse ones
    rng = np.random.default_rng(4)
    rows = []
    for i in range(120):
        a = int(rng.integers(1, 6))
        s = "" if i % 3 else int(rng.integers(1, 6))
        rows.append(f"{a},{s},{int(rng.integers(1, 6))}\n")
    path.write_text("a,s,b\n" + "".join(rows))
    assert main(["train", "--table", str(path), "--missing", "mean", "--epochs", "2", "--save-map",
                 str(tmp_path / "m.somz"), "--top-items", str(tmp_path / "t.csv")]) == 0
    err = capsys.readouterr().err
    assert ("warning: --top-items ranks only the items trained on; 1 item missing in most rows is left out: for a "
            "ratings table, where an empty cell means not rated, --missing train keeps them") in err
    assert main(["train", "--table", str(path), "--missing", "train", "--epochs", "2", "--save-map",
                 str(tmp_path / "m.somz"), "--top-items", str(tmp_path / "t.csv")]) == 0
    assert "left out" not in capsys.readouterr().err
