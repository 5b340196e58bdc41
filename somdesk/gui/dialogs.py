"""Message boxes that never block: opened with `open()`, deleted on close.

Non-blocking so that an error raised while the event loop is busy (a worker's
`failed`, the excepthook) cannot freeze the window or a test.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

import somdesk


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
            "<p>Built with PySide6, pyqtgraph, numpy and numba. MIT licence.</p>")
    box = show_message(parent, "About somdesk", text, icon=QMessageBox.Icon.Information)
    box.setTextFormat(Qt.TextFormat.RichText)
    return box
