"""The one window's time-lapse: frames taken from the run itself, and File > Export time-lapse….

A run of a colour or picture map takes its frames at the epochs `somdesk train
--timelapse` keeps of the whole run (`planned_frames`: the CLI's FrameRecorder,
at most `MAX_FRAMES`, evenly spaced), from its own thread: `RunFrames` is handed to
`Session.train_task(frames=...)`, whose kernel calls copy the codebook at those
epochs as they go (SOM.run_epochs snapshots: no call is cut, so Max keeps them all too)
and offer it, coloured as the CLI colours its frames
(`render.colour_nodes` of the weights in sRGB).  So a run's frames are the CLI's,
at the CLI's epochs, for the same seed, whatever the speed and however few maps
the window found time to draw (tester7 #32: a 7.7-s run kept the 5 maps it had
drawn); a run stopped part way has the planned frames up to there and the epoch
it stopped at (`Recording`).  The GUI thread colours nothing during or after a
run (a 1000 x 1000 map's last frame cost it ~250 ms at Reset, tester7 #8); it only
ends the recording when the map shown goes back (Reset weights, new settings)
and starts one from the shown map when another dataset or map is opened.  A
table's map is the Segments dock's and is not recorded.  Continuing a map (Step,
Resume, Train on an opened map) adds to the recording.

The export dialog chooses the frame rate and the size; each frame is shown until the
next one's epoch (io.timelapse.frame_durations); the animated GIF or PNG is
written by a task ("export-timelapse") through `somdesk.io.timelapse.write_animation`
(true hexagons via `render.layout`), the same writer as `somdesk train --timelapse`.
"""
from __future__ import annotations

import bisect
import threading

import numpy as np

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox

from somdesk import render
from somdesk.core.options import count_text
from somdesk.errors import SomdeskError
from somdesk.gui import dialogs
from somdesk.io.names import display_basename
from somdesk.io.timelapse import FrameRecorder, frames_written_text, write_animation

MAX_FRAMES = 120
FPS_CHOICES = (5, 10, 15, 20, 25, 30, 50)
ANIMATION_FILTERS = [("Animated GIF", ["*.gif"]), ("Animated PNG", ["*.png", "*.apng"])]


def frame_view(session) -> str | None:
    """Which view a frame shows: the map's colours (colour and picture maps: a table's map is
    the Segments dock's and is not recorded)."""
    return None if session.map is None else "colours"


def frames_text(n: int) -> str:
    """"1 frame", "2 frames", "1,200 frames" (core.options.count_text)."""
    return count_text(n, "frame")


def _frames_written(result, stopped: bool, path: str) -> str:
    if result is not None:
        written, fps, recorded = result
        return f"Exported {display_basename(path)}: {frames_written_text(written, recorded, fps)}."
    return f"Export time-lapse stopped: {display_basename(path)} was not written." if stopped else ""


class _TaskSaving:
    """Export time-lapse as a task (mixed into TimelapseRecorder): always, since starting one
    costs nothing and 5 frames of a 1000 x 1000 map took the GUI thread 3.9 s (tester7 #32)."""

    def _save_in_task(self, fps: int, scale: int, path: str) -> bool:
        from somdesk.core.cancel import check
        from somdesk.io.timelapse import animation_format
        from somdesk.session import Progress

        w = self.win
        if dialogs.target_refused(w, path):        # a pipe: refused here, not after 10 s in the task
            return False
        try:
            animation_format(path)                 # a wrong extension: said at once
        except SomdeskError as exc:
            w.show_error(str(exc))
            return False
        if w.runner.busy:
            from somdesk.gui.task_words import wait_message

            w.show_error("Export time-lapse runs as a task. " + wait_message(w.runner, "exporting"))
            return False
        with self.lock:
            items, hexagonal = self.recorder.items(), self.hexagonal
            epochs = self.recorder.iterations

        def steps(token):
            # frames kept as codebooks are coloured here, in the task: for a map trained in
            # OKLab or CIELAB that is a gamut fit per frame (~9 s for 118 frames of 148 x 148)
            frames = []
            for i, (frame, colour) in enumerate(items):
                yield Progress("export", i, len(items), "frames", "Colouring the time-lapse's frames")
                check(token)
                frames.append(frame if colour is None else colour(frame))
            yield Progress("export", len(items), len(items), "", "Writing the time-lapse")
            check(token)
            # the frames in the file, not those recorded: identical ones are stored once (testerG #9)
            written = write_animation(path, frames, fps, scale, hexagonal=hexagonal, epochs=epochs)   # timed by epoch
            return written, fps, len(frames)

        self._export_out = path
        w.runner.start("export-timelapse", steps)
        w.refresh()
        return True

    def finished_export(self, result, stopped: bool) -> None:
        text = _frames_written(result, stopped, getattr(self, "_export_out", ""))
        if text:
            self.win.statusBar().showMessage(text, 8000)


