"""Opaque pixels never come out translucent, whatever the colour count (tester7 F29: with 3 colours 4.2 % of the opaque
pixels of a half-opaque picture came out at alpha 106, a see-through hole libimagequant never
makes), with and without dithering."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from somdesk.cli import main


@pytest.fixture
def mixed(tmp_path):
    rng = np.random.default_rng(7)
    img = rng.integers(0, 256, (64, 64, 4), dtype=np.uint8)
    img[:32, :, 3] = 255                                   # opaque noise
    img[32:48, :, 3] = rng.integers(1, 255, (16, 64))      # translucent
    img[48:, :, 3] = 0                                     # clear
    path = tmp_path / "mixed.png"
    Image.fromarray(img, "RGBA").save(path)
    return path, img


@pytest.mark.parametrize("colours", [3, 4, 8])
@pytest.mark.parametrize("dither", [False, True])
def test_opaque_pixels_stay_opaque(tmp_path, mixed, colours, dither):
    path, img = mixed
    out = tmp_path / "q.png"
    assert main(["quantize", str(path), str(out), "--colors", str(colours)] + (["--dither"] if dither else [])) == 0
    got = np.asarray(Image.open(out).convert("RGBA"))
    opaque = img[..., 3] == 255
    assert (got[..., 3][opaque] == 255).all()
    assert (got[..., 3][img[..., 3] == 0] == 0).all()
