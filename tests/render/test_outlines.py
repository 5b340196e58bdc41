"""Node outlines only where a node is seen big enough (testerH #8: a moire of specks at 5.5 px a node)."""
import numpy as np

from somdesk.render.geometry import layout
from somdesk.render.outlines import EDGE_SHADE, OUTLINE_MIN_PX, outline_width, outlined

BLUE = np.array([0, 114, 178], dtype=np.uint8)
SHADE = (BLUE.astype(np.float32) * EDGE_SHADE).astype(np.uint8)


def _colours(pic):
    return {tuple(c) for c in pic.reshape(-1, 3)}


def test_a_small_scale_hex_picture_has_no_outline_colour_and_a_big_one_keeps_it():
    rgb = np.broadcast_to(BLUE, (55, 69, 3)).copy()          # one segment of one colour, testerH's shape
    small = outlined(rgb, True, 24, shown=380 / 69)         # ~5.5 px a node on screen
    assert tuple(SHADE) not in _colours(small)
    np.testing.assert_array_equal(small, layout(rgb, True, 24))
    small_export = outlined(rgb, True, 5)                   # an export drawn at 5 px a node
    assert tuple(SHADE) not in _colours(small_export)
    for shown in (None, 24, OUTLINE_MIN_PX):                 # 1:1, and the least size that keeps them
        big = outlined(rgb, True, 24, shown=shown)
        share = np.mean(np.all(big.reshape(-1, 3) == SHADE, axis=1))
        assert 0.05 < share < 0.4, share


def test_an_outline_is_at_least_one_shown_pixel_wide():
    assert outline_width(24, 11.9) == 0
    assert outline_width(24, 12) == 2 and outline_width(24, 13) == 2
    assert outline_width(24, 24) == outline_width(24, None) == 1 == outline_width(24, 100)
    assert outline_width(64, 20) == 4
    assert outline_width(24, float("nan")) == 0 and outline_width(24, 0) == 0
