"""A FIFO or a device given to the window is refused at once: nothing waits for a writer."""
from __future__ import annotations

import os
import time

import pytest


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
@pytest.mark.parametrize("name", ["pipe.csv", "pipe.gpl", "pipe.png", "pipe.somz"])
def test_fifo_is_refused_without_blocking(qtbot, win, tmp_path, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)                      # nobody ever writes to it: an open() would block for ever
    t0 = time.monotonic()
    win.open_paths([str(fifo)])
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=10_000)
    assert time.monotonic() - t0 < 10
    assert "not a regular file" in (win.last_error or "")
    assert str(tmp_path) not in win.last_error                  # the name alone, as for every file
    assert win.session.dataset is None and not win.tables.holds_data


def test_device_is_refused(qtbot, win):
    win.open_paths(["/dev/null"])
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=10_000)
    # a device by its path: "null" alone said nothing (testerW #8), and said to be a device
    assert "cannot read /dev/null: it is a device, not a regular file" in win.last_error
    assert "Opening" not in win.statusBar().currentMessage()      # no stale "Opening null…"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_save_dialog_refuses_a_pipe_or_device_and_asks_again(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from somdesk.gui import dialogs

    fifo = tmp_path / "out.png"
    os.mkfifo(fifo)
    answers = [(str(fifo), "PNG image (*.png)"), ("/dev/null", "PNG image (*.png)"),
               (str(tmp_path / "real.png"), "PNG image (*.png)")]
    warned = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: answers.pop(0)))
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text: warned.append(text)))
    t0 = time.monotonic()
    got = dialogs.ask_save_path(None, "Export image", str(tmp_path), [("PNG image", ["*.png"])])
    assert got == str(tmp_path / "real.png") and time.monotonic() - t0 < 5
    # named by the last part, as every file the window reads, and said what it is (left14: the
    # device's whole path was shown)
    # a pipe in the window's one wording for pipes (io.names.refuse_fifo, every writer's: testerG #1)
    assert warned == ["cannot write out.png: it is a pipe (FIFO), not a regular file, and the window does not "
                      "wait for a reader; choose a file",
                      "cannot save to /dev/null: it is a device, not a regular file; choose a file name"]
    folder = tmp_path / "folder.png"
    folder.mkdir()
    assert dialogs.special_target(str(folder)) == ("cannot save to folder.png: it is a folder, not a regular file; "
                                                   "choose a file name")
    assert dialogs.special_target(str(tmp_path / "new.png")) is None
