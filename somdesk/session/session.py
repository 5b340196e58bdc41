"""The Qt-free workspace: one dataset, its config, its SOM, the map shown, the run, the file.

    s = Session()
    s.open("colours.gpl")                   # palettes, pictures, tables and .somz by content
    s.set_config(s.config.replace(width=20, height=15, iterations=200))
    for p in s.train_task(cancel=token):    # a generator: any thread may drive it
        ...                                 # p.iteration, p.map (when a snapshot was asked for)
    s.cluster(5)
    s.save("colours.somz")

    s.open("customers.csv")                 # a table: s.kind == "table", held by s.table
    s.table.set_spec(s.table.spec.replace(height=6, width=8))   # session.table_data.TableMapSpec
    s.train()                               # the table map (session.table_workspace)
    s.set_label_column("segment")           # node labels update, no retraining
    s.save("customers.somz")                # a table map, as `somdesk assign` reads it

Everything a user can do is a method here; the window only calls them and
listens to `s.events` (events.SessionEvents).  Colours and pictures are `dataset`
(trained by the generic SOM path below); a table and its map live in `s.table`
(session.table_workspace.TableWorkspace, with events of its own): the session holds
one or the other, never both, and the generic verbs (open, train, stop, save,
exports, set_label_column, cluster) dispatch to it when `kind == "table"`.  Long work is a generator method
named `*_task` taking `cancel=` (core.cancel.CancelToken); each has a plain
method that runs it to the end (`open`, `train`, `cluster`, `quantise`).

Threads.  A task may run on a worker thread.  While it runs it touches only the
SOM (owned by the run) and builds immutable results; every change to the
session's fields goes through `post(fn)`, given at construction: the GUI
passes a function that queues `fn` onto its main thread, the default runs it
at once.  Results of a task started before the dataset changed are dropped
(`generation`), so an old run never paints over a new file.
"""
from __future__ import annotations

import os
from dataclasses import replace

import numpy as np

from somdesk.core.options import SOMConfig
from somdesk.core.som import SOM
from somdesk.errors import SomdeskError
from somdesk.session.datasets import ColourData, ImageData, QuantiserSettings
from somdesk.session import analysis, exports, runs, undo
from somdesk.session.events import SessionEvents
from somdesk.session.mapstate import MapState, map_state
from somdesk.session.progress import ClusterResult, Progress, QuantisedPicture, RunOutcome, run_to_end
from somdesk.session.table_workspace import TableWorkspace

RUN_STATES = ("idle", "running", "paused", "finished")
DEFAULT_COLOURS = 20
IMAGE_CONFIG = SOMConfig(width=8, height=8, iterations=20, mode="batch", init="pca")


