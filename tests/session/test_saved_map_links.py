"""A saved map finds its table (or picture) through a link or in /dev/shm (review12 #1), and reads
the very file it checked (#11).  `latest.csv -> 2026-12-01.csv` trained and saved: the map's
fingerprint matches, so the link is followed; a map without a fingerprint does not follow a link
to a file of another name, nor does one whose fingerprint does not match.  /dev/shm is a RAM
disk of the user's files, not the system's: devices are refused as not regular files."""
from __future__ import annotations

import os
import shutil
import tempfile

import numpy as np
import pytest
from PIL import Image

from somdesk.cli import main
from somdesk.session.progress import run_to_end
from somdesk.session.table_workspace import TableWorkspace

from test_hostile_saved_maps import DROP, hostile


def _csv(path, seed=3):
    rng = np.random.default_rng(seed)
    path.write_text("a,b\n" + "".join(f"{a:.3f},{b:.3f}\n" for a, b in rng.uniform(0, 1, (60, 2))))
    return path


def _train(table, out):
    assert main(["train", "--table", str(table), "--width", "3", "--height", "3", "--epochs", "1",
                 "--seed", "1", "--save-map", str(out), "-q"]) == 0
    return out


def _open(m):
    ws = TableWorkspace()
    run_to_end(ws.open_map_task(m))
    return ws


@pytest.fixture()
def reads(monkeypatch):
    """Every path read_table is given."""
    from somdesk.io.tables import table as table_module

    seen, real_read = [], table_module.read_table
    monkeypatch.setattr(table_module, "read_table", lambda p, *a, **k: seen.append(str(p)) or real_read(p, *a, **k))
    return seen


@pytest.fixture()
def linked(tmp_path):
    """(link, target, map): data/latest.csv -> 2026-12-01.csv, a map trained through the link in maps/."""
    (tmp_path / "data").mkdir()
    (tmp_path / "maps").mkdir()
    target = _csv(tmp_path / "data" / "2026-12-01.csv")
    link = tmp_path / "data" / "latest.csv"
    os.symlink(target.name, link)
    return link, target, _train(link, tmp_path / "maps" / "m.somz")


def test_a_link_to_the_same_table_is_followed_and_the_checked_file_read(linked, reads):
    link, target, m = linked
    ws = _open(m)
    assert ws.map_note == "" and ws.table is not None
    assert reads == [os.path.realpath(target)]               # the file checked, not the link resolved again
    assert ws.table.path == str(link)                        # still named as the map names it
    ws.table.close()


def test_a_link_to_another_table_is_not_followed(linked, tmp_path, reads):
    link, _target, m = linked
    other = _csv(tmp_path / "data" / "2026-12-02.csv", seed=5)
    link.unlink()
    os.symlink(other.name, link)
    ws = _open(m)
    assert ws.table is None and reads == []
    assert "(it is a link to a file of another name, not latest.csv)" in ws.map_note, ws.map_note


def test_each_path_is_checked_once_per_open(linked, tmp_path, monkeypatch):
    # mend13: a link to another table was checked by the path rules, then checked again only for
    # the words of the note (source_of called saved_path_problem after checked_saved_path)
    from somdesk.io import fingerprint

    link, _target, m = linked
    other = _csv(tmp_path / "data" / "2026-12-02.csv", seed=5)
    link.unlink()
    os.symlink(other.name, link)
    checked, real_check = [], fingerprint.checked_saved_path
    monkeypatch.setattr(fingerprint, "checked_saved_path",
                        lambda path, *a, **k: checked.append(str(path)) or real_check(path, *a, **k))
    ws = _open(m)
    assert ws.table is None and "(it is a link to a file of another name, not latest.csv)" in ws.map_note
    assert str(link) in checked and len(checked) == len(set(checked)), checked


def test_a_map_without_fingerprint_does_not_follow_a_link_of_another_name(linked, tmp_path, reads):
    _link, _target, m = linked
    old = hostile(m, tmp_path / "old.somz", source_fingerprint=DROP)
    ws = _open(old)
    assert ws.table is None and reads == []
    assert "a link to a file of another name" in ws.map_note


def test_a_table_in_dev_shm_is_found(reads):
    if not os.path.isdir("/dev/shm") or not os.access("/dev/shm", os.W_OK):
        pytest.skip("no writable /dev/shm")
    from pathlib import Path

    d = Path(tempfile.mkdtemp(dir="/dev/shm", prefix="somdesk-test-"))
    try:
        m = _train(_csv(d / "p.csv"), d / "m.somz")
        reads.clear()                                            # the training's own read
        ws = _open(m)
        assert ws.map_note == "" and ws.table is not None and reads == [str(d / "p.csv")]
        ws.table.close()
    finally:
        shutil.rmtree(d)


def test_checked_saved_path_rules(tmp_path):
    from somdesk.io.fingerprint import checked_saved_path, file_fingerprint, saved_path_problem

    target = _csv(tmp_path / "dated.csv")
    os.symlink(target.name, tmp_path / "latest.csv")
    link, fp = str(tmp_path / "latest.csv"), file_fingerprint(target)
    assert checked_saved_path(link, "latest.csv", fp) == (str(target), None)
    assert checked_saved_path(link, "latest.csv", content_checked=True) == (str(target), None)
    assert saved_path_problem(link, "latest.csv") == "it is a link to a file of another name, not latest.csv"
    assert saved_path_problem(link, "latest.csv", {**fp, "size": fp["size"] + 1}) == \
        "it is a link to a file of another name, not latest.csv"
    assert saved_path_problem("/dev/zero", "zero", fp) == "it is a device or a pipe, not a file"
    assert saved_path_problem("/proc/self/environ", "environ") == "it is in /proc, the system's, not a table file"


def test_a_picture_map_follows_a_link_to_its_picture(picture_file, tmp_path):
    from somdesk.session import Session

    pic = tmp_path / "photo-2026.png"
    os.rename(picture_file, pic)
    os.symlink(pic.name, tmp_path / "photo.png")
    s = Session()
    s.open(tmp_path / "photo.png")
    s.update_config(width=2, height=2, iterations=2, seed=1)
    s.train()
    s.save(tmp_path / "i.somz")
    r = Session()
    r.open(tmp_path / "i.somz")
    assert r.dataset.full_size and r.dataset.pixels.shape == (90, 120, 3)     # the original, through the link
    os.unlink(tmp_path / "photo.png")
    small = np.asarray(Image.open(pic))[:89]
    Image.fromarray(small).save(tmp_path / "other.png")
    os.symlink("other.png", tmp_path / "photo.png")                           # now a picture of another size
    r2 = Session()
    r2.open(tmp_path / "i.somz")
    assert not r2.dataset.full_size and r2.dataset.pixels.shape == (90, 120, 3)   # the kept copy
