"""tester7's CLI findings (#2, #4, #5, #6, #10, #11): one `error:` line and exit 2 before any
work, for output names that are empty, shared by two outputs or ask for a format the command does
not write; disk full in the writer's words; options that do not apply; a mistyped subcommand."""
import os
import resource
import signal
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from somdesk.cli import main

TRAIN = ["train", "--random", "20", "--seed", "7", "--width", "6", "--height", "6", "--iterations", "3"]


def _one_error(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: "), err
    return err[0]


@pytest.mark.parametrize("flag", ["--out", "--save-map", "--save-weights", "--metrics-json", "--timelapse"])
def test_an_empty_output_name_is_an_error_not_no_output(capsys, flag):
    # it trained, printed its summary and exited 0 with nothing written
    assert main(TRAIN + [flag, ""]) == 2
    assert _one_error(capsys) == f"error: {flag}: no file name given"


def test_empty_output_names_of_the_table_commands(tmp_path, capsys):
    t = tmp_path / "t.csv"
    pd.DataFrame({"a": np.arange(30.0), "b": np.arange(30.0) % 7}).to_csv(t, index=False)
    assert main(["train", "--table", str(t), "--save-map", ""]) == 2
    assert _one_error(capsys) == "error: --save-map: no file name given"
    m = tmp_path / "m.somz"
    assert main(["train", "--table", str(t), "--save-map", str(m), "--width", "2", "--height", "2",
                 "--epochs", "2", "-q"]) == 0
    for extra in (["--out", ""], ["--out", "  "]):
        assert main(["assign", str(m), str(t)] + extra) == 2
        assert "--out: no file name given" in _one_error(capsys)


def test_two_outputs_with_one_name_are_refused_before_training(tmp_path, capsys):
    same = tmp_path / "same.png"
    assert main(TRAIN + ["--out", str(same), "--timelapse", str(same)]) == 2
    assert "--out and --timelapse name the same file" in _one_error(capsys)
    assert not same.exists()
    link = tmp_path / "link.somz"
    os.symlink(tmp_path / "map.somz", link)              # another spelling of one file
    assert main(TRAIN + ["--save-map", str(tmp_path / "map.somz"), "--metrics-json", str(link)]) == 2
    assert "name the same file" in _one_error(capsys)
    # a device is written through: two outputs may both go to /dev/null
    assert main(TRAIN + ["--save-weights", "/dev/null", "--metrics-json", "/dev/null", "-q"]) == 0


@pytest.mark.parametrize("name", ["x.xlsx", "x.json", "x"])
def test_scores_are_csv_or_parquet_by_name(tmp_path, capsys, name):
    # assign --out x.xlsx wrote CSV text under that name (tester7 #10, tester3 F10)
    t = tmp_path / "t.csv"
    pd.DataFrame({"a": np.arange(30.0), "b": np.arange(30.0) % 7}).to_csv(t, index=False)
    m = tmp_path / "m.somz"
    assert main(["train", "--table", str(t), "--save-map", str(m), "--width", "2", "--height", "2",
                 "--epochs", "2", "-q"]) == 0
    capsys.readouterr()
    assert main(["assign", str(m), str(t), "--out", str(tmp_path / name)]) == 2
    assert "--out writes the scores as CSV or Parquet" in _one_error(capsys)
    assert main(["train", "--table", str(t), "--save-map", str(m), "--assignments", str(tmp_path / name)]) == 2
    assert "--assignments writes the scores as CSV or Parquet" in _one_error(capsys)
    assert not (tmp_path / name).exists()
    for ok in ("s.csv", "s.parquet"):
        assert main(["assign", str(m), str(t), "--out", str(tmp_path / ok), "-q"]) == 0


def test_disk_full_on_save_weights_is_said_in_the_writers_words(tmp_path):
    # numpy's "problem writing element 2560 to file": the file size limit stands in for a full disk
    def limited():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
    out = tmp_path / "w.npy"
    job = [sys.executable, "-m", "somdesk", "train", "--random", "20", "--seed", "7", "--width", "60",
           "--height", "60", "--iterations", "2"]
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    # the same job once without the limit, so a cold numba cache is written before the limit
    # applies (its files are larger than the limit); only the weights file may then meet it
    warm = tmp_path.parent / (tmp_path.name + "-warm")
    warm.mkdir()
    subprocess.run(job + ["--save-weights", str(warm / "w.npy")], capture_output=True, timeout=300, env=env)
    r = subprocess.run(job + ["--save-weights", str(out)],
                       preexec_fn=limited, capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "the file is larger than the system allows" in lines[0] and "element" not in lines[0], lines
    assert not out.exists() and not list(tmp_path.iterdir())            # no partial file, no temporary


def test_reading_options_that_do_not_apply_are_refused(tmp_path, capsys):
    t = tmp_path / "t.csv"
    pd.DataFrame({"a": np.arange(5.0)}).to_csv(t, index=False)
    assert main(["table", "info", str(t), "--sheet", "3"]) == 2
    assert "t.csv is a text table, not a spreadsheet" in _one_error(capsys)
    x = tmp_path / "t.xlsx"
    pd.DataFrame({"a": np.arange(5.0)}).to_excel(x, index=False)
    assert main(["table", "info", str(x), "--delimiter", ";"]) == 2
    assert "delimiter option(s) are for text tables" in _one_error(capsys)
    assert main(["table", "info", str(x), "--sheet", "0"]) == 0


def test_a_mistyped_subcommand_is_named(capsys, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert main(["palete", "info", "x.gpl"]) == 2
    assert _one_error(capsys) == ("error: unknown command 'palete' (train, palette, quantize, table, assign); "
                                  "did you mean 'palette'?")
    assert main(["--width", "5"]) == 2                   # before "no display to open the window on"
    assert "go with --smoke-test" in _one_error(capsys)


def test_a_failing_convert_prints_no_warning_before_its_error(tmp_path, capsys):
    # tester7 #2: the ACT "no names" warning came before "at most 256 colours"
    pal = tmp_path / "big.gpl"
    pal.write_text("GIMP Palette\nName: big\n#\n" + "".join(f"{i % 256} {i // 256} 0 c{i}\n" for i in range(300)))
    assert main(["palette", "convert", str(pal), str(tmp_path / "x.act")]) == 2
    assert "at most 256" in _one_error(capsys)


def test_a_table_whose_name_is_not_utf8_is_read(tmp_path, capsys, monkeypatch):
    # tester7 #20: "Python Conversion Failure: cannot encode str as UTF-8" from the engine
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))        # the links' folders land here
    d = tmp_path / "data"
    d.mkdir()
    df = pd.DataFrame({"a": np.arange(40.0), "b": (np.arange(40.0) * 7) % 11, "r": list("xyzw") * 10})
    t = os.path.join(str(d), os.fsdecode(b"tab\xff.csv"))
    df.to_csv(t, index=False)
    p = os.path.join(str(d), os.fsdecode(b"p\xfe.parquet"))
    df.to_parquet(d / "tmp.parquet")
    os.rename(d / "tmp.parquet", p)
    assert main(["table", "info", t]) == 0 and main(["table", "info", p]) == 0
    assert "40 rows" in capsys.readouterr().out
    m = str(tmp_path / "m.somz")
    assert main(["train", "--table", t, "--columns", "a,b,r", "--width", "2", "--height", "2", "--epochs", "2",
                 "--save-map", m, "-q"]) == 0
    assert main(["train", "--table", p, "--columns", "a,b,r", "--width", "2", "--height", "2", "--epochs", "2",
                 "--out-of-core", "--save-map", str(tmp_path / "o.somz"), "-q"]) == 0
    assert main(["assign", m, t, "--out", str(tmp_path / "s1.csv"), "-q"]) == 0
    assert main(["assign", m, str(d / "*.*"), "--out", str(tmp_path / "s2.csv")]) == 2
    assert "mixes Parquet and text files" in _one_error(capsys)                  # not "Error when sniffing"
    df.to_csv(os.path.join(str(d), os.fsdecode(b"two\xfe.csv")), index=False)
    assert main(["assign", m, str(d / "*.csv"), "--out", str(tmp_path / "s2.csv"), "-q"]) == 0
    capsys.readouterr()
    assert len((tmp_path / "s2.csv").read_text().splitlines()) == 81               # both files, every row
    assert not list(scratch.glob("somdesk-name-*"))                                # the links are gone


def _somdesk(args, **kw):
    return subprocess.run([sys.executable, "-m", "somdesk", *args], timeout=300,
                          env={**os.environ, "PYTHONPATH": os.getcwd()}, **kw)


def test_a_picture_written_to_stdout_gets_no_summary_in_its_bytes(tmp_path):
    # tester7 #22: `train --out /dev/stdout | cat > t.png` ended with the summary line after IEND
    job = ["train", "--random", "5", "--width", "5", "--height", "5", "--iterations", "5", "--out", "/dev/stdout"]
    r = _somdesk(job, capture_output=True)                                      # a pipe
    assert r.returncode == 0 and r.stdout[:8] == b"\x89PNG\r\n\x1a\n" and r.stdout.endswith(b"IEND\xaeB`\x82")
    assert b"trained a map of 5 rows x 5 columns" in r.stderr
    out = tmp_path / "t.png"
    with open(out, "wb") as f:                                                   # stdout redirected to a file
        r = _somdesk(job, stdout=f, stderr=subprocess.PIPE)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.read_bytes().endswith(b"IEND\xaeB`\x82")
    r = _somdesk(job + ["--metrics-json", "-"], capture_output=True)
    assert r.returncode == 2 and r.stdout == b""
    assert b"--out and --metrics-json both write to standard output" in r.stderr


def test_train_picks_a_palette_of_a_collection_and_says_which(tmp_path, capsys):
    # tester7 #28: a collection trained on its first palette without a word; no --index
    coll = tmp_path / "coll3.json"
    coll.write_text('{"Sunset": ["#ff0000", "#ff8800"], "Ocean": ["#0000ff", "#00ffff", "#008888"], '
                    '"Forest": ["#00ff00", "#004400"]}')
    job = ["train", "--palette", str(coll), "--width", "3", "--height", "3", "--iterations", "2", "--metrics-json", "-"]
    assert main(job) == 0
    out = capsys.readouterr()
    assert '"inputs": 2' in out.out
    assert "coll3.json holds 3 palettes; training on index 0 (Sunset) (choose another with --index K)" in out.err
    assert main(job + ["--index", "1", "-q"]) == 0
    out = capsys.readouterr()
    assert '"inputs": 3' in out.out and out.err == ""                      # -q: errors only
    assert main(job + ["--index", "5"]) == 2
    assert "index 5 is out of range (use 0..2)" in _one_error(capsys)
    assert main(TRAIN + ["--index", "1"]) == 2
    assert "goes with --palette" in _one_error(capsys)


def test_quiet_silences_the_warnings_of_assign(tmp_path, capsys):
    t = tmp_path / "t.csv"
    pd.DataFrame({"a": np.arange(30.0), "b": np.arange(30.0) % 7, "note": ["x"] * 30}).to_csv(t, index=False)
    m = tmp_path / "m.somz"
    trained = tmp_path / "trained.csv"         # without 'note': a column of its own table is not warned about
    pd.read_csv(t).drop(columns="note").to_csv(trained, index=False)
    assert main(["train", "--table", str(trained), "--columns", "a,b", "--save-map", str(m), "--width", "2",
                 "--height", "2", "--epochs", "2", "-q"]) == 0
    capsys.readouterr()
    assert main(["assign", str(m), str(t), "--out", str(tmp_path / "s.csv"), "-q"]) == 0
    assert capsys.readouterr().err == ""
    assert main(["assign", str(m), str(t), "--out", str(tmp_path / "s.csv")]) == 0
    assert "does not use is ignored: 'note'" in capsys.readouterr().err
