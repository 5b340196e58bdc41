"""The seed's use cases as mode windows: image colour quantisation and table segmentation.

    from somdesk.gui.modes import install_mode_menu
    install_mode_menu(self)          # in MainWindow.__init__: adds the "Modes" menu

Each mode is its own top-level window (one of each per main window, raised
again when asked for twice).  They are not Qt children of the main window --
a child window is deleted with its parent without a closeEvent, which would
skip joining its worker thread -- so `install_mode_menu` closes them when the
main window closes and shuts their workers down if the application quits.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu

__all__ = ["install_mode_menu", "ModeManager"]


class ModeManager(QObject):
    """Opens, raises and closes the mode windows of one main window."""

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        self.image_window = None
        self.table_window = None
        window.installEventFilter(self)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    def open_image_mode(self):
        from somdesk.gui.modes.image_mode import ImageModeWindow
        if self.image_window is None:
            self.image_window = ImageModeWindow()
            self.image_window.destroyed.connect(lambda *_: setattr(self, "image_window", None))
        return self._raise(self.image_window)

    def open_table_mode(self):
        from somdesk.gui.modes.table_mode import TableModeWindow
        if self.table_window is None:
            self.table_window = TableModeWindow()
            self.table_window.destroyed.connect(lambda *_: setattr(self, "table_window", None))
        return self._raise(self.table_window)

    def try_sample(self):
        """One click: the customers table with its default columns, trained."""
        win = self.open_table_mode()
        win.load_sample()
        return win

    def windows(self) -> list:
        return [w for w in (self.image_window, self.table_window) if w is not None]

    def close_all(self) -> None:
        for w in self.windows():
            w.close()

    def shutdown(self) -> None:
        """When the application quits: stop every mode's workers and wait for them all."""
        from somdesk.gui.tasks import shutdown_all as stop_all
        for w in self.windows():
            w.shutdown()
        stop_all()      # safety net: a job a closed window left finishing (see jobs.py) ends here

    @staticmethod
    def _raise(win):
        win.show()
        win.raise_()
        win.activateWindow()
        return win

    def eventFilter(self, obj, event) -> bool:
        if obj is self.window and event.type() == QEvent.Type.Close:
            self.close_all()
        return False


def install_mode_menu(window: QMainWindow) -> QMenu:
    """Add a "Modes" menu (before Help, if there is one) to `window`; return it.

    The manager is kept as `window.modes` (also reachable as `menu.manager`).
    """
    manager = ModeManager(window)
    bar = window.menuBar()
    menu = QMenu("&Modes", bar)
    menu.setObjectName("modes-menu")
    act = menu.addAction("&Image quantisation…")
    act.setStatusTip("Reduce a picture to 16–256 colours with a self-organising map")
    act.triggered.connect(lambda _checked=False: manager.open_image_mode())
    act = menu.addAction("&Table segmentation…")
    act.setStatusTip("Find segments in a CSV table: U-matrix, component planes, clusters")
    act.triggered.connect(lambda _checked=False: manager.open_table_mode())
    menu.addSeparator()
    act = menu.addAction("Try the &sample customers table")
    act.setStatusTip("Open the table mode on resources/samples/customers.csv and train it")
    act.triggered.connect(lambda _checked=False: manager.try_sample())
    help_action = next((a for a in bar.actions() if a.menu() is not None
                        and a.text().replace("&", "").lower() == "help"), None)
    if help_action is not None:
        bar.insertMenu(help_action, menu)
    else:
        bar.addMenu(menu)
    menu.manager = manager
    window.modes = manager
    return menu
