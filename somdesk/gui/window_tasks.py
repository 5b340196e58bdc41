"""What the one window runs and undoes: opening several files, pacing, undo commands, PNG out.

    open_paths_task(session, paths, token)   generator for gui.tasks: palettes combine, other
                                             files get a window each (OpenApart)
    paced(train_task, window, token)         sleeps between epochs at the window's speed
    ColourEdit / ResetWeights                QUndoCommands over the session
    EditStack                                the window's undo stack (forget(): a training starts)
    palette_edited(undo_stack)               edits since the colours were opened or saved
    write_png(path, rgb)                     atomic PNG of a render picture
"""
from __future__ import annotations

import io
import os
import sys
import threading
import time

import numpy as np
from PySide6.QtGui import QUndoCommand, QUndoStack

from somdesk.core.cancel import check
from somdesk.core.options import count_text
from somdesk.errors import SomdeskError
from somdesk.io.names import display_basename

# Several palettes opened together become one set of inputs; together they may hold
# at most this many colours (the limit of one palette file: io.palettes.limits.MAX_COLORS).
MAX_COMBINED_COLOURS = 65_536

PROGRESS_HZ = 10.0      # progress lines per second while training (maps come at the window's FPS)


class OpenApart:
    """What File › Open (or the command line, or a drop) of several files that do not combine
    returns: `groups`, each opened in a window of its own by Window.open_apart -- the palettes
    together as one group (combined, as when they are opened alone), every other file alone
    (testerG #12: a table and a picture opened one window with random colours)."""

    def __init__(self, groups: list[list[str]]):
        self.groups = groups


def open_groups(paths: list[str], kinds: list[str]) -> list[list[str]]:
    """`paths` in windows: the palettes together (where the first of them stands), every other
    file alone, in the order given.  ["a.csv", "x.gpl", "b.jpg", "y.gpl"] with their kinds ->
    [["a.csv"], ["x.gpl", "y.gpl"], ["b.jpg"]]."""
    groups: list[list[str]] = []
    palettes: list[str] | None = None
    for path, kind in zip(paths, kinds):
        if kind != "palette":
            groups.append([path])
        elif palettes is None:
            palettes = [path]
            groups.append(palettes)
        else:
            palettes.append(path)
    return groups


def open_paths_task(session, paths: list[str], token):
    """Generator: open `paths` into `session` (yields Progress); returns a status line.

    One file: whatever it is (session.open_task).  Several palettes: their colours are
    combined, at most MAX_COMBINED_COLOURS in all (checked before any colour is installed),
    names kept.  Several files of which not all are palettes: nothing is read here; an
    OpenApart says which files open in which window (open_groups).
    """
    from somdesk.session import Progress
    from somdesk.session.opening import sniff_kind

    kinds = [sniff_kind(p) for p in paths]
    if len(paths) == 1 and kinds[0] in ("table", "map"):
        from somdesk.gui.table_open import found_table
        table = found_table(paths[0], kinds[0])       # tables and table maps: the Segments dock
        if table is not None:
            return table
    if len(paths) == 1 and kinds[0] == "palette":
        from somdesk.io.palettes import read_palettes

        yield Progress("open", 0, 1, "files", "palette")
        palettes = read_palettes(paths[0])
        check(token)
        if len(palettes) > 1:
            return PaletteChoice(paths[0], palettes)      # the window asks which one
        install_palette(session, paths[0], palettes[0])
        n = len(palettes[0].to_array())
        return f"Opened {display_basename(paths[0])}: {count_text(n, 'colour')}."
    if len(paths) == 1:
        kind = yield from session.open_task(paths[0], cancel=token, kind=kinds[0])
        return f"Opened {display_basename(paths[0])} ({kind})."
    if any(k != "palette" for k in kinds):
        return OpenApart(open_groups(paths, kinds))      # one window each (the palettes: one)
    from somdesk.io.palettes import read_palette

    from somdesk.session.opening import palette_inputs

    colours, names, warnings, total = [], [], [], 0
    for i, path in enumerate(paths):
        check(token)
        yield Progress("open", i, len(paths), "files", "palette")
        pal = read_palette(path)
        arr = palette_inputs(pal)
        total += len(arr)
        if total > MAX_COMBINED_COLOURS:
            raise SomdeskError(f"these {count_text(len(paths), 'palette')} hold more than {count_text(MAX_COMBINED_COLOURS, 'colour')} "
                               f"together (the limit for palettes opened at once); open fewer at a time")
        colours.append(arr)
        names.extend(s.name or "" for s in pal.swatches)
        # several files' warnings in one list: each says which file it is about
        warnings.extend(f"{display_basename(path)}: {w}" for w in pal.warnings)
    check(token)
    yield Progress("open", len(paths), len(paths), "files", "palette")
    if any(a.shape[1] == 4 for a in colours):     # one palette with alpha: every colour gets a column
        colours = [a if a.shape[1] == 4 else np.column_stack([a, np.ones(len(a))]) for a in colours]
    data = np.concatenate(colours)
    title = f"{count_text(len(paths), 'palette')}"
    session._post(lambda: session.new_colours(data, names=names, title=title, source=None, warnings=warnings))
    return f"Opened {count_text(len(paths), 'palette')}: {count_text(len(data), 'colour')}."


