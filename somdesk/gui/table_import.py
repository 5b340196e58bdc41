"""The import preview: how a table file was read, with every guess overridable, before training.

    dlg = ImportPreview(parent, path)      # reads once with everything detected
    dlg.delimiter.setCurrentText(";"); dlg.reread()
    if dlg.exec(): table = dlg.table       # somdesk.io.tables Table, read with dlg.options()

Shown: the detected dialect (format, delimiter, decimal and thousands separators,
header, lines skipped, encoding, sheet), rows and columns with their kinds, the
first rows, and -- in bold -- the reader's warnings, including that a table over
the row limit is sampled for training (every row is still assigned at the end).
Fields left at "auto" are detected; the others become `io.tables.ReadOptions`.
The dialog reads a head of a big text file (HEAD_BYTES, cut at a line end), so it shows at
once and "Read again" stays quick; `partial` is then True and the caller reads the whole
file as a task (gui/table_open.py) after "Use this table".  So do a big gzip or zstd text
file (a head of its unpacked text), a Parquet file (its first rows, io/tables/head.py) and
a spreadsheet (its first PREVIEW_SHEET_ROWS rows); small files are read whole here.  A read
error is shown in the dialog and OK stays disabled until a read succeeds.

The read runs on a thread of its own (`_read_off_thread`) while this thread keeps handling
events: a spreadsheet's head still costs the sheet's whole parse (python-calamine loads a
sheet before its first row; 10 s for a 112 MB workbook, tester6 F17), and the window
stayed blank meanwhile.  A read longer than READ_SHOW_S shows the dialog with "Reading…"
and the read and OK buttons disabled; Cancel then closes it (the thread's late result is
closed, nothing is kept).  `reread` still returns when the read is done, so callers and
tests see the same synchronous API.
"""
from __future__ import annotations

import dataclasses
import html
import os
import shutil
import tempfile
import threading
import time
import weakref

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGridLayout, QGroupBox,
                               QLabel, QLineEdit, QPushButton, QSpinBox, QVBoxLayout)

from somdesk.core.memory import bytes_text
from somdesk.core.options import count_text
from somdesk.errors import SomdeskError
from somdesk.gui.preview_grid import PreviewGrid, preview_cells
from somdesk.io.names import display_basename

__all__ = ["ImportPreview", "PREVIEW_ROWS"]

PREVIEW_ROWS = 50
HEAD_BYTES = 1 << 20          # a text file bigger than this is previewed from its first MiB (unpacked)
PREVIEW_SHEET_ROWS = 20_000   # ... a spreadsheet bigger than that from its first rows
READ_SHOW_S = 0.3             # a preview read longer than this shows the dialog with "Reading…" meanwhile
AUTO = "auto"
DELIMITERS = {AUTO: None, ", (comma)": ",", "; (semicolon)": ";", "tab": "\t", "| (pipe)": "|", "space": " "}
DECIMALS = {AUTO: None, ". (point)": ".", ", (comma)": ","}
THOUSANDS = {AUTO: None, "none": "", ", (comma)": ",", ". (point)": ".", "space": " ", "' (apostrophe)": "'",
             "_ (underscore)": "_"}
HEADERS = {AUTO: None, "first line holds names": True, "no header": False}
# the common ones; the field takes any Python codec name typed in
ENCODINGS = (AUTO, "utf-8", "latin-1", "cp1252", "utf-16", "shift_jis", "gb18030", "cp1251")


def _combo(items, editable: bool = False) -> QComboBox:
    c = QComboBox()
    c.addItems(list(items))
    c.setEditable(editable)
    return c


