"""Message boxes that never block: opened with `open()`, deleted on close.

Non-blocking so that an error raised while the event loop is busy (a worker's
`failed`, the excepthook) cannot freeze the window or a test.
"""
from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

import somdesk
from somdesk.core import kernels


def show_message(parent: QWidget | None, title: str, text: str, details: str = "",
                 icon=QMessageBox.Icon.Warning) -> QMessageBox:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if details:
        box.setDetailedText(details)
    box.setObjectName("somdesk-message")
    box.open()
    return box


def show_about(parent: QWidget | None) -> QMessageBox:
    text = (f"<h3>somdesk {somdesk.__version__}</h3>"
            "<p>Watch a Kohonen Self-Organizing Map organise itself, live.</p>"
            "<p>Each node of the map holds a colour; training pulls the node that best matches "
            "an input colour, and its neighbours, towards it, until similar colours sit together.</p>"
            f"<p>Built with PySide6, pyqtgraph and numpy; training kernels: {kernels.BACKEND_LABEL}. "
            "MIT licence.</p>")
    box = show_message(parent, "About somdesk", text, icon=QMessageBox.Icon.Information)
    box.setTextFormat(Qt.TextFormat.RichText)
    return box


# -- file names (one seam, so tests can answer without a dialog) -------------------------
def filter_string(filters) -> str:
    """[(label, [glob, ...]), ...] -> a QFileDialog filter string."""
    return ";;".join(f"{label} ({' '.join(globs)})" for label, globs in filters)


def with_suffix(path: str, selected_filter: str) -> str:
    """Add the selected filter's first extension when `path` has none of its extensions."""
    import fnmatch
    import re

    globs = re.findall(r"\*\.[\w.]+", selected_filter or "")
    if globs and not any(fnmatch.fnmatch(path.lower(), g.lower()) for g in globs):
        return path + globs[0][1:]
    return path


def ask_open_path(parent: QWidget | None, title: str, start: str, filters: str) -> str | None:
    """A file to open, or None if cancelled."""
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getOpenFileName(parent, title, start, filters)
    return path or None


def ask_text(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
    """A line of text typed in (`text` shown first), or None if cancelled."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    value, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
    return value if ok else None


def ask_open_paths(parent: QWidget | None, title: str, start: str, filters: str) -> list[str]:
    """Files to open (several may be chosen: File › Open), or [] if cancelled."""
    from PySide6.QtWidgets import QFileDialog

    paths, _ = QFileDialog.getOpenFileNames(parent, title, start, filters)
    return list(paths or [])


def ask_save_path(parent: QWidget | None, title: str, start: str, filters) -> str | None:
    """A file name to write to (with the chosen format's extension added if missing), or None."""
    from PySide6.QtWidgets import QFileDialog

    while True:
        path, selected = QFileDialog.getSaveFileName(parent, title, start, filter_string(filters))
        if not path:
            return None
        problem = special_target(path)                      # as typed (/dev/null), then as saved
        path = with_suffix(path, selected)
        problem = problem or special_target(path)
        if problem is None:
            return path
        QMessageBox.warning(parent, "somdesk", problem)   # and ask again
        start = os.path.dirname(path)


def special_target(path: str) -> str | None:
    """Why the window will not save to `path`, or None (io.atomic.check_document_target: a
    map "saved" to a pipe or a device would be lost, or keep the window waiting)."""
    from somdesk.errors import SomdeskError
    from somdesk.io.atomic import check_document_target

    try:
        check_document_target(path)
    except SomdeskError as exc:
        return str(exc)
    return None


def target_refused(win, path) -> bool:
    """True, with the message shown by `win.show_error`, when the window must not write `path`
    because it is a pipe (io.names.refuse_fifo: the writer would wait up to 10 s for a reader).
    Every writer of the window -- Save, Export image, time-lapse, palettes, the Segments dock's
    rows, profiles, top items, planes, report, scores -- asks this first, before it starts a
    task or ends one, so a path given without the dialog (a test, a script, Save to the map's
    own name) is refused at once in the same words as one picked in it."""
    from somdesk.errors import SomdeskError
    from somdesk.io.names import refuse_fifo

    try:
        refuse_fifo(path)
    except SomdeskError as exc:
        win.show_error(str(exc))
        return True
    return False


# -- unsaved changes ----------------------------------------------------------------------
def ask_unsaved_changes(parent: QWidget | None, name: str, on_answer) -> QMessageBox:
    """Save / Discard / Cancel for unsaved training, without blocking: `on_answer` gets
    "save", "discard" or "cancel" (closing the box is "cancel")."""
    B = QMessageBox.StandardButton
    box = QMessageBox(QMessageBox.Icon.Warning, "somdesk", f"Save the trained map {name}?",
                      B.Save | B.Discard | B.Cancel, parent)
    box.setInformativeText("The map has trained since it was last saved. Unsaved training is lost.")
    box.setDefaultButton(B.Save)
    box.setEscapeButton(B.Cancel)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setObjectName("somdesk-unsaved")
    answers = {B.Save: "save", B.Discard: "discard"}

    def done(_result) -> None:
        on_answer(answers.get(box.standardButton(box.clickedButton()), "cancel"))

    box.finished.connect(done)
    box.open()
    return box


def show_help(parent: QWidget | None):
    """F1: the help shipped inside the package (somdesk/help/*.md), in a browser window."""
    from PySide6.QtWidgets import QDialog, QTextBrowser, QVBoxLayout

    from somdesk.resources import help_text

    dlg = QDialog(parent)
    dlg.setWindowTitle("somdesk help")
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    browser = QTextBrowser(dlg)
    browser.setOpenExternalLinks(True)
    browser.setMarkdown(help_text())
    lay = QVBoxLayout(dlg)
    lay.addWidget(browser)
    dlg.resize(720, 640)
    dlg.setObjectName("somdesk-help")
    dlg.show()
    return dlg
