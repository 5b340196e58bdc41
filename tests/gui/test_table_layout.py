"""The Segments dock's layout (tester2 B3): compact map-size fields, node outlines in the map
view, column headers elided on the right with the whole name as a tooltip."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication


def test_the_map_size_fields_are_compact_and_side_by_side(qtbot):
    from somdesk.gui.table_setup import TableSetup

    panel = TableSetup()
    qtbot.addWidget(panel)
    panel.resize(1400, 700)
    panel.show()
    qtbot.waitExposed(panel)
    QApplication.processEvents()
    h, w = panel.height.geometry(), panel.width.geometry()
    assert h.width() <= 130 and w.width() <= 130                       # not stretched across the dock
    assert 0 < w.left() - h.right() < 40                               # "×" between, nothing else
    assert abs(h.left() - panel.label.geometry().left()) < 5          # left-aligned with the other fields


def _dark_between(pic, a, b):
    """The darkest pixel on the segment from centre a to centre b (x, y)."""
    xs = np.linspace(a[0], b[0], 1000).astype(int)
    ys = np.linspace(a[1], b[1], 1000).astype(int)
    return pic[ys, xs].min()


def test_nodes_of_one_colour_are_told_apart_by_their_outlines(qtbot):
    from somdesk import render
    from somdesk.gui.segment_map import SegmentMap

    m = SegmentMap()
    qtbot.addWidget(m)
    rgb = np.full((4, 5, 3), 200, np.uint8)            # one segment: every node the same colour
    for hexagonal in (True, False):
        m.show_nodes(rgb, hexagonal)
        pic = m.image_array()
        c = render.node_centres(4, 5, hexagonal, m.scale).reshape(-1, 2)
        for a, b in ((0, 1), (6, 7), (1, 6), (12, 17)):      # right and lower neighbours
            assert _dark_between(pic, c[a], c[b]) < 160, (hexagonal, a, b)
        cx, cy = c.astype(int).T
        assert (pic[cy, cx] == 200).all()                  # inside a node: its own colour
        idx = render.index_image(4, 5, hexagonal, m.scale)
        assert (pic[idx < 0] == 255).all()                 # the background stays white


def test_row_headers_elide_on_the_right_with_the_whole_name_as_tooltip(qtbot):
    from somdesk.gui.table_rows import RowsModel, RowsView

    model, view = RowsModel(), RowsView()
    qtbot.addWidget(view)
    view.setModel(model)
    name = "alcalinity_of_ash"
    model.set_columns({name: np.arange(3.0), "b": np.arange(3.0)})
    model.set_rows([0, 1, 2])
    hh = view.horizontalHeader()
    assert hh.textElideMode() == Qt.TextElideMode.ElideRight
    assert hh.defaultAlignment() & Qt.AlignmentFlag.AlignLeft
    assert model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == name


def test_small_maps_are_drawn_at_a_larger_scale_not_zoomed_up(qtbot):
    """Tester2 B13: a 2 x 2 map filled the view with 10 px stair-steps (its 24 px-per-node raster
    zoomed up); small maps are drawn at about the shown size, big ones at the least scale."""
    from somdesk.gui.segment_map import SCALE, SegmentMap

    m = SegmentMap()
    qtbot.addWidget(m)
    for (h, w), least in (((2, 2), 64), ((12, 7), 50), ((100, 100), SCALE)):
        m.show_nodes(np.full((h, w, 3), 90, np.uint8), True)
        assert (m.scale == SCALE) if least == SCALE else (m.scale >= least)
        centre = [int(v) for v in (m._centres[h * w - 1])]
        assert m.node_at(*centre) == h * w - 1                  # hit-testing at the same scale


def test_the_column_grid_makes_no_widget_per_column(qtbot, tmp_path):
    """Tester2 C1: a 10,000-column table froze the window for minutes: the Setup grid made four
    widgets per column.  Its cells are items now: the widget count does not grow with the
    columns, and the choices still reach the spec."""
    from PySide6.QtWidgets import QWidget

    from somdesk.gui.table_setup import TableSetup
    from somdesk.io.tables.table import read_table

    def widgets_for(ncols):
        p = tmp_path / f"w{ncols}.csv"
        rng = np.random.default_rng(ncols)
        p.write_text(",".join(f"c{j}" for j in range(ncols)) + "\n" + "".join(
            ",".join(f"{v:.3f}" for v in rng.normal(size=ncols)) + "\n" for _ in range(12)), encoding="utf-8")
        panel = TableSetup()
        qtbot.addWidget(panel)
        tab = read_table(str(p))
        panel.set_table(tab)
        n = len(panel.findChildren(QWidget))
        return panel, tab, n

    small, tab1, n_small = widgets_for(3)
    big, tab2, n_big = widgets_for(400)
    assert n_big == n_small
    m = big.columns                                            # a model: cells are data, not widgets
    edits = []
    big.spec_edited.connect(lambda: edits.append(1))
    m.setData(m.index(5, 3), Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)   # "Use" of c5
    m.setData(m.index(7, 4), 2.5, Qt.ItemDataRole.EditRole)                            # weight of c7
    m.setData(m.index(9, 5), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)    # c9 passive
    spec = big.spec()
    assert "c5" not in spec.columns and spec.weights == {"c7": 2.5} and spec.passive == ("c9",)
    assert len(edits) == 3
    assert m.data(m.index(7, 4)) == "2.50"                       # shown with two decimals
    big.set_column("c5", use=True, weight=3.0)
    assert "c5" in big.spec().columns and big.spec().weights["c5"] == 3.0
    tab1.close()
    tab2.close()


def test_node_outlines_follow_the_nodes_size_on_screen(qtbot):
    """TesterH #8: a 69 x 55 hexagonal map seen at ~380 px drew every node's outline, a moire of
    dark specks over each segment.  Seen small: no outline colour at all; zoomed in past
    render.outlines.OUTLINE_MIN_PX a node: the outlines come back; zoomed out: gone again."""
    from somdesk.gui.segment_map import SegmentMap
    from somdesk.render.outlines import EDGE_SHADE, OUTLINE_MIN_PX

    blue = np.array([0, 114, 178], np.uint8)
    shade = tuple((blue.astype(np.float32) * EDGE_SHADE).astype(np.uint8))

    def has_outlines():
        return bool(np.any(np.all(m.image_array().reshape(-1, 3) == shade, axis=1)))

    m = SegmentMap()
    qtbot.addWidget(m)
    m.resize(400, 380)
    m.show()
    qtbot.waitExposed(m)
    m.show_nodes(np.broadcast_to(blue, (55, 69, 3)).copy(), True)
    QApplication.processEvents()
    assert 0 < m.shown_node_px() < OUTLINE_MIN_PX
    assert not has_outlines()
    m.vb.setRange(xRange=(0, 10 * m.scale), yRange=(0, 10 * m.scale), padding=0)   # ~10 nodes across
    QApplication.processEvents()
    assert m.shown_node_px() >= OUTLINE_MIN_PX
    assert has_outlines()
    m.vb.autoRange()
    QApplication.processEvents()
    assert not has_outlines()


def test_selection_marks_do_not_overlap_where_nodes_are_seen_small(qtbot):
    """TesterH/fixP2: 2,049 selected nodes of a 69 x 55 map seen at ~7 px each drew 13-px white rings,
    a mesh over the map.  Seen small, a selected node's mark is narrower than the nodes' pitch; zoomed
    in past RING_PX the 13-px ring comes back; zoomed out, the dot again."""
    from somdesk.gui.segment_map import RING_PX, SegmentMap

    m = SegmentMap()
    qtbot.addWidget(m)
    m.resize(400, 380)
    m.show()
    qtbot.waitExposed(m)
    m.show_nodes(np.zeros((55, 69, 3), np.uint8) + 90, True)
    m.select_nodes(np.arange(0, 55 * 69, 2))
    QApplication.processEvents()

    def mark_px():            # a spot's own size, or (-1) the item's, as pyqtgraph keeps them
        own = float(m.rings.data["size"][0])
        return own if own > 0 else float(m.rings.opts["size"])

    shown = m.shown_node_px()
    assert 0 < shown < RING_PX
    assert mark_px() < shown
    m.vb.setRange(xRange=(0, 8 * m.scale), yRange=(0, 8 * m.scale), padding=0)      # ~8 nodes across
    QApplication.processEvents()
    assert m.shown_node_px() >= RING_PX and mark_px() == 13
    m.vb.autoRange()
    QApplication.processEvents()
    assert mark_px() < m.shown_node_px()


def test_the_select_segment_combo_shows_its_longest_item_whole_at_1280x720(qtbot, win, tmp_path):
    """TesterH #8: "segment 1 (40,228 rows)" was cut to "segment 1 (40,228 ro" at 1280 x 720."""
    from .test_table_workflow import _blobs, _trained

    win.resize(1280, 720)
    wf = _trained(qtbot, win, _blobs(tmp_path / "t.csv"))
    wf.tabs.setCurrentIndex(1)
    combo = wf.segment_choice
    combo.addItem("segment 12 (1,040,228 rows)", 12)          # as long as a big table's
    combo.setCurrentIndex(combo.count() - 1)
    qtbot.waitUntil(lambda: combo.isVisible())
    QApplication.processEvents()
    text_px = combo.fontMetrics().horizontalAdvance(combo.currentText())
    assert combo.width() >= text_px + 20, (combo.width(), text_px)
    assert combo.currentText() in combo.toolTip()
