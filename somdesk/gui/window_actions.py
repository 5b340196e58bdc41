"""Every action of the one window in one dict keyed by id (MNELAB's way), and its menus.

    actions = make_actions(window)          # {"open": QAction, "train": QAction, ...}
    build_menus(window, actions)            # File (with Open Recent / Open Sample), Edit, Training, View, Help
    build_toolbar(window, actions)
    connect_actions(window, actions, quit_all)   # what each does

Menus, toolbar and shortcuts all use these objects; the window's `refresh()`
sets their enabled state from the session in one place.
"""
from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QStyle, QToolBar

# (id, label, iterations... no: epochs per second or None, shortcut, tip)
SPEEDS = (
    ("slow", "&Slow", 50.0, "Ctrl+1", "50 epochs per second"),
    ("normal", "&Normal", 200.0, "Ctrl+2", "200 epochs per second"),
    ("fast", "&Fast", 1000.0, "Ctrl+3", "1000 epochs per second"),
    ("max", "&Max", None, "Ctrl+4", "As fast as possible"),
)
DEFAULT_SPEED = "normal"

# view id -> (menu label, kinds it applies to); "picture" and "quantised" are pictures, not maps.
# A table's views (segments, U-matrix, hits, component planes) are the Segments dock's
# (gui/table_views.py): the window's session never holds a table.
VIEWS = {
    "colours": ("&Colours", ("colours", "image")),
    "strip": ("Strip + &map", ("colours",)),
    "umatrix": ("&U-matrix", ("colours", "image")),
    "hits": ("&Hit map", ("colours", "image")),
    "picture": ("&Original picture", ("image",)),
    "quantised": ("&Quantised picture", ("image",)),
    "compare": ("Original | quantised &side by side", ("image",)),
}
VIEW_KEYS = {"colours": "Ctrl+Alt+1", "strip": "Ctrl+Alt+2", "umatrix": "Ctrl+Alt+3", "hits": "Ctrl+Alt+4",
             "picture": "Ctrl+Alt+8", "quantised": "Ctrl+Alt+9", "compare": "Ctrl+Alt+7"}


def connect_actions(win, a: dict[str, QAction], quit_all) -> None:
    """What each action of `a` (make_actions) does in window `win` (gui/window.Window);
    `quit_all` closes every window (File > Quit)."""
    from somdesk.gui import dialogs

    a["new_colours"].triggered.connect(lambda: win.new_window("colours"))
    a["new_image"].triggered.connect(lambda: win.new_window("image"))
    a["new_table"].triggered.connect(lambda: win.new_window("table"))
    a["open"].triggered.connect(lambda: win.open_dialog())
    a["save"].triggered.connect(lambda: win.save())
    a["save_as"].triggered.connect(lambda: win.save(ask=True))
    a["export_image"].triggered.connect(lambda: win.export_image())
    a["copy_image"].triggered.connect(win.copy_image)
    a["close"].triggered.connect(win.close)
    a["quit"].triggered.connect(quit_all)
    a["undo"].triggered.connect(win.undo.undo)
    a["redo"].triggered.connect(win.undo.redo)
    a["delete"].triggered.connect(lambda: win.left.swatches.remove_selected())
    a["train"].triggered.connect(win.train)
    a["pause"].triggered.connect(win.runner.toggle_pause)
    a["step"].triggered.connect(win.step)
    a["stop"].triggered.connect(win.stop_task)
    a["reset"].triggered.connect(win.reset_weights)
    a["quantise"].triggered.connect(win.quantise)
    a["markers"].toggled.connect(win.canvas.set_markers_visible)
    a["fit"].triggered.connect(win.canvas.fit)
    a["help"].triggered.connect(lambda: dialogs.show_help(win))
    a["about"].triggered.connect(lambda: dialogs.show_about(win))
    win.speed_group.triggered.connect(lambda act: win.set_speed(act.data()))
    win.view_group.triggered.connect(lambda act: win.set_view(act.data()))


