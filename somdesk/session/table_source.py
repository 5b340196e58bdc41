"""A table map's own table: found again when the map is reopened, and checked to be the same.

    fp = source_fingerprint(table)           # saved with the map (TableMap.source_fingerprint)
    table, note = source_of(tm, "m.somz")    # the table read again, or None and why not
    source_change_warning(tm, "t.csv")       # `assign` on the map's own table, changed since

A reopened map used to read whatever file now sat at its table's path and show its rows as the
map's (tester9 #8).  The map now keeps its table's fingerprint (io.fingerprint: size and a
content hash; and the rows read) and a table that no longer matches is not attached: the map
opens alone, as when its table is gone, and the note says what changed.  Maps saved before
keep no fingerprint and find their table as before.
"""
from __future__ import annotations

import os

from somdesk.errors import SomdeskError

__all__ = ["source_fingerprint", "table_fingerprint", "source_change", "source_of", "source_change_warning"]


def source_fingerprint(path, rows: int | None = None) -> dict | None:
    """The fingerprint saved with a map of the table file `path` (io.fingerprint.file_fingerprint),
    with the `rows` read from it (None: not compared); None for no file (a glob, a table made in
    memory)."""
    from somdesk.io.fingerprint import file_fingerprint

    if not path or not os.path.isfile(path):
        return None
    fp = file_fingerprint(path)
    if fp is not None and rows is not None:
        fp["rows"] = int(rows)
    return fp


def table_fingerprint(table) -> dict | None:
    """The fingerprint to save with a map trained on the rows of `table`, with the rows read: the
    file's io.fingerprint when it still has the stamp its reader took (io.tables read_table:
    `table.read_stamp`, one stat), else one that matches no file (sha256 CHANGED_AFTER_READ) --
    not the file as it is when training ends (review10 #5: edited between opening and Train, the
    new file passed for the rows trained on).  A table not read from a file: None."""
    from somdesk.io.fingerprint import CHANGED_AFTER_READ, file_fingerprint, file_stamp

    stamp = getattr(table, "read_stamp", None)
    path = getattr(table, "path", None)
    if not stamp or not path:
        return None
    fp = file_fingerprint(path) if file_stamp(path) == stamp else None
    if fp is None or file_stamp(path) != stamp:          # changed before or while it was hashed
        fp = {"size": stamp[0], "mtime": stamp[1] / 1e9, "sha256": CHANGED_AFTER_READ, "hashed": "none"}
    rows = getattr(table, "n_rows_total", None)
    return {**fp, **({"rows": int(rows)} if rows is not None else {})}


def source_change(tm, path, rows: int | None = None) -> str | None:
    """What changed in the file `path` since `tm` was trained on it (io.fingerprint's words, or
    "it has R rows now, S then" given the `rows` read), or None: the same, or a map that keeps
    no fingerprint (saved before 2026-12-01)."""
    from somdesk.io.fingerprint import fingerprint_change

    saved = getattr(tm, "source_fingerprint", None)
    if not saved:
        return None
    return fingerprint_change(saved, path) or rows_change(tm, rows)


def rows_change(tm, rows: int | None) -> str | None:
    """"it has R rows now, S then" when the `rows` read from the map's table differ from those
    its fingerprint saved, else None (no rows given or saved)."""
    saved = getattr(tm, "source_fingerprint", None) or {}
    if rows is None or saved.get("rows") is None or int(rows) == saved["rows"]:
        return None
    return f"it has {int(rows):,} rows now, {int(saved['rows']):,} then"


def source_change_warning(tm, data_path) -> str | None:
    """A warning when `data_path` is the very file `tm` was trained on and it changed since
    (`somdesk assign MAP TRAIN.csv` reproduces the training rows' scores only while it holds
    them), else None."""
    from somdesk.io.names import display_basename

    own = getattr(tm, "source_path", None)
    if not own or not os.path.isfile(data_path) or os.path.abspath(data_path) != os.path.abspath(own):
        return None
    change = source_change(tm, data_path)
    if change is None:
        return None
    return (f"{display_basename(data_path)} has changed since the map was trained on it ({change}): its scores "
            "are of what it holds now, not of the map's training rows")


def source_of(tm, map_path):
    """(table or None, note): the map's source table, read again with the read options it was
    read with (`tm.read_options`; older maps: everything detected); the note says why there is none.

    Looked for next to the map (by its file name: a folder of map and table moved together),
    then where it was (`tm.source_path`, absolute), then as the older maps name it
    (`tm.source`: relative to the current folder).  A file that changed since the map was
    trained (`source_change`) is not taken: the map then shows alone and the note says what
    changed (decision, tester9 #8: its rows would be shown as the training rows they are not;
    to see them on the map, open the table and train, or score it with Score new data)."""
    from somdesk.io.tables.table import read_table
    from somdesk.session.table_data import check_columns, options_from_dict

    name = os.path.basename(tm.source or tm.source_path or "")
    if not name:
        return None, "the map does not name the table it was made from"
    here = os.path.dirname(os.path.abspath(map_path))
    cands = [os.path.join(here, name)] + [c for c in (tm.source_path, tm.source) if c]
    try:
        options = options_from_dict(tm.read_options)
    except SomdeskError as exc:
        return None, str(exc)
    seen, changed = set(), None
    for cand in cands:
        key = os.path.abspath(cand)
        if key in seen or not os.path.isfile(cand):
            continue
        seen.add(key)
        change = source_change(tm, cand)
        if change is not None:
            changed = changed or (cand, change)
            continue
        try:
            table = read_table(cand, options)
        except SomdeskError as exc:
            return None, f"its table {os.path.basename(cand)} cannot be read ({exc})"
        change = rows_change(tm, getattr(table, "n_rows_total", None))     # the file is hashed once
        if change is not None:
            table.close()
            changed = changed or (cand, change)
            continue
        try:
            check_columns(tm, table)
        except SomdeskError as exc:
            table.close()
            return None, str(exc)
        return table, ""
    if changed is not None:
        return None, (f"its table {os.path.basename(changed[0])} has changed since the map was trained "
                      f"({changed[1]}); to see its rows on the map, score it (Score new data) or train on it "
                      "again")
    where = f" nor at {tm.source_path}" if tm.source_path else ""
    return None, f"its table {name} is not next to the map{where}"
