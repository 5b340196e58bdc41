"""Segments, profiles, top items, table maps saved/reopened, scoring and the report."""
import csv
import re

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from somdesk.core.cancel import CancelToken
from somdesk.errors import Cancelled, FileFormatError, OptionError
from somdesk.io.tables.table import read_table
from somdesk.session.report import report_html, table_profiles, write_report
from somdesk.session.scoring import load_table_map, save_table_map, score_file
from somdesk.session.segments import (cluster_nodes, davies_bouldin, profiles_png, segment_profiles,
                                      silhouette, top_items, write_profiles_csv)
from somdesk.session.table_assign import assign_table
from somdesk.session.table_data import TableMapSpec, train_table_map

from _files import sklearn_csv, write_text


@pytest.fixture(scope="module")
def wine():
    tab = read_table(sklearn_csv("wine_data.csv"))
    tm, prep = train_table_map(tab, TableMapSpec(label=tab.columns[-1]))
    return tab, tm, prep


def test_wine_segments_match_the_classes_and_k_is_suggested(wine):
    tab, tm, _ = wine
    assert tm.curve["suggested"] == 3 and tm.k == 3          # k came from the validity curve
    rows, a = next(assign_table(tm, tab))
    ari = adjusted_rand_score(tab.values(tab.columns[-1]), a["segment"])
    assert ari > 0.75, ari                                     # k-means on the rows: 0.90
    assert tm.topographic_error < 0.05
    assert len(tm.curve["k"]) == len(tm.curve["davies_bouldin"]) == len(tm.curve["silhouette"])


def test_validity_indices_on_obvious_clusters():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 0.1, (30, 2)), rng.normal(5, 0.1, (30, 2))])
    good = np.repeat([0, 1], 30)
    bad = np.tile([0, 1], 30)
    assert davies_bouldin(x, good) < 0.1 < davies_bouldin(x, bad)
    assert silhouette(x, good) > 0.9 > silhouette(x, bad)
    codebook = np.concatenate([rng.normal(0, 0.1, (4, 4, 2)), rng.normal(5, 0.1, (4, 4, 2))], axis=0)
    seg = cluster_nodes(codebook)
    assert seg.k == 2 and set(seg.labels[:4].ravel()) != set(seg.labels[4:].ravel())


def test_profiles_and_exports(tmp_path):
    values = np.array([[1.0, 10.0], [3.0, 10.0], [10.0, 0.0], [12.0, np.nan]])
    prof = segment_profiles(values, ["a", "b"], np.array([0, 0, 1, 1]))
    assert prof["size"].tolist() == [2, 2] and prof["mean"].tolist() == [[2.0, 10.0], [11.0, 0.0]]
    sd = values[:, 0].std()
    assert prof["z"][0, 0] == pytest.approx((2.0 - 6.5) / sd)
    p = tmp_path / "prof.csv"
    write_profiles_csv(p, prof)
    rows = list(csv.DictReader(open(p, encoding="utf-8")))
    assert len(rows) == 4 and rows[0]["segment"] == "0" and rows[0]["column"] == "a" and rows[0]["mean"] == "2"
    img = profiles_png(prof)
    assert img.size[0] > 200 and img.size[1] > 40


