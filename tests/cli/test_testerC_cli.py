"""testerC's CLI findings (a fresh analyst's tries, session 14).

#1/#3: every output of every subcommand is checked against the command's inputs and for a
missing folder before any work (cli_outputs.check_outputs): `train --table X --metrics-json X`
replaced the table and exited 0; `--metrics-json nodir/m.json` failed only after training.
The tests walk the parsers' output flags, so an output added later is checked too.
"""
from __future__ import annotations

import argparse
import re

import numpy as np
import pytest
from PIL import Image

from somdesk import cli
from somdesk.cli import main
from somdesk.cli_outputs import INPUT_DESTS, OUTPUT_FLAGS


def _walk(parser, words=()):
    """(subcommand words, action) for every option and positional of every subcommand."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _walk(sub, words + (name,))
        elif words:
            yield words, action


def _outputs():
    return sorted({(words, a.dest) for words, a in _walk(cli._sub_parser()) if a.dest in OUTPUT_FLAGS})


# an output file name for each output flag (its extension the one the flag asks for)
_NAMES = {"out": "o.png", "save_map": "o.somz", "save_weights": "o.npy", "metrics_json": "o.json",
          "timelapse": "o.gif", "assignments": "o.csv", "profiles": "o.csv", "top_items": "o.csv",
          "report": "o.html", "output": "o.png", "side_by_side": "c.png"}
_ASSIGN_OUT = "o.csv"          # assign --out writes scores
_PALETTE_OUT = "o.gpl"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Small inputs for every subcommand, and a table map trained on one of them."""
    d = tmp_path_factory.mktemp("inputs")
    rows = np.random.default_rng(0).random((30, 3))
    (d / "t.csv").write_text("a,b,c\n" + "".join(f"{x:.4f},{y:.4f},{z:.4f}\n" for x, y, z in rows))
    (d / "p.gpl").write_text("GIMP Palette\nName: p\n#\n255 0 0 red\n0 255 0 green\n0 0 255 blue\n")
    Image.fromarray((np.random.default_rng(1).random((8, 8, 3)) * 255).astype(np.uint8)).save(d / "i.png")
    np.save(d / "w0.npy", np.random.default_rng(2).random((3, 4, 3)))
    assert main(["train", "--table", str(d / "t.csv"), "--width", "3", "--height", "3", "--epochs", "1",
                 "--save-map", str(d / "m.somz"), "-q"]) == 0
    return d


def _command(words, d, outputs: dict) -> tuple[list[str], list]:
    """(argv, the input files it reads) for subcommand `words` writing `outputs` (dest -> path)."""
    flags = {dest: path for dest, path in outputs.items() if dest != "output"}
    opts = [x for dest, path in flags.items() for x in (OUTPUT_FLAGS[dest], str(path))]
    out = str(outputs.get("output", d / "unused"))
    if words == ("train",):
        return (["train", "--palette", str(d / "p.gpl"), "--init-weights", str(d / "w0.npy"), "--width", "4",
                 "--height", "3", "--iterations", "2", "--seed", "1", "-q", *opts], [d / "p.gpl", d / "w0.npy"])
    if words == ("train-table",):
        if "save_map" not in flags:
            opts += ["--save-map", str(d / "unused.somz")]
        return (["train", "--table", str(d / "t.csv"), "--width", "3", "--height", "3", "--epochs", "1", "-q",
                 *opts], [d / "t.csv"])
    if words == ("assign",):
        return ["assign", str(d / "m.somz"), str(d / "t.csv"), "-q", *opts], [d / "m.somz", d / "t.csv"]
    if words == ("quantize",):
        out = str(outputs.get("output", d / "unused.png"))          # quantize writes PNG only
        return (["quantize", str(d / "i.png"), out, "--map", str(d / "m.somz"), "-q", *opts],
                [d / "i.png", d / "m.somz"])
    if words in (("palette", "convert"), ("palette", "sort")):
        return ["palette", words[1], str(d / "p.gpl"), out, "-q"], [d / "p.gpl"]
    raise AssertionError(f"no test command for {' '.join(words)}: add one here")


def _name(words, dest):
    if words == ("assign",):
        return _ASSIGN_OUT
    if words[0] == "palette":
        return _PALETTE_OUT
    return _NAMES[dest]


