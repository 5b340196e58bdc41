"""The map currently shown: a frozen snapshot that crosses threads safely.

A `MapState` is made from a SOM by the thread that trains it (`map_state`) and
is never changed afterwards: every array in it is a read-only copy.  The window,
the exports and the saved file all read the same `MapState`, so what is exported
is what is on screen.

    weights     (H, W, D) float64 codebook (copy)
    iteration   epochs completed; total = the run's epochs
    bmus        (N, 2) int64 (row, column) of every input's best-matching node, or None
    hits        (H, W) int64 inputs per node, or None
    umatrix     (H, W) float64 mean distance to the grid neighbours, or None
    qe, te      quantization error (mean input-BMU distance, data units) and
                topographic error (fraction of inputs whose two best nodes are not
                neighbours), or None when not measured
    node_labels (H, W) object array of each node's majority label, or None

`bmus`, `hits`, `umatrix`, `qe` and `te` are None in a "preview" state (made
with measure=False), which costs only the weights copy: the window uses it for
a map that has not trained yet so opening a file never waits for a compile.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from somdesk.core.options import SOMConfig
from somdesk.session.datasets import frozen_array


@dataclass(frozen=True)
class MapState:
    """One frozen picture of a map (see module docstring for the fields)."""

    weights: np.ndarray
    config: SOMConfig
    iteration: int
    total: int
    seed: int
    sigma: float = 0.0
    alpha: float = 0.0
    bmus: np.ndarray | None = None
    hits: np.ndarray | None = None
    umatrix: np.ndarray | None = None
    qe: float | None = None
    te: float | None = None
    node_labels: np.ndarray | None = None
    generation: int = 0   # which dataset it belongs to (Session bumps it on every open/new)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) of the grid."""
        return int(self.weights.shape[0]), int(self.weights.shape[1])

    @property
    def hexagonal(self) -> bool:
        return self.config.topology == "hexagonal"

    @property
    def measured(self) -> bool:
        return self.bmus is not None

    @property
    def done(self) -> bool:
        return self.iteration >= self.total

    def with_labels(self, node_labels) -> "MapState":
        """The same map with other node labels (labels never need retraining)."""
        return replace(self, node_labels=None if node_labels is None else _frozen_object(node_labels))


def _frozen_object(a) -> np.ndarray:
    arr = np.array(a, dtype=object, copy=True)
    arr.flags.writeable = False
    return arr


CHUNK_WORK = 2_000_000   # node x input distances between two looks at the cancel token (~10-20 ms)


