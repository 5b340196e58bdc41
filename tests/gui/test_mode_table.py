"""Table segmentation mode, through its window: columns, label, normalisation, missing values,
live training, component planes, clusters, export, the sample, bad tables, closing."""
from __future__ import annotations

import csv
import time

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from somdesk.core.metrics import bmus
from somdesk.gui.modes import common
from somdesk.gui.modes.table_mode import SAMPLE, TableModeWindow
from somdesk.gui.tasks import live_workers as running_threads

from .helpers import FIRST_RUN_TIMEOUT_MS

HEADER = "id,height,weight,score,kind\n"


def people_csv(path, n=60, seed=4):
    """Two groups; 3 numeric columns with a few missing cells; a text id and a label."""
    rng = np.random.default_rng(seed)
    lines = [HEADER]
    for i in range(n):
        tall = i % 2 == 0
        h = rng.normal(185 if tall else 160, 4)
        w = rng.normal(85 if tall else 55, 5)
        s = rng.normal(0.5, 0.1)
        cells = [f"P{i:03d}", f"{h:.1f}", f"{w:.1f}", f"{s:.3f}", "tall" if tall else "short"]
        if i in (3, 10):
            cells[1] = "NA"
        if i == 7:
            cells[2] = ""
        lines.append(",".join(cells) + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def errors(monkeypatch):
    seen: list[str] = []
    monkeypatch.setattr(common, "show_error", lambda parent, message, details="": seen.append(message))
    return seen


def make(qtbot, fast=True) -> TableModeWindow:
    win = TableModeWindow()
    qtbot.addWidget(win)
    win.set_fast(fast)
    win.show()
    return win


def wait_prepared(qtbot, win, timeout=10_000):
    qtbot.waitUntil(lambda: win.prepared is not None and win._prepared_key == win.panel.choices()
                    and not win.data_runner.busy, timeout=timeout)
    return win.prepared


def wait_clusters(qtbot, win, timeout=FIRST_RUN_TIMEOUT_MS):
    qtbot.waitUntil(lambda: win.clusters is not None and not win.map_runner.busy
                    and win.controller.state == "idle", timeout=timeout)
    return win.clusters


def item_texts(win):
    return [win.panel.columns.item(i).text() for i in range(win.panel.columns.count())]


def test_choose_train_planes_clusters_export(qtbot, tmp_path, errors):
    path = people_csv(tmp_path / "people.csv")
    win = make(qtbot)
    win.open_table(str(path))
    wait_prepared(qtbot, win)
    texts = item_texts(win)
    assert texts[0].startswith("id — text at line 2 has 'P000'")             # disabled, with the reason
    assert not (win.panel.columns.item(0).flags() & Qt.ItemFlag.ItemIsEnabled)
    assert win.panel.chosen_columns() == ["height", "weight", "score"]      # numeric ones ticked
    assert "2 missing" in texts[1]

    win.panel.set_choices(columns=["height", "weight"], label="kind", normalise="minmax", missing="mean")
    prep = wait_prepared(qtbot, win)
    assert prep.columns == ("height", "weight") and prep.data.shape == (60, 2)
    assert win.panel.summary.text().startswith("3 missing cells, filled with the column mean.")
    t = win.panel.scaling
    assert t.rowCount() == 2 and t.horizontalHeaderItem(1).text() == "min" and t.horizontalHeaderItem(2).text() == "range"
    assert float(t.item(0, 1).text()) == pytest.approx(prep.scaling.offset[0], rel=1e-3)
    assert float(t.item(1, 2).text()) == pytest.approx(prep.scaling.scale[1], rel=1e-3)
    assert prep.data.min() == 0.0 and prep.data.max() == 1.0

    win.toolbar.width_spin.setValue(7)
    win.toolbar.height_spin.setValue(5)
    win.toolbar.epochs_spin.setValue(15)
    win.k_spin.setValue(2)
    qtbot.mouseClick(win.toolbar.train_button, Qt.MouseButton.LeftButton)
    clusters = wait_clusters(qtbot, win)
    snap = win.snapshot
    assert snap.final and snap.iteration == 15 and snap.weights.shape == (5, 7, 2)
    assert snap.config.mode == "batch" and snap.config.init == "pca"

    # views: U-matrix under the overlays, one component plane per feature, in original units
    assert win.canvas.view == "umatrix" and win.canvas.image.image.shape == (5, 7, 4)
    assert win.planes.count() == 2 and len(win.planes.planes) == 2
    assert [plot.titleLabel.text for plot, _i, _b in win.planes.planes] == ["height", "weight"]
    lo, hi = win.planes.planes[0][2].values
    heights = prep.scaling.invert(snap.weights.reshape(-1, 2))[:, 0]
    assert (lo, hi) == pytest.approx((heights.min(), heights.max()))
    # majority labels on the map, with a legend
    assert set(x for x in win.canvas.labels.ravel() if x) == {"short", "tall"}
    assert "short" in win.legend.text() and "tall" in win.legend.text()
    # clusters: k = 2 on the codebook, shown as boundaries and numbers
    assert clusters.shape == (5, 7) and set(np.unique(clusters)) == {0, 1}
    assert len(win.canvas.edges.getData()[0]) > 0 and len(win.canvas.numbers) == 2
    assert win.cluster_summary.text().startswith("0: ")

    win.k_spin.setValue(3)                                                  # k is the user's
    qtbot.waitUntil(lambda: win.clusters is not None and win.clusters.max() == 2 and not win.map_runner.busy,
                    timeout=10_000)
    win.set_view("clusters")
    assert win.canvas.fill.isVisible()
    win.set_view("hits")
    assert not win.canvas.fill.isVisible() and win.canvas.view == "hits"

    out = tmp_path / "segments.csv"
    assert win.export_assignments(str(out))
    qtbot.waitUntil(lambda: win.last_saved == str(out), timeout=10_000)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == len(prep.data) == 60                              # mean fill keeps every row
    assert list(rows[0]) == ["row", "node_row", "node_col", "cluster", "label"]
    rc = bmus(snap.weights, prep.data)
    for i, r in enumerate(rows):
        assert int(r["row"]) == prep.row_index[i]
        assert (int(r["node_row"]), int(r["node_col"])) == tuple(rc[i])
        assert int(r["cluster"]) == win.clusters[rc[i][0], rc[i][1]]
        assert r["label"] == prep.labels[i]
    assert not errors


def test_drop_rows_are_counted_and_exported_rows_match(qtbot, tmp_path, errors):
    path = people_csv(tmp_path / "people.csv")
    win = make(qtbot)
    win.open_table(str(path), after=dict(missing="drop", size=(4, 3), train=True))
    wait_clusters(qtbot, win)
    assert win.panel.summary.text().startswith("3 missing cells, 3 rows dropped.")
    out = tmp_path / "a.csv"
    win.export_assignments(str(out))
    qtbot.waitUntil(lambda: win.last_saved == str(out), timeout=10_000)
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert len(rows) - 1 == 57 and {r[0] for r in rows[1:]}.isdisjoint({"3", "7", "10"})


def test_the_sample_in_one_click(qtbot, errors):
    win = make(qtbot)
    assert win.load_sample()
    clusters = wait_clusters(qtbot, win)
    assert win.panel.chosen_columns() == list(SAMPLE["columns"])
    assert win.panel.choices()[1:] == ("segment", "zscore", "drop")
    assert win.panel.summary.text().startswith("25 missing cells, 24 rows dropped.")
    assert win.planes.count() == 5 and clusters.shape == (10, 12) and clusters.max() == 4
    assert len([line for line in win.cluster_summary.text().splitlines() if line]) == 5
    assert "Students" in win.legend.text()
    assert not errors


def test_hexagonal_maps_train_and_cluster(qtbot, tmp_path, errors):
    win = make(qtbot)
    win.toolbar.topology_combo.setCurrentText("hexagonal")
    win.open_table(str(people_csv(tmp_path / "p.csv")), after=dict(size=(6, 4), train=True))
    wait_clusters(qtbot, win)
    assert win.snapshot.config.topology == "hexagonal"
    assert win.canvas.image.image.shape == (4, 13, 4)                       # the main canvas's hex drawing
    assert win.planes.planes[0][1].image.shape == (4, 13, 4)
    assert len(win.canvas.edges.getData()[0]) > 0


@pytest.mark.parametrize("name, content, words", [
    ("empty.csv", "", "empty"),
    ("header.csv", "a,b,c\n", "no data rows"),
    ("binary.csv", "a,b\n\x00\x01\x02\x03", "binary"),
    ("ragged.csv", "a,b\n1,2\n3\n", "line 3"),
])
def test_bad_tables_give_a_clear_message(qtbot, tmp_path, errors, name, content, words):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8"))
    win = make(qtbot)
    win.open_table(str(path))
    qtbot.waitUntil(lambda: bool(errors) and not win.data_runner.busy, timeout=10_000)
    assert name in errors[0] and words in errors[0].lower(), errors[0]
    assert win.table is None and not running_threads()


def test_text_in_a_numeric_column(qtbot, tmp_path, errors):
    path = tmp_path / "t.csv"
    path.write_text("name,age,income\nann,34,100\nbob,unknown,200\ncy,51,150\ndee,29,120\n", encoding="utf-8")
    win = make(qtbot)
    win.open_table(str(path))
    wait_prepared(qtbot, win)
    age = win.panel.columns.item(1)
    assert age.text() == "age — text at line 3 has 'unknown'"
    assert not (age.flags() & Qt.ItemFlag.ItemIsEnabled) and "line 3" in age.toolTip()
    assert win.panel.chosen_columns() == ["income"]
    win.panel.set_choices(columns=["age"])                                  # cannot be ticked
    assert win.panel.chosen_columns() == []
    qtbot.mouseClick(win.toolbar.train_button, Qt.MouseButton.LeftButton)
    assert errors == ["Tick at least one numeric column to train on."]
    assert win.controller.state == "idle"


def test_a_table_with_no_numeric_column(qtbot, tmp_path, errors):
    path = tmp_path / "words.csv"
    path.write_text("a,b\nx,y\nz,w\n", encoding="utf-8")
    win = make(qtbot)
    win.open_table(str(path))
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    assert "no numeric column" in errors[0] and "line 2" in errors[0]


def test_one_row_trains_with_a_warning(qtbot, tmp_path, errors):
    path = tmp_path / "one.csv"
    path.write_text("x,y\n1.5,2\n", encoding="utf-8")
    win = make(qtbot)
    win.open_table(str(path), after=dict(size=(3, 2), train=True))
    wait_clusters(qtbot, win)
    assert "only one row" in win.panel.warnings.text()
    assert np.allclose(win.snapshot.weights, 0.0)                           # z-score of one row: all 0
    assert not errors


def test_ten_thousand_columns_load_and_page(qtbot, tmp_path, errors):
    rng = np.random.default_rng(0)
    cols = 10_000
    lines = [",".join(f"c{j}" for j in range(cols))]
    lines += [",".join(f"{v:.2f}" for v in rng.random(cols)) for _ in range(20)]
    path = tmp_path / "wide.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    win = make(qtbot)
    t0 = time.perf_counter()
    win.open_table(str(path), after=dict(size=(3, 3), train=True))
    win.toolbar.epochs_spin.setValue(3)
    wait_clusters(qtbot, win, timeout=60_000)
    assert time.perf_counter() - t0 < 30
    assert win.panel.columns.count() == cols and win.planes.count() == cols
    assert len(win.planes.planes) == 20 and win.planes.page_label.text() == "features 1–20 of 10,000"
    assert win.panel.scaling.rowCount() == 201                              # 200 + "… and 9,800 more"
    win.planes.set_page(499)
    assert [p.titleLabel.text for p, _i, _b in win.planes.planes][-1] == "c9999"
    assert not errors

    lines[0] += ",extra"
    lines[1:] = [line + ",1" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    win.open_table(str(path))
    qtbot.waitUntil(lambda: bool(errors), timeout=30_000)
    assert "10,001" in errors[0] or "10001" in errors[0]
    assert win.table is not None and len(win.table.columns) == cols            # the last good table stays


def test_drop_opens_a_table(qtbot, tmp_path, errors):
    path = people_csv(tmp_path / "dropped.csv")
    win = make(qtbot)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    win.dropEvent(QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime,
                             Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    wait_prepared(qtbot, win)
    assert win.table.name == "dropped.csv"


def test_closing_during_training_stops_the_worker(qtbot, errors):
    win = make(qtbot, fast=False)                 # 20 epochs/s: the sample takes 2 s
    win.load_sample()
    qtbot.waitUntil(lambda: win.snapshot is not None, timeout=FIRST_RUN_TIMEOUT_MS)
    assert win.controller.state == "running" and running_threads()
    assert not win.panel.isEnabled()
    t0 = time.perf_counter()
    win.close()
    assert time.perf_counter() - t0 < 1.0
    assert not running_threads()