def test_the_profiles_picture_of_a_wide_table_draws_the_columns_that_differ_most(tmp_path):
    # tester6 F12: 5,000 columns drew a 70,000-pixel-tall picture for 4 s on the GUI thread
    from somdesk.session.segments import MAX_PROFILE_COLUMNS, shown_profile_columns

    rng = np.random.default_rng(0)
    seg = np.repeat([0, 1, 2], 50)
    values = rng.normal(0, 1, (150, 3000))
    differ = np.array([7, 1500, 2999])
    values[np.ix_(seg == 1, differ)] += 4.0
    prof = segment_profiles(values, [f"c{j}" for j in range(3000)], seg)
    keep = shown_profile_columns(prof)
    assert len(keep) == MAX_PROFILE_COLUMNS and list(keep) == sorted(keep) and set(differ) <= set(keep)
    img = profiles_png(prof)
    small = profiles_png(segment_profiles(values[:, :MAX_PROFILE_COLUMNS], [f"c{j}" for j in range(40)], seg))
    import inspect
    font_px = inspect.signature(profiles_png).parameters["font_px"].default
    from somdesk.render.legend import text_font
    from somdesk.session.segments import PROFILES_CAPTION, _wrapped

    def caption_h(width):      # the caption wraps to the picture's width (names widen the panels)
        return len(_wrapped(PROFILES_CAPTION.format(max_z=2.5), text_font(font_px), width - 12)) * (font_px + 6)

    # 40 bars a panel, and the line saying which
    assert img.size[1] - caption_h(img.size[0]) == small.size[1] - caption_h(small.size[0]) + font_px + 10
    p = tmp_path / "prof.csv"
    write_profiles_csv(p, prof)
    assert len(list(csv.DictReader(open(p, encoding="utf-8")))) == 3 * 3000      # the CSV keeps every column


def test_top_items_for_a_ratings_table():
    rng = np.random.default_rng(3)
    users, items = 60, 8
    r = rng.integers(1, 3, (users, items)).astype(float)
    seg = np.repeat([0, 1], 30)
    r[seg == 0, 2] = 5          # segment 0 loves item 2
    r[seg == 1, 6] = 5          # segment 1 loves item 6
    r[rng.random(r.shape) < 0.1] = np.nan
    top = top_items(r, [f"item{j}" for j in range(items)], seg, n=3)
    assert top[0][0][0] == "item2" and top[1][0][0] == "item6"
    assert top[0][0][3] > 1.0                          # lift against all users


def test_save_load_and_assign_reproduce_training_exactly(wine, tmp_path):
    tab, tm, _ = wine
    path = tmp_path / "wine.somz"
    save_table_map(tm, path)
    back = load_table_map(path)
    assert np.array_equal(back.codebook, tm.codebook) and np.array_equal(back.clusters, tm.clusters)
    assert back.recipe.features == tm.recipe.features
    a1 = np.concatenate([b["segment"] for _, b in assign_table(tm, tab)])
    a2 = np.concatenate([b["segment"] for _, b in assign_table(back, tab)])
    assert np.array_equal(a1, a2)
    out = tmp_path / "scores.csv"
    n, warnings = score_file(back, sklearn_csv("wine_data.csv"), out)
    assert n == 178 and warnings == []
    got = list(csv.DictReader(open(out, encoding="utf-8")))
    assert [int(g["segment"]) for g in got] == a1.tolist()


def test_colour_map_is_not_a_table_map(tmp_path):
    from somdesk.core import SOM, SOMConfig
    from somdesk.io.mapfile import save_map
    som = SOM(np.random.default_rng(0).random((5, 3)), SOMConfig(width=2, height=2, iterations=1, seed=0))
    save_map(som, tmp_path / "c.somz")
    with pytest.raises(FileFormatError, match="not of a table"):
        load_table_map(tmp_path / "c.somz")


def test_scoring_new_data_with_missing_extra_and_unknown_values(tmp_path):
    train = write_text(tmp_path, "train.csv", "a,b,colour\n" + "".join(
        f"{i % 5},{(i * 7) % 11},{'red' if i % 2 else 'blue'}\n" for i in range(60)))
    tab = read_table(train)
    tm, _ = train_table_map(tab, TableMapSpec(columns=("a", "b", "colour"), clusters=3, missing="mean"))
    new = write_text(tmp_path, "new.csv", "b,a,colour,extra\n3,1,green,9\n,2,red,9\n100,100,red,9\n")
    n, warnings = score_file(tm, new, tmp_path / "s.csv")
    assert n == 3 and any("'extra'" in w for w in warnings)
    rows = list(csv.DictReader(open(tmp_path / "s.csv", encoding="utf-8")))
    assert rows[2]["outlier"] == "true" and rows[0]["outlier"] == "false"
    bad = write_text(tmp_path, "bad.csv", "a,colour\n1,red\n")
    with pytest.raises(FileFormatError, match="no column.*'b'"):
        score_file(tm, bad, tmp_path / "t.csv")


