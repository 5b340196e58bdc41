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
    for off in (["--label", "none"], ["--label", "None"], ["--no-label"]):     # the default label turned off
        assert main(["train", "--table", data, "--columns", "bill_length_mm,flipper_length_mm", *off,
                     "--save-map", str(tmp_path / "n.somz")]) == 0
        out = capsys.readouterr().out
        assert not [ln for ln in out.splitlines() if "label" in ln.split(";")[0]]
        assert load_table_map(tmp_path / "n.somz").label_counts is None
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


def _train(data, tmp_path, name, *extra):
    somz, metrics, scores = (tmp_path / f"{name}.{ext}" for ext in ("somz", "json", "csv"))
    assert main(["train", "--table", data, "--clusters", "3", "--save-map", str(somz), "--metrics-json", str(metrics),
                 "--assignments", str(scores), *extra]) == 0
    return load_table_map(somz), json.loads(metrics.read_text()), scores.read_text()


def test_the_cli_picks_the_windows_default_label_and_the_map_is_the_same(tmp_path, capsys):
    from somdesk.io.tables.table import read_table
    from somdesk.session.table_workspace import _default_spec

    data = penguins_csv(tmp_path)
    tm, metrics, scores = _train(data, tmp_path, "d")
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "label: species (the default; --label none to train without one)"
    assert out[2].startswith("label species: ")
    # the window's rule, one function: its Setup proposes the same column
    assert _default_spec(read_table(data)).label == "species" == tm.label_column == metrics["label"]["column"]
    assert metrics["label"]["default"] is True and tm.label_counts.column == "species"
    # the label is not trained on: the map, the measures and the assignments file are those without it
    off, off_metrics, off_scores = _train(data, tmp_path, "o", "--label", "none")
    assert "label" not in "\n".join(capsys.readouterr().out.splitlines()[1:])
    np.testing.assert_array_equal(tm.codebook, off.codebook)
    np.testing.assert_array_equal(tm.clusters, off.clusters)
    assert off.label_column is None and off.label_counts is None and "label" not in off_metrics
    assert {k: v for k, v in metrics.items() if k not in ("label", "seconds")} == \
        {k: v for k, v in off_metrics.items() if k != "seconds"}
    assert scores == off_scores and scores.splitlines()[0] == "row,bmu_row,bmu_col,segment,distance,outlier,present"
    # a label given is not "the default"; a table with no label-like column gets none and says nothing
    given = _train(data, tmp_path, "g", "--label", "species")[1]
    assert given["label"]["default"] is False and given["label"]["segments"] == metrics["label"]["segments"]
    capsys.readouterr()
    plain = tmp_path / "plain.csv"
    plain.write_text("a,b,name\n" + "".join(f"{i},{i * 7 % 5},n{i}\n" for i in range(40)))
    tm = _train(str(plain), tmp_path, "p")[0]
    assert tm.label_column is None and "label" not in capsys.readouterr().out


def test_the_default_label_is_never_a_column_the_options_use(tmp_path, capsys):
    data = penguins_csv(tmp_path)
    # species one-hot in the training: the default is the next label-like column, not an error
    tm = _train(data, tmp_path, "c", "--columns", "species,bill_length_mm")[0]
    assert tm.label_column == "island" and "species" in tm.recipe.columns
    assert "label: island (the default" in capsys.readouterr().out
    tm = _train(data, tmp_path, "p", "--passive", "species")[0]
    assert tm.label_column == "island"
    assert main(["train", "--table", data, "--no-label", "--label", "species", "--save-map",
                 str(tmp_path / "x.somz")]) == 2
    assert "--no-label and --label species contradict" in capsys.readouterr().err


def test_label_tally_by_chunks_equals_all_rows_at_once(monkeypatch):
    from somdesk.session.table_labels import LabelTally

    monkeypatch.setattr(table_labels, "MAX_KEPT_LABELS", 3)        # pooling decided over all chunks
    rng = np.random.default_rng(3)
    labels = [None if k == 0 else f"L{k}" for k in rng.integers(0, 6, 500)]
    bmu = rng.integers(0, 12, 500)
    whole = label_counts(labels, bmu, 3, 4, "c")
    tally = LabelTally(3, 4, "c")
    for s in range(0, 500, 37):
        tally.add(labels[s:s + 37], bmu[s:s + 37])
    lc = tally.counts()
    assert lc.names == whole.names and len(lc.names) == 3
    np.testing.assert_array_equal(lc.counts, whole.counts)
    assert LabelTally(1, 1, "c").counts() is None


