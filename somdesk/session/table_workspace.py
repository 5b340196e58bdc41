"""A table and its map, no Qt: the state of the window's Segments dock, as a model.

    ws = session.table                         # or TableWorkspace() on its own
    ws.set_table(read_table("customers.csv"), "customers.csv")
    ws.train(TableMapSpec(height=6, width=8, epochs=20))      # or drive ws.train_task(spec, cancel=token)
    rows = ws.select_nodes([0, 1, 7])          # (R,) indices of the rows in memory on those nodes
    ws.select_segment(2); ws.set_label_column("species"); ws.recluster(4)
    ws.save_map("customers.somz")              # session.scoring.save_table_map: what `somdesk assign` reads
    n, warnings = ws.score_file("next.csv", "scores.csv")

State: the table (io.tables Table, rows in memory; None for a saved map whose source is
gone), its path and read options, the TableMap (session.table_data), the rows'
assignments (assign_cells: BMU row/col, segment, distance, outlier), the segment
profiles, `node_of_row` (flat node of each row in memory, or of each training row the
map keeps when there is no table), the selected nodes and the rows they hold, the
label column shown, the map's file (`map_path`) and whether it is saved (`dirty`).
Every change emits one of `events` (TableEvents, psygnal) with the new value.

Long steps are generators (`*_task`, taking `cancel=` and a plain `progress=` callback
for progress from inside a blocking call, see session.table_tasks); each has a
blocking twin.  A task only computes; its result is installed through `post(fn)`
(the session's: the GUI thread in the window, at once in scripts), and a result of a
task started before the table changed is dropped (`generation`).
"""
from __future__ import annotations

import os

import numpy as np
from psygnal import Signal, SignalGroup

from somdesk.core.options import count_text
from somdesk.errors import OptionError, SomdeskError
from somdesk.session import table_tasks
from somdesk.session.progress import run_to_end
from somdesk.session.table_tasks import format_cell, write_rows_csv
from somdesk.session.table_views import TableViewsMixin

__all__ = ["TableWorkspace", "TableEvents", "run_to_end", "read_map_steps", "spec_of", "format_cell",
           "write_rows_csv"]


class TableEvents(SignalGroup):
    table_changed = Signal(object)       # the Table (or None: closed, or a saved map alone)
    map_changed = Signal(object)         # TableMap | None (trained, re-clustered, opened, cleared)
    selection_changed = Signal(object)   # (R,) int64 rows in memory on the selected nodes
    labels_changed = Signal(object)      # the label column shown (str) or None
    dirty_changed = Signal(bool)         # a map not saved since it was trained or changed?
    path_changed = Signal(object)        # the map's .somz (str) or None



