"""Node colours for every view, and whole pictures of a map: one implementation for the
window, PNG export, clipboard, time-lapse, CLI `--out` and the smoke test (no Qt, no files).

Views (`VIEWS`; "map" and "seed" are accepted as the CLI's older names):

  colours    the weights in true colour, each node exactly its 8-bit colour (to_rgb8)
  strip      the input strip above the map ("strip + map", the original service's picture)
  umatrix    each node's mean distance to its grid neighbours, min..max through viridis
             (dark = similar neighbours, bright = a boundary)
  hits       inputs per node, 0..max through inferno; a node no input maps to is EMPTY_NODE
  component  one column's plane of the codebook (in the column's own units when offsets
             and scales are given), min..max through viridis
  clusters   each node's cluster in a category colour
  labels     each node's majority label in a category colour, EMPTY_NODE without one

`node_colours` gives (rows, cols, 3) uint8 per node plus a `Legend` saying how
to read them; `picture` lays them out (squares or true hexagons,
render.geometry) at `scale` px per node and adds markers; `render_view` is the
export call that computes U-matrix and hits itself from weights and inputs.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from somdesk.core.options import count_text
from somdesk.errors import SomdeskError
from somdesk.render import geometry
from somdesk.render.colour_tables import EMPTY_NODE, category_colours, levels_of, scalar_rgb, to_rgb8
from somdesk.render.markers import draw_markers
from somdesk.render.strip import gap_height, input_strip, strip_height

VIEWS = ("colours", "strip", "umatrix", "hits", "component", "clusters", "labels")
ALIASES = {"map": "colours", "seed": "strip", "u-matrix": "umatrix", "planes": "component"}
VIEW_LABELS = {"colours": "Colours", "strip": "Strip + map (inputs above the map)", "umatrix": "U-matrix",
               "hits": "Hit map", "component": "Component plane", "clusters": "Clusters", "labels": "Labels"}


@dataclass(frozen=True)
class Legend:
    """How to read a view: a colour map over levels, or named categories with colours."""

    cmap: str | None = None
    levels: tuple[float, float] | None = None
    title: str = ""
    names: tuple = ()
    colours: np.ndarray | None = None   # (len(names), 3) uint8
    integer: bool = False               # counts: ticks at whole numbers only


def view_name(view: str) -> str:
    """The canonical view name, or SomdeskError listing the valid ones."""
    v = ALIASES.get(str(view).lower(), str(view).lower())
    if v not in VIEWS:
        raise SomdeskError(f"unknown view {view!r}; choose one of {', '.join(VIEWS)}")
    return v


def colour_nodes(weights: np.ndarray) -> np.ndarray:
    """(rows, cols, 3) uint8 of a map whose weights (rows, cols, D >= 3) are RGB in [0, 1].

    The first three components are used.  Raises SomdeskError for fewer than 3 or not 3-D.
    """
    if weights.ndim != 3 or weights.shape[2] < 3:
        raise SomdeskError(f"the map has {count_text(weights.shape[-1], 'value')} per node; a colour picture needs 3")
    return to_rgb8(weights[..., :3])


def scalar_nodes(values: np.ndarray, cmap: str, levels=None, title: str = "") -> tuple[np.ndarray, Legend]:
    """((rows, cols, 3) uint8, Legend): `values` (rows, cols) through colour map `cmap` over
    `levels` (default the finite min..max).  SomdeskError for an unknown `cmap`."""
    levels = levels_of(values) if levels is None else (float(levels[0]), float(levels[1]))
    return scalar_rgb(values, cmap, levels), Legend(cmap, levels, title)


def hit_nodes(hits: np.ndarray) -> tuple[np.ndarray, Legend]:
    """((rows, cols, 3) uint8, Legend): hit counts (rows, cols) through inferno over 0..max,
    nodes with no hit EMPTY_NODE; the legend's ticks are whole numbers."""
    hits = np.asarray(hits)
    rgb, legend = scalar_nodes(hits, "inferno", (0.0, float(hits.max()) if hits.size else 1.0), "inputs per node")
    rgb[hits == 0] = EMPTY_NODE
    return rgb, Legend(legend.cmap, legend.levels, legend.title, integer=True)


