"""Sort a palette's own colours along a trained map ("Sort by map").

Method, strip layout (the default):

1. Convert the colours to the training space (OKLab by default, see colour_space).
2. Train a ring SOM: a 1 x M toroidal map with M = 2N nodes (N colours; at least 8,
   at most the 2000 a map side may have),
   classic online training, shuffled order, sigma from M/4 down to 1, seeded. A ring
   SOM is the elastic-net answer to "visit every colour once along a short closed
   curve" (Angeniol et al. 1988), and it sees the palette's global shape, which
   greedy and hue/lightness orders do not.
3. Read the order off the ring: colours sorted by their BMU's position; colours that
   share a BMU are ordered by which side neighbour they are closer to.
4. Open the ring into a strip at its largest CIEDE2000 step.
5. Refine with 2-opt and Or-opt on CIEDE2000 (colour_path.local_search): the map gives
   the global order, the local search removes the small crossings a finite map leaves.

Grid layout: a 2-D map of about sqrt(N) x sqrt(N) nodes; every colour gets its own
cell (the first N cells in reading order, nearest free node first, the colours with
the clearest choice placed first), and the palette is written row by row so a viewer
showing it `columns` wide shows the map.

Only the order changes: names, colours and count are kept (the result is a
permutation). Source of the goal and the figures: benchmarks/bench_sort.py.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from somdesk.core import cancel as _cancel
from somdesk.core.colour_path import distance_matrix, local_search, path_cost
from somdesk.core.colour_space import choose_space, to_space
from somdesk.core.options import MAX_SIDE, count_text
from somdesk.errors import OptionError

LAYOUTS = ("strip", "grid")
MAX_SORT_COLOURS = 6000      # the CIEDE2000 matrix is 4 N**2 bytes: 144 MB at this size
_EPOCH_BUDGET = 4e7           # node updates per training, caps epochs for big palettes


@dataclass(frozen=True)
class SortResult:
    """order[k] is the index (in the input) of the colour that goes to position k."""

    order: np.ndarray        # (N,) int64 permutation of 0..N-1
    layout: str              # "strip" or "grid"
    columns: int             # colours per row when shown (N for a strip)
    space: str               # the space the map was trained in
    cost: float              # sum of CIEDE2000 between neighbours in the layout (layout_cost)
    cost_before: float       # the same sum for the input order in the same layout


def as_rgb01(colours) -> np.ndarray:
    """(N, 3) uint8 0..255 or float 0..1 -> float64 (N, 3) in [0, 1]; ValueError otherwise."""
    a = np.asarray(colours)
    if a.ndim != 2 or a.shape[1] != 3:
        raise ValueError(f"expected (N, 3) colours, got shape {a.shape}")
    if a.dtype == np.uint8:
        return a.astype(np.float64) / 255.0
    a = a.astype(np.float64)
    if not np.all(np.isfinite(a)) or (a.size and (a.min() < 0 or a.max() > 1)):
        raise ValueError("float colours must be finite and in [0, 1]")
    return a


def sort_colours(colours, space: str = "oklab", layout: str = "strip", seed: int = 0,
                 cancel=None) -> SortResult:
    """Order colours (N, 3) along a trained map (module docstring); returns a SortResult.

    `colours`: uint8 0..255 or float 0..1 sRGB. `space`: the SOM's training space
    (colour_space.SPACES). `layout`: "strip" or "grid". `seed` makes it repeatable.
    `cancel`: a CancelToken (checked between epochs and local-search passes) or None.
    Raises OptionError for a bad space/layout or more than MAX_SORT_COLOURS colours,
    ValueError for a wrong array, Cancelled when cancelled. Cost: about a second for 256
    colours, tens of seconds for several thousand.
    """
    space = choose_space(space)
    if layout not in LAYOUTS:
        raise OptionError(f"unknown layout {layout!r}; choose one of: {', '.join(LAYOUTS)}")
    rgb = as_rgb01(colours)
    n = len(rgb)
    if n > MAX_SORT_COLOURS:
        raise OptionError(f"{count_text(n, 'colour')} is more than sorting handles ({MAX_SORT_COLOURS:,})")
    if n < 3:
        order = np.arange(n, dtype=np.int64)
        d = distance_matrix(rgb)
        c = path_cost(d, order)
        return SortResult(order, layout, max(n, 1), space, c, c)   # nothing to reorder
    d = distance_matrix(rgb, cancel)
    x = to_space(rgb, space)
    if layout == "strip":
        order = _ring_order(x, d, seed, cancel)
        order = local_search(d, order, cancel)
        columns = n
    else:
        order, columns = _grid_order(x, seed, cancel)
    return SortResult(order, layout, columns, space, layout_cost(d, order, columns),
                      layout_cost(d, np.arange(n), columns))


def layout_cost(d: np.ndarray, order, columns: int) -> float:
    """Sum of d between neighbours when `order` is shown `columns` per row, row by row:
    left-right pairs plus up-down pairs (for a strip, columns = N, the path cost).
    d (N, N) distances (CIEDE2000), order (N,) integer indices."""
    p = np.asarray(order, dtype=np.int64)
    n = len(p)
    pos = np.arange(n)
    across = pos[(pos % columns != columns - 1) & (pos + 1 < n)]
    down = pos[pos + columns < n]
    return float(np.sum(d[p[across], p[across + 1]], dtype=np.float64)
                 + np.sum(d[p[down], p[down + columns]], dtype=np.float64))


def _train(x: np.ndarray, height: int, width: int, toroidal: bool, seed: int, cancel):
    from somdesk.core.options import SOMConfig
    from somdesk.core.som import SOM

    nodes = height * width
    epochs = int(np.clip(_EPOCH_BUDGET / (len(x) * nodes), 30, 300))
    cfg = SOMConfig(width=width, height=height, iterations=epochs, learning_rate=0.5,
                    sigma=max(width, height) / 4, toroidal=toroidal, init="random-samples",
                    order="shuffled", seed=seed, decay="classic")
    som = SOM(x, cfg)
    for _ in som.steps(cancel=cancel):    # the token also reaches inside each epoch
        pass
    return som


def _ring_order(x: np.ndarray, d: np.ndarray, seed: int, cancel) -> np.ndarray:
    n = len(x)
    m = min(max(8, 2 * n), MAX_SIDE)      # beyond 1000 colours some share a node
    som = _train(x, 1, m, True, seed, cancel)
    w = som.weights[0]                                     # (M, 3) along the ring
    bmu = som.bmus()[:, 1].astype(np.int64)
    # within one node: before the middle if closer to the previous node than the next
    prev_d = np.linalg.norm(x - w[(bmu - 1) % m], axis=1)
    next_d = np.linalg.norm(x - w[(bmu + 1) % m], axis=1)
    frac = 0.5 + 0.49 * (prev_d - next_d) / np.maximum(prev_d + next_d, 1e-300)
    ring = np.argsort(bmu + frac, kind="stable").astype(np.int64)
    # open the ring at its largest step
    steps = d[ring, np.roll(ring, -1)]
    cut = int(np.argmax(steps))
    return np.roll(ring, -(cut + 1))


def _grid_order(x: np.ndarray, seed: int, cancel) -> tuple[np.ndarray, int]:
    n = len(x)
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    som = _train(x, rows, cols, False, seed, cancel)
    w = som.weights.reshape(-1, x.shape[1])[:n]            # only the first n cells are used
    dist = np.linalg.norm(x[:, None, :] - w[None, :, :], axis=2)     # (colours, cells)
    # the colours whose best cell beats their second best by most choose first
    part = np.partition(dist, 1, axis=1) if n > 1 else np.concatenate([dist, dist], axis=1)
    margin = part[:, 1] - part[:, 0]
    cell_of = np.full(n, -1, dtype=np.int64)
    free = np.ones(n, dtype=bool)
    for i in np.argsort(-margin, kind="stable"):
        row = np.where(free, dist[i], np.inf)
        c = int(np.argmin(row))
        cell_of[i] = c
        free[c] = False
    order = np.empty(n, dtype=np.int64)
    order[cell_of] = np.arange(n)
    return order, cols


def apply_order(items, order) -> list:
    """`items` (any sequence of length N, e.g. a palette's swatches) in the new order.

    `order` (N,) integers, a permutation of 0..N-1 (SortResult.order); raises
    ValueError for anything else.
    """
    items = list(items)
    order = np.asarray(order, dtype=np.int64)
    if sorted(order.tolist()) != list(range(len(items))):
        raise ValueError("order is not a permutation of the items")
    return [items[i] for i in order]


def palette_rgb(palette) -> np.ndarray:
    """(N, 3) uint8 colours of anything with `.swatches` whose items have `.rgb` (a Palette)."""
    return np.array([s.rgb for s in palette.swatches], dtype=np.uint8).reshape(-1, 3)


def sort_palette(palette, space: str = "oklab", layout: str = "strip", seed: int = 0,
                 cancel=None):
    """Palette > Sort by map: (new palette, SortResult) for a frozen-dataclass Palette.

    The new palette is `dataclasses.replace(palette, swatches=<same swatches, new order>,
    warnings=(), columns=<grid width, or None for a strip>)`: name, format and any other field
    kept, so a GIMP palette written from a grid says how wide the grid is. Arguments and errors as in
    `sort_colours`.
    """
    import dataclasses

    res = sort_colours(palette_rgb(palette), space=space, layout=layout, seed=seed, cancel=cancel)
    new = dataclasses.replace(palette, swatches=tuple(apply_order(palette.swatches, res.order)), warnings=(),
                              columns=res.columns if res.layout == "grid" else None)
    return new, res
