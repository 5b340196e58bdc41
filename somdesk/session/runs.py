"""Training runs of a session: the epoch loop, an image map's phases, and how a run ends.

`train_task(session, cancel, snapshot_when)` is the generator behind
`Session.train_task`.  It runs on whatever thread drives it and touches only the
session's SOM (and, for image maps, which phase SOM is current) until it ends;
every change a window can see goes through `session._post`, tagged with the
dataset generation it belongs to, so a run of an old file never paints over a
new one.

An image's palette map trains in the phases of core.quantize.train_quantizer:
ordering (the user's config), fine-tuning (narrow neighbourhood) and up to
REVIVE_ROUNDS recovery rounds (dead nodes moved onto the worst-served colours,
then a few more epochs).  Each phase is its own SOM, so every epoch can be
stopped, saved (meta "phase", "recovery_round") and resumed exactly.
"""
from __future__ import annotations

import time

from somdesk.core.som import SOM
from somdesk.errors import Cancelled
from somdesk.session import training
from somdesk.session.mapstate import map_state
from somdesk.session.progress import RunOutcome, TrainProgress


def train_task(session, cancel=None, snapshot_when=None, chunk=None, frames=None):
    """Generator over the remaining epochs of every phase; yields TrainProgress, returns RunOutcome.

    A snapshot is taken when `snapshot_when(iteration)` says so and after the
    last epoch: True (or "measured") gives a MapState with BMUs, hits, U-matrix,
    QE and TE, whose measuring also checks `cancel`; "weights" gives a cheap
    preview (weights only) for drivers that redraw often and measure seldom.
    `session.pace` (epochs per second, None = as fast as possible) is read
    every epoch, so the window can change the speed while the run goes on; the
    wait checks `cancel` every PACE_SLICE seconds.  On cancel (or when the driver closes the generator)
    the SOM is as after its last whole epoch, the final map is posted and the
    run state becomes "paused".
    `chunk(iteration) -> int` (None: 1) is how many epochs the next yield may
    cover: a driver that draws a few dozen frames a second asks for a frame's
    worth, which the core runs in one call (SOM.run_epochs) instead of paying
    per-epoch overhead and GIL hand-offs a thousand times.
    `frames` (None: no time-lapse) is fed the codebook from the run itself, on the run's
    thread, as `somdesk train --timelapse` feeds its recorder: `frames.planned_in(a, b)` are
    the epochs in (a, b] it wants a frame of, which the kernel call copies as it goes
    (_epochs_with_frames: no cut), and `frames.offer(e, weights, last, owned=False)` hears the
    start, every epoch it wants and the run's last epoch (`last`: also when stopped; not when
    abandoned); it copies what it keeps, unless `owned` (a kernel snapshot: a copy of its own).  Epochs are counted over an image map's phases (`epoch_position`).
    The process's first run compiles or loads the kernels before its clock starts
    (`warm_kernels`): RunOutcome.elapsed is the epochs' time, RunOutcome.warm_up that wait.
    """
    session._require()
    session._require_idle("train again")
    gen = session.generation
    som = session.ensure_som()
    if session.done:
        return RunOutcome(session.map, False, True, 0.0)
    session._running = True
    session._post(session.history.clear)   # training is not undoable (session.undo)
    session._post(lambda: session._set_run_state("running"))
    warm, start = 0.0, time.perf_counter()
    stopped, epoch, marked = True, 0, False
    last = None          # (som, measured MapState of its current iteration): the final map when it ends there
    try:
        # the kernels' compile (first run after an install: ~90 s) or load (~3 s) is not the
        # epochs' time: "1,000 epochs in 95.2 s" was 3 s of training (testerW #6)
        warm = warm_kernels()
        start = epoch_start = time.perf_counter()
        if frames is not None:
            frames.offer(epoch_position(session, som.iteration)[0], som.weights, False)
        for som, phase in phases(session):
            while not som.done:
                n = chunk(som.iteration) if chunk is not None else 1
                before = som.iteration
                try:
                    if frames is not None:
                        info = _epochs_with_frames(session, som, n, cancel, frames)
                    else:
                        info = training.step(som, cancel) if n <= 1 else som.run_epochs(n, cancel)
                finally:
                    epoch += som.iteration - before     # epochs done before a stop count too
                want = True if som.done else (snapshot_when(som.iteration) if snapshot_when is not None else False)
                state = None
                t_map = time.perf_counter()
                if want:
                    # labels read now, not at the start: the label column may change during a run
                    state = map_state(som, measure_it=want != "weights", labels=session._labels(),
                                      generation=gen, cancel=cancel)
                measured = state is not None and state.measured
                last = (som, state) if measured else None
                # x of the QE/TE plot: epochs since the map started, across an image map's phases
                measures = ((epoch_offset(session) + som.iteration, state.qe, state.te),) if measured else ()
                preview = None
                if measured and session.kind == "image":
                    from somdesk.session.analysis import quantised_preview

                    preview = quantised_preview(session.dataset.preview, state.weights,
                                                session.dataset.preview_colours)
                if measures:
                    session._post(lambda m=measures: _add_measures(session, gen, m))
                map_seconds = time.perf_counter() - t_map if want else 0.0
                if epoch and not marked:
                    # unsaved from the first epoch, not from the run's end: a reopened (clean)
                    # map closed during its run lost the epochs without a prompt (testerW #1)
                    marked = True
                    session._post(lambda: _mark_trained(session, gen))
                # counted here, on the run's thread: the window reads the phase later
                overall, planned = epoch_position(session, info.iteration + 1)
                yield TrainProgress(info.iteration + 1, info.total, info.sigma, info.alpha,
                                    time.perf_counter() - start, phase, epoch, state, measures, preview,
                                    map_seconds, overall, planned)
                _wait_for_pace(session, epoch_start, cancel)
                epoch_start = time.perf_counter()
        stopped = False
    except Cancelled:
        pass
    finally:
        session._running = False
        abandoned = cancel is not None and cancel.abandoned
        if frames is not None and not abandoned:
            # the last epoch is the time-lapse's last frame, as the CLI's (not when nobody waits)
            frames.offer(epoch_position(session, som.iteration)[0], som.weights, True)
        # A stopped run ends at once: its map is measured only when that is quick (a
        # 1000x1000 map with 10,000 inputs would take seconds, uninterruptibly).
        measure_it = not stopped or len(som.data) * som.weights.shape[0] * som.weights.shape[1] <= QUICK_MEASURE
        if last is not None and last[0] is som and last[1].iteration == som.iteration:
            final = last[1]      # the last epoch's map was measured already (a 100x100 map: ~10-60 ms)
        elif abandoned:
            # the window is closing or another task replaced the run: nobody waits for this map,
            # and its close must not wait either (a 1000x1000 U-matrix is 60-130 ms; CI saw a
            # close take 320 ms): the weights only
            final = map_state(som, measure_it=False, generation=gen)
        else:
            # unmeasured, a big map stopped early still shows its U-matrix (tester5 F2)
            final = map_state(som, measure_it=measure_it, labels=session._labels(), generation=gen, umatrix=True)
        outcome = RunOutcome(final, stopped, not stopped and session.done, time.perf_counter() - start, warm)
        session._post(lambda: _end_run(session, gen, outcome, epoch))
    return outcome


