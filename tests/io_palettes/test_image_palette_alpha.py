"""An RGBA swatch image keeps each colour's alpha, as the same swatches in an indexed PNG with
tRNS do (tester7 F30)."""
from __future__ import annotations

import io

import numpy as np
from PIL import Image

from somdesk.io.palettes import read_palette_bytes

SWATCHES = np.array([[[255, 0, 0, 255], [0, 255, 0, 128], [0, 0, 255, 0], [128, 128, 128, 10],
                      [255, 0, 0, 255], [0, 255, 0, 64]]], np.uint8)


def _png(pixels, mode) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels, mode).save(buf, "PNG")
    return buf.getvalue()


def test_rgba_swatch_image_keeps_alpha_and_skips_the_invisible():
    pal = read_palette_bytes(_png(SWATCHES, "RGBA"), "sw.png")
    assert [(s.hex, s.alpha) for s in pal.swatches] == [
        ("#ff0000", 255), ("#00ff00", 128), ("#808080", 10), ("#00ff00", 64)]
    assert any("1 fully transparent pixel ignored" in w for w in pal.warnings)


def test_opaque_rgb_image_is_opaque():
    pal = read_palette_bytes(_png(SWATCHES[..., :3], "RGB"), "sw.png")
    assert all(s.alpha == 255 for s in pal.swatches)
    assert [s.hex for s in pal.swatches] == ["#ff0000", "#00ff00", "#0000ff", "#808080"]
