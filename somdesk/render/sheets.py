"""Composite pictures: a view with its legend, and every component plane in one sheet.

    with_legend(img, legend)                      -> the picture with its colour bar / categories below
    planes_sheet(weights, columns, hexagonal=False, scale=6, per_row=4, offset=..., scale_units=...)

Component planes are laid out in rows of `per_row` (wrapping, never clipped),
each with its column name above and its own colour bar below, all drawn by
render.views and render.legend, so a plane in the sheet is the same pixels as
the single plane on screen.
"""
from __future__ import annotations

import numpy as np

from somdesk.render.legend import category_legend, colour_bar
from somdesk.render.views import Legend, component_nodes, picture

GAP = 12
PLANE_WIDTH = 190        # about this many pixels across each plane of a planes sheet
MIN_SCALE, MAX_SCALE = 3, 24


def plane_scale(cols: int) -> int:
    """Pixels per node so a plane of `cols` nodes is about PLANE_WIDTH wide."""
    return int(np.clip(PLANE_WIDTH // max(1, cols), MIN_SCALE, MAX_SCALE))


def legend_picture(legend: Legend | None, length: int = 240) -> np.ndarray | None:
    """(h, w, 3) uint8: the colour bar (`length` px long) or category list of `legend`, or
    None when the view needs none."""
    if legend is None:
        return None
    if legend.cmap is not None:
        return colour_bar(legend.cmap, legend.levels, length=length, title=legend.title or None,
                          integer=legend.integer)
    if legend.names:
        return category_legend(legend.names, legend.colours)
    return None


def stack(pictures: list[np.ndarray], horizontal: bool = False, gap: int = GAP) -> np.ndarray:
    """(h, w, 3) uint8: (h_i, w_i, 3) uint8 pictures side by side (or one under the other) on
    white, `gap` px apart, aligned top / left; None entries skipped, a white 1 x 1 for none."""
    pictures = [p for p in pictures if p is not None]
    if not pictures:
        return np.full((1, 1, 3), 255, dtype=np.uint8)
    if horizontal:
        h = max(p.shape[0] for p in pictures)
        w = sum(p.shape[1] for p in pictures) + gap * (len(pictures) - 1)
    else:
        h = sum(p.shape[0] for p in pictures) + gap * (len(pictures) - 1)
        w = max(p.shape[1] for p in pictures)
    out = np.full((h, w, 3), 255, dtype=np.uint8)
    at = 0
    for p in pictures:
        if horizontal:
            out[: p.shape[0], at: at + p.shape[1]] = p
            at += p.shape[1] + gap
        else:
            out[at: at + p.shape[0], : p.shape[1]] = p
            at += p.shape[0] + gap
    return out


def with_legend(img: np.ndarray, legend: Legend | None) -> np.ndarray:
    """(h, w, 3) uint8: `img` (H, W, 3) uint8 with its legend below it (unchanged when the
    view has none)."""
    bar = legend_picture(legend, length=max(120, min(img.shape[1], 480)))
    return img if bar is None else stack([img, bar])


def planes_sheet(weights: np.ndarray, columns=None, hexagonal: bool = False, scale: int = 6, per_row: int = 4,
                 offset=None, scale_units=None) -> np.ndarray:
    """Every component plane of `weights` (rows, cols, D) with its name and colour bar,
    `per_row` planes to a row; values in the columns' own units when offsets and scales are given.

    Returns (h, w, 3) uint8; `scale` in pixels per node, `offset`/`scale_units` (D,).
    Raises SomdeskError for a bad `scale` or a plane picture over MAX_IMAGE_PIXELS."""
    return tile_cells(plane_cells(weights, columns, hexagonal, scale, offset, scale_units), per_row)


def plane_cells(weights: np.ndarray, columns=None, hexagonal: bool = False, scale: int = 6,
                offset=None, scale_units=None) -> list[np.ndarray]:
    """The cells of `planes_sheet`, one (h_k, w_k, 3) uint8 picture per component of `weights`
    (rows, cols, D): the plane with its colour bar and name below.  The costly part of a sheet
    (a 500-column table: seconds), so a task makes them once off the GUI thread and the window
    only tiles them (`tile_cells`) at its width.  Same arguments and errors as planes_sheet."""
    d = weights.shape[2]
    names = list(columns) if columns is not None else [f"component {k}" for k in range(d)]
    cells = []
    for k in range(d):
        nodes, legend = component_nodes(weights, k, offset, scale_units, names[k])
        img = picture(nodes, hexagonal, scale)
        cells.append(stack([img, colour_bar(legend.cmap, legend.levels, length=max(120, img.shape[1]),
                                             title=str(names[k]))], gap=4))
    return cells


def tile_cells(cells: list[np.ndarray], per_row: int = 4) -> np.ndarray:
    """(h, w, 3) uint8: `cells` (from plane_cells) `per_row` to a row, rows stacked (cheap:
    copies only)."""
    rows = [stack(cells[i:i + max(1, per_row)], horizontal=True) for i in range(0, len(cells), max(1, per_row))]
    return stack(rows)
