"""The whole workspace in one `.somz` file, for every kind of data.

The archive is the saved-map format of `somdesk.io.mapfile` (meta.json,
weights.npy, inputs.npy: a colour map saved here is byte-for-byte the same
layout and opens in older versions) plus, per kind:

  meta.json "kind"            "colours" | "image" | "table" (absent: colours, an old file)
            "title", "source" what the window called the data and where it came from
            "session_config"  the user's SOMConfig (an image map's SOM may be in a later phase)
            "measures"        [[iteration, QE, TE], ...] measured so far
            "clusters"        {"k", "method", "summary"} with clusters.npy (H, W) int64
  table:    "table" {"preparation": {columns, normalise, missing, label_column}}
            table_offset.npy, table_scale.npy (D,) float64  x = offset + x' * scale
            table_rows.npy (N,) int64 file row of every training row
            labels.json       N strings or nulls, the label of every training row
            (inputs.npy holds the prepared, normalised rows; weights per column in D order)
  image:    "image" {"settings", "sample_seed", "phase", "recovery_round", "size": [w, h]}
            picture.png       the picture scaled down to at most PICTURE_MAX_SIDE px a side
            (inputs.npy holds the sampled pixels the map trains on)

Colour maps are written as format_version 1; table and image maps as 2, so an
older somdesk refuses them with "saved by a newer somdesk" instead of showing a
table's codebook as colours.  Every member is read with a size limit, arrays
without pickle and with the dtype and shape meta.json implies; anything else is
one FileFormatError naming the file.
"""
from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import somdesk
from somdesk.core.options import SOMConfig
from somdesk.core.som import SOM
from somdesk.errors import FileFormatError, SomdeskError
from somdesk.io import mapfile
from somdesk.session.datasets import ColourData, ImageData, QuantiserSettings, TableData, TablePreparation
from somdesk.session.progress import ClusterResult

PICTURE_MAX_SIDE = 1024
MAX_LABELS_BYTES = 256 * 1024 ** 2
KIND_VERSION = {"colours": 1, "table": 2, "image": 2}
READ_VERSIONS = (1, 2)


def _npy(arr: np.ndarray, dtype) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.ascontiguousarray(arr, dtype=dtype), allow_pickle=False)
    return buf.getvalue()


def _meta(session) -> dict:
    som, data = session.som, session.dataset
    meta = {
        "format": mapfile.FORMAT, "format_version": KIND_VERSION[data.kind],
        "somdesk_version": somdesk.__version__, "config": som.config.to_dict(),
        "seed": int(som.seed), "iteration": int(som.iteration), "dims": int(som.data.shape[1]),
        "inputs": int(som.data.shape[0]),
        "input_names": list(data.names) if data.kind == "colours" and data.names else None,
        "kind": data.kind, "title": data.title, "source": data.source,
        "session_config": session.config.to_dict(),
        "measures": [list(m) for m in session.measures],
    }
    if session.clusters is not None:
        c = session.clusters
        meta["clusters"] = {"k": c.k, "method": c.method, "summary": list(c.summary)}
    if data.kind == "table":
        meta["table"] = {"preparation": data.preparation.to_dict()}
    if data.kind == "image":
        h, w = data.pixels.shape[:2]
        meta["image"] = {"settings": data.settings.to_dict(), "sample_seed": int(data.sample_seed),
                         "phase": session.image_phase, "recovery_round": int(session.recovery_round),
                         "size": [int(w), int(h)]}
    return meta


def _picture_png(pixels: np.ndarray) -> bytes:
    from PIL import Image

    from somdesk.io.images import png_bytes

    h, w = pixels.shape[:2]
    im = Image.fromarray(np.ascontiguousarray(pixels))
    if max(h, w) > PICTURE_MAX_SIDE:
        f = PICTURE_MAX_SIDE / max(h, w)
        im = im.resize((max(1, round(w * f)), max(1, round(h * f))), Image.Resampling.LANCZOS)
    return png_bytes(np.asarray(im))


