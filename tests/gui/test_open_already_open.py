"""A saved map opened again while it is open (testerH #9): it was read again in place without a
word, dropping unsaved changes; now its window comes forward and says "x.somz is already open."."""
from __future__ import annotations

import os

import numpy as np

from .helpers import make_window, open_and_wait, save_colour_map, train


def test_opening_an_open_map_again_says_so_and_keeps_its_unsaved_changes(qtbot, tmp_path):
    path = save_colour_map(str(tmp_path / "m.somz"))
    win = make_window(qtbot)
    assert open_and_wait(qtbot, win, path)
    assert win.session.path == path
    train(qtbot, win)                                                  # unsaved training
    before = np.array(win.session.map.weights, copy=True)
    assert win.unsaved()
    # another spelling of the same file, from this window and from a second one
    other = make_window(qtbot)
    for w in (win, other):
        assert w.open_paths([os.path.join(str(tmp_path), ".", "m.somz")]) is False
        assert not win.runner.busy and not other.runner.busy           # nothing read again
        assert win.statusBar().currentMessage() == ("m.somz is already open. Its unsaved changes are kept; "
                                                    "it was not read again.")
        np.testing.assert_array_equal(win.session.map.weights, before)
        assert win.unsaved()
    assert other.session.path is None                                  # the second window opened nothing
    # saved, and opened again in its own window: read again (it may have changed), and said so
    assert win.session.save(path) or True
    assert not win.unsaved()
    assert win.open_paths([path]) is True
    assert win.statusBar().currentMessage() == "Opening m.somz again (it was already open)…"
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=60_000)
    assert win.session.path == path
    # from the second window it is not: the first one comes forward
    assert other.open_paths([path]) is False and not other.runner.busy
    assert win.statusBar().currentMessage() == "m.somz is already open."
    win.close()
    other.close()
