"""Segments people can act on: clusters of the codebook, guidance on k, profiles, top items.

    seg = cluster_nodes(codebook, k=None, hits=hits)      # k None: the suggested k
    seg.labels (H, W), seg.k, seg.curve {"k", "davies_bouldin", "silhouette", "suggested"}
    prof = segment_profiles(values, names, row_segment)   # per segment and column
    write_profiles_csv(path, prof); profiles_png(path, prof)
    top = top_items(ratings, item_names, row_segment, n=10)   # users x items tables

Default clustering ("kmeans", hit-weighted, best of 10 k-means++ starts): every node
is weighted by the rows it wins (an empty node by 1e-3), so the segments minimise the
within-segment sum of squares of the ROWS as seen through their prototypes -- the
two-level approach of Vesanto & Alhoniemi (IEEE TNN 2000).  Measured on scikit-learn's
iris, wine and breast-cancer tables over five map sizes (0.5x to 3x the SOM Toolbox
size) it was the most robust choice (mean ARI 0.72; k-means on the rows 0.725); SOM-Ward
(connected regions, method="ward") averaged 0.68 and swings with the map size, so it is
offered, not the default.  Figures: benchmarks/bench_tables.py, README.

Guidance on k: for k = 2..min(12, nodes - 1) the codebook is clustered and two
validity indices computed on the nodes (hit-weighted centroids and scatters):
Davies-Bouldin (Davies & Bouldin 1979; lower is better) and the silhouette
(Rousseeuw 1987; higher is better, over non-empty nodes; over more than SILHOUETTE_NODES of
them, over a seeded uniform sample of that many).  The suggested k is the
silhouette maximum (Davies-Bouldin's minimum when the silhouette cannot be computed):
on codebooks Davies-Bouldin tends to keep falling as k grows (wine: minimum at 12),
the silhouette peaks where the map shows clear borders.
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field

import numpy as np

from somdesk.core import cancel as cancel_mod
from somdesk.core.clustering import cluster_codebook
from somdesk.core.options import count_text
from somdesk.core.preparation import population_std
from somdesk.errors import OptionError
from somdesk.io.names import display_name

__all__ = ["Segments", "cluster_nodes", "validity_curve", "davies_bouldin", "silhouette", "silhouette_nodes",
           "segment_profiles", "write_profiles_csv", "profiles_png", "top_items", "DEFAULT_METHOD", "N_INIT"]

DEFAULT_METHOD = "kmeans"
N_INIT = 10
K_MAX = 12


@dataclass
class Segments:
    labels: np.ndarray            # (H, W) int64 segment of each node
    k: int
    method: str
    curve: dict = field(default_factory=dict)


def _cluster(codebook, k, method, topology, hits, seed=0):
    return cluster_codebook(codebook, k, seed=seed, method=method, topology=topology,
                            hits=None if hits is None else np.asarray(hits).reshape(codebook.shape[:2]),
                            n_init=N_INIT if method == "kmeans" else 1)


def davies_bouldin(x: np.ndarray, labels: np.ndarray, weights=None) -> float:
    """Davies-Bouldin index of points `x` (M, D) in clusters `labels` (M,), weighted (lower = better)."""
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=np.float64)
    ks = np.unique(labels)
    if len(ks) < 2:
        return math.nan
    cents, scat = [], []
    for j in ks:
        sel = labels == j
        c = np.average(x[sel], axis=0, weights=w[sel]) if w[sel].sum() > 0 else x[sel].mean(0)
        cents.append(c)
        d = np.sqrt(((x[sel] - c) ** 2).sum(1))
        scat.append(float(np.average(d, weights=w[sel])) if w[sel].sum() > 0 else float(d.mean()))
    cents, scat = np.array(cents), np.array(scat)
    sep = np.sqrt(((cents[:, None] - cents[None]) ** 2).sum(-1))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (scat[:, None] + scat[None]) / sep
    np.fill_diagonal(r, -np.inf)
    r = np.where(np.isfinite(r), r, 0.0)
    return float(r.max(1).mean())


PAIRWISE_CELLS = 40_000_000     # node pairs whose distances validity_curve keeps (320 MB)
SILHOUETTE_NODES = int(math.isqrt(PAIRWISE_CELLS))      # 6,324 nodes: more are sampled


def silhouette_nodes(used: np.ndarray, seed: int = 0) -> np.ndarray:
    """The nodes (sorted flat indices) the validity curve's silhouette is taken on: `used` (the
    nodes with hits) when there are at most SILHOUETTE_NODES of them, else a seeded uniform
    sample of SILHOUETTE_NODES of them -- uniform, so its mean estimates the same unweighted
    mean over the nodes with hits that a smaller map's curve gives.  Why (big13): a 9,078-node
    map's curve recomputed 9,078^2 distances for each of the 11 k's (the shared matrix did not
    fit in PAIRWISE_CELLS)."""
    used = np.asarray(used, dtype=np.int64)
    if len(used) <= SILHOUETTE_NODES:
        return used
    return np.sort(np.random.default_rng(seed).choice(used, SILHOUETTE_NODES, replace=False))


def pairwise_distances(x: np.ndarray, rows=None) -> np.ndarray:
    """(R, M) Euclidean distances from rows `rows` (default all) of `x` (M, D) to every row, from
    the Gram matrix (|a|^2 + |b|^2 - 2 a.b, clamped at 0; a row's distance to itself is 0).
    Memory: the (R, M) float64 result and a block of at most ~1,000,000 cells (8 MB), no more: the
    whole-matrix expression held three (R, M) temporaries at once, ~1 GB for the 6,324 nodes of
    a big map's validity curve (testerH #10: an out-of-core run's 945 MiB peak was this, at the
    end; now ~320 MB).  The same bits as that expression: (|a|^2 + |b|^2) + (-2 a.b) is the
    same IEEE sum as (|a|^2 + |b|^2) - 2 a.b."""
    sq = (x * x).sum(1)
    rows = np.arange(len(x)) if rows is None else np.asarray(rows)
    d = x[rows] @ x.T
    d *= -2.0
    step = max(1, 1_000_000 // max(1, len(x)))
    for lo in range(0, len(rows), step):
        part = d[lo:lo + step]
        part += sq[rows[lo:lo + step], None] + sq[None, :]
    np.maximum(d, 0.0, out=d)
    np.sqrt(d, out=d)
    d[np.arange(len(rows)), rows] = 0.0
    return d


def silhouette(x: np.ndarray, labels: np.ndarray, distances: np.ndarray | None = None) -> float:
    """Mean silhouette of points `x` (M, D) in clusters `labels` (higher = better; Rousseeuw
    1987; a point alone in its cluster scores 0); NaN for one cluster or M > 20,000.

    Distances from the Gram matrix (|a|^2 + |b|^2 - 2 a.b, clamped at 0, BLAS) in blocks of
    rows, summed per cluster by one product with the clusters' indicator matrix: the loop
    over points took 20 s on a 3,762-node map's validity curve, at the end of every table
    training (tester6 F13); now well under a second.  Memory O(block x M).  `distances`:
    the (M, M) pairwise_distances(x), when the caller scores several clusterings of x."""
    x = np.asarray(x, dtype=np.float64)
    ks, lab = np.unique(labels, return_inverse=True)
    m, k = len(x), len(ks)
    if k < 2 or m > 20_000:
        return math.nan
    onehot = np.zeros((m, k))
    onehot[np.arange(m), lab] = 1.0
    count = onehot.sum(0)
    s = np.zeros(m)
    step = m if distances is not None else max(1, 4_000_000 // max(1, m))
    for lo in range(0, m, step):
        rows = np.arange(lo, min(m, lo + step))
        d = distances if distances is not None else pairwise_distances(x, rows)
        sums = d @ onehot                                   # (rows, k): distance to each cluster
        own = lab[rows]
        n_own = count[own] - 1
        a = sums[np.arange(len(rows)), own] / np.maximum(n_own, 1)
        mean = sums / count
        mean[np.arange(len(rows)), own] = np.inf
        b = mean.min(1)
        top = np.maximum(a, b)
        with np.errstate(invalid="ignore", divide="ignore"):
            s[rows] = np.where((n_own > 0) & (top > 0), (b - a) / np.where(top > 0, top, 1.0), 0.0)
    return float(s.mean())


def validity_curve(codebook, method=DEFAULT_METHOD, topology="rectangular", hits=None, k_max=K_MAX,
                   cancel=None) -> dict:
    """{"k": [2..], "davies_bouldin": [...], "silhouette": [...], "suggested": k} (see module docstring)."""
    h, w, d = codebook.shape
    flat = codebook.reshape(-1, d)
    hw = None if hits is None else np.asarray(hits, dtype=np.float64).reshape(-1)
    used = np.flatnonzero(np.ones(h * w, bool) if hw is None else hw > 0)
    # over SILHOUETTE_NODES nodes the silhouette is taken on a sample of them, so the nodes'
    # distances still fit in PAIRWISE_CELLS (below that: every node, as before)
    used = silhouette_nodes(used)
    # the nodes' distances do not depend on k: measured once for every k's silhouette (a
    # 3,762-node map: 113 MB)
    shared = pairwise_distances(flat[used]) if 1 < len(used) else None
    ks, dbs, sils = [], [], []
    for k in range(2, min(k_max, h * w - 1) + 1):
        cancel_mod.check(cancel)
        lab = _cluster(codebook, k, method, topology, hits).reshape(-1)
        ks.append(k)
        dbs.append(davies_bouldin(flat, lab, None if hw is None else np.maximum(hw, 1e-3)))
        sils.append(silhouette(flat[used], lab[used], shared))
    finite = [i for i, v in enumerate(sils) if np.isfinite(v)]
    if finite:
        suggested = ks[max(finite, key=lambda i: sils[i])]
    else:
        finite = [i for i, v in enumerate(dbs) if np.isfinite(v)]
        suggested = ks[min(finite, key=lambda i: dbs[i])] if finite else (ks[0] if ks else 1)
    return {"k": ks, "davies_bouldin": dbs, "silhouette": sils, "suggested": int(suggested)}


def suggested_k(curve: dict | None) -> int:
    """The segment count the map's nodes are cut into when none is asked for: the validity
    curve's suggestion, or 1 for a map of fewer than 3 nodes (it has no curve: k = 2..nodes-1).
    Always a whole number, so --metrics-json's "suggested_k" has one type whatever the map size
    (testerC #16: null on a 1 x 1 map, a number elsewhere)."""
    return int(curve["suggested"]) if curve and curve.get("suggested") is not None else 1


def cluster_nodes(codebook, k=None, method=DEFAULT_METHOD, topology="rectangular", hits=None,
                  cancel=None) -> Segments:
    """Segments of the map's nodes: k given, or the suggested k of the validity curve."""
    codebook = np.asarray(codebook, dtype=np.float64)
    n = codebook.shape[0] * codebook.shape[1]
    # no validity curve below 3 nodes (k = 2..nodes-1): one segment unless k is given; a k
    # given is honoured or refused there too (tester9 #11: 2 asked on 2 nodes gave 1 silently)
    curve = validity_curve(codebook, method, topology, hits, cancel=cancel) if n >= 3 else {}
    if k is None:
        k = suggested_k(curve)
    if not 1 <= int(k) <= n:
        raise OptionError(f"the number of segments must be between 1 and the {count_text(n, 'node')} of the map, got {k}")
    labels = _cluster(codebook, int(k), method, topology, hits)
    return Segments(labels, int(k), method, curve)


# -- profiles ------------------------------------------------------------------------------
def segment_profiles(values: np.ndarray, names, row_segment: np.ndarray) -> dict:
    """Per segment and column: size, mean, median, standardised difference to the whole table.

    `values` (N, C) in the file's units (NaN = missing), `row_segment` (N,) (-1 = none).
    Returns {"columns": names, "segments": [s...], "size": (S,), "share": (S,),
    "mean": (S, C), "median": (S, C), "all_mean": (C,), "all_median": (C,), "all_std": (C,),
    "z": (S, C) = (segment mean - table mean) / table std (0 where the std is 0)}.
    """
    v = np.asarray(values, dtype=np.float64)
    seg = np.asarray(row_segment)
    segs = sorted(int(s) for s in np.unique(seg) if s >= 0)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        all_mean, all_median, all_std = np.nanmean(v, 0), np.nanmedian(v, 0), population_std(v, 0)
        mean = np.array([np.nanmean(v[seg == s], 0) for s in segs]).reshape(len(segs), v.shape[1])
        median = np.array([np.nanmedian(v[seg == s], 0) for s in segs]).reshape(len(segs), v.shape[1])
    size = np.array([(seg == s).sum() for s in segs])
    z = np.where(all_std > 0, (mean - all_mean) / np.where(all_std > 0, all_std, 1.0), 0.0)
    return {"columns": list(names), "segments": segs, "size": size, "share": size / max(1, len(seg)),
            "mean": mean, "median": median, "all_mean": all_mean, "all_median": all_median,
            "all_std": all_std, "z": np.nan_to_num(z)}


def write_profiles_csv(path, prof: dict) -> None:
    """One line per segment and column: segment,size,share,column,mean,median,all_mean,all_median,z."""
    from somdesk.io.atomic import atomic_open

    with atomic_open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["segment", "size", "share", "column", "mean", "median", "all_mean", "all_median", "z"])
        for i, s in enumerate(prof["segments"]):
            for j, c in enumerate(prof["columns"]):
                w.writerow([s, int(prof["size"][i]), f"{prof['share'][i]:.6g}", c, _g(prof["mean"][i, j]),
                            _g(prof["median"][i, j]), _g(prof["all_mean"][j]), _g(prof["all_median"][j]),
                            _g(prof["z"][i, j])])


