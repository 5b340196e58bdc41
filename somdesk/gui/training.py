"""Training as a generator of snapshots, for `somdesk.gui.tasks` to run.

    gen = train_states(som, token, control)     # runs in a pool thread
    for snap in gen: ...                        # Snapshot (or None: an epoch ended, nothing to show)

Each yield is either a `Snapshot` (weights copied, BMUs, hits, measures) when
one is due (`control.fps` per second, a single step, the end), or `None`
after an epoch where nothing is due, so the adapter can count epochs for
single steps without paying for a copy.  The generator's return value is the
final Snapshot.  Every piece of work checks `token`: the epoch itself
(SOM.step(cancel=...) where the core supports it), the BMU search and the
measures (in chunks of ~20 ms), and the pacing sleep; a stop raises
`Cancelled` with the SOM as before the interrupted epoch.

`control` holds what the window changes while a run goes on (pace, fps, view,
single step); it is read with plain attribute loads, safe across threads.
"""
from __future__ import annotations

import inspect
import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from somdesk.core import SOM, SOMConfig, kernels
from somdesk.core.cancel import CancelToken, check
from somdesk.core.metrics import topographic_error, u_matrix

DEFAULT_FPS = 40           # snapshots per second while training
MEASURE_BUDGET = 0.25      # at most this share of the run's wall time goes to QE/TE
CHUNK_WORK = 2_000_000     # node x input distance evaluations between cancellation checks


@dataclass(frozen=True)
class Snapshot:
    """One picture of a run: what the canvas, the plot and the status bar show."""

    weights: np.ndarray                 # (H, W, D) copy, owned by the receiver
    config: SOMConfig
    iteration: int                      # epochs completed
    total: int
    sigma: float                        # sigma_t / alpha_t of the last epoch run
    alpha: float
    bmus: np.ndarray | None = None      # (N, 2) row, col of each input's best-matching node
    hits: np.ndarray | None = None      # (H, W) number of inputs per node
    umatrix: np.ndarray | None = None   # (H, W), only while the U-matrix view is shown
    measures: tuple = ()                # ((epoch, QE, TE), ...) measured since the last snapshot
    rate: float = 0.0                   # epochs per second, recent
    elapsed: float = 0.0                # seconds since the run started
    final: bool = False
    stopped: bool = False               # final because Stop was asked, not because it was done
    seed: int | None = None

    @property
    def eta(self) -> float | None:
        if self.rate <= 0:
            return None
        return (self.total - self.iteration) / self.rate


@dataclass
class RunControl:
    """What the window may change during a run (read by the generator between epochs)."""

    pace: float | None = 200.0          # epochs per second, None = as fast as possible
    fps: float = DEFAULT_FPS
    view: str = "colours"
    single: bool = False                # a single step was asked: yield a snapshot after it
    measure: bool = True                # QE/TE within MEASURE_BUDGET (off: benchmarks of the core)
    extra: dict = field(default_factory=dict)