def planned_frames(first: int, last: int, max_frames: int = MAX_FRAMES) -> list[int]:
    """The epochs `somdesk train --timelapse` keeps of a run from epoch `first` to `last`: its
    FrameRecorder offered every epoch it wants, then the last (at most `max_frames`, evenly
    spaced; the stride doubles when they are full).  FrameRecorder's rule replayed on epoch
    numbers alone (tests/gui/test_timelapse_frames.py holds it to the recorder offered 1-pixel
    frames, which took ~0.6 ms for 1,000 epochs on the GUI thread before each run started;
    this ~0.1 ms)."""
    kept, stride = [], 1                 # FrameRecorder._kept's epochs and its stride
    e, last = int(first), int(last)

    def offer(epoch: int) -> None:       # FrameRecorder.offer of epochs that never go back
        nonlocal kept, stride
        if kept and (epoch == kept[-1] or epoch < kept[-1] + stride):
            return                       # the same epoch again, or not wanted: only the latest
        kept.append(epoch)
        while len(kept) > max_frames - 1:
            kept, stride = kept[::2], stride * 2

    while e <= last:
        offer(e)
        e = max(e + 1, kept[-1] + stride)          # FrameRecorder.next_wanted(e + 1)
    offer(last)
    return kept if kept[-1] == last else kept + [last]      # the latest offered comes last


class Recording:
    """The frames of the current map's runs: those at the planned epochs and the latest one
    (the epoch a run was stopped or paused at), oldest first; `plan` is set by the first run.

    A frame is stored as offered: (H, W, 3) uint8, or the codebook itself with the function
    that colours it, coloured by the export's task (colouring on the run's thread cost the
    window at Max ~30 % on the seed job, each numpy call there a wait for the GIL the GUI
    thread holds while it draws; on the GUI thread it froze the window for seconds)."""

    def __init__(self):
        self.reset()

    def reset(self) -> None:
        self.plan: list[int] | None = None
        self._kept: dict[int, list] = {}
        self._latest: tuple[int, list] | None = None

    def copy(self) -> "Recording":
        """Another Recording with the same frames (the frames themselves are shared: never
        written after they are offered)."""
        other = Recording()
        other.plan = None if self.plan is None else list(self.plan)
        other._kept, other._latest = dict(self._kept), self._latest
        return other

    def offer(self, epoch: int, frame: np.ndarray, keep: bool, colour=None) -> None:
        """`frame` of `epoch` ((H, W, 3) uint8, or weights that `colour` turns into one), kept for
        good when `keep` (a planned epoch), else only while it is the latest."""
        epoch, item = int(epoch), [frame, colour]
        if keep:
            self._kept[epoch] = item
        self._latest = (epoch, item)

    def _items(self) -> list[tuple[int, list]]:
        items = sorted(self._kept.items(), key=lambda kv: kv[0])
        if self._latest is not None and self._latest[0] not in self._kept:
            items = [kv for kv in items if kv[0] < self._latest[0]] + [self._latest]
        return items

    def latest_epoch(self) -> int | None:
        """`iterations[-1]` (None: no frame) without sorting the frames (asked at every offer)."""
        if self._latest is not None and self._latest[0] not in self._kept:
            return self._latest[0]
        return max(self._kept) if self._kept else None

    def kept_epochs(self) -> set[int]:
        return set(self._kept)

    def __len__(self) -> int:
        return len(self._items())

    @property
    def iterations(self) -> list[int]:
        return [e for e, _f in self._items()]

    def items(self) -> list[tuple[np.ndarray, object]]:
        """(frame or codebook, its colouring function or None) of every frame, oldest first: a
        snapshot the export task colours off the GUI thread."""
        return [(item[0], item[1]) for _e, item in self._items()]

    def frame_shape(self) -> tuple[int, int]:
        """(H, W) nodes of the latest frame, colouring nothing."""
        return tuple(self._items()[-1][1][0].shape[:2])

    @property
    def frames(self) -> list[np.ndarray]:
        """Every frame as (H, W, 3) uint8, coloured now where kept as a codebook (for tests and
        scripts; the window's export colours them in its task)."""
        return [frame if colour is None else colour(frame) for frame, colour in self.items()]


RAW_BYTES = 64 << 20    # codebooks kept uncoloured while all frames' float64 copies fit in this