def write_top_items_csv(path, top: dict) -> None:
    """One line per segment and item of `top` (top_items): segment,rank,item,mean,ratings,lift."""
    from somdesk.io.atomic import atomic_open

    with atomic_open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["segment", "rank", "item", "mean", "ratings", "lift"])
        for s, entries in sorted(top.items()):
            for k, (item, mean, count, lift) in enumerate(entries, 1):
                w.writerow([s, k, item, _g(mean), count, _g(lift)])


def _g(x) -> str:
    return "" if not np.isfinite(x) else f"{float(x):.6g}"


# The picture is drawn by somdesk.render.profiles (the one renderer of every picture shown or
# written); these names stay importable from here.
from somdesk.render.profiles import (MAX_PROFILE_COLUMNS, PROFILES_CAPTION,  # noqa: E402,F401 - re-exported
                                     shown_profile_columns)
from somdesk.render.profiles import wrapped as _wrapped  # noqa: E402,F401 - re-exported


def profiles_png(prof: dict, bar_px: int = 18, max_z: float = 2.5, font_px: int = 13, max_width: int = 1100):
    """A Pillow RGB image of the profiles `prof` (segment_profiles): render.profiles_picture with
    the drawn column names as the window shows them (io.names.display_name: a line break or NBSP
    escaped on one line).  `bar_px`, `max_z`, `font_px`, `max_width`: render.profiles_picture's."""
    from PIL import Image

    from somdesk.render.profiles import profiles_picture

    names = list(prof["columns"])
    for j in shown_profile_columns(prof):           # only the drawn ones: a table may have 5,000
        names[j] = display_name(names[j])
    return Image.fromarray(profiles_picture(dict(prof, columns=names), bar_px, max_z, font_px, max_width))


