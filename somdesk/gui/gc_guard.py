"""Run Python's cyclic garbage collector in the GUI thread only.

Qt widgets whose Python wrappers sit in reference cycles are destroyed when
the cycle is collected, in whatever thread happens to trigger a collection.
A worker thread allocating (parsing a 10,000-column table, say) can then run a
QWidget destructor while the GUI thread is deleting another one: the two
threads deadlock on Qt's mutex and the GIL (seen here in CI: the whole app
froze).  So, as pyqtgraph recommends, automatic collection is switched off and
a timer in the GUI thread collects instead, generation by generation when the
usual thresholds are passed.
"""
from __future__ import annotations

import gc

_collector = None


def install(interval_s: float = 0.5):
    """Start collecting on a GUI-thread timer (once per process); call from the GUI thread."""
    global _collector
    if _collector is None:
        from pyqtgraph.util.garbage_collector import GarbageCollector

        _collector = GarbageCollector(interval=interval_s)
    return _collector


def collect_now() -> int:
    """A full collection, in the calling (GUI) thread."""
    return gc.collect()
