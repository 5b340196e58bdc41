"""Zeros that may mean "not rated" (testerG #4): a ratings table written with 0 for an item a
user did not rate (items in 1..5) reads those zeros as ratings, and a segment's best item then
showed "mean rating 1.28" on a 1-5 scale (184 of its 280 "ratings" were 0; the real ones
averaged 3.74).  Nothing here changes a value: the table info, training, the window's Setup
tab, the top items and `somdesk assign` only warn, and the user reads 0 as missing by choice,
besides the words already read so (--also-missing 0; the window's Setup tab: Read 0 as missing).

    cols = zero_unrated_columns(table)            # {column: (least, largest other value)}
    text = zero_unrated_warning(table, columns)   # one sentence for the table, or None
    tally = ZeroTally(); tally.add(cells) ...     # the same rule over a table read in chunks
    text = tally.warning()

The rule for one numeric column (`zero_scale`), over its present values: no value below 0;
the other values lie on a rating scale -- every one at least 1 and at most MAX_SCALE, in steps
of 0.5, with at least MIN_LEVELS distinct ones -- so 0 sits below all of them with a gap; and 0
is frequent: at least ZERO_SHARE of the present values and MIN_ZEROS cells.  A count column
(children 0..5) can pass it too, which is why the sentence says "may".
"""
from __future__ import annotations

import os
import weakref

import numpy as np

from somdesk.core.choice_words import zero_choice
from somdesk.core.options import count_text

__all__ = ["MAX_SCALE", "MIN_LEVELS", "MIN_ZEROS", "ZERO_SHARE", "ZeroTally", "map_zero_warning",
           "scoring_columns", "scoring_zero_warning", "zero_scale", "zero_sentence", "zero_spellings", "table_zero_spellings", "zero_unrated_columns",
           "zero_unrated_warning"]

MAX_SCALE = 10        # the top of the scales recognised (1..5, 1..7, 1..10)
MIN_LEVELS = 3        # distinct other values: a yes/no 0/1 column is not a rating
ZERO_SHARE = 0.2      # 0 in at least this share of the present values ...
MIN_ZEROS = 5         # ... and in at least this many cells
NAMED = 3             # up to this many columns are named in the sentence

_SCALES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()     # table -> {column: scale or None}


class _ColumnTally:
    """What `zero_scale`'s rule needs of one column, gathered a chunk at a time: its zeros and
    present values, whether every other value lies on a rating scale, and those values' levels
    (at most 19 on a scale of half steps from 1 to MAX_SCALE, so the set stays small)."""

    __slots__ = ("zeros", "present", "on_scale", "levels")

    def __init__(self):
        self.zeros, self.present, self.on_scale, self.levels = 0, 0, True, set()

    def add(self, values) -> None:
        v = np.asarray(values, dtype=np.float64)
        v = v[np.isfinite(v)]
        zero = v == 0
        self.zeros += int(zero.sum())
        self.present += len(v)
        if not self.on_scale:
            return
        rest = v[~zero]
        if len(rest) and (rest.min() < 1 or rest.max() > MAX_SCALE or np.any(rest * 2 != np.round(rest * 2))):
            self.on_scale, self.levels = False, set()
            return
        self.levels.update(np.unique(rest).tolist())

    def merge(self, other: "_ColumnTally") -> None:
        self.zeros += other.zeros
        self.present += other.present
        self.on_scale = self.on_scale and other.on_scale
        self.levels = self.levels | other.levels if self.on_scale else set()

    def scale(self) -> tuple[float, float] | None:
        """(least, largest) other value when the column's zeros may mean "not rated", else None."""
        if not self.present or self.zeros < MIN_ZEROS or self.zeros < ZERO_SHARE * self.present:
            return None
        if not self.on_scale or len(self.levels) < MIN_LEVELS:
            return None
        return float(min(self.levels)), float(max(self.levels))


