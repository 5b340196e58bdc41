"""Issue 13 in the window: import preview, setup, select -> rows -> export, profiles, report,
score new data, and the window's assignments equal to `somdesk assign` on the training file."""
from __future__ import annotations

from tests.gui.helpers import open_table_now, save_now

import csv
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

TIMEOUT = 120_000


def _blobs(path, n=240, seed=1, extra=False, drop=None, missing=True):
    """Three separated groups in 4 numbers + a categorical column + a label; a few missing cells."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0, 0, 0], [6, 6, 0, 1], [0, 6, 6, 3]], float)
    g = rng.integers(0, 3, n)
    x = centres[g] + rng.normal(0, 1, (n, 4))
    cols = ["a", "b", "c", "d", "region", "kind"] + (["extra"] if extra else [])
    cols = [c for c in cols if c != drop]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for i in range(n):
            row = {"a": f"{x[i, 0]:.4f}", "b": f"{x[i, 1]:.4f}", "c": f"{x[i, 2]:.4f}", "d": f"{x[i, 3]:.4f}",
                   "region": ["north", "south", "east"][g[i]] if rng.random() > 0.1 else ["north", "south"][i % 2],
                   "kind": f"k{g[i]}", "extra": "1"}
            if missing and i % 37 == 5:
                row["c"] = ""
            w.writerow([row[c] for c in cols])
    return str(path)


def _idle(qtbot, win):
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)


def _train_and_stop_after(qtbot, win, epochs):
    """Train the table map and press Stop once the run reports `epochs` epochs done."""
    def on_yield(kind, value):
        if kind == "segment" and getattr(value, "what", "") == "epochs" and value.done >= epochs:
            win.runner.stop()
    win.runner.yielded.connect(on_yield)
    assert win.tables.train()
    _idle(qtbot, win)
    win.runner.yielded.disconnect(on_yield)


def _trained(qtbot, win, path, missing="train", k=None):
    wf = win.tables
    assert open_table_now(qtbot, wf, path)
    wf.setup.set_column("region", use=True, categorical=True, weight=2.0)
    wf.setup.missing.setCurrentText(missing)
    assert wf.setup.label.currentData() == "kind"           # the category-like text column
    if k:
        wf.setup.k.setValue(k)
    assert wf.train()
    _idle(qtbot, win)
    assert win.last_error is None, win.last_error
    assert wf.tm is not None
    return wf


def test_select_rows_export_and_hover(qtbot, win, tmp_path):
    wf = _trained(qtbot, win, _blobs(tmp_path / "t.csv"))
    tm, a = wf.tm, wf.assigned
    h, w = tm.codebook.shape[:2]
    node_of_row = a["bmu_row"] * w + a["bmu_col"]
    # click the busiest node: exactly its rows
    busiest = int(np.bincount(node_of_row, minlength=h * w).argmax())
    from somdesk import render
    x, y = render.node_centres(h, w, tm.config.topology == "hexagonal", wf.map_view.scale).reshape(-1, 2)[busiest]
    wf.map_view.click_at(x, y)
    m = wf.rows_model
    assert list(wf.map_view.selected) == [busiest]
    assert sorted(m.shown_rows) == list(np.flatnonzero(node_of_row == busiest))
    assert "1 node selected" in wf.selection_label.text()
    # a dragged region over the whole picture: every row
    pic = wf.map_view.image_array()
    wf.map_view.select_rect(-1, -1, pic.shape[1] + 1, pic.shape[0] + 1)
    assert m.rowCount() == len(node_of_row) == 240
    # a segment: its nodes and its rows
    wf.select_segment(1)
    seg_rows = np.flatnonzero(a["segment"] == 1)
    assert sorted(m.shown_rows) == list(seg_rows)
    assert set(wf.map_view.selected) == set(np.flatnonzero(tm.clusters.reshape(-1) == 1))
    # sort by column "a" descending (header click path: the view's sortByColumn)
    from PySide6.QtCore import Qt
    col = m.names.index("a")
    wf.rows_view.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    shown = [float(m.data(m.index(i, col))) for i in range(m.rowCount())]
    assert shown == sorted(shown, reverse=True) and len(shown) == len(seg_rows)
    # hovering a row marks its node (a real mouse move over the second row, then the helper)
    from PySide6.QtCore import QPoint
    wf.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: wf.rows_view.viewport().isVisible() and wf.rows_view.viewport().height() > 100,
                    timeout=20_000)
    want = node_of_row[m.row_of(1)]

    def hovered_second_row():
        # a loaded machine may still be laying the dock out: move again until the event lands
        qtbot.mouseMove(wf.rows_view.viewport(), QPoint(22, wf.rows_view.rowViewportPosition(3) + 4))
        qtbot.mouseMove(wf.rows_view.viewport(), QPoint(20, wf.rows_view.rowViewportPosition(1) + 4))
        qtbot.wait(50)
        return wf.map_view.highlighted == want
    qtbot.waitUntil(hovered_second_row, timeout=20_000)
    wf.rows_view.hover_at(0)
    first = m.row_of(0)
    assert wf.map_view.highlighted == node_of_row[first]
    assert f"row {first}" in win.hover.text()
    wf.rows_view.hover_at(-1)
    assert wf.map_view.highlighted == -1
    # export: the shown rows, in the shown order, every column
    out = tmp_path / "rows.csv"
    assert wf.export_rows(str(out))
    _idle(qtbot, win)                       # written in a task (tester6 F28)
    with open(out, newline="") as f:
        got = list(csv.reader(f))
    assert got[0] == m.names and got[0][:2] == ["row", "segment"]
    assert [int(r[0]) for r in got[1:]] == [int(wf.table.row_index[i]) for i in m.shown_rows]
    assert [float(r[got[0].index("a")]) for r in got[1:]] == shown
    # an unwritable target is one clear message, not a traceback
    assert not wf.export_rows(str(tmp_path / "no-such-dir" / "x.csv"))
    assert win.last_error


def test_window_assignments_equal_cli_assign(qtbot, win, tmp_path):
    path = _blobs(tmp_path / "train.csv")
    wf = _trained(qtbot, win, path)
    somz = tmp_path / "m.somz"
    assert save_now(qtbot, win, lambda: wf.save_map(str(somz)))
    out = tmp_path / "cli.csv"
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    r = subprocess.run([sys.executable, "-m", "somdesk", "assign", str(somz), path, "--out", str(out)],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    a = wf.assigned
    assert [int(r["row"]) for r in rows] == list(wf.table.row_index)
    assert [int(r["bmu_row"]) for r in rows] == a["bmu_row"].tolist()
    assert [int(r["bmu_col"]) for r in rows] == a["bmu_col"].tolist()
    assert [int(r["segment"]) for r in rows] == a["segment"].tolist()
    assert [float(r["distance"]) for r in rows] == a["distance"].tolist()        # exact, not close
    assert [r["outlier"] == "true" for r in rows] == a["outlier"].tolist()


def test_score_new_data(qtbot, win, tmp_path):
    wf = _trained(qtbot, win, _blobs(tmp_path / "train.csv"))
    # new data with an extra column: scored, with a warning naming it
    new = _blobs(tmp_path / "new.csv", n=300, seed=9, extra=True)
    out = tmp_path / "scores.csv"
    assert wf.score_file(None, new, str(out))
    assert win.actions["train"].isEnabled() is False          # one task at a time, the window knows
    _idle(qtbot, win)
    assert win.last_error is None
    n, warnings = wf.last_score
    assert n == 300 and any("'extra'" in w for w in warnings)
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    # the scores' columns, in order; "present" (placing values of the row) added at the end (tester8 #3)
    assert len(rows) == 300 and list(rows[0]) == ["row", "bmu_row", "bmu_col", "segment", "distance", "outlier",
                                                  "present"]
    assert {int(r["segment"]) for r in rows} <= set(range(wf.tm.k))
    # a column the map needs is missing: one clear message naming it, no file written
    bad = _blobs(tmp_path / "bad.csv", n=50, drop="b")
    out2 = tmp_path / "bad-scores.csv"
    assert wf.score_file(None, bad, str(out2))
    _idle(qtbot, win)
    assert win.last_error is not None and "'b'" in win.last_error and "Traceback" not in win.last_error
    assert not out2.exists()


def test_score_cancel_leaves_no_file(qtbot, win, tmp_path):
    wf = _trained(qtbot, win, _blobs(tmp_path / "train.csv"))
    big = _blobs(tmp_path / "big.csv", n=150_000, seed=3, missing=False)
    out = tmp_path / "big-scores.csv"
    results = []
    win.runner.finished.connect(lambda kind, res, stopped: results.append((kind, res, stopped)))
    with qtbot.waitSignal(win.runner.yielded, timeout=TIMEOUT):
        assert wf.score_file(None, big, str(out))
    assert "score" in win.progress_label.text()
    win.runner.stop()
    _idle(qtbot, win)
    assert results and results[-1][0] == "score" and results[-1][2] is True
    assert not out.exists()                    # atomic: a cancelled write leaves nothing


def test_profiles_view_and_report(qtbot, win, tmp_path):
    wf = _trained(qtbot, win, _blobs(tmp_path / "t.csv"), k=3)
    assert wf.tm.k == 3
    prof = wf.profiles
    assert prof["segments"] == [0, 1, 2] and int(prof["size"].sum()) == 240
    pv = wf.profiles_view
    assert pv.sizes.rowCount() == 3
    img = pv.image_array()
    assert img is not None and img.shape[0] > 50 and (img != 255).any()
    # exports
    assert wf.export_profiles("csv", str(tmp_path / "p.csv"))
    assert wf.export_profiles("png", str(tmp_path / "p.png"))
    assert wf.win.statusBar().currentMessage() == "Wrote the segment profiles to p.png."   # tester6 F9
    with open(tmp_path / "p.csv", newline="") as f:
        lines = list(csv.DictReader(f))
    assert len(lines) == 3 * len(prof["columns"])
    from PIL import Image
    assert np.array_equal(np.asarray(Image.open(tmp_path / "p.png").convert("RGB")), img)
    # changing k re-clusters without retraining
    codebook = wf.tm.codebook.copy()
    wf.setup.k.setValue(2)
    _idle(qtbot, win)
    assert wf.tm.k == 2 and np.array_equal(wf.tm.codebook, codebook)
    assert pv.sizes.rowCount() == 2 and wf.segment_choice.count() == 3
    # the report: one self-contained HTML file
    rep = tmp_path / "report.html"
    assert wf.export_report(str(rep))
    _idle(qtbot, win)
    text = rep.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.count("data:image/png;base64,") >= 5
    assert "http://" not in text and "https://" not in text and "<script" not in text
    assert "2 segments" in text


def test_setup_panel_choices_reach_the_map(qtbot, win, tmp_path):
    wf = win.tables
    assert open_table_now(qtbot, wf, _blobs(tmp_path / "t.csv"))
    st = wf.setup
    assert "auto:" in st.auto.text() and "epochs" in st.auto.text()
    st.set_column("d", passive=True)
    st.set_column("a", weight=3.0)
    spec = st.spec()
    assert spec.passive == ("d",) and spec.weights == {"a": 3.0} and spec.label == "kind"
    assert "kind" not in spec.columns and "region" not in spec.columns
    st.height.setValue(5)
    st.width.setValue(4)
    st.epochs.setValue(12)
    st.normalise.setCurrentText("minmax")
    assert wf.train()
    _idle(qtbot, win)
    tm = wf.tm
    assert tm.codebook.shape[:2] == (5, 4) and tm.config.iterations == 12
    assert tm.recipe.normalise == "minmax" and tm.recipe.weights["a"] == 3.0 and tm.recipe.weights["d"] == 0
    assert not tm.recipe.active[list(tm.recipe.features).index("d")]          # passive: not in the BMU
    assert tm.passive is not None                                              # but shown as a plane
    assert f"this map: 5 × 4 nodes, 12 epochs, trained on {len(tm.inputs):,} rows" in st.auto.text()
    assert f"suggested k = {tm.curve['suggested']}" in st.curve_note.text()
    # nothing ticked: one clear message
    for c in ("a", "b", "c", "d"):
        st.set_column(c, use=False)
    assert not wf.train()
    assert "tick at least one column" in win.last_error


def test_grid_choice_reaches_the_map_and_the_saved_file(qtbot, win, tmp_path):
    from somdesk.session.scoring import load_table_map

    wf = win.tables
    assert open_table_now(qtbot, wf, _blobs(tmp_path / "t.csv"))
    assert wf.setup.spec().topology == "hexagonal"                 # the default, as SOM Toolbox
    wf.setup.topology.setCurrentText("rectangular")
    wf.setup.height.setValue(4)
    wf.setup.width.setValue(5)
    wf.setup.epochs.setValue(5)
    assert wf.train()
    _idle(qtbot, win)
    assert wf.tm.config.topology == "rectangular" and not wf.map_view.hexagonal
    out = tmp_path / "rect.somz"
    assert save_now(qtbot, win, lambda: wf.save_map(str(out)))
    assert load_table_map(out).config.topology == "rectangular"


def test_import_preview_overrides_and_sampling(qtbot, tmp_path, monkeypatch):
    from somdesk.gui.table_import import ImportPreview

    p = tmp_path / "eu.csv"
    p.write_text("# exported 2026-01-01\nname;amount;price\nx;1.250,5;2,5\ny;12.500;3,75\nz;7;NA\n", encoding="utf-8")
    dlg = ImportPreview(None, str(p))
    qtbot.addWidget(dlg)
    assert dlg.table is not None, dlg.error
    t = dlg.table
    assert t.delimiter == ";" and "semicolon" in dlg.detected.text()
    assert t.values("amount").tolist() == [1250.5, 12500.0, 7.0]
    assert dlg.grid.model().rowCount() == 3 and dlg.grid.model().columnCount() == 3
    # override: no header -> the names line becomes data, columns are renamed
    dlg.skip.setValue(1)
    dlg.header.setCurrentText("no header")
    assert dlg.reread()
    assert dlg.table.n_rows == 4 and "name" in dlg.table.strings(dlg.table.columns[0])
    # a bad filter: the message is shown, OK is disabled
    dlg.skip.setValue(-1)
    dlg.header.setCurrentText("auto")
    dlg.where.setText("no_such_column > 1")
    assert not dlg.reread()
    from PySide6.QtWidgets import QDialogButtonBox
    assert not dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert "no_such_column" in dlg.notes.text()
    # a good filter keeps the matching rows
    dlg.where.setText("price > 3")
    assert dlg.reread() and dlg.table.n_rows == 1
    dlg.reject()
    # a table over the row limit is sampled, and the preview says so
    import somdesk.io.tables.table as table_mod
    monkeypatch.setattr(table_mod, "DEFAULT_MAX_ROWS", 100)
    big = tmp_path / "big.csv"
    big.write_text("a,b\n" + "".join(f"{i},{i % 7}\n" for i in range(1000)))
    dlg = ImportPreview(None, str(big))
    qtbot.addWidget(dlg)
    assert dlg.table.sampled and dlg.table.n_rows == 100
    assert "100 of 1,000 rows" in dlg.notes.text() and "Train on every row out of core" in dlg.notes.text()
    dlg.reject()


def test_planes_per_category_and_passive(qtbot, win, tmp_path):
    wf = win.tables
    assert open_table_now(qtbot, wf, _blobs(tmp_path / "t.csv"))
    wf.setup.set_column("region", use=True, categorical=True)
    wf.setup.set_column("d", passive=True)
    assert wf.train()
    _idle(qtbot, win)
    views = [wf.map_choice.itemText(i) for i in range(wf.map_choice.count())]
    assert views[:3] == ["segments", "U-matrix", "hits"]
    assert {"plane: region=north", "plane: region=south", "plane: region=east", "plane: d (passive)"} <= set(views)
    names, planes = wf.tm.planes_in_units()
    for view in ("plane: a", "plane: d (passive)", "plane: region=north"):
        wf.map_choice.setCurrentText(view)
        j = names.index(view[len("plane: "):].replace(" (passive)", ""))
        from somdesk.render.colour_tables import levels_of, scalar_rgb
        v = planes[:, :, j]
        want = scalar_rgb(v, "viridis", levels_of(v))
        want[~np.isfinite(v)] = (220, 220, 220)
        assert np.array_equal(wf.node_colours(), want)
    # region=north is a share (0..1) in the file's units, a is in the file's units
    north = planes[:, :, names.index("region=north")]
    assert np.nanmin(north) >= -1e-9 and np.nanmax(north) <= 1 + 1e-9
    wf.map_choice.setCurrentText("segments")
    assert np.array_equal(wf.node_colours()[0, 0], __import__("somdesk").render.category_colours(wf.tm.k)[wf.tm.clusters[0, 0]])


def _send_mouse(w, kind, pos, buttons, button=Qt.MouseButton.LeftButton, mods=Qt.KeyboardModifier.NoModifier):
    p = QPointF(pos)
    ev = QMouseEvent(kind, p, w.mapToGlobal(p), button, buttons, mods)
    QApplication.sendEvent(w, ev)


def test_segment_map_real_mouse_click_and_drag(qtbot):
    """Real mouse events: a click selects the node under it, a drag every node centre in the band."""
    from somdesk.gui.segment_map import SegmentMap
    from somdesk import render
    m = SegmentMap()
    qtbot.addWidget(m)
    m.resize(500, 500)
    m.show()
    qtbot.waitExposed(m)
    rgb = np.full((6, 5, 3), 128, np.uint8)
    m.show_nodes(rgb, True)
    qtbot.wait(50)
    got = []
    m.selection_changed.connect(lambda n: got.append(list(n)))
    vp = m.plot.viewport()
    centres = render.node_centres(6, 5, True, m.scale).reshape(-1, 2)

    def to_widget(x, y):
        sp = m.vb.mapViewToScene(QPointF(x, y))
        return m.plot.mapFromScene(sp)
    L = Qt.MouseButton.LeftButton
    pt = to_widget(*centres[7])
    _send_mouse(vp, QEvent.Type.MouseButtonPress, pt, L)
    _send_mouse(vp, QEvent.Type.MouseButtonRelease, pt, Qt.MouseButton.NoButton)
    assert got and got[-1] == [7], got
    a, b = to_widget(centres[0][0] - 4, centres[0][1] - 4), to_widget(centres[11][0] + 1, centres[11][1] + 1)
    from PySide6.QtCore import QPoint
    qtbot.mousePress(vp, L, pos=QPoint(int(a.x()), int(a.y())))
    for t in np.linspace(0, 1, 8):
        qtbot.mouseMove(vp, QPoint(int(a.x() + t * (b.x() - a.x())), int(a.y() + t * (b.y() - a.y()))))
        qtbot.wait(20)
    qtbot.mouseRelease(vp, L, pos=QPoint(int(b.x()), int(b.y())))
    inside = [i for i, (x, y) in enumerate(centres) if centres[0][0] - 4 <= x <= centres[11][0] + 1 and centres[0][1] - 4 <= y <= centres[11][1] + 1]
    assert got[-1] == inside, (got, inside)


def test_labels_view_shows_each_nodes_majority_label(qtbot, win, tmp_path):
    """The one window's old View › Labels, now in the dock: the label column's most frequent
    label per node (rows of three groups k0..k2), in category colours with a legend."""
    from somdesk import render

    wf = _trained(qtbot, win, _blobs(tmp_path / "t.csv"))
    views = [wf.map_choice.itemText(i) for i in range(wf.map_choice.count())]
    assert views[:4] == ["segments", "U-matrix", "hits", "labels: kind"] and "plane: a" in views
    wf.map_choice.setCurrentText("labels: kind")
    labels = wf.node_labels()
    assert {str(s) for s in labels.ravel() if s is not None} == {"k0", "k1", "k2"}
    names = ["k0", "k1", "k2"]
    colours = render.category_colours(3)
    rgb = wf.node_colours()
    w = wf.tm.config.width
    hit = np.bincount(wf.node_of_row[wf.node_of_row >= 0], minlength=labels.size).reshape(labels.shape)
    for r, c in zip(*np.nonzero(hit)):
        assert tuple(rgb[r, c]) == tuple(colours[names.index(labels[r, c])])
    # every row's node carries its own group's label for nearly all rows (well separated groups)
    kinds = [wf.table.strings("kind")[i] for i in range(wf.table.n_rows)]
    ok = wf.node_of_row >= 0
    agree = [labels[n // w, n % w] == k for n, k, o in zip(wf.node_of_row, kinds, ok) if o]
    assert np.mean(agree) > 0.9
    # a plane after the labels view is still the right plane
    wf.map_choice.setCurrentText("plane: a")
    names_u, planes = wf.tm.planes_in_units()
    from somdesk.render.colour_tables import levels_of, scalar_rgb
    v = planes[:, :, names_u.index("a")]
    assert np.array_equal(wf.node_colours(), scalar_rgb(v, "viridis", levels_of(v)))
    # no label column: no labels view
    wf.setup.label.setCurrentIndex(wf.setup.label.findData(None))
    assert wf.train()
    _idle(qtbot, win)
    assert not any(wf.map_choice.itemText(i).startswith("labels") for i in range(wf.map_choice.count()))


def test_export_image_writes_the_docks_map_view_with_its_legend(qtbot, win, tmp_path):
    from PIL import Image

    wf = _trained(qtbot, win, _blobs(tmp_path / "t.csv"))
    win.refresh()
    assert win.actions["export_image"].isEnabled()
    out = tmp_path / "map.png"
    assert win.export_image(str(out))                       # File > Export image (Ctrl+E)
    shown = wf.map_view.image_array()
    with Image.open(out) as im:
        got = np.asarray(im.convert("RGB"))
    assert got.shape[1] >= shown.shape[1] and got.shape[0] > shown.shape[0]       # legend below
    np.testing.assert_array_equal(got[:shown.shape[0], :shown.shape[1]], shown)   # the screen's pixels


def test_export_image_refuses_the_table_in_use_and_names_that_are_not_png(qtbot, win, tmp_path):
    # tester6 F33: File > Export image of the dock wrote PNG bytes over the open data.csv
    table = _blobs(tmp_path / "data.csv")
    wf = _trained(qtbot, win, table)
    before = open(table, "rb").read()
    assert not win.export_image(table)
    assert open(table, "rb").read() == before
    assert win.last_error == "Export image writes PNG: give it a .png file name, not 'data.csv'"
    link = tmp_path / "data-link.png"                      # the table by another (PNG) name
    os.symlink(table, link)
    win.last_error = None
    assert not wf.export_map(str(link))
    assert win.last_error.endswith("is the table in use: writing it would replace it; choose another name")
    assert open(table, "rb").read() == before
    assert wf.export_map(str(tmp_path / "map.png"))


def test_view_menu_picks_the_docks_map_view(qtbot, win, tmp_path):
    wf = _trained(qtbot, win, _blobs(tmp_path / "t.csv"))
    assert win.actions["view_umatrix"].isVisible() and win.actions["view_hits"].isVisible()
    win.set_view("umatrix")
    assert wf.map_mode == "U-matrix" and wf.tabs.currentIndex() == 1
    win.set_view("hits")
    assert wf.map_mode == "hits"
    win.set_view("colours")
    assert wf.map_mode == "segments"


def test_another_label_column_relabels_the_map_without_retraining(qtbot, win, tmp_path):
    """Issue 12's third bug: the label column changes the labels at once (TableWorkspace.set_label_column)."""
    wf = _trained(qtbot, win, _blobs(tmp_path / "t.csv"))
    assert save_now(qtbot, win, lambda: wf.save_map(str(tmp_path / "m.somz")))
    codebook = wf.tm.codebook.copy()
    wf.map_choice.setCurrentText("labels: kind")
    wf.setup.label.setCurrentIndex(wf.setup.label.findData("region"))
    assert not win.runner.busy and win.session.table.label_column == "region" and wf.tm.label_column == "region"
    np.testing.assert_array_equal(wf.tm.codebook, codebook)
    views = [wf.map_choice.itemText(i) for i in range(wf.map_choice.count())]
    assert "labels: region" in views and "labels: kind" not in views
    wf.map_choice.setCurrentText("labels: region")
    labels = {str(s) for s in wf.node_labels().ravel() if s is not None}
    assert labels <= {"north", "south", "east"} and len(labels) >= 2
    assert win.isWindowModified() and win.session.unsaved          # the map saves the new label column


