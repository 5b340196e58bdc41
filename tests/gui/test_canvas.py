"""The canvas: views, hexagonal layout, markers, hover, the PNG image."""
from __future__ import annotations

import numpy as np
import pytest

from somdesk.core import SOM, SOMConfig
from somdesk.gui.canvas import EMPTY_NODE, HEX_ROW, MapCanvas, hex_layout, map_qimage
from somdesk.gui.training import make_snapshot


@pytest.fixture
def canvas(qtbot):
    c = MapCanvas()
    qtbot.addWidget(c)
    c.resize(400, 400)
    c.show()
    return c


def _snap(w=6, h=4, topology="rectangular", steps=3, view="colours"):
    data = np.random.default_rng(2).random((5, 3))
    som = SOM(data, SOMConfig(width=w, height=h, iterations=10, topology=topology, seed=4))
    for _ in range(steps):
        som.step()
    return som, make_snapshot(som, view=view)


def test_hexagonal_rows_are_offset_by_half_a_cell(canvas):
    som, snap = _snap(w=4, h=3, topology="hexagonal")
    canvas.set_inputs(som.data)
    canvas.show_snapshot(snap)
    img = canvas.image.image
    assert img.shape == (3, 9, 4)                       # 2 sub-columns per node + half a cell
    rgb = lambda r, c: np.clip(snap.weights[r, c] * 255 + 0.5, 0, 255).astype(np.uint8)
    # even row: node j at sub-columns 2j, 2j+1; the last half cell is transparent
    np.testing.assert_array_equal(img[0, 0, :3], rgb(0, 0))
    np.testing.assert_array_equal(img[0, 7, :3], rgb(0, 3))
    assert img[0, 8, 3] == 0
    # odd row: shifted right by one sub-column
    assert img[1, 0, 3] == 0
    np.testing.assert_array_equal(img[1, 1, :3], rgb(1, 0))
    np.testing.assert_array_equal(img[1, 2, :3], rgb(1, 0))
    np.testing.assert_array_equal(img[1, 8, :3], rgb(1, 3))
    # geometry: rows sqrt(3)/2 high, so node centres match the core's node positions
    rect = canvas.image.mapRectToView(canvas.image.boundingRect())
    assert rect.width() == pytest.approx(4.5) and rect.height() == pytest.approx(3 * HEX_ROW)
    assert canvas.node_at(0.2, 1.5 * HEX_ROW) is None          # the empty half cell of row 1
    assert canvas.node_at(0.7, 1.5 * HEX_ROW) == (1, 0)
    assert canvas.node_at(3.7, 0.5 * HEX_ROW) == (0, 3)
    x, y = canvas.node_centres(np.array([1]), np.array([0]), True)
    assert (x[0], y[0]) == pytest.approx((1.0, 1.5 * HEX_ROW))


def test_hex_layout_is_pure_numpy():
    img = np.arange(2 * 2 * 1).reshape(2, 2, 1) + 1
    assert hex_layout(img)[..., 0].tolist() == [[1, 1, 2, 2, 0], [0, 3, 3, 4, 4]]


def test_views_and_markers(canvas):
    som, snap = _snap(view="umatrix")
    canvas.set_inputs(som.data)
    canvas.show_snapshot(snap)
    colours = canvas.image.image.copy()
    markers = canvas.markers
    assert len(markers.points()) == 5
    x, y = canvas.node_centres(snap.bmus[:, 0], snap.bmus[:, 1], False)
    np.testing.assert_allclose(sorted(markers.getData()[0]), sorted(x))

    canvas.set_view("umatrix")
    umat = canvas.image.image
    assert umat.shape == colours.shape and not np.array_equal(umat, colours)
    # the brightest U-matrix node is the one with the largest mean distance (viridis: yellow)
    r, c = np.unravel_index(np.argmax(snap.umatrix), snap.umatrix.shape)
    assert umat[r, c, 0] > 200 and umat[r, c, 1] > 200

    canvas.set_view("hits")
    hits = canvas.image.image
    empty = snap.hits == 0
    grey = EMPTY_NODE[:3]
    assert (hits[empty, :3] == grey).all() and not (hits[~empty, :3] == grey).all(axis=-1).any()

    canvas.set_view("colours")
    np.testing.assert_array_equal(canvas.image.image, colours)

    # a new snapshot updates the same ScatterPlotItem (setData, not a new item)
    for _ in range(3):
        som.step()
    canvas.show_snapshot(make_snapshot(som))
    assert canvas.markers is markers and len(markers.points()) == 5
    canvas.set_markers_visible(False)
    assert not markers.isVisible() and not canvas.halo.isVisible()


def test_umatrix_is_computed_when_switching_while_idle(canvas):
    _som, snap = _snap()                                # colours snapshot, no U-matrix in it
    assert snap.umatrix is None
    canvas.show_snapshot(snap)
    canvas.set_view("umatrix")
    assert canvas.image.image.shape == (4, 6, 4)
    assert "U " in canvas.describe_node(0, 0)


def test_hover_reports_node_and_hex(canvas, qtbot):
    _som, snap = _snap()
    canvas.show_snapshot(snap)
    r, g, b = np.clip(snap.weights[2, 5] * 255 + 0.5, 0, 255).astype(int)
    scene_pos = canvas.vb.mapViewToScene(__import__("PySide6.QtCore", fromlist=["QPointF"]).QPointF(5.5, 2.5))
    with qtbot.waitSignal(canvas.hovered) as hovered:
        canvas.scene().sigMouseMoved.emit(scene_pos)
    text = hovered.args[0]
    assert text.startswith("row 2, col 5") and f"#{r:02x}{g:02x}{b:02x}" in text


def test_map_qimage_is_nearest_neighbour_and_oriented():
    w = np.zeros((2, 3, 3))
    w[0, 2] = (1, 0, 0)                       # top-right node red
    w[1, 0] = (0, 0, 1)                       # bottom-left node blue
    img = map_qimage(w, hexagonal=False, cell=4)
    assert (img.width(), img.height()) == (12, 8)
    assert img.pixelColor(11, 0).red() == 255 and img.pixelColor(8, 3).red() == 255
    assert img.pixelColor(0, 7).blue() == 255 and img.pixelColor(4, 7).blue() == 0
    hex_img = map_qimage(np.ones((2, 3, 3)), hexagonal=True, cell=8)
    assert (hex_img.width(), hex_img.height()) == (28, 2 * round(8 * HEX_ROW))


def test_new_inputs_clear_stale_markers(canvas):
    som, snap = _snap()
    canvas.set_inputs(som.data)
    canvas.show_snapshot(snap)
    assert len(canvas.markers.points()) == 5
    canvas.set_inputs(som.data[::-1].copy())            # same count, other colours
    assert len(canvas.markers.points()) == 0
    canvas.set_view("hits")                             # re-showing the old snapshot keeps them hidden
    assert len(canvas.markers.points()) == 0
    canvas.show_snapshot(make_snapshot(som))            # a new snapshot brings them back
    assert len(canvas.markers.points()) == 5