def zero_scale(values) -> tuple[float, float] | None:
    """(least, largest) of the non-zero values of `values` (1-D float, NaN = missing) when its
    zeros may mean "not rated" (module docstring's rule), else None.  No errors of its own."""
    one = _ColumnTally()
    one.add(values)
    return one.scale()


class ZeroTally:
    """`zero_unrated_columns`' rule over a table read in chunks (`somdesk assign --out-of-core`, a
    glob, `--dask`: each worker's tally is merged): the columns' verdicts equal those of the whole
    columns in memory.  Picklable (a Dask task hands it back)."""

    def __init__(self):
        self.columns: dict = {}        # column -> _ColumnTally, in the order first seen

    def add(self, cells: dict) -> None:
        """Count one chunk: `cells` {column: (n,) float64, NaN missing} of numeric columns."""
        for c, v in cells.items():
            self.columns.setdefault(c, _ColumnTally()).add(v)

    def merge(self, other: "ZeroTally") -> None:
        """Add `other`'s counts (another chunk's or worker's) to these."""
        for c, t in other.columns.items():
            if c in self.columns:
                self.columns[c].merge(t)
            else:
                self.columns[c] = t

    def found(self) -> dict:
        """{column: (least, largest other value)} of the columns whose zeros may mean "not rated"."""
        out = {}
        for c, t in self.columns.items():
            scale = t.scale()
            if scale is not None:
                out[c] = scale
        return out

    def warning(self, name: str | None = None, files=()) -> str | None:
        """`zero_sentence` of the columns found (`name`: the file, said first), or None; the zeros'
        spellings looked up in the text files `files` (`zero_spellings`)."""
        found = self.found()
        return zero_sentence(found, name, zero_spellings(files, found) if found else ("0",))


def zero_unrated_columns(table, columns=None) -> dict:
    """{column: (least, largest other value)} of the numeric `columns` of `table` (None: every
    numeric column; others are skipped) whose zeros may mean "not rated" (`zero_scale`), in
    column order; judged once per table and column.  A table without cells in memory (out of
    core) gives {}."""
    numeric = set(getattr(table, "numeric_columns", ()))
    if not hasattr(table, "cells"):
        return {}
    try:
        known = _SCALES.setdefault(table, {})
    except TypeError:                     # a table-like object that takes no weak reference
        known = {}
    out = {}
    for c in (table.numeric_columns if columns is None else columns):
        if c not in numeric:
            continue
        if c not in known:
            known[c] = zero_scale(table.cells(c))
        if known[c] is not None:
            out[c] = known[c]
    return out


SPELLINGS = 4         # at most this many spellings of 0 are named
SCAN_ROWS = 20000     # ... as found in the first this many rows: a writer spells its zeros alike
                      # throughout, and the window asks on its own thread (300k rows: 0.56 s)


def zero_spellings(files, columns) -> tuple[str, ...]:
    """How the delimited text files `files` (paths) write 0 in `columns`: the distinct texts of
    their cells that are the number 0, spaces around ignored (`0`, `0.0`, `0.00`...), `0` first
    then the shortest, at most SPELLINGS, in the first SCAN_ROWS rows; ("0",) for other formats or when none is found or the
    files cannot be read (the warning still stands).  One scan of the files (testerI #2: pandas
    writes `0.0` and `--also-missing 0` matches the text `0` only, so the advice did nothing)."""
    files = [os.fspath(f) for f in files or () if f]
    columns = list(columns)
    if not files or not columns:
        return ("0",)
    from somdesk.io.chunked_sql import engine_connection, files_format, reader_sql, sniffed_dialect
    from somdesk.io.tables.duckutil import q
    try:
        if files_format(files) != "csv":
            return ("0",)
        src = reader_sql(files, text_dialect=sniffed_dialect(files), missing=("",))
        cells = ", ".join(f"trim(CAST({q(c)} AS VARCHAR))" for c in columns)
        con = engine_connection()
        try:
            rows = con.execute(f"SELECT DISTINCT v FROM (SELECT unnest([{cells}]) AS v FROM (SELECT * FROM {src} LIMIT {SCAN_ROWS})) "
                               f"WHERE TRY_CAST(v AS DOUBLE) = 0 LIMIT 64").fetchall()
        finally:
            con.close()
    except Exception:  # noqa: BLE001 - the warning stands with the plain spelling
        return ("0",)
    found = sorted({str(r[0]) for r in rows if r[0]}, key=lambda t: (t != "0", len(t), t))
    return tuple(found[:SPELLINGS]) or ("0",)