def test_a_label_column_of_many_values_keeps_the_window_its_size(qtbot, win, tmp_path):
    # tester6 F22: a 150-value label column made a legend taller than the screen and the window grew
    from somdesk.render.legend import MAX_LEGEND_ROWS

    src = _blobs(tmp_path / "t.csv")
    lines = open(src).read().splitlines()
    with open(tmp_path / "tagged.csv", "w") as f:
        f.write("\n".join([lines[0] + ",tag"] + [f"{ln},t{i:03d}" for i, ln in enumerate(lines[1:])]) + "\n")
    win.resize(1320, 860)
    QApplication.processEvents()
    wf = _trained(qtbot, win, str(tmp_path / "tagged.csv"))
    wf.tabs.setCurrentIndex(1)
    QApplication.processEvents()
    size, least = win.size(), win.minimumSizeHint().height()
    wf.setup.label.setCurrentIndex(wf.setup.label.findData("tag"))
    wf.map_choice.setCurrentText("labels: tag")
    assert wf.map_choice.currentText() == "labels: tag"
    for _ in range(5):
        QApplication.processEvents()
    names = {str(s) for s in wf.node_labels().ravel() if s is not None}
    assert len(names) > 40
    from somdesk.render.legend import LEGEND_COLUMN_ROWS
    from tests.render.test_legend import legend_swatches

    # capped at MAX_LEGEND_ROWS entries ("... and N more" the last), in columns of 6 rows (tester F #8)
    assert legend_swatches(wf.legend_picture) == MAX_LEGEND_ROWS - 1
    assert (wf.legend_picture.shape[0] - 2) // 16 == LEGEND_COLUMN_ROWS
    assert win.size() == size and size.height() == 860
    from somdesk.gui.map_view import LEGEND_MIN_HEIGHT
    # the legend asks for no more than its bounded minimum (the Setup tab, which scrolls now,
    # no longer hides that the map tab's minimum grows by it)
    assert win.minimumSizeHint().height() <= least + LEGEND_MIN_HEIGHT
    area = wf.legend.parentWidget().parentWidget()                      # the legend's scroll area
    assert area.objectName() == "legend-area" and area.height() <= 200


