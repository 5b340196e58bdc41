"""Near-duplicate colours in a palette: find groups, merge them, undo the merge exactly.

Grouping rule: two colours are "close" when their CIEDE2000 is below the threshold
(default 2.3, the often quoted just-noticeable difference). Groups are built around
centres, not by chaining: repeatedly the colour with the most close, still ungrouped
colours becomes a centre (ties: the one with the least summed CIEDE2000 to them, then
the lowest index) and takes all of them. So every member
of a group is within the threshold of the group's kept colour, and a smooth ramp
whose neighbours are each 1 apart does NOT collapse into one group (single-linkage
chaining would merge the whole ramp).

Merging keeps the centre's swatch exactly (colour and name: nothing new is made) and
removes the others; `MergeUndo` holds the removed items and their indices, so
`undo_merge` restores the original list exactly.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from somdesk.core import cancel as _cancel
from somdesk.core.colour import delta_e_2000, srgb_to_lab
from somdesk.core.options import count_text
from somdesk.errors import OptionError

DEFAULT_THRESHOLD = 2.3
MAX_DUPLICATE_COLOURS = 20_000     # all pairs are compared: 2e8 CIEDE2000s at this size
_BLOCK = 1 << 16      # pairs per CIEDE2000 block: ~15 ms each (cancel is checked between)


@dataclass(frozen=True)
class DuplicateGroup:
    """Colours within `threshold` of the kept one; indices refer to the input order."""

    keep: int                    # the centre: the colour a merge keeps
    members: tuple[int, ...]     # every index in the group, ascending, `keep` included
    max_delta_e: float           # largest CIEDE2000 from `keep` to a member

    @property
    def removed(self) -> tuple[int, ...]:
        """The indices a merge removes (members other than `keep`)."""
        return tuple(i for i in self.members if i != self.keep)


def close_pairs(colours, threshold: float = DEFAULT_THRESHOLD, cancel=None):
    """(i, j, dE) arrays of all pairs i < j with CIEDE2000 < threshold, colours (N, 3) sRGB.

    `colours` (N, 3) uint8 0..255 or float 0..1; returns i, j (P,) int64 and dE (P,)
    float64.  Compared in blocks of ~65,000 pairs, so memory is O(block + pairs found).
    CIEDE2000: Sharma, Wu & Dalal 2005 (somdesk.core.colour).  Raises OptionError for a
    threshold that is not a finite number > 0 or more than MAX_DUPLICATE_COLOURS colours,
    ValueError for a wrong array (colour_sort.as_rgb01), `Cancelled` when `cancel` is set.
    """
    from somdesk.core.colour_sort import as_rgb01

    thr = float(threshold)
    if not np.isfinite(thr) or thr <= 0:
        raise OptionError(f"the duplicate threshold must be a positive CIEDE2000, got {threshold!r}")
    rgb = as_rgb01(colours)
    n = len(rgb)
    if n > MAX_DUPLICATE_COLOURS:
        raise OptionError(f"{count_text(n, 'colour')} is more than the duplicate search handles ({MAX_DUPLICATE_COLOURS:,})")
    lab = srgb_to_lab(rgb)
    rows = max(1, _BLOCK // max(n, 1))
    found_i, found_j, found_d = [], [], []
    for start in range(0, n, rows):
        _cancel.check(cancel)
        d = delta_e_2000(lab[start:start + rows, None, :], lab[None, :, :])
        i, j = np.nonzero(d < thr)
        i += start
        keep = i < j
        found_i.append(i[keep])
        found_j.append(j[keep])
        found_d.append(d[i[keep] - start, j[keep]])
    if not found_i:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    return (np.concatenate(found_i).astype(np.int64), np.concatenate(found_j).astype(np.int64),
            np.concatenate(found_d))


def find_duplicates(colours, threshold: float = DEFAULT_THRESHOLD, cancel=None) -> list[DuplicateGroup]:
    """Groups of near-duplicate colours (module docstring), ordered by their kept index.

    `colours`: (N, 3) uint8 0..255 or float 0..1 sRGB. `threshold`: CIEDE2000, > 0.
    Returns only groups of two or more. Raises OptionError for a bad threshold or too
    many colours, ValueError for a wrong array, Cancelled when cancelled.
    """
    i, j, de = close_pairs(colours, threshold, cancel)
    n = len(np.asarray(colours))
    dist = {}
    neigh: list[set[int]] = [set() for _ in range(n)]
    for a, b, d in zip(i.tolist(), j.tolist(), de.tolist()):
        neigh[a].add(b)
        neigh[b].add(a)
        dist[(a, b)] = dist[(b, a)] = d
    free = np.ones(n, dtype=bool)
    count = np.array([len(x) for x in neigh], dtype=np.int64)   # close colours still free
    spread = np.zeros(n)                                           # sum of dE to them
    np.add.at(spread, i, de)
    np.add.at(spread, j, de)
    groups = []
    while n:
        _cancel.check(cancel)
        # most free close colours; ties: the most central (least summed dE), then lowest index
        best = int(np.lexsort((np.arange(n), spread, -np.where(free, count, -1)))[0])
        if not free[best] or count[best] == 0:
            break
        members = sorted([best] + [m for m in neigh[best] if free[m]])
        free[members] = False
        for m in members:
            for x in neigh[m]:
                count[x] -= 1
                spread[x] -= dist[(m, x)]
        far = max(dist[(best, m)] for m in members if m != best)
        groups.append(DuplicateGroup(best, tuple(members), float(far)))
    return sorted(groups, key=lambda g: g.keep)


@dataclass(frozen=True)
class MergeUndo:
    """What `undo_merge` needs: the removed items with their original indices."""

    length: int                                  # length of the list before the merge
    removed: tuple[tuple[int, object], ...]      # (original index, item), ascending index


def _group_indices(group) -> tuple[int, list[int]]:
    if isinstance(group, DuplicateGroup):
        return group.keep, list(group.removed)
    g = [int(x) for x in group]
    if not g:
        raise ValueError("an empty group")
    return g[0], g[1:]


def merge_duplicates(items: Sequence, groups: Iterable) -> tuple[list, MergeUndo]:
    """Remove the non-kept members of `groups` from `items`; returns (merged, undo).

    `items`: any sequence (a palette's swatches, colour rows, ...). `groups`:
    DuplicateGroup objects or index sequences whose FIRST index is the one kept. The
    kept items stay where they were, unchanged. Raises ValueError for an index out of
    range or an index in two groups.
    """
    items = list(items)
    n = len(items)
    used: set[int] = set()
    drop: set[int] = set()
    for group in groups:
        keep, rest = _group_indices(group)
        for k in [keep, *rest]:
            if not 0 <= k < n:
                raise ValueError(f"index {k} is outside the list of {count_text(n, 'item')}")
            if k in used:
                raise ValueError(f"index {k} is in more than one group")
            used.add(k)
        drop.update(rest)
    removed = tuple((k, items[k]) for k in sorted(drop))
    merged = [x for k, x in enumerate(items) if k not in drop]
    return merged, MergeUndo(n, removed)


def undo_merge(merged: Sequence, undo: MergeUndo) -> list:
    """The list before `merge_duplicates`, exactly; ValueError if `merged` does not fit."""
    merged = list(merged)
    if len(merged) + len(undo.removed) != undo.length:
        raise ValueError(f"{count_text(len(merged), 'item')} + {len(undo.removed)} removed != {undo.length} before the merge")
    out = list(merged)
    for k, item in undo.removed:       # ascending: each insert lands at its final index
        out.insert(k, item)
    return out


def merge_palette(palette, groups) -> tuple[object, MergeUndo]:
    """`merge_duplicates` on a frozen-dataclass Palette's swatches: (new palette, undo)."""
    import dataclasses

    merged, undo = merge_duplicates(palette.swatches, groups)
    return dataclasses.replace(palette, swatches=tuple(merged)), undo


def unmerge_palette(palette, undo: MergeUndo):
    """The palette before `merge_palette` (swatches restored exactly, other fields as given)."""
    import dataclasses

    return dataclasses.replace(palette, swatches=tuple(undo_merge(palette.swatches, undo)))