class RunFrames:
    """The time-lapse's side of a run (runs.train_task's `frames`), called on the run's thread.

    The frames are taken at `plan`, the epochs the CLI's recorder would keep of the whole
    run (planned_frames), so a run keeps the CLI's frames at every speed, Max included: the
    kernel call copies the codebook at the planned epochs it passes (SOM.run_epochs'
    snapshots), so no call is cut for a frame.  (Cutting the call at each frame cost the
    window at Max 20-45 % over SOM.train() -- each return waits for the GIL the drawing GUI
    thread holds -- so Max used to skip frames: 5 of 76 kept, tester11.)"""

    def __init__(self, owner: "TimelapseRecorder", generation: int, colour, plan: list[int]):
        self.owner, self.generation, self.colour = owner, generation, colour
        self.plan = plan
        self._planned = frozenset(plan)

    def _current(self) -> bool:
        return self.owner._generation == self.generation

    def planned_in(self, first: int, last: int) -> list[int]:
        """The planned epochs e with first < e <= last, ascending."""
        return self.plan[bisect.bisect_right(self.plan, int(first)):bisect.bisect_right(self.plan, int(last))]

    def offer(self, epoch: int, weights, last: bool, owned: bool = False) -> None:
        """A frame of `epoch` when it is planned (kept), or the run's `last` epoch (kept while
        it is the latest).  `weights` (H, W, D) are copied (or coloured, for a big map);
        `owned`: they are already a copy nobody writes (SOM.run_epochs' snapshots), kept as
        they are."""
        epoch = int(epoch)
        keep = epoch in self._planned
        rec = self.owner.recorder
        with self.owner.lock:
            latest = rec.latest_epoch()
            if not self._current() or latest == epoch or not (keep or last):
                return
        w = np.asarray(weights)
        if w.ndim != 3 or w.shape[2] < 3:        # not colours (no 3 values a node): no frame, the run goes on
            return
        if owned and w.nbytes * len(self.plan) <= RAW_BYTES:
            # The kernel's snapshot itself, no second copy: copying each one again (a strided
            # gather into fresh pages) cost the seed job's run ~10 % of its CPU at Max.  The
            # export makes the (H, W, 3) array the copy below would have made, so the colours
            # are the same bits.
            frame, colour = w, _first_three(self.colour)
        elif w[..., :3].nbytes * len(self.plan) <= RAW_BYTES:
            frame, colour = np.array(w[..., :3], dtype=np.float64), self.colour   # a copy; coloured when read
        else:
            try:                                 # a big map: colour now (its epochs dwarf the cost)
                frame, colour = self.colour(w), None
            except (SomdeskError, ValueError):
                return
        with self.owner.lock:
            if self._current():
                rec.offer(epoch, frame, keep, colour)


def _first_three(colour):
    """`colour` of the (H, W, 3) float64 array `np.array(w[..., :3])` makes of weights `w`
    (any layout): a kept snapshot is coloured as a copied frame is."""
    return lambda w: colour(np.array(w[..., :3], dtype=np.float64))


def frame_colours(session):
    """weights -> (H, W, 3) uint8 frame of `session`'s map, as `somdesk train --timelapse`
    colours them (colour_nodes of the weights, gamut-fitted to sRGB when trained in another
    space), or None for a map that is not recorded (a table's)."""
    from somdesk.render.views import colour_nodes
    from somdesk.session.exports import map_space, shown_weights

    if session.kind not in ("colours", "image"):
        return None
    space = map_space(session)
    return lambda w: colour_nodes(shown_weights(np.asarray(w), space))