class Session:
    """One workspace (see module docstring)."""

    def __init__(self, post=None):
        self.events = SessionEvents()
        self._post = post if post is not None else (lambda fn: fn())
        self.dataset = None
        self.config = SOMConfig()
        self.som: SOM | None = None
        self.map: MapState | None = None
        self.run_state = "idle"
        self.clusters: ClusterResult | None = None
        self.quantised: QuantisedPicture | None = None
        self.measures: tuple = ()
        self._path: str | None = None       # the dataset's .somz (a table's: self.table.map_path)
        self._dirty = False
        # The work shown is a version (an object; undo.InitialVersion for the initial weights of a
        # dataset and config): every change makes a new one, Undo / Redo bring an old one back,
        # and `_on_disk` says which version each file written or read in this session holds.
        # The map is dirty when its version is not its file's: after Reset, Save, Undo the
        # trained map is unsaved again (a stored dirty flag said "saved" while the file held
        # the reset map).
        self._version = object()
        self._on_disk: dict[str, object] = {}
        self.generation = 0
        # (dataset, config, MapState) of the initial weights last shown: Reset weights shows it
        # again instead of building the SOM anew (reset_weights)
        self._initial_map = None
        # seeds nobody chose: drawn for a map (ensure_som) or read with a saved map; `seed_drawn`
        self._drawn_seeds: set[int] = set()
        self.image_phase = "ordering"   # image maps: training.PHASES
        self.recovery_round = 0
        self._running = False
        self.history = undo.History()
        self._cancel = None        # the CancelToken of the task running now (stop())
        self.pace: float | None = None   # epochs per second while training; None = full speed
        # a table and its map: the session's post, looked up late (the window replaces _post)
        self.table = TableWorkspace(post=lambda fn: self._post(fn))
        # a table's saved state is the session's too: the same events as a dataset's
        self.table.events.dirty_changed.connect(lambda v: self._table_state("dirty_changed", v))
        self.table.events.path_changed.connect(lambda v: self._table_state("path_changed", v))

    def _table_state(self, event: str, value) -> None:
        if self.kind == "table":
            getattr(self.events, event).emit(value)

    @property
    def path(self) -> str | None:
        """The file the work was saved to or opened from (.somz): the dataset's map, or while a
        table is open (kind "table") its table map's (`table.map_path`); None if never saved."""
        return self.table.map_path if self.kind == "table" else self._path

    @path.setter
    def path(self, value) -> None:
        self._path = value

    @property
    def dirty(self) -> bool:
        """Changed since saved or opened: the dataset's map, or while a table is open its table
        map (`table.dirty`: trained, re-clustered or relabelled since)."""
        return self.table.dirty if self.kind == "table" else self._dirty

    @dirty.setter
    def dirty(self, value: bool) -> None:
        self._dirty = value

    # -- small setters that emit ----------------------------------------------------------
    def _set(self, name: str, value, event: str | None = None) -> None:
        setattr(self, name, value)
        getattr(self.events, event or f"{name}_changed").emit(value)

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self._dirty:
            self._set("dirty", dirty)

    def _changed(self, version: object | None = None) -> None:
        """The work shown changed (trained, reset, re-clustered): it is `version` now (one
        seen before, from Undo / Redo) or a new one, and dirty unless that is its file's."""
        self._version = version if version is not None else object()
        self._set_dirty(self._path is None or self._on_disk.get(str(self._path)) != self._version)

    def _set_run_state(self, state: str) -> None:
        if state != self.run_state:
            self._set("run_state", state)

    def _derived_run_state(self) -> str:
        if self._running:
            return "running"
        if self.som is None or (self.som.iteration == 0 and self.image_phase == "ordering"):
            return "idle"
        return "finished" if self.done else "paused"

    @property
    def done(self) -> bool:
        """Has the map finished training (every phase of an image map)?"""
        if self.som is None:
            return False
        if self.kind == "image":
            return self.image_phase == "done"
        return self.som.done

    @property
    def kind(self) -> str | None:
        """"colours", "image", "table" or None before anything is opened."""
        if self.dataset is not None:
            return self.dataset.kind
        return "table" if self.table.holds_data else None

    @property
    def unsaved(self) -> bool:
        """Is there work a close or another file would lose: trained, unsaved epochs of the
        dataset's map (shown, or kept only in the undo history after a Reset weights, which
        asks nothing), or a table map not saved since it was trained or changed?

        Only while the map shown is not its file's (`dirty`): once saved, the title's mark
        and a close follow the file, as Save can clear them (after Reset, Undo, Redo, Save
        the mark stayed for the training in Undo, which no Save could write)."""
        if self.kind == "table":
            return self.table.unsaved
        return bool(self.dirty and (self.would_discard_training or self.training_only_in_undo))

    @property
    def training_only_in_undo(self) -> bool:
        """Do trained epochs in no file live only in the undo history (Reset weights over an
        unsaved run)?  Save writes the map shown, so it cannot keep them: Undo Reset weights,
        then Save.  A close prompt must say so, not offer a Save that loses them."""
        if self.kind == "table":
            return False
        return self.history.holds_unsaved_training(self._on_disk.values())

    @property
    def running(self) -> bool:
        return self._running

    def _require(self, kind: str | None = None):
        if kind == "table" or (kind is None and self.kind == "table"):
            if self.kind != "table":
                raise SomdeskError(f"this needs a table; the workspace holds {self.kind or 'nothing'}")
            return self.table
        if self.dataset is None:
            raise SomdeskError("open a palette, a picture, a table or a saved map first")
        if kind is not None and self.kind != kind:
            raise SomdeskError(f"this needs a {kind} dataset; the workspace holds {self.kind}")
        return self.dataset

    def _require_idle(self, what: str) -> None:
        if self._running:
            raise SomdeskError(f"stop the training before you {what}")

    # -- datasets ---------------------------------------------------------------------------
    def install(self, dataset, config: SOMConfig | None = None, *, som: SOM | None = None,
                path: str | None = None, dirty: bool = True, clusters: ClusterResult | None = None,
                image_phase: str = "ordering", recovery_round: int = 0, keep_history: bool = False,
                shown=None) -> None:
        """Make `dataset` the workspace's data, dropping every trace of the previous one.

        The map, clusters, quantised picture, measures, undo history (unless
        `keep_history`) and file path all start afresh (or from `som`, `clusters`, `path` when a saved map is
        being restored).  `shown`: `som` already measured (mapstate.map_state, on the reading
        thread: the search is not made again here, on the window's).  Emits dataset, config, map,
        clusters, labels, path, dirty and run-state events in that order.
        """
        self._require_idle("open other data")
        self.table.close()               # one dataset at a time: a table goes with its map
        self.generation += 1
        self.dataset = dataset
        config = config if config is not None else self.config
        if som is not None and config.seed is not None:
            self._drawn_seeds.add(int(config.seed))    # a saved map's seed: not one the user typed here
        elif som is None and self._seed_drawn(config):
            # a fresh map draws its own seed: the last map's drawn seed is no setting to keep
            # (it turned "fixed" after File > Open and every later file reused it: testerW #5)
            config = config.replace(seed=None)
        self.config = config
        self.som, self.image_phase, self.recovery_round = som, image_phase, int(recovery_round)
        if not keep_history:
            self.history.clear()
            self._on_disk.clear()     # versions of earlier work: no step can bring them back
        self.clusters, self.quantised, self.measures = clusters, None, ()
        self.events.dataset_changed.emit(dataset)
        self.events.config_changed.emit(self.config)
        self._refresh_map(measure=som is not None and som.iteration > 0, shown=shown if som is not None else None)
        self.events.clusters_changed.emit(self.clusters)
        self.events.quantised_changed.emit(None)
        self.events.measures_changed.emit(())
        self.events.labels_changed.emit(self.label_column)
        self._set("path", path)
        self._version = undo.InitialVersion(self.dataset, self.config) if som is None else object()
        if path is not None and not dirty:
            self._on_disk[str(path)] = self._version      # opened from this file
        self.dirty = not dirty   # force the event
        self._set_dirty(dirty)
        self.run_state = None
        self._set_run_state(self._derived_run_state())

    def new_colours(self, colours=None, *, n: int = DEFAULT_COLOURS, names=(), title: str | None = None,
                    seed: int | None = None, source: str | None = None, space: str | None = None,
                    palette_name: str | None = None, keep_history: bool = False, path: str | None = None,
                    warnings=()) -> None:
        """Organise `colours` (N, 3) in [0, 1] -- (N, 4) with straight alpha -- or `n` random 8-bit colours (from `seed`),
        training in colour `space` (None: the current colour dataset's, else "srgb").
        `palette_name`: the palette's own name from its file (None: it has none).
        `keep_history`: an edit of the same document (a window's own undo step), whose undo
        history stays (a Reset weights before it still brings its training back).
        `path`: the map file the work stays with (an edit's: Save writes there), else none.
        `warnings`: what the palette reader said about the file (`dataset.warnings`)."""
        if colours is None:
            rng = np.random.default_rng(seed)
            colours = rng.integers(0, 256, size=(int(n), 3)) / 255.0
            title = title or "random colours"
        if space is None:
            space = self.dataset.space if self.kind == "colours" else "srgb"
        self.install(ColourData(colours, tuple(names), title or "colours", source, space, own_name=palette_name,
                                warnings=tuple(warnings)),
                     self.config if self.kind == "colours" else SOMConfig(), keep_history=keep_history, path=path)

    def set_colour_space(self, space: str) -> None:
        """Train the colours in `space` (core.colour_space.SPACES) from now on: a fresh map
        (ask first: `would_discard_training`); the undo history is kept."""
        from dataclasses import replace

        d = self._require("colours")
        if space == d.space:
            return
        self.install(replace(d, space=space), self.config, keep_history=True)

    def new_image(self, pixels, *, title: str = "picture", source: str | None = None,
                  settings: QuantiserSettings | None = None, sample_seed: int = 0) -> None:
        """Quantise the picture `pixels` (H, W, 3) RGB or (H, W, 4) RGBA uint8: its sampled
        visible pixels become the data (fully transparent pixels never train the map)."""
        from somdesk.core.quantize import sample_pixels

        settings = settings or QuantiserSettings()
        sample = sample_pixels(pixels, settings.sample, sample_seed)
        self.install_image(ImageData(pixels, sample, settings, sample_seed, title, source))

    def install_image(self, data: ImageData) -> None:
        """Make the picture `data` (an ImageData, made on any thread: the window's open task
        builds it on the reading thread) the workspace's, with a fresh palette map."""
        self.install(data, IMAGE_CONFIG)

    def new_table(self, table, *, source: str | None = None, options=None) -> None:
        """Segment the rows of `table` (io.tables Table, read from `source` with `options`):
        the colours or picture go, `self.table` holds the table (no map yet; its spec is
        every numeric column, the default label column)."""
        self._require_idle("open other data")
        if self.dataset is not None:
            self.install(None, dirty=False)
        self.table.set_table(table, source, options)

    def install_table_map(self, loaded: dict) -> None:
        """Show a saved table map read by session.table_workspace.read_map_steps (on this
        session's thread): the colours or picture go, `self.table` holds the map and its rows."""
        self._require_idle("open other data")
        if self.dataset is not None:
            self.install(None, dirty=False)
        self.table.install_map(loaded)

    def open(self, path, kind: str | None = None) -> str:
        """Open `path` (palette, picture, table or .somz, told apart by content); returns the kind opened."""
        return run_to_end(self.open_task(path, kind))

    def open_task(self, path, kind: str | None = None, cancel=None):
        """Generator: read `path` on the calling thread (yields Progress), then install it;
        returns what the file was: "palette", "image", "table" or "map" (a saved .somz).
        FileFormatError for anything unreadable; Cancelled when stopped while reading."""
        return (yield from self._tracked(cancel, lambda token: self._open_steps(path, kind, token)))

    def _open_steps(self, path, kind, cancel):
        from somdesk.core.cancel import check
        from somdesk.session import opening

        self._require_idle("open another file")
        found = kind or opening.sniff_kind(path)
        yield Progress("open", 0, 1, "files", found)
        loaded = opening.read(path, found, cancel)
        check(cancel)
        yield Progress("open", 1, 1, "files", found)
        self._post(lambda: loaded.install_into(self))
        return found

    # -- table labels (the table's columns and preparation: self.table.set_spec) -------------------
    @property
    def label_column(self) -> str | None:
        return self.table.label_column if self.kind == "table" else None

    def set_label_column(self, column: str | None) -> None:
        """Name a table's rows by `column` (None: no labels).  A trained map keeps its training:
        only the node labels change (`table.events.labels_changed`)."""
        self._require("table")
        self.table.set_label_column(column)

    # -- config and weights ----------------------------------------------------------------
    @property
    def seed_drawn(self) -> bool:
        """Is the config's seed one nobody chose: drawn for the map (the config said random)
        or read with a saved map?  A window shows "random" for it, and the next fresh map
        draws again; a typed seed (`set_config`) stays fixed."""
        return self._seed_drawn(self.config)

    def _seed_drawn(self, config: SOMConfig) -> bool:
        return config.seed is not None and int(config.seed) in self._drawn_seeds

    @property
    def would_discard_training(self) -> bool:
        """Would changing the config or resetting throw away epochs of training?"""
        return self.som is not None and (self.som.iteration > 0 or self.image_phase != "ordering")

    def set_config(self, config: SOMConfig) -> None:
        """Use `config` from now on; a different config starts a fresh map (ask first:
        see `would_discard_training`)."""
        if not isinstance(config, SOMConfig):
            raise SomdeskError("set_config needs a SOMConfig")
        if config == self.config:
            if self._seed_drawn(config):
                # the user typed the seed the map drew (to repeat the run): now theirs, kept
                # across files; the map stays (retest #1: it was dropped at the next File > Open)
                self._drawn_seeds.discard(int(config.seed))
                self._set("config", config)
            return
        self._require_idle("change the settings")
        self._set("config", config)
        if self.dataset is not None:
            self._discard_map()

    def update_config(self, **changes) -> None:
        """`set_config(config.replace(**changes))`: OptionError names a bad value."""
        self.set_config(self.config.replace(**changes))

    def _discard_map(self, shown: MapState | None = None) -> None:
        self.som, self.image_phase, self.recovery_round = None, "ordering", 0
        self.clusters, self.quantised, self.measures = None, None, ()
        if shown is not None:
            self._set("map", shown)
        else:
            self._refresh_map(measure=False)
        self.events.clusters_changed.emit(None)
        self.events.quantised_changed.emit(None)
        self.events.measures_changed.emit(())
        self._changed(undo.InitialVersion(self.dataset, self.config))   # every Reset of them: one version
        self._set_run_state(self._derived_run_state())

    def ensure_som(self) -> SOM:
        """The SOM being trained, made from the dataset and config if there is none (colours and
        pictures; a table's map is `table.tm`)."""
        if self.kind == "table":
            raise SomdeskError("a table's map is the table workspace's (Session.table.tm), not a SOM of the session")
        data = self._require()
        if self.som is None:
            self.som = SOM(data.data, self.config)
            if self.config.seed is None:   # remember the drawn seed so the run can be repeated
                self.config = self.config.replace(seed=self.som.seed)
                self.som.config = self.config
                self._drawn_seeds.add(int(self.som.seed))
        return self.som

    def reset_weights(self) -> None:
        """Back to the initial weights of the seed (undoable: `undo`)."""
        if self.kind == "table":
            raise SomdeskError("a table map has no weights to reset: it trains afresh each time (train)")
        self._require()
        self._require_idle("reset the weights")
        self.history.record(undo.capture(self, "Reset weights"))
        self.som = None
        kept = self._initial_map
        if kept is not None and kept[0] is self.dataset and kept[1] == self.config:
            # the map of the initial weights, kept from when it was first shown: a new SOM of a
            # 1000 x 1000 map cost the GUI thread 270-720 ms (tester7 #8); the SOM itself is made
            # when training starts (runs.train_task: ensure_som, on the training thread)
            self._discard_map(shown=replace(kept[2], generation=self.generation))
        else:
            self._discard_map()

    def set_colours(self, colours, names=()) -> None:
        """The palette was edited (swatches added, removed, changed): new inputs, a fresh map
        (undoable: `undo` brings back the old inputs and their trained map)."""
        data = self._require("colours")
        self._require_idle("edit the colours")
        self.history.record(undo.capture(self, "Edit colours"))
        self.install(ColourData(colours, tuple(names), data.title, data.source, data.space, own_name=data.own_name),
                     self.config, path=self.path,
                     keep_history=True)

    # undo / redo (session.undo): palette edits and Reset weights
    can_undo = property(lambda self: self.history.can_undo(self), doc="Is there a step to undo now?")
    can_redo = property(lambda self: self.history.can_redo(self), doc="Is there a step to redo now?")
    undo_text = property(lambda self: self.history.undo_text, doc='What Undo would undo ("Edit colours"), or "".')
    redo_text = property(lambda self: self.history.redo_text, doc='What Redo would redo, or "".')
    can_undo_reset = property(lambda self: self.history.can_undo(self, "Reset weights"),
                              doc="Is the last step a Reset weights? (for a window with its own undo stack)")

    def undo(self) -> None:
        """Undo the last palette edit or Reset weights."""
        self.history.step_back(self)

    def redo(self) -> None:
        """Redo what `undo` undid."""
        self.history.step_forward(self)

    def undo_reset_weights(self) -> None:
        """Undo the last Reset weights (SomdeskError when the last step was something else)."""
        self.undo_step("Reset weights")

    def record_step(self, label: str) -> bool:
        """Record the workspace as it is before an undoable step the caller makes next (a
        window's palette edit, which then installs its colours with `keep_history=True`):
        `undo_step(label)` brings it back, its trained map included, and until then that
        training counts as unsaved (`training_only_in_undo`).  Returns whether the recorded
        map held trained epochs.  SomdeskError while training."""
        self._require()
        self._require_idle("edit the workspace")
        state = undo.capture(self, label)
        self.history.record(state)
        return state.trained

    def can_undo_step(self, label: str) -> bool:
        """Is the last recorded step a `label` step (for a window with its own undo stack)?"""
        return self.history.can_undo(self, label)

    def undo_step(self, label: str) -> None:
        """Undo the last step, which must be a `label` one (SomdeskError otherwise)."""
        self.history.step_back(self, label)

    @property
    def undo_training_step(self) -> str | None:
        """The label of the newest step that took unsaved training off the map ("Reset weights",
        a palette edit's), or None when no training lives only in Undo."""
        if self.kind == "table":
            return None
        return self.history.unsaved_training_label(self._on_disk.values())

    def _refresh_map(self, measure: bool = True, shown=None) -> None:
        if self.dataset is None:
            self._set("map", None)
            return
        som = self.ensure_som()
        if shown is not None and measure and self._labels() is None:
            state = replace(shown, generation=self.generation)      # measured by the reading thread
        else:
            state = map_state(som, measure_it=measure, labels=self._labels(), generation=self.generation)
        self._set("map", state)
        if som.iteration == 0 and self.image_phase == "ordering" and not state.measured:
            self._initial_map = (self.dataset, self.config, state)     # what Reset weights shows

    def _labels(self):
        return None          # node labels of colour and picture maps: none (tables: self.table)

    def show(self, state: MapState) -> None:
        """Show `state` (a snapshot a driver took from a running task); stale snapshots
        (from an earlier dataset) are ignored."""
        if state is not None and state.generation == self.generation:
            self._set("map", state)

    # -- training -------------------------------------------------------------------------
    def set_pace(self, epochs_per_second: float | None) -> None:
        """Train at most this many epochs per second (None: as fast as possible); a running
        task takes the new pace from its next epoch."""
        if epochs_per_second is not None and not float(epochs_per_second) > 0:
            raise SomdeskError(f"the pace must be a positive number of epochs per second, got {epochs_per_second!r}")
        self.pace = None if epochs_per_second is None else float(epochs_per_second)

    def set_paused(self, paused: bool) -> None:
        """The driver paused (stopped pulling) or resumed the running task."""
        if self._running:
            self._set_run_state("paused" if paused else "running")

    def train(self, cancel=None, progress=None):
        """Train to the end (or until `cancel`); see `train_task`.  A RunOutcome, or for a
        table the TableMap."""
        out = run_to_end(self.train_task(cancel, progress=progress))
        return out["tm"] if self.kind == "table" and isinstance(out, dict) else out

    def train_task(self, cancel=None, snapshot_when=None, chunk=None, progress=None, frames=None):
        """Generator: train epoch by epoch from where the map is; yields TrainProgress,
        returns RunOutcome (session.runs.train_task has the details).

        `snapshot_when(iteration) -> bool` asks for a MapState in the progress
        (the driver throttles, e.g. by time); the last epoch always has one.
        `chunk(iteration) -> int` lets one yield cover several epochs (see runs.train_task);
        `frames` takes the time-lapse's frames from the run itself (runs.train_task).
        `cancel` stops inside the epoch (or between epochs): the SOM stays
        exactly resumable and the task returns with `stopped=True`.  Closing the
        generator early stops it the same way.  A finished map returns at once.

        A table trains its map under `table.spec` (TableWorkspace.train_task: the result
        dict; `progress(Progress)` hears each epoch).  A stop keeps the epochs trained
        (`table.stopped`), which train on from there -- also after save and reopen -- to
        the uninterrupted run's map; a stop before the first epoch raises Cancelled.
        """
        if self.kind == "table":
            ws = self.table
            return (yield from self._tracked(cancel, lambda token: ws.train_task(ws.spec, token, progress)))
        return (yield from self._tracked(cancel, lambda token: runs.train_task(self, token, snapshot_when, chunk, frames)))

    def _tracked(self, cancel, make):
        """Run the task `make(token)` with `cancel` (or a new token) as the one `stop()` reaches."""
        from somdesk.core.cancel import CancelToken

        token = cancel if cancel is not None else CancelToken()
        self._cancel = token
        try:
            return (yield from make(token))
        finally:
            if self._cancel is token:
                self._cancel = None

    def stop(self) -> None:
        """Ask the running task to stop (inside the current epoch where the core allows);
        it ends soon after with the map resumable.  Nothing happens when nothing runs."""
        if self._cancel is not None:
            self._cancel.cancel()

    def step(self) -> MapState:
        """One epoch (the Step button); returns the new map."""
        task = self.train_task(snapshot_when=lambda _it: True)
        try:
            next(task, None)
        finally:
            task.close()
        return self.map

    # -- clusters, quantisation, files, exports (in their own modules) -------------------------
    def cluster_task(self, k: int, method: str = "ward", cancel=None):
        """Generator: cluster the map's nodes into `k` segments (core.clustering); returns ClusterResult
        (a table: its segments again, TableWorkspace.recluster_task, the result dict)."""
        if self.kind == "table":
            return (yield from self._tracked(cancel, lambda token: self.table.recluster_task(k, token)))
        return (yield from self._tracked(cancel, lambda token: analysis.cluster_task(self, k, method, token)))

    def cluster(self, k: int, method: str = "ward") -> ClusterResult:
        out = run_to_end(self.cluster_task(k, method))
        return out["tm"] if self.kind == "table" and isinstance(out, dict) else out

    def clear_clusters(self) -> None:
        if self.clusters is not None:
            self._set("clusters", None)
            self._changed()

    def quantise_task(self, cancel=None, dither: bool = False):
        """Generator: every pixel of the full picture to its nearest map colour (`dither`:
        with Floyd-Steinberg error diffusion, as `somdesk quantize --dither`), in ~1 Mpx
        slices (yields Progress of rows); returns QuantisedPicture."""
        return (yield from self._tracked(cancel, lambda token: analysis.quantise_task(self, token, dither)))

    def quantise(self, dither: bool = False) -> QuantisedPicture:
        return run_to_end(self.quantise_task(dither=dither))

    def save(self, path) -> None:
        """Write the whole workspace to `path` (.somz, atomically); the session is then clean.
        A table writes its map (session.scoring.save_table_map, what `somdesk assign` reads)."""
        run_to_end(self.save_steps(path)())

    def save_steps(self, path):
        """Check `path` and take the work shown NOW -- SomdeskError for no data, a running
        training, a device or pipe, a name that is not .somz -- and return `steps(cancel=None)`:
        the generator that writes it (see `save`) and returns `path`, yielding Progress("save", ...), with
        `cancel` checked between the file's pieces (Cancelled: the old file as it was).  The
        session is marked saved (path, clean) only once the file is complete, posted to the
        caller's thread (`post`), and clean only if the work is still the version taken.  The
        window runs `steps` as a task: a big picture's map took 1.1 s of CPU to write."""
        from somdesk.io.atomic import check_document_target
        from somdesk.io.names import require_suffix
        from somdesk.session.workspace_file import save_workspace_steps

        self._require()
        self._require_idle("save")
        check_document_target(path)      # a device or a pipe would lose the map yet mark it saved
        require_suffix(path, (".somz",), "a map is saved as .somz")
        if self.kind == "table":
            return self.table.save_map_steps(path)
        write = save_workspace_steps(self, path)
        version, dataset, path = self._version, self.dataset, os.fspath(path)

        def steps(cancel=None):
            yield from write(cancel)
            self._post(lambda: self._saved(path, version, dataset))
            return path
        return steps

    def _saved(self, path: str, version, dataset) -> None:
        """`version` of `dataset` is in `path` now (save_steps): the session's file, and clean
        if that is still the work shown.  Another dataset opened meanwhile is not this file's."""
        if self.dataset is not dataset:
            return
        self._set("path", path)
        self._on_disk[path] = version      # the file holds exactly that version of the work
        self._set_dirty(self._on_disk.get(path) != self._version)

    # -- exports (session.exports): the screen's pixels, written out --------------------------
    def views(self) -> tuple[str, ...]:
        """The views that apply now: colours, strip, umatrix, hits, component, labels, clusters, quantised
        (a table map: clusters, umatrix, hits, labels, component)."""
        if self.kind == "table":
            return self.table.window_views()
        return exports.available_views(self)

    def view_picture(self, view: str, scale: int = 4, markers: bool = False, component: int = 0,
                     legend: bool = False):
        """((H, W, 3) uint8, render.Legend | None): the picture the screen and every export show
        (with its colour bar below when `legend`).  A table map: the Segments dock's picture
        (its legend drawn in when `legend`, so the Legend is None)."""
        if self.kind == "table":
            ws = self.table
            return ws.view_picture(ws.view_name(view, component), scale, legend), None
        return exports.view_picture(self, view, scale, markers, component, legend)

    def export_view(self, path, view: str, scale: int = 4, markers: bool = False, component: int = 0,
                    legend: bool = False) -> None:
        if self.kind == "table":
            from somdesk.io.images import save_png

            save_png(self.view_picture(view, scale, markers, component, legend)[0], path)
            return
        exports.export_view(self, path, view, scale, markers, component, legend)

    def export_assignments(self, path) -> int:
        """Every row's BMU and segment as CSV; returns the row count (tables)."""
        return self._require("table").export_assignments(path)

    def export_quantised(self, path) -> int:
        return exports.export_quantised(self, path)

    def export_palette(self, path, n: int | None = None) -> int:
        return exports.export_palette(self, path, n)

    def export_palette_writer(self, path, n: int | None = None):
        """`export_palette` taken now, written by the returned `write()` (session.exports)."""
        return exports.export_palette_writer(self, path, n)
