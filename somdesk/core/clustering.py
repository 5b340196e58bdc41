"""Segments from a trained map: clusters of nodes, majority labels, row assignments.

    clusters = cluster_codebook(som.weights, k=5)              # (H, W) ints 0..4
    names = majority_labels(som.bmus(prep.data), prep.labels, H, W)   # ties: label_order
    rows = row_assignments(prep, som, clusters)
    write_assignments_csv("segments.csv", rows)   # somdesk.io.tables.assignments

Clustering the codebook (the "two-level" approach of Vesanto & Alhoniemi
2000): the map has already summarised the rows into H x W prototypes, so
the prototypes are clustered, not the rows, and every row inherits its best
node's cluster.

method="ward" (the default) is SOM-Ward (Murtagh 1995; Viscovery's
segmentation): agglomerative Ward clustering where only clusters that touch
on the grid may merge.  Every node starts as its own cluster; repeatedly
the pair of touching clusters whose merge increases the total within-
cluster sum of squares least,
    delta(A, B) = |A| |B| / (|A| + |B|) * ||mean(A) - mean(B)||^2,
is merged, until k clusters remain.  Why this rather than k-means: the
clusters are always connected regions of the map, which is what a user
sees as "a segment" on the U-matrix; the result is deterministic (no seed,
no restarts, ties broken by node order); and it exposes no tuning beyond
k.  Neighbours are the 4 edge-sharing nodes on rectangular maps and the 6
touching hexagons on hexagonal ones ("odd-r" layout, see core.topology);
toroidal maps wrap.  Cost: O(n log n) heap operations for n nodes, with
the merge costs to all neighbours of a new cluster computed in one numpy
call (a 100x100 map clusters in well under a second).

method="kmeans" is seeded k-means++ on the prototypes (Lloyd iterations to
convergence): compact clusters that may be split into several regions.

Every node counts once, whatever its hit count (a node is a prototype of
its region of data space, including empty nodes between clusters).
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from somdesk.core.options import count_text
from somdesk.errors import OptionError, SomdeskError

__all__ = ["cluster_codebook", "method_name", "grid_edges", "majority_labels", "majority_of_counts",
           "label_order", "Assignments", "row_assignments", "CLUSTER_METHODS"]

CLUSTER_METHODS = ("ward", "kmeans")


def grid_edges(height: int, width: int, topology: str = "rectangular",
               toroidal: bool = False) -> np.ndarray:
    """(E, 2) int64 pairs (a < b) of flat indices of touching nodes, no duplicates."""
    hexagonal = str(topology).lower().startswith("hex")
    r, c = np.mgrid[0:height, 0:width]
    r = r.ravel()
    c = c.ravel()
    a_all, b_all = [], []

    def link(dr, dc):
        rr, cc = r + dr, c + dc
        if toroidal:
            rr, cc = rr % height, cc % width
            ok = np.ones(len(rr), dtype=bool)
        else:
            ok = (rr >= 0) & (rr < height) & (cc >= 0) & (cc < width)
        a_all.append((r * width + c)[ok])
        b_all.append((rr * width + cc)[ok])

    link(0, 1)                                 # right
    if hexagonal:
        # odd-r: odd rows sit half a cell right; the two lower neighbours of
        # (r, c) are (r+1, c-1), (r+1, c) on even rows and (r+1, c), (r+1, c+1) on odd rows
        odd = r % 2
        link(1, odd - 1)
        link(1, odd)
    else:
        link(1, 0)                             # down
    a = np.concatenate(a_all)
    b = np.concatenate(b_all)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    keep = lo != hi                            # a 1-wide toroidal map links a node to itself
    pairs = np.unique(np.stack([lo[keep], hi[keep]], axis=1), axis=0)
    return pairs.astype(np.int64).reshape(-1, 2)


def _check(weights, k) -> tuple[np.ndarray, int]:
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 3 or w.shape[0] < 1 or w.shape[1] < 1 or w.shape[2] < 1:
        raise SomdeskError(f"weights must have shape (height, width, dim), got {w.shape}")
    if not np.all(np.isfinite(w)):
        raise SomdeskError("weights contain NaN or infinite values")
    n = w.shape[0] * w.shape[1]
    if isinstance(k, bool) or int(k) != k:
        raise OptionError(f"the number of clusters must be a whole number, got {k!r}")
    k = int(k)
    if not 1 <= k <= n:
        raise OptionError(f"the number of clusters must be between 1 and the {count_text(n, 'node')} of the map, got {k}")
    return w, k


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Clusters numbered 0..k-1 in order of their first node (raster order)."""
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[inverse.ravel()]


