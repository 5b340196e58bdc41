"""Work around PySide6 6.12.0's lost references to None and True on CPython 3.11.

PySide6/shiboken 6.12.0 returns the singletons without taking a reference
for them, as if they were immortal (they are only since CPython 3.12):
every void method called from Python (`setVisible`, `processEvents`,
`QTimer.start`, ...) drops one reference to `None`, and every
`SignalInstance.emit()` / `connect()` one to `True`.  pyqtgraph makes hundreds
of such calls per redraw, so after a few seconds of training the interpreter
aborts with "Fatal Python error: none_dealloc: deallocating None" (or
bool_dealloc).  Measured here: the window died after one 5 s run.

`apply()` detects the bug by calling a void method and emitting a signal a few
times and, only if a singleton lost references, gives None, True and False a
huge reference count: what CPython 3.12+ does for them anyway (immortal
objects).  A no-op on a fixed PySide6 and on CPython >= 3.12.
"""
from __future__ import annotations

import ctypes
import sys

_APPLIED = False
_BOOST = 1 << 40   # > 10^12 emits before the count could run out


def pyside_leaks_singletons() -> bool:
    """True if calling PySide6 from Python loses references to None or True."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(8):
        probe.setObjectName("probe")   # returns None
        probe.ping.emit()              # returns True
    return sys.getrefcount(None) < none_before - 4 or sys.getrefcount(True) < true_before - 4


def apply() -> bool:
    """Protect None/True/False if this PySide6 needs it; True if the fix was applied."""
    global _APPLIED
    if _APPLIED:
        return True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython" or not pyside_leaks_singletons():
        return False
    for obj in (None, True, False):
        # ob_refcnt is the first Py_ssize_t of every object header on CPython 3.11
        ctypes.c_ssize_t.from_address(id(obj)).value += _BOOST
    _APPLIED = True
    return True
