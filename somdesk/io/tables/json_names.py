"""JSON keys as column names by the one rule of every table format (io.tables.header_names).

DuckDB's read_json names the columns by the records' keys in order of first appearance, and
makes a key unique by appending `_1`, `_2`... when it repeats an earlier one in ASCII letter
case only (`yn` then `YN`: DuckDB cannot hold both) -- silently, and possibly taking a key the
file has (`a`, `A`, `a_1` read `a`, `A_1`, `a_1_1`).  Here the keys are listed from the records
themselves and, when DuckDB renamed one, the columns get header_names.unique_names of the keys
by position (`a`, `A_2`, `a_1`) and the reader a warning, as for a CSV header or Parquet file.

    alias, warnings = renamed_keys(con, "read_json('x.ndjson', format='auto')", names, every)
"""
from __future__ import annotations

import re

from somdesk.io.tables import header_names

__all__ = ["renamed_keys", "may_be_renamed"]

_SUFFIX = re.compile(r"_\d+$")


def may_be_renamed(names) -> bool:
    """Could DuckDB have renamed one of these column names (one ends in `_<digits>`, the only
    form its renaming gives)?  When not, the keys need not be listed (no second pass)."""
    return any(_SUFFIX.search(str(n)) for n in names)


def _objects_sql(reader_sql: str) -> str | None:
    """read_json_objects(...) over the files of `reader_sql` (a read_json / read_json_auto call),
    the same arguments but those only read_json takes, or None when it is not such a call."""
    m = re.match(r"^read_json(?:_auto)?\((.*)\)$", reader_sql.strip(), re.S)
    if not m:
        return None
    args = re.sub(r",\s*(sample_size|filename|union_by_name)\s*=\s*('[^']*'|[^,)]+)", "", m.group(1))
    if "format=" not in args:
        args += ", format='auto'"
    return f"read_json_objects({args})"


def renamed_keys(con, reader_sql: str, names: list[str], every: bool = False,
                 sample: int = 20_480) -> tuple[str, list[str]]:
    """(' AS t(...)' naming the columns of `reader_sql` by position, or '' to keep DuckDB's
    `names`; the warnings of the renames) for the JSON read by `reader_sql`, whose columns
    DuckDB named `names`.  The keys are listed from the first `sample` records (every record
    when `every`: DuckDB typed from all of them), in order of first appearance; when their count
    is not DuckDB's (a record that is not an object, a shape it reads otherwise), DuckDB's names
    stand.  DuckDB's errors propagate (the read itself then names them)."""
    if not may_be_renamed(names):
        return "", []
    objects = _objects_sql(reader_sql)
    if objects is None:
        return "", []
    limit = "" if every else f" LIMIT {int(sample)}"
    keys: dict[str, None] = {}
    cur = con.execute(f"SELECT json_keys(json) FROM (SELECT json FROM {objects}{limit})")
    while True:
        rows = cur.fetchmany(4096)
        if not rows:
            break
        for (row,) in rows:
            for k in row or ():
                keys.setdefault(k, None)
    raw = list(keys)
    if len(raw) != len(names):
        return "", []
    unique, renames, _unnamed = header_names.unique_names(raw, trim=False)
    said = header_names.renames_warning(renames, names=raw)
    from somdesk.io.tables.duckutil import renamed_alias
    # DuckDB's names may be these already (`yn`, `YN` -> `YN_1`): the warning all the same
    return renamed_alias(list(names), unique), [said] if said else []
