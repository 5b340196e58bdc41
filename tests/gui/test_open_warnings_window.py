"""The window says what the CLI says when it opens a palette or a picture (tester F #2, #5): the
reader's warnings above the input colours (LeftPanel.notes) and their count in the status
line; and a failed open leaves the window exactly as it was (tester F #14)."""
from __future__ import annotations

import struct
import zlib

import numpy as np
from PIL import Image

from somdesk.core import SOMConfig
from somdesk.io.palettes import read_palette

from .helpers import make_window, open_and_wait, train

CSS = (":root {\n  --red: hsl(0 100% 50%);\n  --blue: oklch(45.2% 0.313 264.05);\n"
       "  --ref: var(--red);\n  --mix: color-mix(in srgb, red 50%, blue);\n  --short: #0f0;\n}\n")


def test_palette_warnings_are_listed_above_the_colours_and_counted_in_the_status(qtbot, win, tmp_path):
    css = tmp_path / "colors.css"
    css.write_text(CSS)
    said = read_palette(css).warnings               # `somdesk palette info` lists these
    assert len(said) == 3
    assert open_and_wait(qtbot, win, css)
    notes = win.left.notes
    assert notes.isVisible()
    text = notes.text()
    assert text.startswith("3 warnings reading colors.css:")
    assert all(w in text for w in said)              # the same words, each one
    assert win.statusBar().currentMessage() == ("Opened colors.css: 3 colours, with 3 warnings "
                                               "(listed in the left panel).")
    # an edit is the same document: the list stays, and its undo keeps it too
    win.edit_colours(win.session.dataset.colours[:2], win.session.dataset.names[:2], "Remove colour")
    assert win.session.dataset.warnings == said and notes.isVisible()
    win.undo.undo()
    assert win.session.dataset.warnings == said
    # a clean file: the list goes
    gpl = tmp_path / "ok.gpl"
    gpl.write_text("GIMP Palette\nName: ok\n#\n255 0 0 Red\n0 0 255 Blue\n")
    assert open_and_wait(qtbot, win, gpl)
    assert not notes.isVisible() and notes.text() == ""
    assert win.statusBar().currentMessage() == "Opened ok.gpl: 2 colours."


def test_an_animated_picture_says_frame_1_is_used(qtbot, win, tmp_path):
    path = tmp_path / "anim.webp"
    frames = [Image.new("RGB", (80, 80), c) for c in ("red", "lime", "blue")]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100)
    assert open_and_wait(qtbot, win, path)
    assert win.session.kind == "image"
    assert "anim.webp has 3 frames; frame 1 is used" in win.left.notes.text()
    assert win.statusBar().currentMessage() == "Opened anim.webp (image), with 1 warning (listed in the left panel)."


def _bomb_png(path) -> None:
    """A PNG whose header says 20,000 x 20,000 pixels (400 Mpx, over every limit)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 61))
                     + chunk(b"IEND", b""))


def _state(w):
    s = w.session
    return (w.windowTitle(), w.isWindowModified(), s.kind, s.dataset, s.path, w.undo.count(),
            w.left.notes.text(), None if s.map is None else s.map.weights.tobytes())


def test_a_failed_open_leaves_the_window_as_it_was(qtbot, win, tmp_path):
    bomb = tmp_path / "bomb.png"
    _bomb_png(bomb)
    # a fresh (empty) window: "somdesk", never "somdesk — somdesk"
    before = _state(win)
    assert before[0] == "somdesk[*]" and not before[1]
    open_and_wait(qtbot, win, bomb)
    assert "bomb.png" in win.last_error and "too large" in win.last_error
    assert _state(win) == before
    assert "Opening" not in win.statusBar().currentMessage()
    # a path that is not there: refused at once, nothing started
    win.last_error = None
    assert win.open_paths([str(tmp_path / "gone.gpl")]) is False
    assert not win.runner.busy and "gone.gpl" in win.last_error and _state(win) == before


def test_a_failed_open_leaves_a_trained_map_and_its_warnings(qtbot, tmp_path):
    css = tmp_path / "colors.css"
    css.write_text(CSS)
    bomb = tmp_path / "bomb.png"
    _bomb_png(bomb)
    w = make_window(qtbot, config=SOMConfig(width=6, height=6, iterations=20, seed=3))
    try:
        assert open_and_wait(qtbot, w, css)
        w.left.params.set_config(SOMConfig(width=6, height=6, iterations=20, seed=3))
        w.session.set_config(SOMConfig(width=6, height=6, iterations=20, seed=3))
        train(qtbot, w)
        before = _state(w)
        assert before[6] and before[7] is not None
        open_and_wait(qtbot, w, bomb)
        assert "too large" in w.last_error
        assert _state(w) == before
        np.testing.assert_array_equal(np.frombuffer(before[7]), np.frombuffer(_state(w)[7]))
    finally:
        w.confirm_unsaved = False
        w.close()
