"""tester12's CLI findings: every line the CLI prints with a user's path shows it in the one
escaped form (io.names.display_name: a newline in a name is '\\n', the line stays one line)."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from somdesk.cli import main

ODD = "new\nline é 表"          # a newline and non-ASCII in a file name (tester12 #8)


def _table(folder):
    path = folder / "d.csv"
    rows = np.random.default_rng(0).random((40, 3))
    path.write_text("a,b,c\n" + "".join(f"{x},{y},{z}\n" for x, y, z in rows))
    return path


def _one_line_naming(err: str, name: str) -> None:
    lines = [ln for ln in err.splitlines() if repr(name) in ln]
    assert lines, err
    assert "line é 表" not in err.replace(repr(name), ""), err      # never the raw name beside it


@pytest.mark.parametrize("extra", [[], ["--out-of-core"]])
def test_train_says_saved_with_the_escaped_name(tmp_path, capsys, extra):
    target = tmp_path / f"{ODD}.somz"
    assert main(["train", "--table", str(_table(tmp_path)), "--width", "3", "--height", "3", "--epochs", "1",
                 "--save-map", str(target), *extra]) == 0
    got = capsys.readouterr()
    _one_line_naming(got.out + got.err, str(target))


def test_palette_convert_and_quantize_name_their_output_escaped(tmp_path, capsys):
    gpl = tmp_path / "p.gpl"
    gpl.write_text("GIMP Palette\nName: p\n#\n255 0 0 red\n0 255 0 green\n")
    out = tmp_path / f"{ODD}.hex"
    assert main(["palette", "convert", str(gpl), str(out)]) == 0
    got = capsys.readouterr()
    _one_line_naming(got.out + got.err, str(out))
    src = tmp_path / "in.png"
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (8, 8, 3), dtype=np.uint8)).save(src)
    png = tmp_path / f"{ODD}.png"
    assert main(["quantize", str(src), str(png), "--colors", "4"]) == 0
    got = capsys.readouterr()
    _one_line_naming(got.out + got.err, str(png))


def _penguins(path, extra_column: str | None = None):
    rng = np.random.default_rng(3)
    lines = ["id,island,bill,flipper,mass" + ("," + extra_column if extra_column else "")]
    for i in range(60):
        lines.append(f"{i},{'ab'[i % 2]},{rng.normal(40, 5):.2f},{rng.normal(200, 10):.1f},{rng.normal(4000, 300):.0f}"
                     + (",x" if extra_column else ""))
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("extra", [[], ["--out-of-core", "--mode", "batch"]])
def test_assign_on_the_training_file_warns_only_about_columns_the_map_never_saw(tmp_path, capsys, extra):
    # tester12 #10: "4 columns the map does not use are ignored: 'id', 'island', ..." on its own table
    data = _penguins(tmp_path / "p.csv")
    m = tmp_path / "p.somz"
    assert main(["train", "--table", str(data), "--width", "3", "--height", "3", "--epochs", "2",
                 "--save-map", str(m), "-q", *extra]) == 0
    capsys.readouterr()
    assert main(["assign", str(m), str(data), "--out", str(tmp_path / "s.csv")]) == 0
    assert "does not use" not in capsys.readouterr().err
    newer = _penguins(tmp_path / "next.csv", extra_column="note")      # a column it never saw: still said
    assert main(["assign", str(m), str(newer), "--out", str(tmp_path / "s2.csv")]) == 0
    assert "1 column the map does not use is ignored: 'note'" in capsys.readouterr().err


def test_a_saved_map_keeps_its_tables_columns_and_refuses_damaged_ones(tmp_path):
    import json
    import zipfile

    from somdesk.errors import FileFormatError
    from somdesk.session.scoring import load_table_map
    data = _penguins(tmp_path / "p.csv")
    m = tmp_path / "p.somz"
    assert main(["train", "--table", str(data), "--width", "3", "--height", "3", "--epochs", "1",
                 "--save-map", str(m), "-q"]) == 0
    assert load_table_map(m).table_columns == ("id", "island", "bill", "flipper", "mass")
    with zipfile.ZipFile(m) as zf:
        content = {n: zf.read(n) for n in zf.namelist()}
    meta = json.loads(content["meta.json"])
    meta["table_map"]["table_columns"] = [1, 2]
    content["meta.json"] = json.dumps(meta).encode()
    with zipfile.ZipFile(m, "w") as zf:
        for n, body in content.items():
            zf.writestr(n, body)
    with pytest.raises(FileFormatError, match="its table's columns are not a list of names"):
        load_table_map(m)


def test_a_glob_refusal_without_columns_does_not_call_every_numeric_column_used(tmp_path, capsys):
    d = tmp_path / "g"
    d.mkdir()
    (d / "a.csv").write_text("id,x,y\n1,2,3\n4,5,6\n")
    (d / "b.csv").write_text("id,x\n7,8\n9,10\n")
    assert main(["train", "--table", str(d / "*.csv"), "--save-map", str(tmp_path / "g.somz"), "--out-of-core"]) == 2
    err = capsys.readouterr().err
    assert "must hold the same numeric columns (id, x, y)" in err and "columns used" not in err


def _dated(path):
    rng = np.random.default_rng(4)
    path.write_text("a,b,year\n" + "".join(f"{rng.random():.3f},{rng.random():.3f},{2000 + i % 5}\n"
                                           for i in range(60)))
    return path


@pytest.mark.parametrize("extra", [[], ["--out-of-core", "--mode", "batch"]])
def test_metrics_json_keeps_passive_columns_apart_and_a_refused_target_says_the_map_was_saved(tmp_path, capsys,
                                                                                            extra):
    import json
    data = _dated(tmp_path / "d.csv")
    m, js = tmp_path / "m.somz", tmp_path / "m.json"
    assert main(["train", "--table", str(data), "--width", "3", "--height", "3", "--epochs", "1", "--passive", "year",
                 "--save-map", str(m), "--metrics-json", str(js), "-q", *extra]) == 0
    got = json.loads(js.read_text())
    assert got["features"] == ["a", "b"] and got["passive"] == ["year"]            # tester12 #11
    m.unlink()
    assert main(["train", "--table", str(data), "--width", "3", "--height", "3", "--epochs", "1",
                 "--save-map", str(m), "--metrics-json", "/dev/full", "-q", *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot write /dev/full") and f"(the map itself was saved to {m})" in err   # #9
    assert m.exists()


def test_a_glob_with_a_report_is_told_a_glob_trains_in_chunks(tmp_path, capsys):
    d = tmp_path / "g"
    d.mkdir()
    for k in range(2):
        _dated(d / f"p{k}.csv")
    assert main(["train", "--table", str(d / "*.csv"), "--mode", "batch", "--save-map", str(tmp_path / "g.somz"),
                 "--report", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert "a glob (several files) is trained in chunks" in err and "--out-of-core or --dask" not in err   # #5


@pytest.mark.parametrize("where,near", [("a >", '">"'), ("a > 0.5 and", '"and"')])
def test_a_where_syntax_error_quotes_only_what_the_user_typed(tmp_path, capsys, where, near):
    # tester12 #11: `mass >` was "syntax error at or near ")"", a parenthesis somdesk added
    assert main(["train", "--table", str(_dated(tmp_path / "d.csv")), "--where", where,
                 "--save-map", str(tmp_path / "m.somz")]) == 2
    err = capsys.readouterr().err
    assert f"syntax error at or near {near}" in err and '")"' not in err


def test_clusters_out_of_range_is_named_as_typed(tmp_path, capsys):
    assert main(["train", "--table", str(_dated(tmp_path / "d.csv")), "--clusters", "0",
                 "--save-map", str(tmp_path / "m.somz")]) == 2
    assert capsys.readouterr().err == "error: --clusters must be a whole number from 1, got 0\n"


def test_a_dash_output_is_standard_output_for_every_writer(tmp_path, monkeypatch):
    # tester12 #4: `quantize IN -` wrote a file named "-" (and so did `train --out -`)
    import io
    import sys
    src = tmp_path / "in.png"
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (8, 8, 3), dtype=np.uint8)).save(src)
    monkeypatch.chdir(tmp_path)
    for job in (["quantize", str(src), "-", "--colors", "4"],
                ["train", "--random", "10", "--width", "3", "--height", "3", "--epochs", "1", "--out", "-"]):
        raw = io.BytesIO()
        monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="utf-8"))
        assert main(job) == 0
        sys.stdout.flush()
        assert raw.getvalue().startswith(b"\x89PNG\r\n\x1a\n"), job
        assert not (tmp_path / "-").exists(), job


def test_quantize_json_with_a_dash_output_is_refused(tmp_path, capsys):
    src = tmp_path / "in.png"
    Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(src)
    assert main(["quantize", str(src), "-", "--json"]) == 2
    assert "--json prints to standard output, where the picture goes" in capsys.readouterr().err
