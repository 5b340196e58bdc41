"""Hostile saved maps (tester10 #21): a `.somz` names the table file it was trained on, and opening
it follows that path.  A crafted one may name /dev/zero, /proc/self/mem, a FIFO, a folder, a link
loop, a file of another name, a huge file, a path of 100,000 characters, an unencodable name, or
carry a fingerprint of absurd sizes and wrong types.  The map itself still opens (codebook,
views), no such file is read or parsed, one note says the table is not there, nothing hangs
(every test runs under an alarm) and the command line says `error: ...` or scores, never a
traceback."""
from __future__ import annotations

import json
import os
import signal
import zipfile

import numpy as np
import pytest

from somdesk.cli import main
from somdesk.session.progress import run_to_end
from somdesk.session.table_workspace import TableWorkspace

NOT_AT = "the table this map was trained on is not at "


@pytest.fixture(autouse=True)
def alarm():
    """Fail a test that hangs (a FIFO opened for reading blocks until a writer comes)."""
    def hung(*_):
        raise TimeoutError("hung on a hostile saved map")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(folder, map): t.csv and m.somz trained on it, in their own folder."""
    d = tmp_path_factory.mktemp("trained")
    rng = np.random.default_rng(3)
    with open(d / "t.csv", "w", encoding="utf-8") as f:
        f.write("a,b\n" + "".join(f"{a:.3f},{b:.3f}\n" for a, b in rng.uniform(0, 1, (60, 2))))
    assert main(["train", "--table", str(d / "t.csv"), "--width", "3", "--height", "3", "--epochs", "2",
                 "--seed", "1", "--save-map", str(d / "m.somz"), "-q"]) == 0
    return d, d / "m.somz"


def hostile(src, out, **fields):
    """A copy of map `src` at `out` with meta.json's table_map fields set (value DROP: removed)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "meta.json":
                meta = json.loads(data)
                for k, v in fields.items():
                    if v is DROP:
                        meta["table_map"].pop(k, None)
                    else:
                        meta["table_map"][k] = v
                data = json.dumps(meta).encode()
            zout.writestr(item, data)
    return out


DROP = object()


@pytest.fixture()
def spies(monkeypatch):
    """Every path read_table and file_fingerprint are called with (nothing hostile may be read)."""
    from somdesk.io import fingerprint
    from somdesk.io.tables import table as table_module

    calls = {"read": [], "hash": []}
    real_read, real_hash = table_module.read_table, fingerprint.file_fingerprint
    monkeypatch.setattr(table_module, "read_table", lambda p, *a, **k: calls["read"].append(str(p)) or
                        real_read(p, *a, **k))
    monkeypatch.setattr(fingerprint, "file_fingerprint", lambda p: calls["hash"].append(str(p)) or real_hash(p))
    return calls


def _open(m):
    ws = TableWorkspace()
    run_to_end(ws.open_map_task(m))
    assert ws.tm is not None and ws.tm.codebook.shape == (3, 3, 2)        # the map itself opens
    assert ws.table is None and ws.assigned is None
    assert ws.map_note.isprintable() and len(ws.map_note) < 500
    ws.map_note.encode("utf-8")                                          # no lone surrogate to print
    return ws


def _fingerprint(m):
    with zipfile.ZipFile(m) as z:
        return json.loads(z.read("meta.json"))["table_map"]["source_fingerprint"]