@pytest.mark.parametrize("label, extra", [("species", {}), ("sex", {"missing": "mean"}),    # sex has NA cells
                                          ("island", {"where": "year > 2007"})])
def test_out_of_core_counts_the_labels_as_in_memory(tmp_path, label, extra):
    from somdesk.io.tables.options import ReadOptions
    from somdesk.io.tables.table import read_table
    from somdesk.session.outofcore_table import train_table_map_streaming
    from somdesk.session.table_data import TableMapSpec, train_table_map

    data = penguins_csv(tmp_path)
    spec = TableMapSpec(label=label, clusters=3, missing=extra.get("missing", "drop"))
    where = extra.get("where")
    mem = train_table_map(read_table(data, ReadOptions(where=where)), spec)[0]
    # several chunks (120, 120, 104 rows): each is read once an epoch through a DuckDB database of
    # its own (~0.1-0.3 s on CI), so 50-row chunks (7) spent most of the test's 14-23 s there
    ooc = train_table_map_streaming(data, spec, chunk_rows=120, where=where)
    np.testing.assert_allclose(ooc.codebook, mem.codebook, atol=1e-9)
    assert ooc.label_counts is not None and ooc.label_counts.names == mem.label_counts.names
    np.testing.assert_array_equal(ooc.label_counts.counts, mem.label_counts.counts)
    np.testing.assert_array_equal(ooc.clusters, mem.clusters)
    # saved and reopened with them
    save_table_map(ooc, tmp_path / "o.somz")
    back = load_table_map(tmp_path / "o.somz").label_counts
    assert back.column == label and np.array_equal(back.counts, mem.label_counts.counts)


def test_out_of_core_cli_prints_and_writes_the_labels(tmp_path, capsys):
    data = penguins_csv(tmp_path)
    runs = {}
    for name, ooc in (("m", []), ("o", ["--out-of-core", "--chunk-rows", "120"])):    # 3 chunks
        metrics = tmp_path / f"{name}.json"
        assert main(["train", "--table", data, "--label", "species", "--clusters", "3", *ooc,
                     "--save-map", str(tmp_path / f"{name}.somz"), "--metrics-json", str(metrics)]) == 0
        out = capsys.readouterr().out.splitlines()
        runs[name] = ([ln for ln in out if ln.startswith(("label ", "  segment "))], json.loads(metrics.read_text()))
    assert runs["o"][0] == runs["m"][0] and len(runs["o"][0]) == 4
    assert runs["o"][1]["label"] == runs["m"][1]["label"]
    # a label column that is not in the file: one message
    assert main(["train", "--table", data, "--label", "beak", "--out-of-core",
                 "--save-map", str(tmp_path / "x.somz")]) != 0
    err = capsys.readouterr().err
    assert "beak" in err and "Traceback" not in err


def test_a_numeric_label_with_many_values_warns(tmp_path, capsys):
    # tester12 #6: --label bill_length_mm was taken out of training and its "purity" reported
    # over a continuous value without a word
    from somdesk.io.tables.table import read_table
    from somdesk.session.table_data import TableMapSpec, train_table_map

    data = penguins_csv(tmp_path)
    # two epochs: the warnings are the preparation's, said before any epoch (the maps are not checked)
    assert main(["train", "--table", data, "--label", "bill_length_mm", "--epochs", "2", "--save-map",
                 str(tmp_path / "b.somz")]) == 0
    err = capsys.readouterr().err
    kinds = len({ln.split(",")[2] for ln in open(data).read().splitlines()[1:]} - {"NA"})
    assert kinds > 50
    assert (f"warning: --label bill_length_mm is numeric with {kinds} distinct values: it is not trained on; "
            f"purity over {kinds} kinds means little") in err
    # the window shows the preparation's warnings: the same words, without the CLI's flag
    _, prep = train_table_map(read_table(data), TableMapSpec(label="bill_length_mm", epochs=2))
    assert any(w.startswith("the label column bill_length_mm is numeric with ") for w in prep.warnings)
    # out of core (a glob, --out-of-core) counts the label over every row and says the same
    assert main(["train", "--table", data, "--label", "bill_length_mm", "--out-of-core", "--chunk-rows", "60",
                 "--epochs", "2", "--save-map", str(tmp_path / "o.somz")]) == 0
    assert f"--label bill_length_mm is numeric with {kinds} distinct values" in capsys.readouterr().err
    # a numeric class code with few values (year: 3) and a text label say nothing
    for label in ("year", "species"):
        assert main(["train", "--table", data, "--label", label, "--epochs", "2",
                     "--save-map", str(tmp_path / "y.somz")]) == 0
        assert "is numeric with" not in capsys.readouterr().err


