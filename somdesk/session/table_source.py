"""A table map's own table: found again when the map is reopened, and checked to be the same.

    fp = source_fingerprint(table)           # saved with the map (TableMap.source_fingerprint)
    table, note = source_of(tm, "m.somz")    # the table read again, or None and why not
    source_change_warning(tm, "t.csv")       # `assign` on the map's own table, changed since
    table = located_table(tm, "moved/t.csv") # the table the user found moved (Locate table…)

A reopened map used to read whatever file now sat at its table's path and show its rows as the
map's (tester9 #8).  The map now keeps its table's fingerprint (io.fingerprint: size and a
content hash; and the rows read) and a table that no longer matches is not attached: the map
opens alone, as when its table is gone, and the note says what changed.  Maps saved before
keep no fingerprint and find their table as before.
"""
from __future__ import annotations

import os

from somdesk.core.options import count_text
from somdesk.errors import SomdeskError

__all__ = ["source_fingerprint", "table_fingerprint", "source_change", "source_of", "source_change_warning",
           "saved_table_name", "not_at_note", "located_table"]


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
    return f"it has {count_text(int(rows), 'row')} now, {int(saved['rows']):,} then"


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


def saved_table_name(tm) -> str:
    """The file name of the table `tm` was trained on, as the map saved it (its `source`; else
    the last part of its `source_path`), or "" when it names none."""
    for value in (getattr(tm, "source", None), getattr(tm, "source_path", None)):
        if isinstance(value, str) and value:
            return os.path.basename(value)
    return ""


def not_at_note(path, why: str) -> str:
    """The one note for a saved table path a map does not follow (io.fingerprint.saved_path_problem):
    where it looked, why not, and what to do instead."""
    from somdesk.io.fingerprint import shown_path

    return (f"the table this map was trained on is not at {shown_path(path)} ({why}); to see its rows on the "
            "map, open that table (File > Open) and score it (Score new data) or train on it again")


def source_of(tm, map_path):
    """(table or None, note): the map's source table, read again with the read options it was
    read with (`tm.read_options`; older maps: everything detected); the note says why there is none.

    Looked for next to the map (by its file name: a folder of map and table moved together),
    then where it was (`tm.source_path`, absolute), then as the older maps name it
    (`tm.source`: relative to the current folder).  A saved map is a file anyone may send
    (tester10 #21): a path is followed only by io.fingerprint.saved_path_problem's rule (the
    table's own file name, a regular file outside /proc and /sys, its saved size and hash
    checked before any of it is read; a link to a file of another name only when they match),
    and what a file that is not the table holds is never quoted (a map saved before
    fingerprints reads an unchecked file: its read errors are not shown).  The file read is the
    one checked (io.fingerprint.checked_saved_path's real path), named as the map found it.  A
    file that changed since the map was trained (`source_change`) is not taken: the map then
    shows alone and the note says what changed (decision, tester9 #8: its rows would be shown
    as the training rows they are not; to see them on the map, open the table and train, or
    score it with Score new data)."""
    from somdesk.io.fingerprint import checked_saved_path, other_name_problem, shown_path, valid_fingerprint
    from somdesk.io.tables.table import read_table
    from somdesk.session.table_assign import check_columns
    from somdesk.session.table_data import options_from_dict

    name = saved_table_name(tm)
    if not name:
        return None, "the map does not name the table it was made from"
    saved = getattr(tm, "source_fingerprint", None)
    here = os.path.dirname(os.path.abspath(map_path))
    cands = [os.path.join(here, name)] + [c for c in (tm.source_path, tm.source) if isinstance(c, str) and c]
    if saved and not valid_fingerprint(saved):
        return None, not_at_note(tm.source_path if isinstance(tm.source_path, str) else cands[0],
                                 "the map's record of its size and content is damaged, so no file is taken for it")
    try:
        options = options_from_dict(tm.read_options)
    except SomdeskError as exc:
        return None, str(exc)
    seen, changed, refused = set(), None, None
    for cand in cands:
        try:
            there = os.path.lexists(cand)
            key = os.path.realpath(cand)
        except (OSError, ValueError):           # a NUL, an unencodable name: refused below
            there, key = True, cand
        if not there or key in seen:
            continue
        seen.add(key)
        # the path rules, before anything is read; a link to a file of another name is checked by
        # the fingerprint below (review12 #1), and what is read is the file checked (#11)
        real, problem = checked_saved_path(cand, name, content_checked=bool(saved))
        if problem is not None:
            refused = refused or (cand, problem)
            continue
        change = source_change(tm, real)                 # size, then hash: still nothing parsed
        if change is not None:
            # a link to a file of another name that is not the table: refused in the path rule's
            # words, from the real path checked above (the rules are not run again)
            other = other_name_problem(real, name)
            if other is not None:
                refused = refused or (cand, other)
            else:
                changed = changed or (cand, change)
            continue
        try:
            table = read_table(real, options, name=os.path.basename(cand))
            # named as the map found it (a link `latest.csv` stays latest.csv when saved again);
            # its read stamp is of the file read, so a link changed since is a changed table
            table.path = os.path.abspath(cand)
        except SomdeskError as exc:                     # a checked file is the map's own: say why
            why = f" ({exc})" if saved else ""
            return None, f"its table {shown_name(cand)} cannot be read{why}"
        change = rows_change(tm, getattr(table, "n_rows_total", None))     # the file is hashed once
        if change is not None:
            table.close()
            changed = changed or (cand, change)
            continue
        try:
            check_columns(tm, table)
        except SomdeskError as exc:
            table.close()
            if not saved:       # an unchecked file: its column names are not the map's to show
                return None, f"its table {shown_name(cand)} does not have the columns the map was trained on"
            return None, str(exc)
        return table, ""
    if changed is not None:
        return None, (f"its table {shown_name(changed[0])} has changed since the map was trained "
                      f"({changed[1]}); to see its rows on the map, score it (Score new data) or train on it "
                      "again")
    if refused is not None:
        return None, not_at_note(*refused)
    where = f" nor at {shown_path(tm.source_path)}" if tm.source_path else ""
    return None, f"its table {shown_name(name)} is not next to the map{where}"


def located_table(tm, path):
    """The table of map `tm` read from `path`, a file the user picked because it moved (the
    window's Locate table…), with the read options it was trained with.  SomdeskError, one
    sentence, when `path` cannot be read that way, lacks the map's columns (check_columns names
    them), or is not the table the map was trained on (its saved size, content hash or rows
    differ: as `source_of`, its rows would be shown as training rows they are not).  Maps saved
    before fingerprints are checked by their columns alone."""
    from somdesk.io.tables.table import read_table
    from somdesk.session.table_assign import check_columns
    from somdesk.session.table_data import options_from_dict

    path = os.fspath(path)
    options = options_from_dict(tm.read_options)
    try:
        table = read_table(path, options)
    except SomdeskError as exc:
        raise SomdeskError(f"{shown_name(path)} cannot be read as this map's table ({exc})") from None
    try:
        check_columns(tm, table)
        change = rows_change(tm, getattr(table, "n_rows_total", None)) or source_change(tm, path)
        if change is not None:
            raise SomdeskError(f"{shown_name(path)} is not the table this map was trained on ({change}); to see "
                               "its rows on the map, score it (Score new data) or train on it again")
    except SomdeskError:
        table.close()
        raise
    table.path = os.path.abspath(path)
    return table


def shown_name(path) -> str:
    """The file name of `path` for a note (io.fingerprint.shown_path of its last part)."""
    from somdesk.io.fingerprint import shown_path

    return shown_path(os.path.basename(path), 80)