def test_training_with_missing_values_and_passive_columns(tmp_path):
    rng = np.random.default_rng(4)
    x = np.concatenate([rng.normal(0, 1, (80, 3)), rng.normal(6, 1, (80, 3))])
    x[rng.random(x.shape) < 0.15] = np.nan
    body = "".join(",".join("" if np.isnan(v) else f"{v:.4f}" for v in r) + f",{i % 9}\n" for i, r in enumerate(x))
    tab = read_table(write_text(tmp_path, "m.csv", "p,q,r,shown\n" + body))
    tm, prep = train_table_map(tab, TableMapSpec(columns=("p", "q", "r", "shown"), passive=("shown",),
                                                 missing="train", clusters=2))
    assert np.isnan(prep.data).any() and tm.passive.shape[2] == 1
    names, planes = tm.planes()
    assert names == ["p", "q", "r", "shown"] and np.isfinite(planes[:, :, :3]).all()
    seg = np.concatenate([b["segment"] for _, b in assign_table(tm, tab)])
    truth = np.repeat([0, 1], 80)
    assert adjusted_rand_score(truth, seg) > 0.9


def test_training_is_cancellable():
    tab = read_table(sklearn_csv("iris.csv"))
    tok = CancelToken()
    calls = []

    def progress(done, total):
        calls.append(done)
        if done == 3:
            tok.cancel()
    with pytest.raises(Cancelled):
        train_table_map(tab, TableMapSpec(), cancel=tok, progress=progress)
    assert calls[-1] == 3


def test_report_is_self_contained(wine, tmp_path):
    tab, tm, _ = wine
    prof = table_profiles(tm, tab)
    text = report_html(tm, prof, "wine")
    assert text.startswith("<!DOCTYPE html>")
    assert not re.search(r"(src|href)=\"(?!data:)", text) and "<script" not in text and "url(" not in text
    assert text.count("data:image/png;base64,") >= 4 + 13     # maps, curve, profiles, one plane per column
    write_report(tmp_path / "r.html", tm, prof, "wine")
    assert (tmp_path / "r.html").stat().st_size > 10_000


def test_rows_in_selected_nodes_and_segments(wine):
    from somdesk.session.table_assign import rows_in_nodes
    tab, tm, _ = wine
    _, a = next(assign_table(tm, tab))
    for s in range(tm.k):
        assert np.array_equal(rows_in_nodes(a, tm.clusters == s), a["segment"] == s)
    one = np.zeros(tm.clusters.shape, bool)
    one[a["bmu_row"][0], a["bmu_col"][0]] = True
    picked = rows_in_nodes(a, one)
    assert picked[0] and picked.sum() == ((a["bmu_row"] == a["bmu_row"][0]) & (a["bmu_col"] == a["bmu_col"][0])).sum()


@pytest.mark.parametrize("name, values, is_id", [
    ("id", "keys", True), ("ID", "keys", True), ("customer_id", "keys", True), ("CustomerID", "keys", True),
    ("userId", "keys", True), ("index", "keys", True),
    ("customer_id", "repeat", True),     # a key may repeat (orders of one customer)
    ("n", "rows", True),                 # row numbers 1..N under any name
    ("n", "shuffled", True),             # ... in any order
    ("n", "from0", True),                # a pandas index: 0..N-1
    ("paid", None, False), ("width", None, False), ("Idaho", None, False),
    ("n", "gap", False),                 # distinct whole numbers spanning more than the rows
    ("n", "repeat", False), ("n", "fractions", False),
    # tester8 #13: measurements named like keys, or years, are measurements
    ("Happiness Index", None, False), ("price_index", None, False), ("uv_idx", None, False),
    ("id", None, False),                 # fractions are never keys
    ("Gini index", "repeat", False),     # "index" with repeated levels: a scale, not row numbers
    ("built", "years", False),           # distinct whole numbers larger than the row count (a column
                                         # *named* year is a date since tester11: shown passive,
                                         # tests/tables/test_default_label_and_dates.py)
])
def test_default_columns_leave_out_row_identifiers(tmp_path, name, values, is_id):
    from somdesk.session.table_columns import default_columns
    rng = np.random.default_rng(3)
    n = 40
    col = {"rows": np.arange(1, n + 1), "shuffled": rng.permutation(n) + 1, "from0": np.arange(n),
           "gap": np.arange(n) * 2, "repeat": np.arange(n) // 2, "fractions": np.arange(n) + 0.5,
           "keys": rng.permutation(n) * 7 + 1000, "years": 1980 + rng.permutation(n),
           None: rng.normal(size=n).round(3)}[values]
    rows = [f"{c},{a:.3f},{b:.3f},{'xy'[i % 2]}" for i, (c, a, b) in enumerate(zip(col, rng.normal(size=n), rng.normal(size=n)))]
    tab = read_table(write_text(tmp_path, "t.csv", f"{name},a,b,label\n" + "\n".join(rows) + "\n"))
    cols = default_columns(tab, "label")
    assert cols == (("a", "b") if is_id else (name, "a", "b"))
    tm, _ = train_table_map(tab, TableMapSpec(label="label", epochs=2))
    assert list(tm.recipe.features)[0] == ("a" if is_id else name)


