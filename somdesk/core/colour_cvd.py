"""Colour-vision deficiency (CVD) simulation: Machado, Oliveira & Fernandes (2009).

G. M. Machado, M. M. Oliveira, L. A. F. Fernandes, "A Physiologically-based Model for
Simulation of Color Vision Deficiency", IEEE TVCG 15(6), 2009. The authors publish
pre-computed 3x3 matrices for severities 0.0, 0.1, ..., 1.0 of each anomaly
(https://www.inf.ufrgs.br/~oliveira/pubs_files/CVD_Simulation/CVD_Simulation.html);
severity 1.0 is the dichromacy (protanopia, deuteranopia, tritanopia). The matrices act
on LINEAR sRGB. Between two tabulated severities we interpolate the matrices linearly,
as the authors suggest (interpolating the matrices and the results is the same thing,
the map is linear). Their tritan model is the least validated of the three (the paper
shows no tritan results); it is still the usual choice in tools.
"""
from __future__ import annotations

import numpy as np

from somdesk.core.colour import apply_matrix, linear_to_srgb, srgb_to_linear
from somdesk.core.options import count_text
from somdesk.errors import OptionError

CVD_KINDS = ("protanopia", "deuteranopia", "tritanopia")
_ALIASES = {"protan": "protanopia", "protanomaly": "protanopia",
            "deutan": "deuteranopia", "deuteranomaly": "deuteranopia",
            "tritan": "tritanopia", "tritanomaly": "tritanopia"}

# Rows: severity 0.0, 0.1, ..., 1.0; each a 3x3 matrix in linear sRGB (published table).
_TABLE = {
    "protanopia": [
        [[1.000000, 0.000000, -0.000000], [0.000000, 1.000000, 0.000000], [-0.000000, -0.000000, 1.000000]],
        [[0.856167, 0.182038, -0.038205], [0.029342, 0.955115, 0.015544], [-0.002880, -0.001563, 1.004443]],
        [[0.734766, 0.334872, -0.069637], [0.051840, 0.919198, 0.028963], [-0.004928, -0.004209, 1.009137]],
        [[0.630323, 0.465641, -0.095964], [0.069181, 0.890046, 0.040773], [-0.006308, -0.007724, 1.014032]],
        [[0.539009, 0.579343, -0.118352], [0.082546, 0.866121, 0.051332], [-0.007136, -0.011959, 1.019095]],
        [[0.458064, 0.679578, -0.137642], [0.092785, 0.846313, 0.060902], [-0.007494, -0.016807, 1.024301]],
        [[0.385450, 0.769005, -0.154455], [0.100526, 0.829802, 0.069673], [-0.007442, -0.022190, 1.029632]],
        [[0.319627, 0.849633, -0.169261], [0.106241, 0.815969, 0.077790], [-0.007025, -0.028051, 1.035076]],
        [[0.259411, 0.923008, -0.182420], [0.110296, 0.804340, 0.085364], [-0.006276, -0.034346, 1.040622]],
        [[0.203876, 0.990338, -0.194214], [0.112975, 0.794542, 0.092483], [-0.005222, -0.041043, 1.046265]],
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    ],
    "deuteranopia": [
        [[1.000000, 0.000000, -0.000000], [0.000000, 1.000000, 0.000000], [-0.000000, -0.000000, 1.000000]],
        [[0.866435, 0.177704, -0.044139], [0.049567, 0.939063, 0.011370], [-0.003453, 0.007233, 0.996220]],
        [[0.760729, 0.319078, -0.079807], [0.090568, 0.889315, 0.020117], [-0.006027, 0.013325, 0.992702]],
        [[0.675425, 0.433850, -0.109275], [0.125303, 0.847755, 0.026942], [-0.007950, 0.018572, 0.989378]],
        [[0.605511, 0.528560, -0.134071], [0.155318, 0.812366, 0.032316], [-0.009376, 0.023176, 0.986200]],
        [[0.547494, 0.607765, -0.155259], [0.181692, 0.781742, 0.036566], [-0.010410, 0.027275, 0.983136]],
        [[0.498864, 0.674741, -0.173604], [0.205199, 0.754872, 0.039929], [-0.011131, 0.030969, 0.980162]],
        [[0.457771, 0.731899, -0.189670], [0.226409, 0.731012, 0.042579], [-0.011595, 0.034333, 0.977261]],
        [[0.422823, 0.781057, -0.203881], [0.245752, 0.709602, 0.044646], [-0.011843, 0.037423, 0.974421]],
        [[0.392952, 0.823610, -0.216562], [0.263559, 0.690210, 0.046232], [-0.011910, 0.040281, 0.971630]],
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    ],
    "tritanopia": [
        [[1.000000, 0.000000, -0.000000], [0.000000, 1.000000, 0.000000], [-0.000000, -0.000000, 1.000000]],
        [[0.926670, 0.092514, -0.019184], [0.021191, 0.964503, 0.014306], [0.008437, 0.054813, 0.936750]],
        [[0.895720, 0.133330, -0.029050], [0.029997, 0.945400, 0.024603], [0.013027, 0.104707, 0.882266]],
        [[0.905871, 0.127791, -0.033662], [0.026856, 0.941251, 0.031893], [0.013410, 0.148296, 0.838294]],
        [[0.948035, 0.089490, -0.037526], [0.014364, 0.946792, 0.038844], [0.010853, 0.193991, 0.795156]],
        [[1.017277, 0.027029, -0.044306], [-0.006113, 0.958479, 0.047634], [0.006379, 0.248708, 0.744913]],
        [[1.104996, -0.046633, -0.058363], [-0.032137, 0.971635, 0.060503], [0.001336, 0.317922, 0.680742]],
        [[1.193214, -0.109812, -0.083402], [-0.058496, 0.979410, 0.079086], [-0.002346, 0.403492, 0.598854]],
        [[1.257728, -0.139648, -0.118081], [-0.078003, 0.975409, 0.102594], [-0.003316, 0.501214, 0.502102]],
        [[1.278864, -0.125333, -0.153531], [-0.084748, 0.957674, 0.127074], [-0.000989, 0.601151, 0.399838]],
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
    ],
}
MACHADO_2009 = {k: np.array(v, dtype=np.float64) for k, v in _TABLE.items()}   # (11, 3, 3) each
for _m in MACHADO_2009.values():
    _m.setflags(write=False)


