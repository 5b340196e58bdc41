"""Tables for segmentation -- the old entry point, now thin wrappers over somdesk.io.tables.

Reading is done by DuckDB / calamine (somdesk.io.tables), preparation by
somdesk.core.preparation.  Kept so existing callers (the table window, tests)
keep working:

    table = read_table("customers.csv")          # any format somdesk.io.tables reads
    prep = table.prepare(["age", "income"], label_column="segment",
                         normalise="zscore", missing="drop")
"""
from __future__ import annotations

import os
import shutil
import tempfile

from somdesk.core.preparation import NORMALISATIONS, MAX_ABS_VALUE, Prepared, Scaling
from somdesk.io.tables.options import MISSING_TOKENS, ReadOptions
from somdesk.io.tables.table import Table, read_table

__all__ = ["MISSING_TOKENS", "NORMALISATIONS", "MISSING_POLICIES", "MAX_ABS_VALUE", "Table", "Prepared",
           "Scaling", "ReadOptions", "read_table", "read_table_bytes", "read_table_text"]

# the policies the table window offers (core.preparation also has "train")
MISSING_POLICIES = ("drop", "mean", "median")


def read_table_bytes(data: bytes, name: str = "table.csv", options: ReadOptions | None = None,
                     cancel=None) -> Table:
    """Like `read_table` for bytes in memory; `name` (with its extension) is used in messages
    and to tell the format."""
    suffix = os.path.splitext(name)[1] or ".csv"
    d = tempfile.mkdtemp(prefix="somdesk-bytes-")
    try:
        path = os.path.join(d, "data" + (suffix if len(suffix) <= 10 else ".csv"))
        with open(path, "wb") as f:
            f.write(data)
        tab = read_table(path, options, cancel, name=name)
    except BaseException:
        shutil.rmtree(d, ignore_errors=True)
        raise
    tab._src.own_dir(d)                 # the file lives as long as the table (sampled tables re-read it)
    return tab


def read_table_text(text: str, name: str = "table.csv", options: ReadOptions | None = None) -> Table:
    """Like `read_table` for text already decoded."""
    return read_table_bytes(text.encode("utf-8"), name, options)