def test_a_glob_of_three_files_counts_the_labels_as_one_file(tmp_path, capsys):
    # tester12 #1: `train --table 'parts/*.csv' --label species` trains in chunks; its labels are
    # counted over every row, as the same rows in one file in memory
    data = penguins_csv(tmp_path)
    head, *rows = open(data).read().splitlines()
    parts = tmp_path / "parts"
    parts.mkdir()
    third = -(-len(rows) // 3)
    for i in range(3):
        (parts / f"p{i}.csv").write_text("\n".join([head, *rows[i * third:(i + 1) * third]]) + "\n")
    runs = {}
    for name, table in (("glob", str(parts / "*.csv")), ("one", data)):
        metrics = tmp_path / f"{name}.json"
        assert main(["train", "--table", table, "--label", "species", "--clusters", "3", "--mode", "batch",
                     "--save-map", str(tmp_path / f"{name}.somz"), "--metrics-json", str(metrics)]) == 0
        out = capsys.readouterr().out.splitlines()
        runs[name] = ([ln for ln in out if ln.startswith(("label ", "  segment "))], json.loads(metrics.read_text()))
    assert runs["glob"][1]["out_of_core"] and len(runs["glob"][0]) == 4
    assert runs["glob"][1]["label"]["column"] == "species" and runs["glob"][1]["label"]["labels"] == 3
    glob_lc, one_lc = (load_table_map(tmp_path / f"{n}.somz").label_counts for n in ("glob", "one"))
    assert glob_lc.names == one_lc.names == ("Adelie", "Gentoo", "Chinstrap")
    # every labelled row counted (the rows with missing measurements dropped, as in memory)
    assert int(glob_lc.counts.sum()) == int(one_lc.counts.sum()) > sum(COUNTS.values()) - 10


def test_out_of_core_and_globs_pick_the_same_default_label_as_in_memory(tmp_path, capsys):
    # oclabel12: `train --table F --out-of-core` (and a glob) took no default label; now the same
    # rule (table_columns.label_rule) on counts by the engine gives the in-memory choice
    from somdesk.io.tables.table import read_table
    from somdesk.session.outofcore_table import default_label_out_of_core
    from somdesk.session.table_columns import default_label_column
    from somdesk.session.table_data import TableMapSpec

    data = penguins_csv(tmp_path)
    head, *rows = open(data).read().splitlines()
    parts = tmp_path / "parts"
    parts.mkdir()
    third = -(-len(rows) // 3)
    for i in range(3):
        (parts / f"p{i}.csv").write_text("\n".join([head, *rows[i * third:(i + 1) * third]]) + "\n")
    tab = read_table(data)
    in_memory = default_label_column(tab, set(tab.numeric_columns))
    assert in_memory == "species"
    assert default_label_out_of_core(data) == default_label_out_of_core(str(parts / "*.csv")) == in_memory
    # the columns the options use are left out, as in memory (the next label-like column)
    assert default_label_out_of_core(data, TableMapSpec(passive=("species",))) == "island"
    said = "label: species (the default; --label none to train without one)"
    for name, extra in (("ooc", [data, "--out-of-core"]), ("glob", [str(parts / "*.csv"), "--mode", "batch"])):
        metrics = tmp_path / f"{name}.json"
        assert main(["train", "--table", *extra, "--clusters", "3", "--save-map", str(tmp_path / f"{name}.somz"),
                     "--metrics-json", str(metrics)]) == 0
        out = capsys.readouterr().out.splitlines()
        assert said in out and any(ln.startswith("label species: ") for ln in out)
        got = json.loads(metrics.read_text())["label"]
        assert got["column"] == "species" and got["default"] is True
        assert load_table_map(tmp_path / f"{name}.somz").label_column == "species"
    # --label none: no label out of core either
    assert main(["train", "--table", data, "--out-of-core", "--label", "none", "--save-map",
                 str(tmp_path / "n.somz")]) == 0
    assert "label" not in capsys.readouterr().out and load_table_map(tmp_path / "n.somz").label_column is None
    # a table with no label-like column: none, nothing said
    plain = tmp_path / "plain.csv"
    plain.write_text("a,b,name\n" + "".join(f"{i},{i * 7 % 5},n{i}\n" for i in range(40)))
    assert default_label_out_of_core(str(plain)) is None
