"""Colour-model conversions to 8-bit sRGB.

Palette files store colours in CMYK, Lab, HSB or gray as well as RGB.  We
keep only sRGB, so each non-RGB colour is converted with the simple,
documented formulas below (the same ones are listed in
docs/palette-formats.md).  None of this is colour-managed: a CMYK swatch made
for a press profile will not match what Photoshop shows, but it is
predictable and matches what GIMP and most converters do.

Formulas (all inputs already scaled as stated, outputs 0..255, rounded half
up and clamped):

* CMYK (0..1 ink coverage), naive, no profile::

      R = 255 (1 - C)(1 - K),  G = 255 (1 - M)(1 - K),  B = 255 (1 - Y)(1 - K)

* HSB/HSV (hue in degrees, saturation and brightness 0..1): the standard
  hexcone model (``colorsys.hsv_to_rgb``).

* Gray (0 = black .. 1 = white): linear in the 8-bit value, R = G = B = 255 g
  (no gamma: the file's gray value is taken to be the sRGB-encoded level).

* HSL (CSS): the CSS Color 4 algorithm (``colorsys.hls_to_rgb``).

* CIE L*a*b* (L 0..100, a/b roughly -128..127).  Adobe (ASE, ACO) and Krita
  store Lab relative to the **D50** white (ICC PCS), so the default path is::

      Lab(D50) -> XYZ(D50) -> Bradford chromatic adaptation -> XYZ(D65)
               -> linear sRGB (IEC 61966-2-1 matrix) -> sRGB gamma

  ``white="D65"`` skips the adaptation and treats Lab as relative to D65
  (what most web calculators use: Lab(53.24, 80.09, 67.20) is #ff0000 there,
  and Lab(54.29, 80.80, 69.89) is #ff0000 on the D50 path).  Colours outside
  the sRGB gamut are clipped per channel; readers add a warning.
"""
from __future__ import annotations

import colorsys
import math
import re

# Reference whites (XYZ, Y = 1).  D50 is the ICC PCS white.
WHITE_D50 = (0.9642, 1.0, 0.8249)
WHITE_D65 = (0.95047, 1.0, 1.08883)

# Bradford adaptation D50 -> D65 (Lindbloom).
_BRADFORD_D50_TO_D65 = (
    (0.9555766, -0.0230393, 0.0631636),
    (-0.0282895, 1.0099416, 0.0210077),
    (0.0122982, -0.0204830, 1.3299098),
)

# XYZ (D65) -> linear sRGB.
_XYZ_TO_SRGB = (
    (3.2404542, -1.5371385, -0.4985314),
    (-0.9692660, 1.8760108, 0.0415560),
    (0.0556434, -0.2040259, 1.0572252),
)

_EPSILON = 216.0 / 24389.0   # CIE standard: (6/29)^3
_KAPPA = 24389.0 / 27.0      # CIE standard: (29/3)^3

#: Half an 8-bit step: a float channel this far outside [0, 1] still rounds
#: into range, so it does not count as "clipped".
GAMUT_TOLERANCE = 0.5 / 255.0


def unit_to_byte(v: float) -> int:
    """Map a 0..1 float to 0..255: round half up, clamp, NaN -> 0."""
    if v != v:  # NaN
        return 0
    if v <= 0.0:
        return 0
    if v >= 1.0:
        return 255
    return int(math.floor(v * 255.0 + 0.5))


def rgb_unit_to_bytes(r: float, g: float, b: float) -> tuple[int, int, int]:
    """(r, g, b) 0..1 floats to 0..255 ints by `unit_to_byte` each."""
    return unit_to_byte(r), unit_to_byte(g), unit_to_byte(b)


def in_unit_range(*values: float) -> bool:
    """True when every value is within [0, 1] give or take half an 8-bit step."""
    lo, hi = -GAMUT_TOLERANCE, 1.0 + GAMUT_TOLERANCE
    return all(lo <= v <= hi for v in values)


def cmyk_to_rgb(c: float, m: float, y: float, k: float) -> tuple[int, int, int]:
    """Naive CMYK (ink coverage 0..1) to sRGB; inputs are clamped to 0..1."""
    c, m, y, k = (min(max(v, 0.0), 1.0) for v in (c, m, y, k))
    return rgb_unit_to_bytes((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))


def hsb_to_rgb(h_degrees: float, s: float, v: float) -> tuple[int, int, int]:
    """HSB/HSV to sRGB; hue wraps, s and v are clamped to 0..1."""
    h = (h_degrees % 360.0) / 360.0
    s = min(max(s, 0.0), 1.0)
    v = min(max(v, 0.0), 1.0)
    return rgb_unit_to_bytes(*colorsys.hsv_to_rgb(h, s, v))