def with_warnings(status: str, warnings, where: str = "the left panel") -> str:
    """A status line ("Opened colors.css: 12 colours.") and, when something was said about the
    file, how many warnings and `where` they are listed (an open's: the left panel,
    gui/panels.py LeftPanel.notes): "Opened colors.css: 12 colours, with 5 warnings (listed in
    the left panel)."."""
    if not warnings:
        return status
    return f"{status.rstrip('.')}, with {count_text(len(warnings), 'warning')} (listed in {where})."


MAX_GAP = 2.0           # seconds: a live map at least this often, unless one costs more than ...
SLOW_MAP_SHARE = 0.25   # ... this share of the time: a map costing 1.8 s (TE of 2,000 inputs on a
                        # 400x400 map) every 2 s left 0.2 s for epochs, a run 16x slower than headless
MAX_CHUNK = 1000        # epochs in one step at Max
MAX_SPAN = 0.5          # seconds of epochs in one step at Max (the progress line moves at least this often)


class SnapshotPolicy:
    """When a training epoch should come with a map (Session.train_task's `snapshot_when`).

    A map costs a weights copy plus BMUs, QE, TE and the U-matrix, computed in the
    training thread; at Max that could cost more than the epochs themselves.  A
    snapshot is asked for at most `fps` times a second AND only when the measured
    cost of the last one is at most `budget` of the time since it (`paced` times
    each epoch and tells `cost()`), so measuring never takes more than that share.
    """

    def __init__(self, fps: float, budget: float, pace=None):
        self.fps, self.budget = fps, budget
        self.pace = pace                 # () -> the window's epochs per second (None: Max)
        self.last = 0.0
        self.last_cost = 0.0
        self.epoch_time = 0.0            # running mean of an epoch without a map
        # seconds: the step under way was sized to end when the next map is due; its map then
        # comes at its end if at most this much is left (see __call__)
        self.slack = 0.0

    def epochs(self, _iteration: int) -> int:
        """How many epochs the next step of the run may cover (Session.train_task's `chunk`).

        At Max, the epochs until the next map is due (at least a frame's worth,
        1/fps s, at most MAX_SPAN s, from the measured epoch time): the core runs
        them in one call without the GIL (SOM.run_epochs), so the worker needs the
        GIL once per map instead of once per epoch; on a busy machine every such
        hand-off can wait for a GUI thread that the OS has descheduled.  Stop and
        Pause still act inside the call.  Paced runs and single steps go one
        epoch at a time.
        """
        from somdesk.gui.tasks import current

        self.slack = 0.0
        if self.pace is not None and self.pace():
            return 1
        worker = current()
        if worker is not None and worker.paused:
            return 1
        if self.epoch_time <= 0:
            return 1
        due = self.last + self._gap() - time.perf_counter()
        span = min(MAX_SPAN, max(1.0 / self.fps, due))
        n = max(1, min(MAX_CHUNK, int(span / self.epoch_time)))
        if span >= due:
            # aimed at the next map: when the epochs go faster than estimated, the map comes at
            # this step's end anyway (up to half the step early) rather than after one more
            # short step -- each step is a GIL hand-off, and there were 2-3 a map
            self.slack = 0.5 * n * self.epoch_time
        return n

    def _gap(self) -> float:
        """Seconds between two maps: 1/fps, or longer when measuring costs more than the budget
        (at most MAX_GAP, unless even then the maps would take more than SLOW_MAP_SHARE)."""
        ceiling = max(MAX_GAP, self.last_cost / SLOW_MAP_SHARE)
        return max(1.0 / self.fps, min(ceiling, self.last_cost / self.budget if self.budget > 0 else 0.0))

    def __call__(self, _iteration: int) -> bool:
        now = time.perf_counter()
        gap = self._gap()
        if now - self.last >= gap - self.slack:
            self.last = now
            return True
        return False

    def timed(self, seconds: float, had_map: bool, epochs: int = 1, map_seconds: float | None = None) -> None:
        """The last step took `seconds` for `epochs` epochs, with a map or not; `map_seconds`:
        what the map cost, when the task measured it (else estimated from the epoch time)."""
        epochs = max(1, epochs)
        if had_map and map_seconds:
            self.last_cost = map_seconds
            seconds -= map_seconds
            had_map = False              # the rest is epochs: it times them too
        if had_map:
            if self.epoch_time > 0:      # the first epoch also compiles: not a measure of cost
                self.last_cost = max(0.0, seconds - epochs * self.epoch_time)
        else:
            # a running mean, each epoch weighing as one of paced runs' single steps: a step of
            # hundreds of epochs at Max is a far better measure than the first (cold) epoch was
            per = seconds / epochs
            keep = 0.9 ** epochs
            self.epoch_time = per if self.epoch_time == 0 else keep * self.epoch_time + (1 - keep) * per