def test_every_file_option_is_a_known_input_or_output():
    """An option naming a file is in OUTPUT_FLAGS (checked before work) or INPUT_DESTS (never
    overwritten): a new output flag cannot escape the checks below unnoticed."""
    filey = re.compile(r"FILE|^OUT|^IN$|^DATA$|^MAP|\.[a-z]+$")
    for words, a in _walk(cli._sub_parser()):
        if a.metavar and filey.search(str(a.metavar)) and a.dest != "file":    # `info FILE` writes nothing
            assert a.dest in OUTPUT_FLAGS or a.dest in INPUT_DESTS, (words, a.dest, a.metavar)


@pytest.mark.parametrize("words,dest", _outputs())
def test_no_output_may_replace_an_input(words, dest, files, tmp_path, capsys):
    """testerC #1: `train --table X --metrics-json X` wrote the metrics over the table, exit 0."""
    _, inputs = _command(words, files, {})
    for victim in inputs:
        if (dest, victim.name) == ("save_weights", "w0.npy"):
            continue                     # --init-weights = --save-weights: trained further in place
        copy = tmp_path / ("copy" + victim.suffix)       # the same file by another name: a link
        copy.symlink_to(victim)
        before = victim.read_bytes()
        for given in (victim, copy):
            argv, _ = _command(words, files, {dest: given})
            assert main(argv) == 2, argv
            err = capsys.readouterr().err
            assert "is the input file" in err and err.count("\n") == 1, err
            assert victim.read_bytes() == before
        copy.unlink()


@pytest.mark.parametrize("words,dest", _outputs())
def test_every_output_folder_is_checked_before_work(words, dest, files, tmp_path, capsys):
    """testerC #3: `--metrics-json nodir/m.json` trained and saved the map, then failed."""
    missing = tmp_path / "nodir" / _name(words, dest)
    save_map = tmp_path / "saved.somz"
    outputs = {dest: missing}
    if words == ("train-table",) and dest != "save_map":
        outputs["save_map"] = save_map
    argv, _ = _command(words, files, outputs)
    assert main(argv) == 2, argv
    err = capsys.readouterr().err
    assert "does not exist" in err and "nodir" in err, err
    assert not save_map.exists()            # refused before training: nothing written
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_smoke_test_may_not_replace_a_file_it_opens(files, tmp_path, capsys):
    """The window's --smoke-test output is an output too: not one of the FILEs it opens."""
    pic = tmp_path / "i.png"
    pic.write_bytes((files / "i.png").read_bytes())
    assert main([str(pic), "--smoke-test", str(pic)]) == 2
    assert "is the input file" in capsys.readouterr().err
    assert pic.read_bytes() == (files / "i.png").read_bytes()


def _to_file(argv, out, mode="wb"):
    """Run `python -m somdesk argv` with its standard output redirected to the file `out`
    (`> out`, or `>> out` with mode "ab"): /dev/stdout is then a regular file, not a pipe."""
    import os
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    with open(out, mode) as f:
        return subprocess.run([sys.executable, "-m", "somdesk", *argv], stdout=f, stderr=subprocess.PIPE,
                              text=True, env=env, timeout=300)


@pytest.mark.parametrize("how", ["assign", "train"])
def test_scores_to_dev_stdout_redirected_to_a_file(files, tmp_path, how):
    """testerC #5: README's `--out /dev/stdout > as.csv` was refused ("give a name ending in .csv")
    when standard output was a file; it worked through a pipe and with `-`."""
    argv = (["assign", str(files / "m.somz"), str(files / "t.csv"), "--out", "/dev/stdout"] if how == "assign" else
            ["train", "--table", str(files / "t.csv"), "--width", "3", "--height", "3", "--epochs", "1",
             "--save-map", str(tmp_path / "m.somz"), "--assignments", "/dev/stdout"])
    out = tmp_path / "scores.csv"
    r = _to_file(argv, out)
    assert r.returncode == 0, r.stderr
    lines = out.read_text().splitlines()
    assert lines[0].startswith("row,bmu_row,bmu_col") and len(lines) == 31, lines[:3]
    # `>> file`: the scores are added after what the file held, not written over it
    out.write_text("before\n")
    r = _to_file(argv, out, "ab")
    assert r.returncode == 0, r.stderr
    lines = out.read_text().splitlines()
    assert lines[0] == "before" and lines[1].startswith("row,") and len(lines) == 32


@pytest.mark.parametrize("command", ["convert", "sort"])
def test_palette_to_standard_output_with_format(files, tmp_path, command):
    """testerC #6: README's `palette convert IN -` could not choose a format ("no extension") and
    there was no way to give one: --format EXT names it, for `-`, a pipe or any other name."""
    r = _to_file(["palette", command, str(files / "p.gpl"), "-", "--format", "hex"], tmp_path / "p.txt")
    assert r.returncode == 0, r.stderr
    assert sorted((tmp_path / "p.txt").read_text().split()) == ["0000ff", "00ff00", "ff0000"]
    assert "Lospec hex" in r.stderr                   # the summary: on stderr, stdout holds the palette


