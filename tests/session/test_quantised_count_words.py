"""The count of colours Quantise full picture reports says why a big map gives 256 (testerG #12)."""
import numpy as np

from somdesk.session.progress import QuantisedPicture


def _picture(entries, parts):
    """A picture whose palette has `entries` entries, `sum(parts)` of them used."""
    return QuantisedPicture(np.zeros((entries, 3), np.uint8), np.zeros((2, 2), np.uint8), 30.0, sum(parts),
                            parts=parts)


def test_a_map_of_more_nodes_than_a_png_palette_says_why():
    text = _picture(256, (256, 0, 0)).colours_text(400)
    assert text.startswith("256 colours") and "at most 256" in text and "the map's 144 nodes the fewest pixels pick, of 400," in text
    with_alpha = _picture(256, (254, 1, 1)).colours_text(400)
    assert "at most 256" in with_alpha and "254 of the map's 400 node colours" in with_alpha


def test_the_live_preview_of_every_node_says_nothing_of_a_cap():
    # the live preview of an opaque picture draws with all 400 node colours: no cap to explain
    assert _picture(400, (390, 0, 0)).colours_text(400) == "390 colours"


def test_a_map_that_fits_says_nothing_more():
    assert _picture(64, (64, 0, 0)).colours_text(64) == "64 colours"
    assert "at most" not in _picture(70, (64, 5, 1)).colours_text(64)
