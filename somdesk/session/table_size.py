"""The automatic size and length of a table map: ONE rule for `somdesk train --table`, the
window's Train and the Setup panel's "auto" line (tester8 #15: one file gave 102 x 89 in the
CLI, "103 x 88" on the Setup tab and a third size out of core).

    h, w, epochs = auto_size(filled, rows, spec)           # what training uses
    auto = table_auto(table, spec)                          # AutoSize: the same figure, said
    auto = table_auto(table, spec, out_of_core=True)        # an estimate of the streamed run's

The rule is the SOM Toolbox's (som_topol_struct.m, som_train_struct.m) applied to the rows the
map is TRAINED on (in memory at most TRAIN_ROWS of them, `training_subset`): munits =
ceil(5 min(N, TRAIN_ROWS)^0.54321) nodes for N training rows (rows left out for a missing value
are not counted; the cap: `size_rows`), the side ratio from the two largest principal components
of those rows (core.preparation.auto_map_size), then core.preparation.auto_epochs(N, nodes).
In memory N is the rows held (for a table over the row limit: the import's random sample,
what `somdesk train --table` trains on by default); out of core it is every row the engine
keeps, the side ratio taken from the run's uniform sample (session.outofcore_table), so a file
over TRAIN_ROWS rows gets the same node count both ways.  Why
this and not "the rows of the file" everywhere: docs/table-window.md, "One default map".
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from somdesk.core.cancel import check
from somdesk.core.options import count_text
from somdesk.core.preparation import Prepared, auto_epochs, auto_map_size

__all__ = ["AutoSize", "TRAIN_ROWS", "auto_from", "auto_size", "drop_note", "filled_rows", "prep_key", "prepared_rows",
           "size_rows", "table_auto", "trained_rows", "training_note", "training_subset"]

# The most rows an in-memory table map's epochs train on (big13, tester13 #3).  A batch epoch
# costs rows x nodes, and the Toolbox's node count grows as rows^0.54, so training on all of a
# 1,000,000-row sample (9,078 nodes, 30 epochs) took ~25 min on 2 busy cores; 200,000 rows
# (3,789 nodes, about 50 rows a node) take ~2.5 min and give the same segments on the reference
# tables (which are far smaller).  Every row held is still measured, segmented and assigned;
# out of core (--out-of-core) trains on every row of the file.
TRAIN_ROWS = 200_000


def trained_rows(kept: int) -> int:
    """How many of `kept` prepared rows an in-memory run trains its epochs on: min(kept, TRAIN_ROWS)."""
    return int(min(int(kept), TRAIN_ROWS))


def training_subset(kept: int, seed: int = 0) -> np.ndarray | None:
    """(TRAIN_ROWS,) int64 sorted indices of the prepared rows the epochs train on -- a seeded
    uniform random sample, the same for the same `kept` and `seed` (so a stopped run resumes on
    the same rows) -- or None when all `kept` rows train.  No errors of its own."""
    if int(kept) <= TRAIN_ROWS:
        return None
    rng = np.random.default_rng(np.random.SeedSequence([int(seed) & 0xFFFFFFFF, 13]))
    return np.sort(rng.choice(int(kept), TRAIN_ROWS, replace=False)).astype(np.int64)


def training_note(kept: int) -> str | None:
    """The sentence that says an in-memory run trains on a sample of its `kept` rows (CLI warning,
    the window's table line); None when every row trains."""
    if int(kept) <= TRAIN_ROWS:
        return None
    return (f"the map trains on a random {TRAIN_ROWS:,} of the {count_text(int(kept), 'row')} (its size follows the rows "
            "trained on); every row is then placed on it and segmented; out of core, training reads every row")


def size_rows(rows: int) -> int:
    """The N the automatic node count is taken for, `rows` rows trained on: min(rows, TRAIN_ROWS),
    at least 1.  The cap is what an in-memory run trains on, so a file gives one map size in
    memory and out of core (testerH #10: 74 x 51 in the window, 139 x 95 = 13,205 nodes out of core
    from all of 2,000,000 rows); it also keeps an out-of-core epoch (rows x nodes) from growing
    as rows^1.54: the Toolbox's rule was made for thousands of rows, and more nodes than ~50 rows
    a node at 200,000 rows show no more segments (docs/tables.md, "Training sample")."""
    return max(1, min(int(rows), TRAIN_ROWS))


def auto_size(filled: np.ndarray, rows: int, spec) -> tuple[int, int, int]:
    """(height, width, epochs) of a table map trained on `rows` rows, the SOM Toolbox rule
    (module docstring) with the nodes for at most TRAIN_ROWS rows (`size_rows`), the epochs
    for all `rows`; `filled` (M, A) float64: the training rows with missing values filled
    (all of them, or a uniform sample for the side ratio); `spec` (session.table_data.TableMapSpec):
    its height / width / epochs, when given, override.  No errors of its own."""
    from somdesk.session.table_data import topology

    if spec.height is None or spec.width is None:
        munits = max(1, math.ceil(5 * size_rows(rows) ** 0.54321))
        h, w = auto_map_size(filled, topology(spec) == "hexagonal", munits=munits)
        h, w = spec.height or h, spec.width or w
    else:
        h, w = int(spec.height), int(spec.width)
    return int(h), int(w), int(spec.epochs or auto_epochs(int(rows), int(h) * int(w)))


def filled_rows(prep: Prepared) -> np.ndarray:
    """(N, A) the prepared training rows with missing values set to the recipe's fill (what the
    size, the topographic error and a map's saved inputs are measured on)."""
    r = prep.recipe
    return np.where(np.isnan(prep.data), (r.fill * np.sqrt(r.feature_weight))[r.active], prep.data)


@dataclass(frozen=True)
class AutoSize:
    """What "auto" makes: `height` x `width` nodes, `epochs`, for `rows` training rows;
    `basis` says which rows (for the screen); `exact` False for an out-of-core estimate
    (the streamed run counts and samples every row when it starts)."""

    height: int
    width: int
    epochs: int
    rows: int
    basis: str
    exact: bool = True
    note: str = ""         # how many rows the Missing choice leaves (drop_note), or ""

    def text(self) -> str:
        """"auto: 102 × 89 nodes, 30 epochs for the 1,000,000 rows trained on (...)", then the
        `note`, if any."""
        about = "" if self.exact else "about "
        return (f"auto: {about}{self.height} × {self.width} nodes, {count_text(self.epochs, 'epoch')} for {self.basis}"
                + (f"; {self.note}" if self.note else ""))


def drop_note(spec, kept: int, rows: int) -> str:
    """What `missing="drop"` leaves, said before training (testerG #3): "" when `spec` keeps
    every one of the `rows` rows in memory (or does not drop); else "1,234 of the 2,000 rows are
    complete (...)", naming the train policy (in the window's words: core.choice_words.cli_words) when
    it keeps fewer than core.preparation.DROP_KEEPS of them."""
    from somdesk.core.choice_words import MISSING_TRAIN
    from somdesk.core.preparation import DROP_KEEPS

    if spec.missing != "drop" or kept >= rows:
        return ""
    note = (f"{kept:,} of the {count_text(rows, 'row')} {'is' if kept == 1 else 'are'} complete in the chosen columns "
            "(the others have a missing value and are dropped)")
    if kept < DROP_KEEPS * rows:
        note += f"; {MISSING_TRAIN} keeps every row (for a ratings table, where an empty cell means not rated)"
    return note


def prep_key(spec) -> tuple:
    """What of `spec` the prepared rows depend on (not the size, epochs, topology, k or seed):
    equal keys, equal `prepared_rows` of one table."""
    return (spec.columns, spec.label, spec.normalise, spec.missing, tuple(sorted((spec.weights or {}).items())),
            tuple(spec.passive or ()), tuple(spec.categorical or ()), spec.group_weight)


def prepared_rows(table, spec, cancel=None, step=None) -> tuple[np.ndarray, int]:
    """(filled (N, A), N): the rows `train_table_map` trains on for `spec`, missing values filled
    -- the costly half of `table_auto` (about 1 s for 1,000,000 x 8, 5 s and more on a loaded
    machine), cached by the window per prep_key.  `step(done, total)` hears each stage of the
    preparation (core.preparation.prepare_table).  Raises as prepare_table; Cancelled between
    its stages when `cancel` is set (a Train pressed meanwhile does not share the CPU with it)."""
    from somdesk.session.table_data import prepare_for

    def at(done: int, total: int) -> None:
        check(cancel)
        if step is not None:
            step(done, total)

    prep = prepare_for(table, spec, at)
    check(cancel)
    return filled_rows(prep), len(prep.data)


def auto_from(table, spec, filled: np.ndarray, kept: int, out_of_core: bool = False) -> AutoSize:
    """The AutoSize of `table` under `spec` from its prepared rows (`prepared_rows`): in memory
    exactly the training's; `out_of_core`: the streamed run's size estimated from the rows in
    memory (N scaled to every row of the file by the share kept; side ratio of the rows in
    memory).  No errors of its own."""
    total = int(getattr(table, "n_rows_total", table.n_rows))
    sampled = bool(getattr(table, "sampled", False))
    note = drop_note(spec, kept, table.n_rows)      # of the rows in memory (out of core: their share)
    if out_of_core:
        rows = kept if total == table.n_rows else int(round(kept * total / max(1, table.n_rows)))
        h, w, epochs = auto_size(filled, rows, spec)
        cap = f", the size for {TRAIN_ROWS:,} of them as in memory" if rows > TRAIN_ROWS else ""
        return AutoSize(h, w, epochs, rows, f"all {count_text(rows, 'row')} out of core{cap} (the size is fixed from "
                                            "every row when training starts)", exact=False, note=note)
    n = trained_rows(kept)
    h, w, epochs = auto_size(filled, n, spec)
    basis = f"the {count_text(n, 'row')} trained on"
    if n < kept:
        basis += f" (a random sample of the {count_text(kept, 'row')} held" + (f", of the file's {total:,})" if sampled else ")")
    elif sampled:
        basis += f" (of a random sample of the file's {total:,})"
    return AutoSize(h, w, epochs, n, basis, note=note)


def table_auto(table, spec, out_of_core: bool = False, cancel=None) -> AutoSize:
    """The size `train` makes of `table` (somdesk.io.tables Table) under `spec`: `prepared_rows`
    then `auto_from` (see both).  Raises as prepare_table (OptionError, FileFormatError);
    Cancelled between its steps."""
    filled, kept = prepared_rows(table, spec, cancel)
    return auto_from(table, spec, filled, kept, out_of_core)
