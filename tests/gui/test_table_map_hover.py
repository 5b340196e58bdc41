"""Hovering the table map (the Segments dock's map view) says what the node is, as the colour
map does (tester6 F42): node, segment, hits, U-matrix value, label, and the plane shown."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF
from PySide6.QtWidgets import QApplication

from somdesk import render
from somdesk.core.metrics import u_matrix
from tests.gui.test_table_workflow import _blobs, _trained


def _hover(wf, node):
    """Move the mouse over flat node `node` of the map view (the scene's own signal)."""
    tm = wf.tm
    h, w = tm.codebook.shape[:2]
    x, y = render.node_centres(h, w, tm.config.topology == "hexagonal", wf.map_view.scale).reshape(-1, 2)[node]
    scene_pos = wf.map_view.vb.mapViewToScene(QPointF(float(x), float(y)))
    wf.map_view.plot.scene().sigMouseMoved.emit(scene_pos)
    QApplication.processEvents()
    return wf.hover_label.text()


def test_hovering_a_node_names_it_its_segment_hits_u_value_and_label(qtbot, win, tmp_path):
    wf = _trained(qtbot, win, _blobs(tmp_path / "t.csv"))
    tm, a = wf.tm, wf.assigned
    h, w = tm.codebook.shape[:2]
    node_of_row = a["bmu_row"] * w + a["bmu_col"]
    hits = np.bincount(node_of_row, minlength=h * w)
    umat = u_matrix(tm.codebook, tm.config.topology == "hexagonal")
    labels = wf.ws.node_labels()
    for node in (int(hits.argmax()), int(np.flatnonzero(hits == 0)[0]) if (hits == 0).any() else 0, h * w - 1):
        r, c = divmod(node, w)
        text = _hover(wf, node)
        assert text.startswith(f"node ({r}, {c})  segment {int(tm.clusters[r, c])}  hits {int(hits[node])}  "
                               f"U {umat[r, c]:.3f}"), text
        assert (f"label '{labels[r, c]}'" if labels[r, c] is not None else "no label") in text
        assert win.hover.text() == text              # where the colour map's hover line goes too
    assert "hits 0" in _hover(wf, int(np.flatnonzero(hits == 0)[0])) or hits.min() > 0


def test_the_plane_shown_gives_its_value_in_the_files_units(qtbot, win, tmp_path):
    wf = _trained(qtbot, win, _blobs(tmp_path / "t.csv"))
    wf.map_choice.setCurrentText("plane: b")
    assert wf.map_mode == "plane: b"
    names, planes = wf.tm.planes_in_units()
    w = wf.tm.codebook.shape[1]
    node = 5
    value = planes[node // w, node % w, list(names).index("b")]
    assert _hover(wf, node).endswith(f"  b {value:,.6g}")
    wf.map_choice.setCurrentText("segments")             # another view: no plane value
    assert "  b " not in _hover(wf, node)


def test_leaving_the_map_clears_the_line_and_another_map_is_measured_again(qtbot, win, tmp_path):
    wf = _trained(qtbot, win, _blobs(tmp_path / "t.csv"), k=2)
    assert _hover(wf, 0)
    QApplication.sendEvent(wf.map_view, QEvent(QEvent.Type.Leave))
    assert wf.hover_label.text() == "" and win.hover.text() == ""
    before = _hover(wf, 0)
    wf.setup.k.setValue(4)                               # re-clustered: other segments
    qtbot.waitUntil(lambda: not win.runner.busy and wf.tm.k == 4, timeout=60_000)
    after = _hover(wf, 0)
    assert after.split("  ")[1] == f"segment {int(wf.tm.clusters[0, 0])}"
    assert before.split("  ")[0] == after.split("  ")[0]


def test_a_long_label_is_cut_to_one_short_line(qtbot, win, tmp_path):
    path = tmp_path / "long.csv"
    rng = np.random.default_rng(0)
    with open(path, "w") as f:
        f.write("a,b,kind\n")
        for i in range(90):
            kind = ("very long category name " * 6 + "A") if i % 2 else "short\tB"
            f.write(f"{rng.normal():.4f},{rng.normal() + 3 * (i % 2):.4f},\"{kind}\"\n")
    from tests.gui.helpers import open_table_now

    wf = win.tables
    assert open_table_now(qtbot, wf, path)
    wf.setup.label.setCurrentIndex(wf.setup.label.findData("kind"))
    assert wf.train()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=120_000)
    labels = wf.ws.node_labels()
    node = next(i for i, v in enumerate(labels.ravel()) if v is not None and v.startswith("very"))
    text = _hover(wf, node)
    assert "…" in text and len(text) < 140 and "\t" not in text
