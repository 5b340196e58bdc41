"""The one way a table reaches the window: File > Open, drag and drop, the command line,
File > New > Table and "Open table for segments…" all end here (a mixin of
gui/table_workflow.TableWorkflow).

    found_table(path, kind)  on File › Open's worker: a TableFile for a table (None otherwise)
    wf.open_found(found)     back on the GUI thread: the import preview, then the session
                             (unsaved training or an unsaved table map was asked about before:
                             Window.may_discard_training)
    wf.open_table(path)      import preview (interactive: a head of a big file) or everything detected,
                             then the whole read as a task on the window's runner (READ_KIND: progress
                             line, Stop, close at once), then Session.new_table: the session's
                             TableWorkspace holds it, the dock shows it
    wf.open_map(path)        a saved table map (.somz of kind "table-map", or the older "table"):
                             File › Open's path, Session.open_task -> TableWorkspace.install_map,
                             with its source table's rows when that file is still there

A table is the session's too (Session.kind == "table"; its state in Session.table):
opening one drops the colours or picture, and opening those closes the table, so the
window shows one dataset.  Only the import preview (a dialog) keeps tables off the
session's own File › Open path.
"""
from __future__ import annotations

import os

from dataclasses import dataclass

from somdesk.core.options import count_text
from somdesk.gui import dialogs
from somdesk.io.names import display_basename
from somdesk.session.opening import TABLE_MAP_KINDS   # saved kinds holding a table map

__all__ = ["TableOpening", "TableFile", "found_table", "READ_KIND", "TABLE_MAP_KINDS", "remember_file"]

READ_KIND = "read table"     # the runner's task kind of a table's whole read (tester2 C2)


@dataclass(frozen=True)
class TableFile:
    """What File › Open found (on the worker, gui/window_tasks.open_paths_task): a table for
    the import preview."""

    path: str
    kind: str          # "table"


def found_table(path, kind: str) -> "TableFile | None":
    """A TableFile when `path` (sniffed as `kind` by session.opening) is a table, else None
    (the session opens it: saved table maps included)."""
    if kind == "table":
        return TableFile(os.fspath(path), "table")
    return None


