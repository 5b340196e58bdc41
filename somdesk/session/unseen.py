"""Categories the map never saw, counted while new data is scored (tester6 F32).

    tally = UnseenTally()
    for rows, a in assign_table(tm, table, tally=tally): ...     # tally.add(recipe, cells) per block
    tally.warning("new.csv")    # "new.csv: 5 rows hold values the map never saw: 'region' ('Mars') ..."

A value of a one-hot (text) column that is not one of the categories the map was
trained on is scored as none of them: all zeros in that column's features (the
preparation's rule, `core.preparation.Recipe.transform`), i.e. the row is placed by
its other columns as if it were "none of these".  The rows are still scored; the
warning says how many per column and shows the commonest values, so new codes
("Mars", a renamed plan) do not pass unnoticed.  Missing cells ("") are not unseen.
"""
from __future__ import annotations

from collections import Counter

import numpy as np
from somdesk.core.options import count_text

__all__ = ["UnseenTally"]

KEEP = 1000        # distinct unseen values counted per column (beyond it, only the row count grows)
SHOWN = 3          # values shown per column


class UnseenTally:
    """Rows with a category the map never saw, per column: `rows` {column: count} and
    `values` {column: Counter of value -> rows} (at most KEEP values per column)."""

    def __init__(self):
        self.rows: dict[str, int] = {}
        self.values: dict[str, Counter] = {}

    def add(self, recipe, cells: dict) -> None:
        """Count the unseen categories of `cells` (column -> (N,) array of texts, "" missing)."""
        for c, kind in zip(recipe.columns, recipe.kinds):
            if kind == "numeric" or c not in cells:
                continue
            text = np.asarray(cells[c], dtype=object)
            known = np.isin(text, np.array(list(recipe.categories[c]) + [""], dtype=object))
            if known.all():
                continue
            odd = text[~known]
            self.merge({c: (len(odd), Counter(odd.tolist()))})

    def merge(self, counts: dict) -> None:
        """Add {column: (rows, Counter)} (`counts()` of another tally, e.g. a Dask worker's)."""
        for c, (n, values) in counts.items():
            self.rows[c] = self.rows.get(c, 0) + int(n)
            kept = self.values.setdefault(c, Counter())
            for v, k in values.items():
                if v in kept or len(kept) < KEEP:
                    kept[v] += k

    def counts(self) -> dict:
        """{column: (rows, Counter)}: what `merge` takes (picklable)."""
        return {c: (n, self.values.get(c, Counter())) for c, n in self.rows.items()}

    def warning(self, name: str) -> str | None:
        """One sentence for the scored file `name`, or None when every category was seen."""
        if not self.rows:
            return None
        parts = []
        for c, n in self.rows.items():
            common = [v for v, _ in self.values[c].most_common(SHOWN)]
            more = ", ..." if len(self.values[c]) > SHOWN else ""
            parts.append(f"{c!r} in {count_text(n, 'row')} ({', '.join(map(repr, common))}{more})")
        return (f"{name}: values the map never saw, scored as none of their column's categories (all zeros "
                f"in its one-hot features): {'; '.join(parts)}")