def method_name(method) -> str:
    """The clustering method `method` names, as one of CLUSTER_METHODS (case, "-" and "_" ignored;
    "kmeans++" and "som-ward" taken too); OptionError for another."""
    name = str(method).strip().lower().replace("-", "").replace("_", "")
    name = {"kmeans++": "kmeans", "somward": "ward"}.get(name, name)
    if name not in CLUSTER_METHODS:
        raise OptionError(f"unknown clustering method {name!r}; choose one of: {', '.join(CLUSTER_METHODS)}")
    return name


def cluster_codebook(weights, k: int, seed: int | None = None, method: str = "ward",
                     topology: str = "rectangular", toroidal: bool = False, hits=None,
                     n_init: int = 1) -> np.ndarray:
    """(H, W) int64 cluster of every node, 0..k-1 numbered in raster order of first node.

    `seed` is used by "kmeans" only (Ward is deterministic).  `hits` (H, W) rows per
    node, if given, weights each node by its rows (Ward: a node's starting size; an
    empty node counts EMPTY_NODE_SIZE, so it joins its nearest touching cluster almost
    for free; k-means: sample weights).  `n_init` k-means++ starts (seeds derived from
    `seed`), the one with the lowest (weighted) within-cluster sum of squares kept.
    `weights` (H, W, D) float; `k` clusters in 1..H*W.  See module docstring; sources:
    Ward 1963 ("Hierarchical grouping to optimize an objective function", JASA 58),
    constrained to the grid as SOM-Ward (Murtagh 1995); k-means++ (Arthur &
    Vassilvitskii 2007) with Lloyd iterations.

    Raises OptionError for an unknown method or a `k` that is not a whole number in
    1..H*W, SomdeskError for weights that are not (H, W, D) or not finite, `hits` not
    (H, W) finite counts from 0, or (Ward) a grid that cannot be merged to k clusters.
    """
    w, k = _check(weights, k)
    method = method_name(method)
    h, wd, d = w.shape
    flat = w.reshape(-1, d)
    sizes = None
    if hits is not None:
        sizes = np.asarray(hits, dtype=np.float64).reshape(-1)
        if sizes.shape != (h * wd,) or (sizes < 0).any() or not np.isfinite(sizes).all():
            raise SomdeskError(f"hits must be (height, width) = {(h, wd)} counts from 0")
        sizes = np.where(sizes > 0, sizes, EMPTY_NODE_SIZE)
    if method == "kmeans":
        best = None
        for start in range(max(1, int(n_init))):
            start_seed = seed if start == 0 else (0 if seed is None else int(seed)) * 1009 + start
            lab = _kmeans(flat, k, start_seed, sizes)
            sse = _inertia(flat, lab, sizes)
            if best is None or sse < best[0] - 1e-12:
                best = (sse, lab)
        labels = best[1]
    else:
        labels = _ward(flat, k, grid_edges(h, wd, topology, toroidal), sizes)
    return _renumber(labels).reshape(h, wd)


EMPTY_NODE_SIZE = 1e-3


def _inertia(x, labels, sizes) -> float:
    """Within-cluster sum of squares (weighted by `sizes` when given)."""
    w = np.ones(len(x)) if sizes is None else sizes
    total = 0.0
    for j in np.unique(labels):
        sel = labels == j
        c = np.average(x[sel], axis=0, weights=w[sel])
        total += float((w[sel] * ((x[sel] - c) ** 2).sum(1)).sum())
    return total


