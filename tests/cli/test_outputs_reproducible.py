"""Identical seeded runs write identical bytes (testerC #8: a .somz's meta.json entry carried
the wall-clock time, so two saves of the same map differed and checksum-based pipeline caching
missed).  Every file output but the metrics (which hold the run's seconds) is compared; the
runs are more than 2 s apart, the resolution of a ZIP entry's time."""
from __future__ import annotations

import time
import zipfile

import numpy as np

from somdesk.cli import main


def _runs(tmp_path, name, argvs):
    """Run `argvs` (each a function of the output folder) twice, 2.1 s apart: {file: (bytes1, bytes2)}."""
    got = []
    for i in range(2):
        out = tmp_path / f"{name}{i}"
        out.mkdir()
        for argv in argvs:
            assert main(argv(out)) == 0
        got.append({p.name: p.read_bytes() for p in out.iterdir()})
        if i == 0:
            time.sleep(2.1)
    assert got[0].keys() == got[1].keys()
    return {k: (got[0][k], got[1][k]) for k in got[0]}


def test_seeded_runs_write_the_same_bytes(tmp_path, capsys):
    rows = np.random.default_rng(0).random((40, 3))
    t = tmp_path / "t.csv"
    t.write_text("a,b,c\n" + "".join(f"{x:.4f},{y:.4f},{z:.4f}\n" for x, y, z in rows))
    table = lambda o: ["train", "--table", str(t), "--width", "3", "--height", "3", "--epochs", "2", "--seed", "3",
                       "-q", "--save-map", str(o / "m.somz"), "--assignments", str(o / "a.parquet"),
                       "--profiles", str(o / "p.csv"), "--report", str(o / "r.html")]
    colours = lambda o: ["train", "--random", "6", "--width", "4", "--height", "3", "--iterations", "3", "--seed", "3",
                         "-q", "--save-map", str(o / "c.somz"), "--save-weights", str(o / "w.npy"),
                         "--out", str(o / "c.png"), "--timelapse", str(o / "c.gif")]
    scores = lambda o: ["assign", str(o / "m.somz"), str(t), "-q", "--out", str(o / "s.parquet")]
    files = _runs(tmp_path, "run", [table, colours, scores])
    assert {"m.somz", "c.somz", "a.parquet", "p.csv", "p.png", "r.html", "w.npy", "c.png", "c.gif",
            "s.parquet"} <= files.keys()
    differ = sorted(k for k, (a, b) in files.items() if a != b)
    assert differ == [], differ


def test_every_map_member_has_the_fixed_time(tmp_path, capsys):
    """Not only the arrays: meta.json too (it was written with the time of the save)."""
    m = tmp_path / "m.somz"
    assert main(["train", "--random", "4", "--width", "3", "--height", "2", "--iterations", "1", "-q",
                 "--save-map", str(m)]) == 0
    with zipfile.ZipFile(m) as zf:
        assert {i.filename: i.date_time for i in zf.infolist()} == \
            {i.filename: (1980, 1, 1, 0, 0, 0) for i in zf.infolist()}
        assert "meta.json" in zf.namelist()