# -- recommender use case ------------------------------------------------------------------------
def top_items(ratings: np.ndarray, item_names, row_segment: np.ndarray, n: int = 10, min_count: int = 3) -> dict:
    """Per segment, the `n` items rated highest by its rows among those it rates above the table
    (users x items table `ratings` (N, I), NaN = not rated; `row_segment` (N,), -1 = none).

    Items are ranked by the segment's mean rating (ties: more ratings, then column order); an
    item needs at least `min_count` ratings in the segment and a lift above 0.  Each entry:
    (item, segment mean, count, lift = segment mean minus the item's mean over all rows).
    Returns {segment: [entries...]}, a segment's list shorter than `n` (or empty) when fewer
    items qualify.  The lift rule (tester9 #3): ranked by the mean alone, an item everybody
    rates high topped every segment's list, even where the segment rates it below the table
    (lift -0.45), which a recommendation per segment must not say.  docs/tables.md.
    """
    r = np.asarray(ratings, dtype=np.float64)
    seg = np.asarray(row_segment)
    names = list(item_names)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        overall = np.nanmean(r, 0)
        out = {}
        for s in sorted(int(x) for x in np.unique(seg) if x >= 0):
            sub = r[seg == s]
            cnt = (~np.isnan(sub)).sum(0)
            m = np.nanmean(sub, 0)
            ok = np.flatnonzero((cnt >= min_count) & np.isfinite(m) & (m - overall > 0))
            order = ok[np.lexsort((np.arange(len(ok)), -cnt[ok], -m[ok]))][:n]
            out[s] = [(names[j], float(m[j]), int(cnt[j]), float(m[j] - overall[j])) for j in order]
    return out

