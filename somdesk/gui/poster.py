"""Calls into the GUI thread: the session posts its changes from a task's thread through this.

    poster = Poster(window)
    session = Session(post=poster.post)     # post(fn): fn runs in the GUI thread
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

__all__ = ["Poster"]


class Poster(QObject):
    """`post(fn)` runs fn in the GUI thread (queued when called from another thread)."""

    _run = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._run.connect(self._call, Qt.ConnectionType.QueuedConnection)

    def post(self, fn) -> None:
        if QThread.currentThread() is self.thread():
            fn()
        else:
            self._run.emit(fn)

    @Slot(object)
    def _call(self, fn) -> None:
        fn()
