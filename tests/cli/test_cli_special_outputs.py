"""Every CLI output flag writes through devices and FIFOs, follows links, cleans stale temporaries (issue 10 item 2)."""
import io
import json
import os
import stat
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from somdesk.cli import main

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "palettes" / "gpl_rgba.gpl"
ROOT_ONLY = pytest.mark.skipif(not (hasattr(os, "mknod") and hasattr(os, "geteuid") and os.geteuid() == 0),
                               reason="making device nodes needs root")
POSIX = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")

# flag -> file name (the extension picks the format where it matters)
OUTPUTS = {"--out": "map.png", "--metrics-json": "metrics.json", "--save-weights": "w.npy",
           "--save-map": "m.somz", "--timelapse": "run.gif"}
TRAIN = ["train", "--random", "6", "--width", "5", "--height", "4", "--iterations", "4", "--seed", "1",
         "--scale", "2", "-q"]


def train_to(paths: dict) -> int:
    args = list(TRAIN)
    for flag, path in paths.items():
        args += [flag, str(path)]
    return main(args)


def mknod_like(path: Path, like: str) -> Path:
    os.mknod(path, stat.S_IFCHR | 0o666, os.stat(like).st_rdev)
    try:
        open(path, "wb").close()
    except OSError as exc:
        pytest.skip(f"device nodes cannot be opened here: {exc}")
    return path


def is_device_like(path: Path, like: str) -> bool:
    st = os.lstat(path)
    return stat.S_ISCHR(st.st_mode) and st.st_rdev == os.stat(like).st_rdev


def check_content(flag: str, data: bytes) -> None:
    """`data` is a complete, valid output of `flag`."""
    if flag == "--out":
        assert Image.open(io.BytesIO(data)).size[0] == 10
    elif flag == "--metrics-json":
        assert json.loads(data)["width"] == 5
    elif flag == "--save-weights":
        assert np.load(io.BytesIO(data)).shape == (4, 5, 3)
    elif flag == "--save-map":     # a map streamed through a pipe reopens like any other
        import tempfile

        from somdesk.io.mapfile import load_map
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "m.somz").write_bytes(data)
            assert load_map(Path(folder) / "m.somz").som.weights.shape == (4, 5, 3)
    elif flag == "--timelapse":
        assert Image.open(io.BytesIO(data)).format == "GIF"


@ROOT_ONLY
def test_every_output_flag_writes_through_a_copy_of_dev_null(tmp_path, capsys):
    paths = {flag: mknod_like(tmp_path / name, "/dev/null") for flag, name in OUTPUTS.items()}
    assert train_to(paths) == 0, capsys.readouterr().err
    for path in paths.values():
        assert is_device_like(path, "/dev/null"), path
    assert sorted(os.listdir(tmp_path)) == sorted(OUTPUTS.values())


@ROOT_ONLY
def test_out_may_be_a_device_without_the_png_extension(tmp_path, capsys):
    dev = mknod_like(tmp_path / "null", "/dev/null")
    assert train_to({"--out": dev}) == 0, capsys.readouterr().err
    assert is_device_like(dev, "/dev/null")


@ROOT_ONLY
@pytest.mark.parametrize("flag", list(OUTPUTS))
def test_a_device_that_refuses_the_data_is_one_line_exit_2(tmp_path, capsys, flag):
    dev = mknod_like(tmp_path / OUTPUTS[flag], "/dev/full")
    assert train_to({flag: dev}) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "the disk is full" in err[0], err
    assert is_device_like(dev, "/dev/full")


class Reader(threading.Thread):
    def __init__(self, path):
        super().__init__(daemon=True)
        self.path, self.data = path, b""

    def run(self):
        with open(self.path, "rb") as f:
            self.data = f.read()


