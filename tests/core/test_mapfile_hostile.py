"""Hostile and inconsistent .somz files: one FileFormatError each, bounded memory (issue 10 item 3)."""
import io
import json
import os
import struct
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest

from somdesk.core import SOM, SOMConfig
from somdesk.errors import FileFormatError, SomdeskError
from somdesk.io.mapfile import ArraySpec, load_map, save_map

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "maps"
ROOT = Path(__file__).resolve().parents[2]
PEAK_LIMIT_MIB = 600


@pytest.fixture
def saved(tmp_path):
    som = SOM(np.random.default_rng(0).random((7, 3)), SOMConfig(width=5, height=4, iterations=10, seed=2))
    som.step()
    path = tmp_path / "m.somz"
    save_map(som, path)
    return som, path


def members(path):
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def rewrite(path, **changes):
    content = members(path)
    content.update(changes)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for n, data in content.items():
            if data is not None:
                zf.writestr(n, data)


def meta_of(path):
    return json.loads(members(path)["meta.json"])


def npy_header(shape, descr="<f8", fortran=False, version=(1, 0)):
    buf = io.BytesIO()
    header = {"descr": descr, "fortran_order": fortran, "shape": tuple(shape)}
    if version == (1, 0):
        np.lib.format.write_array_header_1_0(buf, header)
    else:
        np.lib.format.write_array_header_2_0(buf, header)
    return buf.getvalue()


def npy(arr):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=False)
    return buf.getvalue()


def refused(path, *needles):
    with pytest.raises(FileFormatError) as err:
        load_map(path)
    msg = str(err.value)
    assert "\n" not in msg and path.name in msg, msg
    for needle in needles:
        assert needle in msg, msg
    return msg


