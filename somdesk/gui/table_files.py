"""The table workflow's files out: rows CSV, profiles CSV/PNG, the table map (.somz), the HTML
report, and File › Score new data… (a mixin of gui/table_workflow.TableWorkflow).

The writing is the session's (TableWorkspace: save_map_steps, export_rows, export_profiles,
report_task, score_task); the dock asks for the path.  Every writer is atomic and a bad
path is one message (`window.show_error`); the map's save (gui/window_save.py), the rows,
the report and scoring run as tasks on the window's one TaskRunner.  The rest write what
is on screen, small: profiles and top items CSV (a row per segment), the map and planes PNG.
"""
from __future__ import annotations

import os

from somdesk.core.options import count_text
from somdesk.errors import SomdeskError
from somdesk.gui import dialogs
from somdesk.gui.window_files import open_filters
from somdesk.io.names import display_basename

__all__ = ["TableFiles", "TABLE_FILTER"]

TABLE_FILTER = open_filters("table")     # the one list of table patterns (window_files.TABLES)


class TableFiles:
    """Needs `win`, `ws`, `rows_model`, `profiles_view`, `planes`, `refresh()` (TableWorkflow)."""

    # -- files out ---------------------------------------------------------------------------------------
    def _ask(self, title, start, filters) -> str | None:
        return dialogs.ask_save_path(self.win, title, start, filters) or None

    def _pipe_refused(self, path) -> bool:
        """A FIFO as the dock's target is refused at once (gui.dialogs.target_refused)."""
        return dialogs.target_refused(self.win, path)

    def _stem(self) -> str:
        return self.ws.stem

    def export_rows(self, path: str | None = None) -> bool:
        path = path or self._ask("Export rows", f"{self._stem()}-rows.csv", [("CSV", ["*.csv"])])
        if not path:
            return False
        if self._pipe_refused(path):
            return False
        if self.win.runner.busy:        # the window runs one task at a time: starting would stop it
            from somdesk.gui.task_words import wait_message

            self.win.show_error("Export rows runs as a task. " + wait_message(self.win.runner, "exporting"))
            return False
        try:                            # the path checked and the rows taken here, written in a task
            steps = self.ws.export_rows_steps(path, self.rows_model.shown_rows)     # in the order shown
        except SomdeskError as exc:
            self.win.show_error(str(exc))
            return False
        # a task with progress and Stop (tester6 F28: 200,000 rows held the window 4 s); the
        # rows view stays usable: the task writes a copy of the rows taken above
        self._export_out = path
        self.win.runner.start("export", lambda token: steps(token))
        self.win.refresh()
        self.refresh()
        return True

    def _png_target(self, path, what: str) -> None:
        """OptionError unless `path` may take a PNG: a .png name, not the table in use nor the
        saved map (every PNG writer of the dock: tester8 #5, Profiles and Planes wrote PNG
        bytes over the table in use)."""
        from somdesk.gui.window_files import check_image_target

        check_image_target(path, [("the table in use", self.ws.path), ("the saved map", self.ws.map_path)], what)

    def export_profiles(self, fmt: str, path: str | None = None) -> bool:
        if self.ws.profiles is None:
            if self.ws.tm is not None and self.ws.table is None:     # said, not a silent no (tester8 #8)
                self.win.show_error(self.profiles_missing())
            return False
        path = path or self._ask("Export profiles", f"{self._stem()}-profiles.{fmt}",
                                 [("CSV", ["*.csv"])] if fmt == "csv" else [("PNG image", ["*.png"])])
        if not path:
            return False
        if self._pipe_refused(path):
            return False
        try:
            if fmt == "csv":
                self.ws.export_profiles(path)
            else:
                self._png_target(path, "Export profiles as PNG")
                self.profiles_view.export_png(path, self.win.colour.for_export)   # as shown, or true colours
        except SomdeskError as exc:
            self.win.show_error(str(exc))
            return False
        self.win.statusBar().showMessage(f"Wrote the segment profiles to {display_basename(path)}.", 8000)
        return True

    def export_top_items(self, path: str | None = None) -> bool:
        """Profiles tab › Export top items CSV… (a ratings table): the list the tab shows, as
        `somdesk train --top-items` writes it (tester9 #3)."""
        if self.ws.top_items is None:
            if self.ws.tm is not None and self.ws.table is None:
                self.win.show_error(self.profiles_missing())
            return False
        path = path or self._ask("Export top items", f"{self._stem()}-top-items.csv", [("CSV", ["*.csv"])])
        if not path or self._pipe_refused(path):
            return False
        try:
            n = self.ws.export_top_items(path)
        except SomdeskError as exc:
            self.win.show_error(str(exc))
            return False
        self.win.statusBar().showMessage(f"Wrote {n:,} top items ({count_text(len(self.ws.top_items), 'segment')}) to "
                                         f"{display_basename(path)}.", 8000)
        return True

    def export_map(self, path: str | None = None) -> bool:
        """File > Export image (Ctrl+E) with a table map: the Map & rows view and its legend."""
        from somdesk.gui.window_tasks import write_png

        pic = self.map_picture()
        if pic is None:
            return False
        view = self.map_mode.replace(": ", "-").replace(" ", "-")
        path = path or self._ask("Export image", f"{self._stem()}-{view}.png", [("PNG image", ["*.png"])])
        if not path:
            return False
        if self._pipe_refused(path):
            return False
        try:
            # the same refusal as every other writer of the dock (TableWorkspace._check_output)
            self._png_target(path, "Export image")
            write_png(path, pic)
        except SomdeskError as exc:
            self.win.show_error(str(exc))
            return False
        self.win.statusBar().showMessage(f"Wrote {display_basename(path)} ({pic.shape[1]} x {pic.shape[0]} px).", 5000)
        return True

    def export_planes(self, path: str | None = None) -> bool:
        """The Planes tab's sheet as PNG: the pixels on screen."""
        if not self.planes.has_planes:
            return False
        path = path or self._ask("Export component planes", f"{self._stem()}-planes.png", [("PNG image", ["*.png"])])
        if not path:
            return False
        if self._pipe_refused(path):
            return False
        try:
            self._png_target(path, "Export component planes")
            self.planes.export_png(path, self.win.colour.for_export)   # as shown, or true colours
        except SomdeskError as exc:
            self.win.show_error(str(exc))
            return False
        self.win.statusBar().showMessage(f"Wrote {display_basename(path)}.", 5000)
        return True

    def save_map(self, path: str | None = None) -> bool:
        """Save the table map (.somz, session.scoring.save_table_map): what `somdesk assign` reads.
        True when the save task started (gui/window_save.py); its end says how it went."""
        if self.ws.tm is None:
            return False
        path = path or self._ask("Save table map", f"{self._stem()}.somz", [("somdesk map", ["*.somz"])])
        if not path or self._pipe_refused(path):
            return False
        try:
            steps = self.win.session.save_steps(path)     # checked now: the table map's File › Save
        except SomdeskError as exc:
            self.win.show_error(str(exc))
            return False
        # written by a task (gui/window_save.py: a 400,000-row map held the window ~1 s); its
        # end says "Saved x.somz." and lists it in Open Recent
        started = self.win.start_save(path, steps)
        self.refresh()
        return started

    def save(self, ask: bool = False) -> bool:
        """File › Save (Ctrl+S) / Save as while the dock holds the window's data: the table map,
        to the file it came from or was last saved to (asks when there is none or `ask`)."""
        return self.save_map(None if ask else self.ws.map_path)

    def export_report(self, path: str | None = None) -> bool:
        """File › Export report: one self-contained HTML file (session.report), written as a task."""
        ws = self.ws
        if ws.tm is None or self.win.runner.busy:
            return False
        path = path or self._ask("Export report", f"{self._stem()}-report.html", [("HTML", ["*.html"])])
        if not path or self._pipe_refused(path):         # before the task: it would wait 10 s for a reader
            return False
        top = self.profiles_view.ratings.isChecked()          # a ratings table: with its top items
        self.win.runner.start("report", lambda token: ws.report_task(path, token, top_items=top))
        self.refresh()
        return True

    def score_dialog(self) -> bool:
        """File › Score new data…: the window's table map (or a saved one), a data file, an output file."""
        from somdesk.session.scoring import NotATableMap, load_table_map

        tm = self.ws.tm
        if tm is None:
            src = dialogs.ask_open_path(self.win, "Table map to score with", "", "somdesk maps (*.somz)")
            if not src:
                return False
            try:
                tm = load_table_map(src)
            except NotATableMap as exc:      # the window's way to make one, not the command line's
                self.win.show_error(f"{exc.where} is a map of {exc.what}, not of a table. Score new data "
                                    "needs a table map: open a table, Train segments, then File › "
                                    "Save table map….")
                return False
            except SomdeskError as exc:
                self.win.show_error(str(exc))
                return False
        data = dialogs.ask_open_path(self.win, "Score new data", "", TABLE_FILTER)
        if not data:
            return False
        missing = self._ask_missing(tm, data)
        if missing is None:
            return False
        out = self._ask("Write scores", os.path.splitext(os.path.basename(data))[0] + "-scores.csv",
                        [("CSV", ["*.csv"]), ("Parquet", ["*.parquet"])])
        return bool(out) and self.score_file(tm, data, out, missing=missing)

    def _ask_missing(self, tm, data: str) -> tuple | None:
        """Score new data's Missing values: the cell texts of `data` meaning 'no value' (the CLI's
        --missing-values; testerG #8: a file with one 'thirty' in a column of numbers had no way
        to be scored in the window).  () for none typed (the map's own table's, else the usual
        ones), None if cancelled."""
        from somdesk.session.scoring import scoring_missing

        own = scoring_missing(tm)
        # the reader's MISSING_TOKENS as the CLI's help and the import preview write them
        usual = f"its map's table's: {', '.join(own)}" if own else "the usual NA, N/A, NaN, null, ?, -"
        text = dialogs.ask_text(self.win, "Missing values",
                                f"Cell texts of {display_basename(data)} meaning 'no value', separated by commas;\n"
                                f"an empty cell always is one (left empty: {usual})")
        if text is None:
            return None
        return tuple(t.strip() for t in text.split(",") if t.strip())

    def score_file(self, tm, data_path: str, out_path: str, missing: tuple = ()) -> bool:
        """Score `data_path` against `tm` (None: the window's map) into `out_path`, as a task;
        `missing`: the cell texts meaning 'no value' (Score new data's Missing values; () the
        map's own table's, else the reader's usual ones)."""
        from somdesk.gui.table_workflow import offer
        from somdesk.io.tables.options import ReadOptions

        ws = self.ws
        tm = tm or ws.tm
        if tm is None or self.win.runner.busy or self._pipe_refused(out_path):
            return False
        self._score_out = out_path
        options = ReadOptions(missing=tuple(missing)) if missing else None
        self.win.runner.start("score", lambda token: _window_words(
            ws.score_task(data_path, out_path, tm, token, offer, options=options), tm, missing))
        self.win.refresh()
        self.refresh()
        return True


def _window_words(steps, tm, missing: tuple):
    """Generator: `steps` (TableWorkspace.score_task), its NotNumbers refusal in the window's
    words: the texts to type into Score new data's Missing values, besides those in force."""
    from somdesk.errors import FileFormatError
    from somdesk.io.tables.options import DEFAULT_MISSING
    from somdesk.io.tables.table import missing_with
    from somdesk.session.scoring import scoring_missing
    from somdesk.session.table_assign import NotNumbers

    try:
        return (yield from steps)
    except NotNumbers as exc:
        # the field replaces the words in force, so they are repeated: the usual ones too (fixV)
        tokens = ", ".join(missing_with(missing or scoring_missing(tm) or DEFAULT_MISSING, exc.texts))
        raise FileFormatError(exc.advice(f"score it again with {tokens} in Missing values (File › Score new "
                                         "data… asks for them)")) from None
