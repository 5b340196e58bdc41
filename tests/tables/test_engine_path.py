"""Names DuckDB cannot take (not UTF-8, tester7 #20) are read through ASCII links: one helper
(io.tables.duckutil.engine_path) for a table file and for every file of a glob."""
from __future__ import annotations

import os
import shutil

import pytest

from somdesk.io.chunked_sql import engine_files
from somdesk.io.tables.duckutil import engine_path


def test_a_utf8_name_is_kept_and_no_folder_is_made(tmp_path):
    p = str(tmp_path / "caf\u00e9.csv")
    assert engine_path(p) == (p, None)
    assert engine_path(p, str(tmp_path), "x") == (p, None)


def test_links_share_one_folder_with_the_stems_given(tmp_path):
    a = os.path.join(str(tmp_path), os.fsdecode(b"a\xff.csv"))
    b = os.path.join(str(tmp_path), os.fsdecode(b"b\xfe.\xe9z"))     # extension not ASCII: left off
    for f in (a, b):
        open(f, "w").close()
    link, folder = engine_path(a)
    try:
        assert os.path.basename(link) == "table.csv" and os.path.realpath(link) == os.path.realpath(a)
        link2, same = engine_path(b, folder, "second")
        assert same == folder and os.path.basename(link2) == "second"
        assert sorted(os.listdir(folder)) == ["second", "table.csv"]
    finally:
        shutil.rmtree(folder)


def test_a_glob_links_only_its_odd_names_in_one_folder(tmp_path):
    names = ["ok.csv", os.fsdecode(b"x\xff.csv"), "ok2.csv", os.fsdecode(b"y\xfe.parquet")]
    files = [os.path.join(str(tmp_path), n) for n in names]
    for f in files:
        open(f, "w").close()
    out, shown, folder = engine_files(files)
    try:
        assert out[0] == files[0] and out[2] == files[2]
        assert [os.path.basename(out[1]), os.path.basename(out[3])] == ["file1.csv", "file3.parquet"]
        assert shown == {out[1]: files[1], out[3]: files[3]} and os.path.dirname(out[3]) == folder
        for f in out:
            f.encode("utf-8")
    finally:
        shutil.rmtree(folder)


@pytest.mark.parametrize("failing", [1, 2])
def test_a_link_that_cannot_be_made_leaves_no_folder(tmp_path, monkeypatch, failing):
    """The first or a later link failing: one FileFormatError, no folder left (review9 #2)."""
    import tempfile

    from somdesk.errors import FileFormatError
    made = []
    real = tempfile.mkdtemp
    monkeypatch.setattr(tempfile, "mkdtemp", lambda **kw: made.append(real(**kw)) or made[-1])
    calls = []

    def symlink(src, dst):
        calls.append(dst)
        if len(calls) == failing:
            raise PermissionError(1, "Operation not permitted")
        open(dst, "w").close()
    monkeypatch.setattr(os, "symlink", symlink)
    files = [os.path.join(str(tmp_path), os.fsdecode(n)) for n in (b"a\xff.csv", b"b\xff.csv")]
    with pytest.raises(FileFormatError, match="cannot make the link.*permission denied"):
        engine_files(files)
    assert len(made) == 1 and not os.path.exists(made[0])


def test_read_table_says_one_thing_when_the_link_cannot_be_made(tmp_path, monkeypatch):
    import tempfile

    from somdesk.errors import FileFormatError
    from somdesk.io.tables.table import read_table
    made = []
    real = tempfile.mkdtemp
    monkeypatch.setattr(tempfile, "mkdtemp", lambda **kw: made.append(real(**kw)) or made[-1])
    path = os.path.join(str(tmp_path), os.fsdecode(b"t\xff.csv"))
    with open(path, "w") as f:
        f.write("a,b\n1,2\n")
    monkeypatch.setattr(os, "symlink", lambda src, dst: (_ for _ in ()).throw(OSError(28, "No space left")))
    with pytest.raises(FileFormatError, match="the disk is full"):
        read_table(path)
    assert made and not any(os.path.exists(m) for m in made)
