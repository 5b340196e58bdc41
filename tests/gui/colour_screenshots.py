"""Screenshots of the colour features of the one window (issues 11 and 15); run by hand:

    Xvfb :99 -screen 0 1400x900x24 &
    DISPLAY=:99 QT_QPA_PLATFORM=xcb python tests/gui/colour_screenshots.py docs/screenshots

Writes collection-picker.png, sort-preview.png, cvd-preview.png and
oklab-vs-srgb.png (the same colours trained in sRGB and in OKLab, side by side).
"""
from __future__ import annotations

import os
import sys

import numpy as np

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "palettes")


def main(out_dir: str) -> int:
    from PIL import Image

    from somdesk.core import SOMConfig
    from tests.gui.shot_tools import Shots

    shots = Shots(out_dir)
    settle, until = shots.settle, shots.until

    def screen(name: str, widget) -> None:
        shots.screen(widget, name)

    def make(pos=(0, 0)):
        return shots.window(1320, 860, pos, interactive=True)

    def train(w, cfg) -> None:
        w.left.params.set_config(cfg)
        w.train()
        shots.idle(w)

    # 1. a collection: the picker over the window
    w = make()
    w.open_paths([os.path.join(FIXTURES, "nes_512.pal")])
    until(lambda: getattr(w, "collection_picker", None) is not None and w.collection_picker.isVisible())
    w.collection_picker.select(3)
    screen("collection-picker.png", w)
    w.collection_picker.accept()
    settle(200)

    # 2. Palette > Sort by map on a real palette: $SORT_PALETTE (the docs' shot: GIMP's Tango.gpl
    #    from Debian's gimp-data), else a hue wheel in random order
    real = os.environ.get("SORT_PALETTE")
    if real:
        w.open_paths([real])
        until(lambda: not w.runner.busy and w.session.dataset is not None
              and w.session.dataset.source == real)
    else:
        import colorsys

        hues = np.array([colorsys.hsv_to_rgb(k / 36, 0.75, 0.9) for k in range(36)])
        w.session.new_colours(hues[np.random.default_rng(2).permutation(36)], title="hue wheel, shuffled")
    dialog = w.colour.sort_by_map()
    until(lambda: dialog.result is not None)
    dialog.move(200, 180)
    screen("sort-preview.png", w)
    dialog.accept()
    settle(200)
    w.close()

    # 3. colour-vision preview of a trained map (strip + map view), deuteranopia
    rng = np.random.default_rng(11)
    colours = rng.integers(0, 256, size=(40, 3)) / 255.0
    w = make()
    w.session.new_colours(colours, title="40 random colours")
    train(w, SOMConfig(width=30, height=30, iterations=300, seed=5))
    w.set_view("strip")
    w.colour.set_cvd("deuteranopia", 1.0)
    settle(300)
    screen("cvd-preview.png", w)

    # 4. the same colours trained in sRGB and in OKLab, side by side
    w.colour.set_cvd(None)
    w.set_view("colours")
    settle(300)
    left = w.grab().toImage()
    w.interactive = False          # no "discard the training?" prompt for the screenshot
    w.colour_space.combo.setCurrentIndex(w.colour_space.combo.findData("oklab"))
    train(w, SOMConfig(width=30, height=30, iterations=300, seed=5))
    w.set_view("colours")
    settle(300)
    right = w.grab().toImage()
    w.close()
    paths = []
    for name, img in (("_srgb.png", left), ("_oklab.png", right)):
        p = os.path.join(out_dir, name)
        img.save(p)
        paths.append(p)
    a, b = (Image.open(p).convert("RGB") for p in paths)
    both = Image.new("RGB", (a.width + b.width + 10, max(a.height, b.height)), (255, 255, 255))
    both.paste(a, (0, 0))
    both.paste(b, (a.width + 10, 0))
    both.save(os.path.join(out_dir, "oklab-vs-srgb.png"))
    for p in paths:
        os.remove(p)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