def test_a_reopened_map_shows_its_recipe_and_train_repeats_it(qtbot, win, tmp_path):
    """The Setup tab of a reopened table map is the map's recipe (TableWorkspace.spec), not the
    table's defaults, so Train makes the same map again."""
    wf = _trained(qtbot, win, _blobs(tmp_path / "t.csv"), k=3)
    assert save_now(qtbot, win, lambda: wf.save_map(str(tmp_path / "m.somz")))
    first = wf.tm
    win.confirm_unsaved = False
    assert win.open_paths([str(tmp_path / "m.somz")])
    _idle(qtbot, win)
    assert wf.tm is not first and win.session.table.loaded and not win.isWindowModified()
    su = wf.setup
    assert su.k.value() == 3 and su.missing.currentText() == "train" and su.label.currentData() == "kind"
    assert su.height.value() == first.config.height and su.epochs.value() == first.config.iterations
    spec = su.spec()
    assert set(spec.columns) == set(first.recipe.columns) and spec.weights == {"region": 2.0}
    assert "region" in spec.categorical
    assert wf.train()
    _idle(qtbot, win)
    np.testing.assert_array_equal(wf.tm.codebook, first.codebook)
    np.testing.assert_array_equal(wf.tm.clusters, first.clusters)


def test_stop_keeps_the_epochs_trained_and_train_continues_them(qtbot, win, tmp_path):
    """Stop part way: the map of the epochs trained is shown (and saved as such); Train goes on
    from there, ending at the uninterrupted run's map (TableWorkspace.train_task)."""
    from somdesk.io.tables.table import read_table
    from somdesk.session.table_data import train_table_map

    path = _blobs(tmp_path / "t.csv", n=3000, seed=4)
    wf = win.tables
    assert open_table_now(qtbot, wf, path)
    wf.setup.height.setValue(12)
    wf.setup.width.setValue(14)
    wf.setup.epochs.setValue(400)
    _train_and_stop_after(qtbot, win, 3)
    ws = win.session.table
    assert ws.stopped and 3 <= wf.tm.epochs_done < 400 and win.isWindowModified()
    assert "stopped after epoch" in win.statusBar().currentMessage() and wf.rows_model.columnCount() > 0
    spec = wf.setup.spec()
    assert wf.train()
    _idle(qtbot, win)
    assert wf.tm.finished and win.last_error is None
    table = read_table(path)
    whole, _ = train_table_map(table, spec)
    table.close()
    np.testing.assert_array_equal(wf.tm.codebook, whole.codebook)


