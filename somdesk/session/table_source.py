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
from dataclasses import replace

from somdesk.errors import SomdeskError
from somdesk.session.datasets import TableData, TablePreparation
# the label rules live with the table map (session.table_data): the dock and this path share them
from somdesk.session.table_data import MISSING_LABELS, default_label_column  # noqa: F401


def read_table(path, cancel=None):
    """The parsed table at `path` (io.table.Table, read by the table engine: CSV, TSV, Parquet,
    JSON, spreadsheets); FileFormatError naming the file on bad input, Cancelled when `cancel`
    is set while reading (the engine checks it between chunks)."""
    import inspect

    from somdesk.core.cancel import check
    from somdesk.io.table import read_table as _read

    check(cancel)
    takes_token = "cancel" in inspect.signature(_read).parameters
    table = _read(path, cancel=cancel) if takes_token else _read(path)
    check(cancel)
    return table


def read_table_text(text: str, name: str = "table"):
    """A table from CSV text (for tests and pasted data)."""
    from somdesk.io.table import read_table_text as _read

    return _read(text, name)




def default_preparation(table) -> TablePreparation:
    """Every numeric column, z-scores, rows with a missing value dropped; the rows are named
    by the text column that looks like a category (`default_label_column`), if any."""
    numeric = list(table.numeric_columns)
    if not numeric:
        raise SomdeskError(f"{table.name}: no column holds only numbers, so there is nothing to train on")
    return TablePreparation(columns=tuple(numeric), label_column=default_label_column(table, numeric))


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


# -- the session's table actions (Session.set_preparation / set_label_column) ------------------
def source_table(session):
    """The parsed source table of the session's dataset, re-read from its file for a map
    reopened without it (SomdeskError when that file is gone)."""
    data = session.dataset
    if data.table is None:
        if not data.source or not os.path.isfile(data.source):
            raise SomdeskError("the table this map was made from is not available; open the table "
                               "to change its columns or labels")
        session.dataset = replace(data, table=read_table(data.source))
    return session.dataset.table


def change_preparation(session, prep: TablePreparation) -> None:
    data = session._require("table")
    session._require_idle("change the columns")
    same_rows = (prep.columns, prep.normalise, prep.missing) == \
        (data.columns, data.preparation.normalise, data.preparation.missing)
    if same_rows:
        change_label_column(session, prep.label_column)
        return
    new = prepare_table(source_table(session), prep, session.dataset.source)
    session.install(new, session.config, path=session.path)


def change_label_column(session, column: str | None) -> None:
    from somdesk.session.mapstate import node_labels_of

    data = session._require("table")
    if column == data.preparation.label_column:
        return
    labels = labels_of(source_table(session), column, data.row_index)
    data = session.dataset
    session.dataset = replace(data, preparation=replace(data.preparation, label_column=column), labels=labels)
    session.events.labels_changed.emit(column)
    state = session.map
    if state is not None and state.measured:
        session._set("map", state.with_labels(node_labels_of(state.bmus, labels, state.shape)))
    session._set_dirty(True)
