""".somz writing hears a stop part way through an array (io.somz.write_somz's `cancel`).

testerC #5: a Ctrl+C in "saving the map" of a 400,000-row table map took 5.2 s to act at load 12:
numpy wrote the 25 MB of rows in 16 MiB pieces, each one call into zlib, with no look at the stop
token between them.  The arrays now go through in WRITE_CHUNK pieces, the token checked before each.
"""
from __future__ import annotations

import io
import threading
import time
import zipfile

import numpy as np
import pytest

from somdesk.core.cancel import CancelToken
from somdesk.errors import Cancelled
from somdesk.io.somz import WRITE_CHUNK, write_somz
from tests.timing import load_scaled


def _npy(arr) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def test_members_are_the_bytes_np_save_writes(tmp_path):
    """The pieces change nothing in the file: each member is what np.save writes, for C- and
    Fortran-ordered, strided, empty and multi-piece arrays."""
    rng = np.random.default_rng(3)
    big = rng.random((WRITE_CHUNK // 8 * 3 + 5,))           # three pieces and a bit
    arrays = {"c": rng.random((7, 5)), "f": np.asfortranarray(rng.random((6, 4))),
              "strided": rng.random((9, 8))[::2, 1::3], "empty": np.zeros((0, 3)),
              "ints": np.arange(12, dtype=np.int64).reshape(3, 4), "big": big}
    path = tmp_path / "x.somz"
    write_somz(path, {"kind": "test"}, arrays, cancel=CancelToken())
    with zipfile.ZipFile(path) as zf:
        for name, arr in arrays.items():
            assert zf.read(f"{name}.npy") == _npy(arr), name


def test_a_stop_before_the_write_leaves_the_old_file(tmp_path):
    path = tmp_path / "m.somz"
    path.write_bytes(b"the old map")
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        write_somz(path, {"kind": "test"}, {"w": np.ones((4, 4))}, cancel=token)
    assert [p.name for p in tmp_path.iterdir()] == ["m.somz"]        # no temporary file left
    assert path.read_bytes() == b"the old map"


def test_a_stop_part_way_through_a_big_array_ends_the_write_within_a_piece(tmp_path):
    """A stop while a 12 MB array is deflated: Cancelled soon after, no temporary file, the old
    map as it was.  Before, numpy wrote it as one piece (16 MiB at most), one call into zlib: the
    file was finished, no stop seen.  The stop comes once 2 MiB of the new file are on disk:
    mid-array on any machine."""
    path = tmp_path / "m.somz"
    path.write_bytes(b"the old map")
    rows = np.random.default_rng(5).random((375_000, 4))          # 12 MB, hardly compressible
    token = CancelToken()
    stopped = {}
    done = threading.Event()

    def stop_when_written() -> None:
        while not done.is_set():
            written = sum(p.stat().st_size for p in tmp_path.iterdir() if p.name != "m.somz")
            if written > 2 * WRITE_CHUNK:
                stopped["at"] = time.monotonic()
                token.cancel()
                return
            time.sleep(0.002)

    watcher = threading.Thread(target=stop_when_written)
    watcher.start()
    try:
        with pytest.raises(Cancelled):
            write_somz(path, {"kind": "test"}, {"inputs": rows}, cancel=token)
        ended = time.monotonic()
    finally:
        done.set()
        watcher.join()
    assert "at" in stopped
    assert ended - stopped["at"] < load_scaled(0.5)
    assert [p.name for p in tmp_path.iterdir()] == ["m.somz"]
    assert path.read_bytes() == b"the old map"


def test_arrays_are_deflated_at_the_fast_level(tmp_path):
    """A 400k-row table map took ~5 s to save, nearly all of it zlib at its default level 6; the
    arrays are written at level 1 (io.somz.ARRAY_LEVEL): the same members, several times faster.
    The check is the deflate stream itself: the bytes of each member are what zlib level 1 gives
    (a raw deflate stream of the np.save bytes), not level 6's, whatever the Python version."""
    import zlib

    rng = np.random.default_rng(5)
    arr = np.round(rng.normal(50, 10, size=(20_000, 4)), 2)
    path = tmp_path / "x.somz"
    write_somz(path, {"kind": "test"}, {"rows": arr})

    def raw_deflate(data: bytes, level: int) -> bytes:
        c = zlib.compressobj(level, zlib.DEFLATED, -15)
        return c.compress(data) + c.flush()

    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("rows.npy")
        with open(path, "rb") as fh:                 # the member's stored (compressed) bytes
            fh.seek(info.header_offset)
            head = fh.read(30)
            skip = 30 + int.from_bytes(head[26:28], "little") + int.from_bytes(head[28:30], "little")
            fh.seek(info.header_offset + skip)
            stored = fh.read(info.compress_size)
    assert stored == raw_deflate(_npy(arr), 1)
    assert stored != raw_deflate(_npy(arr), 6)
