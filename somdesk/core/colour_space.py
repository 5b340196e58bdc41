"""Training a colour map in another colour space, as a data transform around the SOM.

The SOM itself knows nothing about colour: `to_space` turns the sRGB inputs into the
training space, the SOM trains there with its usual Euclidean distance, and
`to_display` turns the codebook back into sRGB for the screen and for exports.

Spaces (`SPACES`):

  srgb     sRGB in [0, 1], the classic job (the transform is the identity)
  linear   linear-light sRGB in [0, 1]
  cielab   CIELAB, D65 white (L* 0..100, a* b* about -128..127)
  oklab    OKLab (L 0..1, a b about -0.4..0.4)

Out-of-gamut rule (`fit_gamut`): a node of an OKLab/CIELAB/linear map can hold a
colour sRGB cannot show (OKLab's and CIELAB's gamut is not convex, so an average of
displayable colours may be outside). Such a node is shown with the same OKLab
lightness and hue and the largest chroma that fits (bisection on OKLCh chroma, CSS
Color 4's "chroma reduction" without its just-noticeable-difference shortcut);
lightness is first clamped to 0..1 (black..white). Nodes in gamut are unchanged. In
sRGB training the classic rule stays: clip each channel to [0, 1].
"""
from __future__ import annotations

import numpy as np

from somdesk.core import colour as C
from somdesk.errors import OptionError

SPACES = ("srgb", "linear", "cielab", "oklab")
_ALIASES = {"rgb": "srgb", "linear-srgb": "linear", "srgb-linear": "linear", "linear-rgb": "linear",
            "lab": "cielab", "cie-lab": "cielab", "lab-d65": "cielab", "ok-lab": "oklab"}
#: tolerance in linear sRGB for "in gamut" (below an 8-bit step everywhere)
GAMUT_TOL = 1e-6
_BISECTIONS = 20     # chroma to 1e-6 of its value: far below an 8-bit step


def choose_space(name: str) -> str:
    """The canonical space name for `name`; OptionError naming the valid ones otherwise."""
    key = str(name).strip().lower().replace("_", "-").replace(" ", "-")
    key = _ALIASES.get(key, key)
    if key not in SPACES:
        raise OptionError(f"unknown colour space {name!r}; choose one of: {', '.join(SPACES)}")
    return key


def to_space(rgb, space: str) -> np.ndarray:
    """sRGB colours (..., 3) in [0, 1] -> coordinates (..., 3) in `space` (float64).

    For "srgb" the result is the input converted to float64 and nothing else, so the
    classic job trains on exactly the same numbers as before.
    """
    space = choose_space(space)
    a = np.asarray(rgb, dtype=np.float64)
    if space == "srgb":
        return a.copy()
    if space == "linear":
        return C.srgb_to_linear(a)
    if space == "cielab":
        return C.srgb_to_lab(a)
    return C.srgb_to_oklab(a)


def to_linear(x, space: str) -> np.ndarray:
    """Coordinates (..., 3) in `space` -> linear sRGB (..., 3), not clipped."""
    space = choose_space(space)
    a = np.asarray(x, dtype=np.float64)
    if space == "srgb":
        return C.srgb_to_linear(a)
    if space == "linear":
        return a.copy()
    if space == "cielab":
        return C.xyz_to_linear(C.lab_to_xyz(a))
    return C.oklab_to_linear(a)


def from_space(x, space: str) -> np.ndarray:
    """Coordinates (..., 3) in `space` -> sRGB (..., 3), NOT clipped (may leave [0, 1])."""
    space = choose_space(space)
    if space == "srgb":
        return np.array(x, dtype=np.float64)
    return C.linear_to_srgb(to_linear(x, space))


