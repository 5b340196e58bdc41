"""Tables in the one window (was the table-segmentation mode window): bad tables, a text
cell in a number column, one row, closing while training.  Ported from the old
test_mode_table.py onto the Segments dock (gui/table_workflow.py); the dock's own
features (setup, planes, clusters, rows, export, scoring) are in test_table_*.py."""
from __future__ import annotations

from tests.gui.helpers import open_table_now

import time

import numpy as np
import pytest

from somdesk.gui.tasks import live_workers as running_threads

from .helpers import make_window
from tests.timing import load_scaled

TIMEOUT = 120_000


def people_csv(path, n=60, seed=4):
    """Two groups; 3 numeric columns with a few missing cells; a text id and a label."""
    rng = np.random.default_rng(seed)
    lines = ["id,height,weight,score,kind\n"]
    for i in range(n):
        tall = i % 2 == 0
        cells = [f"P{i:03d}", f"{rng.normal(185 if tall else 160, 4):.1f}", f"{rng.normal(85 if tall else 55, 5):.1f}",
                 f"{rng.normal(0.5, 0.1):.3f}", "tall" if tall else "short"]
        if i in (3, 10):
            cells[1] = "NA"
        if i == 7:
            cells[2] = ""
        lines.append(",".join(cells) + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return str(path)


@pytest.fixture
def win(qtbot):
    w = make_window(qtbot)
    yield w
    w.runner.shutdown()
    w.close()


@pytest.mark.parametrize("name, content, words", [
    ("empty.csv", b"", "empty"),
    ("header.csv", b"a,b,c\n", "no data rows"),
    ("binary.csv", b"a,b\n\x00\x01\x02\x03", "binary"),
    ("ragged.csv", b"a,b\n1,2\n3\n", "line 3"),
])
def test_bad_tables_give_a_clear_message(qtbot, win, tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    assert not open_table_now(qtbot, win.tables, str(path))
    assert name in win.last_error and words in win.last_error.lower(), win.last_error
    assert win.tables.table is None and not running_threads()
    assert win.session.kind == "colours"                     # the window's map stays


def test_text_in_a_number_column_is_a_text_column(qtbot, win, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("name,age,income\nann,34,100\nbob,unknown,200\ncy,51,150\ndee,29,120\n", encoding="utf-8")
    assert open_table_now(qtbot, win.tables, str(path))
    m = win.tables.setup.grid.model()
    kinds = {m.index(r, 0).data(): m.index(r, 1).data() for r in range(m.rowCount())}
    assert kinds == {"name": "text", "age": "text", "income": "numeric"}


def test_missing_rows_dropped_from_training_and_every_row_assigned(qtbot, win, tmp_path):
    wf = win.tables
    assert open_table_now(qtbot, wf, people_csv(tmp_path / "people.csv"))
    wf.setup.missing.setCurrentText("drop")
    assert wf.train()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert win.last_error is None, win.last_error
    # rows with a missing cell are left out of training; every row is still assigned a node
    assert wf.tm is not None and wf.tm.recipe.missing == "drop" and len(wf.assigned["bmu_row"]) == 60
    assert win.dockWidgetArea(wf.dock) is not None and wf.dock.isVisible()


def test_the_segments_dock_has_no_close_button(qtbot, win, tmp_path):
    # tester6 F41: its x left an empty window with no menu entry to bring the dock back
    from PySide6.QtWidgets import QAbstractButton, QDockWidget

    wf = win.tables
    assert open_table_now(qtbot, wf, people_csv(tmp_path / "people.csv"))
    assert wf.dock.isVisible()
    features = wf.dock.features()
    assert not features & QDockWidget.DockWidgetFeature.DockWidgetClosable
    assert features & QDockWidget.DockWidgetFeature.DockWidgetFloatable          # it still floats
    close = wf.dock.findChild(QAbstractButton, "qt_dockwidget_closebutton")
    assert close is None or not close.isVisible()


def test_a_long_file_name_is_elided_and_keeps_the_window_its_width(qtbot, win, tmp_path):
    # tester6 F51: a 200-character name without spaces cannot wrap; it widened the window
    from PySide6.QtWidgets import QApplication

    win.resize(1320, 860)
    QApplication.processEvents()
    path = people_csv(tmp_path / ("very_long_customer_export_name_" * 7 + "ß.csv"))
    assert open_table_now(qtbot, win.tables, path)
    for _ in range(3):
        QApplication.processEvents()
    info = win.tables.info
    assert "…" in info.text() and info.text().startswith("<b>very_long") and "ß.csv</b>: " in info.text()
    assert info.toolTip() == str(path)
    assert info.minimumSizeHint().width() < 600
    assert win.width() == 1320 and win.minimumSizeHint().width() <= 1320


def test_closing_during_training_stops_the_worker(qtbot, tmp_path):
    w = make_window(qtbot)
    wf = w.tables
    assert open_table_now(qtbot, wf, people_csv(tmp_path / "people.csv", n=3000))
    wf.setup.epochs.setValue(100_000)
    assert wf.train()
    qtbot.waitUntil(lambda: bool(running_threads()), timeout=5000)
    qtbot.wait(200)
    assert w.runner.busy and running_threads()
    t0 = time.perf_counter()
    w.close()
    assert time.perf_counter() - t0 < load_scaled(1.0)
    qtbot.waitUntil(lambda: not running_threads(), timeout=2000)


def test_a_second_table_leaves_nothing_of_the_first(qtbot, win, tmp_path):
    """Issue 12's first bug: a second CSV kept the first table's map, planes and segments, and
    Export assignments wrote the old table's rows.  The dock is a view of Session.table, which
    a new table resets (map, assignments, profiles, selection, label, saved state)."""
    wf = win.tables
    assert open_table_now(qtbot, wf, people_csv(tmp_path / "people.csv"))
    assert wf.train()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    wf.select_segment(0)
    assert wf.rows_model.rowCount() > 0 and wf.planes.image is not None and win.isWindowModified()
    other = tmp_path / "other.csv"
    other.write_text("x,y,group\n" + "".join(f"{i},{(i * 7) % 11},g{i % 2}\n" for i in range(30)), encoding="utf-8")
    win.confirm_unsaved = False
    assert win.open_paths([str(other)])
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    ws = win.session.table
    assert ws.table.n_rows == 30 and ws.tm is None and ws.assigned is None and len(ws.selected) == 0
    assert wf.tm is None and wf.rows_model.rowCount() == 0 and wf.rows_model.columnCount() == 0
    assert wf.planes.image is None and wf.segment_choice.count() == 0 and not wf.map_choice.isEnabled()
    assert not win.isWindowModified() and "other.csv" in win.windowTitle() and not win.session.unsaved
    assert not win.actions["save"].isEnabled() and not wf.actions["report"].isEnabled()
    with pytest.raises(Exception, match="train"):
        win.session.export_assignments(tmp_path / "rows.csv")


def _map_widgets_empty(wf, win):
    """Every widget of the dock that shows something of a map is in its empty state."""
    from somdesk.session.table_views import MAP_VIEWS

    assert wf.setup.curve_note.text() == "Train to see the validity curve."
    assert wf.setup.curve.getPlotItem().listDataItems() == []
    assert not any(type(i).__name__ == "InfiniteLine" for i in wf.setup.curve.getPlotItem().items)
    assert wf.legend.pixmap() is None or wf.legend.pixmap().isNull()
    assert wf.map_view.image_array() is None and wf.map_view.image.image is None
    assert wf.map_view.shape is None and len(wf.map_view.selected) == 0 and wf.map_view.highlighted == -1
    assert wf.hover_label.text() == "" and win.hover.text() == ""
    assert [wf.map_choice.itemText(i) for i in range(wf.map_choice.count())] == list(MAP_VIEWS)
    assert wf.segment_choice.count() == 0 and wf.profiles_view.prof is None and wf.planes.image is None
    assert wf.selection_label.text().startswith("Click a node") and wf.profiles_view.note.text().startswith("Train")
    assert wf.profiles_view.sizes.rowCount() == 0
    assert "quantization error" not in win.statusBar().currentMessage()


def test_another_table_or_a_palette_leaves_no_widget_of_the_old_map(qtbot, win, tmp_path):
    """Tester2 A1: a second table kept the first one's validity curve (and note) in the Setup
    tab; the same kind: the map view's picture, legend, hover text, view list, status line."""
    wf = win.tables
    win.confirm_unsaved = False
    other = tmp_path / "other.csv"
    other.write_text("x,y,group\n" + "".join(f"{i},{(i * 7) % 11},g{i % 2}\n" for i in range(30)), encoding="utf-8")
    pal = tmp_path / "two.hex"
    pal.write_text("ff0000\n00ff00\n", encoding="utf-8")
    for between in (None, str(pal)):
        assert win.open_paths([people_csv(tmp_path / "people.csv")])
        qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
        wf.setup.set_column("weight", passive=True)        # a plane name of this table in the views list
        assert wf.train()
        qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
        wf.select_segment(0)
        wf.rows_view.hover_at(0)
        assert "suggested k" in wf.setup.curve_note.text() and wf.setup.curve.getPlotItem().listDataItems()
        assert wf.map_view.image_array() is not None and not wf.legend.pixmap().isNull()
        assert wf.hover_label.text() and "plane: height" in [wf.map_choice.itemText(i) for i in range(wf.map_choice.count())]
        if between:
            assert win.open_paths([between])
            qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
            assert win.session.kind != "table"
            _map_widgets_empty(wf, win)
        assert win.open_paths([str(other)])
        qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
        assert wf.ws.table.n_rows == 30
        _map_widgets_empty(wf, win)
        assert "30 rows" in wf.setup.auto.text()          # "auto" of the new table, not the old map's size


def test_the_status_line_says_the_table_opened(qtbot, win, tmp_path):
    """Tester2 B1: after File › Open of a table the status line kept "Opening x.csv…"."""
    assert win.open_paths([people_csv(tmp_path / "people.csv")])
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert win.session.kind == "table"
    text = win.statusBar().currentMessage()
    assert "Opening" not in text and "people.csv" in text and "60 rows" in text


def test_the_setup_tab_follows_the_models_label_column_and_a_map_without_its_table(qtbot, win, tmp_path):
    """Tester2 B7: Session.set_label_column relabelled the map but the Setup tab's combo kept the
    old column; the same kind: a map reopened without its table kept the previous table's columns."""
    wf = win.tables
    win.confirm_unsaved = False
    path = people_csv(tmp_path / "people.csv")
    assert win.open_paths([path])
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    win.session.set_label_column("id")                 # before training: the label the map will use
    assert wf.setup.label.currentData() == "id"
    assert wf.train()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    win.session.set_label_column("kind")
    assert wf.setup.label.currentData() == "kind" and "labels: kind" in wf.ws.views()
    win.session.save(tmp_path / "m.somz")
    (tmp_path / "people.csv").unlink()
    assert win.open_paths([str(tmp_path / "m.somz")])
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert wf.ws.table is None and wf.tm is not None
    assert wf.setup.columns.rowCount() == 0 and wf.setup.label.findData("height") < 0


def test_the_dock_shows_the_warnings_the_cli_prints(qtbot, win, tmp_path):
    """Tester2 B12: the CLI says "column 'c' has the same value in every row" (preparation) and
    that duplicate column names were made unique (reading); the window trained in silence."""
    wf = win.tables
    win.confirm_unsaved = False
    path = tmp_path / "flat.csv"
    path.write_text("a,b,c,a\n" + "".join(f"{i},{(i * 7) % 11},5,{i % 3}\n" for i in range(30)), encoding="utf-8")
    assert win.open_paths([str(path)])
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert wf.ws.table.warnings and "Warning:" in wf.info.text()          # the read's (duplicate names)
    assert wf.train()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert any("same value in every row" in w for w in wf.ws.warnings)
    assert "same value in every row" in wf.warnings_label.text() and not wf.warnings_label.isHidden()
    assert "same value in every row" in win.statusBar().currentMessage()
    assert win.open_paths([people_csv(tmp_path / "people.csv")])
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert wf.ws.warnings == [] and wf.warnings_label.text() == "" and wf.warnings_label.isHidden()


def test_exports_to_a_fifo_are_refused_at_once(qtbot, win, tmp_path):
    """Tester2 A9: exporting the rows, profiles, map or planes to a FIFO kept the window waiting
    10 s for a reader; it is refused at once (a save too: Session.save refuses it)."""
    import os

    wf = win.tables
    assert wf.open_table(people_csv(tmp_path / "people.csv"), preview=False)
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)     # the read is a task
    assert wf.train()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    wf.select_segment(0)
    fifo = tmp_path / "out.csv"
    os.mkfifo(fifo)
    for export in (wf.export_rows, lambda p: wf.export_profiles("csv", p), lambda p: wf.export_profiles("png", p),
                   wf.export_map, wf.export_planes, wf.save_map):
        win.last_error = None
        assert export(str(fifo)) is False
        assert win.last_error and "within" not in win.last_error and ("FIFO" in win.last_error
                                                                     or "not a regular file" in win.last_error)


def test_a_map_reopened_without_its_table_shows_its_k_label_and_why_no_profiles(qtbot, win, tmp_path):
    """tester8 #8: reopened when its table was renamed, a map saved with k = 4 and a label showed
    "suggested" and "(none)" in Setup, the Profiles tab said "Train the table map…" and its
    Export CSV… did nothing without a word."""
    wf = win.tables
    win.confirm_unsaved = False
    assert win.open_paths([people_csv(tmp_path / "people.csv")])
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    wf.setup.k.setValue(4)
    win.session.set_label_column("kind")
    assert wf.train()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert wf.tm.k == 4
    win.session.save(tmp_path / "m.somz")
    (tmp_path / "people.csv").rename(tmp_path / "moved.csv")
    assert win.open_paths([str(tmp_path / "m.somz")])
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert wf.ws.table is None and wf.tm is not None and wf.tm.k == 4
    assert wf.setup.k.value() == 4 and wf.setup.label.currentData() == "kind"
    note = wf.profiles_view.note.text()
    assert note.startswith("Profiles need the map's table people.csv") and "open it" in note
    win.last_error = None
    assert not wf.export_profiles("csv", str(tmp_path / "p.csv"))
    assert win.last_error == note and not (tmp_path / "p.csv").exists()


def test_a_reopened_map_whose_table_changed_says_why_in_the_dock(qtbot, win, tmp_path):
    """tester12 #3: the reason (and the advice to score the file or train again) was only in the
    status bar, cut at the window's width and gone after 15 s; the dock's wrapping label keeps it."""
    wf = win.tables
    win.confirm_unsaved = False
    path = people_csv(tmp_path / "people.csv")
    assert win.open_paths([path])
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert wf.train()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    win.session.save(tmp_path / "m.somz")
    text = (tmp_path / "people.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    first = lines[1].split(",")
    first[0] = "Q" + first[0][1:]                           # one cell, same size: only the hash tells
    (tmp_path / "people.csv").write_text("\n".join([lines[0], ",".join(first)] + lines[2:]) + "\n",
                                         encoding="utf-8")
    assert win.open_paths([str(tmp_path / "m.somz")])
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert wf.ws.table is None and wf.ws.map_note
    shown = wf.warnings_label.text()
    assert shown.startswith("Rows not shown:") and wf.ws.map_note in shown
    assert not wf.warnings_label.isHidden() and wf.warnings_label.wordWrap()


def test_a_map_reopened_without_its_table_says_why_train_is_disabled(qtbot, win, tmp_path):
    """testerW #5: every Train was disabled and nothing said why; the tooltips, the orange note
    and Ctrl+T (the status line) now name the table to open."""
    from PySide6.QtCore import Qt

    wf = win.tables
    win.confirm_unsaved = False
    assert win.open_paths([people_csv(tmp_path / "people.csv")])
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert not wf.train_button.toolTip()
    assert wf.train()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    win.session.save(tmp_path / "m.somz")
    (tmp_path / "people.csv").rename(tmp_path / "moved.csv")
    assert win.open_paths([str(tmp_path / "m.somz")])
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    want = "Training needs the table people.csv: open it (File > Open)"
    assert not wf.train_button.isEnabled() and not win.actions["train"].isEnabled()
    assert wf.train_button.toolTip().startswith(want) and win.actions["train"].toolTip().startswith(want)
    assert want in wf.warnings_label.text() and not wf.warnings_label.isHidden()
    win.show()
    win.activateWindow()
    win.statusBar().clearMessage()
    qtbot.keyClick(win, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert win.statusBar().currentMessage().startswith(want)
    # the table back: the tooltips say nothing more, and Ctrl+T is Train's again
    (tmp_path / "moved.csv").rename(tmp_path / "people.csv")
    assert win.open_paths([str(tmp_path / "m.somz")])
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert wf.ws.table is not None and win.actions["train"].isEnabled()
    assert not wf.train_button.toolTip() and not wf._untrainable_key.isEnabled()
    assert want not in wf.warnings_label.text()


def test_retraining_a_saved_table_map_marks_the_window_unsaved_at_once(qtbot, win, tmp_path):
    """testerW #6: while a saved map was retrained the title had no unsaved mark, yet a close
    asked; the mark agrees with the close prompt from the run's start."""
    wf = win.tables
    win.confirm_unsaved = False
    assert win.open_paths([people_csv(tmp_path / "people.csv", n=400)])
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert wf.train()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    win.session.save(tmp_path / "m.somz")
    win.refresh()
    assert not win.isWindowModified() and not win.table_run_unsaved()
    wf.setup.epochs.setValue(50_000)                 # long enough to look while it runs
    assert wf.train()
    assert win.runner.busy and win.table_run_unsaved()
    assert win.isWindowModified()
    win.runner.stop()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)


def test_locate_table_shows_the_rows_of_a_reopened_map_whose_table_moved(qtbot, win, tmp_path):
    """TesterH #9: a reopened map whose table was moved said so but offered no way to point at
    the file other than File > Open (which starts afresh).  Locate table… beside the note: a
    file without the map's columns is refused in one sentence; the moved table shows its rows."""
    wf = win.tables
    win.confirm_unsaved = False
    assert win.open_paths([people_csv(tmp_path / "people.csv")])
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert wf.train()
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    n_rows = wf.ws.table.n_rows_total
    win.session.save(tmp_path / "m.somz")
    (tmp_path / "away").mkdir()
    (tmp_path / "people.csv").rename(tmp_path / "away" / "people.csv")
    assert win.open_paths([str(tmp_path / "m.somz")])
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert wf.ws.table is None and "not next to the map" in wf.warnings_label.text()
    assert not wf.locate_button.isHidden() and wf.locate_button.isEnabled()
    # not the map's table: one clear sentence, the map stays as it was
    other = tmp_path / "other.csv"
    other.write_text("x,y\n1,2\n3,4\n", encoding="utf-8")
    win.last_error = None
    assert wf.locate_table(str(other))
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert win.last_error and "no column(s)" in win.last_error and "Traceback" not in win.last_error
    assert "\n" not in win.last_error.strip()
    assert wf.ws.table is None and not wf.locate_button.isHidden()
    # the moved table: its rows on the map, the note and the button gone, nothing unsaved
    win.last_error = None
    assert wf.locate_table(str(tmp_path / "away" / "people.csv"))
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)
    assert win.last_error is None, win.last_error
    assert wf.ws.table is not None and wf.ws.table.n_rows_total == n_rows
    assert wf.ws.assigned is not None and len(wf.ws.node_of_row) == n_rows
    assert wf.locate_button.isHidden() and "Rows not shown" not in wf.warnings_label.text()
    assert not win.unsaved() and win.session.path == str(tmp_path / "m.somz")
    assert win.statusBar().currentMessage() == "Showing the rows of people.csv on the map."
    wf.select_segment(0)
    assert wf.rows_model.rowCount() > 0
