"""testerG #3, #4 without Qt: a ratings table under Missing = drop says how many rows stay and names
the train policy (before and at training), and zeros that may mean "not rated" are warned, never
changed (session.unrated)."""
from __future__ import annotations

import numpy as np
import pytest

from somdesk.core.choice_words import MISSING_TRAIN, ZERO_AS_MISSING, cli_words
from somdesk.errors import FileFormatError
from somdesk.io.tables.options import ReadOptions
from somdesk.io.tables.table import read_table
from somdesk.session.table_data import TableMapSpec, prepare_for
from somdesk.session.table_size import table_auto
from somdesk.session.unrated import zero_scale, zero_unrated_warning


def ratings_csv(path, users=60, items=8, blank_every=3, zeros=True, full_rows=0, seed=0):
    """users x items, a 1-5 rating or (unrated) a blank / 0; `full_rows` rows rated in every item."""
    rng = np.random.default_rng(seed)
    lines = ["user," + ",".join(f"item{j}" for j in range(items))]
    for i in range(users):
        cells = []
        for j in range(items):
            rated = i < full_rows or rng.random() < 0.4
            if rated:
                cells.append(str(int(rng.integers(1, 6))))
            elif zeros and (i + j) % blank_every:
                cells.append("0")
            else:
                cells.append("")
        if i >= full_rows and all(c not in ("",) for c in cells):   # at least one blank outside the full rows
            cells[i % items] = ""
        lines.append(f"u{i}," + ",".join(cells))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_every_row_missing_under_drop_names_the_train_policy(tmp_path):
    tab = read_table(ratings_csv(tmp_path / "r.csv"))
    try:
        spec = TableMapSpec(missing="drop")
        with pytest.raises(FileFormatError) as caught:
            prepare_for(tab, spec)
        text = str(caught.value)
        assert "every row has a missing value" in text and MISSING_TRAIN in text
        assert "--missing train" in cli_words(text) and MISSING_TRAIN not in cli_words(text)
        with pytest.raises(FileFormatError, match="Missing values: train"):
            table_auto(tab, spec)                        # the Setup line's figure refuses in the same words
        assert table_auto(tab, TableMapSpec(missing="train")).rows == 60
    finally:
        tab.close()


def test_the_auto_size_says_how_many_rows_drop_leaves(tmp_path):
    tab = read_table(ratings_csv(tmp_path / "r.csv", full_rows=10))
    try:
        text = table_auto(tab, TableMapSpec(missing="drop")).text()
        assert "10 of the 60 rows are complete" in text and MISSING_TRAIN in text, text
        assert "complete" not in table_auto(tab, TableMapSpec(missing="mean")).text()
    finally:
        tab.close()


@pytest.mark.parametrize("values, expected", [
    ([0] * 30 + [1, 2, 3, 4, 5] * 6, (1.0, 5.0)),          # ratings 1-5, 0 for not rated
    ([0] * 30 + [1, 4, 7, 10] * 5, (1.0, 10.0)),           # a 1-10 scale
    ([0] * 30 + [1] * 30, None),                           # yes / no
    ([0] * 30 + list(range(1, 40)), None),                 # a count, not a scale
    ([0] * 2 + [1, 2, 3, 4, 5] * 20, None),                # 0 rare: a real value
    ([0] * 30 + [1.5, 2.25, 3, 4], None),                  # not in half steps
    ([-1] + [0] * 30 + [1, 2, 3], None),                   # a value below 0
    ([0] * 30 + [2, 3, 4] * 5 + [np.nan] * 9, (2.0, 4.0)),
])
def test_zero_scale(values, expected):
    assert zero_scale(np.array(values, dtype=float)) == expected


def test_zeros_are_warned_once_for_the_table_and_not_changed(tmp_path):
    path = ratings_csv(tmp_path / "r.csv")
    tab = read_table(path)
    try:
        note = zero_unrated_warning(tab)
        assert note and note.startswith("0 may mean 'not rated' in 8 columns (other values 1-5)") and ZERO_AS_MISSING in note
        assert "--also-missing 0" in cli_words(note) and "--missing-values" not in cli_words(note)
        prep = prepare_for(tab, TableMapSpec(missing="train"))
        assert prep.warnings.count(note) == 1
        # only warned: the 0s stay ratings (the missing cells are the blanks alone)
        items = [f"item{j}" for j in range(8)]
        assert prep.n_missing == sum(int(np.isnan(tab.cells(c)).sum()) for c in items)
        assert sum(int((tab.cells(c) == 0).sum()) for c in items) > 50
    finally:
        tab.close()
    tab = read_table(path, ReadOptions(missing=("0",)).checked())         # --missing-values 0 (replacing the defaults: no NA in this file)
    try:
        assert zero_unrated_warning(tab) is None
        assert not any("not rated" in w for w in prepare_for(tab, TableMapSpec(missing="train")).warnings)
    finally:
        tab.close()
