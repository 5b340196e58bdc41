"""The training worker: a QObject moved to a QThread that drives `som.step()`.

Everything the GUI learns about a run leaves through three signals, which Qt
queues across the thread boundary:

    snapshot_ready(Snapshot)   throttled to `fps` per second, plus every single step
    finished(Snapshot)         the final state (also sent as the last snapshot_ready)
    failed(str, str)           (message for a person, details/traceback or "")

Control methods (`request_stop`, `set_paused`, `request_step`, `set_pace`,
`set_fps`, `set_view`, `snapshot_consumed`) may be called from any thread: they
only set plain attributes and wake the worker, which checks them between
iterations.  Snapshots carry COPIES of the weights: the core updates its array
in place and pyqtgraph paints from the array it was given, later.

Every QThread started through `start_in_thread` is kept in a registry until it
has stopped, so tests can assert that none is left running.
"""
from __future__ import annotations

import queue
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from somdesk.core import SOM, SOMConfig, kernels
from somdesk.core.metrics import topographic_error, u_matrix
from somdesk.errors import SomdeskError

DEFAULT_FPS = 40           # snapshots per second while training
MEASURE_BUDGET = 0.25      # at most this share of the run's wall time goes to QE/TE
UNACKED_TIMEOUT = 1.0      # re-send even if the GUI never acknowledged the last snapshot

# (thread, worker) of every run started here; strong refs, since a QThread
# collected while running aborts the process ("Destroyed while thread is still running")
_THREADS: list[tuple[QThread, "TrainingWorker"]] = []


def running_threads() -> list[QThread]:
    """The worker threads started here that are still running (forgets the others)."""
    _THREADS[:] = [(t, w) for t, w in _THREADS if t.isRunning()]
    return [t for t, _w in _THREADS]


def stop_all(timeout_ms: int = 10_000) -> None:
    """Stop every worker still running and wait for its thread (tests' safety net)."""
    for thread, worker in list(_THREADS):
        stop_thread(worker, thread, timeout_ms)


@dataclass(frozen=True)
class Snapshot:
    """One picture of a run: what the canvas, the plot and the status bar show."""

    weights: np.ndarray                 # (H, W, D) copy, owned by the receiver
    config: SOMConfig
    iteration: int                      # iterations completed
    total: int
    sigma: float                        # sigma_t / alpha_t of the last iteration run
    alpha: float
    bmus: np.ndarray | None = None      # (N, 2) row, col of each input's best-matching node
    hits: np.ndarray | None = None      # (H, W) number of inputs per node
    umatrix: np.ndarray | None = None   # (H, W), only while the U-matrix view is shown
    measures: tuple = ()                # ((iteration, QE, TE), ...) measured since the last snapshot
    rate: float = 0.0                   # iterations per second, recent
    elapsed: float = 0.0                # seconds since the run started
    final: bool = False
    stopped: bool = False               # final because Stop was asked, not because it was done
    seed: int | None = None

    @property
    def eta(self) -> float | None:
        if self.rate <= 0:
            return None
        return (self.total - self.iteration) / self.rate


def make_snapshot(som: SOM, *, view: str = "colours", with_bmus: bool = True, **extra) -> Snapshot:
    """A snapshot of `som` as it is now (called by the worker, and by the GUI when idle).

    `with_bmus=False` skips the (numba) BMU search: the GUI uses it for the
    preview of a map that has not trained yet, so it never waits for a compile.
    """
    w = som.weights.copy()
    t = max(som.iteration - 1, 0)
    sigma, alpha = som.schedule_at(t)
    bmus = hits = None
    if with_bmus:
        height, width, dim = w.shape
        idx, _ = kernels.bmus_of(w.reshape(-1, dim), som.data)
        bmus = np.stack(np.divmod(idx, width), axis=1)
        hits = np.bincount(idx, minlength=height * width).reshape(height, width)
    umat = None
    if view == "umatrix":
        umat = u_matrix(w, som.config.topology == "hexagonal", som.config.toroidal)
    return Snapshot(weights=w, config=som.config, iteration=som.iteration, total=som.total,
                    sigma=sigma, alpha=alpha, bmus=bmus, hits=hits, umatrix=umat,
                    seed=som.seed, **extra)


def measure(som: SOM) -> tuple[int, float, float]:
    """(iteration, quantisation error, topographic error) of `som` now."""
    w = som.weights
    _, d2 = kernels.bmus_of(w.reshape(-1, w.shape[2]), som.data)
    qe = float(np.mean(np.sqrt(d2)))
    te = topographic_error(w, som.data, som.config.topology == "hexagonal", som.config.toroidal)
    return som.iteration, qe, te


