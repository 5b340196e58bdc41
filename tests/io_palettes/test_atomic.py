"""somdesk.io.atomic: all-or-nothing file replacement."""
import errno
import os
import stat
import sys

import pytest

from somdesk.errors import SomdeskError
from somdesk.io import atomic
from somdesk.io.atomic import atomic_open, atomic_write_bytes

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def leftovers(folder, keep):
    return sorted(set(os.listdir(folder)) - set(keep))


def test_write_new_file(tmp_path):
    target = tmp_path / "new.bin"
    atomic_write_bytes(target, b"\x00hello")
    assert target.read_bytes() == b"\x00hello"
    assert leftovers(tmp_path, ["new.bin"]) == []


def test_replace_existing_file(tmp_path):
    target = tmp_path / "p.gpl"
    target.write_bytes(b"old")
    atomic_write_bytes(str(target), b"new contents")
    assert target.read_bytes() == b"new contents"
    assert leftovers(tmp_path, ["p.gpl"]) == []


def test_exception_mid_write_keeps_old_file_byte_identical(tmp_path):
    target = tmp_path / "keep.gpl"
    original = bytes(range(256)) * 10
    target.write_bytes(original)
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_open(target) as f:
            f.write(b"partial data that must never appear")
            f.flush()
            raise RuntimeError("boom")
    assert target.read_bytes() == original
    assert leftovers(tmp_path, ["keep.gpl"]) == []


def test_keyboard_interrupt_mid_write_cleans_up(tmp_path):
    target = tmp_path / "k.bin"
    target.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_open(target) as f:
            f.write(b"x" * 100_000)
            raise KeyboardInterrupt
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path, ["k.bin"]) == []


def test_exception_before_first_write_on_new_file_leaves_nothing(tmp_path):
    with pytest.raises(ValueError):
        with atomic_open(tmp_path / "never.bin"):
            raise ValueError("no")
    assert os.listdir(tmp_path) == []


def test_text_mode(tmp_path):
    target = tmp_path / "t.txt"
    with atomic_open(target, "w", newline="\r\n") as f:
        f.write("Gr\u00fcn\n")
    assert target.read_bytes() == "Gr\u00fcn\r\n".encode("utf-8")


def test_bad_mode():
    with pytest.raises(ValueError):
        with atomic_open("x", "r"):
            pass


@pytest.mark.skipif(sys.platform.startswith("win"), reason="POSIX permissions")
def test_permissions_of_existing_file_are_kept(tmp_path):
    target = tmp_path / "perm.bin"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    atomic_write_bytes(target, b"new")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640


@pytest.mark.skipif(sys.platform.startswith("win"), reason="POSIX permissions")
def test_new_file_gets_umask_permissions_not_0600(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write_bytes(tmp_path / "fresh.bin", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "fresh.bin").st_mode) == 0o644


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_writes_through_a_symlink(tmp_path):
    real = tmp_path / "real.gpl"
    real.write_bytes(b"old")
    link = tmp_path / "link.gpl"
    os.symlink(real, link)
    atomic_write_bytes(link, b"new")
    assert os.path.islink(link)
    assert real.read_bytes() == b"new"


def test_missing_folder(tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "x.gpl"
    with pytest.raises(SomdeskError) as info:
        atomic_write_bytes(target, b"x")
    assert str(target) in str(info.value) and "does not exist" in str(info.value)


@pytest.mark.skipif(IS_ROOT or sys.platform.startswith("win"), reason="root ignores permissions")
def test_unwritable_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "x.gpl").write_bytes(b"old")
    os.chmod(folder, 0o500)
    try:
        with pytest.raises(SomdeskError) as info:
            atomic_write_bytes(folder / "x.gpl", b"new")
        assert "x.gpl" in str(info.value) and "ermission" in str(info.value)
        assert (folder / "x.gpl").read_bytes() == b"old"
    finally:
        os.chmod(folder, 0o700)


@pytest.mark.parametrize("bad", ["", "a\0b.gpl", "{tmp}/", "{tmp}", "{tmp}/" + "n" * 300])
def test_bad_names_become_somdesk_errors(tmp_path, bad):
    path = bad.format(tmp=tmp_path)
    with pytest.raises(SomdeskError) as info:
        atomic_write_bytes(path, b"x")
    assert "cannot write" in str(info.value)
    assert os.listdir(tmp_path) == []


def test_os_error_during_write_is_reported_and_cleaned_up(tmp_path, monkeypatch):
    target = tmp_path / "full.bin"
    target.write_bytes(b"old")

    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    with pytest.raises(SomdeskError) as info:
        atomic_write_bytes(target, b"new")
    assert "the disk is full" in str(info.value) and "full.bin" in str(info.value)
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path, ["full.bin"]) == []


def test_failed_rename_is_reported_and_cleaned_up(tmp_path, monkeypatch):
    target = tmp_path / "r.bin"
    target.write_bytes(b"old")

    def refuse(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(atomic.os, "replace", refuse)
    with pytest.raises(SomdeskError, match="permission denied"):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path, ["r.bin"]) == []


def test_unwritable_folder_simulated(tmp_path, monkeypatch):
    # Runs even as root (where chmod cannot make a folder unwritable).
    target = tmp_path / "x.gpl"
    target.write_bytes(b"old")

    def denied(**kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", denied)
    with pytest.raises(SomdeskError) as info:
        atomic_write_bytes(target, b"new")
    assert str(target) in str(info.value) and "permission denied" in str(info.value)
    assert target.read_bytes() == b"old"


def test_a_folder_as_the_palette_to_write_is_named_a_folder(tmp_path):
    """retest #6: Save palette as to a folder said "cannot choose a palette format from no
    extension"; the folder is what is wrong, and nothing is written inside it."""
    import numpy as np

    from somdesk.io.palettes import Palette, write_palette

    folder = tmp_path / "outdir"
    folder.mkdir()
    with pytest.raises(SomdeskError, match=r"cannot write \S*outdir: it is a folder"):   # io.atomic.check_target's words
        write_palette(Palette.from_array(np.array([[1.0, 0.0, 0.0]]), "p", None), folder)
    assert list(folder.iterdir()) == []
