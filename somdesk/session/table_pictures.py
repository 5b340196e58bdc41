"""A table map's pictures and number formats, made by the task that made the map (off the GUI
thread), so the window only shows them (testerW #3: drawn on the GUI thread, a 500-column
table's profiles picture and planes sheet held the window 7.9 s, a 300,000-row table's
number formats 1.6 s).

    pics = map_pictures(tm, profiles)         # {"profiles": (h, w, 3) uint8 | None,
                                              #  "plane_cells": [(h_k, w_k, 3) uint8, ...]}
    fmts = number_formats(columns, cache)     # {name: ColumnFormat | None}

Qt-free: pixels and arrays only.  The window falls back to making them itself when a
result has none (a picture it redraws for another reason).
"""
from __future__ import annotations

import numpy as np

from somdesk.session.number_columns import ColumnFormat, column_format

__all__ = ["map_pictures", "number_formats", "number_format_of"]


def map_pictures(tm, profiles: dict | None) -> dict:
    """{"profiles": the Profiles tab's picture (session.segments.profiles_png as RGB, (h, w, 3)
    uint8) or None without profiles, "plane_cells": one picture per plane of the Planes tab (the
    first report.MAX_PLANES, render.plane_cells at render.sheets.plane_scale)} of TableMap `tm`."""
    from somdesk.render.sheets import plane_cells, plane_scale
    from somdesk.session.report import MAX_PLANES
    from somdesk.session.segments import profiles_png
    from somdesk.session.table_views import plane_data

    out: dict = {"profiles": None, "plane_cells": None}
    if profiles is not None and profiles.get("segments"):
        out["profiles"] = np.asarray(profiles_png(profiles).convert("RGB"))
    names, planes, hexagonal = plane_data(tm)
    planes = np.asarray(planes[:, :, :MAX_PLANES], dtype=np.float64)
    out["plane_cells"] = plane_cells(planes, [str(n) for n in names][:MAX_PLANES], hexagonal,
                                     plane_scale(planes.shape[1]))
    return out


def number_format_of(values) -> ColumnFormat | None:
    """The rows view's format of one column (N,): "int" for integers, session.number_columns.
    column_format for floats, None for text or true/false."""
    kind = np.asarray(values).dtype.kind
    return ColumnFormat("int") if kind in "iu" else column_format(values) if kind == "f" else None


def number_formats(columns: dict, cache: dict | None = None) -> dict:
    """{name: number_format_of(column)} of `columns` ({name: (N,) array}); `cache` maps
    id(array) -> (array, format) and is filled, so a table's own columns (the same arrays
    every run) are judged once per table, not once per run (0.3-0.5 s a 300,000-row column)."""
    out = {}
    for name, arr in columns.items():
        hit = cache.get(id(arr)) if cache is not None else None
        if hit is not None and hit[0] is arr:
            out[name] = hit[1]
            continue
        out[name] = number_format_of(arr)
        if cache is not None:
            cache[id(arr)] = (arr, out[name])
    return out