def _ward(x: np.ndarray, k: int, edges: np.ndarray, sizes=None) -> np.ndarray:
    n = len(x)
    parent = np.arange(n)
    if k == n:
        return parent
    size = np.ones(n) if sizes is None else np.array(sizes, dtype=np.float64)
    centre = x.copy()
    alive = np.ones(n, dtype=bool)
    version = np.zeros(n, dtype=np.int64)
    nbrs: list[set[int]] = [set() for _ in range(n)]
    for a, b in edges.tolist():
        nbrs[a].add(b)
        nbrs[b].add(a)
    diff = x[edges[:, 0]] - x[edges[:, 1]]
    sa, sb = size[edges[:, 0]], size[edges[:, 1]]
    cost = (sa * sb / (sa + sb)) * np.einsum("ij,ij->i", diff, diff)
    heap = [(c, a, b, 0, 0) for c, (a, b) in zip(cost.tolist(), edges.tolist())]
    heapq.heapify(heap)
    clusters = n
    while clusters > k:
        if not heap:   # cannot happen on a connected grid; guard against an endless loop
            raise SomdeskError("the map's grid is not connected; cannot merge to fewer clusters")
        c, a, b, va, vb = heapq.heappop(heap)
        if not (alive[a] and alive[b]) or version[a] != va or version[b] != vb:
            continue
        # merge b into a (a < b)
        na, nb = size[a], size[b]
        centre[a] = (na * centre[a] + nb * centre[b]) / (na + nb)
        size[a] = na + nb
        alive[b] = False
        parent[b] = a
        version[a] += 1
        merged = (nbrs[a] | nbrs[b]) - {a, b}
        for m in nbrs[b]:
            if m != a:
                nbrs[m].discard(b)
                nbrs[m].add(a)
        nbrs[a] = merged
        nbrs[b] = set()
        clusters -= 1
        if merged:
            others = np.fromiter(merged, dtype=np.int64, count=len(merged))
            others.sort()
            dd = centre[others] - centre[a]
            sa, so = size[a], size[others]
            costs = (sa * so / (sa + so)) * np.einsum("ij,ij->i", dd, dd)
            for m, cm in zip(others.tolist(), costs.tolist()):
                lo, hi = (a, m) if a < m else (m, a)
                heapq.heappush(heap, (cm, lo, hi, int(version[lo]), int(version[hi])))
    # follow parents to the surviving root
    root = parent.copy()
    while True:
        nxt = root[root]
        if np.array_equal(nxt, root):
            return root
        root = nxt


def _kmeans(x: np.ndarray, k: int, seed: int | None, sizes=None, max_iter: int = 300) -> np.ndarray:
    from somdesk.core import kernels

    rng = np.random.default_rng(np.random.SeedSequence([0 if seed is None else int(seed), 11]))
    n = len(x)
    centres = np.empty((k, x.shape[1]))
    centres[0] = x[rng.integers(n)]
    d2 = np.sum((x - centres[0]) ** 2, axis=1)
    wts = np.ones(n) if sizes is None else sizes      # k-means++ draws in proportion to weight x d^2
    for j in range(1, k):
        total = (d2 * wts).sum()
        if total <= 0:
            pick = rng.integers(n)               # all points coincide with centres
        else:
            pick = int(np.searchsorted(np.cumsum(d2 * wts), rng.random() * total, side="right"))
            pick = min(pick, n - 1)
        centres[j] = x[pick]
        d2 = np.minimum(d2, np.sum((x - centres[j]) ** 2, axis=1))
    labels = np.full(n, -1, dtype=np.int64)
    xc = np.ascontiguousarray(x)
    for _ in range(max_iter):
        new, dist = kernels.bmus_of(np.ascontiguousarray(centres), xc)
        # an emptied cluster takes the point farthest from its centre
        # (taken only from clusters that keep at least one point, so none stays empty)
        counts = np.bincount(new, minlength=k)
        for j in np.flatnonzero(counts == 0):
            far = int(np.argmax(np.where(counts[new] > 1, dist, -1.0)))
            counts[new[far]] -= 1
            new[far] = j
            counts[j] = 1
            dist[far] = 0.0
        if np.array_equal(new, labels):
            break
        labels = new
        centres = _cluster_means(x, labels, k, sizes)
    return labels