def component_nodes(weights: np.ndarray, k: int, offset=None, scale=None, title: str = "") -> tuple[np.ndarray, Legend]:
    """((rows, cols, 3) uint8, Legend): plane k of `weights` (rows, cols, D) through viridis.

    With `offset` and `scale` ((D,) each) the plane is shown in the column's own units,
    offset + value * scale; non-finite values (a passive column no row reached) are
    EMPTY_NODE.  Raises SomdeskError for k outside 0..D-1.
    """
    if not 0 <= int(k) < weights.shape[2]:
        raise SomdeskError(f"component {k} is outside 0..{weights.shape[2] - 1}")
    plane = weights[..., int(k)]
    if offset is not None and scale is not None:
        plane = offset[int(k)] + plane * scale[int(k)]
    rgb, legend = scalar_nodes(plane, "viridis", None, title or f"component {k}")
    rgb[~np.isfinite(plane)] = EMPTY_NODE     # no value (a passive column no row reached): not the low end
    return rgb, legend


def category_nodes(codes: np.ndarray, names) -> tuple[np.ndarray, Legend]:
    """Codes (rows, cols) int, -1 = none, into category colours."""
    colours = category_colours(len(names))
    codes = np.asarray(codes, dtype=np.int64)
    rgb = np.empty(codes.shape + (3,), dtype=np.uint8)
    rgb[...] = EMPTY_NODE
    ok = codes >= 0
    rgb[ok] = colours[codes[ok]]
    return rgb, Legend(names=tuple(names), colours=colours)


