"""Saved maps (`.somz`): weights, every parameter, the iteration reached, the inputs.

The file is a ZIP archive with exactly these members:

  meta.json     {"format": "somdesk-map", "format_version": 1,
                 "somdesk_version": "...", "config": {SOMConfig fields},
                 "seed": int, "iteration": int, "dims": D, "inputs": N,
                 "input_names": [str|null, ...] | null}
  weights.npy   float64 (H, W, D), NumPy .npy format
  inputs.npy    float64 (N, D)

Nothing is unpickled: arrays are read with allow_pickle=False and must be
float64 of the shapes meta.json declares.  A newer format_version, a missing
member, a wrong shape or an oversized member is a FileFormatError.
"""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import somdesk
from somdesk.core.options import SOMConfig
from somdesk.core.som import SOM
from somdesk.errors import FileFormatError, SomdeskError

FORMAT = "somdesk-map"
FORMAT_VERSION = 1
MAX_MEMBER_BYTES = 2 * 1024 ** 3  # 2 GiB uncompressed per array
MAX_META_BYTES = 16 * 1024 ** 2


@dataclass
class SavedMap:
    som: SOM
    input_names: list | None = None


def _npy_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.ascontiguousarray(arr, dtype=np.float64), allow_pickle=False)
    return buf.getvalue()


def save_map(som: SOM, path, input_names: list | None = None) -> None:
    """Write `som` to `path` atomically (the old file survives any failure)."""
    from somdesk.io.atomic import atomic_open

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
    with atomic_open(path, "wb") as fh:
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("meta.json", json.dumps(meta, indent=1))
            zf.writestr("weights.npy", _npy_bytes(som.weights))
            zf.writestr("inputs.npy", _npy_bytes(som.data))


def _read_member(zf: zipfile.ZipFile, name: str, limit: int, where: str) -> bytes:
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise FileFormatError(f"{where}: not a somdesk map (no {name} inside)") from None
    if info.file_size > limit:
        raise FileFormatError(f"{where}: {name} is {info.file_size:,} bytes, over the limit of {limit:,}")
    with zf.open(info) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise FileFormatError(f"{where}: {name} is larger than it claims")
    return data


def _read_array(raw: bytes, name: str, where: str) -> np.ndarray:
    try:
        arr = np.lib.format.read_array(io.BytesIO(raw), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise FileFormatError(f"{where}: {name} is not a valid array ({exc})") from None
    if arr.dtype != np.float64:
        raise FileFormatError(f"{where}: {name} has dtype {arr.dtype}, expected float64")
    return arr


def load_map(path) -> SavedMap:
    """Read a `.somz` file; every problem is a FileFormatError naming the file."""
    where = Path(path).name
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise FileFormatError(f"{where}: no such file") from None
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileFormatError(f"{where}: not a somdesk map ({exc})") from None
    with zf:
        try:
            meta = json.loads(_read_member(zf, "meta.json", MAX_META_BYTES, where).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FileFormatError(f"{where}: meta.json is not valid JSON ({exc})") from None
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
            raise FileFormatError(f"{where}: damaged archive ({exc})") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise FileFormatError(f"{where}: not a somdesk map")
        version = meta.get("format_version")
        if not isinstance(version, int) or version < 1:
            raise FileFormatError(f"{where}: bad format_version {version!r}")
        if version > FORMAT_VERSION:
            raise FileFormatError(f"{where}: saved by a newer somdesk (map format {version}); "
                                  f"this version reads format {FORMAT_VERSION}. Please update somdesk.")
        try:
            weights = _read_array(_read_member(zf, "weights.npy", MAX_MEMBER_BYTES, where), "weights.npy", where)
            inputs = _read_array(_read_member(zf, "inputs.npy", MAX_MEMBER_BYTES, where), "inputs.npy", where)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
            raise FileFormatError(f"{where}: damaged archive ({exc})") from None
    try:
        config = SOMConfig.from_dict(dict(meta["config"]))
        seed, iteration = meta["seed"], meta["iteration"]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (seed, iteration)):
            raise ValueError("seed and iteration must be whole numbers")
        names = meta.get("input_names")
        if config.seed is None:
            config = config.replace(seed=seed)
        som = SOM(inputs, config, weights=weights, iteration=iteration)
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise FileFormatError(f"{where}: damaged map description ({exc})") from None
    except SomdeskError as exc:
        raise FileFormatError(f"{where}: {exc}") from None
    if names is not None and (not isinstance(names, list) or len(names) != len(inputs)
                              or not all(n is None or isinstance(n, str) for n in names)):
        names = None  # names are a nicety: a damaged list is dropped, the map still opens
    return SavedMap(som, names)