_KERNELS_READY = False      # warm_kernels ran in this process: the one flag (kernels_ready)


def kernels_ready() -> bool:
    """Have the training kernels been compiled or loaded in this process (`warm_kernels`
    ran)?  A window says the first run may compile them while this is False."""
    return _KERNELS_READY


def warm_kernels() -> float:
    """Compile or load the training and measuring kernels once per process (core.kernels.
    warm_up, as `somdesk train` does before its clock starts); returns the seconds it took
    (0.0 once they are ready: `kernels_ready`)."""
    global _KERNELS_READY
    if _KERNELS_READY:
        return 0.0
    from somdesk.core import kernels

    t0 = time.perf_counter()
    kernels.warm_up()
    _KERNELS_READY = True
    return time.perf_counter() - t0


SNAP_BYTES = 64 << 20     # a kernel call's time-lapse snapshots at most (its chunk ends earlier)


def _epochs_with_frames(session, som, n: int, cancel, frames):
    """Up to `n` epochs of `som` as one step of the run, in one kernel call that copies the
    codebook at every epoch `frames` plans among them (SOM.run_epochs' snapshots), each handed
    to `frames.offer` with its epoch; returns the last epoch's StepInfo.

    The snapshots are taken inside the call, so the run is not cut for them: at Max the
    chunks stay as few as the maps the window shows and every planned frame is still kept
    (tester11: cutting cost 20-45 % at Max, so quick runs skipped frames and kept 5 of 76).
    A chunk whose snapshots would pass SNAP_BYTES ends at the last one that fits."""
    offset = epoch_position(session, som.iteration)[0] - som.iteration    # an image map's earlier phases
    end = min(som.iteration + max(1, n), som.config.iterations)
    wanted = [e - offset for e in frames.planned_in(som.iteration + offset, end + offset)]
    fit = max(1, SNAP_BYTES // max(1, som.weights.nbytes))
    if len(wanted) > fit:
        end = wanted[fit - 1]
        wanted = wanted[:fit]
    return som.run_epochs(end - som.iteration, cancel, snapshot_at=wanted,
                          on_snapshot=lambda it, w: frames.offer(it + offset, w, False, owned=True))


PACE_SLICE = 0.01
QUICK_MEASURE = 20_000_000   # inputs x nodes measured after a stop (~tens of ms)


def _wait_for_pace(session, since: float, cancel) -> None:
    """Sleep until 1/pace seconds have passed since `since` (no wait when pace is None)."""
    from somdesk.core.cancel import check

    pace = session.pace
    if not pace:
        return
    until = since + 1.0 / float(pace)
    while True:
        check(cancel)
        left = until - time.perf_counter()
        if left <= 0:
            return
        time.sleep(min(left, PACE_SLICE))


def epoch_offset(session) -> int:
    """Epochs of the phases before the one training now (0 for colours, tables and an image
    map's ordering phase): the phases' epochs continue one x axis on the QE/TE plot."""
    if session.kind != "image" or session.image_phase == "ordering":
        return 0
    from somdesk.core.quantize import REVIVE_EPOCHS

    fine = max(0, int(session.dataset.settings.fine_tune))
    offset = int(session.config.iterations)
    if session.image_phase == "fine-tuning":
        return offset
    return offset + fine + int(session.recovery_round) * REVIVE_EPOCHS


def planned_epochs(session) -> int:
    """Epochs a whole run of the map takes (an image map: ordering, fine-tuning and at most
    every recovery round)."""
    total = int(session.config.iterations)
    if session.kind == "image":
        from somdesk.core.quantize import REVIVE_EPOCHS, REVIVE_ROUNDS

        settings = session.dataset.settings
        if settings.fine_tune > 0:
            total += int(settings.fine_tune) + (REVIVE_ROUNDS * REVIVE_EPOCHS if settings.revive else 0)
    return total


def epoch_position(session, iteration: int) -> tuple[int, int]:
    """(epochs trained, epochs planned) of the shown map, counted over every phase.

    `iteration` is the current phase's epoch (MapState.iteration).  Colours and tables:
    (iteration, config.iterations).  An image map continues one count over ordering,
    fine-tuning and recovery rounds, as the QE/TE plot's x axis does; the plan is ordering plus
    fine-tuning, plus each recovery round once it starts; once done it is what was trained.
    """
    if session.kind != "image":
        return int(iteration), int(session.config.iterations)
    if session.image_phase == "done":
        done = epoch_offset(session)     # every phase, the last one included
        return done, done
    # ordering and fine-tuning are always run; a recovery round only when nodes are unused,
    # so the plan grows by a round when one starts (not a maximum that shrinks at the end)
    from somdesk.core.quantize import REVIVE_EPOCHS

    planned = int(session.config.iterations) + max(0, int(session.dataset.settings.fine_tune))
    if session.image_phase == "recovering unused colours":
        planned += (int(session.recovery_round) + 1) * REVIVE_EPOCHS
    return epoch_offset(session) + int(iteration), planned


def phases(session):
    """(SOM, phase name) pairs to train in order: one for colours and tables; ordering,
    fine-tuning and recovery rounds for an image map (training.phase_config)."""
    if session.kind != "image":
        yield session.som, "training"
        return
    settings = session.dataset.settings
    if session.image_phase == "ordering":
        yield session.som, "ordering"
        if settings.fine_tune > 0:
            cfg = training.phase_config(session.config, "fine-tuning", settings.fine_tune)
            session.som = SOM(session.dataset.data, cfg, weights=session.som.weights)
            session.image_phase = "fine-tuning"
        else:
            session.image_phase = "done"   # as train_quantizer: no fine-tuning, no recovery
    if session.image_phase == "fine-tuning":
        yield session.som, "fine-tuning"
        session.image_phase, session.recovery_round = "recovering unused colours", 0
        session.som = next_recovery(session, session.som)
    from somdesk.core.quantize import REVIVE_ROUNDS

    # A round left finished (the driver closed the task right after its last epoch)
    # moves on exactly as an uninterrupted run would.
    while session.image_phase == "recovering unused colours":
        yield session.som, "recovering unused colours"
        session.recovery_round += 1
        nxt = next_recovery(session, session.som) if session.recovery_round < REVIVE_ROUNDS else None
        if nxt is None or nxt is session.som:
            session.image_phase = "done"
        else:
            session.som = nxt


def next_recovery(session, som: SOM) -> SOM:
    """The next recovery round's SOM, or `som` itself (phase "done") when no node is dead."""
    revived = None
    if session.dataset.settings.revive:
        revived = training.revive_weights(som.weights, session.dataset.data)
    if revived is None:
        session.image_phase = "done"
        return som
    cfg = training.phase_config(session.config, "recovering unused colours", session.dataset.settings.fine_tune)
    return SOM(session.dataset.data, cfg, weights=revived)


def _add_measures(session, gen: int, measures: tuple) -> None:
    if gen == session.generation:
        session._set("measures", session.measures + measures)


def _mark_trained(session, gen: int) -> None:
    """On the session's thread: the map has new epochs, so it is unsaved (the same run's
    end marks it again, when its clusters of the old weights go)."""
    if gen == session.generation:
        session._changed()


def _end_run(session, gen: int, outcome: RunOutcome, epochs: int) -> None:
    """On the session's thread: show the final map, drop clusters of the old weights, mark dirty."""
    if gen != session.generation:
        return
    session._set("map", outcome.map)
    if epochs:
        if session.clusters is not None:
            session._set("clusters", None)
        if session.quantised is not None:
            session._set("quantised", None)
        session._changed()
    session._set_run_state(session._derived_run_state())