def cvd_kind(kind: str) -> str:
    """The canonical kind name for `kind` (accepts protan/deutan/tritan and *-anomaly).

    Raises OptionError naming CVD_KINDS for anything else.
    """
    key = str(kind).strip().lower()
    key = _ALIASES.get(key, key)
    if key not in CVD_KINDS:
        raise OptionError(f"unknown colour-vision deficiency {kind!r}; choose one of: {', '.join(CVD_KINDS)}")
    return key


def cvd_matrix(kind: str, severity: float = 1.0) -> np.ndarray:
    """The (3, 3) Machado 2009 matrix (linear sRGB) for `kind` at `severity` in [0, 1].

    Tabulated severities (0.0, 0.1, ... 1.0) return the published matrix exactly; others
    interpolate linearly between the two neighbours. Raises OptionError for an unknown
    kind or a severity outside [0, 1] (or NaN).
    """
    table = MACHADO_2009[cvd_kind(kind)]
    s = float(severity)
    if not 0.0 <= s <= 1.0:
        raise OptionError(f"severity must be between 0 and 1, got {severity!r}")
    pos = s * 10.0
    lo = min(int(np.floor(pos + 1e-9)), 10)
    w = pos - lo
    if w <= 1e-9:
        return table[lo].copy()
    return (1.0 - w) * table[lo] + w * table[lo + 1]


def simulate_cvd_linear(lin, kind: str, severity: float = 1.0) -> np.ndarray:
    """Apply the CVD matrix to linear sRGB (..., 3); the result is NOT clipped."""
    a = np.asarray(lin, dtype=np.float64)
    return apply_matrix(a, cvd_matrix(kind, severity))


def simulate_cvd_srgb(rgb, kind: str, severity: float = 1.0) -> np.ndarray:
    """How sRGB colours (..., 3) in [0, 1] look with the deficiency: sRGB (..., 3) in [0, 1].

    Decodes to linear sRGB, applies the matrix, clips to [0, 1] in linear light (the
    matrices push a few saturated colours slightly outside) and encodes back.
    """
    lin = srgb_to_linear(np.clip(np.asarray(rgb, dtype=np.float64), 0.0, 1.0))
    return linear_to_srgb(np.clip(simulate_cvd_linear(lin, kind, severity), 0.0, 1.0))


_MAX_IMAGE_PIXELS = 200_000_000   # same order as the image readers' limit


def simulate_cvd(image, kind: str, severity: float = 1.0, cancel=None) -> np.ndarray:
    """The CVD preview of an 8-bit picture: uint8 (..., 3) or (..., 4) -> uint8, same shape.

    `image` is sRGB, e.g. a map (H, W, 3), a palette strip (1, N, 3) or a quantised
    picture (H, W, 3 or 4); an alpha channel is passed through unchanged. The 256-entry
    decode table and row chunks keep a 4000 x 4000 picture at a few hundred MB of
    temporaries at most; `cancel` (a CancelToken or None) is checked between chunks.
    Raises OptionError for a bad kind/severity, ValueError for a non-uint8 or
    wrong-shaped array.
    """
    from somdesk.core import cancel as _cancel

    img = np.asarray(image)
    if img.dtype != np.uint8:
        raise ValueError(f"simulate_cvd needs a uint8 image, got {img.dtype}")
    if img.ndim < 1 or img.shape[-1] not in (3, 4):
        raise ValueError(f"simulate_cvd needs (..., 3) RGB or (..., 4) RGBA, got shape {img.shape}")
    if img.size // img.shape[-1] > _MAX_IMAGE_PIXELS:
        raise ValueError(f"image of {count_text(img.size // img.shape[-1], 'pixel')} is too large")
    m = cvd_matrix(kind, severity)
    decode = srgb_to_linear(np.arange(256, dtype=np.float64)[:, None] / 255.0 * np.ones(3))[:, 0]
    out = img.copy()
    flat = out.reshape(-1, img.shape[-1])
    step = 1 << 18
    for start in range(0, len(flat), step):
        _cancel.check(cancel)
        part = flat[start:start + step]
        lin = apply_matrix(decode[part[:, :3]], m)
        srgb = linear_to_srgb(np.clip(lin, 0.0, 1.0))
        part[:, :3] = np.rint(srgb * 255.0).astype(np.uint8)
    return out