def test_stop_is_said_at_once_and_the_stages_are_named(qtbot, win, tmp_path):
    # tester6 F13/F14: after Stop a table map is still measured on every row (tens of seconds
    # on 200,000 rows) while the label said "segment: 1 of 30 epochs" and Stop stayed enabled
    wf = win.tables
    assert open_table_now(qtbot, wf, _blobs(tmp_path / "t.csv", n=3000))
    wf.setup.height.setValue(30)
    wf.setup.width.setValue(30)
    wf.setup.epochs.setValue(100_000)
    assert wf.train()
    qtbot.waitUntil(lambda: "training: " in win.progress_label.text(), timeout=TIMEOUT)
    seen = [win.progress_label.text()]
    assert win.actions["stop"].isEnabled()
    win.stop_task()                     # the task's end reaches the window by an event: still busy here
    assert win.runner.busy and win.runner.stopping
    assert win.progress_label.text().startswith("Stopping") and not win.actions["stop"].isEnabled()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert win.progress_label.text() == "" and wf.tm is not None and not wf.tm.finished
    assert re.fullmatch(r"training: \d+ of 100,000 epochs", seen[0]), seen


def test_closing_during_a_table_training_asks_first(qtbot, win, tmp_path):
    # tester6 F15: the window closed at once, losing the epochs, where a palette's run asks
    from PySide6.QtCore import QTimer

    wf = win.tables
    assert open_table_now(qtbot, wf, _blobs(tmp_path / "t.csv", n=3000))
    wf.setup.height.setValue(30)
    wf.setup.width.setValue(30)
    wf.setup.epochs.setValue(100_000)
    win.confirm_unsaved = True
    assert wf.train()
    qtbot.waitUntil(lambda: "training: " in win.progress_label.text(), timeout=TIMEOUT)
    seen = {}

    def answer(button):
        box = win._prompt
        seen["texts"] = [b.text() for b in box.buttons()]
        next(b for b in box.buttons() if b.text() == button).click()

    QTimer.singleShot(50, lambda: answer("Cancel"))
    assert not win.close() and win.isVisible() and win.runner.busy
    assert sorted(seen["texts"]) == ["&Discard", "Cancel"]     # no Save: there is no map yet
    QTimer.singleShot(50, lambda: answer("&Discard"))
    assert win.close()