@POSIX
def test_every_output_flag_writes_through_a_fifo_to_its_reader(tmp_path, capsys):
    paths, readers = {}, {}
    for flag, name in OUTPUTS.items():
        paths[flag] = tmp_path / name
        os.mkfifo(paths[flag])
        readers[flag] = Reader(paths[flag])
        readers[flag].start()
    assert train_to(paths) == 0, capsys.readouterr().err
    for flag, reader in readers.items():
        reader.join(10)
        assert not reader.is_alive()
        check_content(flag, reader.data)
        assert stat.S_ISFIFO(os.lstat(paths[flag]).st_mode)
    assert sorted(os.listdir(tmp_path)) == sorted(OUTPUTS.values())


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_every_output_flag_updates_the_target_of_a_link(tmp_path, capsys):
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    paths = {}
    for flag, name in OUTPUTS.items():
        (real_dir / name).write_bytes(b"old")
        paths[flag] = tmp_path / name
        os.symlink(os.path.join("real", name), paths[flag])
    assert train_to(paths) == 0, capsys.readouterr().err
    for flag, name in OUTPUTS.items():
        assert paths[flag].is_symlink()
        check_content(flag, (real_dir / name).read_bytes())
    assert sorted(os.listdir(real_dir)) == sorted(OUTPUTS.values())


def test_a_cli_save_removes_100_stale_temporaries_left_by_killed_saves(tmp_path, capsys):
    for i in range(100):
        stale = tmp_path / f".m.somz.k{i:07d}.tmp"
        stale.write_bytes(b"PK half a map")
        t = time.time() - 60
        os.utime(stale, (t, t))
    assert train_to({"--save-map": tmp_path / "m.somz"}) == 0, capsys.readouterr().err
    assert os.listdir(tmp_path) == ["m.somz"]


# -- palette convert goes through the same path ----------------------------------------------
@ROOT_ONLY
def test_palette_convert_writes_through_a_device(tmp_path, capsys):
    dev = mknod_like(tmp_path / "out.gpl", "/dev/null")
    assert main(["palette", "convert", str(FIXTURE), str(dev)]) == 0, capsys.readouterr().err
    assert is_device_like(dev, "/dev/null")


@POSIX
def test_palette_convert_writes_through_a_fifo(tmp_path, capsys):
    fifo = tmp_path / "out.gpl"
    os.mkfifo(fifo)
    reader = Reader(fifo)
    reader.start()
    assert main(["palette", "convert", str(FIXTURE), str(fifo)]) == 0, capsys.readouterr().err
    reader.join(10)
    assert reader.data.startswith(b"GIMP Palette") and stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_palette_convert_through_a_link_keeps_the_link(tmp_path, capsys):
    real = tmp_path / "real.gpl"
    real.write_bytes(b"old")
    link = tmp_path / "out.gpl"
    link.symlink_to(real)
    assert main(["palette", "convert", str(FIXTURE), str(link)]) == 0, capsys.readouterr().err
    assert link.is_symlink() and real.read_bytes().startswith(b"GIMP Palette")


# -- outputs that can never be saved are refused before training ------------------------------
@pytest.fixture
def no_training(monkeypatch):
    from somdesk.core import som as som_module
    calls = []
    monkeypatch.setattr(som_module.SOM, "train", lambda self, *a, **k: calls.append(1) or self)
    return calls


def _unsaveable(tmp_path, kind, name):
    """(the path to give, an object to close afterwards) for an output that can never be saved."""
    target = tmp_path / name
    if kind == "folder":
        target.mkdir()
    elif kind == "socket":
        import socket
        s = socket.socket(socket.AF_UNIX)
        s.bind(str(target))
        return target, s
    elif kind == "loop":
        os.symlink(target, target)
    elif kind == "missing-folder":
        target = tmp_path / "nope" / name
    elif kind == "through-a-file":
        (tmp_path / "file").write_bytes(b"")
        target = tmp_path / "file" / name
    return target, None


@pytest.mark.parametrize("flag", list(OUTPUTS))
@pytest.mark.parametrize("kind,needle", [("folder", "folder"), ("socket", "socket"), ("loop", "loop"),
                                         ("missing-folder", "does not exist"),
                                         ("through-a-file", "not a folder")])
def test_an_output_that_cannot_be_saved_is_refused_before_training(tmp_path, capsys, no_training, flag, kind,
                                                                   needle):
    target, keep = _unsaveable(tmp_path, kind, OUTPUTS[flag])
    try:
        rc = train_to({flag: target})
        err = capsys.readouterr().err.strip().splitlines()
        assert rc == 2 and len(err) == 1 and needle in err[0], err
        assert no_training == []
    finally:
        if keep is not None:
            keep.close()
