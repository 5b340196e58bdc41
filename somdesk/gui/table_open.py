"""The one way a table reaches the window: File > Open, drag and drop, the command line,
File > New > Table and "Open table for segments…" all end here (a mixin of
gui/table_workflow.TableWorkflow).

    found_table(path, kind)  on File › Open's worker: a TableFile for a table or a saved table map
    wf.open_found(found)     back on the GUI thread: the import preview, then the dock
                             (unsaved training or an unsaved table map was asked about before:
                             Window.may_discard_training)
    wf.open_table(path)      import preview (interactive) or a read with everything detected, then
                             the table in the Segments dock (session.table_data path)
    wf.open_map(path)        a saved table map (.somz of kind "table-map", or the older "table"),
                             with its source table's rows when that file is still there

The window's session holds colours and pictures; a table never becomes a session dataset
any more (that second path skipped the import preview and had no weights, passive or
one-hot columns).  Opening a table clears the session's dataset (asking first when that
throws away unsaved training), so the window shows one dataset.
"""
from __future__ import annotations

import os

from dataclasses import dataclass

from somdesk.errors import SomdeskError
from somdesk.gui import dialogs

__all__ = ["TableOpening", "TableFile", "found_table", "TABLE_MAP_KINDS"]

TABLE_MAP_KINDS = ("table-map", "table")     # saved kinds the dock opens (new files: "table-map")


@dataclass(frozen=True)
class TableFile:
    """What File › Open found (on the worker, gui/window_tasks.open_paths_task): a table or a
    saved table map for the Segments dock."""

    path: str
    kind: str          # "table" | "table-map"


def found_table(path, kind: str) -> "TableFile | None":
    """A TableFile when `path` (sniffed as `kind` by session.opening) is a table or a saved
    table map of either kind, else None (the session opens it)."""
    from somdesk.session.workspace_file import saved_kind

    if kind == "table":
        return TableFile(os.fspath(path), "table")
    if kind == "map" and saved_kind(path) in TABLE_MAP_KINDS:
        return TableFile(os.fspath(path), "table-map")
    return None


class TableOpening:
    """Needs `win`, `set_table`, `install_result`, `refresh()` (TableWorkflow)."""

    table = None
    tm = None
    map_path: str | None = None

    @staticmethod
    def is_found(result) -> bool:
        return isinstance(result, TableFile)

    def open_found(self, found: TableFile) -> bool:
        """A table (import preview, then the dock) or a saved table map (the dock)."""
        if found.kind == "table":
            return self.open_table(found.path)
        return self.open_map(found.path)

    def _release_session(self) -> bool:
        """Drop the session's dataset (colours or picture) so the window shows the table.
        Unsaved training was asked about before the file was opened (Window.may_discard_training)."""
        s = self.win.session
        if s.dataset is not None:
            s.install(None, dirty=False)
        return True

    def open_table_dialog(self) -> bool:
        """File › Open table… (Ctrl+Shift+O): the file dialog with the table filter, then the one path."""
        from somdesk.gui.table_files import TABLE_FILTER

        path = dialogs.ask_open_path(self.win, "Open table", "", TABLE_FILTER)
        return bool(path) and self.win.open_paths([path])

    def open_table(self, path: str | None = None, preview: bool | None = None) -> bool:
        """Ask for a table (unless given), show the import preview (interactive windows; else
        read with everything detected), then put it in the dock."""
        from somdesk.gui.table_files import TABLE_FILTER
        from somdesk.gui.table_import import ImportPreview

        if path is None:
            path = dialogs.ask_open_path(self.win, "Open table", "", TABLE_FILTER)
            if not path:
                return False
        preview = self.win.interactive if preview is None else preview
        dlg = ImportPreview(self.win, path)
        self.last_preview = dlg
        if preview:
            if not dlg.exec() or dlg.table is None:
                return False
        elif dlg.table is None:
            self.win.show_error(dlg.error or f"cannot read {os.path.basename(path)}")
            return False
        if not self._release_session():
            dlg.table.close()
            return False
        self.set_table(dlg.table, path, options=dlg.options())
        _remember(self.win, path)
        return True

    def open_map(self, path: str) -> bool:
        """Open a saved table map (either kind) into the dock; its source table is read again
        (everything detected) when it is still where the map says, else the map shows alone."""
        from somdesk.session.scoring import load_table_map

        try:
            tm = load_table_map(path)
        except SomdeskError as exc:
            self.win.show_error(str(exc))
            return False
        if not self._release_session():
            return False
        table, note = self._source_of(tm, path)
        self.set_table(table, path if table is None else table.name, keep_map=True)
        self.map_path = os.fspath(path)
        self.install_map(tm, table, note)
        _remember(self.win, path)
        return True

    def _source_of(self, tm, map_path):
        """(table or None, note): the map's source table next to the map or where it was."""
        from somdesk.io.tables.table import read_table
        from somdesk.session.table_data import check_columns

        if not tm.source:
            return None, "the map does not name the table it was made from"
        here = os.path.dirname(os.path.abspath(map_path))
        for cand in (tm.source, os.path.join(here, tm.source), os.path.join(here, os.path.basename(tm.source))):
            if os.path.isfile(cand):
                try:
                    table = read_table(cand)
                except SomdeskError as exc:
                    return None, f"its table {os.path.basename(cand)} cannot be read ({exc})"
                try:
                    check_columns(tm, table)
                except SomdeskError as exc:
                    table.close()
                    return None, str(exc)
                return table, ""
        return None, f"its table {os.path.basename(tm.source)} is not next to the map"


def _remember(win, path) -> None:
    """File › Open Recent lists tables and table maps too (gui/window_files.py)."""
    files = getattr(win, "files", None)
    if files is not None:
        files.remember(os.fspath(path))
