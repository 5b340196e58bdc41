"""Epochs with a stop flag, and the phases of an image's palette map.

`step(som, cancel)` runs one epoch and honours a CancelToken: inside the pass
when the core's `SOM.step(cancel=...)` supports it (the kernels leave the SOM
exactly as before the epoch), else between epochs.  Either way a cancelled
step raises `Cancelled` and leaves the SOM resumable, so a stopped run
continued later gives the same weights as one uninterrupted run.

An image's palette map trains in phases, as core.quantize.train_quantizer does
(ordering, fine-tuning, recovering unused colours).  The phases are spelled out
here as separate SOM runs so each epoch can be yielded, stopped, saved and
resumed; `phase_config` gives each phase's SOMConfig from the user's config.
"""
from __future__ import annotations

import inspect

import numpy as np

from somdesk.core import cancel as cancel_mod
from somdesk.core.options import SOMConfig
from somdesk.core.som import SOM

PHASES = ("ordering", "fine-tuning", "recovering unused colours", "done")


def _takes_cancel() -> bool:
    try:
        return "cancel" in inspect.signature(SOM.step).parameters
    except (TypeError, ValueError):  # pragma: no cover
        return False


_STEP_TAKES_CANCEL = _takes_cancel()


def step(som: SOM, cancel=None):
    """One epoch of `som` (core StepInfo); raises Cancelled when `cancel` is set."""
    cancel_mod.check(cancel)
    if _STEP_TAKES_CANCEL:
        return som.step(cancel=cancel)
    return som.step()


def phase_config(config: SOMConfig, phase: str, fine_tune: int) -> SOMConfig:
    """The SOMConfig of an image map's `phase`, derived from the user's `config`.

    Fine-tuning and recovery use core.quantize's narrow neighbourhood
    (FINE_TUNE_SIGMA, then half of it), as train_quantizer does; classic
    (online) training drops the learning rate to 0.05 for them.
    """
    from somdesk.core.quantize import FINE_TUNE_SIGMA, REVIVE_EPOCHS

    if phase == "ordering":
        return config
    lr = 0.05 if config.mode == "classic" else config.learning_rate
    if phase == "fine-tuning":
        return config.replace(iterations=max(1, fine_tune), sigma=FINE_TUNE_SIGMA, learning_rate=lr)
    return config.replace(iterations=REVIVE_EPOCHS, sigma=FINE_TUNE_SIGMA / 2, learning_rate=lr)


def revive_weights(weights: np.ndarray, data: np.ndarray) -> np.ndarray | None:
    """Weights with every node no input picks moved onto the worst-served input, or None
    when no node is dead or every input is matched exactly (core.quantize._revive_dead_nodes:
    farthest-point placement, k-means++'s deterministic cousin)."""
    from somdesk.core import kernels

    shape = weights.shape
    w = np.ascontiguousarray(weights.reshape(-1, shape[2]), dtype=np.float64).copy()
    idx, d2 = kernels.bmus_of(w, data)
    dead = np.flatnonzero(np.bincount(idx, minlength=len(w)) == 0)
    if len(dead) == 0 or d2.max() <= 0.0:
        return None
    for node in dead:
        j = int(np.argmax(d2))
        if d2[j] <= 0.0:
            break
        w[node] = data[j]
        d2 = np.minimum(d2, np.sum((data - data[j]) ** 2, axis=1))
    return w.reshape(shape)
