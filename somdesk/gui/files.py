"""Palette files for the window, through `somdesk.io.palettes` (imported lazily,
so the GUI imports and runs even where that package is missing)."""
from __future__ import annotations

import os

import numpy as np

from somdesk.errors import SomdeskError


def _palettes():
    try:
        from somdesk.io import palettes
    except ImportError as exc:  # pragma: no cover - only before the io package lands
        raise SomdeskError(f"palette files cannot be read: somdesk.io.palettes is not available ({exc})") from None
    return palettes


def open_filter(maps: bool = False) -> str:
    """A QFileDialog filter string: all readable palettes first, then each format;
    with `maps`, saved maps (.somz) too, and a first filter for both."""
    try:
        filters = list(_palettes().READ_FILTERS)
    except SomdeskError:
        filters = []
    patterns = sorted({p for _desc, pats in filters for p in pats})
    parts = []
    if maps:
        parts.append(f"Palettes and maps ({' '.join(patterns + ['*.somz'])})")
    if patterns:
        parts.append(f"All palettes ({' '.join(patterns)})")
    parts += [f"{desc} ({' '.join(pats)})" for desc, pats in filters]
    if maps:
        parts.append("somdesk maps (*.somz)")
    parts.append("All files (*)")
    return ";;".join(parts)


def load_palettes(paths: list[str]) -> tuple[np.ndarray, list, str, list[str]]:
    """(colours (N, 3), names, title, warnings) of the palettes in `paths`, combined in order."""
    if not paths:
        raise SomdeskError("no palette file given")
    read_palette = _palettes().read_palette
    arrays, names, titles, warnings = [], [], [], []
    for path in paths:
        if not os.path.exists(path):
            raise SomdeskError(f"{path}: no such file")
        pal = read_palette(path)   # says itself what is wrong with a folder, a device, ...
        arrays.append(pal.to_array())
        names += [s.name for s in pal.swatches]
        titles.append(pal.name or os.path.basename(path))
        warnings += list(getattr(pal, "warnings", ()))
    colours = np.vstack(arrays) if arrays else np.zeros((0, 3))
    if len(colours) == 0:
        raise SomdeskError(f"{paths[0]}: the palette has no colours")
    title = titles[0] if len(titles) == 1 else f"{titles[0]} + {len(titles) - 1} more"
    return colours, names, title, warnings