class PaletteChoice:
    """A file holding several palettes (a collection): the window offers a picker."""

    def __init__(self, path: str, palettes: list):
        self.path, self.palettes = path, palettes

    def labels(self) -> list[str]:
        return [f"{p.name or f'Palette {k + 1}'} ({count_text(len(p.to_array()), 'colour')})"
                for k, p in enumerate(self.palettes)]


def install_palette(session, path: str, pal) -> None:
    """Make palette `pal` (read from `path`) the session's inputs (in the GUI thread)."""
    from somdesk.session.opening import palette_inputs

    colours = palette_inputs(pal)
    if len(colours) == 0:
        raise SomdeskError(f"{display_basename(path)}: the palette has no colours")
    names = [s.name or "" for s in pal.swatches]
    title = pal.name or os.path.basename(path)
    session._post(lambda: session.new_colours(colours, names=names, title=title, source=path, palette_name=pal.name,
                                              warnings=pal.warnings))


RUN_SWITCH_INTERVAL = 0.0005   # s: Python's GIL switch interval while a training run goes (default 0.005)

_switch_lock = threading.Lock()
_switch_users = 0
_switch_before = 0.005


class quick_gil_handoffs:   # noqa: N801 - used as a context manager, like contextlib's
    """While in it, Python's GIL switch interval is at most RUN_SWITCH_INTERVAL.

    A run's worker gives the GIL up during each kernel call and needs it back after: for
    the next step's set-up, a live map's measures (each numpy call a hand-off) and the
    progress it passes on.  When the GUI thread holds it then (drawing the last map, in
    Python), the worker waits until the holder is asked to let go, which Python does only
    after its switch interval, 5 ms by default: ~10 ms a run of the seed job's ~0.2 s,
    counted as the worker's time blocked (neither running nor runnable: its schedstat).
    With 0.5 ms it was ~3-5 ms.  Nested and concurrent runs (two windows) share it: the
    interval before the first one comes back when the last one ends."""

    def __enter__(self):
        global _switch_users, _switch_before
        with _switch_lock:
            if _switch_users == 0:
                _switch_before = sys.getswitchinterval()
                sys.setswitchinterval(min(_switch_before, RUN_SWITCH_INTERVAL))
            _switch_users += 1
        return self

    def __exit__(self, *exc):
        global _switch_users
        with _switch_lock:
            _switch_users -= 1
            if _switch_users == 0:
                sys.setswitchinterval(_switch_before)


