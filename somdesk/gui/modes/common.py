"""What both mode windows share: dialogs (monkeypatchable), small widgets, formatting.

Every dialog goes through a module-level function looked up at call time
(`common.show_error(...)`, not `from common import show_error`), so a test can
replace it: `monkeypatch.setattr(common, "show_error", record)`.  `show_error`
itself never blocks (the message box is opened with `open()`).
"""
from __future__ import annotations

import os

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtWidgets import QFileDialog, QGroupBox, QLabel, QScrollArea, QVBoxLayout, QWidget

from somdesk.gui import dialogs


def show_error(parent: QWidget | None, message: str, details: str = "") -> None:
    """A non-blocking warning box with the message (and a traceback under "Show Details")."""
    dialogs.show_message(parent, "somdesk", message, details)


def ask_open_path(parent: QWidget | None, title: str, file_filter: str) -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, "", file_filter)
    return path or None


def ask_save_path(parent: QWidget | None, title: str, suggested: str,
                  filters: list[tuple[str, list[str]]]) -> str | None:
    """A save dialog over `filters` [(label, ["*.ext", ...])]; the chosen filter's first
    extension is added when the name has none of that filter's extensions."""
    strings = [f"{label} ({' '.join(globs)})" for label, globs in filters]
    path, chosen = QFileDialog.getSaveFileName(parent, title, suggested, ";;".join(strings))
    if not path:
        return None
    if chosen in strings:
        globs = filters[strings.index(chosen)][1]
        exts = [g[1:].lower() for g in globs if g.startswith("*.")]
        if exts and not path.lower().endswith(tuple(exts)):
            path += exts[0]
    return path


class ControlsScroll(QScrollArea):
    """A frameless, vertical-only scroll area for a column of controls that asks for
    its content's full height (QScrollArea's own hint stops at 24 text lines), so
    it scrolls only when the window really is too short."""

    def __init__(self, content: QWidget, parent=None):
        super().__init__(parent)
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        content.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()      # the content's height changed: ask the layout again
        return False

    def sizeHint(self) -> QSize:
        content = self.widget()
        hint = content.sizeHint()
        height = hint.height()
        if content.hasHeightForWidth() and self.width() > 0:   # wrapped labels: height at our width
            height = content.heightForWidth(self.width())
        return QSize(hint.width() + self.verticalScrollBar().sizeHint().width(), height + 2)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()


def group(title: str, *widgets_or_layouts) -> QGroupBox:
    box = QGroupBox(title)
    lay = QVBoxLayout(box)
    lay.setContentsMargins(8, 6, 8, 8)
    lay.setSpacing(6)
    for w in widgets_or_layouts:
        if isinstance(w, QWidget):
            lay.addWidget(w)
        else:
            lay.addLayout(w)
    return box


def note(text: str = "", *, wrap: bool = True, selectable: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def human_bytes(n: int | float) -> str:
    n = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:,.1f} GiB"


def local_paths(mime) -> list[str]:
    """Local file paths of a drag's URLs."""
    if not mime.hasUrls():
        return []
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile() and u.toLocalFile()]


def stem(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0] or "untitled"


class OpensDroppedFiles:
    """Mixin for a window that opens the first local file dropped on it with `open_dropped`."""

    def open_dropped(self, path: str) -> None:  # pragma: no cover - each window overrides it
        raise NotImplementedError

    def dragEnterEvent(self, event) -> None:
        if local_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = local_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.open_dropped(paths[0])
