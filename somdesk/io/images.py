"""Pictures of maps as RGB arrays and PNG files (Pillow; no Qt).

Shared by the CLI and the window's exports so both give the same pixels; the
colour conversion and the input strip are somdesk.render's.
Scaling is nearest-neighbour: every node is a crisp `scale` x `scale` block.
"""
from __future__ import annotations

import numpy as np

from somdesk.core.options import count_text
from somdesk.errors import SomdeskError
# The pictures come from somdesk.render (one renderer for the screen and every export);
# these names stay for the callers that import them from here.
from somdesk.render.colour_tables import to_rgb8
from somdesk.render.strip import input_strip
from somdesk.render.strip import strip_and_map as seed_layout
from somdesk.render.strip import strip_height as seed_strip_height
from somdesk.render.views import colour_nodes as map_rgb

__all__ = ["MAX_IMAGE_PIXELS", "to_rgb8", "map_rgb", "scale_nearest", "input_strip", "seed_strip_height",
           "seed_layout", "seed_picture", "png_bytes", "save_png"]

MAX_IMAGE_PIXELS = 100_000_000  # ~300 MB of RGB; bigger exports are refused


def scale_nearest(img: np.ndarray, scale: int) -> np.ndarray:
    """(H * scale, W * scale[, C]): every pixel of `img` (H, W[, C]) becomes a scale x scale
    block; SomdeskError for a scale below 1 or a result over MAX_IMAGE_PIXELS."""
    if scale < 1:
        raise SomdeskError(f"scale must be at least 1, got {scale}")
    out_pixels = img.shape[0] * img.shape[1] * scale * scale
    if out_pixels > MAX_IMAGE_PIXELS:
        raise SomdeskError(f"an image of {count_text(out_pixels, 'pixel')} is over the limit of {MAX_IMAGE_PIXELS:,}; "
                           "choose a smaller scale")
    # in bands, as render.geometry.layout draws maps: no numpy call holds the GIL for the whole picture
    from somdesk.render.geometry import bands

    h, w = img.shape[0] * scale, img.shape[1] * scale
    out = np.empty((h, w) + img.shape[2:], dtype=img.dtype)
    for y0, y1 in bands(w, h):
        out[y0:y1] = np.repeat(img[np.arange(y0, y1) // scale], scale, axis=1)
    return out


def seed_picture(inputs: np.ndarray, weights: np.ndarray, scale: int = 4) -> np.ndarray:
    """The "strip + map" picture: a strip of the input colours above the trained map (render.render_view "strip").

    inputs (N, >=3) floats in [0, 1], weights (H, W, >=3) RGB in [0, 1]; returns (h, w, 3)
    uint8 at `scale` pixels per node.  Raises SomdeskError for a scale below 1, a picture
    over MAX_IMAGE_PIXELS or weights with fewer than 3 components.
    """
    return seed_layout(np.asarray(inputs, dtype=np.float64), scale_nearest(map_rgb(weights), scale), scale)


def png_bytes(img: np.ndarray) -> bytes:
    """The bytes of an (H, W, 3), (H, W, 4) or (H, W) uint8 image as PNG (Pillow, no optimisation).

    Pillow raises TypeError for an array it has no mode for (another dtype or shape).
    """
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(img)).save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def save_png(img: np.ndarray, path) -> None:
    """Write an (H, W, 3), (H, W, 4) or (H, W) uint8 image as PNG, atomically.

    Raises SomdeskError naming `path` when it cannot be written (somdesk.io.atomic) and
    `png_bytes`' TypeError for an array Pillow cannot store.
    """
    from somdesk.io.atomic import atomic_write_bytes

    atomic_write_bytes(path, png_bytes(img))