class ImportPreview(QDialog):
    def __init__(self, parent, path: str, read_now: bool = True):
        super().__init__(parent)
        self.setWindowTitle(f"Import {display_basename(path)}")
        self.setObjectName("import-preview")
        self.path = path
        self.table = None
        self.error: str | None = None
        self.partial = False          # the preview holds a head of the file, not all of it
        self._head_dir: str | None = None
        self.delimiter = _combo(DELIMITERS, editable=True)
        self.decimal = _combo(DECIMALS)
        self.thousands = _combo(THOUSANDS)
        self.header = _combo(HEADERS)
        self.skip = QSpinBox()
        self.skip.setRange(-1, 1_000_000)
        self.skip.setSpecialValueText(AUTO)
        self.skip.setValue(-1)
        self.sheet = _combo([AUTO], editable=True)
        self.encoding = _combo(ENCODINGS, editable=True)
        self.missing = QLineEdit()
        self.missing.setPlaceholderText("default: empty, NA, N/A, NaN, null, ?, -")
        self.missing.setToolTip("Cell texts meaning 'no value', separated by commas, instead of the default "
                                "ones (as --missing-values): to add 0 to them, type NA, N/A, NaN, null, ?, -, 0 "
                                "(or open the table and press Read 0 as missing); an empty cell is always missing")
        self.where = QLineEdit()
        self.where.setPlaceholderText("optional, e.g.  age >= 18 AND region = 'north'")
        self.where.setToolTip("An SQL condition on the columns: train on the rows where it is true")
        grid = QGridLayout()
        fields = (("Delimiter", self.delimiter), ("Decimal separator", self.decimal),
                  ("Thousands separator", self.thousands), ("Header", self.header),
                  ("Lines to skip", self.skip), ("Sheet", self.sheet), ("Encoding", self.encoding),
                  ("Missing values", self.missing))
        for i, (label, w) in enumerate(fields):
            grid.addWidget(QLabel(label), i // 2, 2 * (i % 2))
            grid.addWidget(w, i // 2, 2 * (i % 2) + 1)
        form = QFormLayout()
        form.addRow("Filter (SQL WHERE)", self.where)
        self.read_button = QPushButton("&Read again with these settings")
        self.read_button.clicked.connect(self.reread)
        options = QGroupBox("How to read the file (auto = detected)")
        ol = QVBoxLayout(options)
        ol.addLayout(grid)
        ol.addLayout(form)
        ol.addWidget(self.read_button, 0, Qt.AlignmentFlag.AlignRight)
        self.detected = QLabel()
        self.detected.setWordWrap(True)
        self.detected.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setObjectName("import-notes")
        self.grid = PreviewGrid()             # model/view: see gui/preview_grid.py
        self.grid.setMinimumHeight(220)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Use this table")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(options)
        lay.addWidget(self.detected)
        lay.addWidget(self.notes)
        lay.addWidget(self.grid, 1)
        lay.addWidget(self.buttons)
        self.resize(900, 680)
        if read_now:
            self.reread()

    # -- options ------------------------------------------------------------------------------
    def options(self):
        """The ReadOptions of the fields (auto -> None); OptionError for a bad value."""
        from somdesk.io.tables.options import ReadOptions

        delim_text = self.delimiter.currentText()
        delim = DELIMITERS.get(delim_text, delim_text)
        sheet = self.sheet.currentText().strip()
        sheet = None if sheet in ("", AUTO) else (int(sheet) if sheet.isdigit() else sheet)
        enc = self.encoding.currentText().strip()
        missing = self.missing.text().strip()
        return ReadOptions(delimiter=delim or None, decimal=DECIMALS[self.decimal.currentText()],
                           thousands=THOUSANDS[self.thousands.currentText()],
                           header=HEADERS[self.header.currentText()],
                           skip=None if self.skip.value() < 0 else self.skip.value(), sheet=sheet,
                           encoding=None if enc in ("", AUTO) else enc,
                           missing=None if not missing else tuple(s.strip() for s in missing.split(",")),
                           where=self.where.text().strip() or None).checked()

    # -- reading ------------------------------------------------------------------------------
    def reread(self) -> bool:
        """Read the file with the current fields; show the result or the error.  True if read."""
        from somdesk.io.tables.table import read_table

        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        old = self.table
        try:
            options = self.options()

            def read(cancel):
                head = self._head_path()
                opts = options
                if head is None and self._big_sheet():
                    opts = dataclasses.replace(options, preview_rows=PREVIEW_SHEET_ROWS)
                table = read_table(head or self.path, opts, cancel, name=os.path.basename(self.path))
                try:
                    # every per-column choice of the grid (number formats, widths) here, off the
                    # window's thread: 3,000 columns held it for seconds (gui/preview_grid.py)
                    return head, table, preview_cells(table, PREVIEW_ROWS)
                except BaseException:
                    table.close()
                    raise
            got = self._read_off_thread(read)
            if got is None:                     # the dialog was closed during the read
                return False
            head, table, cells = got
        except SomdeskError as exc:
            self.error = str(exc)
            if old is not None:
                old.close()
            self.table = None
            # the previous read's "Read as … 600 rows" line went with its table (it stood over
            # this error as if it described the settings just refused: tester6 F36)
            self.detected.setText("")
            self.notes.setText("<b style='color:#b00020'>Cannot read it this way:</b> "
                               + html.escape(str(exc), quote=False))
            self.grid.show_cells(None)           # nor its rows and column headers
            ok.setEnabled(False)
            return False
        if old is not None:
            old.close()
        self.table, self.error = table, None
        self.partial = head is not None or bool(table.dialect.get("partial"))
        self._show(table, cells)
        ok.setEnabled(True)
        return True

    def _read_off_thread(self, read):
        """`read(cancel)` run on a thread while this (GUI) thread handles events; its result, or
        None when the dialog was closed meanwhile (the late result is then closed).  Raises what
        `read` raised.  See the module docstring (tester6 F17)."""
        from somdesk.core.cancel import CancelToken

        token, out, lock = CancelToken(), {}, threading.Lock()

        def work():
            try:
                value = read(token)
            except BaseException as exc:       # handed to the GUI thread below
                out["error"] = exc
                return
            with lock:
                if token.cancelled:
                    value[1].close()           # the dialog was closed: nobody will take it
                else:
                    out["value"] = value
        # not a daemon: a read left running when the dialog closed (its token cancelled, so it
        # ends at DuckDB's or Arrow's next check) is waited for at exit, not torn down inside
        # DuckDB by the interpreter's shutdown (an abort: duckdb/duckdb#13904)
        thread = threading.Thread(target=work, name="somdesk-preview-read")
        thread.start()
        # the first READ_SHOW_S: timers and painting go on (the window's thread is not held by a
        # join), clicks and keys wait, so nothing else starts meanwhile
        self._wait_for(thread, READ_SHOW_S)
        if thread.is_alive():
            self._reading = token
            ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
            ok.setEnabled(False)
            self.read_button.setEnabled(False)
            size_text = bytes_text(os.path.getsize(self.path) if os.path.exists(self.path) else 0)
            self.notes.setText(f"<b>Reading the first rows of {html.escape(display_basename(self.path))} "
                               f"({size_text})…</b> Cancel closes this dialog.")
            if not self.isVisible() and self.parent() is not None:
                self.setWindowModality(Qt.WindowModality.ApplicationModal)
                self.show()                    # the window's "Open" shows the dialog at once
            loop = QEventLoop()
            timer = QTimer()
            timer.setInterval(20)
            timer.timeout.connect(lambda: (not thread.is_alive() or token.cancelled) and loop.quit())
            timer.start()
            loop.exec()
            timer.stop()
            self._reading = None
            self.read_button.setEnabled(True)
            with lock:
                late = out.pop("value", None) if token.cancelled else None
            if late is not None:
                late[1].close()
            if token.cancelled:
                self.closed_while_reading = True
                return None
        thread.join()
        if "error" in out:
            raise out["error"]
        return out["value"]

    @staticmethod
    def _wait_for(thread, seconds: float) -> None:
        """Until `thread` ends or `seconds` pass, handling every event but user input."""
        thread.join(0.02)                      # a small file's read: done before any event is due
        if not thread.is_alive():
            return
        loop = QEventLoop()
        timer = QTimer()
        timer.setInterval(5)
        deadline = time.monotonic() + seconds
        timer.timeout.connect(lambda: (not thread.is_alive() or time.monotonic() > deadline) and loop.quit())
        timer.start()
        loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        timer.stop()

    def _head_path(self) -> str | None:
        """A head of a big file for the preview (io/tables/head.py: a text file's first MiB,
        unpacked when it is gzip or zstd; a Parquet file's first rows), or None to read the
        file itself."""
        from somdesk.io.tables.head import head_copy

        if self._head_dir is None:
            self._head_dir = tempfile.mkdtemp(prefix="somdesk-head-")
            # removed by done(); else when the dialog is collected or the program ends (a dialog
            # never finished: the window closed under it, the app quit) -- tester11 #11
            self._head_final = weakref.finalize(self, shutil.rmtree, self._head_dir, True)
        head = head_copy(self.path, self._head_dir, HEAD_BYTES)
        if head is None and not os.listdir(self._head_dir):
            self._drop_head()                   # a small file is read whole: no folder kept for it
        return head

    def _big_sheet(self) -> bool:
        """A spreadsheet over HEAD_BYTES: the preview reads its first PREVIEW_SHEET_ROWS rows."""
        try:
            if os.path.getsize(self.path) <= HEAD_BYTES:
                return False
            with open(self.path, "rb") as f:
                return f.read(4) in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
        except OSError:
            return False

    def done(self, result: int) -> None:  # noqa: D401 - Qt API: accept/reject end here
        super().done(result)
        self._drop_head()

    def _drop_head(self) -> None:
        if self._head_dir is not None:
            shutil.rmtree(self._head_dir, ignore_errors=True)
            self._head_final.detach()
            self._head_dir = None

    def _show(self, t, cells) -> None:
        d = t.dialect
        parts = [f"format <b>{t.format}</b>"]
        names = {"\t": "tab", " ": "space", ",": "comma", ";": "semicolon", "|": "pipe", ".": "point",
                 "'": "apostrophe", "_": "underscore"}
        if d.get("delimiter") is not None:
            parts.append(f"delimiter <b>{names.get(d['delimiter'], d['delimiter'])}</b>")
        if "decimal" in d:
            parts.append(f"decimal <b>{names.get(d['decimal'], d['decimal'])}</b>")
        if "thousands" in d:
            parts.append(f"thousands <b>{names.get(d['thousands'], d['thousands']) or 'none'}</b>")
        if "header" in d:
            parts.append(f"header <b>{'yes' if d['header'] else 'no'}</b>")
        if d.get("skip"):
            shown = d.get("metadata") or " / ".join(d.get("title_lines") or ())
            what = "metadata" if d.get("metadata") else "title"
            parts.append(f"<b>{count_text(d['skip'], 'line')}</b> skipped" +
                         (f" ({what}: <tt>{html.escape(shown[:60])}</tt>)" if shown else ""))
        if d.get("encoding"):
            parts.append(f"encoding <b>{d['encoding']}</b>")
        if d.get("sheets"):
            # which sheet is shown, not only the workbook's sheets (tester F #9)
            parts.append(f"sheet <b>{html.escape(str(d.get('sheet')))}</b> of "
                         f"{html.escape(', '.join(map(str, d['sheets'])))}")
            if self.sheet.count() == 1:
                self.sheet.addItems([str(s) for s in d["sheets"]])
        kinds = {}
        for c in t.columns:
            kinds[t.kind(c)] = kinds.get(t.kind(c), 0) + 1
        summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        n, rows = t.n_rows_total, "row" if t.n_rows_total == 1 else "rows"
        rows_text = (f"the first {n:,} {rows} (of a {bytes_text(os.path.getsize(self.path))} file)"
                     if self.partial else f"{n:,} {rows}")
        cols = "column" if len(t.columns) == 1 else "columns"
        self.detected.setText("Read as: " + " · ".join(parts) +
                              f"<br>{rows_text} × {len(t.columns)} {cols} ({summary})")
        notes = [w for w in t.warnings if not (t.sampled and "random sample" in w)]
        from somdesk.io.tables.spreadsheet import sheets_note
        several = sheets_note(t, "the Sheet box above")     # the first sheet may be a cover: say the others
        if several:
            notes.insert(0, html.escape(several[0].upper() + several[1:]))
        if self.partial:
            notes.insert(0, "A preview of the file's first rows: the whole file is read when you click "
                            "Use this table (with a progress line and Stop).")
        if t.sampled:
            notes.insert(0, f"Larger than memory allows: {t.n_rows:,} of {count_text(t.n_rows_total, 'row')} (a random "
                            "sample) are held in memory; training uses that sample, as somdesk train --table does, "
                            "unless you tick Train on every row out of core under Setup.")
        self.notes.setText("<br>".join(f"<b>{n}</b>" for n in dict.fromkeys(notes)))
        # numbers one format per column (session.number_columns), chosen from all the values
        # read, right-aligned; text as the file has it; rows numbered as the Rows tab, the
        # exports' and assign's `row` column: from 0 (tester13 #10)
        self.grid.show_cells(cells)

    def exec(self) -> int:  # noqa: D401 - Qt API
        if getattr(self, "closed_while_reading", False):
            return 0                           # Cancel during the first read: it is over
        return super().exec()

    def reject(self) -> None:
        reading = getattr(self, "_reading", None)
        if reading is not None:
            reading.cancel()                   # the read's thread closes what it still returns
        if self.table is not None:
            self.table.close()
            self.table = None
        super().reject()

