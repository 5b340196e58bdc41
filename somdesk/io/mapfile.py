"""Saved maps (`.somz`): weights, every parameter, the iteration reached, the inputs.

The file is a `.somz` container (`somdesk.io.somz`: a ZIP of meta.json and
`.npy` arrays, read with bounded memory) holding at least:

  meta.json     {"format": "somdesk-map", "format_version": 1,
                 "somdesk_version": "...", "config": {SOMConfig fields},
                 "seed": int, "iteration": int, "dims": D, "inputs": N,
                 "input_names": [str|null, ...] | null,  ...extra keys}
  weights.npy   float64 (height, width, D), finite, within +-1e150
  inputs.npy    float64 (N, D), finite, within +-1e150

Nothing is unpickled.  meta.json is validated first (format, version, config via
`SOMConfig`, dims/inputs positive whole numbers within the SOM's limits), and
the arrays must have exactly the shapes it declares: a header that claims
more, a member that inflates past its declared size, a description that
disagrees with the arrays, a newer format_version -- each is a FileFormatError
naming the file, raised before the big allocation.

**Extra data (for other kinds of map: tables, images).**  A map may carry extra
meta.json keys and extra named arrays; an older somdesk ignores both, so extras
must be things a plain map reader may safely ignore (anything else bumps
FORMAT_VERSION)::

    save_map(som, path, names, extra_meta={"source": "table", "columns": [...]},
             extra_arrays={"labels": ids}, extra_specs=specs)
    saved = load_map(path, extra_specs=specs)      # saved.meta, saved.arrays["labels"]

    def specs(meta):   # from the file's own meta.json: which extras, what shape
        return {"labels": ArraySpec((meta["inputs"],), ("int64",), required=False)}

`extra_specs` is the same function on both sides, so `save_map` refuses an
extra array that `load_map` would refuse.  Extra keys may not replace the core
keys above; extra array names are 1-64 of [A-Za-z0-9_-], not "weights"/"inputs".

`save_map` refuses (SomdeskError) a map it could not reopen: non-finite or
out-of-range weights (a diverged training run), for instance.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

import somdesk
from somdesk.core.options import SOMConfig
from somdesk.core.som import MAX_ABS_VALUE, MAX_SAMPLES, SOM
from somdesk.errors import FileFormatError, SomdeskError
from somdesk.io.names import display_basename
from somdesk.io.somz import MAX_ARRAY_BYTES, ArraySpec, read_somz, write_somz

__all__ = ["FORMAT", "FORMAT_VERSION", "SavedMap", "ArraySpec", "save_map", "load_map", "map_specs",
           "check_saveable_weights"]

FORMAT = "somdesk-map"
FORMAT_VERSION = 1
CORE_KEYS = ("format", "format_version", "somdesk_version", "config", "seed", "iteration", "dims",
             "inputs", "input_names")
CORE_ARRAYS = ("weights", "inputs")
ExtraSpecs = Callable[[dict], Mapping[str, ArraySpec]]


@dataclass
class SavedMap:
    som: SOM
    input_names: list | None = None
    meta: dict = field(default_factory=dict)       # the whole meta.json, extra keys included
    arrays: dict = field(default_factory=dict)     # extra arrays named by extra_specs


def _whole(meta: dict, key: str, lo: int, hi: int) -> int:
    value = meta[key]
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise FileFormatError(f"meta.json: {key} must be a whole number from {lo:,} to {hi:,}, got {value!r}")
    return value


def _config(meta: dict) -> SOMConfig:
    config = SOMConfig.from_dict(dict(meta["config"]))
    return config.replace(seed=meta["seed"]) if config.seed is None else config


def map_specs(meta: dict) -> dict[str, ArraySpec]:
    """The core arrays a map's meta.json promises, with their exact shapes.

    Checks format, format_version, config, dims and inputs first
    (FileFormatError / OptionError / KeyError / TypeError for a bad description).
    """
    if meta.get("format") != FORMAT:
        raise FileFormatError("not a somdesk map")
    version = meta.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise FileFormatError(f"bad format_version {version!r}")
    if version > FORMAT_VERSION:
        raise FileFormatError(f"saved by a newer somdesk (map format {version}); "
                              f"this version reads format {FORMAT_VERSION}. Please update somdesk.")
    config = _config(meta)
    for key in ("seed", "iteration"):
        if isinstance(meta[key], bool) or not isinstance(meta[key], int):
            raise FileFormatError("damaged map description: seed and iteration must be whole numbers")
    if not 0 <= meta["iteration"] <= config.iterations:
        raise FileFormatError(f"meta.json: iteration {meta['iteration']} is outside 0..{config.iterations}")
    max_dims = MAX_ARRAY_BYTES // (8 * config.width * config.height)
    dims = _whole(meta, "dims", 1, max(1, max_dims))
    n = _whole(meta, "inputs", 1, MAX_SAMPLES)
    values = dict(finite=True, max_abs=MAX_ABS_VALUE)
    return {"weights": ArraySpec((config.height, config.width, dims), **values),
            "inputs": ArraySpec((n, dims), **values)}


def check_saveable_weights(weights: np.ndarray) -> None:
    """SomdeskError unless `weights` could be saved and reopened: finite, within +-MAX_ABS_VALUE.

    Used by `save_map` and `somdesk train --save-weights`; a training run that
    diverged (NaN/inf) is reported instead of being written.
    """
    w = np.asarray(weights)
    if not np.all(np.isfinite(w)):
        raise SomdeskError("the map's weights contain NaN or infinite values (training diverged); "
                           "nothing was saved. Try a smaller learning rate or another neighbourhood.")
    if w.size and float(np.max(np.abs(w))) > MAX_ABS_VALUE:
        raise SomdeskError(f"the map's weights have values beyond +-{MAX_ABS_VALUE:g}; nothing was saved")


def _all_specs(extra_specs: ExtraSpecs | None) -> Callable[[dict], dict[str, ArraySpec]]:
    def specs(meta: dict) -> dict[str, ArraySpec]:
        core = map_specs(meta)
        extra = dict(extra_specs(meta)) if extra_specs is not None else {}
        clash = set(extra) & set(core)
        if clash:
            raise SomdeskError(f"extra array name {sorted(clash)[0]!r} is reserved for the map itself")
        return {**core, **extra}
    return specs


def save_map(som: SOM, path, input_names: list | None = None, *, extra_meta: dict | None = None,
             extra_arrays: Mapping[str, np.ndarray] | None = None, extra_specs: ExtraSpecs | None = None,
             cancel=None) -> None:
    """Write `som` to `path` atomically (the old file survives any failure, a stop too).

    `extra_meta` keys are added to meta.json and `extra_arrays` stored beside the
    core arrays (see the module docstring); `extra_specs` checks them exactly as
    `load_map` will.  Raises SomdeskError for weights that cannot be reopened
    (non-finite, beyond +-1e150), a clashing key or name, or an unwritable path; Cancelled
    when `cancel` (core.cancel.CancelToken) is set while it writes (io.somz.write_somz).
    """
    check_saveable_weights(som.weights)
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "somdesk_version": somdesk.__version__,
        "config": som.config.to_dict(),
        "seed": int(som.seed),
        "iteration": int(som.iteration),
        "dims": int(som.data.shape[1]),
        "inputs": int(som.data.shape[0]),
        "input_names": list(input_names) if input_names is not None else None,
    }
    extra_meta = dict(extra_meta or {})
    clash = set(extra_meta) & set(CORE_KEYS)
    if clash:
        raise SomdeskError(f"cannot save: meta key {sorted(clash)[0]!r} is reserved for the map itself")
    meta.update(extra_meta)
    arrays = {"weights": som.weights, "inputs": som.data}
    for name, arr in (extra_arrays or {}).items():
        if name in CORE_ARRAYS:
            raise SomdeskError(f"cannot save: array name {name!r} is reserved for the map itself")
        arrays[name] = arr
    try:
        write_somz(path, meta, arrays, _all_specs(extra_specs), cancel)
    except FileFormatError as exc:      # a spec refused the description we built
        raise SomdeskError(f"cannot save: {exc}") from None


def load_map(path, *, extra_specs: ExtraSpecs | None = None) -> SavedMap:
    """Read a `.somz` file; every problem is a FileFormatError naming the file.

    `extra_specs(meta)` names the extra arrays to read (see the module docstring);
    they come back in `SavedMap.arrays`, the whole meta.json in `SavedMap.meta`.
    """
    meta, arrays = read_somz(path, _all_specs(extra_specs), "somdesk map")
    where = display_basename(path)
    try:
        som = SOM(arrays.pop("inputs"), _config(meta), weights=arrays.pop("weights"),
                  iteration=meta["iteration"])
    except SomdeskError as exc:
        raise FileFormatError(f"{where}: {exc}") from None
    names = meta.get("input_names")
    if names is not None and (not isinstance(names, list) or len(names) != len(som.data)
                              or not all(n is None or isinstance(n, str) for n in names)):
        names = None  # names are a nicety: a damaged list is dropped, the map still opens
    return SavedMap(som, names, meta, arrays)
