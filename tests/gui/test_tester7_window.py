"""tester7's window findings given to fixD: the first window fits the screen (#24), a picker of
60,000 palettes draws only the strips it shows (#18) and Cancel says nothing was opened (#19),
a seed past 2**63-1 is the panel's red error, not silently another seed (#21)."""
from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QApplication

from somdesk.gui.collection_picker import STRIP_CACHE, Collection, CollectionPicker
from somdesk.gui.window import Window
from somdesk.io.palettes import read_palettes

from .helpers import FIRST_RUN_TIMEOUT_MS, make_window


def test_the_first_window_fits_a_small_screen(qtbot):
    win = Window(interactive=False, confirm_unsaved=False)
    qtbot.addWidget(win)
    free = win.screen().availableGeometry()             # offscreen: 800 x 800
    assert free.width() < 1320 or free.height() < 860, "the test needs a screen under 1320x860"
    least = win.minimumSizeHint()
    assert win.width() <= max(int(free.width() * 0.9), least.width())
    assert win.height() <= max(int(free.height() * 0.9), least.height())
    win.close()


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    path = tmp_path_factory.mktemp("coll") / "coll60k.json"
    path.write_text(json.dumps([{"name": f"p{i:05d}", "colors": [f"#{i % 256:02x}0000", f"#00{i % 251:02x}ff"]}
                                for i in range(60_000)]))
    return str(path), tuple(read_palettes(path))


def test_a_picker_of_60000_palettes_draws_only_the_strips_it_shows(qtbot, many):
    path, palettes = many
    picker = CollectionPicker(Collection(path, palettes))
    qtbot.addWidget(picker)
    picker.show()
    QApplication.processEvents()
    assert picker.count() == 60_000 and picker.index() == 0
    assert 0 < picker.model.drawn() <= 200             # the rows on screen, not 60,000 pixmaps
    picker.list.scrollToBottom()
    QApplication.processEvents()
    assert picker.model.drawn() <= STRIP_CACHE
    picker.filter.setText("P59999")                   # case-insensitive, over every row
    assert picker.count() == 1 and picker.index() == 59_999
    assert picker.text(59_999).startswith("p59999")
    got = []
    picker.chosen.connect(got.append)
    picker.accept()
    assert got == [59_999]


def test_cancel_in_the_picker_says_nothing_was_opened(qtbot, tmp_path):
    path = tmp_path / "coll3.json"
    path.write_text(json.dumps([["#ff0000"], ["#00ff00"], ["#0000ff"]]))
    win = Window(interactive=True, confirm_unsaved=False)
    qtbot.addWidget(win)
    win.show()
    try:
        assert win.open_paths([str(path)])
        assert "Opening coll3.json" in win.statusBar().currentMessage()
        qtbot.waitUntil(lambda: getattr(win, "collection_picker", None) is not None
                        and win.collection_picker.isVisible(), timeout=FIRST_RUN_TIMEOUT_MS)
        win.collection_picker.reject()
        QApplication.processEvents()
        assert win.statusBar().currentMessage() == "Nothing opened from coll3.json."
    finally:
        win.close()


def test_a_seed_past_the_largest_is_the_panels_error_not_another_seed(qtbot):
    win = make_window(qtbot)
    try:
        params = win.left.params
        params.seed_spin.setText(str(2**63))
        qtbot.waitUntil(lambda: params.error_label.isVisible(), timeout=2000)
        assert "2**63-1" in params.error_label.text() and not params.valid
        with pytest.raises(Exception, match="2\\*\\*63-1"):
            params.config()
        params.seed_spin.setText(str(2**63 - 1))
        qtbot.waitUntil(lambda: not params.error_label.isVisible(), timeout=2000)
        assert params.config().seed == 2**63 - 1
    finally:
        win.close()


@pytest.mark.parametrize("name,data,said", [("text.png", b"hello", "the PNG picture is damaged or truncated"),
                                            ("empty.jpg", b"", "is empty"),
                                            ("one.gif", b"a,b\n", "the GIF picture is damaged or truncated")])
