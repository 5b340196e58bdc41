"""The import preview reads off the GUI thread (tester6 F17: a 112 MB workbook's preview held the
window ~10 s with no repaint, python-calamine parsing the whole sheet before its first row).
A slow read is simulated: the real reader after a pause."""
from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from somdesk.gui.table_import import ImportPreview


def _csv(path):
    path.write_text("a,b,kind\n" + "".join(f"{i},{i * 2 % 7},k{i % 3}\n" for i in range(60)))
    return str(path)


def _slow_reader(monkeypatch, seconds, closed=None):
    from somdesk.io.tables import table as table_mod

    real = table_mod.read_table

    def slow(path, options=None, cancel=None, name=None):
        time.sleep(seconds)
        t = real(path, options, None, name=name)     # a read that ends after the Cancel (calamine's parse)
        if closed is not None:
            close = t.close
            t.close = lambda: (closed.append(True), close())
        return t
    monkeypatch.setattr(table_mod, "read_table", slow)


def test_the_window_keeps_handling_events_during_a_slow_preview_read(qtbot, win, tmp_path, monkeypatch):
    _slow_reader(monkeypatch, 1.0)
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(20)
    seen = []
    QTimer.singleShot(500, lambda: seen.extend(d.notes.text() for d in QApplication.topLevelWidgets()
                                               if isinstance(d, ImportPreview) and d.isVisible()))
    dlg = ImportPreview(win, _csv(tmp_path / "t.csv"))
    timer.stop()
    assert dlg.table is not None and dlg.table.n_rows_total == 60          # reread still returns the table
    assert len(ticks) >= 20 and max(b - a for a, b in zip(ticks, ticks[1:])) < 0.5
    assert seen and "Reading the first rows of t.csv" in seen[0]            # shown at once, with a word
    assert dlg.buttons.button(dlg.buttons.StandardButton.Ok).isEnabled() and dlg.read_button.isEnabled()
    dlg.reject()


def test_cancel_during_the_read_closes_the_dialog_and_keeps_nothing(qtbot, win, tmp_path, monkeypatch):
    closed = []
    _slow_reader(monkeypatch, 1.0, closed)
    QTimer.singleShot(400, lambda: [d.reject() for d in QApplication.topLevelWidgets()
                                    if isinstance(d, ImportPreview) and d.isVisible()])
    dlg = ImportPreview(win, _csv(tmp_path / "t.csv"))
    assert dlg.table is None and dlg.exec() == 0                           # over: exec does not show it again
    qtbot.waitUntil(lambda: closed == [True], timeout=10_000)              # the late table was closed


def test_a_quick_read_shows_no_reading_note(qtbot, win, tmp_path):
    dlg = ImportPreview(win, _csv(tmp_path / "t.csv"))
    assert dlg.table is not None and "Reading" not in dlg.notes.text() and not dlg.isVisible()
    dlg.reject()
