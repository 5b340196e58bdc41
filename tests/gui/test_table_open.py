"""One table path: File > Open, drag and drop, the command line and "Open table…" all show the
import preview and put the table in the Segments dock; saved table maps of both kinds (the
older session "table" and "table-map") open there, new files are of the one kind."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
import json

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tables")
TIMEOUT = 120_000



def _idle(qtbot, win):
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=TIMEOUT)


def _csv(path, n=80):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(n, 3))
    path.write_text("p;q;r;grp\n" + "".join(f"{a:.3f};{b:.3f};{c:.3f};g{i % 2}\n".replace(".", ",")
                                           for i, (a, b, c) in enumerate(x)), encoding="utf-8")
    return x


class _Previews:
    """Records every import preview the window shows and accepts it (as a user clicking OK)."""

    def __init__(self, monkeypatch, decimal=None):
        from somdesk.gui import table_import

        self.shown = []
        previews = self

        def exec_(dlg):
            previews.shown.append(dlg)
            if decimal is not None:
                dlg.decimal.setCurrentText(decimal)
                assert dlg.reread()
            return 1
        monkeypatch.setattr(table_import.ImportPreview, "exec", exec_)


def test_file_open_shows_the_import_preview_then_the_dock(qtbot, win, tmp_path, monkeypatch):
    x = _csv(tmp_path / "semi.csv")
    previews = _Previews(monkeypatch, decimal=", (comma)")
    win.interactive = True                          # as a user's window: the preview is shown
    assert win.open_paths([str(tmp_path / "semi.csv")])
    _idle(qtbot, win)                               # what the file is is found on the worker
    assert len(previews.shown) == 1
    dlg = previews.shown[0]
    assert dlg.table.dialect["delimiter"] == ";"
    wf = win.tables
    assert win.session.kind == "table" and win.session.dataset is None and wf.table is not None and wf.dock.isVisible()
    np.testing.assert_allclose(wf.table.values("p"), x[:, 0], atol=5e-4)   # decimal commas as chosen
    assert wf.read_options.decimal == ","
    assert "semi.csv" in win.windowTitle() and "80 rows" in win.windowTitle()


def test_drag_and_drop_and_open_table_action_take_the_same_path(qtbot, win, tmp_path, monkeypatch):
    _csv(tmp_path / "a.csv")
    previews = _Previews(monkeypatch)
    win.interactive = True
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "a.csv"))])
    ev = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier)
    win.dropEvent(ev)
    _idle(qtbot, win)
    assert len(previews.shown) == 1 and win.tables.table is not None
    from somdesk.gui import dialogs
    monkeypatch.setattr(dialogs, "ask_open_path", lambda *a, **k: str(tmp_path / "a.csv"))
    monkeypatch.setattr(dialogs, "ask_open_paths", lambda *a, **k: [str(tmp_path / "a.csv")])
    win.tables.actions["open_table"].trigger()      # the old action name still works, same path
    _idle(qtbot, win)
    assert len(previews.shown) == 2
    win.actions["open"].trigger()                   # File > Open
    _idle(qtbot, win)
    assert len(previews.shown) == 3


def test_command_line_goes_through_the_same_path(qtbot, tmp_path, monkeypatch):
    from somdesk.gui.window import Window

    _csv(tmp_path / "cmd.csv")
    previews = _Previews(monkeypatch)
    w = Window.for_paths([str(tmp_path / "cmd.csv")], confirm_unsaved=False)
    qtbot.addWidget(w)
    try:
        _idle(qtbot, w)
        assert len(previews.shown) == 1 and w.tables.table is not None and w.session.kind == "table" and w.session.dataset is None
    finally:
        w.runner.shutdown()
        w.close()


def test_cancelling_the_preview_opens_nothing(qtbot, win, tmp_path, monkeypatch):
    from somdesk.gui import table_import

    _csv(tmp_path / "a.csv")
    monkeypatch.setattr(table_import.ImportPreview, "exec", lambda dlg: 0)
    win.interactive = True
    win.session.new_colours(seed=1)
    win.open_paths([str(tmp_path / "a.csv")])
    _idle(qtbot, win)
    assert win.tables.table is None and win.session.kind == "colours"


@pytest.mark.parametrize("name,kind", [("old-session-table.somz", "table"), ("old-table-map.somz", "table-map")])
def test_old_saved_table_maps_open_in_the_dock(qtbot, win, tmp_path, name, kind):
    from somdesk.io.mapfile import load_map

    for f in (name, "old-rows.csv"):
        shutil.copy(os.path.join(FIXTURES, f), tmp_path / f)
    with zipfile.ZipFile(tmp_path / name) as zf:
        assert json.loads(zf.read("meta.json"))["kind"] == kind      # written by the old code
    saved = load_map(tmp_path / name)
    win.open_paths([str(tmp_path / name)])
    _idle(qtbot, win)
    wf = win.tables
    assert win.last_error is None, win.last_error
    assert wf.tm is not None and wf.tm.k >= 1 and win.session.kind == "table" and win.session.dataset is None
    np.testing.assert_array_equal(wf.tm.codebook, saved.som.weights)
    assert wf.table is not None and wf.rows_model.rowCount() == 0   # nothing selected yet
    assert len(wf.assigned["segment"]) == 90                        # its table read again, every row
    wf.select_segment(0)
    assert wf.rows_model.rowCount() == int((wf.assigned["segment"] == 0).sum()) > 0
    out = tmp_path / "new.somz"                                     # saved again: the one new kind
    from .helpers import save_now
    assert save_now(qtbot, wf.win, lambda: wf.save_map(str(out)))
    with zipfile.ZipFile(out) as zf:
        assert json.loads(zf.read("meta.json"))["kind"] == "table-map"


def test_old_session_table_map_without_its_table_still_opens(qtbot, win, tmp_path, monkeypatch):
    shutil.copy(os.path.join(FIXTURES, "old-session-table.somz"), tmp_path / "m.somz")
    monkeypatch.chdir(tmp_path)                      # its source path (relative) leads nowhere here
    win.open_paths([str(tmp_path / "m.somz")])
    _idle(qtbot, win)
    wf = win.tables
    assert wf.tm is not None and wf.table is None and wf.assigned is None
    wf.map_choice.setCurrentText("hits")            # hits from the 90 training rows the map keeps
    assert wf.map_mode == "hits" and int(wf._scalar().sum()) == 90
    assert "not next to the map" in win.statusBar().currentMessage()


def test_assign_reads_the_old_session_kind(tmp_path):
    """`somdesk assign` on a map of the old session kind: the window's assignments, exactly."""
    from somdesk.io.tables.table import read_table
    from somdesk.session.scoring import load_table_map
    from somdesk.session.table_assign import assign_table

    for f in ("old-session-table.somz", "old-rows.csv"):
        shutil.copy(os.path.join(FIXTURES, f), tmp_path / f)
    out = tmp_path / "scores.csv"
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    r = subprocess.run([sys.executable, "-m", "somdesk", "assign", str(tmp_path / "old-session-table.somz"),
                        str(tmp_path / "old-rows.csv"), "--out", str(out)], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 91
    tm = load_table_map(tmp_path / "old-session-table.somz")
    t = read_table(tmp_path / "old-rows.csv")
    seg = np.concatenate([a["segment"] for _rows, a in assign_table(tm, t)])
    t.close()
    head = lines[0].split(",")
    got = np.array([int(line.split(",")[head.index("segment")]) for line in lines[1:]])
    np.testing.assert_array_equal(got, seg)


def test_a_palette_and_a_table_open_a_window_each(qtbot, win, tmp_path):
    """testerG #12: the palette opens here, the table in a window of its own (it was refused
    with "several files can be opened together only when all are palettes")."""
    from somdesk.gui.window import WINDOWS

    _csv(tmp_path / "a.csv")
    pal = tmp_path / "p.gpl"
    pal.write_text("GIMP Palette\nName: P\n#\n255 0 0 Red\n")
    before = list(WINDOWS)
    win.open_paths([str(pal), str(tmp_path / "a.csv")])
    _idle(qtbot, win)
    others = [w for w in WINDOWS if w not in before]
    try:
        assert len(others) == 1
        _idle(qtbot, others[0])
        assert win.last_error is None and win.session.kind == "colours" and win.tables.table is None
        assert others[0].tables.table is not None and others[0].tables.ws.path == str(tmp_path / "a.csv")
    finally:
        for w in others:
            qtbot.waitUntil(lambda w=w: not w.runner.busy, timeout=60_000)
            w.confirm_unsaved = False
            w.close()


def test_tables_and_table_maps_are_in_open_recent(qtbot, tmp_path):
    from somdesk.gui.settings import Settings

    from .helpers import make_window, save_now

    _csv(tmp_path / "a.csv")
    win = make_window(qtbot)
    try:
        win.open_paths([str(tmp_path / "a.csv")])
        _idle(qtbot, win)
        assert win.tables.table is not None and win.session.kind == "table" and win.session.dataset is None
        assert Settings().recent_files()[0] == str(tmp_path / "a.csv")
        win.tables.setup.epochs.setValue(3)
        assert win.actions["train"].isEnabled()
        win.actions["train"].trigger()                # Training > Train (Ctrl+T) trains the table map
        assert win.runner.busy or win.tables.tm is not None
        _idle(qtbot, win)
        assert win.tables.tm is not None and win.tables.tm.config.iterations == 3
        assert save_now(qtbot, win, lambda: win.tables.save_map(str(tmp_path / "a.somz")))
        assert Settings().recent_files()[0] == str(tmp_path / "a.somz")
        win.files.refresh_recent()
        act = next(a for a in win.recent_menu.actions() if "a.csv" in a.text())
        act.trigger()                                 # Open Recent takes the same path
        _idle(qtbot, win)
        assert win.tables.table is not None and win.tables.tm is None
    finally:
        win.runner.shutdown()
        win.close()


def test_an_unsaved_table_map_is_asked_about(qtbot, tmp_path, monkeypatch):
    """Closing the window, opening another table or a palette: an unsaved table map is not
    dropped without the window's Save / Discard / Cancel question (Cancel keeps it)."""
    from somdesk.gui.window import Window

    _csv(tmp_path / "a.csv")
    w = Window(interactive=True, confirm_unsaved=True)
    qtbot.addWidget(w)
    w.show()
    _Previews(monkeypatch)
    w.open_paths([str(tmp_path / "a.csv")])
    _idle(qtbot, w)
    w.tables.setup.epochs.setValue(3)
    assert w.tables.train()
    _idle(qtbot, w)
    assert w.tables.unsaved
    asked, answer = [], ["cancel"]
    monkeypatch.setattr(w, "ask_unsaved", lambda: asked.append(1) or answer[0])
    table = w.tables.table
    w.open_paths([str(tmp_path / "a.csv")])
    _idle(qtbot, w)
    pal = tmp_path / "p.gpl"
    pal.write_text("GIMP Palette\nName: P\n#\n255 0 0 Red\n")
    w.open_paths([str(pal)])
    _idle(qtbot, w)
    assert len(asked) == 2 and w.tables.table is table and w.session.kind == "table" and w.session.dataset is None
    w.close()
    assert len(asked) == 3 and w.isVisible() and w.tables.tm is not None
    answer[0] = "discard"
    w.open_paths([str(pal)])                          # Discard: the palette replaces the table
    _idle(qtbot, w)
    assert len(asked) == 4 and w.session.kind == "colours" and w.tables.table is None
    assert not w.tables.unsaved
    w.runner.shutdown()
    w.close()