def peak_of_loading(path) -> tuple[int, str]:
    """Peak RSS (MiB, VmHWM) of a fresh interpreter that imports somdesk and calls load_map(path)."""
    code = textwrap.dedent(f"""
        import sys
        from somdesk.io.mapfile import load_map
        from somdesk.errors import FileFormatError
        try:
            load_map({str(path)!r})
            outcome = "loaded"
        except FileFormatError as exc:
            outcome = "FileFormatError: " + str(exc)
        # VmHWM: this program's own peak; ru_maxrss would include the parent's size at fork/exec
        with open("/proc/self/status") as f:
            hwm = [int(line.split()[1]) for line in f if line.startswith("VmHWM:")][0]
        print(hwm // 1024)
        print(outcome)
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    peak, outcome = out.stdout.strip().split("\n", 1)
    return int(peak), outcome


# -- the three reproductions -------------------------------------------------
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="VmHWM in /proc is Linux's")
def test_a_header_claiming_2_to_the_40_floats_is_refused_before_allocating(saved, tmp_path):
    _, path = saved
    rewrite(path, **{"weights.npy": npy_header((2 ** 40,)) + b"\0" * 64})
    assert path.stat().st_size < 2000
    peak, outcome = peak_of_loading(path)
    assert outcome.startswith("FileFormatError") and "weights.npy" in outcome, outcome
    assert peak < PEAK_LIMIT_MIB


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory):
    """A map whose inputs.npy inflates to 800 MB of zeros (~0.8 MB compressed)."""
    som = SOM(np.random.default_rng(0).random((7, 3)), SOMConfig(width=5, height=4, iterations=10, seed=2))
    path = tmp_path_factory.mktemp("bomb") / "bomb.somz"
    save_map(som, path)
    content = members(path)
    rows = 100_000_000 // 3
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("meta.json", content["meta.json"])
        zf.writestr("weights.npy", content["weights.npy"])
        with zf.open("inputs.npy", "w", force_zip64=True) as m:
            m.write(npy_header((rows, 3)))
            zeros = bytes(8 * 1024 * 1024)
            left = rows * 3 * 8
            while left:
                m.write(zeros[: min(left, len(zeros))])
                left -= min(left, len(zeros))
    return path


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="VmHWM in /proc is Linux's")
def test_an_800_mb_zip_bomb_is_refused_with_bounded_memory(zip_bomb):
    assert zip_bomb.stat().st_size < 2_000_000
    peak, outcome = peak_of_loading(zip_bomb)
    assert outcome.startswith("FileFormatError") and "inputs.npy" in outcome, outcome
    assert peak < PEAK_LIMIT_MIB


def _patch_sizes(path, member, new_size):
    """Make the ZIP claim `member` inflates to `new_size` bytes (local header and central directory)."""
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    name = member.encode()
    lh = info.header_offset
    assert raw[lh:lh + 4] == b"PK\x03\x04"
    struct.pack_into("<I", raw, lh + 22, new_size)
    pos = 0
    while True:
        cd = raw.find(b"PK\x01\x02", pos)
        assert cd >= 0
        n = struct.unpack_from("<H", raw, cd + 28)[0]
        if raw[cd + 46: cd + 46 + n] == name:
            struct.pack_into("<I", raw, cd + 24, new_size)
            break
        pos = cd + 4
    path.write_bytes(bytes(raw))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="VmHWM in /proc is Linux's")
def test_a_member_that_inflates_past_the_size_it_declares_is_never_inflated(saved, tmp_path):
    # header and declared size agree with meta.json (7 inputs), but the deflate stream holds 400 MB
    som, path = saved
    content = members(path)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("meta.json", content["meta.json"])
        zf.writestr("weights.npy", content["weights.npy"])
        with zf.open("inputs.npy", "w", force_zip64=False) as m:
            m.write(npy_header((7, 3)))
            for _ in range(50):
                m.write(bytes(8 * 1024 * 1024))
    _patch_sizes(path, "inputs.npy", len(npy_header((7, 3))) + 7 * 3 * 8)
    peak, outcome = peak_of_loading(path)
    assert outcome.startswith("FileFormatError"), outcome
    assert peak < PEAK_LIMIT_MIB


@pytest.mark.parametrize("key,value,needle", [
    ("dims", 4, "shape"), ("inputs", 8, "shape"), ("inputs", 6, "shape"),
    ("dims", True, "dims"), ("inputs", -1, "inputs"), ("inputs", 10 ** 12, "inputs"), ("dims", 2.5, "dims"),
    ("inputs", "7", "inputs"), ("config", {"width": 4, "height": 5, "iterations": 10, "seed": 2}, "shape"),
    ("config", {"width": 5, "height": 4, "iterations": 10, "seed": 2, "sigma": 1e-300}, "sigma"),
    ("iteration", 11, "iteration"), ("format", "other", "not a somdesk map"),
])
def test_meta_json_that_disagrees_with_the_arrays_is_refused(saved, key, value, needle):
    _, path = saved
    meta = meta_of(path)
    meta[key] = value
    rewrite(path, **{"meta.json": json.dumps(meta)})
    refused(path, needle)


# -- every other kind of hostile header or archive ----------------------------------------
@pytest.mark.parametrize("bad", [
    npy_header((4, 5, 3), "<i8") + bytes(480),                 # integers
    npy_header((4, 5, 3), "<f4") + bytes(240),                 # float32
    npy_header((4, 5, 3), "|O") + bytes(480),                  # objects (pickle)
    npy_header((4, 5, 3), [("a", "<f8")]) + bytes(480),        # records
    npy_header((4, 5, 3), "<U8") + bytes(1920),                # strings
    npy_header((4, 5, 3, 1)) + bytes(480),                     # an extra axis
    npy_header((4, 5, 3)) + bytes(100),                        # data shorter than the header says
    npy_header((4, 5, 3)) + bytes(4800),                       # longer
    npy_header((4, 5, 3)),                                     # no data at all
    b"\x93NUMPY\x03\x00" + bytes(200),                         # unknown .npy version
    b"\x93NUMPY\x01\x00\xff\xff" + b" " * 65535,               # header over numpy's 10,000-byte limit
    b"\x93NUMPY\x01\x00\x10\x00{'descr': 'x'}\n",              # nonsense header
    b"not an npy file at all",
    b"",
])
def test_bad_npy_headers_are_refused(saved, bad):
    _, path = saved
    rewrite(path, **{"weights.npy": bad})
    refused(path, "weights.npy")


def test_non_finite_or_huge_values_in_a_file_are_refused(saved):
    som, path = saved
    for value in (np.nan, np.inf, 1e200):
        w = som.weights.copy()
        w[1, 2, 0] = value
        rewrite(path, **{"weights.npy": npy(w)})
        refused(path, "weights.npy")


def test_big_endian_and_fortran_order_arrays_are_read_as_numpy_defines_them(saved):
    som, path = saved
    rewrite(path, **{"weights.npy": npy(som.weights.astype(">f8")),
                     "inputs.npy": npy(np.asfortranarray(som.data))})
    got = load_map(path).som
    np.testing.assert_array_equal(got.weights, som.weights)
    np.testing.assert_array_equal(got.data, som.data)


@pytest.mark.parametrize("meta", [b"[1, 2]", b"null", b"[" * 100_000 + b"]" * 100_000,
                                  b'{"format": ' + b"1" * 20_000 + b"}", b"\xff\xfe", b""])
def test_meta_json_that_is_not_an_object_or_too_deep_is_refused(saved, meta):
    _, path = saved
    rewrite(path, **{"meta.json": meta})
    refused(path, "meta.json")


def test_an_archive_listing_too_many_members_is_refused_before_listing_them(saved):
    _, path = saved
    with zipfile.ZipFile(path, "a") as zf:
        for i in range(1200):
            zf.writestr(f"x{i}", b"")
    refused(path, "members")


@pytest.mark.parametrize("what", ["folder", "missing", "empty", "text"])
def test_not_a_map_at_all(tmp_path, what):
    path = tmp_path / "x.somz"
    if what == "folder":
        path.mkdir()
    elif what == "empty":
        path.write_bytes(b"")
    elif what == "text":
        path.write_text("hello")
    refused(path)


# -- compatibility and the API for extra data ----------------------------------------------
def test_colour_maps_saved_by_the_previous_version_still_open():
    got = load_map(FIXTURES / "colour-v1.somz")
    np.testing.assert_array_equal(got.som.weights, np.load(FIXTURES / "colour-v1-weights.npy"))
    assert got.som.config.topology == "hexagonal" and got.som.iteration == 5 and got.som.seed == 11
    assert got.input_names[:2] == ["red", None] and got.arrays == {}


def _label_specs(meta):
    return {"labels": ArraySpec((meta["inputs"],), ("int64",), required=False),
            "grid": ArraySpec((None, 2), ("float64",), finite=True, required=False)}


def test_extra_meta_and_arrays_round_trip_and_are_validated_the_same_way(saved, tmp_path):
    som, _ = saved
    path = tmp_path / "table.somz"
    labels = np.arange(7, dtype=np.int64)
    save_map(som, path, extra_meta={"source": "table", "columns": ["a", "b", "c"]},
             extra_arrays={"labels": labels, "grid": np.ones((3, 2))}, extra_specs=_label_specs)
    got = load_map(path, extra_specs=_label_specs)
    assert got.meta["source"] == "table" and got.meta["columns"] == ["a", "b", "c"]
    np.testing.assert_array_equal(got.arrays["labels"], labels)
    assert got.arrays["grid"].shape == (3, 2)
    # a plain reader ignores the extras
    plain = load_map(path)
    assert plain.arrays == {} and plain.meta["source"] == "table"
    np.testing.assert_array_equal(plain.som.weights, som.weights)
    # an extra array that disagrees with the description is refused on load ...
    rewrite(path, **{"labels.npy": npy(np.arange(8, dtype=np.int64))})
    with pytest.raises(FileFormatError, match="labels.npy"):
        load_map(path, extra_specs=_label_specs)
    # ... and on save, before anything is written
    other = tmp_path / "bad.somz"
    for arrays in ({"labels": np.arange(8, dtype=np.int64)}, {"labels": labels.astype(np.float64)},
                   {"grid": np.full((2, 2), np.nan)}):
        with pytest.raises(SomdeskError):
            save_map(som, other, extra_arrays=arrays, extra_specs=_label_specs)
        assert not other.exists()


@pytest.mark.parametrize("kwargs", [{"extra_meta": {"config": {}}}, {"extra_meta": {"dims": 1}},
                                    {"extra_arrays": {"weights": np.zeros(3)}},
                                    {"extra_arrays": {"bad name!": np.zeros(3)}},
                                    {"extra_arrays": {"obj": np.array([{}], dtype=object)}},
                                    {"extra_meta": {"x": float("nan")}},
                                    {"extra_meta": {"x": object()}}])
def test_extras_that_would_clash_or_not_reopen_are_refused(saved, tmp_path, kwargs):
    som, _ = saved
    with pytest.raises(SomdeskError):
        save_map(som, tmp_path / "x.somz", **kwargs)
    assert not (tmp_path / "x.somz").exists()


# -- the save side: never write what cannot be reopened --------------------------------------
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf, 1e200])
def test_save_map_refuses_weights_it_could_not_reopen_and_keeps_the_old_file(saved, value):
    som, path = saved
    before = path.read_bytes()
    som.weights[0, 0, 1] = value        # what a diverged training pass leaves (in place)
    with pytest.raises(SomdeskError, match="nothing was saved"):
        save_map(som, path)
    assert path.read_bytes() == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_fifo_or_a_device_is_refused_without_blocking_or_reading_forever(tmp_path):
    fifo = tmp_path / "m.somz"
    os.mkfifo(fifo)                       # opening it for reading would block until a writer came
    refused(fifo, "not a regular file")
    if os.path.exists("/dev/zero"):
        with pytest.raises(FileFormatError, match="not a regular file"):
            load_map("/dev/zero")         # never ends
    from somdesk.io.somz import ArraySpec as Spec, read_npy
    with pytest.raises(FileFormatError, match="not a regular file"):
        read_npy(fifo, Spec((2,)))


# -- damaged archives: one wording, never zipfile's ("File is not a zip file", tester12 #7) ---------
@pytest.mark.parametrize("keep", [0.5, 0.9, 0.99])
def test_a_truncated_map_is_called_damaged_or_truncated(saved, keep):
    _, path = saved
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(FileFormatError) as exc:
        load_map(path)
    assert str(exc.value).startswith("m.somz: the saved map (.somz) is damaged or truncated (")
    assert "zip file" not in str(exc.value)          # never zipfile's own words


def test_a_member_with_a_wrong_checksum_is_called_damaged(saved):
    _, path = saved
    content = members(path)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:     # stored: a byte flips in place
        for name, body in content.items():
            zf.writestr(name, body)
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("weights.npy")
    data = bytearray(path.read_bytes())
    data[info.header_offset + 30 + len(info.filename) + len(info.extra) + 200] ^= 0x01   # a float's low bit
    path.write_bytes(bytes(data))
    with pytest.raises(FileFormatError) as exc:
        load_map(path)
    assert str(exc.value) == "m.somz: the saved map (.somz) is damaged or truncated (a member's checksum does not match)"