class TableWorkspace(TableViewsMixin):
    """See module docstring."""

    def __init__(self, post=None):
        self.events = TableEvents()
        self._post = post if post is not None else (lambda fn: fn())
        self.generation = 0
        self._clear()

    def _clear(self) -> None:
        self.table = None
        self.path: str | None = None        # the table's file
        self.read_options = None            # io.tables ReadOptions it was read with (out of core re-reads)
        self.tm = None
        self.assigned: dict | None = None
        self.profiles: dict | None = None
        self.top_items: dict | None = None    # {segment: [(item, mean, count, lift)]} (report.table_top_items)
        self.pictures: dict | None = None     # made by the map's task (session.table_pictures): shown_pictures()
        self._format_cache = (None, {})       # (table, {id(column): (column, format)}): its columns judged once
        # fn(tm) the window sets to warm its shape-only drawing caches (the map's outlines) on the
        # task's thread too; Qt-free numpy, called after the pictures (None: nothing)
        self.prepare_view = None
        self.node_of_row: np.ndarray | None = None
        self.out_of_core: dict | None = None  # {"rows", "sample_rows", "hits", "hits_of"} of an out-of-core map
        self.loaded = False                 # the map was opened from a file (not trained here)
        self.map_note = ""                  # why a reopened map shows without its rows
        self.warnings: list[str] = []       # the preparation's warnings of the map trained here
        self.selected = np.zeros(0, np.int64)
        self.selected_rows = np.zeros(0, np.int64)
        self.label_column: str | None = None
        self.spec = None                    # TableMapSpec the next training uses (set_spec)
        self.map_path: str | None = None
        self.dirty = False
        self.pending = None                 # table_tasks.StoppedRun: a stopped run not measured yet

    # -- what it holds ------------------------------------------------------------------------
    @property
    def holds_data(self) -> bool:
        """A table or a table map is open."""
        return self.table is not None or self.tm is not None

    @property
    def unsaved(self) -> bool:
        """A trained (or re-clustered, relabelled) map not saved since."""
        return self.tm is not None and self.dirty

    @property
    def stopped(self) -> bool:
        """Is the map a run stopped part way (`tm.epochs_done` of `tm.config.iterations` epochs)?"""
        return self.tm is not None and not self.tm.finished

    @property
    def all_hits(self):
        """(H*W,) hits of every row of an out-of-core map (None otherwise)."""
        return None if self.out_of_core is None else self.out_of_core["hits"]

    @property
    def title(self) -> str:
        return os.path.basename(self.map_path or self.path or "table")

    @property
    def stem(self) -> str:
        return os.path.splitext(os.path.basename(self.path or "table"))[0]

    def _require_map(self):
        if self.tm is None:
            raise SomdeskError("train the table map first (or open a saved one)")
        return self.tm

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self.dirty:
            self.dirty = dirty
            self.events.dirty_changed.emit(dirty)

    def _set_path(self, path) -> None:
        path = None if path is None else os.fspath(path)
        if path != self.map_path:
            self.map_path = path
            self.events.path_changed.emit(path)

    # -- the table ------------------------------------------------------------------------------
    def set_table(self, table, path=None, options=None) -> None:
        """Make `table` (io.tables Table; None for a map without its rows) the workspace's table:
        every trace of the previous table and map goes (its file is closed)."""
        if self.table is not None and self.table is not table:
            self.table.close()
        had_map, had_sel, was_dirty, had_path = self.tm is not None, len(self.selected) > 0, self.dirty, self.map_path
        self.generation += 1
        self._clear()
        self.table, self.read_options = table, options
        self.path = os.fspath(path) if path is not None else getattr(table, "name", None)
        self.spec = _default_spec(table)
        self.label_column = self.spec.label if self.spec is not None else None
        self.events.table_changed.emit(table)
        if had_map:
            self.events.map_changed.emit(None)
        if had_sel:
            self.events.selection_changed.emit(self.selected_rows)
        self.events.labels_changed.emit(self.label_column)
        if was_dirty:
            self.events.dirty_changed.emit(False)
        if had_path is not None:
            self.events.path_changed.emit(None)

    def close(self) -> None:
        """Forget the table and its map (another kind of data was opened)."""
        if self.holds_data:
            self.set_table(None)
            self.path = None

    def set_spec(self, spec) -> None:
        """Train the next map under `spec` (session.table_data.TableMapSpec): columns, weights,
        passive and categorical columns, normalisation, missing values, label, size, epochs, seed, k."""
        from somdesk.session.table_data import TableMapSpec, resolve_label

        if not isinstance(spec, TableMapSpec):
            raise SomdeskError("set_spec needs a TableMapSpec")
        # a label not given is the default rule's, as in the window and the CLI (testerH #7);
        # label=None keeps "no label"
        spec = resolve_label(self.table, spec)
        self.spec = spec
        if self.tm is None and spec.label != self.label_column:
            self.label_column = spec.label
            self.events.labels_changed.emit(spec.label)

    # -- training, re-clustering, opening a saved map --------------------------------------------------
    def _install(self, result: dict, generation: int) -> None:
        if generation != self.generation:
            return                              # a late result for a table that is gone
        tm = result["tm"]
        old = self.tm
        self.pending = None                 # whatever is installed replaces a stopped run not measured
        self.tm, self.assigned, self.profiles = tm, result.get("assigned"), result.get("profiles")
        self.top_items = result.get("top_items")
        self.pictures = dict(result.get("pictures") or {}, row_formats=result.get("row_formats"))
        self.node_of_row = result["node_of_row"]
        self.out_of_core = result.get("out_of_core")
        self.loaded = bool(result.get("loaded", False))
        if "warnings" in result or self.loaded:     # a re-clustering keeps the training's warnings
            self.warnings = list(result.get("warnings", ()))
        label = self.label_column if result.get("keep_label") else tm.label_column
        # a map shown without its table keeps the label column it was saved with (saved again so)
        self.label_column = label if self.table is None or label in self.table.columns else None
        n = tm.codebook.shape[0] * tm.codebook.shape[1]
        if old is None or old.codebook.shape[:2] != tm.codebook.shape[:2]:
            self.selected = np.zeros(0, np.int64)
        self.selected = self.selected[self.selected < n]
        self.selected_rows = self._rows_of(self.selected)
        self.events.map_changed.emit(tm)
        self.events.labels_changed.emit(self.label_column)
        self.events.selection_changed.emit(self.selected_rows)
        self._set_dirty(not self.loaded)

    def _tracked(self, steps, generation=None):
        """Run `steps` and install its result dict (through post) for this table only."""
        gen = self.generation if generation is None else generation
        result = yield from steps
        if result is not None and "stopped_run" in result:
            self._post(lambda: self._hold(result["stopped_run"], gen))
        elif result is not None:
            if gen == self.generation:
                self._prepare_shown(result)
            self._post(lambda: self._install(result, gen))
        return result

    def _prepare_shown(self, result: dict) -> None:
        """On the task's thread: the map's pictures and the rows view's number formats, added to
        `result` ("pictures", "row_formats"), so the window only shows them (testerW #3: made on
        the GUI thread they held it for seconds).  A picture that cannot be made is left to the
        window, which says why as before."""
        from somdesk.session.table_pictures import map_pictures, number_formats

        try:
            pics = map_pictures(result["tm"], result.get("profiles"))
        except SomdeskError:
            pics = {}
        result["pictures"] = dict(pics, tm=result["tm"], profiles_of=result.get("profiles"))
        table = self.table
        cols = row_columns_of(table, result.get("assigned"))
        own = set(table.columns) if table is not None else set()
        cache = self._format_cache if self._format_cache[0] is table else (table, {})
        self._format_cache = cache
        formats = number_formats({k: v for k, v in cols.items() if k in own}, cache[1])
        formats.update(number_formats({k: v for k, v in cols.items() if k not in own}))
        result["row_formats"] = formats
        if self.prepare_view is not None:
            try:
                self.prepare_view(result["tm"])
            except (SomdeskError, ValueError):
                pass                          # the window draws (and says) it as before

    def _hold(self, run, generation: int) -> None:
        if generation == self.generation:
            self.pending = run

    def measure_task(self, run=None, cancel=None):
        """Generator: the map of a stopped run (`run`, a table_tasks.StoppedRun; None: the one held
        in `pending`) measured, segmented, its rows assigned and profiled, then installed as
        `train_task` installs a stopped map; returns the result dict.  Cancelled when stopped:
        the run stays in `pending`, and Train continues it (the window's Stop ends a table run at
        once and measures its epochs with this, a task of its own: tester7 #25)."""
        run = run if run is not None else self.pending
        if run is None:
            raise SomdeskError("there is no stopped run to measure")
        self.pending = run
        return (yield from self._tracked(run.steps(cancel)))

    def train_task(self, spec, cancel=None, progress=None, *, out_of_core: bool = False,
                   chunk_rows: int | None = None, defer_measuring: bool = False):
        """Generator: train a map of the table under `spec` (session.table_data.TableMapSpec), assign
        and profile the rows in memory; returns the result dict (session.table_tasks).

        A stop (`cancel`) after at least one epoch keeps the map of the epochs trained
        (`stopped`: `tm.epochs_done` < epochs; saved and reopened as such); training again with
        a spec of the same recipe and config continues it from that epoch, and the finished map
        equals an uninterrupted run's.  A stop before the first epoch raises Cancelled and
        the previous map stays.  With `out_of_core`, training streams every row of the table's
        file in chunks (session.outofcore_table; OptionError when the file is gone or a numeric
        column is forced categorical); a stop keeps and continues its epochs the same way.
        `defer_measuring`: a stop returns {"stopped_run": StoppedRun} at once, held in `pending`
        (not installed) for `measure_task`; Train continues a held run too."""
        self.check_trainable()
        resume = self.pending.tm if self.pending is not None else (self.tm if self.stopped else None)
        defer = defer_measuring
        if not out_of_core:
            return (yield from self._tracked(table_tasks.train_steps(self.table, spec, cancel, progress, resume,
                                                                     defer)))
        self.check_out_of_core(spec)
        where = getattr(self.read_options, "where", None)
        return (yield from self._tracked(table_tasks.outofcore_steps(self.path, spec, self.table, where, cancel,
                                                                     progress, chunk_rows, resume, defer)))

    def check_out_of_core(self, spec) -> None:
        """OptionError when `spec` cannot train out of core: a numeric column forced categorical
        (only text columns are one-hot encoded out of core), or the table's file is gone."""
        from somdesk.errors import OptionError
        from somdesk.io.names import display_name

        self.check_trainable()
        forced = [c for c in spec.categorical if c in self.table.columns and self.table.kind(c) == "numeric"]
        if forced:
            raise OptionError("Out of core, only text columns are one-hot encoded: untick Categorical "
                              f"for {', '.join(map(display_name, forced))} or train in memory.")
        why = self.out_of_core_unavailable()
        if why is not None:
            raise OptionError(why)

    def out_of_core_unavailable(self) -> str | None:
        """None when the table's file can be trained on out of core, else why not (one sentence):
        no table, the file is gone, or it is a spreadsheet (the out-of-core reader reads text
        tables and Parquet only: io.chunked_checks; tester6 F27, Train failed with the engine's
        "Error when sniffing file")."""
        from somdesk.io.chunked_checks import why_not_streamable

        if self.table is None:
            return "open a table first"
        if not self.path or not os.path.exists(self.path):
            return "out-of-core training reads the table's file again; it is not there any more"
        # the chunked training reads the file with the engine's own missing-value texts (the CLI
        # refuses --missing-values / --also-missing with --out-of-core): training out of core after
        # "Read 0 as missing" trained on the zeros as ratings without a word (testerI #1)
        words = missing_words(self.read_options)
        if words:
            return (f"the table was read with {words} as missing, which training out of core cannot do "
                    "(it reads the file again with the usual missing values); train in memory")
        return why_not_streamable(self.path)

    def untrainable_reason(self) -> str | None:
        """None when there is a table to train on, else one plain sentence without a final
        full stop: "open a table first", or for a reopened map whose table is not open
        "Training needs the table customers.csv: open it (File > Open)" (the window's
        disabled Train buttons say it in their tooltips, its orange note and Ctrl+T too)."""
        if self.table is not None:
            return None
        if self.tm is None:
            return "open a table first"
        name = os.path.basename(self.tm.source or self.tm.source_path or "") or "it was made from"
        return f"Training needs the table {name}: open it (File > Open)"

    def check_trainable(self) -> None:
        """SomdeskError saying why there is nothing to train on: no table, or a reopened map
        whose table is not open (tester6 F26: Train then did nothing with no word said)."""
        reason = self.untrainable_reason()
        if reason is None:
            return
        if self.tm is None:
            raise SomdeskError(reason)
        why = f" ({self.map_note})" if self.map_note else ""
        raise SomdeskError(f"{reason} and train again; this map shows without its rows{why}.")

    def train(self, spec, progress=None, **kw):
        """Train to the end (see `train_task`); returns the TableMap."""
        return run_to_end(self.train_task(spec, progress=progress, **kw))["tm"]

    def recluster_task(self, k: int | None, cancel=None):
        """Generator: the map's codebook clustered into `k` segments (None: the suggested k), no
        retraining; the rows are re-assigned and profiled.  Returns the result dict."""
        tm = self._require_map()
        return (yield from self._tracked(self._keep_label(table_tasks.recluster_steps(tm, self.table, k, cancel))))

    def recluster(self, k: int | None):
        return run_to_end(self.recluster_task(k))["tm"]

    def _keep_label(self, steps):
        result = yield from steps
        result["keep_label"] = True
        result["loaded"] = False
        return result

    def open_map_task(self, path, cancel=None):
        """Generator: read the saved table map `path` (.somz of kind "table-map", or the older
        "table"), read its source table again when that file is still where the map says (or
        next to it), and show the map with those rows (else alone: `map_note` says why).
        Returns the result dict.  FileFormatError for a damaged file."""
        loaded = yield from read_map_steps(path, cancel)
        self._post(lambda: self.install_map(loaded))
        return loaded["result"]

    def install_map(self, loaded: dict) -> None:
        """Show a map read by `read_map_steps` (on the session's thread): its table replaces ours."""
        t = loaded["table"]              # its file and read options: training again reads it the same way
        self.set_table(t, loaded["path"] if t is None else getattr(t, "path", t.name), getattr(t, "options", None))
        self.map_note = loaded["note"]
        self.spec = spec_of(loaded["result"]["tm"])    # training again repeats the saved map's recipe
        self._install(loaded["result"], self.generation)
        self._set_path(loaded["path"])

    def open_map(self, path):
        return run_to_end(self.open_map_task(path))["tm"]

    def locate_table_task(self, path, cancel=None):
        """Generator: a reopened map shown without its table (its table moved) gets its rows from
        the table file `path` the user found (table_source.located_table checks it is that table:
        its columns, and its saved size, hash and rows); the map itself is kept as it is, unsaved
        changes (a re-segmenting) and their unsaved mark too.  Returns the result dict.
        SomdeskError: no map, its table is open already, or `path` is not its table (one sentence)."""
        from somdesk.session.table_source import located_table

        tm = self._require_map()
        if self.table is not None:
            raise SomdeskError("the map's table is open already")
        gen, dirty, map_path = self.generation, self.dirty, self.map_path
        table = located_table(tm, path)
        try:
            result = yield from table_tasks.map_steps(tm, table, cancel)
        except BaseException:
            table.close()
            raise

        def install() -> None:
            if gen != self.generation or self.tm is not tm:      # another table or map since
                table.close()
                return
            self.install_map({"path": map_path, "table": table, "note": "", "result": result})
            self._set_dirty(dirty)
        self._post(install)
        return result

    # -- selection and labels ---------------------------------------------------------------------
    def _rows_of(self, nodes) -> np.ndarray:
        if self.node_of_row is None or self.assigned is None:
            return np.zeros(0, np.int64)
        return np.flatnonzero(np.isin(self.node_of_row, np.asarray(nodes, np.int64)))

    def select_nodes(self, nodes) -> np.ndarray:
        """Select the map's nodes `nodes` (flat indices row * W + col); returns the rows in
        memory whose BMU is one of them ((R,) int64, file order), also in `selected_rows`."""
        tm = self._require_map()
        nodes = np.unique(np.asarray(nodes, dtype=np.int64).reshape(-1))
        n = tm.codebook.shape[0] * tm.codebook.shape[1]
        if len(nodes) and (nodes.min() < 0 or nodes.max() >= n):
            raise SomdeskError(f"node numbers run from 0 to {n - 1}")
        self.selected, self.selected_rows = nodes, self._rows_of(nodes)
        self.events.selection_changed.emit(self.selected_rows)
        return self.selected_rows

    def segment_nodes(self, s: int) -> np.ndarray:
        """The flat nodes of segment `s` (0 to k - 1, as the window's "segment s" and the report
        number them).  OptionError for any other `s`, naming the valid range (testerH #6: a
        segment that does not exist gave no rows and no word)."""
        tm = self._require_map()
        k = tm.k
        if isinstance(s, (bool, np.bool_)) or not isinstance(s, (int, np.integer)) or not 0 <= int(s) < k:
            have = (f"the map has {count_text(k, 'segment')}, numbered 0 to {k - 1}" if k
                    else "the map has no segments")
            raise OptionError(f"there is no segment {s!r}: {have}")
        return np.flatnonzero(tm.clusters.reshape(-1) == int(s))

    def select_segment(self, s: int) -> np.ndarray:
        """Select every node of segment `s` (0 to k - 1); returns its rows (see `select_nodes`).
        OptionError for a segment that does not exist, naming the valid range."""
        return self.select_nodes(self.segment_nodes(s))

    def whole_segment(self) -> int | None:
        """The segment whose nodes are exactly the selection, else None."""
        if self.tm is None or not len(self.selected):
            return None
        seg = np.unique(self.tm.clusters.reshape(-1)[self.selected])
        return int(seg[0]) if len(seg) == 1 and np.array_equal(self.segment_nodes(seg[0]), self.selected) else None

    def node_of(self, row: int) -> int:
        """The flat node of row `row` of the rows in memory (-1: no BMU, or no rows)."""
        if self.node_of_row is None or self.assigned is None or not 0 <= row < len(self.node_of_row):
            return -1
        return int(self.node_of_row[row])

    def rows_of_node(self, node: int) -> np.ndarray:
        """The rows in memory on `node` (what a hovered row's node holds)."""
        return self._rows_of([int(node)])

    def describe_row(self, row: int) -> str:
        """"row 17: node (2, 3), segment 1" for row `row` of the rows in memory ("" without a BMU)."""
        node = self.node_of(row)
        if node < 0:
            return ""
        w = self.tm.config.width
        return (f"row {int(self.table.row_index[row])}: node ({node // w}, {node % w}), "
                f"segment {int(self.assigned['segment'][row])}")

    def _label_ok(self, column) -> bool:
        """Can `column` label the map's nodes now (a map with its rows in memory)?"""
        t = self.table
        return (column is not None and t is not None and column in t.columns and self.node_of_row is not None
                and self.assigned is not None and len(self.node_of_row) == t.n_rows)

    def set_label_column(self, column: str | None) -> None:
        """Name the nodes by `column` of the table (None: no labels).  The map keeps its
        training: only the node labels change (`labels_changed`); the map saves the new column."""
        from dataclasses import replace

        if not self.holds_data:
            raise SomdeskError("open a table first")
        if column is not None and (self.table is None or column not in self.table.columns):
            raise SomdeskError(f"the table has no column {column!r}" if self.table is not None else
                               "the map's table is not open, so there are no rows to label")
        if column == self.label_column:
            return
        self.label_column = column
        if self.spec is not None:
            self.spec = replace(self.spec, label=column)
        self._warn_numeric_label(column)
        self.events.labels_changed.emit(column)
        if self.tm is not None:
            # the label counts the map saves (session.table_labels) follow the column shown
            self.tm = replace(self.tm, label_column=column, label_counts=self._label_counts(column))
            self._set_dirty(True)

    def _warn_numeric_label(self, column) -> None:
        """The numeric-label warning of `column` (table_columns.numeric_label_warning) in place of the
        last label's, as training says it: a label picked again after training warned nowhere
        (label12b).  Counted over the rows in memory that have a BMU, as the label counts."""
        from somdesk.session.table_columns import NUMERIC_LABEL, numeric_label_warning

        self.warnings = [w for w in self.warnings if not w.startswith(NUMERIC_LABEL)]
        rows = self._labelled_rows(column) if column is not None else None
        note = None if rows is None else numeric_label_warning(
            column, rows[0], column in getattr(self.table, "numeric_columns", ()))
        if note:
            self.warnings.append(note)

    def _labelled_rows(self, column):
        """(labels (n,) object, nodes (n,) int flat BMU index, h, w) of the rows in memory whose
        labels count (table_labels.labelled_rows: the rows the map trains on, as the CLI counts),
        read with the table's --missing-values as at training; None: no map or no usable label
        column."""
        from somdesk.core.preparation import table_labels
        from somdesk.session.table_assign import placing_columns
        from somdesk.session.table_labels import labelled_rows

        if self.tm is None or not self._label_ok(column):
            return None
        h, w = self.tm.codebook.shape[:2]
        nodes = np.asarray(self.node_of_row)
        placing = max(1, len(placing_columns(self.tm.recipe)))
        share = np.asarray(self.assigned["present"], dtype=float) / placing
        ok = np.flatnonzero((nodes >= 0) & labelled_rows(self.tm.recipe.missing, share))
        return table_labels(self.table, column, ok), nodes[ok], h, w

    def _label_counts(self, column):
        """LabelCounts of `column` over the table's rows in memory (None: no column, no rows)."""
        from somdesk.session.table_labels import label_counts

        rows = self._labelled_rows(column)
        if rows is None:
            return None
        labels, nodes, h, w = rows
        return label_counts(labels, nodes, h, w, column)

    # -- files out ----------------------------------------------------------------------------------
    def save_map(self, path) -> None:
        """Write the map (.somz, atomically: session.scoring.save_table_map); the workspace is then
        clean.  SomdeskError on a bad path."""
        run_to_end(self.save_map_steps(path)())

    def save_map_steps(self, path):
        """Check `path` NOW -- SomdeskError for no map, a device or pipe, the table in use, a name
        that is not .somz -- and return `steps(cancel=None)`: the generator that writes the map
        shown now (session.scoring.save_table_map, atomic; `cancel` is checked between the
        file's pieces: a stop raises Cancelled and leaves the old file as it was), yields one
        Progress("save", 0, 0, "", "saving <name>") first and returns `path`.  The workspace
        is marked saved (map_path, clean) only after the file is complete, posted to the
        caller's thread, and only while that map is still the one shown.  The window runs
        `steps` as a task (a 400,000-row map held its GUI thread ~1 s)."""
        from somdesk.io.atomic import check_document_target
        from somdesk.io.names import display_basename, require_suffix
        from somdesk.session.progress import Progress
        from somdesk.session.scoring import save_table_map

        tm = self._require_map()
        check_document_target(path)      # a device or a pipe would lose the map yet mark it saved
        self._check_output(path, own_map=True)
        require_suffix(path, (".somz",), "a map is saved as .somz")
        path = os.fspath(path)

        def steps(cancel=None):
            yield Progress("save", 0, 0, "", f"saving {display_basename(path)}")
            save_table_map(tm, path, cancel=cancel)
            self._post(lambda: self._saved(tm, path))
            return path
        return steps

    def _saved(self, tm, path: str) -> None:
        """`tm` is in `path` now (save_map_steps): the workspace's file, clean -- unless another
        map replaced it while the file was written (that one is not saved)."""
        if self.tm is tm:
            self._set_path(path)
            self._set_dirty(False)

    def row_columns(self) -> dict:
        """{name: (N,) array} of the rows in memory: the file's row and segment, the file's
        columns, then where each row sits on the map (what the rows view and its export show).
        A file column named like one of the map's (row, segment, bmu_row, bmu_col, distance,
        outlier) keeps its name and its values; the map's is then called som_<name> (som_som_<name>
        if the file has that too): the file's data is never replaced (tester6 F31)."""
        return row_columns_of(self.table, self.assigned)

    def shown_pictures(self) -> dict:
        """What the task made for the map shown (session.table_pictures): "plane_cells" and
        "profiles" (the latter only while the profiles are the ones it was made of), and
        "row_formats"; {} when it made nothing for this map."""
        pics = self.pictures or {}
        if pics.get("tm") is not self.tm or self.tm is None:
            return {}
        out = {"plane_cells": pics.get("plane_cells"), "row_formats": pics.get("row_formats") or {}}
        if pics.get("profiles_of") is self.profiles and self.profiles is not None:
            out["profiles"] = pics.get("profiles")
        return out

        def own(key: str) -> str:
            while key in taken:
                key = f"som_{key}"
            return key


    def _check_output(self, path, *inputs, own_map: bool = False) -> None:
        """SomdeskError when writing `path` would replace the table being used, the saved map
        (unless `own_map`: saving the map again) or a file being read (tester3 F11: Score new
        data onto the data file replaced it)."""
        from somdesk.io.names import check_not_in_use

        check_not_in_use(path, (("the table in use", self.path), ("the saved map", None if own_map else self.map_path),
                                *(("the file being scored", i) for i in inputs)))

    def export_rows(self, path, rows=None) -> int:
        """Write `rows` (default: the selected rows) of the rows in memory with every column
        (`row_columns`) as CSV, atomically; returns the row count."""
        return run_to_end(self.export_rows_steps(path, rows)())

    def export_rows_steps(self, path, rows=None):
        """Check `path` and take the rows NOW -- SomdeskError for no map, the table in use, a
        name that is not .csv/.txt, a folder or a missing folder -- and return
        `steps(cancel=None)`: the generator that writes them (table_tasks.rows_csv_steps:
        Progress per block, Stop between blocks, returns the row count).  The window runs
        `steps` as a task (tester6 F28); the columns and rows are copied here, on the caller's
        thread, so the task never touches the table or the selection."""
        from somdesk.io.atomic import check_target
        from somdesk.io.names import require_suffix

        self._require_map()
        self._check_output(path)
        require_suffix(path, (".csv", ".txt"), "Export rows writes CSV")
        check_target(path)
        columns = self.row_columns()
        rows = np.array(self.selected_rows if rows is None else rows, dtype=np.int64).reshape(-1)
        return lambda cancel=None: table_tasks.rows_csv_steps(path, columns, rows, cancel)

    def export_assignments(self, path) -> int:
        """Every row in memory's node and segment as CSV (io.tables.assignments.write_assignments_csv:
        row, node_row, node_col, cluster[, label]); returns the row count."""
        from somdesk.core.clustering import Assignments
        from somdesk.io.tables.assignments import write_assignments_csv

        self._require_map()
        self._check_output(path)
        a, t = self.assigned, self.table
        if a is None:
            raise SomdeskError("the map's table is not open, so there are no rows to write")
        labels = None
        if self.label_column is not None:
            from somdesk.core.preparation import table_labels
            labels = table_labels(t, self.label_column)
        rows = Assignments(np.asarray(t.row_index), a["bmu_row"], a["bmu_col"], a["segment"], labels)
        write_assignments_csv(path, rows)
        return len(rows)

    def export_profiles(self, path) -> None:
        """The segment profiles as CSV (session.segments.write_profiles_csv)."""
        from somdesk.session.segments import write_profiles_csv

        write_profiles_csv(path, self._csv_of(self.profiles, "profiles", path))

    def export_top_items(self, path) -> int:
        """Each segment's top items as CSV, the file `somdesk train --top-items` writes for this
        map (session.segments.write_top_items_csv: segment,rank,item,mean,ratings,lift); returns
        the lines written.  SomdeskError without a map's top items, or for a bad target."""
        from somdesk.session.segments import write_top_items_csv

        write_top_items_csv(path, self._csv_of(self.top_items, "top items", path))
        return sum(len(v) for v in self.top_items.values())

    def _csv_of(self, what, name: str, path):
        """`what` (the profiles, the top items) when it exists and `path` may take it as CSV;
        SomdeskError otherwise (no map, the map's table not open, a bad target)."""
        from somdesk.io.names import require_suffix

        if what is None:
            raise SomdeskError(f"{name} need the map's table open" if self.tm is not None else
                               "train the table map first")
        self._check_output(path)
        require_suffix(path, (".csv", ".txt"), f"the {name} are written as CSV")
        return what

    def report_task(self, path, cancel=None, top_items: bool = False):
        """Generator: the self-contained HTML report (session.report); returns its path.
        `top_items`: with each segment's top items (a ratings table, as `train --top-items`)."""
        from somdesk.io.names import require_suffix

        tm = self._require_map()
        self._check_output(path)
        require_suffix(path, (".html", ".htm"), "the report is an HTML file")
        top = self.top_items if top_items else None
        from somdesk.session.unrated import map_zero_warning
        note = map_zero_warning(tm, self.table) if top is not None else None
        return (yield from table_tasks.report_steps(path, tm, self.profiles, os.path.basename(self.path or "table"),
                                                    top, note))

    def export_report(self, path) -> str:
        return run_to_end(self.report_task(path))

    def score_task(self, data_path, out_path, tm=None, cancel=None, progress=None, options=None):
        """Generator: every row of `data_path` scored against `tm` (default: this map) into
        `out_path` (.csv/.parquet); returns (rows, warnings)."""
        from somdesk.session.scoring import scoring_read_options

        from somdesk.io.names import require_suffix
        from somdesk.io.tables.assignments import SCORE_SUFFIXES

        tm = tm or self._require_map()
        self._check_output(out_path, data_path)
        # the writer picks CSV or Parquet by the name: any other name got CSV text, over a
        # map or a picture as well (tester9 #6); the CLI's --out refuses it the same way
        if os.path.splitext(os.fspath(out_path))[1].lower() not in SCORE_SUFFIXES:
            require_suffix(out_path, (".csv", ".parquet"), "the scores are written as CSV or Parquet")
        # numbers as in the map's own table, unless the file is plainly of another dialect (tester8 #14)
        options, note = scoring_read_options(tm, data_path, options)
        n, warnings = yield from table_tasks.score_steps(tm, data_path, out_path, cancel, progress, options)
        from somdesk.session.table_source import source_change_warning
        # the map's own table, changed since it was trained on (tester9 #8), as `somdesk assign` says
        return n, [w for w in (note, source_change_warning(tm, data_path)) if w] + list(warnings)

    def score_file(self, data_path, out_path, tm=None, options=None):
        return run_to_end(self.score_task(data_path, out_path, tm, options=options))


