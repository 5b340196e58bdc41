"""Saving never replaces what is not a regular file; links are followed; stale temporaries go (issue 10 item 2)."""
import errno
import os
import socket
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from somdesk.errors import SomdeskError
from somdesk.io import atomic, stale_temporaries
from somdesk.io.atomic import atomic_open, atomic_write_bytes, remove_stale_temporaries

ROOT = Path(__file__).resolve().parents[2]
posix = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX special files")


def can_mknod() -> bool:
    return hasattr(os, "mknod") and hasattr(os, "geteuid") and os.geteuid() == 0


root_only = pytest.mark.skipif(not can_mknod(), reason="making device nodes needs root")


def char_device(path: Path, like: str = "/dev/null") -> Path:
    """A copy of `like` (same major/minor numbers) at `path`."""
    st = os.stat(like)
    os.mknod(path, stat.S_IFCHR | 0o666, st.st_rdev)
    try:
        with open(path, "wb"):
            pass
    except OSError as exc:          # a filesystem mounted nodev
        pytest.skip(f"device nodes cannot be opened here: {exc}")
    return path


def assert_still_device(path: Path, like: str = "/dev/null"):
    st = os.lstat(path)
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == os.stat(like).st_rdev


class FifoReader(threading.Thread):
    """Opens `path` for reading (after `delay` s) and collects everything written to it."""

    def __init__(self, path, delay=0.0, stop_after=None):
        super().__init__(daemon=True)
        self.path, self.delay, self.stop_after = path, delay, stop_after
        self.data = b""

    def run(self):
        time.sleep(self.delay)
        with open(self.path, "rb") as f:
            if self.stop_after is not None:
                self.data = f.read(self.stop_after)
                return
            while chunk := f.read(65536):
                self.data += chunk


def leftovers(folder: Path, keep):
    return sorted(set(os.listdir(folder)) - set(keep))


# -- character devices -------------------------------------------------------------------
@root_only
@pytest.mark.parametrize("mode", ["wb", "w"])
def test_a_copy_of_dev_null_is_written_through_not_replaced(tmp_path, mode):
    dev = char_device(tmp_path / "null.json")
    with atomic_open(dev, mode) as f:
        f.write(b"x" * 100_000 if mode == "wb" else "{}\n")
    assert_still_device(dev)
    assert leftovers(tmp_path, ["null.json"]) == []


@root_only
def test_a_copy_of_dev_full_is_a_clear_error_and_stays_a_device(tmp_path):
    dev = char_device(tmp_path / "full.png", "/dev/full")
    with pytest.raises(SomdeskError, match="full.png.*the disk is full"):
        atomic_write_bytes(dev, b"x" * 10_000)
    assert_still_device(dev, "/dev/full")
    assert leftovers(tmp_path, ["full.png"]) == []


@root_only
def test_a_symlink_to_a_device_is_written_through(tmp_path):
    dev = char_device(tmp_path / "null")
    link = tmp_path / "out.png"
    link.symlink_to(dev)
    atomic_write_bytes(link, b"data")
    assert link.is_symlink() and os.readlink(link) == str(dev)
    assert_still_device(dev)


def test_dev_stdout_writes_to_our_stdout_even_when_it_is_a_pipe(tmp_path):
    if not os.path.exists("/dev/stdout"):
        pytest.skip("no /dev/stdout")
    code = "from somdesk.io.atomic import atomic_write_bytes; atomic_write_bytes('/dev/stdout', b'hello pipe')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert out.returncode == 0, out.stderr
    assert out.stdout == b"hello pipe"


