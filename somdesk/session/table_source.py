"""Tables into the session: the one place that knows which reader and which preparation
code is used, so the table engine (somdesk.io.tables, core.preparation) can replace
today's `somdesk.io.table` by changing these few functions only.

    table = read_table(path)                          # parsed source (rows, columns)
    prep = default_preparation(table)                 # every numeric column, zscore, drop
    data = prepare_table(table, prep, source=path)    # -> datasets.TableData
    labels = labels_of(table, "species", data.row_index)
"""
from __future__ import annotations

import os

from somdesk.errors import SomdeskError
from somdesk.session.datasets import TableData, TablePreparation

MISSING_LABELS = frozenset({"", "na", "n/a", "nan", "null", "?", "-"})


def read_table(path):
    """The parsed table at `path` (io.table.Table); FileFormatError naming the file on bad input."""
    from somdesk.io.table import read_table as _read

    return _read(path)


def read_table_text(text: str, name: str = "table"):
    """A table from CSV text (for tests and pasted data)."""
    from somdesk.io.table import read_table_text as _read

    return _read(text, name)


def default_preparation(table) -> TablePreparation:
    """Every numeric column, z-scores, rows with a missing value dropped; the first text
    column (if any) names the rows."""
    numeric = list(table.numeric_columns)
    if not numeric:
        raise SomdeskError(f"{table.name}: no column holds only numbers, so there is nothing to train on")
    text = [c for c in table.columns if c not in numeric]
    return TablePreparation(columns=tuple(numeric), label_column=text[0] if text else None)


def labels_of(table, column: str | None, row_index) -> tuple | None:
    """The text of `column` for each data row in `row_index` (None where missing), or None."""
    if column is None:
        return None
    if column not in table.columns:
        raise SomdeskError(f"{table.name} has no column {column!r}")
    texts = table.strings(column)
    return tuple(None if texts[int(i)].lower() in MISSING_LABELS else texts[int(i)] for i in row_index)


def prepare_table(table, prep: TablePreparation, source: str | None = None) -> TableData:
    """Training rows of `table` under `prep` (see io.table.Table.prepare for the rules)."""
    p = table.prepare(list(prep.columns), label_column=prep.label_column, normalise=prep.normalise,
                      missing=prep.missing)
    labels = None if p.labels is None else tuple(p.labels)
    title = os.path.basename(source) if source else table.name
    return TableData(data=p.data, preparation=prep, offset=p.scaling.offset, scale=p.scaling.scale,
                     row_index=p.row_index, labels=labels, table=table, title=title, source=source,
                     warnings=tuple(p.warnings))