class TableOpening:
    """Needs `win`, `ws` (TableWorkflow)."""

    @staticmethod
    def is_found(result) -> bool:
        return isinstance(result, TableFile)

    def open_found(self, found: TableFile) -> bool:
        """A table: the import preview, then the session (and so the dock)."""
        return self.open_table(found.path)

    def open_table_dialog(self) -> bool:
        """File › Open table… (Ctrl+Shift+O): the file dialog with the table filter, then the one path."""
        from somdesk.gui.table_files import TABLE_FILTER

        path = dialogs.ask_open_path(self.win, "Open table", "", TABLE_FILTER)
        return bool(path) and self.win.open_paths([path])

    def open_table(self, path: str | None = None, preview: bool | None = None) -> bool:
        """Ask for a table (unless given), show the import preview (interactive windows; else
        everything detected), then read it whole as a task on the window's runner; when that
        ends the table becomes the session's (Session.new_table).  True when the read started
        (or, for a preview that held the whole file, the table was installed); a read error
        arrives as the runner's `failed` (the window's error line), Stop leaves no table."""
        from somdesk.gui.table_files import TABLE_FILTER
        from somdesk.gui.table_import import ImportPreview
        from somdesk.io.tables.options import ReadOptions

        if path is None:
            path = dialogs.ask_open_path(self.win, "Open table", "", TABLE_FILTER)
            if not path:
                return False
        preview = self.win.interactive if preview is None else preview
        if not preview and _plain_text(path):
            # a text file's kind (a palette, or a table) is told in the read task: the palette
            # and picture probes of a 98 MB CSV held the window's thread 0.16 s on a free core,
            # 0.55 s on a loaded one (testerH #3b)
            return self._read_whole(path, ReadOptions().checked(), sniff=True)
        if _not_a_table(path):
            # a map, picture or palette: opened as File › Open opens it, not refused in the
            # command line's words (testerG #7: "somdesk assign pal.somz TABLE ... open it in the window")
            return self.win.open_paths([path])
        if not preview:                # a binary table (Parquet, a spreadsheet): no dialog either
            return self._read_whole(path, ReadOptions().checked())
        dlg = ImportPreview(self.win, path)
        self.last_preview = dlg
        if not dlg.exec() or dlg.table is None:
            self.win.statusBar().showMessage("Cancelled.", 5000)   # not "Opening x…" for a table never opened
            return False
        options = dlg.options()
        if not dlg.partial:                     # the preview read the whole (small) file
            return self._install_table(dlg.table, path, options)
        dlg.table.close()                       # a head only: the whole file is read as a task
        dlg.table = None
        dlg._drop_head()
        return self._read_whole(path, options)

    def read_zeros_as_missing(self) -> bool:
        """The Setup tab's "Read 0 as missing" (testerG #4): `read_as_missing` with every spelling
        of 0 the file's columns hold (`0.0` too: testerI #2, session.unrated.table_zero_spellings,
        the spellings the Setup tab's note names)."""
        from somdesk.session.unrated import table_zero_spellings

        if self.ws.table is None:
            return False
        return self.read_as_missing(*(table_zero_spellings(self.ws.table) or ("0",)))

    def read_as_missing(self, *words: str) -> bool:
        """The Setup tab's "Read 0 as missing" and "Read 'x' as missing" (testerI #7): the table's
        file read again with its read options and the cells `words` added to its missing values
        (ReadOptions.also_missing, the CLI's `--also-missing`: the words in force kept, the
        defaults or the import preview's).
        Unsaved training is asked about first.  True when the read started."""
        from dataclasses import replace

        from somdesk.io.tables.options import ReadOptions

        path = self.ws.path
        if path is None or self.ws.table is None:
            return False
        options = self.ws.read_options or ReadOptions()
        also = tuple(options.also_missing or ())
        also += tuple(t for t in words if t not in also)
        options = replace(options, also_missing=also).checked()
        # a Save answered in the prompt is a task: the read starts once the map is written
        if not self.win.may_discard_training(opening=True, then=lambda: self._read_whole(path, options)):
            return self.win.saving
        return self._read_whole(path, options)

    def _read_whole(self, path: str, options, sniff: bool = False) -> bool:
        """Start the whole read on the window's runner (replaces a running task, as every start).
        `sniff`: first tell whether the file is a map, picture or palette; such a file is then
        opened as File › Open opens it when the task ends, not read as a table."""
        from somdesk.session import Progress

        if not getattr(self, "_read_hooked", False):
            self.win.runner.finished.connect(self._read_finished)
            self.win.runner.failed.connect(self._read_ended)
            self._read_hooked = True
        self._reading = (path, options)
        name = display_basename(path)

        def task(token):
            # the readers and what installing a table imports, imported here: the first table's
            # imports on the window's thread held it 0.2-0.5 s (fixC)
            import somdesk.io.chunked_checks  # noqa: F401 - TableWorkspace.out_of_core_unavailable's
            import somdesk.session.table_data  # noqa: F401 - TableWorkspace.set_table's default spec
            from somdesk.io.tables.table import read_table
            from somdesk.session.table_columns import judge_columns

            from somdesk.gui import tasks

            yield Progress(READ_KIND, 0, 0, "rows", f"reading {name}")
            if sniff and _not_a_table(path):
                return _NOT_A_TABLE
            worker = tasks.current()       # the read's stages, from inside it (testerH #5: 38 s of no word)

            def said(text: str) -> None:
                if worker is not None:
                    worker.offer(Progress(READ_KIND, 0, 0, "", f"reading {name}: {text}"))

            table = read_table(path, options, cancel=token, progress=said)
            yield Progress(READ_KIND, 0, 0, "", f"reading {name}: judging the columns")
            judge_columns(table)       # here, not on the window's thread when the Setup tab is filled
            return table

        self.win.runner.start(READ_KIND, task)
        self.win.statusBar().showMessage(f"Reading {name}…", 8000)
        self.win.schedule_draw()
        return True

    def reading_name(self) -> str | None:
        """The file name of the table being read whole (the runner's read task), else None."""
        runner = self.win.runner
        if not (runner.busy and runner.kind == READ_KIND) or not getattr(self, "_reading", None):
            return None
        return display_basename(self._reading[0])

    def _read_ended(self, kind: str, *_rest) -> None:
        if kind == READ_KIND:
            self.win.schedule_draw()       # the canvas's "Reading x…" goes

    def _read_finished(self, kind: str, result, stopped: bool) -> None:
        if kind != READ_KIND:
            return
        self.win.schedule_draw()
        path, options = self._reading
        if result is _NOT_A_TABLE:
            if not stopped:
                # a map, picture or palette: opened as File › Open opens it, not refused in the
                # command line's words (testerG #7)
                self.win.open_paths([path])
            return
        if stopped or result is None:
            if result is not None:
                result.close()
            self.win.statusBar().showMessage(f"Stopped reading {display_basename(path)}.", 8000)
            return
        self._install_table(result, path, options)

    def _install_table(self, table, path: str, options) -> bool:
        from somdesk.errors import SomdeskError

        try:
            self.win.session.new_table(table, source=path, options=options)
        except SomdeskError as exc:
            table.close()
            self.win.show_error(str(exc))
            return False
        remember_file(self.win, path)
        t = table                                          # replaces the window's "Opening x…"
        self.win.statusBar().showMessage(
            f"Opened {display_basename(path)}: {count_text(t.n_rows_total, 'row')} × {count_text(len(t.columns), 'column')}.", 10000)
        return True

    def locate_table(self, path: str | None = None) -> bool:
        """Locate table…: a reopened map whose table moved (the dock's note says it is not where
        the map says) gets its rows from the file picked here (`path`, else a file dialog), read
        as a task (kind "locate"): TableWorkspace.locate_table_task checks it is the map's table
        (its columns; its saved size, content and rows) and says in one sentence why not.  The
        map stays as it is, unsaved changes included.  True when the reading started."""
        if not self.may_locate() or self.win.runner.busy:
            return False
        tm = self.ws.tm
        name = os.path.basename(tm.source or tm.source_path or "") if tm is not None else ""
        if path is None:
            start = os.path.join(self.win.files.last_folder(), name) if name else self.win.files.last_folder()
            path = dialogs.ask_open_path(self.win, f"Locate table {name}".strip(), start,
                                         self.win.files.open_filters("table"))
            if not path:
                return False
        ws, path = self.ws, os.fspath(path)
        self.win.statusBar().showMessage(f"Reading {display_basename(path)}…")
        self.win.runner.start("locate", lambda token: ws.locate_table_task(path, token))
        self.win.refresh()
        self.refresh()
        return True

    def open_map(self, path: str) -> bool:
        """Open a saved table map (either kind): File › Open's path (a task; the session's
        TableWorkspace reads its source table again when it is still where the map says)."""
        return self.win.open_paths([os.fspath(path)])


def _plain_text(path: str) -> bool:
    """Does the file at `path` look like text (no NUL byte in its first 4 KB, not a ZIP, not
    named .somz)?  Maps, pictures and binary tables are told apart at once by their first
    bytes; a text file may still be a palette, which takes reading (_read_whole's sniff)."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return False                     # the reader says what is wrong
    return (b"\0" not in head and not head.startswith(b"PK\x03\x04")
            and not os.fspath(path).lower().endswith(".somz"))


_NOT_A_TABLE = object()     # the read task's result for a map, picture or palette (_read_whole's sniff)


def remember_file(win, path) -> None:
    """File › Open Recent lists tables and table maps too (gui/window_files.py)."""
    files = getattr(win, "files", None)
    if files is not None:
        files.remember(os.fspath(path))


def _not_a_table(path: str) -> bool:
    """Is the file at `path` a map, picture or palette (session.opening.sniff_kind)?  False
    when it cannot be told (the table reader then says what is wrong)."""
    from somdesk.errors import SomdeskError
    from somdesk.session.opening import sniff_kind

    try:
        return sniff_kind(path) != "table"
    except (SomdeskError, OSError):
        return False