# -- FIFOs --------------------------------------------------------------------------------
@posix
@pytest.mark.parametrize("size", [10, 3_000_000])   # 3 MB: far more than a pipe holds, so writes block
def test_a_fifo_is_written_through_to_its_reader(tmp_path, size):
    fifo = tmp_path / "w.npy"
    os.mkfifo(fifo)
    reader = FifoReader(fifo, delay=0.2)
    reader.start()
    payload = bytes(range(256)) * (size // 256) + b"end"
    atomic_write_bytes(fifo, payload)
    reader.join(10)
    assert not reader.is_alive() and reader.data == payload
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert leftovers(tmp_path, ["w.npy"]) == []


@posix
def test_a_fifo_nobody_reads_is_a_clear_error_after_a_bounded_wait(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "FIFO_WAIT", 0.3)
    fifo = tmp_path / "m.json"
    os.mkfifo(fifo)
    t0 = time.monotonic()
    with pytest.raises(SomdeskError, match="no process opened it for reading"):
        atomic_write_bytes(fifo, b"{}")
    assert time.monotonic() - t0 < 3
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@posix
def test_a_reader_that_goes_away_is_a_clear_error(tmp_path):
    fifo = tmp_path / "m.gif"
    os.mkfifo(fifo)
    reader = FifoReader(fifo, stop_after=10)
    reader.start()
    with pytest.raises(SomdeskError, match="m.gif"):
        atomic_write_bytes(fifo, b"x" * 5_000_000)
    reader.join(5)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


# -- refused kinds ------------------------------------------------------------------------
@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="needs unix sockets")
def test_a_socket_is_refused_and_kept(tmp_path):
    path = tmp_path / "s.png"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))
        with pytest.raises(SomdeskError, match="socket"):
            atomic_write_bytes(path, b"x")
        assert stat.S_ISSOCK(os.lstat(path).st_mode)


@root_only
def test_a_block_device_is_refused_before_anything_is_opened(tmp_path):
    path = tmp_path / "disk.somz"
    os.mknod(path, stat.S_IFBLK | 0o600, os.makedev(7, 250))   # a loop device number; never opened
    with pytest.raises(SomdeskError, match="block device"):
        atomic_write_bytes(path, b"x")
    assert stat.S_ISBLK(os.lstat(path).st_mode)


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(SomdeskError, match="folder"):
        atomic_write_bytes(tmp_path, b"x")


# -- symbolic links -------------------------------------------------------------------------
@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_chain_of_relative_links_into_another_folder_updates_the_final_target(tmp_path):
    (tmp_path / "sync").mkdir()
    (tmp_path / "work").mkdir()
    real = tmp_path / "sync" / "palette.gpl"
    real.write_bytes(b"old")
    os.chmod(real, 0o640)
    os.symlink("palette.gpl", tmp_path / "sync" / "alias.gpl")            # relative, same folder
    os.symlink("../sync/alias.gpl", tmp_path / "work" / "p.gpl")          # relative, other folder
    atomic_write_bytes(tmp_path / "work" / "p.gpl", b"new")
    assert (tmp_path / "work" / "p.gpl").is_symlink() and (tmp_path / "sync" / "alias.gpl").is_symlink()
    assert real.read_bytes() == b"new" and stat.S_IMODE(os.stat(real).st_mode) == 0o640
    assert leftovers(tmp_path / "sync", ["palette.gpl", "alias.gpl"]) == []
    assert leftovers(tmp_path / "work", ["p.gpl"]) == []


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_dangling_link_gets_its_target_created(tmp_path):
    link = tmp_path / "m.somz"
    link.symlink_to(tmp_path / "real.somz")
    atomic_write_bytes(link, b"data")
    assert link.is_symlink() and (tmp_path / "real.somz").read_bytes() == b"data"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_link_loop_is_a_clear_error(tmp_path):
    os.symlink(tmp_path / "b", tmp_path / "a")
    os.symlink(tmp_path / "a", tmp_path / "b")
    with pytest.raises(SomdeskError, match="loop"):
        atomic_write_bytes(tmp_path / "a", b"x")
    assert (tmp_path / "a").is_symlink() and (tmp_path / "b").is_symlink()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_failed_save_through_a_link_keeps_link_and_target(tmp_path):
    real = tmp_path / "real.bin"
    real.write_bytes(b"old")
    link = tmp_path / "link.bin"
    link.symlink_to(real)
    with pytest.raises(RuntimeError):
        with atomic_open(link) as f:
            f.write(b"half")
            raise RuntimeError("boom")
    assert link.is_symlink() and real.read_bytes() == b"old"
    assert leftovers(tmp_path, ["real.bin", "link.bin"]) == []


# -- stale temporary files ------------------------------------------------------------------
def _age(path: Path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t))