@pytest.mark.parametrize("which", ["profiles", "planes"])
def test_profiles_and_planes_png_refuse_the_table_in_use_the_saved_map_and_other_names(qtbot, win, tmp_path, which):
    # tester8 #5: Profiles and Planes > Export PNG wrote PNG bytes over the table in use with a success message
    table = _blobs(tmp_path / "data.csv")
    wf = _trained(qtbot, win, table)
    export = (lambda p: wf.export_profiles("png", p)) if which == "profiles" else wf.export_planes
    before = open(table, "rb").read()
    assert not export(table)
    assert "writes PNG: give it a .png file name, not 'data.csv'" in win.last_error
    link = tmp_path / "data-link.png"                      # the table by another (PNG) name
    os.symlink(table, link)
    assert not export(str(link))
    assert win.last_error.endswith("is the table in use: writing it would replace it; choose another name")
    assert open(table, "rb").read() == before
    saved = tmp_path / "m.somz"
    assert save_now(qtbot, win, lambda: wf.save_map(str(saved)))
    kept = saved.read_bytes()
    os.symlink(saved, tmp_path / "m-link.png")
    assert not export(str(tmp_path / "m-link.png"))
    assert "the saved map" in win.last_error and saved.read_bytes() == kept
    assert export(str(tmp_path / "ok.png"))
    with Image.open(tmp_path / "ok.png") as im:
        assert im.format == "PNG"