def _setups(d, h):
    """{case id: (table_map fields, words the note holds)}; files made in the map's folder `h`."""
    other = h / "other.csv"
    other.write_text("x,y\n1,2\n")
    os.mkfifo(h / "pipe.csv")
    (h / "dir").mkdir()
    (h / "dir" / "t.csv").mkdir()
    (h / "loop").mkdir()
    os.symlink(h / "loop" / "t.csv", h / "loop" / "t.csv")
    (h / "tozero").mkdir()
    os.symlink("/dev/zero", h / "tozero" / "t.csv")
    (h / "link").mkdir()
    os.symlink(other, h / "link" / "t.csv")
    (h / "same").mkdir()
    text = (d / "t.csv").read_text()
    (h / "same" / "t.csv").write_text(text.replace("0.", "9.", 1))     # same size, other content
    (h / "big").mkdir()
    with open(h / "big" / "t.csv", "wb") as f:                           # 20 GB, sparse
        f.truncate(20 << 30)
    return {
        "dev zero": ({"source": "zero", "source_path": "/dev/zero"}, "it is a device or a pipe"),
        "proc self mem": ({"source": "mem", "source_path": "/proc/self/mem"}, "it is in /proc"),
        "proc environ, no fingerprint": ({"source": "environ", "source_path": "/proc/self/environ",
                                          "source_fingerprint": DROP}, "it is in /proc"),
        "sys file": ({"source": "address_bits", "source_path": "/sys/kernel/address_bits"}, "it is in /sys"),
        "fifo": ({"source": "pipe.csv", "source_path": str(h / "pipe.csv")}, "a device or a pipe"),
        "folder": ({"source_path": str(h / "dir" / "t.csv")}, "it is a folder"),
        "link loop": ({"source_path": str(h / "loop" / "t.csv")}, "it is not there"),
        "link to dev zero": ({"source_path": str(h / "tozero" / "t.csv")}, "it is a device or a pipe"),
        "link to another name": ({"source_path": str(h / "link" / "t.csv")}, "a file of another name"),
        "file of another name": ({"source_path": str(other)}, "its name is not t.csv"),
        "dot-dot path": ({"source": "zero", "source_path": str(h) + "/.." * 40 + "/dev/zero"},
                          "it is a device or a pipe"),
        "same size other content": ({"source_path": str(h / "same" / "t.csv")}, "its content differs"),
        "huge file": ({"source_path": str(h / "big" / "t.csv")}, "it is 21,474,836,480 bytes now"),
        "very long path": ({"source_path": "/" + "a" * 100_000 + "/t.csv"}, "is not next to the map nor at /aaa"),
        "unencodable name": ({"source": "t\ud800.csv", "source_path": str(h) + "/t\ud800.csv"}, "(it is not there)"),
        "NUL in path": ({"source_path": str(h) + "/x\x00/t.csv"}, "t.csv"),
        "source not text": ({"source": 5, "source_path": [1, 2]}, "does not name the table"),
        "absurd size": ({"source_fingerprint": "SIZE:10**30"}, "record of its size and content is damaged"),
        "negative size": ({"source_fingerprint": "SIZE:-5"}, "record of its size and content is damaged"),
        "digest not one": ({"source_fingerprint": "SHA:123"}, "record of its size and content is damaged"),
        "rows not a number": ({"source_fingerprint": "ROWS:many"}, "record of its size and content is damaged"),
        "fingerprint a string": ({"source_fingerprint": "abc"}, "record of its size and content is damaged"),
    }


def _fields(fields, m):
    fp = _fingerprint(m)
    value = fields.get("source_fingerprint")
    if isinstance(value, str) and ":" in value:
        key, v = value.split(":")
        fields = {**fields, "source_fingerprint": {**fp, {"SIZE": "size", "SHA": "sha256", "ROWS": "rows"}[key]:
                                                   eval(v) if key != "ROWS" else v}}
    return fields


CASES = ["dev zero", "proc self mem", "proc environ, no fingerprint", "sys file", "fifo", "folder", "link loop",
         "link to dev zero", "link to another name", "file of another name", "dot-dot path",
         "same size other content", "huge file", "very long path", "unencodable name", "NUL in path",
         "source not text", "absurd size", "negative size", "digest not one", "rows not a number",
         "fingerprint a string"]


@pytest.fixture(scope="module")
def hostile_maps(trained, tmp_path_factory):
    d, m = trained
    h = tmp_path_factory.mktemp("hostile")
    maps = {}
    for i, (case, (fields, words)) in enumerate(_setups(d, h).items()):
        maps[case] = (hostile(m, h / f"h{i}.somz", **_fields(fields, m)), words)
    return maps


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_saved_table_path_is_not_followed(hostile_maps, spies, case):
    path, words = hostile_maps[case]
    ws = _open(path)
    assert words in ws.map_note, ws.map_note
    assert spies["read"] == []                  # nothing parsed as the map's table
    if case == "huge file":
        assert spies["hash"] == []              # the size differs: not even hashed


def test_the_note_says_where_and_what_to_do(hostile_maps):
    ws = _open(hostile_maps["dev zero"][0])
    assert ws.map_note == (NOT_AT + "/dev/zero (it is a device or a pipe, not a file); to see its rows on "
                           "the map, open that table (File > Open) and score it (Score new data) or train on it again")


