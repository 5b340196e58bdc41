"""File > Open of a binary file says it is not a palette, in one line (testerW #4: "Opened
binary.csv: 4 colours." and four near-black swatches)."""
from __future__ import annotations

from .helpers import make_window, open_and_wait


def test_the_window_refuses_a_binary_file(qtbot, tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(bytes(range(256)) * 40)
    win = make_window(qtbot)
    try:
        before = win.session.dataset
        open_and_wait(qtbot, win, path)
        assert win.session.dataset is before                 # the random colours stay
        assert "not a palette" in (win.last_error or "") and "\n" not in win.last_error
    finally:
        win.close()
