"""Old home of the export pictures; they now live in `somdesk.render` (no Qt, no files).

Kept as a thin re-export so existing imports keep working.  Hexagonal maps are
now true hexagons (render.geometry), not offset brick rows.
"""
from __future__ import annotations

from somdesk.render.colour_tables import BACKGROUND, EMPTY_NODE, lut, scalar_rgb, to_rgb8
from somdesk.render.geometry import MAX_SCALE, layout, picture_size
from somdesk.render.organised import ORGANISED_SIZES, organised_colours, organised_sizes, sample_grid
from somdesk.render.views import render_view, view_size

KINDS = ("map", "seed", "umatrix", "hits")
KIND_LABELS = {"map": "Map", "seed": "Strip + map (inputs above the map)",
               "umatrix": "U-matrix", "hits": "Hit map"}


def colormap_lut(name: str):
    """(256, 3) uint8 table of "viridis" or "inferno" (render.colour_tables.lut)."""
    return lut(name)


def body_size(rows: int, cols: int, hexagonal: bool, scale: int) -> tuple[int, int]:
    """(width, height) in pixels of a rows x cols map drawn at `scale` (render.geometry.picture_size)."""
    return picture_size(rows, cols, hexagonal, scale)


__all__ = ["KINDS", "KIND_LABELS", "BACKGROUND", "EMPTY_NODE", "MAX_SCALE", "render_view", "view_size",
           "layout", "body_size", "colormap_lut", "scalar_rgb", "to_rgb8", "organised_colours",
           "organised_sizes", "sample_grid", "ORGANISED_SIZES"]