def paced(task, window, token, policy: SnapshotPolicy | None = None):
    """Pass `task`'s yields on, sleeping between epochs so training runs at
    `window.pace` epochs per second (None: as fast as possible).  The sleep
    ends at once on a stop (the next epoch then sees the token).

    Progress without a map is passed on at most PROGRESS_HZ times a second and
    is None in between (the adapter counts it for Step but signals nothing):
    one signal per epoch would make the GUI thread compete for the GIL with
    the training thousands of times a second."""
    t0, n0, pace = time.perf_counter(), 0, window.pace
    n = 0
    n_done = 0                           # epochs so far (a step may cover several, see SnapshotPolicy)
    last = 0.0
    handoffs = quick_gil_handoffs().__enter__()
    try:
        while True:
            t_epoch = time.perf_counter()
            try:
                value = next(task)
            except StopIteration as end:
                return end.value
            now = time.perf_counter()
            epochs = getattr(value, "epoch", n_done + 1) - n_done
            n_done += epochs
            if policy is not None:
                policy.timed(now - t_epoch, getattr(value, "map", None) is not None, epochs,
                             getattr(value, "map_seconds", None))
            if getattr(value, "map", None) is not None or now - last >= 1.0 / PROGRESS_HZ:
                last = now
                yield value
            else:
                yield None
            n += 1
            if window.pace != pace:
                pace, t0, n0 = window.pace, time.perf_counter(), n
            if not pace:
                continue
            delay = t0 + (n - n0) / pace - time.perf_counter()
            if delay < -0.25:            # fell far behind (slow epochs): no burst to catch up
                t0, n0 = time.perf_counter(), n
            end = time.perf_counter() + max(delay, 0.0)
            while not token.cancelled:
                left = end - time.perf_counter()     # read once: `end` may pass between two reads
                if left <= 0:
                    break
                time.sleep(min(0.01, left))
    finally:
        try:
            task.close()                 # a stopped run's last map is measured here: still quick
        finally:
            handoffs.__exit__(None, None, None)


class ColourEdit(QUndoCommand):
    """A palette edit (add, edit, remove, random): undo puts the previous colours back, with
    their map: a trained map the edit replaced comes back trained (the session's history holds
    it, `Session.record_step`), so an edit never drops unsaved training without a way back,
    and a close asks about it meanwhile (window_unsaved.ONLY_IN_UNDO)."""

    LABEL = "Edit colours"     # the session's step (Session.undo_step), whatever the window calls it

    def __init__(self, window, colours, names, what: str):
        super().__init__(what)
        self.window = window
        s = window.session
        # the file's warnings stay with its source: an edit is of the same document, and its undo
        # brings back the dataset as it was (the left panel's list with it)
        d = s.dataset
        self.before = (d.with_alpha.copy(), tuple(d.names), d.title, d.source, d.warnings)
        self.after = (np.asarray(colours, dtype=np.float64), tuple(names), d.title, d.source, d.warnings)

    def _apply(self, state) -> None:
        colours, names, title, source, warnings = state
        with same_document(self.window):     # an edit, not a new file: the undo stack stays
            # and so does the session's history: a Reset weights before this edit still brings
            # its training back (the edit cleared it, so Reset, Edit, Undo, Undo lost the training)
            # and the map file: Undo of an edit of a saved map is that file's map again, not unsaved work
            s = self.window.session
            s.new_colours(colours, names=names, title=title, source=source, keep_history=True, path=s.path,
                          warnings=warnings)

    def redo(self) -> None:
        w = self.window
        w.end_tasks()
        # the map it replaces goes to the session's history first: Undo brings it back trained
        # (it came back as a fresh map: Train, Edit, Undo lost the unsaved epochs without a word)
        trained = w.session.record_step(self.LABEL)
        self._apply(self.after)
        if trained:
            w.statusBar().showMessage("The edited colours start a fresh map (Ctrl+Z brings the training back).",
                                      8000)
        else:
            w.statusBar().clearMessage()   # a "Stopped at epoch …" of the map it replaced

    def undo(self) -> None:
        w = self.window
        w.end_tasks()
        w.statusBar().clearMessage()
        if w.session.can_undo_step(self.LABEL):
            with same_document(w):           # the colours and the map before the edit, as they were
                w.session.undo_step(self.LABEL)
        else:                                # the session's history went (another file, a training)
            self._apply(self.before)


