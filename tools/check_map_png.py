"""Check that a PNG shows a trained colour map: not blank, and organised.

    python tools/check_map_png.py smoke.png

"Organised" means neighbouring pixels are far more alike than random pairs of
the same pixels: the mean colour step between horizontal and vertical
neighbours must be under a third of the mean step between shuffled pixels.
Exit status 0 when it passes, 1 (with a reason) when it does not.
"""
from __future__ import annotations

import sys

import numpy as np
from PIL import Image


def organisation_ratio(img: np.ndarray) -> float:
    a = img.astype(np.float64)
    steps = np.concatenate([np.abs(np.diff(a, axis=0)).sum(-1).ravel(), np.abs(np.diff(a, axis=1)).sum(-1).ravel()])
    flat = a.reshape(-1, a.shape[-1])
    shuffled = flat[np.random.default_rng(0).permutation(len(flat))]
    random_steps = np.abs(np.diff(shuffled, axis=0)).sum(-1)
    return float(steps.mean() / max(random_steps.mean(), 1e-9))


def check(path: str) -> tuple[bool, str]:
    try:
        img = np.asarray(Image.open(path).convert("RGB"))
    except Exception as exc:  # noqa: BLE001 - any failure to read is a failed check
        return False, f"cannot read {path}: {exc}"
    colours = len(np.unique(img.reshape(-1, 3), axis=0))
    if img.shape[0] < 8 or img.shape[1] < 8:
        return False, f"image is only {img.shape[1]}x{img.shape[0]}"
    if colours < 16:
        return False, f"only {colours} distinct colours: blank or untrained"
    ratio = organisation_ratio(img)
    if ratio >= 1 / 3:
        return False, f"neighbour/random colour step ratio {ratio:.3f} >= 0.333: not organised"
    return True, f"{img.shape[1]}x{img.shape[0]}, {colours} colours, neighbour/random step ratio {ratio:.3f}"


if __name__ == "__main__":
    ok, why = check(sys.argv[1])
    print(("ok: " if ok else "FAIL: ") + why)
    raise SystemExit(0 if ok else 1)
