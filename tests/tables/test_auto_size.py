"""One default map for one file (tester8 #15): the Setup tab's "auto" (session.table_size.table_auto)
is the size and length `somdesk train --table` makes, also for a table over the row limit
(trained on the import's sample, sized from the rows kept), and out of core it is the
streamed run's size."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from somdesk.cli import main
from somdesk.io.tables.options import ReadOptions
from somdesk.io.tables.table import read_table
from somdesk.session.table_data import TableMapSpec, train_table_map
from somdesk.session.table_size import auto_size, table_auto


def _csv(tmp_path, n, missing=0.0, seed=3):
    """n rows of a long thin cloud (a side ratio well away from 1), sorted by `a` so the
    first rows are not like the rest; a text column; a share `missing` of `b` empty."""
    rng = np.random.default_rng(seed)
    a = np.sort(rng.normal(0, 6, n))
    b = 0.5 * a + rng.normal(0, 1, n)
    c = rng.normal(0, 1, n)
    path = tmp_path / f"cloud{n}.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write("a,b,c,grp\n")
        for i in range(n):
            bb = "" if rng.random() < missing else f"{b[i]:.5f}"
            f.write(f"{a[i]:.5f},{bb},{c[i]:.5f},g{i % 3}\n")
    return str(path)


def _cli_metrics(capsys, tmp_path, path, *extra):
    out = tmp_path / "m.json"
    code = main(["train", "--table", path, "--save-map", str(tmp_path / "m.somz"), "--metrics-json", str(out),
                 "--quiet", *map(str, extra)])
    assert code == 0, capsys.readouterr().err
    return json.loads(out.read_text())


@pytest.mark.parametrize("missing", ["drop", "mean"])
def test_the_auto_size_is_what_the_cli_makes_on_a_sampled_table(capsys, tmp_path, missing):
    path = _csv(tmp_path, 6000, missing=0.1)
    tab = read_table(path, ReadOptions(max_rows=2500))
    assert tab.sampled and tab.n_rows == 2500
    auto = table_auto(tab, TableMapSpec(missing=missing))
    m = _cli_metrics(capsys, tmp_path, path, "--max-rows", 2500, "--missing", missing)
    assert m["sampled"] and (auto.height, auto.width, auto.epochs, auto.rows) == \
        (m["height"], m["width"], m["epochs"], m["rows"])
    # rows left out for a missing value are not counted (drop), and the text says which rows
    assert auto.rows == (2500 if missing == "mean" else m["rows"]) and auto.exact
    assert f"{auto.rows:,} rows trained on" in auto.text() and "sample of the file's 6,000" in auto.text()
    tm, _ = train_table_map(tab, TableMapSpec(missing=missing))
    assert tm.codebook.shape[:2] == (auto.height, auto.width) and tm.config.iterations == auto.epochs


def test_the_rule_counts_the_rows_trained_on_and_the_choices_override():
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, (1000, 3)) * [4.0, 1.0, 0.5]
    h, w, e = auto_size(x, 1000, TableMapSpec())
    assert abs(h * w - 213) <= 10 and h > 3 * w and e == 30     # ceil(5 * 1000^0.54321) = 213 nodes
    h2, w2, _ = auto_size(x, 100_000, TableMapSpec())            # the same shape, sized for more rows
    assert abs(h2 * w2 - 2621) <= 60 and h2 > 3 * w2             # ceil(5 * 100000^0.54321) = 2621
    # the nodes for at most TRAIN_ROWS = 200,000 rows (3,788), however many train (testerH #10:
    # out of core 2,000,000 rows got 13,205 nodes); the epochs still count every row
    h3, w3, _ = auto_size(x, 200_000, TableMapSpec())
    assert auto_size(x, 2_000_000, TableMapSpec())[:2] == (h3, w3) and abs(h3 * w3 - 3788) <= 80
    assert auto_size(x, 1000, TableMapSpec(height=7, width=5, epochs=9)) == (7, 5, 9)
    assert auto_size(x, 1000, TableMapSpec(height=7))[:2][0] == 7


def test_out_of_core_the_estimate_is_the_streamed_runs_size(tmp_path):
    from somdesk.session.outofcore_table import StreamingTableRun

    path = _csv(tmp_path, 3000)
    tab = read_table(path, ReadOptions())
    spec = TableMapSpec(columns=("a", "b", "c"))
    auto = table_auto(tab, spec, out_of_core=True)
    run = StreamingTableRun(path, spec, chunk_rows=1000)
    try:
        assert (auto.height, auto.width, auto.epochs) == (run.config.height, run.config.width,
                                                          run.config.iterations)
        assert auto.rows == run.rows == 3000 and not auto.exact and "about" in auto.text()
    finally:
        run.close()


def test_out_of_core_over_the_training_rows_the_map_is_the_in_memory_size(tmp_path, monkeypatch):
    """testerH #10: `train --out-of-core` sized the map for all 2,000,000 rows (139 x 95) while the
    window proposed 74 x 51 for its 200,000 training rows; now both take min(N, TRAIN_ROWS)."""
    from somdesk.session import table_size
    from somdesk.session.outofcore_table import StreamingTableRun

    monkeypatch.setattr(table_size, "TRAIN_ROWS", 600)
    path = _csv(tmp_path, 3000)
    tab = read_table(path, ReadOptions())
    spec = TableMapSpec(columns=("a", "b", "c"))
    mem, ooc = table_auto(tab, spec), table_auto(tab, spec, out_of_core=True)
    run = StreamingTableRun(path, spec, chunk_rows=1000)
    try:
        assert mem.rows == 600 and ooc.rows == run.rows == 3000
        assert (ooc.height, ooc.width) == (run.config.height, run.config.width)
        nodes = math.ceil(5 * 600 ** 0.54321)
        for h, w in ((mem.height, mem.width), (ooc.height, ooc.width)):
            assert abs(h * w - nodes) <= 0.1 * nodes, (h, w, nodes)
        assert "the size for 600 of them as in memory" in ooc.text()
    finally:
        run.close()