class same_document:   # noqa: N801 - used as a context manager, like contextlib's
    """While in it, a dataset the session installs is the same document edited (a palette
    edit, another colour space), not a file opened: the window keeps its undo stack."""

    def __init__(self, window):
        self.window = window

    def __enter__(self):
        self.window._same_document += 1

    def __exit__(self, *exc):
        self.window._same_document -= 1


class EditStack(QUndoStack):
    """The window's undo stack (palette edits and Reset weights) with the session's rule:
    training is not undoable, so a training's start `forget`s every step (Undo of an edit made
    before a run threw the trained map away without a word and left the title clean), and
    remembers whether palette edits were unsaved then (`edits_forgotten`, until a Save or
    another file: `setClean`, `clear`)."""

    edits_forgotten = False

    def forget(self) -> None:
        """A training starts: drop every step, keeping whether palette edits are unsaved."""
        edited = palette_edited(self)
        self.clear()
        self.edits_forgotten = edited

    def clear(self) -> None:
        self.edits_forgotten = False
        super().clear()

    def setClean(self) -> None:   # noqa: N802 - Qt's name
        self.edits_forgotten = False
        super().setClean()


def palette_edited(stack) -> bool:
    """Are the input colours other than those last opened or saved: a palette edit
    (ColourEdit) between the undo stack's clean state and its index, done or undone
    (tester6 F39), or one made before a training forgot the steps (EditStack)?  Undoing
    back to the clean state makes it False again."""
    if getattr(stack, "edits_forgotten", False):
        return True
    clean, now = stack.cleanIndex(), stack.index()
    # clean < 0: the clean state was undone past and dropped by a new edit
    span = range(stack.count()) if clean < 0 else range(min(clean, now), max(clean, now))
    return any(isinstance(stack.command(i), ColourEdit) for i in span)


class ResetWeights(QUndoCommand):
    """Reset weights; undo brings the trained map back (Session.undo_reset_weights)."""

    def __init__(self, window):
        super().__init__("Reset weights")
        self.window = window

    frames = None       # the time-lapse Undo brings back with the map (a Recording), or None

    def redo(self) -> None:
        self.window.end_tasks()
        drop_reset_frames(self.window)
        self.frames = self.window.timelapse.keep()      # Undo brings the time-lapse back with the map
        self.window.session.reset_weights()
        self.window.statusBar().showMessage("Reset to the initial weights (Ctrl+Z brings the training back).", 8000)

    def undo(self) -> None:
        w = self.window
        w.end_tasks()
        if not w.session.can_undo_reset:
            # nothing to bring back (the session's history went): say nothing rather than
            # "Training brought back" over a map that did not change
            w.statusBar().clearMessage()
            return
        with same_document(w):      # the colours before a later edit come back: an edit, not a
            w.session.undo_reset_weights()   # file (clearing the stack inside its undo crashed)
        if self.frames is not None:
            w.timelapse.bring_back(self.frames)
        # not the Reset's "Reset to the initial weights" over the map it brought back (tester7 #9)
        m = w.session.map
        if m is None:
            w.statusBar().clearMessage()
            return
        from somdesk.session.runs import epoch_position

        done, planned = epoch_position(w.session, m.iteration)
        w.statusBar().showMessage(f"Training brought back: epoch {done:,} of {planned:,}.", 8000)


def drop_reset_frames(window) -> None:
    """Free the time-lapse copies the Reset weights commands on the undo stack hold (up to
    64 MiB of codebooks each, review12 #7).  Only the latest Reset's Undo can bring frames back:
    an earlier one is reached only past a training, which the session does not undo (its
    history is cleared), or past a newer Reset made from the initial weights.  Called before a
    Reset keeps its own copy and when a training starts."""
    stack = window.undo
    for i in range(stack.count()):
        cmd = stack.command(i)
        if isinstance(cmd, ResetWeights):
            cmd.frames = None


def write_png(path: str, rgb: np.ndarray) -> None:
    """Write (H, W, 3) RGB or (H, W, 4) RGBA uint8 `rgb` as a PNG at `path`, atomically;
    SomdeskError on failure."""
    from PIL import Image

    from somdesk.io.atomic import atomic_write_bytes

    buf = io.BytesIO()
    mode = "RGBA" if rgb.shape[2] == 4 else "RGB"
    Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8), mode).save(buf, "PNG")
    atomic_write_bytes(path, buf.getvalue())
