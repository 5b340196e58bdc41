"""Colour maths, vectorised with numpy: sRGB, linear sRGB, CIE XYZ, CIELAB, OKLab,
CIEDE2000 and the WCAG 2 contrast ratio.

Conventions (every function below):

- Colours are float arrays whose LAST axis has 3 channels; any leading shape works
  ((3,), (N, 3), (H, W, 3), ...) and is kept.
- sRGB and linear sRGB are in [0, 1] (not 0..255); values outside are allowed and
  handled by extending the transfer curve symmetrically about 0 (what CSS Color 4 and
  coloraide do), so out-of-gamut colours round-trip exactly.
- XYZ is relative to Y = 1 for the D65 white; CIELAB here is relative to the D65 white
  (sRGB's own white, so no chromatic adaptation: L* 0..100, a* b* roughly -128..127).
- OKLab: L 0..1, a and b roughly -0.4..0.4.

Sources: IEC 61966-2-1:1999 (sRGB transfer curve, primaries, D65 white);
CIE 15:2004 (CIELAB); B. Ottosson, "A perceptual color space for image processing"
(2020, https://bottosson.github.io/posts/oklab/) for OKLab's matrices; G. Sharma,
W. Wu, E. N. Dalal, "The CIEDE2000 color-difference formula: implementation notes,
supplementary test data, and mathematical observations", Color Res. Appl. 30 (2005)
for CIEDE2000; WCAG 2.1 section 1.4.3 for relative luminance and contrast ratio.
The conversions are tested against published values and against coloraide.
"""
from __future__ import annotations

import numpy as np

# -- sRGB transfer curve (IEC 61966-2-1) -------------------------------------------


def _as3(x) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.shape[-1:] != (3,):
        raise ValueError(f"expected colours with 3 channels on the last axis, got shape {a.shape}")
    return a


def apply_matrix(x, m) -> np.ndarray:
    """x (..., 3) times the 3x3 matrix m from the left: (m @ x[i]) for every colour.

    einsum, not `x @ m.T`: with a 3-long inner axis matmul goes through BLAS call
    overhead and was ~15x slower on 1e5 colours here.
    """
    return np.einsum("...j,ij->...i", x, m)


def srgb_to_linear(rgb) -> np.ndarray:
    """Decode sRGB (..., 3) in [0, 1] to linear-light sRGB (..., 3); source: IEC 61966-2-1."""
    a = _as3(rgb)
    m = np.abs(a)
    out = np.where(m <= 0.04045, m / 12.92, ((m + 0.055) / 1.055) ** 2.4)
    return np.copysign(out, a)


def linear_to_srgb(lin) -> np.ndarray:
    """Encode linear-light sRGB (..., 3) to sRGB (..., 3); inverse of `srgb_to_linear`."""
    a = _as3(lin)
    m = np.abs(a)
    out = np.where(m <= 0.0031308, m * 12.92, 1.055 * m ** (1 / 2.4) - 0.055)
    return np.copysign(out, a)


# -- linear sRGB <-> XYZ, from the primaries and white point ------------------------
# Derived rather than typed in so the matrix and its inverse agree to machine precision.

_D65_XY = (0.3127, 0.3290)
_PRIMARIES_XY = ((0.640, 0.330), (0.300, 0.600), (0.150, 0.060))


def _xy_to_xyz(x: float, y: float) -> np.ndarray:
    return np.array([x / y, 1.0, (1.0 - x - y) / y])


def _rgb_to_xyz_matrix() -> np.ndarray:
    prim = np.column_stack([_xy_to_xyz(x, y) for x, y in _PRIMARIES_XY])
    scale = np.linalg.solve(prim, _xy_to_xyz(*_D65_XY))
    return prim * scale


D65_WHITE_XYZ = _xy_to_xyz(*_D65_XY)
RGB_TO_XYZ = _rgb_to_xyz_matrix()
XYZ_TO_RGB = np.linalg.inv(RGB_TO_XYZ)


def linear_to_xyz(lin) -> np.ndarray:
    """Linear sRGB (..., 3) -> CIE XYZ (..., 3), D65, Y of white = 1."""
    return apply_matrix(_as3(lin), RGB_TO_XYZ)


def xyz_to_linear(xyz) -> np.ndarray:
    """CIE XYZ (..., 3), D65 -> linear sRGB (..., 3) (may leave [0, 1] when out of gamut)."""
    return apply_matrix(_as3(xyz), XYZ_TO_RGB)


# -- CIELAB (CIE 15:2004), D65 ------------------------------------------------------

_EPS = 216 / 24389    # (6/29)**3
_KAPPA = 24389 / 27   # (29/3)**3


def xyz_to_lab(xyz) -> np.ndarray:
    """CIE XYZ (..., 3) -> CIELAB (..., 3) relative to the D65 white; source: CIE 15:2004."""
    t = _as3(xyz) / D65_WHITE_XYZ
    f = np.where(t > _EPS, np.cbrt(t), (_KAPPA * t + 16) / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]),
                     200 * (f[..., 1] - f[..., 2])], axis=-1)


