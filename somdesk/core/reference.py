"""A plain numpy transcription of the seed's classic algorithm.

This is the yardstick: tests check somdesk's trainer against it to 1e-6 and the
benchmarks time somdesk against it.  It is written to read like the seed's
description, one input at a time, not to be fast.  Do not optimise it.
"""
from __future__ import annotations

import numpy as np


def classic_reference(weights: np.ndarray, inputs: np.ndarray, iterations: int,
                      alpha0: float = 0.1) -> np.ndarray:
    """Train a copy of `weights` (H, W, D) on `inputs` (N, D); return the (H, W, D) float64 result.

    Kohonen's online rule with a gaussian neighbourhood on a rectangular grid, inputs in
    the given order, `iterations` epochs; sigma0 = max(H, W) / 2 nodes and the classic
    schedule (somdesk.core.schedules).  Meant for max(H, W) > 2: below that
    ln(sigma0) <= 0 and this schedule does not shrink (the trainer's classic schedule
    handles that case; see schedules.classic_lambda).
    """
    w = np.array(weights, dtype=np.float64, copy=True)
    height, width, _ = w.shape
    sigma0 = max(width, height) / 2
    lam = iterations / np.log(sigma0)
    rows, cols = np.mgrid[0:height, 0:width]
    for t in range(iterations):
        sigma_t = sigma0 * np.exp(-t / lam)
        alpha_t = alpha0 * np.exp(-t / lam)
        for v in inputs:
            dist = np.sum((w - v) ** 2, axis=2)
            bi, bj = np.unravel_index(np.argmin(dist), dist.shape)
            d2 = (rows - bi) ** 2 + (cols - bj) ** 2
            h = np.exp(-d2 / (2 * sigma_t ** 2))
            w += alpha_t * h[..., None] * (v - w)
    return w