def test_clicks_on_selected_ringed_nodes_reach_the_selection(qtbot):
    """tester8 #12: a click on an already selected node did nothing (its white ring took the click):
    Ctrl+click did not take it out, a plain click on one of several did not make it the only one."""
    from somdesk import render
    from somdesk.gui.segment_map import SegmentMap

    m = SegmentMap()
    qtbot.addWidget(m)
    m.resize(500, 500)
    m.show()
    qtbot.waitExposed(m)
    m.show_nodes(np.full((6, 5, 3), 128, np.uint8), True)
    qtbot.wait(50)
    got = []
    m.selection_changed.connect(lambda n: got.append(list(n)))
    vp = m.plot.viewport()
    centres = render.node_centres(6, 5, True, m.scale).reshape(-1, 2)
    ctrl = Qt.KeyboardModifier.ControlModifier

    def click(node, mods=Qt.KeyboardModifier.NoModifier):
        pt = m.plot.mapFromScene(m.vb.mapViewToScene(QPointF(*centres[node])))
        _send_mouse(vp, QEvent.Type.MouseButtonPress, pt, Qt.MouseButton.LeftButton, mods=mods)
        _send_mouse(vp, QEvent.Type.MouseButtonRelease, pt, Qt.MouseButton.NoButton, mods=mods)
        return got[-1] if got else None
    assert click(3) == [3]
    assert click(7, ctrl) == [3, 7]
    assert click(3, ctrl) == [7]                 # the ringed node toggles out
    assert click(3, ctrl) == [3, 7]
    assert click(7) == [7]                       # a plain click on a ringed node: only it


