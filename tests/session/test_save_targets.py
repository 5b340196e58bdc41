"""Saving a map (a document the session then calls saved) refuses a device, a pipe or a
folder as the target for every kind, leaving the work unsaved; exports may still write
through a device (io.atomic)."""
from __future__ import annotations

import os

import pytest

from somdesk.errors import SomdeskError
from somdesk.session import Session
from somdesk.session.table_data import TableMapSpec


def _colours(palette_file):
    s = Session()
    s.open(palette_file)
    s.set_config(s.config.replace(width=6, height=5, iterations=5))
    s.train()
    return s


def _table(table_file):
    s = Session()
    s.open(table_file)
    s.table.train(TableMapSpec(height=3, width=4, epochs=3, seed=1))
    return s


@pytest.mark.parametrize("make", [_colours, _table], ids=["colours", "table"])
def test_a_device_a_fifo_or_a_folder_is_refused_and_the_work_stays_unsaved(make, palette_file, table_file,
                                                                          tmp_path):
    s = make(palette_file if make is _colours else table_file)
    assert s.unsaved
    fifo = tmp_path / "map.somz"
    os.mkfifo(fifo)
    for target in ("/dev/null", fifo, tmp_path):      # a FIFO must not block waiting for a reader
        with pytest.raises(SomdeskError, match="not a regular file"):
            s.save(target)
        assert s.unsaved
    s.save(tmp_path / "real.somz")                     # a file is saved and the work is clean
    assert not s.unsaved
    assert os.path.getsize(tmp_path / "real.somz") > 0


def test_exports_still_write_through_a_device(palette_file):
    s = _colours(palette_file)
    s.export_view("/dev/null", "colours")               # like `cmd > /dev/null`: allowed, not a save


def test_routing_a_map_reads_no_more_of_meta_json_than_the_map_reader_allows(tmp_path):
    # tester6 F18: File > Open's routing inflated a 1.5 GB meta.json from a 1.5 MB file (3.1 GB peak)
    import tracemalloc
    import zipfile

    from somdesk.session.workspace_file import saved_kind

    p = tmp_path / "bomb.somz"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("meta.json", '{"kind": "colours", "pad": "' + " " * (40 << 20) + '"}')
        zf.writestr("weights.npy", b"")
    tracemalloc.start()
    try:
        assert saved_kind(p) is None
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20


def test_writers_refuse_a_name_of_another_format(tmp_path, table_file):
    # tester6 F55: CSV text went into rows.parquet, a .somz zip into map.png
    from somdesk.errors import SomdeskError
    from somdesk.session import Session
    from somdesk.session.table_data import TableMapSpec

    s = Session()
    s.open(table_file)
    s.table.set_spec(TableMapSpec(height=3, width=3, epochs=2))
    s.train()
    for call, name, words in [(s.save, "map.png", "saved as .somz"), (s.table.export_rows, "rows.parquet", "CSV"),
                              (s.table.export_profiles, "p.xlsx", "CSV")]:
        with pytest.raises(SomdeskError, match=words):
            call(tmp_path / name)
        assert not (tmp_path / name).exists()
    s.save(tmp_path / "map.somz")
    assert s.table.export_rows(tmp_path / "picked.csv", [0, 1]) == 2
