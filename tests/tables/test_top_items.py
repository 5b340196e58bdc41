"""Top items per segment for a ratings table (issue 13's recommender use case; tester8 #6: the
library function had no caller): `train --table --top-items`, and the HTML report."""
from __future__ import annotations

import csv

import numpy as np
import pandas as pd

from somdesk.cli import main

ITEMS = [f"movie_{j:02d}" for j in range(12)]
FAVOURITES = {0: ITEMS[0:4], 1: ITEMS[4:8], 2: ITEMS[8:12]}      # each taste group's own items


def _ratings(tmp_path) -> str:
    rng = np.random.default_rng(3)
    n = 300
    group = rng.integers(0, 3, n)
    r = rng.integers(1, 3, (n, len(ITEMS))).astype(float)           # 1-2 for the others' items
    for g, favs in FAVOURITES.items():
        cols = [ITEMS.index(f) for f in favs]
        r[np.ix_(group == g, cols)] = rng.integers(4, 6, ((group == g).sum(), len(cols)))
    r[rng.random(r.shape) < 0.4] = np.nan                            # 40 % not rated
    path = tmp_path / "ratings.csv"
    pd.DataFrame(r, columns=ITEMS).assign(user=[f"u{i}" for i in range(n)]).to_csv(path, index=False)
    return str(path)


def test_top_items_per_segment_are_the_segments_favourites(tmp_path, capsys):
    data = _ratings(tmp_path)
    assert main(["train", "--table", data, "--missing", "train", "--clusters", "3", "--seed", "1",
                 "--save-map", str(tmp_path / "m.somz"), "--top-items", str(tmp_path / "top.csv"), "--top-n", "4",
                 "--report", str(tmp_path / "r.html"), "-q"]) == 0, capsys.readouterr().err
    rows = list(csv.DictReader(open(tmp_path / "top.csv", encoding="utf-8")))
    assert list(rows[0]) == ["segment", "rank", "item", "mean", "ratings", "lift"]
    by_segment: dict[str, list] = {}
    for r in rows:
        by_segment.setdefault(r["segment"], []).append(r)
    assert len(by_segment) == 3 and all(len(v) == 4 for v in by_segment.values())
    found = sorted(sorted(r["item"] for r in v) for v in by_segment.values())
    assert found == sorted(sorted(f) for f in FAVOURITES.values())       # each segment: one group's items
    for v in by_segment.values():
        means = [float(r["mean"]) for r in v]
        assert means == sorted(means, reverse=True) and min(means) >= 4 and all(float(r["lift"]) > 1 for r in v)
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<h2>Top items per segment</h2>" in page and "movie_00" in page


def test_without_top_items_the_report_has_no_section_and_top_n_is_checked(tmp_path, capsys):
    data = _ratings(tmp_path)
    assert main(["train", "--table", data, "--missing", "train", "--seed", "1", "--save-map",
                 str(tmp_path / "m.somz"), "--report", str(tmp_path / "r.html"), "-q"]) == 0
    assert "Top items" not in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert main(["train", "--table", data, "--save-map", str(tmp_path / "m.somz"), "--top-items",
                 str(tmp_path / "t.csv"), "--top-n", "0"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == ["error: --top-n must be at least 1, got 0"]


def test_top_items_out_of_core_is_refused_like_the_profiles(tmp_path, capsys):
    # review8: --top-items was silently ignored with --out-of-core / --dask / a glob
    data = _ratings(tmp_path)
    assert main(["train", "--table", data, "--out-of-core", "--mode", "batch", "--save-map",
                 str(tmp_path / "oc.somz"), "--top-items", str(tmp_path / "top.csv")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--top-items read the whole table in memory" in err[0]
    assert not (tmp_path / "top.csv").exists() and not (tmp_path / "oc.somz").exists()


def test_an_item_a_segment_rates_below_the_table_is_not_its_top_item():
    # tester9 #3: ranked by the mean alone, an item everybody rates high topped every list,
    # also where the segment rates it below the table (negative lift)
    from somdesk.session.segments import top_items

    seg = np.repeat([0, 1, 2], 20)
    r = np.full((60, 3), 2.0)
    r[:, 0] = np.where(seg == 0, 5.0, 4.6)        # everybody's favourite, segment 0 most of all
    r[seg == 1, 1] = 3.0                          # segment 1's own, rated lower than item 0
    top = top_items(r, ["hit", "niche", "dull"], seg, n=3)
    assert [e[0] for e in top[0]] == ["hit"]                  # lift +0.27
    assert [e[0] for e in top[1]] == ["niche"]                # "hit" (4.6, lift -0.13) is left out
    assert top[2] == [] and all(e[3] > 0 for v in top.values() for e in v)


def test_columns_on_different_scales_are_refused_even_with_q(tmp_path, capsys):
    # tester9 #3 warned; tester13 #4: under -q the warning was silenced and a ranking of grams
    # against millimetres was written with exit status 0 -- now refused before training
    rng = np.random.default_rng(2)
    n = 120
    path = tmp_path / "animals.csv"
    pd.DataFrame({"mass_g": rng.normal(4000, 600, n).round(), "bill_mm": rng.normal(17, 2, n).round(1),
                  "fin_mm": rng.normal(200, 14, n).round()}).to_csv(path, index=False)
    for quiet in ([], ["-q"]):
        assert main(["train", "--table", str(path), "--seed", "1", "--save-map", str(tmp_path / "m.somz"),
                     "--top-items", str(tmp_path / "t.csv"), *quiet]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith(
            "error: --top-items ranks columns of ratings on one scale (a ratings table, users x items), but these "
            "columns are on different scales: 'bill_mm' averages ") and "'mass_g' 4,0" in err
        assert not (tmp_path / "t.csv").exists() and not (tmp_path / "m.somz").exists()
    # the columns of one scale, named, are ranked
    assert main(["train", "--table", str(path), "--columns", "bill_mm", "--seed", "1", "--epochs", "2",
                 "--save-map", str(tmp_path / "m.somz"), "--top-items", str(tmp_path / "t.csv")]) == 0
    data = _ratings(tmp_path)
    assert main(["train", "--table", data, "--missing", "train", "--seed", "1", "--save-map",
                 str(tmp_path / "r.somz"), "--top-items", str(tmp_path / "r.csv")]) == 0
    assert "different scales" not in capsys.readouterr().err