def _chunks(n_rows: int, n_nodes: int):
    step = max(1, CHUNK_WORK // max(n_nodes, 1))
    for start in range(0, n_rows, step):
        yield slice(start, min(start + step, n_rows))


def nearest_nodes(flat_weights: np.ndarray, data: np.ndarray, cancel=None) -> tuple[np.ndarray, np.ndarray]:
    """(BMU flat index (N,), squared distance (N,)) of every row of `data`, searched in chunks
    with the token checked between them (core.kernels.bmus_of does the search)."""
    from somdesk.core import kernels
    from somdesk.core.cancel import check

    idx = np.empty(len(data), dtype=np.int64)
    d2 = np.empty(len(data), dtype=np.float64)
    for part in _chunks(len(data), len(flat_weights)):
        check(cancel)
        idx[part], d2[part] = kernels.bmus_of(flat_weights, data[part])
    return idx, d2


def topographic_error(weights: np.ndarray, data: np.ndarray, hexagonal: bool, toroidal: bool,
                      cancel=None) -> float:
    """core.metrics.topographic_error, the same value, searched in chunks that check `cancel`."""
    from somdesk.core import kernels
    from somdesk.core.cancel import check
    from somdesk.core.metrics import TOPOGRAPHIC_SAMPLE_LIMIT

    height, width, dim = weights.shape
    if height * width < 2 or len(data) == 0:
        return 0.0
    if len(data) > TOPOGRAPHIC_SAMPLE_LIMIT:   # the same fixed subset as core.metrics
        pick = np.random.default_rng(0).choice(len(data), TOPOGRAPHIC_SAMPLE_LIMIT, replace=False)
        data = data[np.sort(pick)]
    flat = np.ascontiguousarray(weights.reshape(-1, dim))
    far = 0
    for part in _chunks(len(data), len(flat)):
        check(cancel)
        far += _far_pairs(kernels.two_nearest(flat, data[part]), height, width, hexagonal, toroidal)
    return far / len(data)


def _far_pairs(two: np.ndarray, height: int, width: int, hexagonal: bool, toroidal: bool) -> int:
    """How many of the (N, 2) nearest and second-nearest node pairs are not grid neighbours."""
    from somdesk.core.topology import grid_distance, neighbour_threshold

    dist = grid_distance(two[:, 0], two[:, 1], height, width, hexagonal, toroidal)
    return int(np.count_nonzero(dist > neighbour_threshold(hexagonal)))


def measure(weights: np.ndarray, data: np.ndarray, hexagonal: bool, toroidal: bool, cancel=None) -> dict:
    """BMUs (N, 2), hits (H, W), U-matrix (H, W), QE and TE of `weights` (H, W, D) on `data` (N, D).

    One BMU search serves the BMUs, the hits and the QE; the TE needs the two
    best nodes (estimated on a fixed subset beyond 50,000 inputs, as core.metrics
    does).  Both searches run in chunks and raise Cancelled when `cancel` is set.
    Where both would scan every node (a small job: kernels.nearest_and_second),
    one scan gives both, the same values: each live map of the seed job read
    the 10,000 nodes twice.
    """
    from somdesk.core import kernels
    from somdesk.core.cancel import check
    from somdesk.core.metrics import TOPOGRAPHIC_SAMPLE_LIMIT, u_matrix

    h, w, d = weights.shape
    flat = np.ascontiguousarray(weights.reshape(-1, d))
    check(cancel)
    one = kernels.nearest_and_second(flat, data, cancel) if len(data) <= TOPOGRAPHIC_SAMPLE_LIMIT else None
    if one is not None:
        idx, d2, two = one
        te = _far_pairs(two, h, w, hexagonal, toroidal) / len(data)
    else:
        idx, d2 = nearest_nodes(flat, data, cancel)
        te = topographic_error(weights, data, hexagonal, toroidal, cancel)
    return {
        "bmus": frozen_array(np.stack(np.divmod(idx, w), axis=1), np.int64),
        "hits": frozen_array(np.bincount(idx, minlength=h * w).reshape(h, w), np.int64),
        # computed here, on the worker's thread, so a window never pays for it while drawing
        "umatrix": frozen_array(u_matrix(weights, hexagonal, toroidal), np.float64),
        "qe": float(np.mean(np.sqrt(d2))) if len(d2) else 0.0,
        "te": te,
    }


def node_labels_of(bmus: np.ndarray, labels, shape: tuple[int, int]) -> np.ndarray | None:
    """(H, W) object array: each node's majority label among its inputs (core.clustering.majority_labels)."""
    if labels is None or bmus is None:
        return None
    from somdesk.core.clustering import majority_labels

    return _frozen_object(majority_labels(bmus, list(labels), shape[0], shape[1]))


def map_state(som, *, measure_it: bool = True, labels=None, generation: int = 0, cancel=None,
              umatrix: bool = False) -> MapState:
    """A frozen `MapState` of `som` (a core SOM) as it is now.

    measure_it=False gives a preview (weights only; with `umatrix`, the U-matrix too: it
    needs only the codebook, milliseconds, where measuring searches every input);
    `labels` (N strings or None) adds the majority label of every node; `cancel` stops
    the measuring (Cancelled).
    """
    w = frozen_array(som.weights, np.float64)
    sigma, alpha = som.schedule_at(max(som.iteration - 1, 0))
    hexagonal = som.config.topology == "hexagonal"
    extra = {}
    if measure_it:
        extra = measure(w, som.data, hexagonal, som.config.toroidal, cancel)
        extra["node_labels"] = node_labels_of(extra["bmus"], labels, w.shape[:2])
    elif umatrix:
        from somdesk.core.metrics import u_matrix

        extra["umatrix"] = frozen_array(u_matrix(w, hexagonal, som.config.toroidal), np.float64)
    return MapState(weights=w, config=som.config, iteration=int(som.iteration), total=int(som.total),
                    seed=int(som.seed), sigma=float(sigma), alpha=float(alpha), generation=generation, **extra)
