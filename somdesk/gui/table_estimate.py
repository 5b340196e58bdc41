"""What "auto" map size and epochs mean for the Setup panel's choices, estimated from a bounded
sample so a table of a million rows costs the GUI thread a few milliseconds (tester2 C2).

    h, w, epochs, rows = estimate_auto(table, spec)     # OptionError/FileFormatError as prepare

The node count (SOM Toolbox: ceil(5 N^0.54321)) comes from the rows used for training, counted
in the sample and scaled to the table's rows in memory; the side ratio (the two largest
principal components) from the sample, which for SAMPLE_ROWS rows matches the whole to a few
per cent.  Training computes both again from every row (core.preparation), so the shown
figure can differ by a node or two on a big table.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["SAMPLE_ROWS", "estimate_auto"]

SAMPLE_ROWS = 20_000


class _Head:
    """The first `n` rows of a somdesk.io.tables Table, for prepare_table (read-only)."""

    def __init__(self, table, n: int):
        self._t, self._n = table, n
        self.name = table.name
        self.row_index = table.row_index[:n]

    def kind(self, c):
        return self._t.kind(c)

    def check_numeric(self, columns):
        return self._t.check_numeric(columns)

    def cells(self, c):
        return self._t.cells(c)[:self._n]

    def strings(self, c, limit=None):
        return self._t.strings(c, self._n if limit is None else min(limit, self._n))


def estimate_auto(table, spec) -> tuple[int, int, int, int]:
    """(height, width, epochs, training rows) of "auto" for `spec` (session.table_data.TableMapSpec)
    on `table`; the spec's own height/width override.  Raises as core.preparation.prepare_table."""
    from somdesk.core.preparation import auto_epochs, auto_map_size, prepare_table

    n_all = table.n_rows
    part = table if n_all <= SAMPLE_ROWS else _Head(table, SAMPLE_ROWS)
    prep = prepare_table(part, spec.columns, label_column=spec.label, normalise=spec.normalise,
                         missing=spec.missing, weights=spec.weights, passive=spec.passive,
                         categorical=spec.categorical)
    x = prep.data
    rows = len(x) if part is table else int(round(len(x) * n_all / SAMPLE_ROWS))
    fill = (prep.recipe.fill * np.sqrt(prep.recipe.feature_weight))[prep.recipe.active]
    munits = max(1, math.ceil(5 * max(1, rows) ** 0.54321))
    h, w = auto_map_size(np.where(np.isnan(x), fill, x), spec.topology.startswith("hex"), munits=munits)
    h, w = spec.height or h, spec.width or w
    return h, w, auto_epochs(rows, h * w), rows