def _chunk(nodes: int) -> int:
    return max(1, CHUNK_WORK // max(nodes, 1))


def bmus_checked(weights: np.ndarray, data: np.ndarray, token: CancelToken | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(flat BMU index (N,), squared distance (N,)) of each input, checking `token` every ~20 ms."""
    h, w, d = weights.shape
    wf = weights.reshape(-1, d)
    step = _chunk(h * w)
    if step >= len(data):
        check(token)
        return kernels.bmus_of(wf, data)
    idx = np.empty(len(data), dtype=np.int64)
    d2 = np.empty(len(data))
    for i in range(0, len(data), step):
        check(token)
        idx[i:i + step], d2[i:i + step] = kernels.bmus_of(wf, data[i:i + step])
    return idx, d2


def make_snapshot(som: SOM, *, view: str = "colours", with_bmus: bool = True,
                  token: CancelToken | None = None, **extra) -> Snapshot:
    """A snapshot of `som` as it is now (weights copied).

    `with_bmus=False` skips the BMU search: the GUI uses it for the preview of
    a map that has not trained yet (no compile wait) and for the state shown
    right after a stop (no search of a huge map in the GUI thread).
    """
    w = som.weights.copy()
    t = max(som.iteration - 1, 0)
    sigma, alpha = som.schedule_at(t)
    bmus = hits = None
    if with_bmus:
        height, width, _dim = w.shape
        idx, _ = bmus_checked(w, som.data, token)
        bmus = np.stack(np.divmod(idx, width), axis=1)
        hits = np.bincount(idx, minlength=height * width).reshape(height, width)
    umat = None
    if view == "umatrix":
        umat = u_matrix(w, som.config.topology == "hexagonal", som.config.toroidal)
    return Snapshot(weights=w, config=som.config, iteration=som.iteration, total=som.total,
                    sigma=sigma, alpha=alpha, bmus=bmus, hits=hits, umatrix=umat,
                    seed=som.seed, **extra)


def measure(som: SOM, token: CancelToken | None = None) -> tuple[int, float, float]:
    """(epoch, quantisation error, topographic error) of `som` now.

    Same definitions as somdesk.core.metrics (TE on at most its sample limit of
    inputs), computed in chunks so a stop is seen within ~20 ms on any map size.
    """
    from somdesk.core.metrics import TOPOGRAPHIC_SAMPLE_LIMIT

    w = som.weights
    h, wd, d = w.shape
    _, d2 = bmus_checked(w, som.data, token)
    qe = float(np.mean(np.sqrt(d2)))
    data = som.data
    if h * wd < 2:
        return som.iteration, qe, 0.0
    if len(data) > TOPOGRAPHIC_SAMPLE_LIMIT:
        pick = np.random.default_rng(0).choice(len(data), TOPOGRAPHIC_SAMPLE_LIMIT, replace=False)
        data = data[np.sort(pick)]
    cfg = som.config
    step = _chunk(h * wd)
    wrong = 0.0
    for i in range(0, len(data), step):      # TE is a mean over inputs: chunks add up exactly
        check(token)
        part = data[i:i + step]
        wrong += len(part) * topographic_error(w, part, cfg.topology == "hexagonal", cfg.toroidal)
    return som.iteration, qe, wrong / len(data)


def _step_takes_cancel() -> bool:
    try:
        return "cancel" in inspect.signature(SOM.step).parameters
    except (TypeError, ValueError):
        return False


def _sleep(seconds: float, token: CancelToken) -> None:
    """Sleep up to `seconds`, seeing a stop within 10 ms."""
    end = time.perf_counter() + seconds
    while True:
        check(token)
        left = end - time.perf_counter()
        if left <= 0:
            return
        time.sleep(min(left, 0.01))


def train_states(som: SOM, token: CancelToken, control: RunControl):
    """Train `som` to its end, yielding Snapshots when due (see the module docstring)."""
    step_cancel = _step_takes_cancel()
    kernels.warm_up()
    start = time.perf_counter()
    recent: deque[tuple[float, int]] = deque([(start, som.iteration)], maxlen=64)
    measures: list[tuple[int, float, float]] = []
    measure_time = 0.0
    last_emit = 0.0
    pace_t0, pace_i0, pace = start, som.iteration, control.pace

    def snapshot(final: bool = False) -> Snapshot:
        (t0, i0), (t1, i1) = recent[0], recent[-1]
        rate = (i1 - i0) / (t1 - t0) if t1 > t0 else 0.0
        snap = make_snapshot(som, view=control.view, token=token, measures=tuple(measures),
                             rate=rate, elapsed=time.perf_counter() - start, final=final)
        measures.clear()
        return snap

    while not som.done:
        check(token)
        if step_cancel:
            som.step(cancel=token)
        else:
            som.step()
        now = time.perf_counter()
        recent.append((now, som.iteration))
        single, control.single = control.single, False
        if control.measure and (som.done or (now - start) * MEASURE_BUDGET >= measure_time or single):
            m0 = time.perf_counter()
            measures.append(measure(som, token))
            measure_time += time.perf_counter() - m0
        now = time.perf_counter()
        if single or (not som.done and now - last_emit >= 1.0 / control.fps):
            yield snapshot()
            last_emit = time.perf_counter()
        else:
            yield None
        # pacing: sleep (interruptibly) until this epoch's slot on the clock
        if control.pace != pace:
            pace, pace_t0, pace_i0 = control.pace, time.perf_counter(), som.iteration
        if pace and not som.done:
            delay = pace_t0 + (som.iteration - pace_i0) / pace - time.perf_counter()
            if delay < -0.25:      # fell far behind (slow epochs): do not burst to catch up
                pace_t0, pace_i0 = time.perf_counter(), som.iteration
            elif delay > 0:
                _sleep(delay, token)
    if control.measure and (not measures or measures[-1][0] != som.iteration) and som.iteration > 0:
        measures.append(measure(som, token))
    return snapshot(final=True)
