"""One majority-label rule everywhere (mend13): a node whose labels tie goes to the label more
frequent in the whole table, then to the first in sorted order -- in the window's labels view,
the report and CLI summary, and a reopened .somz alike.  Before, the window broke ties
alphabetically (core.clustering.majority_labels) and the report by overall frequency
(session.table_labels.node_majority), so a tied node was named differently."""
import json
import re

import numpy as np
import pytest

from somdesk.cli import main
from somdesk.core.clustering import label_order, majority_labels, majority_of_counts
from somdesk.errors import SomdeskError
from somdesk.session.scoring import load_table_map
from somdesk.session.table_labels import label_counts, node_majority, segment_labels


def test_the_rule_by_hand():
    # node 0: a 2, b 2 (tie); b has more rows in the whole table (node 1), so b wins, not a
    rc = np.array([[0, 0]] * 4 + [[0, 1]] * 3 + [[1, 0]] * 2)
    labels = ["a", "a", "b", "b", "b", "b", "b", "c", "a"]
    out = majority_labels(rc, labels, 2, 2)
    assert out[0, 0] == "b" and out[0, 1] == "b" and out[1, 1] is None
    assert out[1, 0] == "a"                     # node 2: c 1, a 1; a (3 rows) beats c (1 row) overall
    # equal totals too: the first in sorted order
    assert majority_labels([[0, 0], [0, 0]], ["y", "x"], 1, 1)[0, 0] == "x"
    # counts kept with a map give the same names (the report's and the .somz's path)
    lc = label_counts(labels, rc[:, 0] * 2 + rc[:, 1], 2, 2, "kind")
    assert node_majority(lc).tolist() == out.tolist()
    assert majority_of_counts(lc.counts[:, :, :-1], lc.names).tolist() == out.tolist()
    # the order of the names given does not matter: the rule reads the counts, not the order
    flipped = lc.counts[:, :, :-1][:, :, ::-1]
    assert majority_of_counts(flipped, lc.names[::-1]).tolist() == out.tolist()
    assert label_order([2, 5, 2], ["b", "z", "a"]) == [1, 2, 0]
    with pytest.raises(SomdeskError):
        majority_of_counts(np.zeros((2, 2, 3)), ("a", "b"))


def test_a_segment_tie_follows_the_same_rule():
    # one segment holding nodes 0 and 2 of the map above: a 3, b 2, c 1 -> a; node 0 alone: tie -> b
    labels = ["a", "a", "b", "b", "b", "b", "b", "c", "a"]
    bmu = [0, 0, 0, 0, 1, 1, 1, 2, 2]
    lc = label_counts(labels, bmu, 2, 2, "kind")
    seg = segment_labels(lc, np.array([[0, 1], [2, 3]]))
    assert [s["top"] for s in seg] == ["b", "b", "a", None]
    assert seg[0]["next"] == [["a", 2]]


def _tied_table(path):
    """x, y and a label: two groups of identical rows, one per node of a 1 x 2 map; group P's
    labels tie (a 5, b 5) and b has 10 more rows in group Q, so P's node is b, not a."""
    groups = [((0, 0), ["a"] * 5 + ["b"] * 5), ((10, 10), ["b"] * 10)]
    lines = ["x,y,kind"] + [f"{x},{y},{k}" for (x, y), kinds in groups for k in kinds]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_a_tied_node_is_named_alike_in_the_window_the_report_the_cli_and_the_somz(tmp_path, capsys):
    from somdesk.io.tables.table import read_table
    from somdesk.session.table_data import TableMapSpec
    from somdesk.session.table_workspace import TableWorkspace

    data = _tied_table(tmp_path / "tied.csv")
    somz, report, metrics = tmp_path / "t.somz", tmp_path / "t.html", tmp_path / "t.json"
    assert main(["train", "--table", data, "--columns", "x,y", "--label", "kind", "--height", "1", "--width", "2",
                 "--clusters", "2", "--seed", "1", "--save-map", str(somz), "--report", str(report),
                 "--metrics-json", str(metrics)]) == 0
    out = capsys.readouterr().out
    tm = load_table_map(somz)
    lc = tm.label_counts
    tied = [(r, c) for r, c in zip(*np.nonzero(lc.counts.sum(axis=2))) if
            lc.counts[r, c, lc.names.index("a")] == lc.counts[r, c, lc.names.index("b")] == 5]
    assert len(tied) == 1 and lc.counts[tied[0]].sum() == 10, "each group should have a node of its own"
    r, c = tied[0]
    # the .somz's counts
    assert node_majority(lc)[r, c] == "b"
    # the CLI summary and --metrics-json: one node per segment, so the tied node's segment's top label
    segment = int(tm.clusters[r, c])
    assert re.search(rf"^  segment {segment}: b 50% \(5 of 10 labelled rows\); next a 5$", out, re.M)
    top = json.loads(metrics.read_text())["label"]["segments"][segment]
    assert top["top"] == "b" and top["next"] == [["a", 5]]
    # the report's segment table
    page = report.read_text(encoding="utf-8")
    assert re.search(rf"<tr><td>{segment}</td>.*?<td>10</td><td style=\"text-align:left\">b</td>", page)
    # the window: the map reopened with its table, and trained in the window
    ws = TableWorkspace()
    ws.open_map(somz)
    assert ws.label_column == "kind" and ws.node_labels()[r, c] == "b"
    fresh = TableWorkspace()
    fresh.set_table(read_table(data), data)
    fresh.train(TableMapSpec(columns=("x", "y"), label="kind", height=1, width=2, clusters=2, seed=1))
    lcw = fresh.tm.label_counts
    (rw, cw), = [(i, j) for i, j in zip(*np.nonzero(lcw.counts.sum(axis=2)))
                 if lcw.counts[i, j, lcw.names.index("a")] == 5]
    assert fresh.node_labels()[rw, cw] == "b"
    # a column picked in the window (counted from the rows shown) follows the same rule
    fresh.set_label_column("x")
    fresh.set_label_column("kind")
    assert fresh.node_labels()[rw, cw] == "b"
