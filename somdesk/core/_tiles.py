"""Tile size of the pruned BMU search, shared by the kernels and their callers.

Kept apart from the numba module so that callers (and the ahead-of-time
compiled kernels) need not import numba to size the tile arrays.
"""

TILE = 8


def tile_shape(height: int, width: int) -> tuple[int, int]:
    return (height + TILE - 1) // TILE, (width + TILE - 1) // TILE