def out_of_gamut(x, space: str) -> np.ndarray:
    """Boolean mask (...) of colours in `space` (..., 3) that sRGB cannot show.

    In gamut means every linear-sRGB channel within [-GAMUT_TOL, 1 + GAMUT_TOL]; the
    window marks these nodes when training in CIELAB or OKLab.
    """
    lin = to_linear(x, space)
    return np.any((lin < -GAMUT_TOL) | (lin > 1 + GAMUT_TOL), axis=-1)


def fit_gamut(x, space: str) -> np.ndarray:
    """Displayable sRGB (..., 3) in [0, 1] for colours (..., 3) in `space` (module rule).

    srgb: per-channel clip. Other spaces: colours in gamut are converted exactly; the
    others keep OKLab L (clamped to 0..1) and hue, with chroma reduced by bisection
    (20 halvings, far below an 8-bit step) to the largest value inside the gamut.
    """
    space = choose_space(space)
    if space == "srgb":
        return np.clip(np.asarray(x, dtype=np.float64), 0.0, 1.0)
    lin = to_linear(x, space)
    bad = np.any((lin < -GAMUT_TOL) | (lin > 1 + GAMUT_TOL), axis=-1)
    if np.any(bad):
        lin = lin.copy()
        lin[bad] = _reduce_chroma(C.linear_to_oklab(lin[bad]))
    return C.linear_to_srgb(np.clip(lin, 0.0, 1.0))


def _reduce_chroma(ok: np.ndarray) -> np.ndarray:
    """(K, 3) OKLab, out of gamut -> (K, 3) linear sRGB on the gamut boundary (or grey)."""
    L = np.clip(ok[:, :1], 0.0, 1.0)
    ab = ok[:, 1:]
    lo = np.zeros((len(ok), 1))          # scale 0 is a grey with L in 0..1: in gamut
    hi = np.ones((len(ok), 1))
    # Scaling a and b by the same factor keeps the hue angle and scales the chroma.
    for _ in range(_BISECTIONS):         # vectorised bisection over all nodes at once
        mid = (lo + hi) / 2
        lin = C.oklab_to_linear(np.concatenate([L, ab * mid], axis=1))
        # strict bounds here: near black the cube root turns a 1e-6 excursion into 0.01 of L
        inside = np.all((lin >= 0.0) & (lin <= 1.0), axis=-1)[:, None]
        lo = np.where(inside, mid, lo)
        hi = np.where(inside, hi, mid)
    return C.oklab_to_linear(np.concatenate([L, ab * lo], axis=1))


def to_display(x, space: str) -> np.ndarray:
    """Alias of `fit_gamut`: what the window and exports show for a codebook in `space`."""
    return fit_gamut(x, space)


def mean_delta_e00(weights, data_space, data_rgb, space: str, bmus=None) -> float:
    """Mean CIEDE2000 between each input and its BMU's displayed colour.

    `weights` (H, W, 3) and `data_space` (N, 3) are in the training space (the BMU is
    found there, as in training); `data_rgb` (N, 3) are the inputs in sRGB [0, 1]; the
    node's colour is `fit_gamut` of its weights, i.e. what the user sees. Comparable
    across spaces, unlike the quantisation error. 0.0 for no inputs.  `bmus` (N, 2)
    (row, column): those BMUs, when the caller has them already (a measured map's:
    metrics.bmus' search, the same nodes), else searched here.
    """
    from somdesk.core.metrics import bmus as search

    w = np.asarray(weights, dtype=np.float64)
    if len(data_rgb) == 0:
        return 0.0
    rc = search(w, data_space) if bmus is None else np.asarray(bmus)
    shown = fit_gamut(w[rc[:, 0], rc[:, 1]], space)
    return float(np.mean(C.delta_e_2000_srgb(np.asarray(data_rgb, dtype=np.float64), shown)))


def space_from_meta(meta: dict | None) -> str:
    """The training space recorded in a saved map's meta.json (key "colour_space")."""
    value = (meta or {}).get("colour_space", "srgb")
    return choose_space(value if isinstance(value, str) else "srgb")
