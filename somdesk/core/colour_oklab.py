"""sRGB <-> OKLab, vectorised, for the colour quantiser's perceptual space.

    lab = srgb8_to_oklab(pixels)          # (N, 3) uint8 -> (N, 3) float64
    rgb = oklab_to_srgb(lab)              # (N, 3) float64 sRGB in [0, 1] (not clipped)

Source: Bjorn Ottosson, "A perceptual color space for image processing" (2020),
https://bottosson.github.io/posts/oklab/ -- the M1 (linear sRGB -> LMS) and M2
(LMS' -> Lab) matrices as published there; the inverses are computed from them
so a round trip is exact to float precision.  The sRGB transfer function is
IEC 61966-2-1.  L is 0 (black) .. 1 (white); a and b are roughly -0.4 .. 0.4.
Tested against coloraide's "oklab" space as the oracle (tests/usecases/test_colour_oklab.py).
"""
from __future__ import annotations

import numpy as np

__all__ = ["srgb_to_linear", "linear_to_srgb", "srgb_to_oklab", "oklab_to_srgb", "srgb8_to_oklab"]

_M1 = np.array([[0.4122214708, 0.5363325363, 0.0514459929],
                [0.2119034982, 0.6806995451, 0.1073969566],
                [0.0883024619, 0.2817188376, 0.6299787005]])
_M2 = np.array([[0.2104542553, 0.7936177850, -0.0040720468],
                [1.9779984951, -2.4285922050, 0.4505937099],
                [0.0259040371, 0.7827717662, -0.8086757660]])
_M1_INV = np.linalg.inv(_M1)
_M2_INV = np.linalg.inv(_M2)


def srgb_to_linear(c) -> np.ndarray:
    """sRGB values in [0, 1] (any shape) to linear light (IEC 61966-2-1)."""
    c = np.asarray(c, dtype=np.float64)
    return np.where(c <= 0.04045, c / 12.92, ((np.abs(c) + 0.055) / 1.055) ** 2.4 * np.sign(c))


def linear_to_srgb(c) -> np.ndarray:
    """Linear light (any shape) to sRGB values; out-of-gamut values are not clipped."""
    c = np.asarray(c, dtype=np.float64)
    return np.where(np.abs(c) <= 0.0031308, c * 12.92, 1.055 * np.abs(c) ** (1 / 2.4) * np.sign(c) - 0.055 * np.sign(c))


_LINEAR8 = srgb_to_linear(np.arange(256) / 255.0)   # lookup table for 8-bit input


def _mat3(m: np.ndarray, v: np.ndarray) -> np.ndarray:
    """v @ m.T for (..., 3) v, as three fused sums: BLAS is slow for a 3-long inner product."""
    out = np.empty(v.shape, dtype=np.float64)
    x, y, z = v[..., 0], v[..., 1], v[..., 2]
    for r in range(3):
        out[..., r] = m[r, 0] * x + m[r, 1] * y + m[r, 2] * z
    return out


def _linear_to_oklab(lin: np.ndarray) -> np.ndarray:
    return _mat3(_M2, np.cbrt(_mat3(_M1, lin)))


def srgb_to_oklab(rgb) -> np.ndarray:
    """(..., 3) sRGB in [0, 1] -> (..., 3) OKLab (L, a, b) float64."""
    return _linear_to_oklab(srgb_to_linear(rgb))


def srgb8_to_oklab(rgb8) -> np.ndarray:
    """(..., 3) uint8 sRGB -> (..., 3) OKLab float64 (a table lookup for the transfer function)."""
    return _linear_to_oklab(_LINEAR8[np.asarray(rgb8, dtype=np.uint8)])


def oklab_to_srgb(lab) -> np.ndarray:
    """(..., 3) OKLab -> (..., 3) sRGB float64, not clipped (out-of-gamut values fall outside [0, 1])."""
    lms = _mat3(_M2_INV, np.asarray(lab, dtype=np.float64)) ** 3
    return linear_to_srgb(_mat3(_M1_INV, lms))