def table_zero_spellings(table, columns=None) -> tuple[str, ...]:
    """zero_spellings of the in-memory `table`'s own file over its columns whose zeros may mean
    "not rated" (`zero_unrated_columns` of `columns`, None: every numeric one): what the
    window's Read 0 as missing adds to the missing words; ("0",) when there are none."""
    return _table_spellings(table, zero_unrated_columns(table, columns))


def _table_spellings(table, found: dict) -> tuple[str, ...]:
    """zero_spellings of the in-memory `table`'s own file over the columns `found`."""
    if not found:
        return ("0",)
    path = getattr(table, "source_path", None)
    return zero_spellings([path] if path else (), found)


def _number(x: float) -> str:
    return f"{x:g}"


def zero_sentence(found: dict, name: str | None = None, spellings=("0",)) -> str | None:
    """The one sentence for the columns `found` ({column: (least, largest other value)}, however
    many), naming the way to read 0 as missing besides the words already read so, in the
    window's words (core.choice_words.zero_choice of the zeros' `spellings`, `zero_spellings`: the
    CLI prints cli_words, --also-missing 0 or --also-missing 0,0.0); `name` (a scored file) said
    first; None for none.
    "0 may mean 'not rated' in 200 columns (other values 1-5): ..."."""
    if not found:
        return None
    lo = min(a for a, _ in found.values())
    hi = max(b for _, b in found.values())
    names = list(found)
    which = count_text(len(names), "column")
    if len(names) <= NAMED:
        which += " (" + ", ".join(repr(c) for c in names) + ")"
    return ((f"{name}: " if name else "") +
            f"0 may mean 'not rated' in {which} (other values {_number(lo)}-{_number(hi)}): a mean rating then "
            f"counts it as a rating; read it as missing with {zero_choice(spellings)}")


def zero_unrated_warning(table, columns=None) -> str | None:
    """One sentence for the whole table (however many columns) when zeros of its numeric
    `columns` (None: all) may mean "not rated" (`zero_sentence`); None otherwise."""
    found = zero_unrated_columns(table, columns)
    return zero_sentence(found, None, _table_spellings(table, found))


def scoring_columns(tm) -> list[str]:
    """The numeric columns of table map `tm` that place rows: those `somdesk assign` reads, in
    memory and in chunks alike, and whose zeros it judges."""
    from somdesk.session.table_assign import placing_columns

    placing = set(placing_columns(tm.recipe))
    return [c for c in tm.recipe.numeric_columns if c in placing]


def scoring_zero_warning(tm, table) -> str | None:
    """`zero_sentence` for new data `table` scored against table map `tm`, over its numeric
    placing columns (`scoring_columns`), the file named; None otherwise.  In chunks, a ZeroTally
    over the same columns gives the same sentence."""
    found = zero_unrated_columns(table, scoring_columns(tm))
    return zero_sentence(found, table.name, _table_spellings(table, found))


def map_zero_warning(tm, table) -> str | None:
    """zero_unrated_warning of `table` over the numeric columns of table map `tm`'s recipe (the
    items its top items rank); None without a table (a reopened map whose file is gone)."""
    if table is None:
        return None
    return zero_unrated_warning(table, tm.recipe.numeric_columns)
