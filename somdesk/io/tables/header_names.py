"""Unique column names from a header line's cells, renaming only what must be renamed.

DuckDB's own renaming may give a duplicate a name the file already has (header `x,x,x_1` came
back `x, x_1, x_1_1`: `--columns x_1` then chose the duplicate, tester10 #20).  Here the file's
own names are kept and a duplicate or blank takes the first free name.

Names are compared as DuckDB compares identifiers: trimmed (text files), ASCII letter case
ignored (`yn` and `YN` are one name to it: a view, a `names=`/`columns=` list or a struct with
both fails, "Duplicate named argument" -- fixS; `é` and `É` stay two).  So of `yn,YN` the
second becomes `YN_1`, and every query, `--where` and `--columns` can tell them apart.
"""
from __future__ import annotations

__all__ = ["unique_names", "renames_warning", "unnamed_warning", "engine_key"]

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def engine_key(name: str) -> str:
    """`name` as DuckDB compares identifiers: ASCII letters folded to lower case, nothing else
    changed (it keeps `é` and `É`, `ß` and `SS` apart)."""
    return name.translate(_ASCII_LOWER)


def unique_names(cells: list[str], trim: bool = True) -> tuple[list[str], list[tuple[str, str]], int]:
    """(names, renames, unnamed) for header `cells` (strings, one per column); `trim=False`
    keeps the spaces around names (Parquet's are stored names, not cells of a text line).

    names: one per cell, all different even with ASCII letter case ignored (`engine_key`): a
    cell's trimmed text when it is the first with that text (case aside); a blank cell becomes
    `column<i>` (i = 0-based position), a later duplicate `<name>_<n>` with the smallest n >= 1
    giving a name no cell has and none given before (case aside).
    renames: (cell text as in the file, new name) of each duplicate renamed, in column order.
    unnamed: how many cells were blank."""
    raw = list(cells)
    cells = [c.strip() if trim else c for c in cells]
    taken = {engine_key(c) for c in cells if c}
    seen: set[str] = set()
    names: list[str] = []
    renames: list[tuple[str, str]] = []
    unnamed = 0

    def free(base: str) -> str:
        n = 1
        while engine_key(f"{base}_{n}") in taken:
            n += 1
        return f"{base}_{n}"

    for i, (cell, text) in enumerate(zip(cells, raw)):
        key = engine_key(cell)
        if not cell.strip():
            unnamed += 1
            name = f"column{i}" if f"column{i}" not in taken else free(f"column{i}")
        elif key in seen:
            name = free(cell)
            renames.append((text, name))
        else:
            name = cell
        seen.add(key)
        taken.add(engine_key(name))
        names.append(name)
    return names, renames, unnamed


def unnamed_warning(unnamed: int) -> str | None:
    """The warning counting the blank names given a name by position, None when none was."""
    if not unnamed:
        return None
    from somdesk.core.options import count_text
    return f"{count_text(unnamed, 'column')} had no name and {'was' if unnamed == 1 else 'were'} named by position"


def renames_warning(renames: list[tuple[str, str]], shown: int = 5, names=()) -> str | None:
    """The warning naming the duplicate renames ('x' -> 'x_2'), None when there are none.
    `names`: every column's name as in the file (header cells); when a renamed one is there only
    once -- it repeated another in letter case only (`YN` after `yn`) -- the warning says why."""
    if not renames:
        return None
    parts = [f"{old!r} -> {new!r}" for old, new in renames[:shown]]
    more = f" and {len(renames) - shown} more" if len(renames) > shown else ""
    given = [str(n).strip() for n in names]
    case = any(given.count(old.strip()) == 1 for old, _new in renames)
    why = " (names that differ only in letter case count as the same name)" if case else ""
    return f"duplicate column names were made unique: {', '.join(parts)}{more}{why}"


def header_cells(lines, delim: str, quote: str | None, escape: str | None = None) -> list[str]:
    """The header's cells: the first non-blank record of `lines` (the head's lines after the
    skipped ones) read as CSV with this delimiter, quote and escape (a quoted name may hold the
    delimiter or a line break); [] when there is none."""
    import csv
    import io
    kw = {"delimiter": delim}
    if quote:
        kw["quotechar"] = quote
        if escape and escape != quote:
            kw.update(escapechar=escape, doublequote=False)
    else:
        kw["quoting"] = csv.QUOTE_NONE
    try:
        for row in csv.reader(io.StringIO("\n".join(lines)), **kw):
            if len(row) > 1 or (row and row[0].strip()):      # not a blank line
                return row
    except csv.Error:
        pass
    return []
