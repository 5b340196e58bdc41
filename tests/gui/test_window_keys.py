"""The keyboard items of issue 12, pressed as a user would, and the map view (was
test_canvas.py: views, markers, hover) and the menus that replaced the Modes menu
(was test_mode_menu.py)."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication, QMenu

from somdesk.core import SOMConfig
from somdesk.gui import window as window_module
from somdesk.render import EMPTY_NODE

from .helpers import make_window, train, wait_idle


def press(qtbot, widget, key, mods=Qt.KeyboardModifier.NoModifier):
    widget.activateWindow()
    qtbot.keyClick(widget, key, mods)
    QApplication.processEvents()


@pytest.fixture
def shown(qtbot, colours):
    w = make_window(qtbot, colours, SOMConfig(width=6, height=4, iterations=10, seed=1))
    qtbot.waitExposed(w)
    yield w
    w.close()


def test_ctrl_w_closes_the_window(qtbot, shown):
    assert shown in window_module.WINDOWS
    press(qtbot, shown.canvas.plot, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert not shown.isVisible() and shown not in window_module.WINDOWS


def test_delete_removes_the_selected_swatches_and_ctrl_z_brings_them_back(qtbot, shown):
    panel = shown.left.swatches
    sel = panel.view.selectionModel()
    for row in (1, 3):
        sel.select(panel.model.index(row), sel.SelectionFlag.Select)
    before = shown.session.dataset.colours.copy()
    panel.view.setFocus()
    press(qtbot, panel.view, Qt.Key.Key_Delete)
    assert len(shown.session.dataset.colours) == 18
    np.testing.assert_array_equal(shown.session.dataset.colours, np.delete(before, [1, 3], axis=0))
    press(qtbot, shown.canvas.plot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    np.testing.assert_array_equal(shown.session.dataset.colours, before)
    press(qtbot, shown.canvas.plot, Qt.Key.Key_Z,
          Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(shown.session.dataset.colours) == 18


def test_reset_weights_by_key_is_undone_by_key(qtbot, shown):
    train(qtbot, shown)
    trained = shown.session.map.weights.copy()
    press(qtbot, shown.canvas.plot, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert shown.session.map.iteration == 0
    assert shown.actions["undo"].text() == "&Undo Reset weights"
    press(qtbot, shown.canvas.plot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert shown.session.map.iteration == 10
    np.testing.assert_array_equal(shown.session.map.weights, trained)


@pytest.mark.parametrize("key, speed, pace", [(Qt.Key.Key_1, "slow", 50.0), (Qt.Key.Key_2, "normal", 200.0),
                                              (Qt.Key.Key_3, "fast", 1000.0), (Qt.Key.Key_4, "max", None)])
def test_speed_shortcuts(qtbot, shown, key, speed, pace):
    shown.set_speed("normal" if speed != "normal" else "slow")
    press(qtbot, shown.canvas.plot, key, Qt.KeyboardModifier.ControlModifier)
    assert shown.speed == speed and shown.pace == pace and shown.actions[f"speed_{speed}"].isChecked()


def test_f1_opens_the_shipped_help(qtbot, shown):
    press(qtbot, shown.canvas.plot, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: shown.findChild(object, "somdesk-help") is not None, timeout=2000)
    from PySide6.QtWidgets import QTextBrowser

    text = shown.findChild(object, "somdesk-help").findChild(QTextBrowser).toPlainText()
    assert "Ctrl+Shift+Z" in text and "Keep this seed" in text


def test_no_modes_menu_new_has_every_kind_and_samples_are_one_click(qtbot, shown):
    titles = [a.text() for a in shown.menuBar().actions()]
    assert "&Modes" not in titles and titles[-1] == "&Help"
    new = next(m for m in shown.findChildren(QMenu) if m.title() == "&New")
    assert [a.text() for a in new.actions()] == ["New &colours window", "New &picture window…", "New &table window…"]
    samples = [a.text() for a in shown.samples_menu.actions()]
    assert any("customers" in t for t in samples) and any("rainbow" in t for t in samples)


# -- the map view (was test_canvas.py) ------------------------------------------------------------
def test_views_and_markers(qtbot, shown):
    train(qtbot, shown)
    state = shown.session.map
    s = shown.canvas.scale
    colours = shown.canvas.image_array()
    pts = shown.canvas.markers.getData()
    assert len(pts[0]) == len(np.unique(state.bmus[:, 0] * 6 + state.bmus[:, 1]))
    np.testing.assert_allclose(sorted(pts[0]), sorted((np.unique(state.bmus[:, 0] * 6 + state.bmus[:, 1]) % 6
                                                       + 0.5) * s))
    shown.set_view("umatrix")
    shown.draw()
    umat = shown.canvas.image_array()
    assert umat.shape == colours.shape and not np.array_equal(umat, colours)
    r, c = np.unravel_index(np.argmax(state.umatrix), state.umatrix.shape)
    assert umat[r * s + s // 2, c * s + s // 2, 0] > 200 and umat[r * s + s // 2, c * s + s // 2, 1] > 200  # yellow
    shown.set_view("hits")
    shown.draw()
    hits = shown.canvas.image_array()[s // 2::s, s // 2::s]
    empty = state.hits == 0
    assert (hits[empty] == EMPTY_NODE[:3]).all() and not (hits[~empty] == EMPTY_NODE[:3]).all(axis=-1).any()
    # rings black on light nodes (the most hits: pale yellow), white on dark (tester6 F2)
    from somdesk.render.colour_tables import is_light
    ring = {(round(x), round(y)): p.color().lightness() for x, y, p in
            zip(*shown.canvas.markers.getData(), shown.canvas.markers.data["pen"])}
    lights = {bool(is_light(hits[r, c])): ring[(round((c + 0.5) * s), round((r + 0.5) * s))]
              for r, c in zip(*np.nonzero(~empty))}
    assert lights.get(True, 0) == 0 and lights.get(False, 255) == 255 and True in lights
    shown.set_view("strip")            # taller than the map: fitted again, nothing cut off (tester6 F1)
    shown.draw()
    h, w = shown.canvas.image_array().shape[:2]
    (x0, x1), (y0, y1) = shown.canvas.vb.viewRange()
    assert h > colours.shape[0] and y0 <= 0 and y1 >= h and x0 <= 0 and x1 >= w
    shown.set_view("colours")
    shown.draw()
    np.testing.assert_array_equal(shown.canvas.image_array(), colours)
    markers = shown.canvas.markers
    shown.actions["markers"].setChecked(False)
    assert not markers.isVisible()


def test_hover_reports_node_colour_hits_and_u(qtbot, shown):
    train(qtbot, shown)
    s = shown.canvas.scale
    w = shown.session.map.weights
    r, g, b = np.clip(w[2, 5] * 255 + 0.5, 0, 255).astype(int)
    scene = shown.canvas.vb.mapViewToScene(QPointF(5.5 * s, 2.5 * s))
    with qtbot.waitSignal(shown.canvas.hovered) as hovered:
        shown.canvas.plot.scene().sigMouseMoved.emit(scene)
    text = hovered.args[0]
    assert text.startswith("node (2, 5)") and f"#{r:02x}{g:02x}{b:02x}" in text and "hits" in text and "U " in text


def test_new_inputs_clear_stale_markers(qtbot, shown):
    train(qtbot, shown)
    assert len(shown.canvas.markers.getData()[0]) > 0
    shown.session.new_colours(shown.session.dataset.colours[::-1].copy())   # other inputs: a new map
    wait_idle(qtbot, shown)
    assert shown.session.map.iteration == 0 and len(shown.canvas.markers.getData()[0]) == 0


def test_rings_that_stay_put_are_not_set_again(qtbot, shown, monkeypatch):
    """gui13: a live map whose inputs keep their nodes keeps its rings as they are (pyqtgraph's
    setData was ~2 ms of each map drawn at Max); rings that move, or a view whose pixels turn a
    ring from white to black, are set again."""
    train(qtbot, shown)
    markers = shown.canvas.markers
    before = [a.copy() for a in markers.getData()]
    calls = []
    real = markers.setData
    monkeypatch.setattr(markers, "setData", lambda *a, **k: calls.append(1) or real(*a, **k))
    shown.draw()
    assert calls == []
    for a, b in zip(markers.getData(), before):
        np.testing.assert_array_equal(a, b)
    shown.set_view("hits")                      # other pixels under the rings: pens judged again
    shown.draw()
    shown.set_view("colours")
    shown.draw()
    assert len(calls) >= 1
    shown.session.new_colours(shown.session.dataset.colours[::-1].copy())   # no BMUs: no rings
    wait_idle(qtbot, shown)
    shown.draw()
    assert len(markers.getData()[0]) == 0


def test_tab_goes_from_the_map_to_the_first_field_and_back_past_no_container(qtbot, win):
    """TesterH #8: Tab stopped on the legend area, the metrics plot and the left panel's scroll
    area (none takes a key) before the first field.  The chain: map -> the settings' fields in
    order -> Reset to defaults -> map."""
    from somdesk.gui.map_view import LegendArea
    from somdesk.gui.metrics_plot import MetricsPlot
    from somdesk.gui.panels import LeftPanel

    win.resize(1280, 720)
    win.activateWindow()
    qtbot.waitExposed(win)
    win.canvas.plot.setFocus()
    QApplication.processEvents()
    chain = []
    for _ in range(40):
        win.focusNextChild()
        QApplication.processEvents()
        w = QApplication.focusWidget()
        chain.append(w)
        if w is win.canvas.plot:
            break
    assert chain[-1] is win.canvas.plot, [type(w).__name__ for w in chain]
    assert not any(isinstance(w, (LegendArea, MetricsPlot, LeftPanel)) for w in chain)
    params = win.left.params
    assert chain[0] is params.width_spin and chain[1] is params.height_spin     # the first fields
    assert all(params.isAncestorOf(w) for w in chain[:-1])
    assert "Reset" in chain[-2].text()
