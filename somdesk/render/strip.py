"""The input strip and the "strip + map" picture (the original service's layout:
a strip of the input colours, a white gap, the map below)."""
from __future__ import annotations

import numpy as np

from somdesk.render.colour_tables import to_rgb8


def strip_height(body_height: int) -> int:
    """Height in pixels of the input strip above a map picture `body_height` pixels high."""
    return max(8, body_height // 10)


def gap_height(scale: int) -> int:
    """Height in pixels of the white gap between the input strip and the map: max(2, scale)."""
    return max(2, int(scale))


def input_strip(inputs: np.ndarray, width_px: int, height_px: int) -> np.ndarray:
    """(height_px, width_px, 3) uint8: the input colours (N, >=3 floats in [0, 1]) side by side,
    in order; column x shows input floor(x N / width) (equal shares, nothing lost to rounding)."""
    colours = to_rgb8(np.asarray(inputs, dtype=np.float64)[:, :3])
    n = len(colours)
    which = np.minimum((np.arange(width_px) * n) // max(width_px, 1), n - 1)
    return np.broadcast_to(colours[which][None, :, :], (height_px, width_px, 3)).copy()


def strip_and_map(inputs: np.ndarray, body: np.ndarray, scale: int = 4) -> np.ndarray:
    """(strip + gap + Hb, Wb, 3) uint8: the input strip of `inputs` (N, >=3 floats in [0, 1]),
    a white gap of max(2, scale) px, then the map picture `body` (Hb, Wb, 3) uint8."""
    strip = input_strip(inputs, body.shape[1], strip_height(body.shape[0]))
    gap = np.full((gap_height(scale), body.shape[1], 3), 255, dtype=np.uint8)
    return np.concatenate([strip, gap, body], axis=0)
