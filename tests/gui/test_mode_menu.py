"""install_mode_menu on a bare QMainWindow: the menu, opening the modes, the sample, closing."""
from __future__ import annotations

from PySide6.QtWidgets import QMainWindow

from somdesk.gui.modes import common, install_mode_menu
from somdesk.gui.modes.image_mode import ImageModeWindow
from somdesk.gui.modes.table_mode import TableModeWindow
from somdesk.gui.tasks import live_workers as running_threads

from .helpers import FIRST_RUN_TIMEOUT_MS


def bare_window(qtbot) -> QMainWindow:
    win = QMainWindow()
    qtbot.addWidget(win)
    win.menuBar().addMenu("&File")
    win.menuBar().addMenu("&Help")
    win.show()
    return win


def test_the_menu_sits_before_help_and_opens_each_mode_once(qtbot):
    win = bare_window(qtbot)
    menu = install_mode_menu(win)
    titles = [a.text() for a in win.menuBar().actions()]
    assert titles == ["&File", "&Modes", "&Help"]
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["&Image quantisation…", "&Table segmentation…", "Try the &sample customers table"]
    image_action, table_action, _sample = [a for a in menu.actions() if not a.isSeparator()]

    image_action.trigger()
    first = win.modes.image_window
    assert isinstance(first, ImageModeWindow) and first.isVisible()
    image_action.trigger()
    assert win.modes.image_window is first                 # raised again, not a second window
    table_action.trigger()
    assert isinstance(win.modes.table_window, TableModeWindow) and win.modes.table_window.isVisible()

    win.close()                                            # the main window takes its modes along
    assert not first.isVisible() and not win.modes.table_window.isVisible()
    for w in win.modes.windows():
        w.deleteLater()


def test_try_the_sample_is_one_click_and_closing_the_main_window_stops_it(qtbot, monkeypatch):
    errors = []
    monkeypatch.setattr(common, "show_error", lambda parent, message, details="": errors.append(message))
    win = bare_window(qtbot)
    menu = install_mode_menu(win)
    sample = [a for a in menu.actions() if a.text().startswith("Try")][0]
    sample.trigger()
    table = win.modes.table_window
    qtbot.addWidget(table)
    qtbot.waitUntil(lambda: table.controller.state == "running", timeout=FIRST_RUN_TIMEOUT_MS)
    assert table.table.name == "customers.csv" and table.planes.count() == 5
    win.close()                                            # while the sample is still training
    assert not running_threads() and not table.isVisible()
    assert not errors


def test_no_menu_is_needed_without_a_help_menu(qtbot):
    win = QMainWindow()
    qtbot.addWidget(win)
    menu = install_mode_menu(win)
    assert win.menuBar().actions()[-1].menu() is menu and menu.manager is win.modes


def test_a_window_closed_mid_png_encoding_closes_at_once_and_quitting_waits(qtbot, tmp_path, monkeypatch):
    import time

    import numpy as np
    from PIL import Image

    from somdesk.gui.modes import image_jobs, image_mode

    real = image_jobs.indexed_png_bytes
    monkeypatch.setattr(image_jobs, "indexed_png_bytes", lambda *a, **k: (time.sleep(2.5), real(*a, **k))[1])
    path = tmp_path / "p.png"
    Image.fromarray(np.random.default_rng(1).integers(0, 256, (40, 60, 3), dtype=np.uint8)).save(path)
    win = bare_window(qtbot)
    install_mode_menu(win)
    image = win.modes.open_image_mode()
    qtbot.addWidget(image)
    image.set_fast()
    texts = []
    image.runner.progress.connect(lambda kind, done, total, text: texts.append(text))
    image.open_image(str(path))
    qtbot.waitUntil(lambda: "Encoding the indexed PNG" in texts, timeout=FIRST_RUN_TIMEOUT_MS)
    t0 = time.perf_counter()
    image.close()                                            # the encoding cannot be interrupted...
    took = time.perf_counter() - t0
    assert took < 0.2                                        # closing never waits on it
    assert running_threads()                                 # ...so it finishes unheard
    win.modes.shutdown()                                     # what quitting does: wait for everything
    assert not running_threads()
    assert image.result is None
