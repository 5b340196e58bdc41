"""`train --table --label COL` reports each segment's majority label and purity (tester11: the
label appeared in no output): the summary lines, --metrics-json, --report and the .somz, which
keeps the counts so a reopened map (even without its table) and a re-clustered one report them."""
import json

import numpy as np
import pytest

from somdesk.cli import main
from somdesk.session import table_labels
from somdesk.session.report import report_html
from somdesk.session.scoring import load_table_map, save_table_map
from somdesk.session.table_labels import (label_counts, label_lines, node_majority, node_purity,
                                          segment_labels)

from _penguins import COUNTS, penguins_csv


def test_counts_by_hand():
    # 2 x 2 map, nodes 0..3; labels with a missing one and a tie at node 3
    labels = ["a", "a", "b", None, "b", "a", "b", "c"]
    bmu = [0, 0, 0, 0, 1, 3, 3, 2]
    lc = label_counts(labels, bmu, 2, 2, "kind")
    assert lc.names == ("a", "b", "c")                   # most rows first; a and b tie at 3: alphabetical
    assert lc.counts[0, 0].tolist() == [2, 1, 0, 0] and lc.counts.sum() == 7
    assert node_majority(lc).tolist() == [["a", "b"], ["c", "a"]]     # node 3's tie: the more frequent overall
    assert node_purity(lc) == pytest.approx((2 + 1 + 1 + 1) / 7)
    seg = segment_labels(lc, np.array([[0, 1], [1, 1]]))
    assert seg[0] == {"segment": 0, "rows": 3, "top": "a", "count": 2, "purity": pytest.approx(2 / 3),
                      "next": [["b", 1]]}
    assert seg[1]["rows"] == 4 and seg[1]["top"] == "b" and seg[1]["count"] == 2
    assert label_counts([None, ""], [0, 1], 1, 2, "kind") is None
    with pytest.raises(ValueError):
        label_counts(["a"], [0, 1], 1, 2, "kind")


def test_many_kinds_pool_the_rare_ones(monkeypatch):
    monkeypatch.setattr(table_labels, "MAX_KEPT_LABELS", 2)
    lc = label_counts(["x", "x", "y", "y", "y", "z"], [0, 0, 0, 1, 1, 1], 1, 2, "id")
    assert lc.names == ("y", "x") and lc.counts[0, 1].tolist() == [2, 0, 1]    # z pooled, never wins
    assert node_majority(lc).tolist() == [["x", "y"]]
    assert "the 2 most frequent labels counted" in label_lines(lc, np.zeros((1, 2), int))[0]


