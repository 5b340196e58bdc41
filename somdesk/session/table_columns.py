"""Which columns a table map trains on when the user names none: the CLI's `train --table`
default and the window's Setup ticks (one function, `default_columns`), and the label column.

    cols = default_columns(table, label)       # numeric columns but label, row identifiers, dates, mostly missing
    default_passive(table, label)              # the date columns, shown on the map as passive
    identifier_warning(table, label)           # one sentence naming those left out, or None
    default_label_column(table, numeric)       # the column that looks like the rows' class

Left out of the default (docs/tables.md, "Preparation"): row identifiers (`_identifier_reason`),
columns missing in most rows (`mostly_missing_columns`, tester9 #10); a column named by the user is
always trained on.  Split from session.table_data; import these names from here.
"""
from __future__ import annotations

import re
import weakref

import numpy as np

from somdesk.core.options import count_text
from somdesk.core.preparation import DEFAULT_MISSING_LABELS
from somdesk.errors import OptionError
from somdesk.io.tables.columns import SLICE_ROWS

__all__ = ["default_columns", "default_label_column", "label_rule", "identifier_columns", "identifier_warning", "judge_columns",
           "date_columns", "date_rule", "default_fallback", "default_passive", "dates_warning", "dates_warning_of",
           "mostly_missing_columns", "left_out_warning", "missing_share_reason", "spoiled_columns",
           "metadata_target", "default_columns_warnings", "identifier_rule", "MISSING_LABELS", "MAX_LABEL_KINDS", "numeric_label_warning", "NUMERIC_LABEL", "MOSTLY_MISSING", "MIN_PRESENT"]


MISSING_LABELS = DEFAULT_MISSING_LABELS    # the label rule's defaults (core.preparation.label_values)

MAX_LABEL_KINDS = 50    # a column with more distinct values is an identifier, not a label


# names of a class column: preferred as the default label wherever they stand (a segment, a
# species after a size column), before the leftmost category
_CLASS_WORDS = frozenset({"species", "class", "label", "target", "category", "kind", "type", "segment", "group",
                          "cluster", "variety", "genus", "breed", "outcome", "diagnosis"})


# names of a date or time column (English, German, French, Spanish, Italian, Dutch)
_DATE_WORDS = frozenset({"date", "dates", "datum", "datetime", "timestamp", "time", "fecha",
                         "created", "updated", "modified"})


def default_label_column(table, numeric, chosen=()) -> str | None:
    """The column that looks like the rows' class of an in-memory `table`: a scikit-learn CSV's
    class target when its metadata line names the classes (`metadata_target`; tester13 #9: iris's
    `column4`, read as setosa, versicolor, virginica) unless it is among the columns the user
    `chosen` to train on or show; else the text column `label_rule` picks, leaving out the columns
    in `numeric` (its numeric columns, and any the caller excludes); None when no column is one."""
    # a set: `c not in numeric` over a list was quadratic (3,000 columns: 0.29 s on the window's thread)
    numeric = set(numeric)
    if not chosen and numeric == set(table.numeric_columns):     # the default: once per table
        return _judged(table, "default label", "", lambda t, _c: _default_label(t, numeric, ()))
    return _default_label(table, numeric, chosen)


def _default_label(table, numeric: set, chosen) -> str | None:
    """`default_label_column`, taken now."""
    target = next(iter(metadata_target(table)), None)
    if target is not None and target not in chosen and getattr(table, "value_names", lambda c: None)(target):
        return target

    def kinds(name: str, limit: int) -> int:
        # the distinct cells first, then the words of those few: a cell-by-cell lower() cost the
        # window's GUI thread ~1 s on a 1,000,000-row table (tester8 #16); an identifier or free
        # text is known from its first rows
        if _judged(table, "label kinds in 10,000 rows", name, lambda t, c: len(_label_kinds(t, c, 10_000))) > limit:
            return limit + 1
        return _judged(table, "label kinds", name, lambda t, c: len(_label_kinds(t, c)))
    return label_rule([c for c in table.columns if c not in numeric], kinds, table.n_rows)