def test_identifiers_stay_when_they_are_the_only_numbers(tmp_path):
    from somdesk.session.table_columns import default_columns
    rows = "".join(f"{i},{'xy'[i % 2]}\n" for i in range(1, 31))
    tab = read_table(write_text(tmp_path, "t.csv", "id,label\n" + rows))
    assert default_columns(tab, "label") == ("id",)


def test_sampled_row_numbers_are_identifiers(tmp_path):
    from somdesk.io.tables.options import ReadOptions
    from somdesk.session.table_columns import default_columns
    rng = np.random.default_rng(1)
    rows = "".join(f"{i},{rng.normal():.4f},{rng.normal():.4f}\n" for i in range(1, 401))
    tab = read_table(write_text(tmp_path, "t.csv", "row,a,b\n" + rows), ReadOptions(max_rows=100))
    assert tab.sampled and default_columns(tab) == ("a", "b")


def test_the_profiles_picture_draws_a_name_with_a_line_break_on_one_line():
    # tester6 F30: "line\nbreak" crashed Pillow or drew "break" over the next column's name; it is
    # drawn escaped on one line, as every name is shown (io.names.display_name), not as "line break"
    seg = np.repeat([0, 1], 20)
    values = np.random.default_rng(1).normal(0, 1, (40, 3))
    broken = profiles_png(segment_profiles(values, ["a", "line\nbreak", "tab\tname"], seg))
    plain = profiles_png(segment_profiles(values, ["a", "'line\\nbreak'", "'tab\\tname'"], seg))
    np.testing.assert_array_equal(np.asarray(broken), np.asarray(plain))


def test_the_report_shows_means_that_differ_differently():
    # tester8 #15: 4 significant digits showed a passive year of 2007.8 ... 2008.4 as 2008 everywhere
    from somdesk.session.report import _decimals, _profile_table

    prof = {"segments": [0, 1, 2], "columns": ["year", "income", "tiny", "same", "none"],
            "mean": np.array([[2007.83, 51234.5, 0.000123, 5.0, np.nan], [2008.41, 49876.25, 0.000125, 5.0, np.nan],
                              [2008.02, 50500.0, 0.000124, 5.0, np.nan]]),
            "all_mean": np.array([2008.09, 50537.1, 0.000124, 5.0, np.nan])}
    html = _profile_table(prof)
    assert "<td>2007.83</td><td>2008.41</td><td>2008.02</td>" in html and "<td>2008.09</td>" in html
    assert "<td>51234</td>" in html or "<td>51234.5</td>" in html
    assert "<td>0.0001230</td>" in html and "<td>5.000</td>" in html
    assert _decimals([np.nan]) == 0 and _decimals([0.0, 0.0]) == 0