@pytest.mark.parametrize("stop", [False, True])
def test_a_label_column_picked_during_the_run_is_applied_to_its_map(qtbot, win, tmp_path, stop):
    """tester8 #4: a label column chosen while the map trained was silently put back to the one the
    run started with when it ended (k chosen meanwhile was applied)."""
    wf = win.tables
    assert open_table_now(qtbot, wf, _blobs(tmp_path / "t.csv", n=3000))
    wf.setup.label.setCurrentIndex(wf.setup.label.findData(None))
    wf.setup.height.setValue(12)
    wf.setup.width.setValue(12)
    wf.setup.epochs.setValue(300 if stop else 40)
    assert wf.train()
    qtbot.waitUntil(lambda: "training: " in win.progress_label.text(), timeout=TIMEOUT)
    wf.setup.label.setCurrentIndex(wf.setup.label.findData("kind"))        # during the run
    if stop:
        win.stop_task()                   # the map comes from the follow-up measuring task
    _idle(qtbot, win)
    assert wf.tm is not None and wf.tm.finished is not stop
    assert wf.ws.label_column == "kind" and wf.tm.label_column == "kind"
    assert wf.setup.label.currentData() == "kind"
    assert "Labelled by kind, as picked during the run." in win.statusBar().currentMessage()


def test_a_label_picked_during_a_failed_run_does_not_return_over_a_later_pick(qtbot, win, tmp_path, monkeypatch):
    """review8: the pick parked during a run that then failed came back over the label chosen since,
    when the next run ended."""
    import time as _time

    from somdesk.errors import SomdeskError
    from somdesk.session import Progress

    wf = win.tables
    assert open_table_now(qtbot, wf, _blobs(tmp_path / "t.csv", n=600))
    wf.setup.label.setCurrentIndex(wf.setup.label.findData(None))
    wf.setup.epochs.setValue(5)
    assert wf.train()
    _idle(qtbot, win)
    real = wf.ws.train_task

    def failing(*_a, **_k):
        yield Progress("train", 0, 1, "epochs", "training: failing on purpose")
        _time.sleep(0.5)
        raise SomdeskError("failed on purpose")

    monkeypatch.setattr(wf.ws, "train_task", failing)
    assert wf.train()
    qtbot.waitUntil(lambda: win.runner.busy, timeout=TIMEOUT)
    wf.setup.label.setCurrentIndex(wf.setup.label.findData("kind"))        # parked during the run
    _idle(qtbot, win)
    assert win.last_error is not None
    wf.setup.label.setCurrentIndex(wf.setup.label.findData(None))          # the later pick, idle
    monkeypatch.setattr(wf.ws, "train_task", real)
    assert wf.train()
    _idle(qtbot, win)
    assert wf.ws.label_column is None and wf.setup.label.currentData() is None


def test_setup_cosmetics_passive_weight_empty_curve_and_the_stopped_line(qtbot, win, tmp_path):
    """tester8 #15 (window parts): a passive column read weight 1.00; the validity curve before
    training was an empty frame with ticks 0.1 ... 0.9; a stopped map's line said "stopped after
    epoch 24 of 30" and "30 epochs"."""
    wf = win.tables
    assert open_table_now(qtbot, wf, _blobs(tmp_path / "t.csv", n=3000))
    su = wf.setup
    row = [c.name for c in su.columns.choices()].index("d")
    weight = su.columns.index(row, 4)
    su.set_column("d", passive=True)
    assert su.columns.data(weight) == "0 (passive)"
    assert not su.columns.flags(weight) & Qt.ItemFlag.ItemIsEditable
    # shown whole, not cut to "0 ..." (seen in a screenshot)
    assert su.grid.columnWidth(4) >= su.grid.fontMetrics().horizontalAdvance("0 (passive)") + 8
    su.set_column("d", passive=False)
    assert su.columns.data(weight) == "1.00" and su.columns.flags(weight) & Qt.ItemFlag.ItemIsEditable
    item = su.curve.getPlotItem()
    assert not item.getAxis("left").isVisible() and not item.getAxis("bottom").isVisible()
    su.height.setValue(12)
    su.width.setValue(12)
    su.epochs.setValue(400)
    _train_and_stop_after(qtbot, win, 3)
    message = win.statusBar().currentMessage()
    assert f"(stopped after epoch {wf.tm.epochs_done} of 400: Train continues it) 12 × 12:" in message
    assert "400 epochs" not in message
    assert item.getAxis("bottom").isVisible()                 # the curve of the map shown


