"""The one window with a transparent picture (issue 11): open, train, quantise, export, save."""
from __future__ import annotations

import numpy as np
from PIL import Image

from somdesk.core import SOMConfig
from somdesk.gui.window import Window

from .helpers import FIRST_RUN_TIMEOUT_MS


def wait_idle(qtbot, w):
    qtbot.waitUntil(lambda: not w.runner.busy, timeout=FIRST_RUN_TIMEOUT_MS)


def sticker(h=150, w=200):
    """Four flat colours and a half-transparent rim on a large transparent area (stored as white)."""
    img = np.zeros((h, w, 4), np.uint8)
    img[..., :3] = 255
    for k, rgb in enumerate([(200, 30, 30), (30, 160, 40), (40, 60, 210), (230, 200, 20)]):
        r, c = 30 + (k // 2) * 45, 40 + (k % 2) * 60
        img[r:r + 45, c:c + 60] = rgb + (255,)
    img[28:30, 40:160] = (40, 60, 210, 100)
    return img


def test_transparent_picture_through_the_window(qtbot, win, tmp_path):
    img = sticker()
    src = tmp_path / "sticker.png"
    Image.fromarray(img, "RGBA").save(src)
    assert win.open_paths([str(src)])
    wait_idle(qtbot, win)
    s = win.session
    assert s.kind == "image" and s.dataset.has_alpha
    assert len(s.dataset.sample) == np.count_nonzero(img[..., 3])     # only visible pixels train
    win.set_view("picture")
    win.draw()
    shown = win.canvas.image_array()
    assert shown.shape == (150, 200, 3)
    assert {tuple(p) for p in shown[:8, :16].reshape(-1, 3)} == {(204, 204, 204), (255, 255, 255)}
    original = tmp_path / "original.png"                              # Export image of the original
    assert win.export_image(str(original))
    with Image.open(original) as im:                                  # its transparency, not the checkerboard
        assert im.mode == "RGBA"
        np.testing.assert_array_equal(np.asarray(im), img)
    win.set_view("quantised")                                         # another view shown: the picture
    assert win.map_image(view="picture").shape == (150, 200, 3)        # is drawn as on screen (RGB)
    win.set_view("picture")

    win.left.params.set_config(SOMConfig(width=4, height=4, iterations=5, seed=2, mode="batch", init="pca"))
    win.set_speed("max")
    win.train()
    wait_idle(qtbot, win)
    assert s.map.iteration > 0, win.last_error
    win.set_view("quantised")                     # before Quantise full picture: the live preview
    assert s.quantised is None and win.live_preview is not None
    early = tmp_path / "preview.png"
    assert win.export_image(str(early))            # its transparency kept too (was opaque RGB)
    with Image.open(early) as im:
        assert im.mode == "P" and "transparency" in im.info
        prev = np.asarray(im.convert("RGBA"))
    assert prev.shape[:2] == win.live_preview.indices.shape
    assert prev[0, 0, 3] == 0 and prev[40, 60, 3] == 255             # transparent corner, opaque block
    win.quantise()
    wait_idle(qtbot, win)
    assert win.view == "quantised" and s.quantised is not None and s.quantised.has_alpha
    win.draw()
    np.testing.assert_array_equal(win.canvas.image_array(), s.quantised.rgb())
    # the count says where the colours beyond the map's 16 nodes come from (tester10 #11)
    q = s.quantised
    opaque, translucent, transparent = q.parts
    alpha = q.palette[np.unique(q.indices), 3]
    assert (opaque, translucent, transparent) == (np.sum(alpha == 255), np.sum((alpha > 0) & (alpha < 255)),
                                                  np.sum(alpha == 0))
    assert translucent > 0 and transparent == 1 and opaque <= 16
    assert win.canvas.legend.text().startswith(
        f"{q.used} colours ({opaque} of the map's 16 node colours + {translucent} translucent + transparent), PSNR")

    out = tmp_path / "out.png"
    assert win.export_image(str(out))                                  # File > Export image
    with Image.open(out) as im:
        assert im.mode == "P" and "transparency" in im.info
        back = np.asarray(im.convert("RGBA"))
    assert np.all(back[img[..., 3] == 0][:, 3] == 0)
    np.testing.assert_array_equal(back[img[..., 3] == 255], img[img[..., 3] == 255])
    assert np.all(np.abs(back[28:30, 40:160, 3].astype(int) - 100) <= 1)

    somz = tmp_path / "sticker.somz"
    s.save(str(somz))
    other = Window(interactive=False, confirm_unsaved=False)
    qtbot.addWidget(other)
    assert other.open_paths([str(somz)]) is False        # open in `win` (testerH #9): a copy opens
    import shutil
    shutil.copy(somz, tmp_path / "sticker2.somz")
    other.open_paths([str(tmp_path / "sticker2.somz")])
    wait_idle(qtbot, other)
    assert other.session.kind == "image" and other.session.dataset.has_alpha
    other.close()