def hsl_to_rgb(h_degrees: float, s: float, l: float) -> tuple[int, int, int]:
    """HSL (CSS) to sRGB; hue wraps, s and l are clamped to 0..1."""
    h = (h_degrees % 360.0) / 360.0
    s = min(max(s, 0.0), 1.0)
    l = min(max(l, 0.0), 1.0)
    return rgb_unit_to_bytes(*colorsys.hls_to_rgb(h, l, s))


def gray_to_rgb(g: float) -> tuple[int, int, int]:
    """Gray 0 (black) .. 1 (white) to sRGB, linear in the 8-bit value."""
    v = unit_to_byte(g)
    return v, v, v


def _mul(m, v):
    return tuple(m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2] for i in range(3))


def linear_to_srgb(c: float) -> float:
    """The sRGB transfer curve (IEC 61966-2-1) for one linear channel >= 0."""
    if c <= 0.0031308:
        return 12.92 * c
    return 1.055 * c ** (1.0 / 2.4) - 0.055


def lab_to_xyz(L: float, a: float, b: float, white=WHITE_D50) -> tuple[float, float, float]:
    """CIE L*a*b* to XYZ relative to `white` (Y of white = 1)."""
    fy = (L + 16.0) / 116.0
    fx = fy + a / 500.0
    fz = fy - b / 200.0
    fx3, fz3 = fx ** 3, fz ** 3
    x = fx3 if fx3 > _EPSILON else (116.0 * fx - 16.0) / _KAPPA
    y = fy ** 3 if L > _KAPPA * _EPSILON else L / _KAPPA
    z = fz3 if fz3 > _EPSILON else (116.0 * fz - 16.0) / _KAPPA
    return x * white[0], y * white[1], z * white[2]


def lab_to_srgb_unit(L: float, a: float, b: float, white: str = "D50") -> tuple[float, float, float]:
    """Lab (L* 0..100) to gamma-encoded sRGB floats, *not* clipped (may leave 0..1).

    `white` is the Lab reference white, "D50" (adapted to D65 by Bradford, as ICC Lab
    is) or "D65"; ValueError for another.
    """
    if white == "D50":
        xyz = _mul(_BRADFORD_D50_TO_D65, lab_to_xyz(L, a, b, WHITE_D50))
    elif white == "D65":
        xyz = lab_to_xyz(L, a, b, WHITE_D65)
    else:
        raise ValueError(f"white must be 'D50' or 'D65', not {white!r}")
    lin = _mul(_XYZ_TO_SRGB, xyz)
    # Gamma-encode with the sign kept so out-of-gamut colours stay detectable.
    return tuple(math.copysign(linear_to_srgb(abs(c)), c) for c in lin)


def lab_to_rgb(L: float, a: float, b: float, white: str = "D50") -> tuple[int, int, int]:
    """Lab to 8-bit sRGB, clipped per channel (see module docstring)."""
    return rgb_unit_to_bytes(*lab_to_srgb_unit(L, a, b, white))


def lab_in_gamut(L: float, a: float, b: float, white: str = "D50") -> bool:
    """True when sRGB can show the Lab colour (within half an 8-bit step); ValueError for a bad `white`."""
    return in_unit_range(*lab_to_srgb_unit(L, a, b, white))


_HEX = re.compile(r"#?([0-9A-Fa-f]{3,4}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})")


def parse_hex(text: str) -> tuple[tuple[int, int, int], int] | None:
    """Parse ``#rgb``, ``#rgba``, ``#rrggbb`` or ``#rrggbbaa`` (``#`` optional).

    Returns ``((r, g, b), alpha)`` with alpha 0..255, or None if `text` is not
    one of those forms.  Used by the CSS, JSON, CSV, SOC and hex readers, so it
    converts the digits with one int() call (collections hold ~10^5 colours).
    """
    m = _HEX.fullmatch(text)
    if m is None:
        return None
    digits = m.group(1)
    v = int(digits, 16)
    n = len(digits)
    if n == 6:
        return ((v >> 16) & 255, (v >> 8) & 255, v & 255), 255
    if n == 8:
        return ((v >> 24) & 255, (v >> 16) & 255, (v >> 8) & 255), v & 255
    if n == 3:
        return (((v >> 8) & 15) * 17, ((v >> 4) & 15) * 17, (v & 15) * 17), 255
    return (((v >> 12) & 15) * 17, ((v >> 8) & 15) * 17, ((v >> 4) & 15) * 17), (v & 15) * 17
