"""Codebook clustering (SOM-Ward, k-means++), majority labels, row assignments."""
import csv
from collections import deque

import numpy as np
import pytest

from somdesk.core import SOM, SOMConfig
from somdesk.core.clustering import (Assignments, cluster_codebook, grid_edges, majority_labels,
                                     row_assignments)
from somdesk.io.tables.assignments import write_assignments_csv
from somdesk.errors import OptionError, SomdeskError
from somdesk.io.table import read_table_bytes


def connected(labels: np.ndarray, edges: np.ndarray) -> bool:
    """Every cluster is one connected region of the grid graph."""
    flat = labels.ravel()
    adj = [[] for _ in flat]
    for a, b in edges:
        if flat[a] == flat[b]:
            adj[a].append(b)
            adj[b].append(a)
    for k in np.unique(flat):
        members = np.flatnonzero(flat == k)
        seen = {members[0]}
        todo = deque([members[0]])
        while todo:
            for m in adj[todo.popleft()]:
                if m not in seen:
                    seen.add(m)
                    todo.append(m)
        if len(seen) != len(members):
            return False
    return True


def test_grid_edges():
    assert grid_edges(2, 3).tolist() == [[0, 1], [0, 3], [1, 2], [1, 4], [2, 5], [3, 4], [4, 5]]
    assert len(grid_edges(4, 4, toroidal=True)) == 32           # 2 per node
    assert len(grid_edges(4, 4, "hexagonal")) == 33
    assert len(grid_edges(4, 4, "hexagonal", toroidal=True)) == 48   # 3 per node
    assert len(grid_edges(1, 1)) == 0
    # odd-r: node (1, 0) touches (0, 0), (0, 1), (2, 0), (2, 1)
    e = {tuple(p) for p in grid_edges(3, 3, "hexagonal").tolist()}
    assert {(0, 3), (1, 3), (3, 6), (3, 7)} <= e and (2, 3) not in e


@pytest.mark.parametrize("topology,toroidal", [("rectangular", False), ("hexagonal", False),
                                               ("rectangular", True)])
@pytest.mark.parametrize("k", [1, 2, 5, 12])
def test_ward_gives_k_grid_connected_clusters(topology, toroidal, k):
    w = np.random.default_rng(k).random((8, 10, 4))
    labels = cluster_codebook(w, k, topology=topology, toroidal=toroidal)
    assert labels.shape == (8, 10)
    assert sorted(np.unique(labels)) == list(range(k))
    assert connected(labels, grid_edges(8, 10, topology, toroidal))
    # numbered in raster order of first node
    firsts = [np.flatnonzero(labels.ravel() == c)[0] for c in range(k)]
    assert firsts == sorted(firsts)


def test_ward_finds_obvious_blocks():
    w = np.zeros((6, 6, 2))
    w[:, 3:, 0] = 10
    w[3:, :3, 1] = 10
    w += np.random.default_rng(0).random(w.shape) * 0.01
    labels = cluster_codebook(w, 3)
    expected = np.zeros((6, 6), int)
    expected[:, 3:] = 1
    expected[3:, :3] = 2
    assert np.array_equal(labels, expected)


def test_ward_merge_cost_picks_the_cheaper_pair():
    # 1x4 map: values 0, 1, 5, 5.2 -> the two 5s merge first, then 0 and 1
    w = np.array([0, 1, 5, 5.2], float).reshape(1, 4, 1)
    assert cluster_codebook(w, 3).tolist() == [[0, 1, 2, 2]]
    assert cluster_codebook(w, 2).tolist() == [[0, 0, 1, 1]]
    # grid connectivity: equal far ends cannot merge past the middle
    w = np.array([0, 9, 0.1], float).reshape(1, 3, 1)
    assert cluster_codebook(w, 2).tolist() in ([[0, 0, 1]], [[0, 1, 1]])


def test_kmeans_is_seeded_and_gives_k_labels():
    w = np.random.default_rng(3).random((7, 7, 3))
    a = cluster_codebook(w, 4, seed=1, method="kmeans")
    b = cluster_codebook(w, 4, seed=1, method="kmeans")
    assert np.array_equal(a, b)
    assert sorted(np.unique(a)) == [0, 1, 2, 3]
    assert cluster_codebook(np.zeros((2, 2, 3)), 3, method="kmeans").max() == 2   # identical nodes