def _cluster_means(x: np.ndarray, labels: np.ndarray, k: int, sizes=None) -> np.ndarray:
    """(k, D) each cluster's mean of the points `x` (n, D) labelled `labels` (n,) 0..k-1, weighted
    by `sizes` (n,) when given; a cluster of no weight gets 0.  A loop of k masked means took most
    of 12 x 10 runs on a 3,762-node map (tester6 F13); the (k, n) indicator matrix's product that
    replaced it cost 40 ms an iteration on a 9,078-node map under load (BLAS threads on 2 busy
    cores), most of a validity curve (big13): per-column np.bincount costs ~3 ms there.  Wide
    data (over 32 columns) keeps the one product, cheaper than that many passes."""
    n, d = x.shape
    w = np.ones(n) if sizes is None else np.asarray(sizes, dtype=np.float64)
    total = np.bincount(labels, weights=w, minlength=k)
    if d <= 32:
        sums = np.empty((k, d))
        for j in range(d):
            sums[:, j] = np.bincount(labels, weights=w * x[:, j], minlength=k)
    else:
        ind = np.zeros((k, n))
        ind[labels, np.arange(n)] = w
        sums = ind @ x
    return sums / np.where(total > 0, total, 1.0)[:, None]


def label_order(totals, names) -> list[int]:
    """Indices of `names` (L texts) in the order ties between labels are broken: most rows over
    the whole table first (`totals` (L,) row counts), then the first in sorted (code point)
    order.  The one tie rule of every majority label (majority_labels, majority_of_counts, and
    session.table_labels' kept labels and segment tops).  SomdeskError when the lengths differ."""
    totals = [int(t) for t in np.asarray(totals).reshape(-1)]
    if len(totals) != len(names):
        raise SomdeskError(f"{count_text(len(totals), 'count')} for {count_text(len(names), 'label')}")
    return sorted(range(len(names)), key=lambda j: (-totals[j], str(names[j])))


def _majority_of_pairs(node, lab, votes, names, cells: int) -> np.ndarray:
    """(cells,) object: each node's majority label from (node, label, votes) triples (each pair at
    most once); the rule of majority_labels."""
    out = np.empty(cells, dtype=object)
    if len(node) == 0:
        return out
    totals = np.zeros(len(names), np.int64)
    np.add.at(totals, lab, votes)                       # each label's rows over the whole table
    rank = np.empty(len(names), np.int64)
    rank[label_order(totals, names)] = np.arange(len(names))
    order = np.lexsort((rank[lab], -votes, node))       # per node: most votes, then the tie rule
    first = np.ones(len(order), dtype=bool)
    first[1:] = node[order][1:] != node[order][:-1]
    for i in order[first]:
        out[node[i]] = names[lab[i]]
    return out