def _default_spec(table):
    """Every numeric column but the label; the label is the column that looks like a category
    (session.table_data.resolve_label: the rule the Setup tab and the CLI use)."""
    from somdesk.session.table_data import TableMapSpec, resolve_label

    if table is None:
        return None
    return resolve_label(table, TableMapSpec())


def read_map_steps(path, cancel=None):
    """Generator: a saved table map and its source table read, its rows assigned (any thread);
    returns {"path", "table", "note", "result"} for TableWorkspace.install_map."""
    from somdesk.session.scoring import load_table_map

    tm = load_table_map(path)
    from somdesk.session.table_source import source_of

    table, note = source_of(tm, path)
    result = yield from table_tasks.map_steps(tm, table, cancel)
    return {"path": os.fspath(path), "table": table, "note": note, "result": result}


def spec_of(tm):
    """The TableMapSpec that trains `tm` again: its columns, weights, passive and categorical
    columns, normalisation, missing values, label, size, epochs, grid, seed and segments."""
    from somdesk.session.table_data import TableMapSpec

    r, cfg = tm.recipe, tm.config
    weights = {c: float(w) for c, w in r.weights.items() if w > 0 and w != 1.0}
    return TableMapSpec(columns=tuple(r.columns), label=tm.label_column, weights=weights,
                        passive=tuple(c for c, w in r.weights.items() if w == 0),
                        categorical=tuple(c for c, k in zip(r.columns, r.kinds) if k == "categorical"),
                        group_weight=float(r.group_weight), normalise=r.normalise, missing=r.missing,
                        height=cfg.height, width=cfg.width, epochs=cfg.iterations, topology=cfg.topology,
                        seed=int(cfg.seed or 0), clusters=tm.k or None, cluster_method=tm.cluster_method or "kmeans")


def row_columns_of(t, a) -> dict:
    """TableWorkspace.row_columns of table `t` and assignment `a` ({} when either is None)."""
    if a is None or t is None:
        return {}
    taken = set(t.columns)

    def own(key: str) -> str:
        while key in taken:
            key = f"som_{key}"
        return key

    cols = {own("row"): t.row_index, own("segment"): a["segment"]}
    for c in t.columns:
        cols[c] = t.cells(c)
    for key in ("bmu_row", "bmu_col", "distance", "outlier"):
        cols[own(key)] = a[key]
    return cols


def missing_words(options) -> str:
    """The cell texts `options` (io.tables ReadOptions or None) reads as missing besides the
    defaults, quoted and joined ("'0', 'x'"), or "" when none: the out-of-core reader cannot
    read them so (TableWorkspace.out_of_core_unavailable)."""
    words = tuple(getattr(options, "missing", None) or ()) + tuple(getattr(options, "also_missing", None) or ())
    return ", ".join(f"'{w}'" for w in dict.fromkeys(words))
