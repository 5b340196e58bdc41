"""The window's actions, menus and toolbar (no behaviour: main_window and its
helpers -- map_files, export_dialog, timelapse_recorder, palette_actions -- connect them).

File: Open palette / Open map / Open Recent / Open Sample, then (at the separator
named `FILE_MENU_HOOK`) Save map / Save map as / Save palette as, the three
exports, Quit.  Edit: Copy image.
"""
from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QSpinBox, QStyle, QToolBar, QWidget

from somdesk.gui.canvas import VIEWS

# (key, label, iterations per second or None, tooltip)
SPEEDS = (
    ("slow", "Slow", 50.0, "50 iterations per second"),
    ("normal", "Normal", 200.0, "200 iterations per second: the default 1000-iteration job takes about 5 s"),
    ("fast", "Fast", 1000.0, "1000 iterations per second"),
    ("max", "Max", None, "As fast as possible"),
)
DEFAULT_SPEED = "normal"
FILE_MENU_HOOK = "export"  # objectName of the separator where Export/Save items will go


class Actions:
    """Every QAction of the window, created once, owned by `window`."""

    def __init__(self, window: QMainWindow):
        style = window.style()
        icon = style.standardIcon

        def act(text, shortcut=None, tip=None, std=None, checkable=False):
            a = QAction(text, window)
            if shortcut:
                a.setShortcut(QKeySequence(shortcut))
            if std is not None:
                a.setIcon(icon(std))
            if tip:
                a.setToolTip(f"{tip} ({a.shortcut().toString()})" if shortcut else tip)
                a.setStatusTip(tip)
            a.setCheckable(checkable)
            return a

        SP = QStyle.StandardPixmap
        self.open = act("&Open palette…", QKeySequence.StandardKey.Open, "Load input colours from a palette file",
                        SP.SP_DialogOpenButton)
        self.open.setShortcut(QKeySequence("Ctrl+O"))
        self.open_map = act("Open &map…", "Ctrl+Shift+O", "Open a saved map (.somz): palette, parameters, "
                            "weights and the iteration reached")
        self.save_map = act("&Save map", "Ctrl+S", "Save the map to its file (.somz), resumable",
                            SP.SP_DialogSaveButton)
        self.save_map_as = act("Save map &as…", "Ctrl+Shift+S", "Save the map to a new file (.somz)")
        self.save_palette = act("Save &palette as…", None, "Write the input colours as a palette file")
        self.export_image = act("&Export image…", "Ctrl+E", "Write a PNG of the map, its U-matrix or hit map")
        self.copy_image = act("&Copy image", "Ctrl+C", "Put the exported picture on the clipboard "
                              "(the last Export image choices)")
        self.export_timelapse = act("Export &time-lapse…", None, "An animated GIF or PNG of the map "
                                    "organising itself")
        self.export_palette = act("Export &organised palette…", None, "The trained map's colours as a palette, "
                                  "in map order")
        self.quit = act("&Quit", "Ctrl+Q", "Stop any training and quit")
        self.train = act("&Train", "Ctrl+T", "Train a new map from the current parameters", SP.SP_MediaPlay)
        self.pause = act("&Pause", "Ctrl+P", "Pause or resume the training", SP.SP_MediaPause)
        self.step = act("&Step", "Ctrl+I", "Run exactly one iteration", SP.SP_MediaSkipForward)
        self.stop = act("St&op", "Ctrl+.", "Stop the training; the map keeps its state", SP.SP_MediaStop)
        self.reset = act("&Reset weights", "Ctrl+R", "Back to the map's initial weights", SP.SP_BrowserReload)
        self.speed_group = QActionGroup(window)
        self.speeds: dict[str, QAction] = {}
        for key, label, _ips, tip in SPEEDS:
            a = act(label, None, tip, checkable=True)
            a.setData(key)
            self.speed_group.addAction(a)
            self.speeds[key] = a
        self.speeds[DEFAULT_SPEED].setChecked(True)
        self.view_group = QActionGroup(window)
        self.views: dict[str, QAction] = {}
        for i, (key, label) in enumerate(VIEWS.items(), start=1):
            a = act(label, f"Ctrl+{i}", f"Show the {label.lower()}", checkable=True)
            a.setData(key)
            self.view_group.addAction(a)
            self.views[key] = a
        self.views["colours"].setChecked(True)
        self.markers = act("Input &markers", "Ctrl+M", "Mark where each input colour's best-matching node lies",
                           checkable=True)
        self.markers.setChecked(True)
        self.fit = act("&Fit map", "Ctrl+0", "Zoom to show the whole map")
        self.about = act("&About somdesk", None, "Version and credits")


