"""Several files that do not combine open a window each (testerG #12: `somdesk customers.csv
china.jpg` opened ONE window with random colours and "several files can be opened together only
when all are palettes"; README: two datasets = two windows).  Palettes together stay one window."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from somdesk.gui import dialogs
from somdesk.gui.window import WINDOWS, Window
from somdesk.gui.window_tasks import open_groups

from .helpers import wait_idle
from .test_window_tables import TIMEOUT, people_csv


@pytest.fixture
def files(tmp_path):
    table = people_csv(tmp_path / "customers.csv")
    picture = tmp_path / "china.png"
    Image.fromarray(np.random.default_rng(1).integers(0, 256, size=(90, 120, 3), dtype=np.uint8)).save(picture)
    pal1, pal2 = tmp_path / "a.hex", tmp_path / "b.hex"
    pal1.write_text("#ff0000\n#00ff00\n")
    pal2.write_text("#0000ff\n#ffffff\n#000000\n")
    return {"table": str(table), "picture": str(picture), "pal1": str(pal1), "pal2": str(pal2)}


@pytest.fixture
def new_windows(qtbot):
    """The windows a test's open made, closed at its end (no task left running)."""
    before = list(WINDOWS)
    made: list = []
    yield lambda: made.extend(w for w in WINDOWS if w not in before and w not in made) or made
    for w in [w for w in WINDOWS if w not in before]:
        qtbot.waitUntil(lambda w=w: not w.runner.busy, timeout=TIMEOUT)
        w.confirm_unsaved = False
        w.runner.shutdown()
        w.close()


def settle(qtbot, windows) -> None:
    for w in windows:
        qtbot.waitUntil(lambda w=w: not w.runner.busy, timeout=TIMEOUT)
        wait_idle(qtbot, w)


def dataset_of(w) -> str:
    if w.tables.holds_data:
        return "table:" + w.tables.ws.path
    d = w.session.dataset
    return f"{w.session.kind}:{getattr(d, 'source', None) or d.title}"


def test_open_groups_keeps_the_palettes_together():
    kinds = {"a.csv": "table", "x.gpl": "palette", "b.jpg": "image", "y.gpl": "palette", "m.somz": "map"}
    assert open_groups(list(kinds), list(kinds.values())) == [["a.csv"], ["x.gpl", "y.gpl"], ["b.jpg"], ["m.somz"]]


def test_command_line_table_and_picture_open_two_windows(qtbot, files, new_windows):
    """`somdesk customers.csv china.png` (app.main -> Window.for_paths)."""
    win = Window.for_paths([files["table"], files["picture"]], interactive=False, confirm_unsaved=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: len(new_windows()) >= 2, timeout=TIMEOUT)
    made = new_windows()
    assert made[0] is win and len(made) == 2
    settle(qtbot, made)
    assert win.last_error is None and made[1].last_error is None
    assert dataset_of(win) == "table:" + files["table"]
    assert dataset_of(made[1]) == "image:" + files["picture"]


def test_file_open_with_several_files_and_a_drop(qtbot, win, files, new_windows, monkeypatch):
    """File › Open with four files chosen: the table, the picture, and the two palettes
    combined in one window; a drop of several files does the same."""
    chosen = [files["table"], files["pal1"], files["picture"], files["pal2"]]
    monkeypatch.setattr(dialogs, "ask_open_paths", lambda *a, **k: list(chosen))
    win.actions["open"].trigger()
    qtbot.waitUntil(lambda: len(new_windows()) >= 2, timeout=TIMEOUT)
    others = new_windows()
    assert len(others) == 2
    settle(qtbot, [win, *others])
    assert [dataset_of(w) for w in (win, *others)] == [
        "table:" + files["table"], "colours:2 palettes", "image:" + files["picture"]]
    assert len(others[0].session.dataset.colours) == 5              # the palettes, combined
    assert all(w.last_error is None for w in (win, *others))

    dropped = Window(interactive=False, confirm_unsaved=False)
    qtbot.addWidget(dropped)
    dropped.show()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(files["picture"]), QUrl.fromLocalFile(files["table"])])
    dropped.dropEvent(QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime,
                                 Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    qtbot.waitUntil(lambda: len(new_windows()) >= 4, timeout=TIMEOUT)
    last = new_windows()[-1]
    settle(qtbot, [dropped, last])
    assert dataset_of(dropped) == "image:" + files["picture"] and dataset_of(last) == "table:" + files["table"]


def test_palettes_together_stay_one_window(qtbot, win, files, new_windows):
    assert win.open_paths([files["pal1"], files["pal2"]])
    settle(qtbot, [win])
    assert new_windows() == [] and len(win.session.dataset.colours) == 5