def lab_to_xyz(lab) -> np.ndarray:
    """CIELAB (..., 3), D65 white -> CIE XYZ (..., 3); inverse of `xyz_to_lab`."""
    a = _as3(lab)
    fy = (a[..., 0] + 16) / 116
    fx = fy + a[..., 1] / 500
    fz = fy - a[..., 2] / 200
    f = np.stack([fx, fy, fz], axis=-1)
    t = np.where(f ** 3 > _EPS, f ** 3, (116 * f - 16) / _KAPPA)
    # Y uses L* directly below the knee (same value, but exact for L* <= 8)
    t[..., 1] = np.where(a[..., 0] > _KAPPA * _EPS, fy ** 3, a[..., 0] / _KAPPA)
    return t * D65_WHITE_XYZ


def srgb_to_lab(rgb) -> np.ndarray:
    """sRGB (..., 3) in [0, 1] -> CIELAB (..., 3), D65."""
    return xyz_to_lab(linear_to_xyz(srgb_to_linear(rgb)))


def lab_to_srgb(lab) -> np.ndarray:
    """CIELAB (..., 3), D65 -> sRGB (..., 3), NOT clipped (see colour_space.fit_gamut)."""
    return linear_to_srgb(xyz_to_linear(lab_to_xyz(lab)))


# -- OKLab (Ottosson 2020) ----------------------------------------------------------

# linear sRGB -> LMS, and LMS' (cube roots) -> Lab, exactly as published
_OK_M1 = np.array([[0.4122214708, 0.5363325363, 0.0514459929],
                   [0.2119034982, 0.6806995451, 0.1073969566],
                   [0.0883024619, 0.2817188376, 0.6299787005]])
_OK_M2 = np.array([[0.2104542553, 0.7936177850, -0.0040720468],
                   [1.9779984951, -2.4285922050, 0.4505937099],
                   [0.0259040371, 0.7827717662, -0.8086757660]])
# XYZ -> LMS, the form of M1 the post gives with its reference table
_OK_M1_XYZ = np.array([[0.8189330101, 0.3618667424, -0.1288597137],
                       [0.0329845436, 0.9293118715, 0.0361456387],
                       [0.0482003018, 0.2643662691, 0.6338517070]])
_OK_M1_INV = np.linalg.inv(_OK_M1)
_OK_M2_INV = np.linalg.inv(_OK_M2)


def linear_to_oklab(lin) -> np.ndarray:
    """Linear sRGB (..., 3) -> OKLab (..., 3); source: Ottosson 2020."""
    return apply_matrix(np.cbrt(apply_matrix(_as3(lin), _OK_M1)), _OK_M2)


def oklab_to_linear(lab) -> np.ndarray:
    """OKLab (..., 3) -> linear sRGB (..., 3), not clipped; inverse of `linear_to_oklab`."""
    return apply_matrix(apply_matrix(_as3(lab), _OK_M2_INV) ** 3, _OK_M1_INV)


def xyz_to_oklab(xyz) -> np.ndarray:
    """CIE XYZ (..., 3), D65 -> OKLab (..., 3) with the post's XYZ matrix (its test table)."""
    return apply_matrix(np.cbrt(apply_matrix(_as3(xyz), _OK_M1_XYZ)), _OK_M2)


def srgb_to_oklab(rgb) -> np.ndarray:
    """sRGB (..., 3) in [0, 1] -> OKLab (..., 3)."""
    return linear_to_oklab(srgb_to_linear(rgb))


def oklab_to_srgb(lab) -> np.ndarray:
    """OKLab (..., 3) -> sRGB (..., 3), NOT clipped (see colour_space.fit_gamut)."""
    return linear_to_srgb(oklab_to_linear(lab))


def lab_to_lch(lab) -> np.ndarray:
    """Lab-like (..., 3) -> (L, C, h) with hue h in degrees [0, 360)."""
    a = _as3(lab)
    return np.stack([a[..., 0], np.hypot(a[..., 1], a[..., 2]),
                     np.degrees(np.arctan2(a[..., 2], a[..., 1])) % 360.0], axis=-1)


def lch_to_lab(lch) -> np.ndarray:
    """(L, C, h in degrees) (..., 3) -> Lab-like (..., 3)."""
    a = _as3(lch)
    h = np.radians(a[..., 2])
    return np.stack([a[..., 0], a[..., 1] * np.cos(h), a[..., 1] * np.sin(h)], axis=-1)


# -- CIEDE2000 (Sharma, Wu & Dalal 2005) ---------------------------------------------