def save_workspace(session, path) -> None:
    """Write `session` (dataset, config, SOM, clusters, measures) to `path` atomically."""
    from somdesk.io.atomic import atomic_open

    som, data = session.ensure_som(), session.dataset
    members = {"meta.json": json.dumps(_meta(session), indent=1).encode("utf-8"),
               "weights.npy": _npy(som.weights, np.float64), "inputs.npy": _npy(som.data, np.float64)}
    if session.clusters is not None:
        members["clusters.npy"] = _npy(session.clusters.labels, np.int64)
    if data.kind == "table":
        members["table_offset.npy"] = _npy(data.offset, np.float64)
        members["table_scale.npy"] = _npy(data.scale, np.float64)
        members["table_rows.npy"] = _npy(data.row_index, np.int64)
        members["labels.json"] = json.dumps(None if data.labels is None else list(data.labels)).encode("utf-8")
    if data.kind == "image":
        members["picture.png"] = _picture_png(data.pixels)
    with atomic_open(path, "wb") as fh:
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, raw in members.items():
                zf.writestr(name, raw)


# -- reading ------------------------------------------------------------------------------
def _array(zf, name: str, where: str, dtype, shape: tuple) -> np.ndarray:
    raw = mapfile._read_member(zf, name, mapfile.MAX_MEMBER_BYTES, where)
    try:
        arr = np.lib.format.read_array(io.BytesIO(raw), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise FileFormatError(f"{where}: {name} is not a valid array ({exc})") from None
    if arr.dtype != np.dtype(dtype) or arr.shape != shape:
        raise FileFormatError(f"{where}: {name} is {arr.dtype} {arr.shape}, expected {np.dtype(dtype)} {shape}")
    return arr


def _json(zf, name: str, where: str, limit: int):
    try:
        return json.loads(mapfile._read_member(zf, name, limit, where).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FileFormatError(f"{where}: {name} is not valid JSON ({exc})") from None


@dataclass(frozen=True)
class SavedWorkspace:
    """A `.somz` read into memory; `install_into(session, path)` restores it."""

    dataset: object
    config: SOMConfig
    som: SOM
    clusters: ClusterResult | None
    measures: tuple
    image_phase: str = "ordering"
    recovery_round: int = 0

    def install_into(self, session, path) -> None:
        session.install(self.dataset, self.config, som=self.som, path=os.fspath(path), dirty=False,
                        clusters=self.clusters, image_phase=self.image_phase,
                        recovery_round=self.recovery_round)
        if self.measures:
            session._set("measures", self.measures)


def load_workspace(path) -> SavedWorkspace:
    """Read a `.somz` of any kind (old colour maps included); FileFormatError on anything wrong."""
    where = Path(path).name
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise FileFormatError(f"{where}: no such file") from None
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileFormatError(f"{where}: not a somdesk map ({exc})") from None
    try:
        with zf:
            return _load(zf, where)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
        raise FileFormatError(f"{where}: damaged archive ({exc})") from None
    except (KeyError, TypeError, ValueError, OverflowError, AttributeError) as exc:
        raise FileFormatError(f"{where}: damaged map description ({exc})") from None
    except FileFormatError:
        raise
    except SomdeskError as exc:
        raise FileFormatError(f"{where}: {exc}") from None


def _load(zf: zipfile.ZipFile, where: str) -> SavedWorkspace:
    meta = _json(zf, "meta.json", where, mapfile.MAX_META_BYTES)
    if not isinstance(meta, dict) or meta.get("format") != mapfile.FORMAT:
        raise FileFormatError(f"{where}: not a somdesk map")
    version = meta.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise FileFormatError(f"{where}: bad format_version {version!r}")
    if version > max(READ_VERSIONS):
        raise FileFormatError(f"{where}: saved by a newer somdesk (map format {version}); this version "
                              f"reads formats up to {max(READ_VERSIONS)}. Please update somdesk.")
    kind = meta.get("kind", "colours")
    if kind not in KIND_VERSION:
        raise FileFormatError(f"{where}: unknown kind of map {kind!r}")
    config = SOMConfig.from_dict(dict(meta["config"]))
    seed, iteration = meta["seed"], meta["iteration"]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (seed, iteration)):
        raise ValueError("seed and iteration must be whole numbers")
    if config.seed is None:
        config = config.replace(seed=seed)
    dims, n = int(meta["dims"]), int(meta["inputs"])
    weights = _array(zf, "weights.npy", where, np.float64, (config.height, config.width, dims))
    inputs = _array(zf, "inputs.npy", where, np.float64, (n, dims))
    som = SOM(inputs, config, weights=weights, iteration=iteration)
    user = SOMConfig.from_dict(dict(meta["session_config"])) if meta.get("session_config") else config
    clusters = None
    if isinstance(meta.get("clusters"), dict):
        c = meta["clusters"]
        labels = _array(zf, "clusters.npy", where, np.int64, (config.height, config.width))
        clusters = ClusterResult(labels, int(c["k"]), str(c["method"]), tuple(map(str, c.get("summary", ()))))
    measures = tuple(tuple(float(v) if i else int(v) for i, v in enumerate(m)) for m in meta.get("measures") or ())
    title, source = str(meta.get("title") or where), meta.get("source")
    source = source if isinstance(source, str) else None
    extra = {}
    if kind == "colours":
        names = meta.get("input_names")
        ok = isinstance(names, list) and len(names) == n and all(s is None or isinstance(s, str) for s in names)
        if dims != 3:
            raise FileFormatError(f"{where}: a colour map has 3 values per node, this one {dims}")
        dataset = ColourData(inputs, tuple(names) if ok else (), title, source)
    elif kind == "table":
        dataset = _table(zf, where, meta, inputs, dims, n, title, source)
    else:
        dataset, extra = _image(zf, where, meta, inputs, title, source)
    return SavedWorkspace(dataset, user, som, clusters, measures, **extra)


def _table(zf, where, meta, inputs, dims, n, title, source) -> TableData:
    p = meta["table"]["preparation"]
    prep = TablePreparation(tuple(p["columns"]), p["normalise"], p["missing"], p.get("label_column"))
    labels = _json(zf, "labels.json", where, MAX_LABELS_BYTES)
    if labels is not None and (not isinstance(labels, list) or len(labels) != n
                               or not all(s is None or isinstance(s, str) for s in labels)):
        raise FileFormatError(f"{where}: labels.json does not hold one label per row")
    return TableData(data=inputs, preparation=prep,
                     offset=_array(zf, "table_offset.npy", where, np.float64, (dims,)),
                     scale=_array(zf, "table_scale.npy", where, np.float64, (dims,)),
                     row_index=_array(zf, "table_rows.npy", where, np.int64, (n,)),
                     labels=None if labels is None else tuple(labels), table=None, title=title, source=source)


def _image(zf, where, meta, inputs, title, source) -> tuple[ImageData, dict]:
    from somdesk.io.image_input import load_image, load_image_bytes
    from somdesk.session.training import PHASES

    info = meta["image"]
    settings = QuantiserSettings(**info["settings"])
    phase = info.get("phase", "ordering")
    if phase not in PHASES:
        raise FileFormatError(f"{where}: unknown training phase {phase!r}")
    pixels = load_image_bytes(mapfile._read_member(zf, "picture.png", mapfile.MAX_MEMBER_BYTES, where), where)
    full = False
    size = [int(v) for v in info.get("size", ())]
    if source and os.path.isfile(source):
        try:   # the original, if it is still there and still the same size, quantises at full size
            original = load_image(source)
            if [original.shape[1], original.shape[0]] == size:
                pixels, full = original, True
        except SomdeskError:
            pass
    data = ImageData(pixels, inputs, settings, int(info.get("sample_seed", 0)), title, source, full)
    return data, {"image_phase": phase, "recovery_round": int(info.get("recovery_round", 0))}
