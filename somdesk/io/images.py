"""Pictures of maps as RGB arrays and PNG files (Pillow; no Qt).

Shared by the CLI and the window's exports so both give the same pixels.
Scaling is nearest-neighbour: every node is a crisp `scale` x `scale` block.
"""
from __future__ import annotations

import numpy as np

from somdesk.errors import SomdeskError

MAX_IMAGE_PIXELS = 100_000_000  # ~300 MB of RGB; bigger exports are refused


def to_rgb8(values: np.ndarray) -> np.ndarray:
    """Float colours in [0, 1] (any shape ending in 3) to uint8, clipped and rounded."""
    return np.clip(np.rint(np.asarray(values, dtype=np.float64) * 255.0), 0, 255).astype(np.uint8)


def map_rgb(weights: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 colours of a map whose weights are RGB in [0, 1]."""
    if weights.ndim != 3 or weights.shape[2] < 3:
        raise SomdeskError(f"map has {weights.shape[-1]} dimensions per node; a colour picture needs 3")
    return to_rgb8(weights[..., :3])


def scale_nearest(img: np.ndarray, scale: int) -> np.ndarray:
    """Every pixel becomes a scale x scale block."""
    if scale < 1:
        raise SomdeskError(f"scale must be at least 1, got {scale}")
    out_pixels = img.shape[0] * img.shape[1] * scale * scale
    if out_pixels > MAX_IMAGE_PIXELS:
        raise SomdeskError(f"an image of {out_pixels:,} pixels is over the limit of {MAX_IMAGE_PIXELS:,}; "
                           "choose a smaller scale")
    return np.repeat(np.repeat(img, scale, axis=0), scale, axis=1)


def input_strip(inputs: np.ndarray, width_px: int, height_px: int) -> np.ndarray:
    """(height_px, width_px, 3): the input colours side by side, in order."""
    colours = to_rgb8(inputs[:, :3])
    n = len(colours)
    # column x shows input floor(x * n / width): equal shares, no gaps lost to rounding
    which = np.minimum((np.arange(width_px) * n) // max(width_px, 1), n - 1)
    return np.broadcast_to(colours[which][None, :, :], (height_px, width_px, 3)).copy()


def seed_strip_height(body_height: int) -> int:
    """Height in pixels of the input strip above a map picture `body_height` pixels high."""
    return max(8, body_height // 10)


def seed_layout(inputs: np.ndarray, body: np.ndarray, scale: int = 4) -> np.ndarray:
    """The seed's layout around a map picture `body`: the input strip, a white gap, the map."""
    strip = input_strip(np.asarray(inputs, dtype=np.float64), body.shape[1], seed_strip_height(body.shape[0]))
    gap = np.full((max(2, scale), body.shape[1], 3), 255, dtype=np.uint8)
    return np.concatenate([strip, gap, body], axis=0)


def seed_picture(inputs: np.ndarray, weights: np.ndarray, scale: int = 4) -> np.ndarray:
    """The seed service's picture: a strip of the input colours above the trained map."""
    return seed_layout(inputs, scale_nearest(map_rgb(weights), scale), scale)


def png_bytes(img: np.ndarray) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(img)).save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def save_png(img: np.ndarray, path) -> None:
    """Write an (H, W, 3) or (H, W) uint8 image as PNG, atomically."""
    from somdesk.io.atomic import atomic_write_bytes

    atomic_write_bytes(path, png_bytes(img))
