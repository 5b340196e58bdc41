"""What a table map's label column (`train --table --label COL`, the window's label) says of
its nodes and segments: which label is most frequent where, and how pure that is.

    lc = label_counts(prep.labels, bmu, h, w, "species")     # at training (table_data.measure_table_map)
    node_majority(lc)                    # (H, W) each node's majority label (core.clustering.majority_of_counts)
    segment_labels(lc, tm.clusters)      # [{"segment", "rows", "top", "count", "purity", "next"}, ...]
    node_purity(lc)                      # share of labelled rows whose node's majority label is theirs
    label_lines(lc, tm.clusters)         # the lines `somdesk train --table` prints

The counts are kept with the map (`TableMap.label_counts`, saved in the .somz as the array
`label_counts` (H, W, L + 1) and meta `table_map.label_names`), so a reopened map reports
them without its table, and re-clustering (other segments from the same nodes) needs no rows:
a segment's counts are the sum of its nodes'.  The L kept labels are the MAX_KEPT_LABELS most
frequent (ties: alphabetical); the rest are pooled in the last slot ("other labels"), which
never wins a node or a segment -- a label column with that many kinds is an identifier, where
a majority means little.  Missing labels ("", NA, ...: table_columns.MISSING_LABELS) do not count.
Which rows count is one rule, `labelled_rows`, for the CLI's training, the window's and the
library's Session (a label picked after training) alike: the rows the map is trained on (testerC
#9: the Session also counted a row dropped for a missing value, placed by its other values:
3000 rows against the CLI's 2999, and so other purities).
Every tie (kept labels, a node's or a segment's top label) is broken by one rule,
core.clustering.label_order: more rows in the whole table, then the first in sorted order.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from somdesk.core.clustering import label_order, majority_of_counts
from somdesk.core.options import count_text

__all__ = ["LabelCounts", "LabelTally", "label_counts", "labelled_rows", "node_majority", "segment_labels", "node_purity", "label_lines",
           "labels_json", "MAX_KEPT_LABELS"]

MAX_KEPT_LABELS = 256


@dataclass(frozen=True)
class LabelCounts:
    """Labelled training rows per node and label.

    column   the label column's name
    names    (L,) the kept labels, most frequent first (ties alphabetical)
    counts   (H, W, L + 1) int64: rows of each kept label at each node; the last slot pools the
             other labels (more than MAX_KEPT_LABELS kinds)
    """

    column: str
    names: tuple
    counts: np.ndarray

    def __post_init__(self) -> None:
        c = np.asarray(self.counts)
        if c.ndim != 3 or c.shape[2] != len(self.names) + 1 or (c.size and c.min() < 0):
            raise ValueError(f"label counts of shape {c.shape} do not fit {count_text(len(self.names), 'label')}")
        if not all(isinstance(n, str) for n in self.names) or len(set(self.names)) != len(self.names):
            raise ValueError("the label names are not distinct texts")


def labelled_rows(missing: str, share) -> np.ndarray:
    """(N,) bool: the rows whose labels count, from `share` (N,), the part (0..1) of the map's
    placing columns each row has a value in, and the map's missing-value mode `missing`
    (core.preparation: "drop", "train", "mean", "median").  The rows the map is trained on:
    with "drop" only complete rows (a row with a hole is left out of the training, and placed
    by its other values only when scored); otherwise a row with any value (a row with none is
    placed nowhere).  The one rule of the module docstring."""
    share = np.asarray(share, dtype=float).reshape(-1)
    return share >= 1.0 - 1e-9 if missing == "drop" else share > 0


def label_counts(labels, bmu, height: int, width: int, column: str) -> LabelCounts | None:
    """The LabelCounts of training rows with `labels` (N texts, None: missing) whose best nodes
    are `bmu` (N,) flat node indices (row * width + column) of a height x width map; None when
    no row has a label.  ValueError when the lengths differ."""
    tally = LabelTally(height, width, column)
    tally.add(labels, bmu)
    return tally.counts()


class LabelTally:
    """Label counts gathered chunk by chunk (out-of-core training's pass over every row,
    session.outofcore_table): `add` each chunk's labels and best nodes, then `counts` gives the
    LabelCounts `label_counts` gives for all the rows at once (the same kept labels and pooling).
    Memory: one count per (label, node) pair seen, never per row.

        tally = LabelTally(h, w, "species")
        for labels, bmu in chunks: tally.add(labels, bmu)
        lc = tally.counts()          # None when no row had a label
    """

    def __init__(self, height: int, width: int, column: str):
        self.height, self.width, self.column = int(height), int(width), column
        self._pairs: dict = {}      # {(label, flat node): rows}

    def add(self, labels, bmu) -> None:
        """Count one chunk: `labels` (n texts, None or "": missing, not counted), `bmu` (n,) flat
        node indices.  ValueError when the lengths differ."""
        bmu = np.asarray(bmu, dtype=np.int64).reshape(-1)
        labels = list(labels)
        if len(labels) != len(bmu):
            raise ValueError(f"{count_text(len(labels), 'label')} for {count_text(len(bmu), 'row')}")
        voters = np.fromiter((s is not None and str(s) != "" for s in labels), dtype=bool, count=len(labels))
        if not voters.any():
            return
        texts = np.asarray([str(labels[i]) for i in np.flatnonzero(voters)], dtype=object)
        kinds, code = np.unique(texts, return_inverse=True)
        cells = self.height * self.width
        keys, n = np.unique(code.reshape(-1) * cells + bmu[voters], return_counts=True)
        pairs = self._pairs
        for key, rows in zip((keys // cells).tolist(), zip((keys % cells).tolist(), n.tolist())):
            pair = (kinds[key], rows[0])
            pairs[pair] = pairs.get(pair, 0) + rows[1]

    def kinds(self) -> set:
        """The distinct labels (texts) counted so far."""
        return {kind for kind, _ in self._pairs}

    def counts(self) -> LabelCounts | None:
        """The LabelCounts of every row added (the MAX_KEPT_LABELS most frequent labels, ties
        alphabetical, the rest pooled); None when no row had a label."""
        if not self._pairs:
            return None
        totals: dict = {}
        for (kind, _), rows in self._pairs.items():
            totals[kind] = totals.get(kind, 0) + rows
        names = list(totals)
        kept = [names[j] for j in label_order([totals[k] for k in names], names)][:MAX_KEPT_LABELS]
        slot = {k: i for i, k in enumerate(kept)}
        out = np.zeros((self.height * self.width, len(kept) + 1), np.int64)
        for (kind, node), rows in self._pairs.items():
            out[node, slot.get(kind, len(kept))] += rows        # the last slot pools the other labels
        return LabelCounts(self.column, tuple(kept), out.reshape(self.height, self.width, len(kept) + 1))


def node_majority(lc: LabelCounts) -> np.ndarray:
    """(H, W) object: each node's most frequent kept label, None where no labelled row (of a kept
    label) lands; the pooled other labels never win.  The window's labels view, the report and a
    reopened .somz all name nodes by this, and it is core.clustering.majority_of_counts (ties: the
    label more frequent in the whole table, then the first in sorted order) on the kept counts."""
    return majority_of_counts(lc.counts[:, :, :-1], lc.names)


def node_purity(lc: LabelCounts) -> float:
    """Share of the labelled rows whose node's majority label is their own label (the pooled
    other labels never match); NaN when no row has a label."""
    c = lc.counts.reshape(-1, lc.counts.shape[2])
    total = int(c.sum())
    return float(c[:, :-1].max(axis=1).sum() / total) if total and c.shape[1] > 1 else float("nan")


def segment_labels(lc: LabelCounts, clusters, shown: int = 3) -> list[dict]:
    """Per segment of `clusters` ((H, W) int, segment of each node): {"segment", "rows" (labelled
    rows), "top" (most frequent label, None for no labelled row), "count" (its rows), "purity"
    (count / rows, NaN for none), "next": [[label, rows], ...] the next `shown` - 1 labels}."""
    h, w, slots = lc.counts.shape
    seg = np.asarray(clusters, dtype=np.int64).reshape(-1)
    if seg.size != h * w:
        raise ValueError(f"segments of {count_text(seg.size, 'node')} for a {h} x {w} map")
    k = int(seg.max()) + 1 if seg.size else 0
    per = np.zeros((k, slots), np.int64)
    np.add.at(per, seg, lc.counts.reshape(-1, slots))
    rank = np.empty(len(lc.names), np.int64)     # the tie rule of node_majority (core.clustering.label_order)
    rank[label_order(lc.counts[:, :, :-1].sum(axis=(0, 1)), lc.names)] = np.arange(len(lc.names))
    out = []
    for s in range(k):
        named = per[s, :-1]
        rows = int(per[s].sum())
        order = sorted(range(len(named)), key=lambda j: (-named[j], rank[j]))
        ranked = [(lc.names[j], int(named[j])) for j in order if named[j] > 0]
        top, count = ranked[0] if ranked else (None, 0)
        out.append({"segment": s, "rows": rows, "top": top, "count": count,
                    "purity": count / rows if rows else float("nan"),
                    "next": [list(p) for p in ranked[1:shown]]})
    return out


def label_lines(lc: LabelCounts, clusters) -> list[str]:
    """The lines `somdesk train --table --label COL` prints: the column, its labelled rows and the
    node purity, then one line per segment: 'segment 0: Adelie 99% (149 of 151 labelled rows);
    next Chinstrap 2' (purity: the top label's share of the segment's labelled rows)."""
    from somdesk.io.names import display_name

    purity = node_purity(lc)
    lines = [f"label {display_name(lc.column)}: {int(lc.counts.sum()):,} labelled rows; node purity {purity:.0%} "
             "(rows whose node's most frequent label is their own)"
             + ("" if len(lc.names) < MAX_KEPT_LABELS else f"; the {MAX_KEPT_LABELS:,} most frequent labels counted")]
    for s in segment_labels(lc, clusters):
        if s["top"] is None:
            lines.append(f"  segment {s['segment']}: no labelled rows")
            continue
        after = "; next " + ", ".join(f"{display_name(n)} {c:,}" for n, c in s["next"]) if s["next"] else ""
        lines.append(f"  segment {s['segment']}: {display_name(s['top'])} {s['purity']:.0%} "
                     f"({s['count']:,} of {s['rows']:,} labelled rows){after}")
    return lines


def labels_json(lc: LabelCounts, clusters) -> dict:
    """{"column", "labels" (kinds kept), "node_purity", "segments": segment_labels} for --metrics-json
    (NaN written as null)."""
    def clean(v):
        return None if isinstance(v, float) and v != v else v
    segments = [{k: clean(v) for k, v in s.items()} for s in segment_labels(lc, clusters)]
    return {"column": lc.column, "labels": len(lc.names), "node_purity": clean(node_purity(lc)),
            "segments": segments}
