import io
import json
import zipfile

import numpy as np
import pytest

from somdesk.core import SOM, SOMConfig
from somdesk.errors import FileFormatError
from somdesk.io.mapfile import load_map, save_map


@pytest.fixture
def saved(tmp_path):
    som = SOM(np.random.default_rng(0).random((6, 3)), SOMConfig(width=5, height=4, iterations=10, seed=2))
    som.step()
    path = tmp_path / "m.somz"
    save_map(som, path, ["a", None, "c", "d", "e", "f"])
    return som, path


def test_round_trip_keeps_everything(saved):
    som, path = saved
    got = load_map(path)
    assert got.som.config == som.config and got.som.iteration == 1 and got.som.seed == som.seed
    np.testing.assert_array_equal(got.som.weights, som.weights)
    np.testing.assert_array_equal(got.som.data, som.data)
    assert got.input_names == ["a", None, "c", "d", "e", "f"]


def _rewrite(path, **members):
    with zipfile.ZipFile(path) as zf:
        content = {n: zf.read(n) for n in zf.namelist()}
    content.update(members)
    with zipfile.ZipFile(path, "w") as zf:
        for n, data in content.items():
            if data is not None:
                zf.writestr(n, data)


def test_newer_format_is_refused_with_advice(saved):
    _, path = saved
    meta = json.loads(zipfile.ZipFile(path).read("meta.json"))
    meta["format_version"] = 99
    _rewrite(path, **{"meta.json": json.dumps(meta)})
    with pytest.raises(FileFormatError, match="newer somdesk"):
        load_map(path)


def test_pickled_arrays_are_never_loaded(saved):
    _, path = saved
    buf = io.BytesIO()
    np.save(buf, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    _rewrite(path, **{"weights.npy": buf.getvalue()})
    with pytest.raises(FileFormatError, match="weights.npy"):
        load_map(path)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "foreign-zip", "no-weights", "bad-json", "wrong-shape"])
def test_corrupt_or_foreign_files_are_clear_errors(saved, damage):
    _, path = saved
    raw = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "garbage":
        path.write_bytes(b"\x00garbage" * 10)
    elif damage == "foreign-zip":
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("hello.txt", "hi")
    elif damage == "no-weights":
        _rewrite(path, **{"weights.npy": None})
    elif damage == "bad-json":
        _rewrite(path, **{"meta.json": b"{not json"})
    elif damage == "wrong-shape":
        buf = io.BytesIO()
        np.save(buf, np.zeros((2, 2, 3)))
        _rewrite(path, **{"weights.npy": buf.getvalue()})
    with pytest.raises(FileFormatError) as err:
        load_map(path)
    assert "m.somz" in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(FileFormatError, match="no such file"):
        load_map(tmp_path / "nope.somz")


@pytest.mark.parametrize("field,value", [("iteration", float("inf")), ("seed", float("inf")),
                                         ("iteration", 2.7), ("seed", "7")])
def test_non_integer_counters_are_a_clear_error(saved, field, value):
    _, path = saved
    meta = json.loads(zipfile.ZipFile(path).read("meta.json"))
    meta[field] = value
    _rewrite(path, **{"meta.json": json.dumps(meta)})
    with pytest.raises(FileFormatError, match="whole numbers"):
        load_map(path)


def test_damaged_input_names_are_dropped_not_fatal(saved):
    _, path = saved
    meta = json.loads(zipfile.ZipFile(path).read("meta.json"))
    meta["input_names"] = [1, {"a": 2}, None, None, None, None]
    _rewrite(path, **{"meta.json": json.dumps(meta)})
    assert load_map(path).input_names is None