def majority_labels(bmu_rc, labels, height: int, width: int) -> np.ndarray:
    """(H, W) object array: each node's most frequent label among its rows, None if it has none.

    `bmu_rc` is (N, 2) (row, column) of each sample's best node (SOM.bmus);
    `labels` N strings.  Missing labels (None, "") do not vote.  A tie at a node goes to the
    label with more rows in the whole of `labels`, then to the first in sorted order
    (label_order; the same rule as majority_of_counts, which the report and the .somz use).
    Raises SomdeskError when `labels` and `bmu_rc` differ in length or a (row, column) lies
    outside the height x width map.
    """
    rc = np.asarray(bmu_rc, dtype=np.int64).reshape(-1, 2)
    labels = list(labels)
    if len(labels) != len(rc):
        raise SomdeskError(f"{count_text(len(labels), 'label')} for {count_text(len(rc), 'row')}")
    voters = [i for i, s in enumerate(labels) if s is not None and str(s) != ""]
    if not voters:
        return np.empty((height, width), dtype=object)
    if ((rc[voters] < 0) | (rc[voters] >= (height, width))).any():
        raise SomdeskError("a best-matching node is outside the map")
    names = sorted({str(labels[i]) for i in voters})
    code = {s: j for j, s in enumerate(names)}
    lab = np.fromiter((code[str(labels[i])] for i in voters), dtype=np.int64, count=len(voters))
    node = rc[voters, 0] * width + rc[voters, 1]
    nl = len(names)
    # (node, label) pairs, never a dense nodes x labels array: a label column of identifiers
    # has as many kinds as rows
    keys, votes = np.unique(node * nl + lab, return_counts=True)
    k_node, k_lab = np.divmod(keys, nl)
    return _majority_of_pairs(k_node, k_lab, votes, names, height * width).reshape(height, width)


def majority_of_counts(counts, names) -> np.ndarray:
    """(H, W) object array: each node's majority label from `counts` (H, W, L) int, the rows of
    each of the L labels `names` at each node (session.table_labels.LabelCounts without its
    pooled slot); None where a node has no row.  The rule of majority_labels: most rows at the
    node, a tie to the label with more rows over the whole map (`counts` summed over the nodes),
    then the first in sorted order.  SomdeskError when `counts` does not fit `names`."""
    c = np.asarray(counts, dtype=np.int64)
    if c.ndim != 3 or c.shape[2] != len(names):
        raise SomdeskError(f"label counts of shape {c.shape} do not fit {count_text(len(names), 'label')}")
    h, w, nl = c.shape
    flat = c.reshape(-1, nl)
    node, lab = np.nonzero(flat > 0)
    return _majority_of_pairs(node, lab, flat[node, lab], list(names), h * w).reshape(h, w)


@dataclass
class Assignments:
    """Each kept table row's best node and cluster."""

    row_index: np.ndarray     # (N,) data-row number in the file (0 = first after the header)
    bmu_row: np.ndarray       # (N,)
    bmu_col: np.ndarray       # (N,)
    cluster: np.ndarray       # (N,) cluster of the best node, -1 when no clustering was given
    labels: list | None = None

    def __len__(self) -> int:
        return len(self.row_index)

    def __iter__(self):
        for i in range(len(self)):
            row = (int(self.row_index[i]), int(self.bmu_row[i]), int(self.bmu_col[i]), int(self.cluster[i]))
            yield row + ((self.labels[i],) if self.labels is not None else ())


def row_assignments(prepared, som, clusters=None) -> Assignments:
    """Best node (and its cluster) of every row of `prepared` (a table.Prepared).

    `som` is a SOM or its (H, W, D) weights; `clusters` the (H, W) labels of
    `cluster_codebook`, or None (cluster = -1).  Returns Assignments of (N,) int64
    arrays.  Raises SomdeskError when D differs from the data's columns or `clusters`
    is not (H, W).
    """
    from somdesk.core.metrics import bmus

    weights = np.asarray(getattr(som, "weights", som), dtype=np.float64)
    if weights.ndim != 3 or weights.shape[2] != prepared.data.shape[1]:
        raise SomdeskError(f"the map has {count_text(weights.shape[-1], 'value')} per node but the data has "
                           f"{count_text(prepared.data.shape[1], 'column')}")
    rc = bmus(weights, prepared.data)
    if clusters is None:
        cl = np.full(len(rc), -1, dtype=np.int64)
    else:
        cg = np.asarray(clusters)
        if cg.shape != weights.shape[:2]:
            raise SomdeskError(f"clusters have shape {cg.shape}, the map is {weights.shape[:2]}")
        cl = cg[rc[:, 0], rc[:, 1]].astype(np.int64)
    return Assignments(np.asarray(prepared.row_index, dtype=np.int64), rc[:, 0].copy(), rc[:, 1].copy(),
                       cl, None if prepared.labels is None else list(prepared.labels))