def test_penguins_cli_prints_json_reports_and_saves_the_labels(tmp_path, capsys):
    data = penguins_csv(tmp_path)
    somz, report, metrics = tmp_path / "p.somz", tmp_path / "p.html", tmp_path / "m.json"
    assert main(["train", "--table", data, "--label", "species", "--clusters", "3", "--save-map", str(somz),
                 "--columns", "bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g",
                 "--report", str(report), "--metrics-json", str(metrics)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[1].startswith("label species: ") and "node purity" in lines[1]
    segs = [ln for ln in lines if ln.startswith("  segment ")]
    assert len(segs) == 3
    # each species has its own segment, nearly pure (the synthetic species are well apart)
    tops = json.loads(metrics.read_text())["label"]
    assert tops["column"] == "species" and tops["labels"] == 3 and tops["node_purity"] > 0.9
    assert sorted(s["top"] for s in tops["segments"]) == ["Adelie", "Chinstrap", "Gentoo"]
    assert all(s["purity"] > 0.8 for s in tops["segments"])
    dropped = sum((3 < n) + (71 < n) for n in COUNTS.values())       # rows 3 and 71 of each species: NA
    assert sum(s["rows"] for s in tops["segments"]) == sum(COUNTS.values()) - dropped
    for s in tops["segments"]:
        assert f"  segment {s['segment']}: {s['top']} {s['purity']:.0%} ({s['count']:,} of {s['rows']:,}" in out
    page = report.read_text(encoding="utf-8")
    assert "<h2>Labels (species)</h2>" in page and "Gentoo" in page
    # the .somz keeps the counts: the same summary from the reopened map, its table gone
    tm = load_table_map(somz)
    assert tm.label_counts is not None and tm.label_counts.column == "species"
    assert label_lines(tm.label_counts, tm.clusters)[1:] == segs
    (tmp_path / "penguins.csv").unlink()
    assert "<h2>Labels (species)</h2>" in report_html(tm, None, "p")


def test_without_label_nothing_is_said_and_an_empty_label_warns(tmp_path, capsys):
    data = penguins_csv(tmp_path)
    assert main(["train", "--table", data, "--columns", "bill_length_mm,flipper_length_mm",
                 "--save-map", str(tmp_path / "n.somz")]) == 0
    out = capsys.readouterr().out
    assert not [ln for ln in out.splitlines() if "label" in ln.split(";")[0]] and load_table_map(tmp_path / "n.somz").label_counts is None
    empty = tmp_path / "e.csv"
    empty.write_text("a,b,tag\n" + "".join(f"{i},{i * 7 % 5},\n" for i in range(30)))
    assert main(["train", "--table", str(empty), "--columns", "a,b", "--label", "tag",
                 "--save-map", str(tmp_path / "e.somz")]) == 0
    assert "no row has a value in the label column 'tag'" in capsys.readouterr().err


def test_reclustered_and_relabelled_maps_keep_true_counts(tmp_path):
    from somdesk.io.tables.table import read_table
    from somdesk.session.table_data import TableMapSpec
    from somdesk.session.table_workspace import TableWorkspace

    data = penguins_csv(tmp_path)
    ws = TableWorkspace()
    ws.set_table(read_table(data), data)
    ws.train(TableMapSpec(label="species", clusters=3, seed=1))
    before = ws.tm.label_counts.counts.copy()
    ws.recluster(5)                                       # other segments, the same nodes: the same counts
    np.testing.assert_array_equal(ws.tm.label_counts.counts, before)
    assert sum(s["rows"] for s in segment_labels(ws.tm.label_counts, ws.tm.clusters)) == before.sum()
    ws.set_label_column("island")                         # the window's label: counted from the rows shown
    lc = ws.tm.label_counts
    assert lc.column == "island" and set(lc.names) == {"Biscoe", "Dream", "Torgersen"}
    majority = node_majority(lc)
    shown = ws.node_labels()
    for r, c in zip(*np.nonzero(lc.counts[:, :, :-1].sum(axis=2))):
        counts = lc.counts[r, c, :-1]
        assert counts[lc.names.index(shown[r, c])] == counts.max() and majority[r, c] is not None
    ws.save_map(tmp_path / "i.somz")
    assert load_table_map(tmp_path / "i.somz").label_counts.column == "island"
    ws.set_label_column(None)
    assert ws.tm.label_counts is None
    save_table_map(ws.tm, tmp_path / "none.somz")
    assert load_table_map(tmp_path / "none.somz").label_counts is None


def _edited(somz, out, edit):
    import zipfile
    with zipfile.ZipFile(somz) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "meta.json":
                meta = json.loads(data)
                edit(meta["table_map"])
                data = json.dumps(meta).encode()
            dst.writestr(item, data)
    return out


def test_older_and_damaged_label_counts(tmp_path, capsys):
    from somdesk.errors import FileFormatError

    data = penguins_csv(tmp_path)
    somz = tmp_path / "p.somz"
    assert main(["train", "--table", data, "--label", "species", "--save-map", str(somz), "-q"]) == 0
    # a map saved before the counts (no label_names): opens, no counts
    older = _edited(somz, tmp_path / "old.somz", lambda tmap: tmap.pop("label_names"))
    assert load_table_map(older).label_counts is None
    # names that do not fit the array, or repeat: one message naming the file
    for k, edit in enumerate([lambda tmap: tmap["label_names"].append("Emperor"),
                              lambda tmap: tmap.__setitem__("label_names", ["Adelie", "Adelie", "Gentoo"])]):
        bad = _edited(somz, tmp_path / f"bad{k}.somz", edit)
        with pytest.raises(FileFormatError, match=f"bad{k}.somz"):
            load_table_map(bad)
