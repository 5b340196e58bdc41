"""Run Python's cyclic garbage collector in the GUI thread only, in short pieces.

    gc_guard.install()        # once, on the GUI thread: automatic collection off, ours on a timer
    gc_guard.settle()         # after start-up: what is alive now is never scanned again
    gc_guard.collect_now()    # a full collection here (tests, between windows)

Why in the GUI thread: Qt widgets whose Python wrappers sit in reference cycles are destroyed when
the cycle is collected, in whatever thread happens to trigger a collection.  A worker thread
allocating (parsing a 10,000-column table, say) can then run a QWidget destructor while the GUI
thread is deleting another one: the two threads deadlock on Qt's mutex and the GIL (seen here in
CI: the whole app froze).  So, as pyqtgraph recommends, automatic collection is switched off and a
timer in the GUI thread collects instead.

Why short pieces: pyqtgraph's own timer (every 0.5 s, then `gc.collect(2)` after every tenth
middle collection) held the window 50-260 ms at a time while a worker allocated (numba loading
its kernels for a map's first measure, a table run: ~60,000 objects), because every object made
between two ticks is scanned in one go, and each of its full collections scanned the whole heap
(~130,000 objects of the imported modules alone: ~0.17 s).  Here:

* the timer ticks every TICK_MS, so a young collection scans only what was made in that time;
* a full collection is made only when the objects in the old generation have grown by a quarter
  since the last one -- CPython's own rule for automatic collection, which `gc.collect(2)` skips;
* `settle()` (called by the app once the window is built) collects once and freezes what is alive
  (`gc.freeze`: modules, classes, functions -- what start-up made lives as long as the process),
  so no later collection scans it again;
* a surge -- more than SURGE young objects at a tick, made by a worker loading modules or numba's
  kernels (their registries and types: ~75,000 objects, a 0.1-0.3 s young collection at load 7) --
  is frozen too instead of scanned: such objects live as long as the process.

Frozen objects are never collected, and a freeze takes everything alive at that moment: what was
alive then and later becomes garbage in a reference cycle (a dialog closed since, a replaced map's
cycles) stays in memory.  Plain reference counting still frees everything outside cycles (the
table's and the map's arrays), and surges come a few times per process (the first table read's
libraries, the first run's kernels), so the cost is a bounded amount of memory, not a growing one;
should a worker ever make cyclic garbage that fast for long, past SURGES_THAW objects frozen
everything is thawed and collected once (one long hold) and frozen again.
"""
from __future__ import annotations

import gc

TICK_MS = 50            # young collections this often: each scans what was made in ~50 ms
FULL_GROWTH = 0.25      # a full collection once the old generation grew by this fraction (CPython's rule)
SURGE = 20_000          # young objects past this at a tick are frozen, not scanned (~10-20 ms a scan)
SURGES_THAW = 1_000_000  # objects frozen by surges since the last thaw past which all is collected once

_collector = None


class _Collector:
    """The GUI thread's collector: young generations by gc's thresholds on every tick, the
    oldest by its growth (see the module docstring)."""

    def __init__(self, interval_ms: int):
        from PySide6.QtCore import QTimer

        self.threshold = gc.get_threshold()     # (700, 10, 10) unless the program set others
        gc.disable()
        self.old_after_full = len(gc.get_objects(2))
        self.surges: list[int] = []             # young objects frozen at each surge (for tests, reports)
        self.thawed = 0                         # sum(surges) at the last thaw
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> None:
        """One tick: collect the generations whose counters passed gc's thresholds; the oldest
        only when it grew by FULL_GROWTH since the last full collection."""
        n0, n1, n2 = gc.get_count()
        t0, t1, t2 = self.threshold
        if n0 <= t0:
            return
        young = n0 + len(gc.get_objects(1))
        if young > SURGE:
            # a worker loaded modules or kernels (numba's registries: ~75,000 objects, scanned
            # 0.1-0.3 s): kept, not scanned (see the module docstring)
            self.surges.append(young)
            if sum(self.surges) - self.thawed > SURGES_THAW:
                # a worker making that much cyclic garbage that fast would otherwise keep it
                # all: thaw, collect everything once (one long hold, in that case only), refreeze
                self.thawed = sum(self.surges)
                gc.unfreeze()
                gc.collect()
            gc.freeze()
            self.old_after_full = len(gc.get_objects(2))
            return
        if n1 <= t1:
            gc.collect(0)
            return
        # n2 (middle collections since the last full one) is only reset by a full collection, so
        # past t2 the growth is looked at on each middle collection: a list of pointers, ~1 ms
        # per 100,000 objects, every ~10 ticks of allocation
        if n2 > t2 and len(gc.get_objects(2)) - self.old_after_full > FULL_GROWTH * max(self.old_after_full, 1):
            self.full()
        else:
            gc.collect(1)

    def full(self) -> int:
        """A full collection now; its survivors are the base of the growth rule."""
        found = gc.collect(2)
        self.old_after_full = len(gc.get_objects(2))
        return found


def install(interval_ms: int = TICK_MS):
    """Start collecting on a GUI-thread timer (once per process); call from the GUI thread."""
    global _collector
    if _collector is None:
        _collector = _Collector(interval_ms)
    return _collector


def settle() -> None:
    """Collect everything once, then freeze what is left (`gc.freeze`): call on the GUI thread
    when start-up is over (the window built), so later collections never scan the imported
    modules again (~130,000 objects, ~0.17 s a full collection)."""
    collect_now()
    gc.freeze()
    if _collector is not None:
        _collector.old_after_full = len(gc.get_objects(2))


def collect_now() -> int:
    """A full collection, in the calling (GUI) thread; the number of unreachable objects found."""
    if _collector is not None:
        return _collector.full()
    return gc.collect()
