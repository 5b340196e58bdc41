"""tester6's small gaps in the window: a failed Read again leaves no stale "Read as" line (F36),
Score new data with a colour map says how to make a table map in the window (F47), the Setup
list's Kind column and the Show combo are not cut (F49, "labels: custome"), a segment above
nowhere names where it is below (F50)."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox


def test_a_failed_read_again_drops_the_previous_reads_line(qtbot, tmp_path):
    from somdesk.gui.table_import import ImportPreview

    p = tmp_path / "t.csv"
    p.write_text("name,v\na,1\nb,2\n")
    dlg = ImportPreview(None, str(p))
    qtbot.addWidget(dlg)
    assert "Read as" in dlg.detected.text() and "2 rows" in dlg.detected.text()
    dlg.where.setText("v < 1 AND nope > 2")
    assert not dlg.reread()
    assert dlg.detected.text() == ""                       # not the last good read's "2 rows × 2 columns"
    assert dlg.grid.model().columnCount() == 0 and dlg.grid.model().rowCount() == 0                     # nor its column headers
    assert "Cannot read it this way" in dlg.notes.text() and "nope" in dlg.notes.text()
    assert not dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    dlg.where.setText("name = 'a;--/*b' OR v = 2")       # those characters in a string are data
    assert dlg.reread() and dlg.table.n_rows == 1 and "1 row ×" in dlg.detected.text()
    dlg.reject()


def test_score_new_data_with_a_colour_map_says_how_to_make_a_table_map_in_the_window(qtbot, tmp_path, monkeypatch):
    """F47: not a command-line recipe, and "a picture"/"colours", not "a map of image"."""
    from somdesk.gui import dialogs
    from somdesk.gui.window import Window
    from .helpers import save_colour_map

    save_colour_map(tmp_path / "pal.somz", width=4, height=3)
    win = Window(interactive=False, confirm_unsaved=False)
    qtbot.addWidget(win)
    monkeypatch.setattr(dialogs, "ask_open_path", lambda *a, **k: str(tmp_path / "pal.somz"))
    assert not win.tables.score_dialog()
    assert win.last_error.startswith("pal.somz is a map of colours, not of a table.")
    assert "Train segments" in win.last_error and "somdesk train" not in win.last_error
    win.close()


def test_the_cli_names_a_picture_map_in_words(tmp_path):
    from somdesk.errors import FileFormatError
    from somdesk.session.scoring import NotATableMap, load_table_map
    import numpy as np
    from somdesk.session import Session

    s = Session()
    s.new_image(np.random.default_rng(0).integers(0, 256, (12, 12, 3), dtype=np.uint8))
    s.set_config(s.config.replace(width=3, height=3, iterations=1))
    s.save(tmp_path / "pic.somz")
    with pytest.raises(NotATableMap) as info:
        load_table_map(tmp_path / "pic.somz")
    assert isinstance(info.value, FileFormatError) and info.value.what == "a picture"
    assert "pic.somz is a map of a picture, not of a table" in str(info.value)


def test_profiles_cell_of_a_segment_above_nowhere_says_where_it_is_below():
    """F50: the "Most above the table" cell is never blank."""
    import numpy as np
    from somdesk.gui.profiles_view import most_above

    cols = ["age", "income", "visits"]
    assert most_above(np.array([1.2, 0.3, -0.4]), cols) == "age, income"
    assert most_above(np.array([-1.5, -0.2, -0.6]), cols) == "below the table in every column; most below: age, visits"
    assert most_above(np.array([0.1, -0.9, np.nan]), cols) == "none clearly; most below: income"
    assert most_above(np.array([0.1, -0.1, 0.0]), cols) == "none: near the table's mean in every column"


def test_setup_kind_column_fits_its_words_and_the_show_combo_is_not_cut(qtbot, win, tmp_path):
    """F49: "categorical" is not cut to "catego…"; the Show combo is not sized for "segments" alone."""
    from tests.gui.test_table_workflow import _blobs, _trained

    win.resize(1024, 760)
    win.show()
    wf = _trained(qtbot, win, _blobs(tmp_path / "t.csv"))
    view = wf.setup.grid
    fm = view.fontMetrics()
    assert view.horizontalHeader().sectionSize(1) >= fm.horizontalAdvance("categorical") + 8
    wf.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: wf.map_choice.isVisible(), timeout=5000)
    i = wf.map_choice.findText("labels: kind")
    assert i >= 0
    wf.map_choice.setCurrentIndex(i)
    combo = wf.map_choice
    assert combo.width() >= combo.fontMetrics().horizontalAdvance("labels: kind") + 20
    assert combo.toolTip() == "labels: kind"
    assert combo.view().minimumWidth() >= combo.fontMetrics().horizontalAdvance("labels: kind")


def test_a_window_with_a_table_fits_a_768_px_screen(qtbot, win, tmp_path):
    """F49: the Setup tab asked 616 px and the window at least 742 px; it scrolls now."""
    from PySide6.QtWidgets import QApplication

    from tests.gui.helpers import open_table_now
    from tests.gui.test_table_workflow import _blobs

    assert open_table_now(qtbot, win.tables, _blobs(tmp_path / "t.csv"))
    QApplication.processEvents()
    assert win.tables.dock.isVisible()
    assert win.minimumSizeHint().height() <= 700
    win.resize(1024, 700)
    QApplication.processEvents()
    assert win.height() == 700 and win.tables.setup.isVisible()