def _ratings(path, users=300, seed=2):
    """Users x 8 items, ratings 1-5, 40 % not rated; three taste groups that love items 0-1, 3-4, 6-7."""
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 3, users)
    loved = {0: (0, 1), 1: (3, 4), 2: (6, 7)}
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([f"item{j}" for j in range(8)])
        for i in range(users):
            row = []
            for j in range(8):
                r = 5 if j in loved[g[i]] else int(rng.integers(1, 4))
                row.append("" if rng.random() < 0.4 else str(r))
            w.writerow(row)
    return str(path)


def _top_items_csv_is_the_clis(qtbot, win, tmp_path, n_rows):
    """tester9 #3 (window half): with Ratings table ticked, Export top items CSV… writes the list
    -- the bytes `somdesk train --table ... --top-items` writes for the same file and settings."""
    from somdesk.cli import main

    wf = win.tables
    cli_csv = tmp_path / "cli-top.csv"
    assert main(["train", "--table", str(tmp_path / "r.csv"), "--missing", "train", "--clusters", "3",
                 "--top-items", str(cli_csv), "--save-map", str(tmp_path / "m.somz"), "--quiet"]) == 0
    button = wf.top_items_button
    assert not button.isHidden() and button.isEnabled()
    out = tmp_path / "win-top.csv"
    assert wf.export_top_items(str(out))
    assert out.read_bytes() == cli_csv.read_bytes()
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "segment,rank,item,mean,ratings,lift" and len(lines) - 1 == n_rows
    assert "top items" in win.statusBar().currentMessage()
    data = tmp_path / "r.csv"
    before = data.read_bytes()
    assert not wf.export_top_items(str(data))                  # the table in use: one message, untouched
    assert win.last_error and data.read_bytes() == before
    assert not wf.export_top_items(str(tmp_path / "top.png")) and "CSV" in win.last_error
    wf.profiles_view.ratings.setChecked(False)
    assert button.isHidden()
    wf.profiles_view.ratings.setChecked(True)


def test_top_items_of_a_ratings_table_in_the_profiles_tab_and_report(qtbot, win, tmp_path):
    """tester8 #6: issue 13's recommender use case -- each segment's top items -- in the window, the
    same figures as `somdesk train --table --top-items` gives for the same map."""
    from somdesk.session.report import table_top_items

    wf = win.tables
    assert open_table_now(qtbot, wf, _ratings(tmp_path / "r.csv"))
    wf.setup.missing.setCurrentText("train")
    wf.setup.k.setValue(3)
    assert wf.train()
    _idle(qtbot, win)
    assert win.last_error is None, win.last_error
    pv = wf.profiles_view
    assert pv.top.isHidden()                       # not a ratings table until the user says so
    pv.ratings.setChecked(True)
    assert not pv.top.isHidden()
    want = table_top_items(wf.tm, wf.ws.table)     # what the CLI writes for this map
    rows = [(s, k, e) for s, entries in sorted(want.items()) for k, e in enumerate(entries, 1)]
    assert pv.top.rowCount() == len(rows) > 0
    for i, (s, k, (item, mean, count, lift)) in enumerate(rows):
        assert [pv.top.item(i, j).text() for j in range(4)] == [str(s), str(k), item, f"{mean:.3g}"]
    _top_items_csv_is_the_clis(qtbot, win, tmp_path, len(rows))
    # each segment's favourite is one of a taste group's loved items
    firsts = {entries[0][0] for entries in want.values()}
    assert firsts <= {f"item{j}" for j in (0, 1, 3, 4, 6, 7)}
    rep = tmp_path / "report.html"
    assert wf.export_report(str(rep))
    _idle(qtbot, win)
    assert "mean rating" in rep.read_text(encoding="utf-8")
    pv.ratings.setChecked(False)
    assert pv.top.isHidden() and wf.export_report(str(rep))
    _idle(qtbot, win)
    assert "mean rating" not in rep.read_text(encoding="utf-8")


@pytest.mark.parametrize("k, size", [(2, (1300, 850)), (6, (1300, 850)), (12, (900, 900))])
def test_every_segment_of_the_legend_is_seen_without_scrolling(qtbot, win, tmp_path, k, size):
    # tester F #8: trained from the Setup tab, the Map & rows tab's legend area kept the empty
    # label's one-line height: "segment 0" and a scroll arrow, for 2 segments as for 6
    win.resize(*size)
    QApplication.processEvents()
    wf = win.tables
    wf.tabs.setCurrentIndex(0)
    _trained(qtbot, win, _blobs(tmp_path / "t.csv"), k=k)
    assert wf.tm.k == k
    wf.tabs.setCurrentIndex(1)
    wf.map_choice.setCurrentText("segments")
    for _ in range(10):
        QApplication.processEvents()
    area = wf.legend.parentWidget().parentWidget()                      # the legend's scroll area
    assert area.objectName() == "legend-area"
    pic = wf.legend_picture                                             # (h, w, 3): every entry drawn
    view = area.viewport()
    assert view.height() >= pic.shape[0] and view.width() >= pic.shape[1], (view.size(), pic.shape)
    assert area.verticalScrollBar().maximum() == 0 and area.horizontalScrollBar().maximum() == 0
    from tests.render.test_legend import legend_swatches
    assert legend_swatches(pic) == k            # each segment's entry is in the picture shown whole