class TrainingWorker(QObject):
    """Steps a SOM in its own thread; see the module docstring for the protocol."""

    snapshot_ready = Signal(object)
    finished = Signal(object)
    failed = Signal(str, str)

    def __init__(self, som: SOM, *, pace: float | None = None, fps: float = DEFAULT_FPS,
                 paused: bool = False, view: str = "colours"):
        super().__init__()
        self.som = som
        self._pace = pace            # iterations per second, None = as fast as possible
        self._fps = float(fps)
        self._paused = bool(paused)
        self._view = view
        self._stop = False
        self._steps: queue.SimpleQueue = queue.SimpleQueue()   # one token per requested step
        self._in_flight = False
        self._wake = threading.Event()
        self._thread: QThread | None = None

    # -- control, from any thread ---------------------------------------------
    def request_stop(self) -> None:
        self._stop = True
        self._wake.set()

    def set_paused(self, paused: bool) -> None:
        self._paused = bool(paused)
        self._wake.set()

    def request_step(self) -> None:
        """While paused: run exactly one more iteration and send its snapshot."""
        self._steps.put(None)
        self._wake.set()

    def set_pace(self, iterations_per_second: float | None) -> None:
        self._pace = iterations_per_second
        self._wake.set()

    def set_fps(self, fps: float) -> None:
        self._fps = max(1.0, float(fps))

    def set_view(self, view: str) -> None:
        self._view = view

    def snapshot_consumed(self) -> None:
        """The GUI has drawn the last snapshot: the next one may be sent."""
        self._in_flight = False

    @property
    def paused(self) -> bool:
        return self._paused

    # -- the loop, in the worker thread ----------------------------------------
    @Slot()
    def run(self) -> None:
        try:
            kernels.warm_up()
            self._loop()
        except SomdeskError as exc:
            self.failed.emit(str(exc), "")
        except Exception as exc:  # a bug: report it, never kill the thread silently
            self.failed.emit(f"Unexpected error while training: {exc}", traceback.format_exc())
        finally:
            if self._thread is not None:
                self._thread.quit()   # thread-safe; the event loop ends once run() returns
                app = QCoreApplication.instance()
                if app is not None:
                    self.moveToThread(app.thread())

    def _loop(self) -> None:
        som = self.som
        start = time.perf_counter()
        recent: deque[tuple[float, int]] = deque([(start, som.iteration)], maxlen=64)
        measures: list[tuple[int, float, float]] = []
        measure_time = 0.0
        last_emit = 0.0
        last_measured = -1
        pace_t0, pace_i0, pace = start, som.iteration, self._pace
        while not self._stop and not som.done:
            self._wake.clear()
            single = False
            if self._paused:
                try:
                    self._steps.get_nowait()
                    single = True
                except queue.Empty:
                    self._wake.wait(0.2)
                    pace_t0, pace_i0 = time.perf_counter(), som.iteration
                    recent.clear()            # the speed shown after resuming ignores the pause
                    recent.append((pace_t0, pace_i0))
                    continue
            som.step()
            now = time.perf_counter()
            recent.append((now, som.iteration))
            if som.done or (now - start) * MEASURE_BUDGET >= measure_time or single:
                m0 = time.perf_counter()
                measures.append(measure(som))
                last_measured = som.iteration
                measure_time += time.perf_counter() - m0
            now = time.perf_counter()
            due = now - last_emit >= 1.0 / self._fps
            acked = not self._in_flight or now - last_emit > UNACKED_TIMEOUT
            if single or (due and acked and not som.done):
                self._emit(measures, recent, start)
                measures = []
                last_emit = time.perf_counter()
            # pacing: sleep (interruptibly) until this iteration's slot on the clock
            if self._pace != pace:
                pace, pace_t0, pace_i0 = self._pace, time.perf_counter(), som.iteration
            if pace and not self._paused and not som.done:
                target = pace_t0 + (som.iteration - pace_i0) / pace
                delay = target - time.perf_counter()
                if delay < -0.25:      # fell far behind (slow steps): do not burst to catch up
                    pace_t0, pace_i0 = time.perf_counter(), som.iteration
                elif delay > 0:
                    self._wake.wait(delay)
        if som.iteration != last_measured and not self._stop and som.iteration > 0:
            measures.append(measure(som))
        final = self._emit(measures, recent, start, final=True, stopped=not som.done)
        self.finished.emit(final)

    def _emit(self, measures, recent, start, final=False, stopped=False) -> Snapshot:
        (t0, i0), (t1, i1) = recent[0], recent[-1]
        rate = (i1 - i0) / (t1 - t0) if t1 > t0 else 0.0
        snap = make_snapshot(self.som, view=self._view, measures=tuple(measures), rate=rate,
                             elapsed=time.perf_counter() - start, final=final, stopped=stopped)
        self._in_flight = True
        self.snapshot_ready.emit(snap)
        return snap


def start_in_thread(worker: TrainingWorker) -> QThread:
    """Move `worker` to a new QThread, start it, and register the thread."""
    thread = QThread()
    thread.setObjectName("somdesk-training")
    worker.moveToThread(thread)
    worker._thread = thread
    thread.started.connect(worker.run)
    _THREADS.append((thread, worker))
    thread.start()
    return thread


def stop_thread(worker: TrainingWorker, thread: QThread, timeout_ms: int = 10_000) -> bool:
    """Ask the worker to stop and wait for its thread to end; True if it did."""
    worker.request_stop()
    thread.quit()
    ok = thread.wait(timeout_ms)
    running_threads()
    return bool(ok)