def make_actions(win: QMainWindow) -> dict[str, QAction]:
    style = win.style()
    acts: dict[str, QAction] = {}

    def act(key, text, shortcut=None, tip=None, icon=None, checkable=False):
        a = QAction(text, win)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        if tip:
            a.setStatusTip(tip)
            a.setToolTip(tip)
        if icon is not None:
            a.setIcon(style.standardIcon(icon))
        a.setCheckable(checkable)
        a.setObjectName(f"action-{key}")
        acts[key] = a
        return a

    SP = QStyle.StandardPixmap
    act("new_colours", "New &colours window", QKeySequence.StandardKey.New, "A new window with 20 random colours")
    act("new_image", "New &picture window…", None, "Open a picture to quantise in a new window")
    act("new_table", "New &table window…", None, "Open a table to segment in a new window")
    act("open", "&Open…", QKeySequence.StandardKey.Open,
        "Open palettes, a picture, a table or a saved map (.somz)", SP.SP_DialogOpenButton)
    act("save", "&Save map", QKeySequence.StandardKey.Save, "Save the workspace as a .somz map", SP.SP_DialogSaveButton)
    act("save_as", "Save map &as…", QKeySequence.StandardKey.SaveAs, "Save under a new name")
    act("export_image", "&Export image…", "Ctrl+E", "Write the view as a PNG: size, markers, legend")
    act("save_palette", "Save &palette as…", None, "Write the input colours as a palette file")
    act("export_timelapse", "Export &time-lapse…", None, "An animated GIF or PNG of the map organising itself")
    act("export_palette", "Export &organised palette…", None, "The map's colours as a palette, in map order")
    act("close", "&Close window", "Ctrl+W", "Close this window")
    act("quit", "&Quit", QKeySequence.StandardKey.Quit, "Close every window")
    act("undo", "&Undo", QKeySequence.StandardKey.Undo, "Undo the last palette edit or Reset weights")
    act("redo", "&Redo", "Ctrl+Shift+Z", "Redo")
    act("copy_image", "&Copy image", QKeySequence.StandardKey.Copy, "Copy the view to the clipboard")
    act("delete", "&Delete selected colours", QKeySequence.StandardKey.Delete, "Remove the selected input colours")
    act("train", "&Train", "Ctrl+T", "Train the map from the current settings", SP.SP_MediaPlay)
    act("pause", "&Pause", "Space", "Pause or resume", SP.SP_MediaPause)
    act("step", "St&ep", "Ctrl+Right", "One epoch", SP.SP_MediaSeekForward)
    act("stop", "&Stop", "Ctrl+.", "Stop; the map keeps its last epoch", SP.SP_MediaStop)
    act("reset", "&Reset weights", "Ctrl+R", "Back to the initial weights (undoable)", SP.SP_BrowserReload)
    act("quantise", "&Quantise full picture", "Ctrl+Shift+Q",
        "Every pixel to a palette fitted from the map's colours (as somdesk quantize --map writes it)")
    act("markers", "&Markers", "Ctrl+M", "Show a ring on every input's best-matching node", checkable=True)
    acts["markers"].setChecked(True)
    act("fit", "&Fit map", "Ctrl+0", "Zoom to show the whole map")
    act("help", "somdesk &help", QKeySequence.StandardKey.HelpContents, "Open the help (F1)")
    act("about", "&About somdesk")
    speed_group = QActionGroup(win)
    for key, label, _eps, shortcut, tip in SPEEDS:
        a = act(f"speed_{key}", label, shortcut, tip, checkable=True)
        a.setData(key)
        speed_group.addAction(a)
    acts[f"speed_{DEFAULT_SPEED}"].setChecked(True)
    view_group = QActionGroup(win)
    for key, (label, _kinds) in VIEWS.items():
        a = act(f"view_{key}", label, VIEW_KEYS[key], None, checkable=True)
        a.setData(key)
        view_group.addAction(a)
    win.speed_group, win.view_group = speed_group, view_group
    return acts


def build_menus(win: QMainWindow, a: dict[str, QAction]) -> None:
    bar = win.menuBar()
    m = bar.addMenu("&File")
    new = m.addMenu("&New")
    for k in ("new_colours", "new_image", "new_table"):
        new.addAction(a[k])
    m.addAction(a["open"])
    win.recent_menu = m.addMenu("Open &Recent")          # filled by gui/window_files.py
    win.recent_menu.setObjectName("menu-recent")
    win.samples_menu = m.addMenu("Open Sa&mple")         # resources/palettes and resources/samples
    win.samples_menu.setObjectName("menu-samples")
    for k in (None, "save", "save_as", "save_palette", None, "export_image", "export_timelapse", "export_palette",
              None, "close", "quit"):
        m.addSeparator() if k is None else m.addAction(a[k])
    m = bar.addMenu("&Edit")
    for k in ("undo", "redo", None, "copy_image", "delete"):
        m.addSeparator() if k is None else m.addAction(a[k])
    m = bar.addMenu("&Training")
    for k in ("train", "pause", "step", "stop", "reset", None, "quantise"):
        m.addSeparator() if k is None else m.addAction(a[k])
    speed = m.addMenu("Spee&d")
    speed.setToolTipsVisible(True)     # the tip says why the speeds are off while a table is shown
    for key, *_ in SPEEDS:
        speed.addAction(a[f"speed_{key}"])
    m = bar.addMenu("&View")
    m.setToolTipsVisible(True)
    for key in VIEWS:
        m.addAction(a[f"view_{key}"])
    m.addSeparator()
    m.addAction(a["markers"])
    m.addAction(a["fit"])
    m = bar.addMenu("&Help")
    m.addAction(a["help"])
    m.addAction(a["about"])


def build_toolbar(win: QMainWindow, a: dict[str, QAction]) -> QToolBar:
    tb = QToolBar("Training")
    tb.setObjectName("training-toolbar")
    for k in ("open", "save", None, "train", "pause", "step", "stop", "reset"):
        tb.addSeparator() if k is None else tb.addAction(a[k])
    win.addToolBar(tb)
    return tb


# What a table map does not use, and why (testerG #6: enabled with a table shown, they changed
# nothing and said nothing); disabled with these words while the Segments dock holds a table.
TABLE_UNUSED = {
    "markers": "A table map shows its rows in the Segments dock's Map & rows tab, not as markers on this map",
    "speed": "A table map always trains at full speed; the speed choices pace colour and picture maps",
}


def apply_table_state(win, table: bool) -> None:
    """Markers (Ctrl+M) and the speed choices enabled for a colour or picture map; with a table
    map shown, disabled with a tooltip and status tip saying why (TABLE_UNUSED), their own tips
    back when the table is closed."""
    keys = ["markers", *(f"speed_{key}" for key, *_ in SPEEDS)]
    own = win.__dict__.get("_own_tips")
    if own is None:              # their own tips, taken once (this runs on every refresh)
        own = win.__dict__["_own_tips"] = {k: win.actions[k].toolTip() for k in keys}
    for key in keys:
        act = win.actions[key]
        tip = TABLE_UNUSED["markers" if key == "markers" else "speed"] if table else own[key]
        if act.isEnabled() == table or act.toolTip() != tip:
            act.setEnabled(not table)
            act.setToolTip(tip)
            act.setStatusTip(tip)
