"""The checks every public entry point makes on data it is given, in one place.

Two kinds of data meet the core:

* training data (`as_data`): a table of shape (samples, features).  A 1-D array
  is refused: it could be one sample or one feature, and guessing either way
  trains a different map (give ``x.reshape(-1, 1)`` for one feature,
  ``x.reshape(1, -1)`` for one sample).
* data measured against a map of D features (`as_samples`: BMUs, errors, hits):
  an (N, D) table.  A 1-D array of length D is ONE sample (as MiniSom's
  ``winner(x)``); a 1-D array of any other length, and a table whose column
  count is not D, is refused with the shapes said.  The compiled searches read
  D values a row, so a narrower table would be read past its rows.

`check_columns` is the column rule alone; the kernels' searches call it too, so
no caller, public or internal, can run a search on data of the wrong width.
"""
from __future__ import annotations

import math

import numpy as np

from somdesk.core.options import count_text
from somdesk.errors import SomdeskError

MAX_SAMPLES = 50_000_000
# Squared distances of values beyond this overflow float64 (1e150**2 > 1.8e308 / D).
MAX_ABS_VALUE = 1e150


def check_columns(columns: int, dim: int, what: str = "data") -> None:
    """SomdeskError unless `columns` (the data's features) equals `dim` (the map's features)."""
    if int(columns) != int(dim):
        raise SomdeskError(f"{what} has {count_text(columns, 'column')}; the map has {int(dim)} "
                           f"(features): give an array of shape (samples, {int(dim)})")


def _numeric(data, what: str) -> np.ndarray:
    try:
        return np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise SomdeskError(f"{what} is not numeric: {exc}") from None


def _finite(arr: np.ndarray, what: str) -> np.ndarray:
    """arr (N, D) as C-contiguous float64, or SomdeskError for too many rows, NaN, inf, huge values."""
    if arr.shape[0] > MAX_SAMPLES:
        raise SomdeskError(f"{count_text(arr.shape[0], 'sample')} is over the limit of {MAX_SAMPLES:,}")
    if arr.size:
        # NaN propagates into both extremes and an infinity is one of them: two reductions
        # check everything without (N, D) temporaries
        lo, hi = float(arr.min()), float(arr.max())
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise SomdeskError(f"{what} contains NaN or infinite values")
        if max(-lo, hi) > MAX_ABS_VALUE:
            raise SomdeskError(f"{what} has values beyond +-{MAX_ABS_VALUE:g}; rescale it first")
    return np.ascontiguousarray(arr)


def as_data(data, what: str = "training data") -> np.ndarray:
    """Validate training data: a finite, non-empty (N, D) float64 array.

    Accepts anything numpy turns into numbers, of shape (samples, features).
    Returns a C-contiguous float64 (N, D) copy (or the array itself when it
    already is one).  Raises SomdeskError for data that is not numeric, 1-D (say
    ``x.reshape(-1, 1)`` for one feature), not 2-D, empty, over MAX_SAMPLES rows,
    NaN or infinite, or beyond +-MAX_ABS_VALUE.
    """
    arr = _numeric(data, what)
    if arr.ndim == 1:
        raise SomdeskError(f"{what} must be a table of shape (samples, features), got a 1-D array of "
                           f"{count_text(arr.shape[0], 'value')}: give x.reshape(-1, 1) for one feature "
                           "or x.reshape(1, -1) for one sample")
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise SomdeskError(f"{what} must be a non-empty table of shape (samples, features), got {arr.shape}")
    return _finite(arr, what)


def as_samples(data, dim: int, what: str = "data", allow_empty: bool = True) -> np.ndarray:
    """Validate data measured against a map of `dim` features: a finite (N, dim) float64 array.

    A 1-D array of `dim` values is one sample, (1, dim).  Returns a C-contiguous
    float64 (N, dim) array.  Raises SomdeskError for data that is not numeric, a
    1-D array of another length, not 2-D, a column count other than `dim`, no
    rows (unless `allow_empty`), over MAX_SAMPLES rows, NaN or infinite values,
    or values beyond +-MAX_ABS_VALUE; `what` names the data in the message.
    """
    arr = _numeric(data, what)
    dim = int(dim)
    if arr.ndim == 1:
        if arr.shape[0] != dim:
            raise SomdeskError(f"{what} is a 1-D array of {count_text(arr.shape[0], 'value')}; the map has "
                               f"{dim} (features): one sample is {count_text(dim, 'value')}, several are an array of "
                               f"shape (samples, {dim})")
        arr = arr[None, :]
    if arr.ndim != 2:
        raise SomdeskError(f"{what} must be a table of shape (samples, {dim}), got {arr.shape}")
    check_columns(arr.shape[1], dim, what)
    if arr.shape[0] == 0 and not allow_empty:
        raise SomdeskError(f"{what} has no rows")
    return _finite(arr, what)


def as_weights(weights) -> np.ndarray:
    """A map's weights as an (H, W, D) float64 array, or SomdeskError naming the shape given."""
    arr = _numeric(weights, "the weights")
    if arr.ndim != 3 or 0 in arr.shape:
        raise SomdeskError(f"weights must have shape (height, width, features), got {arr.shape}")
    return arr
