"""A big table trains its epochs on a random TRAIN_ROWS of its rows (big13, tester13 #3: a
1,000,000-row sample trained 30 epochs on a 9,078-node map for ~25 min).  The size follows the
rows trained on, the Setup line and the CLI say so, and every row is still measured and placed.
TRAIN_ROWS is made small here so the tables stay small."""
from __future__ import annotations

import json

import numpy as np
import pytest

from somdesk.cli import main
from somdesk.io.tables.options import ReadOptions
from somdesk.io.tables.table import read_table
from somdesk.session import table_data, table_size
from somdesk.session.table_data import TableMapSpec, train_table_map
from somdesk.session.table_size import table_auto


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(table_size, "TRAIN_ROWS", 800)
    return 800


def _csv(tmp_path, n=2400, seed=5):
    rng = np.random.default_rng(seed)
    a = rng.normal(0, 3, n)
    path = tmp_path / "t.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write("a,b,c\n")
        for i in range(n):
            f.write(f"{a[i]:.5f},{0.5 * a[i] + rng.normal():.5f},{rng.normal():.5f}\n")
    return str(path)


def test_the_epochs_train_on_the_sample_and_every_row_is_measured(tmp_path, monkeypatch, small_limit):
    tab = read_table(_csv(tmp_path), ReadOptions())
    seen = []
    real = table_data.train_masked

    def spy(x, *a, **k):
        seen.append(len(x))
        return real(x, *a, **k)

    monkeypatch.setattr(table_data, "train_masked", spy)
    spec = TableMapSpec(epochs=3)
    auto = table_auto(tab, spec)
    tm, prep = train_table_map(tab, spec)
    assert seen == [small_limit] * 3                      # every epoch on the sample
    assert auto.rows == small_limit and "a random sample of the 2,400 rows held" in auto.text()
    # sized for the rows trained on: ceil(5 * 800^0.54321) nodes, as the Setup line says
    assert tm.codebook.shape[:2] == (auto.height, auto.width)
    assert abs(auto.height * auto.width - 189) <= 6
    assert len(tm.inputs) == 2400 and len(prep.data) == 2400      # measured on every row
    assert any("random 800 of the 2,400 rows" in w for w in prep.warnings)
    again, _ = train_table_map(tab, spec)                  # the sample is seeded: the same map
    assert np.array_equal(again.codebook, tm.codebook)


def test_a_table_under_the_limit_trains_on_every_row(tmp_path, small_limit):
    tab = read_table(_csv(tmp_path, n=600), ReadOptions())
    tm, prep = train_table_map(tab, TableMapSpec(epochs=2))
    assert table_size.training_subset(600) is None and table_size.training_note(600) is None
    assert not any("random" in w for w in prep.warnings)
    assert "sample" not in table_auto(tab, TableMapSpec()).text()


def test_the_cli_says_the_rows_trained_on(tmp_path, capsys, small_limit):
    path = _csv(tmp_path)
    out = tmp_path / "m.json"
    code = main(["train", "--table", path, "--save-map", str(tmp_path / "m.somz"), "--metrics-json", str(out),
                 "--epochs", "2", "--report", str(tmp_path / "r.html")])
    cap = capsys.readouterr()
    assert code == 0, cap.err
    m = json.loads(out.read_text())
    assert (m["rows"], m["trained_rows"]) == (2400, 800)
    assert "on 800 of 2,400 rows" in cap.out + cap.err
    assert "random 800 of the 2,400 rows" in cap.err
    assert "2 epochs on 800 of 2,400 rows" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_a_big_codebooks_silhouette_is_taken_on_a_sample_of_its_nodes(monkeypatch):
    """Over SILHOUETTE_NODES nodes with hits the curve's silhouette is measured on a seeded uniform
    sample of them (big13: a 9,078-node map measured 9,078^2 distances for each k): the same
    suggestion on three clear groups, and the distance matrix is of the sample only."""
    from somdesk.session import segments

    rng = np.random.default_rng(2)
    centre = np.array([[0.0, 0.0], [6.0, 0.0], [0.0, 6.0]])[np.arange(30 * 20) % 3]
    codebook = (centre + rng.normal(0, 0.3, centre.shape)).reshape(30, 20, 2)
    hits = rng.integers(0, 5, 600)
    full = segments.validity_curve(codebook, hits=hits, k_max=5)
    shapes = []
    real = segments.pairwise_distances
    monkeypatch.setattr(segments, "pairwise_distances", lambda x, rows=None: shapes.append(x.shape) or real(x, rows))
    monkeypatch.setattr(segments, "SILHOUETTE_NODES", 150)
    sampled = segments.validity_curve(codebook, hits=hits, k_max=5)
    assert shapes == [(150, 2)]
    assert sampled["suggested"] == full["suggested"] == 3
    assert np.allclose(sampled["silhouette"], full["silhouette"], atol=0.05)
    nodes = segments.silhouette_nodes(np.flatnonzero(hits > 0))
    assert len(nodes) == 150 and set(nodes) <= set(np.flatnonzero(hits > 0))
    assert np.array_equal(nodes, segments.silhouette_nodes(np.flatnonzero(hits > 0)))     # seeded