def label_codes(node_labels: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """(rows, cols) codes into the sorted distinct labels (-1 for a node without one)."""
    flat = list(np.asarray(node_labels, dtype=object).ravel())
    names = sorted({str(s) for s in flat if s is not None and str(s) != ""})
    index = {s: k for k, s in enumerate(names)}
    codes = np.array([index.get(str(s), -1) if s is not None else -1 for s in flat], dtype=np.int64)
    return codes.reshape(np.shape(node_labels)), names


def node_colours(view: str, weights: np.ndarray, *, umatrix=None, hits=None, component: int = 0,
                 offset=None, scale=None, columns=None, clusters=None, node_labels=None) -> tuple[np.ndarray, Legend]:
    """((rows, cols, 3) uint8, Legend) of `view` (module docstring) from what the view needs.

    `weights` (rows, cols, D); `umatrix` (rows, cols) float, `hits` (rows, cols) counts,
    `clusters` (rows, cols) int, `node_labels` (rows, cols) object (None = no label),
    `offset`/`scale` (D,) and `columns` D names for the component view.  Raises
    SomdeskError for an unknown view, a view whose input is None, a colour view of fewer
    than 3 components or a component index out of range.
    """
    view = view_name(view)
    if view in ("colours", "strip"):
        return colour_nodes(weights), Legend()
    if view == "umatrix":
        _need(umatrix, view)
        return scalar_nodes(umatrix, "viridis", None, "distance to neighbours")
    if view == "hits":
        _need(hits, view)
        return hit_nodes(hits)
    if view == "component":
        title = str(columns[int(component)]) if columns is not None else ""
        return component_nodes(weights, component, offset, scale, title)
    if view == "clusters":
        _need(clusters, view)
        k = int(np.max(clusters)) + 1 if np.size(clusters) else 0
        return category_nodes(clusters, [f"cluster {c}" for c in range(k)])
    _need(node_labels, view)
    codes, names = label_codes(node_labels)
    return category_nodes(codes, names)


def _need(value, view: str) -> None:
    if value is None:
        what = {"umatrix": "a trained map",
                "hits": "the inputs' best-matching nodes (a big map stopped early is not measured: "
                        "Step or Train measures it)",
                "clusters": "clusters (cluster the map first)",
                "labels": "a label column"}[view]
        raise SomdeskError(f"the {VIEW_LABELS[view].lower()} needs {what}")


def picture(nodes_rgb: np.ndarray, hexagonal: bool, scale: int, bmus=None, inputs=None) -> np.ndarray:
    """(H, W, 3) uint8: the map picture of per-node colours `nodes_rgb` (rows, cols, 3) uint8 at
    `scale` px per node (true hexagons when `hexagonal`), with rings on `bmus` (N, 2) when given,
    and with the input strip (N, >=3 floats in [0, 1]) above when `inputs` are given.

    The map is drawn in bands straight into the one output array (geometry.layout), the strip
    and gap above it: no step copies the whole picture, so a 100-Mpx export never holds the
    GIL for long.  SomdeskError for a bad `scale` or a picture over MAX_IMAGE_PIXELS."""
    scale = geometry.check_scale(scale)
    rows, cols = nodes_rgb.shape[:2]
    width, height = geometry.picture_size(rows, cols, hexagonal, scale)
    geometry.check_pixels(width, height)         # before allocating (the strip is not counted, as before)
    top = 0 if inputs is None else strip_height(height) + gap_height(scale)
    out = np.empty((top + height, width, 3), dtype=np.uint8)
    body = geometry.layout(nodes_rgb, hexagonal, scale, out=out[top:])
    if bmus is not None:
        draw_markers(body, nodes_rgb, bmus, hexagonal, scale)
    if inputs is not None:
        strip = strip_height(height)
        out[:strip] = input_strip(np.asarray(inputs, dtype=np.float64), width, 1)
        out[strip:top] = 255
    return out


def view_size(view: str, rows: int, cols: int, hexagonal: bool = False, scale: int = 4) -> tuple[int, int]:
    """(width, height) in pixels that the picture of `view` has, without drawing it.

    Raises SomdeskError for an unknown view or a bad `scale`.
    """
    width, height = geometry.picture_size(rows, cols, hexagonal, geometry.check_scale(scale))
    if view_name(view) == "strip":
        height += strip_height(height) + gap_height(scale)
    return width, height


def render_view(kind: str, weights: np.ndarray, inputs=None, hexagonal: bool = False, toroidal: bool = False,
                scale: int = 4, markers: bool = False) -> np.ndarray:
    """(H, W, 3) uint8 picture of view `kind` of a map: colours, strip, umatrix or hits, the
    U-matrix and hits computed here from `weights` (rows, cols, D) and `inputs` (N, D).

    `scale` in pixels per node.  Raises SomdeskError for an unknown or unsupported view,
    weights that are not a 3-D array, a strip, hits or markers without `inputs`, a bad
    `scale` or a picture over MAX_IMAGE_PIXELS."""
    view = view_name(kind)
    if not isinstance(weights, np.ndarray) or weights.ndim != 3:
        raise SomdeskError("weights must be an (height, width, dim) array")
    if view not in ("colours", "strip", "umatrix", "hits"):
        raise SomdeskError(f"render_view draws colours, strip, umatrix or hits, not {kind!r}")
    if (view in ("strip", "hits") or markers) and inputs is None:
        raise SomdeskError(f"the {VIEW_LABELS[view].lower()}{' with markers' if markers else ''} needs the inputs")
    geometry.check_scale(scale)
    extra = {}
    if view == "umatrix":
        from somdesk.core.metrics import u_matrix

        extra["umatrix"] = u_matrix(weights, hexagonal, toroidal)
    bmus = None
    if view == "hits" or markers:
        from somdesk.core.metrics import bmus as bmus_of

        bmus = bmus_of(weights, np.asarray(inputs, dtype=np.float64))
        rows, cols = weights.shape[:2]
        extra["hits"] = np.bincount(bmus[:, 0] * cols + bmus[:, 1], minlength=rows * cols).reshape(rows, cols)
    nodes, _legend = node_colours(view, weights, **extra)
    return picture(nodes, hexagonal, scale, bmus if markers else None, inputs if view == "strip" else None)