@pytest.mark.parametrize("shape", [(1, 2), (2, 1)])
def test_a_k_given_on_a_map_of_two_nodes_is_honoured_or_refused(shape):
    """tester9 #11: --clusters 2 on a 2-node map gave 1 segment without a word, and 5 was taken."""
    codebook = np.arange(np.prod(shape) * 3, dtype=np.float64).reshape(*shape, 3)
    seg = cluster_nodes(codebook, 2)
    assert seg.k == 2 and sorted(seg.labels.ravel().tolist()) == [0, 1]
    assert cluster_nodes(codebook).k == 1 and cluster_nodes(codebook, 1).labels.max() == 0
    with pytest.raises(OptionError, match="between 1 and the 2 nodes"):
        cluster_nodes(codebook, 5)


def test_the_report_shows_odd_column_names_escaped(tmp_path):
    """review10 #6: HTML shows NBSP and a line break as a space, so columns "a b" and "a\\xa0b"
    had identical plane captions and profile rows; names go through io.names.display_name."""
    rng = np.random.default_rng(1)
    p = tmp_path / "odd.csv"
    with open(p, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["a b", "a\u00a0b", "line\nbreak"])
        w.writerows(rng.normal(size=(60, 3)).round(3).tolist())
    tab = read_table(str(p))
    tm = train_table_map(tab, TableMapSpec(height=4, width=4, epochs=5, clusters=2, seed=1))[0]
    text = report_html(tm, table_profiles(tm, tab), "odd")
    assert "<figcaption>a b</figcaption>" in text
    assert "<figcaption>&#x27;a\\xa0b&#x27;</figcaption>" in text
    assert "<figcaption>&#x27;line\\nbreak&#x27;</figcaption>" in text
    assert "\u00a0" not in text and "line\nbreak" not in text
    assert "<td style=\"text-align:left\">&#x27;a\\xa0b&#x27;</td>" in text


def test_the_profiles_picture_carries_its_scale_and_caption():
    """testerG #11: the exported profiles PNG was bars without a zero, a unit or a caption;
    the scale ("standard deviations of the table, clipped at +-2.5") was only in the window's
    tab.  Each panel now has a scale line with ticks under its bars, and the foot the caption."""
    from somdesk.render.legend import text_font
    from somdesk.session.segments import PROFILES_CAPTION, _wrapped

    values = np.array([[1.0, 10.0], [3.0, 10.0], [10.0, 0.0], [12.0, np.nan]])
    prof = segment_profiles(values, ["a", "b"], np.array([0, 0, 1, 1]))
    img = np.asarray(profiles_png(prof).convert("RGB"))
    grey = np.all(img == (120, 120, 120), axis=2)
    # the scale: a grey line 2 * 110 px long under each of the 2 panels (one row)
    assert (grey.sum(1) >= 2 * 221).any()
    caption = _wrapped(PROFILES_CAPTION.format(max_z=2.5), text_font(13), img.shape[1] - 12)
    assert "standard deviations" in " ".join(caption) and "2.5" in caption[-1]
    # the caption is drawn: dark text in the picture's foot, below the last panel's scale
    axis_row = int(np.nonzero(grey.sum(1) >= 2 * 221)[0].max())
    foot = img[axis_row + 13 + 14:]
    assert (foot.sum(2) < 300).sum() > 200


def test_pairwise_distances_hold_one_matrix_and_give_the_same_bits():
    """testerH #10: a big map's validity curve held three (M, M) temporaries at once (an
    out-of-core run peaked at 945 MiB there); now the result and a small block."""
    import tracemalloc

    from somdesk.session.segments import pairwise_distances

    rng = np.random.default_rng(4)
    x = rng.normal(0, 1, (2500, 6)) * rng.uniform(0.1, 50, 6)
    sq = (x * x).sum(1)
    want = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2.0 * (x @ x.T), 0.0))
    np.fill_diagonal(want, 0.0)
    tracemalloc.start()
    try:
        got = pairwise_distances(x)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert np.array_equal(got, want)
    assert peak < 1.3 * got.nbytes, (peak, got.nbytes)     # was ~2.5x: three temporaries
    rows = np.arange(100, 900)
    assert np.array_equal(pairwise_distances(x, rows), want[rows])
