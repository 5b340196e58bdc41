"""core.colour_histogram.distinct_colours: the original's colour count in the side-by-side
caption (fixW #1), equal to the histogram's for RGB and RGBA (transparent = one colour)."""
from __future__ import annotations

import numpy as np
import pytest

from somdesk.core.cancel import CancelToken, Cancelled
from somdesk.core.colour_histogram import colour_histogram, distinct_colours


def test_counts_like_the_histogram(monkeypatch):
    import somdesk.core.colour_histogram as ch

    monkeypatch.setattr(ch, "SLICE_PIXELS", 500)          # many slices
    rng = np.random.default_rng(3)
    rgb = rng.integers(0, 40, (70, 90, 3)).astype(np.uint8)
    assert distinct_colours(rgb) == len(colour_histogram(rgb).counts)
    rgba = np.dstack([rgb, np.full((70, 90), 255, np.uint8)])
    rgba[:5, :, 3] = 0                                    # transparent, whatever RGB they store: one colour
    rgba[5:8, :, 3] = 128
    hist = colour_histogram(rgba)
    assert distinct_colours(rgba) == len(hist.counts) + 1
    assert distinct_colours(np.zeros((4, 4, 3), np.uint8)) == 1
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        distinct_colours(rgb, token)