class TimelapseRecorder(QObject, _TaskSaving):
    """Keeps the frames of the current map's runs; exports them."""

    def __init__(self, window):
        super().__init__(window)
        self.win = window
        self.recorder = Recording()
        self.lock = threading.Lock()     # the run's thread offers frames, the GUI thread reads
        self.hexagonal = False
        self.dialog: TimelapseDialog | None = None
        self._generation = None
        window.actions["export_timelapse"].triggered.connect(lambda: self.export())
        window.session.events.map_changed.connect(self.on_map)

    def run_frames(self) -> RunFrames | None:
        """The `frames` of a run about to start (Session.train_task), None when not recorded."""
        s = self.win.session
        colour = frame_colours(s)
        if colour is None:
            return None
        from somdesk.session.runs import epoch_position, planned_epochs

        self._new_generation(s)
        self.hexagonal = s.config.topology == "hexagonal"
        rec = self.recorder
        with self.lock:
            if rec.plan is None:        # the recording's first run plans it to the map's last epoch
                its = rec.iterations
                first = its[0] if its else (epoch_position(s, s.map.iteration)[0] if s.map is not None else 0)
                rec.plan = planned_frames(first, planned_epochs(s), MAX_FRAMES)
            plan = rec.plan
        return RunFrames(self, s.generation, colour, plan)

    def _new_generation(self, s) -> bool:
        if s.generation == self._generation:
            return False
        with self.lock:
            self._generation = s.generation
            self.recorder.reset()
        return True

    def on_map(self, state, final: bool = False) -> None:
        """A map shown: another dataset or map starts a recording with it; a map that went back
        (Reset weights, new settings) ends the recording, colouring nothing (the next run takes
        its own frames)."""
        from somdesk.session.runs import epoch_position

        s = self.win.session
        if state is None:
            return
        if self._new_generation(s):
            if frame_view(s) is not None and state.iteration > 0:       # an opened map: its first frame
                self.hexagonal = state.hexagonal
                with self.lock:
                    self.recorder.offer(epoch_position(s, state.iteration)[0], frame_colours(s)(state.weights), True)
            return
        if self.win.runner.busy and self.win.runner.kind == "train":
            return                                 # the run feeds the recorder itself
        its = self.recorder.iterations
        if its and epoch_position(s, state.iteration)[0] < its[-1]:
            with self.lock:
                self.recorder.reset()

    def __len__(self) -> int:
        with self.lock:
            return len(self.recorder)

    def keep(self) -> Recording:
        """A copy of the recording as it is (Reset weights keeps it for its Undo)."""
        with self.lock:
            return self.recorder.copy()

    def bring_back(self, recording: Recording) -> None:
        """Make `recording` (from `keep`) the current map's again: Undo of Reset weights brings
        the trained map back and its time-lapse with it (tester11: it was lost).  Called after
        the map is shown, so the map's generation is already this recorder's and a run that
        continues the map adds to these frames."""
        with self.lock:
            self.recorder = recording.copy()

    # -- export ---------------------------------------------------------------------------
    def export(self) -> None:
        if len(self.recorder) == 0:
            return
        s = self.win.settings
        fps = s.get("timelapse/fps", 20) if s is not None else 20
        scale = s.get("timelapse/scale", 4) if s is not None else 4
        self.dialog = TimelapseDialog(self.win, self.recorder, self.hexagonal, fps, scale)
        self.dialog.accepted.connect(lambda: self.save(self.dialog.fps(), self.dialog.scale.value()))
        self.dialog.open()

    def save(self, fps: int, scale: int, path: str | None = None) -> bool:
        w = self.win
        if w.settings is not None:
            w.settings.set("timelapse/fps", int(fps))
            w.settings.set("timelapse/scale", int(scale))
        if path is None:
            path = dialogs.ask_save_path(w, "Export time-lapse", w.files.start_path("somdesk-timelapse.gif"),
                                         ANIMATION_FILTERS)
            if not path:
                return False
            w.files.remember_folder(path)
        return self._save_in_task(fps, scale, path)


class TimelapseDialog(QDialog):
    """Frame rate and size of the animation, with what it will be."""

    def __init__(self, parent, recorder: Recording, hexagonal: bool, fps: int, scale: int):
        super().__init__(parent)
        self.setWindowTitle("Export time-lapse")
        self.setObjectName("timelapse-dialog")
        self.recorder, self.hexagonal = recorder, hexagonal
        self.fps_combo = QComboBox()
        for f in FPS_CHOICES:
            self.fps_combo.addItem(f"{count_text(f, 'frame')} per second", f)
        self.fps_combo.setCurrentIndex(max(0, self.fps_combo.findData(fps)))
        self.scale = QSpinBox(minimum=1, maximum=32, suffix=" px per node")
        self.scale.setValue(scale)
        self.info = QLabel()
        self.info.setObjectName("timelapse-info")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton("Save…", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Frame rate", self.fps_combo)
        form.addRow("Size", self.scale)
        form.addRow("Animation", self.info)
        form.addRow(QLabel("GIF (.gif) or animated PNG (.png): chosen by the file name's extension."))
        form.addRow(buttons)
        self.fps_combo.currentIndexChanged.connect(self._update)
        self.scale.valueChanged.connect(self._update)
        self._update()

    def fps(self) -> int:
        return int(self.fps_combo.currentData())

    def _update(self) -> None:
        its = self.recorder.iterations
        h, w = self.recorder.frame_shape()
        pw, ph = render.picture_size(h, w, self.hexagonal, self.scale.value())
        from somdesk.io.timelapse import frame_durations

        seconds = sum(frame_durations(len(its), self.fps(), 1.0, its)) / 1000   # timed by epoch; last held 1 s
        self.info.setText(f"{count_text(len(its), 'frame')}, epochs {its[0]:,} to {its[-1]:,}; "
                          f"{seconds:.1f} s; {pw} x {ph} px")
