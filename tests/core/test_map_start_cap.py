"""A map of more nodes than an indexed PNG holds still quantises (core.map_quantise.map_start).

The window allows picture maps up to 2000x2000 nodes; the Quantise action and
`somdesk quantize --map` start the palette fit from the node colours, and the fit takes at
most 256.  RGBA pictures always dropped the least used nodes (map_palette); RGB pictures
must follow the same rule instead of failing with "the number of colours must be between
2 and 256".
"""
from __future__ import annotations

import numpy as np

from somdesk.core.map_quantise import map_start, quantise_from_map
from somdesk.core.quantize import MAX_COLOURS, fitting_histogram


def _picture_and_map(side: int = 20):
    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
    codebook = rng.random((side, side, 3))
    return img, codebook


def test_an_rgb_picture_keeps_the_most_used_256_nodes():
    img, codebook = _picture_and_map()
    hist, _ = fitting_histogram(img, 0)
    start = map_start(img, codebook, hist)
    assert start.shape == (MAX_COLOURS, 3) and start.dtype == np.uint8
    nodes = np.clip(np.rint(codebook.reshape(-1, 3) * 255), 0, 255).astype(np.uint8)
    # what each node would be picked for (nearest in sRGB, weighted by pixels): the dropped
    # ones are the least picked, and the kept ones keep node order
    d2 = ((hist.colours[:, None, :3].astype(float) - nodes[None].astype(float)) ** 2).sum(axis=2)
    use = np.bincount(d2.argmin(axis=1), weights=hist.counts, minlength=len(nodes))
    kept = np.sort(np.argsort(use, kind="stable")[len(nodes) - MAX_COLOURS:])
    np.testing.assert_array_equal(start, nodes[kept])


def test_an_rgb_picture_with_a_big_map_is_quantised_as_an_rgba_one_is():
    img, codebook = _picture_and_map()
    idx, palette = quantise_from_map(img, codebook)
    assert idx.shape == img.shape[:2] and idx.dtype == np.uint8
    assert 2 <= len(palette) <= MAX_COLOURS and int(idx.max()) < len(palette)
    rgba = np.dstack([img, np.full(img.shape[:2], 255, np.uint8)])
    rgba[0, 0, 3] = 0                                   # one transparent pixel: the RGBA rule
    idx4, palette4 = quantise_from_map(rgba, codebook)
    assert len(palette4) <= MAX_COLOURS and int(idx4.max()) < len(palette4)


def test_a_map_within_the_limit_starts_from_every_node():
    img, codebook = _picture_and_map(side=4)
    hist, _ = fitting_histogram(img, 0)
    start = map_start(img, codebook, hist)
    np.testing.assert_array_equal(start, np.clip(np.rint(codebook.reshape(-1, 3) * 255), 0, 255).astype(np.uint8))