def test_a_picture_name_whose_content_is_no_picture_gets_the_picture_readers_message(qtbot, tmp_path, name, data,
                                                                                    said):
    """tester7 #16 (the window's part): not the table reader's "header line but no data rows"."""
    from somdesk.session.opening import sniff_kind

    path = tmp_path / name
    path.write_bytes(data)
    assert sniff_kind(path) == "image"
    win = Window(interactive=False, confirm_unsaved=False)
    qtbot.addWidget(win)
    try:
        win.open_paths([str(path)])
        qtbot.waitUntil(lambda: not win.runner.busy, timeout=FIRST_RUN_TIMEOUT_MS)
        QApplication.processEvents()
        assert win.last_error is not None and said in win.last_error, win.last_error
        assert "data rows" not in win.last_error
    finally:
        win.close()


def test_a_csv_or_palette_named_as_a_picture_still_opens_by_its_content(tmp_path):
    from somdesk.session.opening import sniff_kind

    (tmp_path / "csv.png").write_text("a,b\n1,2\n")
    (tmp_path / "gpl.png").write_text("GIMP Palette\nName: x\n#\n255 0 0 red\n")
    assert sniff_kind(tmp_path / "csv.png") == "table" and sniff_kind(tmp_path / "gpl.png") == "palette"


@pytest.mark.parametrize("width,height", [(2000, 1), (1, 2000), (400, 1)])
def test_a_long_one_dimensional_map_is_drawn_visibly_thick(qtbot, width, height):
    """tester7 #26: a 2000 x 1 map was drawn 0.4 px tall (only the BMU rings showed)."""
    from PySide6.QtCore import QPointF

    from somdesk.core import SOMConfig

    win = make_window(qtbot, config=SOMConfig(width=width, height=height, iterations=1, seed=1, topology="rectangular"))
    try:
        win.resize(1100, 760)
        QApplication.processEvents()
        win.draw()
        win.canvas.fit()
        QApplication.processEvents()
        pic = win.canvas.image_array()
        vb = win.canvas.vb
        a = vb.mapViewToScene(QPointF(0, 0))
        b = vb.mapViewToScene(QPointF(pic.shape[1], pic.shape[0]))
        short = min(abs(b.x() - a.x()), abs(b.y() - a.y()))
        long = max(abs(b.x() - a.x()), abs(b.y() - a.y()))
        assert short >= long / 8.5 and short >= 20, (short, long)
        node = win.canvas.node_at(pic.shape[1] - 0.5, pic.shape[0] - 0.5)    # hover still finds nodes
        assert tuple(node) == (height - 1, width - 1)
    finally:
        win.close()


def test_size_spin_boxes_say_1_node_in_the_singular_however_the_value_is_set(qtbot):
    """tester7 #26 (cosmetic): a 2000 x 1 map's height read "1 nodes".  The unit is part of the
    text Qt asks the box for, so values set with signals blocked (set_config) agree too."""
    from PySide6.QtCore import Qt

    from somdesk.core import SOMConfig
    from somdesk.gui.controls import ParameterPanel

    panel = ParameterPanel()
    qtbot.addWidget(panel)
    panel.set_config(SOMConfig(width=2000, height=1))          # set with the boxes' signals blocked
    assert panel.height_spin.text() == "1 node"
    assert panel.width_spin.text().endswith(" nodes") and panel.width_spin.value() == 2000
    spin = panel.height_spin
    spin.blockSignals(True)
    spin.setValue(3)
    spin.blockSignals(False)
    assert spin.text() == "3 nodes"
    for typed, value in (("1", 1), ("25 nodes", 25), ("7 no", 7)):
        spin.lineEdit().selectAll()
        qtbot.keyClicks(spin.lineEdit(), typed)
        qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
        assert spin.value() == value and spin.text() == f"{value} node{'' if value == 1 else 's'}", typed
    assert panel.config().height == 7
    state = spin.validate("12 nodez", 8)[0]
    assert state.name == "Invalid"
