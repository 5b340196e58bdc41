"""Regenerate the app icon and the sample palettes from our own code.

    python resources/make_resources.py

The icon is a trained map itself: 16x16 nodes organised from a rainbow
palette, drawn with rounded corners.  Sample palettes are written with
somdesk's own writers, so they double as format fixtures.
"""
from __future__ import annotations

import colorsys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from somdesk.core import SOM, SOMConfig
from somdesk.io.images import map_rgb
from somdesk.io.palettes import Palette, write_palette

HERE = Path(__file__).parent


def icon_image(size: int) -> Image.Image:
    hues = np.linspace(0, 1, 12, endpoint=False)
    colours = np.array([colorsys.hsv_to_rgb(h, 0.85, 0.95) for h in hues] +
                       [(0.97, 0.97, 0.97), (0.12, 0.12, 0.14)])
    som = SOM(colours, SOMConfig(width=16, height=16, iterations=300, seed=11, init="pca")).train()
    img = Image.fromarray(map_rgb(som.weights)).resize((size, size), Image.NEAREST)
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 6, fill=255)
    out = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    out.paste(img, (0, 0), mask)
    return out


def main() -> None:
    icons = HERE / "icons"
    icons.mkdir(exist_ok=True)
    big = icon_image(256)
    big.save(icons / "somdesk.png")
    for s in (16, 32, 48, 64, 128):
        icon_image(s).save(icons / f"somdesk-{s}.png")
    big.save(icons / "somdesk.ico", sizes=[(16, 16), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    pals = HERE / "palettes"
    pals.mkdir(exist_ok=True)
    rng = np.random.default_rng(20)
    write_palette(Palette.from_array(rng.random((20, 3)), name="Seed job (20 random colours)"),
                  pals / "seed-20-random.gpl")
    rainbow = np.array([colorsys.hsv_to_rgb(h, 1.0, 1.0) for h in np.linspace(0, 1, 24, endpoint=False)])
    write_palette(Palette.from_array(rainbow, name="Rainbow 24"), pals / "rainbow-24.gpl")
    earth = np.array([[0.36, 0.25, 0.2], [0.55, 0.42, 0.3], [0.76, 0.65, 0.45], [0.42, 0.56, 0.3],
                      [0.2, 0.36, 0.22], [0.45, 0.6, 0.7], [0.2, 0.33, 0.5], [0.9, 0.87, 0.8]])
    write_palette(Palette.from_array(earth, name="Earth tones"), pals / "earth-tones.hex")


if __name__ == "__main__":
    main()