@pytest.mark.skipif(atomic.fcntl is None, reason="flock-based detection")
def test_one_save_removes_100_stale_temporaries_of_any_name_in_its_folder(tmp_path):
    for i in range(100):
        stale = tmp_path / f".{'ab'[i % 2]}{i}.somz.{i:08d}.tmp"
        stale.write_bytes(b"half a save")
        _age(stale, 60)
    keep = {".x.png.abcdefgh.tmp": "fresh (a save that may be starting)",
            ".tmp": "not our pattern", "x.abcdefgh.tmp": "no leading dot",
            ".x.ABCDEFGH.tmp": "upper case is not mkstemp's", ".x.abcdefg.tmp": "7 characters",
            ".x.abcdefgh.tmp.bak": "another suffix", "notes.txt": "a user file"}
    for name in keep:
        (tmp_path / name).write_bytes(b"keep")
        if name != ".x.png.abcdefgh.tmp":
            _age(tmp_path / name, 60)
    (tmp_path / ".d.png.abcdefgh.tmp").mkdir()                 # a folder with our pattern
    _age(tmp_path / ".d.png.abcdefgh.tmp", 60)
    os.symlink(tmp_path / "notes.txt", tmp_path / ".l.png.abcdefgh.tmp")   # a link with our pattern
    atomic_write_bytes(tmp_path / "other.png", b"new")
    assert sorted(os.listdir(tmp_path)) == sorted(list(keep) + [".d.png.abcdefgh.tmp", ".l.png.abcdefgh.tmp",
                                                                "other.png"])
    assert (tmp_path / "notes.txt").read_bytes() == b"keep"


@pytest.mark.skipif(atomic.fcntl is None, reason="flock-based detection")
def test_a_temporary_file_a_live_writer_holds_is_never_removed(tmp_path):
    path = tmp_path / "m.somz"
    with atomic_open(path) as f:                     # a save in progress (this process)
        f.write(b"first half")
        tmp = [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
        assert len(tmp) == 1
        _age(tmp_path / tmp[0], 3600)                # even when its clock says it is old
        atomic_write_bytes(tmp_path / "other.png", b"x")   # a second save into the folder
        assert (tmp_path / tmp[0]).exists()
        f.write(b" second half")
    assert path.read_bytes() == b"first half second half"


@pytest.mark.skipif(atomic.fcntl is None, reason="flock-based detection")
def test_other_users_temporaries_are_left_alone(tmp_path):
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("needs root to own a file as someone else")
    stale = tmp_path / ".p.gpl.abcdefgh.tmp"
    stale.write_bytes(b"x")
    os.chown(stale, 12345, 12345)
    _age(stale, 60)
    atomic_write_bytes(tmp_path / "p.gpl", b"new")
    assert stale.exists()


WRITER = textwrap.dedent("""
    import sys, time
    from somdesk.io.atomic import atomic_open
    with atomic_open(sys.argv[1]) as f:
        f.write(b"partial")
        f.flush()
        print("writing", flush=True)
        time.sleep(float(sys.argv[2]))
        f.write(b" done")
""")


def _writer(path, seconds):
    p = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(seconds)], stdout=subprocess.PIPE,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert p.stdout.readline().strip() == b"writing"
    return p


@pytest.mark.skipif(atomic.fcntl is None, reason="flock-based detection")
def test_killed_saves_are_cleaned_up_but_a_running_save_in_another_process_is_not(tmp_path, monkeypatch):
    monkeypatch.setattr(stale_temporaries, "STALE_MIN_AGE", 0.0)
    for i in range(3):                                   # three saves killed mid-write
        p = _writer(tmp_path / f"k{i}.somz", 60)
        p.kill()
        p.wait()
    live = _writer(tmp_path / "live.somz", 1.5)
    temps = [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
    assert len(temps) == 4
    atomic_write_bytes(tmp_path / "next.somz", b"x")
    left = [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
    assert len(left) == 1 and left[0].startswith(".live.somz.")
    assert live.wait(20) == 0
    assert (tmp_path / "live.somz").read_bytes() == b"partial done"
    assert sorted(os.listdir(tmp_path)) == ["live.somz", "next.somz"]


def test_cleanup_of_an_unreadable_or_missing_folder_is_quiet(tmp_path):
    assert remove_stale_temporaries(str(tmp_path / "missing")) == 0


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="open-file check reads /proc")
def test_a_matching_file_another_program_has_open_without_a_lock_is_left_alone(tmp_path):
    foreign = tmp_path / ".download.part.abcdefgh.tmp"
    foreign.write_bytes(b"someone else's data")
    _age(foreign, 600)
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; f = open(sys.argv[1], 'ab'); "
                               "print('open', flush=True); time.sleep(30)", str(foreign)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == b"open"
        atomic_write_bytes(tmp_path / "m.somz", b"x")
        assert foreign.exists()
    finally:
        holder.kill()
        holder.wait()
    atomic_write_bytes(tmp_path / "m.somz", b"y")       # now nobody has it open: stale
    assert not foreign.exists()
