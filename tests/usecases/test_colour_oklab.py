"""OKLab conversion against coloraide as the oracle."""
import numpy as np
import pytest

from somdesk.core.colour_oklab import oklab_to_srgb, srgb8_to_oklab, srgb_to_oklab

coloraide = pytest.importorskip("coloraide")


def test_matches_coloraide_on_8bit_colours():
    rng = np.random.default_rng(3)
    rgb8 = np.vstack([rng.integers(0, 256, (300, 3)), [[0, 0, 0], [255, 255, 255], [255, 0, 0],
                                                        [0, 255, 0], [0, 0, 255], [1, 1, 1], [128, 128, 128]]])
    ours = srgb8_to_oklab(rgb8.astype(np.uint8))
    want = np.array([coloraide.Color("srgb", list(c / 255)).convert("oklab").coords() for c in rgb8])
    assert np.max(np.abs(ours - want)) < 2e-4          # coloraide's matrices are recomputed at higher precision
    assert np.allclose(srgb_to_oklab(rgb8 / 255.0), ours)


def test_white_black_and_round_trip():
    lab = srgb8_to_oklab(np.array([[255, 255, 255], [0, 0, 0]], np.uint8))
    assert np.allclose(lab[0], [1, 0, 0], atol=1e-4) and np.allclose(lab[1], 0)
    rgb = np.random.default_rng(1).random((500, 3))
    assert np.allclose(oklab_to_srgb(srgb_to_oklab(rgb)), rgb, atol=1e-10)