def test_palette_format_is_asked_for_when_the_name_does_not_say(files, tmp_path, capsys):
    assert main(["palette", "convert", str(files / "p.gpl"), "-"]) == 2
    err = capsys.readouterr().err
    assert "--format" in err and err.count("\n") == 1, err
    assert main(["palette", "convert", str(files / "p.gpl"), str(tmp_path / "o.gpl"), "--format", "hex"]) == 2
    err = capsys.readouterr().err
    assert ".gpl" in err and "--format hex" in err and not (tmp_path / "o.gpl").exists(), err
    assert main(["palette", "convert", str(files / "p.gpl"), str(tmp_path / "o.gpl"), "--format", ".GPL"]) == 0
    assert (tmp_path / "o.gpl").read_text().startswith("GIMP Palette")


def test_table_info_json_keeps_the_readers_warnings(tmp_path, capsys):
    """testerC #7: `table info --json` dropped "not valid UTF-8 ... Latin-1 was assumed" (the
    text form says it); the JSON now has a `warnings` list, empty when there are none."""
    latin = tmp_path / "l.csv"
    latin.write_bytes("name,x\nJosé,1\nRenée,2\n".encode("latin-1"))
    assert main(["table", "info", str(latin), "--json"]) == 0
    import json
    doc = json.loads(capsys.readouterr().out)
    assert any("Latin-1" in w for w in doc["warnings"]), doc
    plain = tmp_path / "p.csv"
    plain.write_text("a,b\n1,2\n3,4\n")
    assert main(["table", "info", str(plain), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["warnings"] == []


def _refuse_writing(monkeypatch, name: str):
    """Make every atomic write of a file called `name` fail as a full disk would (`ulimit -f`)."""
    from somdesk.errors import SomdeskError
    from somdesk.io import atomic

    real = atomic.atomic_open

    def failing(path, *a, **k):
        if str(path).endswith(name):
            raise SomdeskError(f"cannot write {path}: File too large")
        return real(path, *a, **k)
    monkeypatch.setattr(atomic, "atomic_open", failing)


def test_a_late_error_names_every_output_already_written(files, tmp_path, capsys, monkeypatch):
    """testerC #8: `--report` refused (ulimit -f) said "the map itself was saved to full.somz" but
    not that --assignments full.csv was written too; `train --out a.png --timelapse full.gif`
    kept a.png without a word."""
    _refuse_writing(monkeypatch, "full.html")
    m, a = tmp_path / "full.somz", tmp_path / "full.csv"
    assert main(["train", "--table", str(files / "t.csv"), "--width", "3", "--height", "3", "--epochs", "1",
                 "--save-map", str(m), "--assignments", str(a), "--report", str(tmp_path / "full.html")]) == 2
    err = capsys.readouterr().err
    assert f"the map itself was saved to {m}" in err and str(a) in err and err.count("\n") == 1, err
    assert m.is_file() and a.is_file()
    _refuse_writing(monkeypatch, "full.gif")
    png = tmp_path / "a.png"
    assert main(["train", "--random", "5", "--width", "4", "--height", "3", "--iterations", "2", "--out", str(png),
                 "--timelapse", str(tmp_path / "full.gif")]) == 2
    err = capsys.readouterr().err
    assert "File too large" in err and f"written before it: {png}" in err and png.is_file(), err


@pytest.mark.parametrize("name,text,said", [
    ("r2.csv", "a,b\n1,2\n3,4,5,6,7,8\n5,6\n", "line 3 has 6 fields but the header has 2 (the delimiter is comma)"),
    ("r4.tsv", 'a\tb\n1\t2\n3\t4\t"x\ty"\t6\n', "line 3 has 4 fields but the header has 2 (the delimiter is tab)"),
    ("r3.csv", "a,b,c,d\n1,2,3,4\n3,4\n", "line 3 has 2 fields but the header has 4 (the delimiter is comma)"),
])
def test_a_ragged_line_is_counted_truly(tmp_path, capsys, name, text, said):
    """testerC #9: a too-long line was always "header + 1 fields" (DuckDB stops counting there);
    a tab delimiter was named "?"."""
    path = tmp_path / name
    path.write_text(text)
    assert main(["table", "info", str(path)]) == 2
    err = capsys.readouterr().err
    assert said in err, err


@pytest.mark.parametrize("out", ["-", "/dev/stdout"])
def test_a_reader_that_stops_early_ends_the_command_quietly(files, tmp_path, out):
    """testerC #10: `assign m.somz big.csv --out - | head -1` said "error: cannot write -
    (standard output): Broken pipe", exit 2; Unix tools stop quietly when the reader goes."""
    import os
    import subprocess
    import sys

    big = tmp_path / "big.csv"
    rows = np.random.default_rng(3).random((20000, 3))
    big.write_text("a,b,c\n" + "".join(f"{x:.4f},{y:.4f},{z:.4f}\n" for x, y, z in rows))
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    p = subprocess.Popen([sys.executable, "-m", "somdesk", "assign", str(files / "m.somz"), str(big), "--out", out],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert p.stdout.readline().startswith(b"row,")
    p.stdout.close()                         # `head -1` has what it wanted and goes
    err = p.stderr.read().decode()
    assert p.wait(timeout=300) == 0 and "error" not in err, err


def test_every_summary_line_goes_to_the_same_stream(files, tmp_path, capsys):
    """testerC #11: with file outputs `train` printed its summary on stdout, `quantize` and
    `assign` on stderr (`2>/dev/null` hid one and not the other): stdout for all (cli_outputs.
    print_summary), stderr only when an output takes stdout."""
    runs = [["train", "--random", "5", "--width", "4", "--height", "3", "--iterations", "2",
             "--out", str(tmp_path / "a.png")],
            ["train", "--table", str(files / "t.csv"), "--width", "3", "--height", "3", "--epochs", "1",
             "--save-map", str(tmp_path / "b.somz")],
            ["quantize", str(files / "i.png"), str(tmp_path / "c.png"), "--colors", "4"],
            ["assign", str(files / "m.somz"), str(files / "t.csv"), "--out", str(tmp_path / "d.csv")],
            ["assign", str(files / "m.somz"), str(files / "t.csv"), "--out", str(tmp_path / "e.csv"),
             "--out-of-core"],
            ["palette", "convert", str(files / "p.gpl"), str(tmp_path / "f.hex")],
            ["palette", "sort", str(files / "p.gpl"), str(tmp_path / "g.gpl")]]
    for argv in runs:
        assert main(argv) == 0, argv
        got = capsys.readouterr()
        assert got.out.strip() and all(ln.startswith("warning: ") for ln in got.err.splitlines()), (argv, got)


@pytest.mark.parametrize("chunks", [[], ["--out-of-core"]])
def test_table_metrics_hold_the_k_curve_and_say_truly_what_was_sampled(files, tmp_path, capsys, chunks):
    """testerC #12: the help promised "k curve" and there was none; out of core said
    "sampled": true, "rows_in_file": null and "TE ... (on a sample)" with all 30 rows measured."""
    import json

    assert main(["train", "--table", str(files / "t.csv"), "--width", "4", "--height", "3", "--epochs", "1",
                 "--save-map", str(tmp_path / "m.somz"), "--metrics-json", "-", *chunks]) == 0
    got = capsys.readouterr()
    m = json.loads(got.out)
    curve = m["k_curve"]
    assert curve["k"][0] == 2 and len(curve["k"]) == len(curve["davies_bouldin"]) == len(curve["silhouette"])
    assert m["suggested_k"] in curve["k"]
    assert m["rows"] == m["rows_in_file"] == 30 and m["sampled"] is False
    assert "on a sample" not in got.err


def test_a_missing_file_is_said_before_no_display(tmp_path, capsys, monkeypatch):
    """testerC #14: without a display `somdesk nosuchfile.csv` said "no display to open the
    window on"; fixing DISPLAY then showed the typo."""
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    assert main([str(tmp_path / "nosuchfile.csv")]) == 2
    err = capsys.readouterr().err
    assert "nosuchfile.csv" in err and "display" not in err and err.count("\n") == 1, err


def test_a_device_as_input_is_worded_one_way(files, tmp_path, capsys):
    """testerC #14: /dev/zero given as the input was "it is a device", "is not a regular file"
    or "not a regular file (a device, pipe or socket)" by command."""
    runs = [["table", "info", "/dev/zero"], ["palette", "info", "/dev/zero"],
            ["quantize", "/dev/zero", str(tmp_path / "o.png")],
            ["assign", "/dev/zero", str(files / "t.csv"), "--out", str(tmp_path / "s.csv")]]
    for argv in runs:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "it is a device, not a regular file" in err and err.count("\n") == 1, (argv, err)
