"""testerC #11's wording: what the command line says names what the user typed and what is wrong."""
from __future__ import annotations

import json
import os
import re

import pytest

from somdesk.cli import main

from test_testerC_cli import files  # noqa: F401  (the fixture)


def _err(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


@pytest.mark.parametrize("argv", [["table", "info", "/dev/zero"], ["palette", "info", "/dev/zero"],
                                  ["assign", "/dev/zero", "{t}", "--out", "{tmp}/s.csv"],
                                  ["assign", "{m}", "/dev/zero", "--out", "{tmp}/s.csv"]])
def test_a_device_is_named_as_typed(files, tmp_path, capsys, argv):
    argv = [a.format(t=files / "t.csv", m=files / "m.somz", tmp=tmp_path) for a in argv]
    assert main(argv) == 2
    err = _err(capsys)
    assert "/dev/zero: it is a device" in err, err


def test_a_name_that_is_not_utf8_is_shown_as_ls_does(tmp_path, capsys):
    bad = os.path.join(str(tmp_path), os.fsdecode(b"bad\xffmissing.csv"))
    assert main(["table", "info", bad]) == 2
    err = _err(capsys)
    assert "bad\\xffmissing.csv" in err and "udcff" not in err and "'" not in err, err


def test_a_folder_that_takes_no_files_is_said(files, capsys):
    if not os.path.isdir("/proc/self"):
        pytest.skip("no /proc")
    assert main(["assign", str(files / "m.somz"), str(files / "t.csv"), "--out", "/proc/version.csv"]) == 2
    err = _err(capsys)
    assert "the folder /proc does not let files be created in it" in err and "no such file" not in err, err


@pytest.mark.parametrize("argv,help_", [(["train", "--bogus"], "somdesk train --help"),
                                        (["assign", "--bogus"], "somdesk assign --help"),
                                        (["train", "--table", "x.csv", "--bogus"], "somdesk train --table FILE --help"),
                                        (["palette", "info"], "somdesk palette info --help")])
def test_a_usage_error_points_at_the_subcommand_help(capsys, argv, help_):
    assert main(argv) == 2
    assert f"(see '{help_}')" in _err(capsys)


def test_a_huge_seed_is_said_back_as_typed(capsys):
    assert main(["train", "--random", "3", "--seed", "99999999999999999999"]) == 2
    assert "got 99999999999999999999" in _err(capsys)


def test_standard_output_is_named_so(files, capsys):
    assert main(["palette", "convert", str(files / "p.gpl"), "-", "--format", "hex"]) == 0
    err = capsys.readouterr().err
    assert "to standard output" in err and not re.search(r"\bto -", err), err


def test_view_choices_in_help_and_readme_agree(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    choices = re.search(r"--view \{([a-z,]+)\}", capsys.readouterr().out).group(1).split(",")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    readme = open(os.path.join(root, "README.md"), encoding="utf-8").read()
    said = re.search(r"--view umatrix .*# ([a-z |]+)\n", readme).group(1)
    assert [w.strip() for w in said.split("|")] == choices


def test_info_json_indents_alike(files, capsys):
    assert main(["table", "info", str(files / "t.csv"), "--json"]) == 0
    table = capsys.readouterr().out
    assert main(["palette", "info", str(files / "p.gpl"), "--json"]) == 0
    palette = capsys.readouterr().out
    indent = lambda text: re.search(r"\n( +)\"", text).group(1)
    assert indent(table) == indent(palette) == "  "
    json.loads(table), json.loads(palette)


def test_the_window_names_a_device_and_a_folder_truly(tmp_path):
    """testerW #8: the window's Save as /dev/full said "cannot save to full", a folder given as
    "dir/" "cannot save to ''"; its Open of /dev/zero "cannot read zero"."""
    from somdesk.errors import SomdeskError
    from somdesk.io.atomic import check_document_target
    from somdesk.io.names import stat_input

    with pytest.raises(SomdeskError, match=r"^cannot save to /dev/full: it is a device"):
        check_document_target("/dev/full")
    (tmp_path / "dir").mkdir()
    with pytest.raises(SomdeskError, match=r"^cannot save to dir: it is a folder"):
        check_document_target(str(tmp_path / "dir") + "/")
    with pytest.raises(SomdeskError, match=r"^cannot read /dev/zero: it is a device"):
        stat_input("/dev/zero")
    if os.path.isdir("/proc/self"):
        from somdesk.io.atomic import atomic_write_bytes
        with pytest.raises(SomdeskError, match="the folder /proc does not let files be created in it"):
            atomic_write_bytes("/proc/x.somz", b"x")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("argv", [["table", "info", "{t}"], ["palette", "info", "{p}", "--json"],
                                  ["assign", "{m}", "{t}"],
                                  ["train", "--random", "3", "--width", "2", "--height", "2", "--iterations", "1",
                                   "--metrics-json", "-"]])
def test_a_full_standard_output_is_one_error_line(files, argv):
    """The lead's 1a: `> /dev/full` (a full disk behind standard output) gave a traceback, exit 1,
    for every command printing to standard output itself."""
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    argv = [a.format(t=files / "t.csv", m=files / "m.somz", p=files / "p.gpl") for a in argv]
    with open("/dev/full", "w") as full:
        r = subprocess.run([sys.executable, "-m", "somdesk", *argv], stdout=full, stderr=subprocess.PIPE, text=True,
                           env=env, timeout=300)
    assert r.returncode == 2 and r.stderr == "error: cannot write - (standard output): the disk is full\n", r.stderr