def label_rule(names, kinds, n_rows: int) -> str | None:
    """The default label among the text columns `names` (in table order) of a table of `n_rows`
    rows; `kinds(name, limit)` gives a column's distinct present values (any number above `limit`
    may stand for "more").  Among the columns with 2 to MAX_LABEL_KINDS distinct values and at
    most half as many as rows (identifiers and free text are not labels), the leftmost whose name
    is a class word (`_CLASS_WORDS`: species, class, label, segment, kind, ...), else the leftmost
    of them (tester11: palmerpenguins' label was `sex`, the last one, not `species`, the first),
    one named for a date (`_DATE_WORDS`: date, Datum, timestamp) only when no other is a label;
    None when no column is one.  One rule in memory (`default_label_column`) and out of core
    (session.outofcore_table.default_label_out_of_core)."""
    limit = min(MAX_LABEL_KINDS, max(2, n_rows // 2))
    found, dated = [], []
    for name in names:
        if 2 <= kinds(name, limit) <= limit:
            if _words(name) & _CLASS_WORDS:
                return name
            # a date column in forms the reader does not read as dates ("15 Mar 2024", "02/15/2024")
            # says when, not what kind: a label only when no other column is one (testerF #3)
            (dated if _words(name) & _DATE_WORDS else found).append(name)
    return found[0] if found else dated[0] if dated else None



NUMERIC_LABEL = "the label column "     # how numeric_label_warning starts (the CLI says "--label " instead)


def numeric_label_warning(column: str | None, labels, numeric: bool) -> str | None:
    """A warning when the label `column`, `numeric` (its table reads it as numbers), has more than
    MAX_LABEL_KINDS distinct present `labels` (texts, None missing): a measurement, not a class
    (tester12 #6: a --label bill_len was taken out of training without a word and its "purity"
    reported over 187 kinds); None otherwise (no column, a text column, or few kinds: a numeric
    class code is fine)."""
    if column is None or labels is None or not numeric:
        return None
    kinds = len({v for v in labels if v is not None})
    if kinds <= MAX_LABEL_KINDS:
        return None
    return (f"{NUMERIC_LABEL}{column} is numeric with {kinds} distinct values: it is not trained on; "
            f"purity over {kinds} kinds means little")


def _label_kinds(table, name: str, head: int | None = None) -> set:
    """The distinct present values of text column `name` (of its first `head` rows)."""
    cells = table.cells(name)[:head]
    if cells.dtype == object:
        distinct: set = set()
        for lo in range(0, len(cells), SLICE_ROWS):     # a slice per call: each holds the GIL
            distinct.update(cells[lo:lo + SLICE_ROWS].tolist())
    else:
        distinct = set(table.strings(name, head))
    tokens = getattr(table, "missing_tokens", MISSING_LABELS)      # the table's --missing-values, as training
    return {v for v in distinct if v is not None and v.strip().lower() not in tokens}


# words that name a row (customer_id, CustomerID, uuid): any whole numbers under them are keys
_ID_WORDS = frozenset({"id", "ids", "uuid", "guid", "rowid", "rownum"})
# words that also name measurements (Happiness Index, price_index, uv_idx): keys only when the
# values are distinct whole numbers
_INDEX_WORDS = frozenset({"idx", "index"})
# words of key columns (CustNo, account_nr, order_number, product_code, user_key) -- also of
# measurements (number_of_children), so keys only with distinct whole numbers (tester9 #5)
_KEY_WORDS = frozenset({"no", "nr", "num", "number", "key", "code"})
# what a glued "...id" names (userid, customerid, orderid): "paid", "valid", "fluid" are not keys
_GLUED_ID = re.compile(r"(user|customer|cust|client|order|account|acct|member|person|patient|product|"
                       r"item|session|transaction|txn|record|row|employee|emp|student|movie|article|"
                       r"invoice|ticket|visitor|device|household|subject|participant|case|sample)id")


def _words(name: str) -> set:
    """The lower-case words of a column name: 'customer_id', 'CustomerID', 'birthYear 2'."""
    return {w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", str(name))}


# calendar parts a whole-number column can be named for, with the values they take: such a
# column says when a row was measured, not what was measured (palmerpenguins' `year`, tester11)
_YEAR_WORDS = frozenset({"year", "yr"})
_CALENDAR_NAMES = {"month": (1, 12), "quarter": (1, 4), "week": (1, 53), "weekday": (0, 7), "day": (1, 31)}
_CALENDAR_FILLER = frozenset({"of", "the", "no", "nr", "num", "number"})


def date_rule(name: str, vmin: float, vmax: float, yyyymmdd: bool) -> str | None:
    """Why a column of whole numbers `name` (least and largest value `vmin`, `vmax`; `yyyymmdd`:
    every value reads as a valid 8-digit date) holds dates rather than measurements, or None:
      * a word of its name is "year" or "yr" (birth_year, model_year) and its values lie in
        1000..2999 -- "years" (a duration: years_employed) is not;
      * its name is only calendar words (month, quarter, week, weekday, day, "day of week")
        and its values lie in that part's range -- "calls_per_day" is a measurement;
      * every value is a yyyymmdd date (20240131), whatever the name."""
    words = _words(name)
    if words & _YEAR_WORDS and 1000 <= vmin and vmax <= 2999:
        return "calendar years"
    parts = words - _CALENDAR_FILLER
    if words & {"day", "week"} and words & {"of"} and parts <= {"day", "week", "month", "year"} \
            and 0 <= vmin and vmax <= 31:
        return "a calendar position"
    if len(parts) == 1 and next(iter(parts)) in _CALENDAR_NAMES:
        lo, hi = _CALENDAR_NAMES[next(iter(parts))]
        if lo <= vmin and vmax <= hi:
            return f"calendar {next(iter(parts))}s"
    if yyyymmdd:
        return "dates written as yyyymmdd numbers"
    return None


def _yyyymmdd(present: np.ndarray) -> bool:
    """Is every value an 8-digit yyyymmdd date (years 1800-2199)?"""
    if not present.size or present.min() < 18000101 or present.max() > 21991231:
        return False
    v = present.astype(np.int64)
    month, day = (v // 100) % 100, v % 100
    return bool(np.all((month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)))


def _date_reason(table, name: str) -> str | None:
    """`date_rule` of numeric column `name` of `table` (whole numbers only), or None."""
    v = table.cells(name)
    present = v[np.isfinite(v)]
    if not present.size or not np.all(present == np.round(present)):
        return None
    return date_rule(name, float(present.min()), float(present.max()), _yyyymmdd(present))


def date_columns(table, label: str | None = None) -> dict[str, str]:
    """{column: why} of the numeric columns of `table` but `label` and row identifiers that hold
    dates (`date_rule`), in column order.  The default choice shows them as passive columns --
    on the map, placing no row -- since a map of penguins by year sorts years, not penguins."""
    ids = identifier_columns(table, label)
    out = {}
    for c in table.numeric_columns:
        if c == label or c in ids:
            continue
        why = _judged(table, "date", c, _date_reason)      # once per table (see _JUDGED)
        if why:
            out[c] = why
    return out


def _identifier_reason(table, name: str) -> str | None:
    """Why column `name` names rows rather than measuring them, or None.  Only whole numbers
    can be keys (a measurement with fractions never is, whatever its name: tester8 #13), and
      * its name has an identifier word ("id", "customer_id", "CustomerID", "uuid"), or
        "index"/"idx" with every value distinct (row numbers, not a price index's levels); or
      * every value is distinct, in 10 rows or more, and its name has a key word ("CustNo",
        "account_nr", "order_number", "product_code") or a glued one ("userid", "customerid"),
        whatever the numbers' range (keys that start at 100001: tester9 #5); or
      * its values are distinct whole numbers within 0..N, N the file's rows (row numbers
        1..N in any order, a pandas index written to the file; of a sampled table, a sample
        of them) -- in a table of at least 10 rows with no missing cell.  A rank or a day of
        the month over as many rows looks the same: `identifier_warning` says what was left out."""
    v = table.cells(name)
    present = v[np.isfinite(v)]
    if not present.size or not np.all(present == np.round(present)):
        return None
    return identifier_rule(name, np.unique(present).size == present.size, len(v),
                           max(len(v), int(getattr(table, "n_rows_total", len(v)))), table.missing_count(name),
                           float(present.min()), float(present.max()))


def identifier_rule(name: str, distinct: bool, rows: int, total: int, missing: int, vmin: float,
                    vmax: float) -> str | None:
    """`_identifier_reason` of a column of whole numbers `name` from its statistics: whether its
    present values are `distinct`, the `rows` they were taken over (of `total` in the file), the
    `missing` cells, the least and largest value -- so the engine's statistics out of core give
    the same answer as the cells in memory (review10 #2)."""
    words = _words(name)
    if words & _ID_WORDS or (words & _INDEX_WORDS and distinct):
        return "named as an identifier"
    if distinct and rows >= 10 and (words & _KEY_WORDS or any(_GLUED_ID.fullmatch(w) for w in words)):
        return "distinct whole numbers named as a key"
    if rows < 10 or missing or not distinct or vmin < 0 or vmax > total:
        return None
    return "distinct whole numbers no larger than the row count, like row numbers"


# {table: {(rule, column): its reason or None}}: the default choice asks each rule of every numeric
# column several times (default_columns, the passive dates and the warnings; the CLI's train
# --table: np.unique over every column each time); a table's cells do not change once read, and
# the entry goes with the table
_JUDGED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _judged(table, rule: str, column: str, judge):
    """`judge(table, column)` (a column rule: `_identifier_reason`, `_date_reason` give their reason
    or None; the label's distinct values, a count), taken once per table, rule and column however
    often it is asked."""
    try:
        known = _JUDGED.setdefault(table, {})
    except TypeError:                       # a table-like object that takes no weak reference
        known = {}
    key = (rule, column)
    if key not in known:
        known[key] = judge(table, column)
    return known[key]


def judge_columns(table) -> None:
    """Take the column rules the default choice asks of every column of an in-memory `table` --
    identifiers, dates, a label's distinct values -- once, now (each is kept per table, `_judged`):
    the window's read task calls this on its worker, so that the Setup tab, filled on the window's
    thread, finds them taken (on 1,000,000 rows they cost that thread ~0.3 s: np.unique and
    set() over every column)."""
    date_columns(table)                      # identifier_columns first, then the dates
    label = default_label_column(table, set(table.numeric_columns))
    for policy in ("drop", "train"):        # the Setup tab's default policy, and its sparse columns' rule
        _left_out(table, label, policy)
    from somdesk.session.unrated import zero_unrated_columns
    zero_unrated_columns(table)              # the Setup tab's "0 may mean not rated" note


def identifier_columns(table, label: str | None = None) -> dict[str, str]:
    """{column: why it names rows} of the numeric columns of `table` but `label` that look like
    row identifiers (`_identifier_reason`), in column order; each column is judged once per
    table however often this is asked."""
    out = {}
    for c in table.numeric_columns:
        if c == label:
            continue
        why = _judged(table, "identifier", c, _identifier_reason)
        if why:
            out[c] = why
    return out


MOSTLY_MISSING = 0.5     # a numeric column missing in more than this share of rows is not a default one
# with --missing train, a column present in fewer rows than this is not a default one: a handful
# of values places nothing, but a ratings table's item rated by 10% of the users does (tester13 #2)
MIN_PRESENT = 5


def mostly_missing_columns(table, label: str | None = None, missing: str = "drop") -> dict[str, str]:
    """{column: how much of it is missing} of the numeric columns of `table` but `label` too sparse
    to be a default training column under the `missing` policy (`missing_share_reason`, over the
    rows in memory).  tester9 #10: an NDJSON key that appears in one late record became a training
    column, and `--missing drop` then kept 1 row."""
    n = int(getattr(table, "n_rows", 0) or 0)
    out = {}
    for c in table.numeric_columns:
        why = missing_share_reason(int(table.missing_count(c)), n, missing) if c != label else None
        if why:
            out[c] = why
    return out


def metadata_target(table, label: str | None = None) -> dict[str, str]:
    """{column: why} for the class target of a scikit-learn CSV (tester10 #1): its metadata line
    (`150,4,setosa,versicolor,virginica`: rows, features, class names; io.tables skips it and keeps
    it in the dialect) says there are n_features features, so a last column beyond them is the
    answer, not a feature (trained on, wine's map was of its classes).  {} otherwise."""
    meta = (getattr(table, "dialect", None) or {}).get("metadata")
    parts = [p.strip() for p in str(meta).split(",")] if meta else []
    cols = list(table.columns)
    if len(parts) < 2 or not parts[1].isdigit() or len(cols) != int(parts[1]) + 1:
        return {}
    target = cols[-1]
    if target == label or target not in table.numeric_columns:
        return {}
    classes = ", ".join(parts[2:5]) + (", ..." if len(parts) > 5 else "")
    return {target: "the class target of the file's scikit-learn metadata line"
                    + (f": {classes}" if classes else "")}


def _left_out(table, label: str | None, missing: str = "drop") -> tuple[tuple, dict, dict, dict]:
    """(default columns, identifiers and targets left out, mostly missing left out, dates made
    passive): the numeric columns but the label, row identifiers, a scikit-learn file's class
    target, date columns (`date_columns`) and mostly missing columns; when nothing else remains,
    `default_fallback` brings them back (dates first, then identifiers, then mostly missing).
    Taken once per table, label and policy (the Setup tab asks four times, each a loop over every
    column: 0.3 s for 3,000 columns on the window's thread); the dicts returned are copies."""
    cols, ids, sparse, dates = _judged(table, "left out", (label, missing), lambda t, key: _left_out_now(t, *key))
    return cols, dict(ids), dict(sparse), dict(dates)


def _left_out_now(table, label: str | None, missing: str) -> tuple[tuple, dict, dict, dict]:
    """`_left_out`, taken now."""
    numeric = tuple(c for c in table.numeric_columns if c != label)
    ids = {**identifier_columns(table, label), **metadata_target(table, label)}
    sparse = mostly_missing_columns(table, label, missing)
    dates = {c: why for c, why in date_columns(table, label).items() if c not in sparse}
    return default_fallback(numeric, ids, sparse, dates)


def default_fallback(candidates, ids: dict, sparse: dict, dates: dict) -> tuple[tuple, dict, dict, dict]:
    """(columns placing rows, identifiers left out, mostly missing left out, dates made passive) of
    the default choice among `candidates` (column names, in order), given {column: why} of the
    row identifiers (and class targets) `ids`, the mostly missing columns `sparse` and the date
    columns `dates`: the candidates in none of them.  When none remain, the dates come back first
    (a year measures something; an identifier only names rows), then the identifiers, then the
    mostly missing columns.  The one rule in memory (`_left_out`) and out of core
    (session.outofcore_table; review12 #2: in memory trained on an id where out of core took the
    year).  The dicts returned hold only candidates; none of the inputs is changed."""
    candidates = tuple(candidates)

    def rest(*groups):
        return tuple(c for c in candidates if not any(c in g for g in groups))

    cols = rest(ids, sparse, dates)
    if not cols:
        dates = {}
        cols = rest(ids, sparse)
    if not cols:
        ids = {}
        cols = rest(sparse)
    if not cols:
        sparse = {}
        cols = candidates
    return (cols, {c: ids[c] for c in candidates if c in ids and c not in sparse},
            {c: sparse[c] for c in candidates if c in sparse},
            {c: dates[c] for c in candidates if c in dates and c not in sparse})


def default_passive(table, label: str | None = None, missing: str = "drop") -> tuple:
    """The columns the default choice shows as passive (on the map, placing no row): the date
    columns of `_left_out` (`date_columns`; tester11: penguins were placed by `year`); `missing`:
    the missing-value policy (see `default_columns`)."""
    return tuple(_left_out(table, label, missing)[3])


def dates_warning(table, label: str | None = None, missing: str = "drop") -> str | None:
    """One sentence naming the date columns made passive by default, and how to train on them."""
    return dates_warning_of(_left_out(table, label, missing)[3])


def dates_warning_of(dates: dict) -> str | None:
    """The sentence of `dates_warning` for {column: why} date columns (out of core too)."""
    if not dates:
        return None
    shown = "; ".join(f"{c!r} ({why})" for c, why in list(dates.items())[:6]) + (" ..." if len(dates) > 6 else "")
    one = len(dates) == 1
    what = ("looks like a date and is shown as a passive column" if one else
            "look like dates and are shown as passive columns")
    them = "it" if one else "them"
    return (f"{count_text(len(dates), 'numeric column')} {what} (on the map, placing no row): {shown}; "
            f"name {them} in the columns to train on {them} (--columns)")


def identifier_warning(table, label: str | None = None, missing: str = "drop") -> str | None:
    """One sentence naming the columns the default choice leaves out -- row identifiers and
    mostly missing columns (`mostly_missing_columns` under the `missing` policy) -- and why, with
    the way to train on them; or None (tester8 #13, tester9 #10: left out without a word)."""
    _, ids, sparse, _dates = _left_out(table, label, missing)
    return left_out_warning(ids, sparse)


def left_out_warning(ids: dict, sparse: dict) -> str | None:
    """The sentence of `identifier_warning` for {column: why} row identifiers `ids` and mostly
    missing columns `sparse` left out (out of core too: session.outofcore_table), or None."""
    if not ids and not sparse:
        return None
    found = list(ids.items()) + list(sparse.items())
    shown = "; ".join(f"{c!r} ({why})" for c, why in found[:6]) + (" ..." if len(found) > 6 else "")
    cols, one = count_text(len(found), "numeric column"), len(found) == 1
    are, look = ("is", "looks") if one else ("are", "look")
    if any(why.startswith("the class target") for why in ids.values()):
        what = f"{cols} {are} left out"       # reasons in brackets
    elif ids and sparse:
        what = (f"{cols} look like row identifiers ({len(ids)}) or are mostly missing "
                f"({len(sparse)}) and are left out")
    elif ids:
        what = f"{cols} {look} like a row identifier and {are} left out" if one else \
            f"{cols} look like row identifiers and are left out"
    elif all(why.startswith("present in") for why in sparse.values()):
        what = f"{cols} {are} almost empty and {are} left out"      # --missing train's rule
    else:
        what = f"{cols} {are} mostly missing and {are} left out"
    return (f"{what} of the training columns: {shown}; name {'it' if one else 'them'} in the columns to train on "
            f"{'it' if one else 'them'} (--columns)")


def missing_share_reason(missing: int, rows: int, policy: str = "drop") -> str | None:
    """Why a column with `missing` empty cells of `rows` is not a default training column under the
    missing-value `policy` (drop, mean, median, train), or None -- the rule of
    `mostly_missing_columns`, in memory and out of core:
      * drop, mean, median: "missing in M of N rows" when M is more than MOSTLY_MISSING of the rows
        (drop would lose most rows; a fill would invent most of the column);
      * train (BMU and updates over the present values, the SOM Toolbox way): a sparse column is
        trainable -- a ratings table is 90%+ missing (tester13 #2) -- so only "present in K of N
        rows" when fewer than MIN_PRESENT rows hold a value (too few to place anything)."""
    if not rows:
        return None
    if policy == "train":
        present = rows - missing
        return f"present in {present:,} of {count_text(rows, 'row')}" if present < MIN_PRESENT else None
    return f"missing in {missing:,} of {count_text(rows, 'row')}" if missing > MOSTLY_MISSING * rows else None


def default_columns(table, label: str | None = None, missing: str = "drop") -> tuple:
    """Every numeric column but the label, row identifiers (`_identifier_reason`: an "id"
    column or row numbers would put each row in a place of its own), a scikit-learn file's class
    target (`metadata_target`), date columns (`date_columns`: shown as passive instead,
    `default_passive`) and columns too sparse for the `missing` policy (`mostly_missing_columns`:
    under drop/mean/median those missing in most rows; under train, only those with fewer than
    MIN_PRESENT values) --
    the `train --table` default and the window's ticks; identifiers stay in when they are the
    only numeric columns.  `default_columns_warnings` names every column left out.  A column of
    numbers with a stray word or an infinite value is not numeric, so it is not among them
    (`spoiled_columns` says so; tester10 #9: the CLI refused the training, the window left it
    out without a word -- now both leave it out and say so).
    """
    cols = _left_out(table, label, missing)[0]
    if not cols:
        # a table of categories: they train when chosen (one-hot), so say how (tester6 F34) --
        # unless the way the file was read made its numbers text (tester10 #17)
        texts = [c for c in table.columns if c != label and table.kind(c) in ("categorical", "boolean", "text")]
        hint = read_option_hint(table, texts)
        if hint is None:
            listed = ",".join(f'"{t}"' if "," in t or '"' in t else t for t in texts[:4])
            hint = f"; its text columns are one-hot encoded when chosen, e.g. --columns {listed}" if texts else ""
        besides = " (besides the label)" if label else ""
        raise OptionError(f"{table.name}: no numeric column to train on{besides}{hint}")
    return cols


_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def read_option_hint(table, texts, probe: int = 50) -> str | None:
    """'; ...' saying how the read made numbers text, or None when the text columns are words:
    one column whose name holds another delimiter (the delimiter is wrong), cells that are
    numbers with a decimal point under a decimal comma, or a header-less read whose first row
    alone is not a number (the header was read as data).  `texts`: the text columns' names;
    `probe`: how many cells of each are looked at."""
    d = table.dialect
    delim = d.get("delimiter")
    if delim is not None and len(table.columns) == 1:
        c = table.columns[0]
        other = next((x for x in (",", ";", "\t", "|") if x != delim and x in c), None)
        if other is not None:
            return (f"; with the delimiter {delim!r} the file has one column ({c[:60]!r}), which holds "
                    f"{other!r}: is the delimiter right?")
    dec = d.get("decimal", ".")
    for c in texts:
        cells = [x for x in table.strings(c, probe) if x]
        if not cells:
            continue
        if dec != "." and all(_NUMBER.fullmatch(x) for x in cells):
            return f"; column {c!r} holds {cells[0]!r}, not a number with the decimal separator {dec!r}"
        if (d.get("header") is False and len(cells) > 1 and not _NUMBER.fullmatch(cells[0])
                and all(_NUMBER.fullmatch(x.replace(dec, ".")) for x in cells[1:])):
            return (f"; the first row holds {cells[0]!r} in column {c!r}, the rest numbers: is the first "
                    "line a header?")
    return None


def spoiled_columns(table, label: str | None = None) -> list[str]:
    """Messages for the columns the default choice leaves out although they hold numbers
    but for some cells (problem() names the first: "column 'y' is not numeric: line 2000002
    has 'zzz'"), or an infinite value: one stray word or `inf` must not drop a column without a
    word said."""
    out = []
    for c in table.columns:
        if c == label:
            continue
        problem = table.problem(c) if table.kind(c) != "numeric" else None
        if problem and problem.endswith("(an infinite value)"):
            out.append(f"{problem}; it is left out of the training columns (to train on it, read such cells "
                       "as missing: --also-missing inf,-inf)")
        elif table.spoiled(c):
            out.append(f"{problem or table.problem(c)}; it is left out of the training columns")
    return out


def default_columns_warnings(table, label: str | None = None, missing: str = "drop") -> list[str]:
    """Every warning about the columns the default choice leaves out: numbers spoiled by a word
    or an infinite value (`spoiled_columns`), then identifiers, class targets and mostly missing
    columns (`identifier_warning`).  The one list the CLI prints and the window shows (training
    adds it to the preparation's warnings when no columns are named: session.table_data)."""
    ids = identifier_warning(table, label, missing)
    dates = dates_warning(table, label, missing)
    return spoiled_columns(table, label) + ([ids] if ids else []) + ([dates] if dates else [])


def stray_text_note(table, shown: int = 3) -> tuple[str, str] | None:
    """(sentence, word) for the columns of numbers that `table` (io.tables Table) reads as text
    because some cell is not a number (Table.spoiled: a stray 'x' in a ratings column), or None.
    The sentence names them and the first cells at fault (Table.problem: "column 'b' is not
    numeric: line 3 has 'x'", at most `shown` of them); `word` is the text most of them hold
    (Table.bad_text), which the Setup tab offers to read as missing (testerI #7: the columns
    showed "categorical" with no reason, and Train said "tick at least one column").  An
    infinite value offers no word (it is a number, too large: its problem() says so)."""
    from collections import Counter

    from somdesk.io.names import display_name

    spoiled = [c for c in table.columns if table.spoiled(c)]
    if not spoiled:
        return None
    words = Counter(w for c in spoiled if (w := table.bad_text(c)) is not None and w.strip())
    reasons = [table.problem(c) for c in spoiled[:shown]]
    more = f"; and {count_text(len(spoiled) - shown, 'more column')}" if len(spoiled) > shown else ""
    names = ", ".join(map(display_name, spoiled[:shown])) + (" ..." if len(spoiled) > shown else "")
    text = (f"{names} {'is' if len(spoiled) == 1 else 'are'} read as text, not numbers: "
            + "; ".join(r for r in reasons if r) + more + ".")
    if not words:
        return text, ""
    word = words.most_common(1)[0][0]
    return text + f" If {word!r} means 'no value', read it as missing.", word