def build_menus(window: QMainWindow, actions: Actions, open_file) -> QMenu:
    """Menus File / Training / View / Help; returns the (initially empty) Open Recent menu.
    File > Open Sample lists the palettes shipped in resources/palettes."""
    from somdesk.resources import sample_palettes

    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addAction(actions.open)
    file_menu.addAction(actions.open_map)
    recent = file_menu.addMenu("Open &Recent")
    samples = file_menu.addMenu("Open &Sample")
    for path in sample_palettes():
        act = samples.addAction(path.stem.replace("-", " "))
        act.setStatusTip(str(path))
        act.triggered.connect(lambda _checked=False, p=str(path): open_file(p))
    samples.setEnabled(not samples.isEmpty())
    actions.samples_menu = samples
    hook = file_menu.addSeparator()
    hook.setObjectName(FILE_MENU_HOOK)
    for a in (actions.save_map, actions.save_map_as, actions.save_palette, None,
              actions.export_image, actions.export_timelapse, actions.export_palette, None, actions.quit):
        if a is None:
            file_menu.addSeparator()
        else:
            file_menu.addAction(a)
    edit_menu = bar.addMenu("&Edit")
    edit_menu.addAction(actions.copy_image)
    train_menu = bar.addMenu("&Training")
    for a in (actions.train, actions.pause, actions.step, actions.stop, actions.reset):
        train_menu.addAction(a)
    speed_menu = train_menu.addMenu("Speed")
    for a in actions.speeds.values():
        speed_menu.addAction(a)
    view_menu = bar.addMenu("&View")
    for a in actions.views.values():
        view_menu.addAction(a)
    view_menu.addSeparator()
    view_menu.addAction(actions.markers)
    view_menu.addAction(actions.fit)
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(actions.about)
    return recent


def fill_recent_menu(menu: QMenu, files: list[str], open_file, clear) -> None:
    """(Re)fill File > Open Recent: `open_file(path)` per entry, then "Clear list"."""
    menu.clear()
    for i, path in enumerate(files, start=1):
        act = menu.addAction(f"&{i % 10}  {os.path.basename(path)}")
        act.setToolTip(path)
        act.setStatusTip(path)
        act.triggered.connect(lambda _checked=False, p=path: open_file(p))
    if files:
        menu.addSeparator()
        menu.addAction("Clear list", clear)
    else:
        menu.addAction("(none)").setEnabled(False)


def build_toolbar(window: QMainWindow, actions: Actions) -> QSpinBox:
    """The main toolbar; returns the redraw-rate spin box (snapshots per second)."""
    tb = QToolBar("Training", window)
    tb.setObjectName("training-toolbar")
    tb.setMovable(False)
    tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    window.addToolBar(tb)
    for a in (actions.train, actions.pause, actions.step, actions.stop, actions.reset):
        tb.addAction(a)
    tb.addSeparator()
    tb.addWidget(_label("Speed"))
    for a in actions.speeds.values():
        tb.addAction(a)
    fps = QSpinBox(minimum=5, maximum=60, singleStep=5, suffix=" /s")
    fps.setToolTip("Redraws per second while training (snapshots sent by the trainer)")
    tb.addWidget(_label("Redraw"))
    tb.addWidget(fps)
    tb.addSeparator()
    tb.addWidget(_label("View"))
    for a in actions.views.values():
        tb.addAction(a)
    tb.addAction(actions.markers)
    return fps


def _label(text: str) -> QWidget:
    lab = QLabel(text)
    lab.setContentsMargins(8, 0, 4, 0)
    return lab