def test_cluster_errors():
    w = np.zeros((3, 3, 2))
    with pytest.raises(OptionError):
        cluster_codebook(w, 0)
    with pytest.raises(OptionError):
        cluster_codebook(w, 10)
    with pytest.raises(OptionError):
        cluster_codebook(w, 2.5)
    with pytest.raises(OptionError, match="method"):
        cluster_codebook(w, 2, method="dbscan")
    with pytest.raises(SomdeskError):
        cluster_codebook(np.full((2, 2, 2), np.nan), 2)
    assert cluster_codebook(w, 9).ravel().tolist() == list(range(9))


def test_majority_labels():
    rc = np.array([[0, 0], [0, 0], [0, 0], [0, 1], [0, 1], [1, 1], [1, 1], [1, 0]])
    labels = ["a", "b", "b", "x", "y", None, "", "z"]
    out = majority_labels(rc, labels, 2, 3)
    assert out.dtype == object and out.shape == (2, 3)
    assert out[0, 0] == "b"              # 2 votes to 1
    assert out[0, 1] == "x"              # tie: alphabetically first
    assert out[1, 1] is None             # only missing labels
    assert out[1, 0] == "z"
    assert out[0, 2] is None and out[1, 2] is None   # no hits
    with pytest.raises(SomdeskError):
        majority_labels(rc, labels[:-1], 2, 3)
    assert majority_labels(rc[:0], [], 2, 2).tolist() == [[None, None], [None, None]]


def test_row_assignments_and_csv(tmp_path):
    text = "id,a,b,seg\n" + "".join(
        f"{i},{(i % 2) * 10 + i * 0.01},{'NA' if i == 3 else (i % 2) * 5},{'odd' if i % 2 else 'even'}\n"
        for i in range(12))
    tab = read_table_bytes(text.encode(), "t.csv")
    prep = tab.prepare(["a", "b"], label_column="seg")
    som = SOM(prep.data, SOMConfig(width=4, height=3, iterations=10, mode="batch", init="pca", seed=0)).train()
    clusters = cluster_codebook(som.weights, 2)
    rows = row_assignments(prep, som, clusters)
    assert isinstance(rows, Assignments) and len(rows) == 11
    assert rows.row_index.tolist() == [0, 1, 2] + list(range(4, 12))
    rc = som.bmus(prep.data)
    assert rows.bmu_row.tolist() == rc[:, 0].tolist() and rows.bmu_col.tolist() == rc[:, 1].tolist()
    assert rows.cluster.tolist() == clusters[rc[:, 0], rc[:, 1]].tolist()
    # the two obvious groups land in different clusters
    by_label = {}
    for _, _, _, k, lab in rows:
        by_label.setdefault(lab, set()).add(k)
    assert len(by_label["odd"]) == 1 and len(by_label["even"]) == 1 and by_label["odd"] != by_label["even"]
    # weights work as well as the SOM
    assert row_assignments(prep, som.weights, clusters).cluster.tolist() == rows.cluster.tolist()

    path = tmp_path / "rows.csv"
    write_assignments_csv(path, rows)
    with open(path, newline="", encoding="utf-8") as f:
        got = list(csv.reader(f))
    assert got[0] == ["row", "node_row", "node_col", "cluster", "label"]
    assert len(got) == 12
    assert got[1] == ["0", str(rc[0, 0]), str(rc[0, 1]), str(rows.cluster[0]), "even"]
    assert got[4][0] == "4"

    no_clusters = row_assignments(prep, som)
    assert set(no_clusters.cluster.tolist()) == {-1}
    prep2 = tab.prepare(["a"])
    som2 = SOM(prep2.data, SOMConfig(width=2, height=2, iterations=2, seed=0)).train()
    path2 = tmp_path / "rows2.csv"
    write_assignments_csv(path2, row_assignments(prep2, som2))
    lines = path2.read_text().splitlines()
    assert lines[0] == "row,node_row,node_col,cluster" and lines[1].endswith(",")


def test_row_assignments_shape_checks():
    tab = read_table_bytes(b"a,b\n1,2\n3,4\n", "t.csv")
    prep = tab.prepare(["a", "b"])
    with pytest.raises(SomdeskError, match="values per node"):
        row_assignments(prep, np.zeros((2, 2, 3)))
    with pytest.raises(SomdeskError, match="clusters have shape"):
        row_assignments(prep, np.zeros((2, 2, 2)), np.zeros((3, 3), int))