def test_the_maps_own_table_is_still_found(trained, spies):
    d, m = trained
    ws = TableWorkspace()
    run_to_end(ws.open_map_task(m))
    assert ws.table is not None and ws.map_note == "" and spies["read"] == [str(d / "t.csv")]
    ws.table.close()


def test_a_map_without_fingerprint_does_not_quote_a_file_it_cannot_check(trained, tmp_path):
    # an older map (no fingerprint) reads the file of its table's name; when that is not its
    # table, what the file holds (here its column names) is not shown
    d, m = trained
    (tmp_path / "secret.csv").write_text("password,hunter2\n1,2\n")
    old = hostile(m, tmp_path / "old.somz", source="secret.csv", source_path=str(tmp_path / "secret.csv"),
                  source_fingerprint=DROP)
    ws = _open(old)
    assert "password" not in ws.map_note and "hunter2" not in ws.map_note
    assert "does not have the columns the map was trained on" in ws.map_note


def test_a_fifo_is_not_fingerprinted(tmp_path):
    from somdesk.io.fingerprint import file_fingerprint, fingerprint_change, saved_path_problem

    os.mkfifo(tmp_path / "t.csv")
    assert file_fingerprint(tmp_path / "t.csv") is None          # returns at once: no writer awaited
    fp = {"size": 0, "sha256": "0" * 64}
    assert fingerprint_change(fp, tmp_path / "t.csv") == "it is not a regular file"
    assert saved_path_problem(str(tmp_path / "t.csv"), "t.csv", fp) == "it is a device or a pipe, not a file"


@pytest.mark.parametrize("case", ["dev zero", "fifo", "absurd size", "very long path", "unencodable name",
                                  "source not text", "huge file"])
def test_assign_scores_with_a_hostile_map_and_never_a_traceback(hostile_maps, trained, tmp_path, capsys, case):
    d, _ = trained
    path, _ = hostile_maps[case]
    assert main(["assign", str(path), str(d / "t.csv"), "--out", str(tmp_path / "s.csv")]) == 0
    got = capsys.readouterr()
    assert "Traceback" not in got.err and "60 rows scored" in got.out     # the summary: stdout (testerC #11)


def test_assign_on_the_maps_own_table_with_a_damaged_fingerprint_warns(trained, tmp_path, capsys):
    d, m = trained
    bad = hostile(m, tmp_path / "bad.somz", source_fingerprint={"size": -1, "sha256": "x"})
    assert main(["assign", str(bad), str(d / "t.csv"), "--out", str(tmp_path / "s.csv")]) == 0
    assert "the map's record of it is damaged, so it cannot be checked" in capsys.readouterr().err


def _zip_with_meta(out, meta_bytes, *, declared=None):
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("meta.json", meta_bytes)
    if declared is not None:            # the central directory claims another uncompressed size
        data = bytearray(out.read_bytes())
        i = data.rindex(b"PK\x01\x02")
        data[i + 24:i + 28] = int(declared).to_bytes(4, "little")
        out.write_bytes(bytes(data))
    return out


@pytest.mark.parametrize("case", ["not json", "meta a list", "huge declared size", "dims negative",
                                  "not a zip", "inputs absurd"])
def test_a_damaged_map_file_is_one_error_line(trained, tmp_path, capsys, case):
    d, m = trained
    with zipfile.ZipFile(m) as z:
        meta = json.loads(z.read("meta.json"))
    out = tmp_path / "x.somz"
    if case == "not json":
        _zip_with_meta(out, b"\xff\xfe{not json")
    elif case == "meta a list":
        _zip_with_meta(out, b"[1, 2, 3]")
    elif case == "huge declared size":
        _zip_with_meta(out, json.dumps(meta).encode(), declared=0xFFFFFFF0)
    elif case == "not a zip":
        out.write_bytes(b"\x00" * 1000)
    else:
        meta["dims" if case == "dims negative" else "inputs"] = -3 if case == "dims negative" else 10 ** 40
        with zipfile.ZipFile(m) as zin, zipfile.ZipFile(out, "w") as zout:
            for item in zin.infolist():
                zout.writestr(item, json.dumps(meta).encode() if item.filename == "meta.json"
                              else zin.read(item.filename))
    code = main(["assign", str(out), str(d / "t.csv"), "--out", str(tmp_path / "s.csv")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
