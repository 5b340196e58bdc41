"""A soft-edged transparent picture: its opaque pixels stay fully opaque after quantisation."""
import numpy as np
import pytest

from somdesk.core.quantize import quantize_picture


def soft_disc(h=200, w=200):
    yy, xx = np.mgrid[0:h, 0:w]
    r = np.hypot(yy - h / 2, xx - w / 2)
    img = np.zeros((h, w, 4), np.uint8)
    img[..., 0] = np.clip(xx * 1.2, 0, 255)
    img[..., 1] = np.clip(yy * 1.2, 0, 255)
    img[..., 2] = 120
    img[..., 3] = np.where(r < 60, 255, np.where(r < 80, (80 - r) / 20 * 255, 0)).astype(np.uint8)
    return img


@pytest.mark.parametrize("colours", [16, 64, 256])
def test_opaque_pixels_stay_opaque_and_transparent_ones_transparent(colours):
    img = soft_disc()
    idx, palette = quantize_picture(img, colours, seed=1)
    out = palette[idx]
    opaque, clear = img[..., 3] == 255, img[..., 3] == 0
    assert np.all(out[opaque][:, 3] == 255)
    assert np.all(out[clear][:, 3] == 0)
    soft = (img[..., 3] > 0) & (img[..., 3] < 255)
    assert np.mean(np.abs(out[soft][:, 3].astype(int) - img[soft][:, 3])) < 40    # the edge stays soft