def delta_e_2000(lab1, lab2, kl: float = 1.0, kc: float = 1.0, kh: float = 1.0) -> np.ndarray:
    """CIEDE2000 colour difference between CIELAB colours; shapes broadcast, (..., 3) -> (...).

    Follows the implementation notes of Sharma, Wu & Dalal (2005), equations 1-17,
    including their conventions for hue when a chroma is zero (hue difference 0, mean hue
    the sum) and for |h1 - h2| = 180 exactly. Passes all 34 of their test pairs to 1e-4.
    A difference of about 2.3 is the often quoted "just noticeable difference".
    """
    a1, a2 = _as3(lab1), _as3(lab2)
    L1, A1, B1 = a1[..., 0], a1[..., 1], a1[..., 2]
    L2, A2, B2 = a2[..., 0], a2[..., 1], a2[..., 2]
    c_bar = (np.hypot(A1, B1) + np.hypot(A2, B2)) / 2
    c7 = c_bar ** 7
    g = 0.5 * (1 - np.sqrt(c7 / (c7 + 25.0 ** 7)))
    a1p, a2p = (1 + g) * A1, (1 + g) * A2
    c1p, c2p = np.hypot(a1p, B1), np.hypot(a2p, B2)
    # eq. 7: hue 0 where a' = b = 0 (arctan2(0, 0) is 0 already)
    h1p = np.degrees(np.arctan2(B1, a1p)) % 360.0
    h2p = np.degrees(np.arctan2(B2, a2p)) % 360.0
    dl = L2 - L1
    dc = c2p - c1p
    both = (c1p * c2p) != 0
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(both, dh, 0.0)
    dH = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh) / 2)
    l_bar = (L1 + L2) / 2
    cp_bar = (c1p + c2p) / 2
    hsum = h1p + h2p
    h_bar = np.where(np.abs(h1p - h2p) <= 180, hsum / 2,
                     np.where(hsum < 360, (hsum + 360) / 2, (hsum - 360) / 2))
    h_bar = np.where(both, h_bar, hsum)
    t = (1 - 0.17 * np.cos(np.radians(h_bar - 30)) + 0.24 * np.cos(np.radians(2 * h_bar))
         + 0.32 * np.cos(np.radians(3 * h_bar + 6)) - 0.20 * np.cos(np.radians(4 * h_bar - 63)))
    d_theta = 30 * np.exp(-(((h_bar - 275) / 25) ** 2))
    cp7 = cp_bar ** 7
    rc = 2 * np.sqrt(cp7 / (cp7 + 25.0 ** 7))
    l50 = (l_bar - 50) ** 2
    sl = 1 + 0.015 * l50 / np.sqrt(20 + l50)
    sc = 1 + 0.045 * cp_bar
    sh = 1 + 0.015 * cp_bar * t
    rt = -np.sin(np.radians(2 * d_theta)) * rc
    tl, tc, th = dl / (kl * sl), dc / (kc * sc), dH / (kh * sh)
    return np.sqrt(np.maximum(tl ** 2 + tc ** 2 + th ** 2 + rt * tc * th, 0.0))


def delta_e_2000_srgb(rgb1, rgb2) -> np.ndarray:
    """CIEDE2000 between sRGB colours (..., 3) in [0, 1]; shapes broadcast."""
    return delta_e_2000(srgb_to_lab(rgb1), srgb_to_lab(rgb2))


def delta_e_2000_matrix(lab) -> np.ndarray:
    """All pairwise CIEDE2000 differences of CIELAB colours (N, 3) -> symmetric (N, N).

    Memory is about 40 * N**2 float64 temporaries: fine for palettes (N of a few
    thousand at most), not for images.  Raises ValueError for an array that is not (N, 3).
    """
    a = _as3(lab)
    if a.ndim != 2:
        raise ValueError(f"expected an (N, 3) array, got shape {a.shape}")
    d = delta_e_2000(a[:, None, :], a[None, :, :])
    return np.maximum(d, d.T)   # exact symmetry despite float rounding


# -- WCAG 2 contrast -------------------------------------------------------------------


def relative_luminance(rgb) -> np.ndarray:
    """WCAG 2 relative luminance of sRGB (..., 3) in [0, 1] -> (...) in [0, 1].

    WCAG 2.1 writes the sRGB knee as 0.03928 (from an old sRGB draft); for 8-bit values
    it gives the same result as 0.04045, which is what we use.
    """
    lin = srgb_to_linear(np.clip(_as3(rgb), 0.0, 1.0))
    return np.einsum("...j,j->...", lin, np.array([0.2126, 0.7152, 0.0722]))


def wcag_contrast(c1, c2) -> np.ndarray | float:
    """WCAG 2 contrast ratio (1..21) between sRGB colours (..., 3) in [0, 1]; order-free.

    (L_lighter + 0.05) / (L_darker + 0.05) with relative luminance L (WCAG 2.1, 1.4.3).
    4.5 is the AA threshold for body text, 3 for large text, 7 for AAA.
    """
    y1, y2 = relative_luminance(c1), relative_luminance(c2)
    r = (np.maximum(y1, y2) + 0.05) / (np.minimum(y1, y2) + 0.05)
    return float(r) if np.ndim(r) == 0 else r
