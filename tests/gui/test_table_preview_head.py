"""The import preview reads a head of a big gzip/zstd text or Parquet file on the GUI thread
(io/tables/head.py), never the whole file; "Use this table" then reads the whole file as a
task (gui/table_open.py)."""
from __future__ import annotations

import gzip

import pytest

ROWS = 300_000


@pytest.fixture(scope="module")
def big_files(tmp_path_factory):
    import duckdb

    folder = tmp_path_factory.mktemp("big")
    con = duckdb.connect()
    sel = f"SELECT i * 0.5 AS a, i % 13 AS b FROM range({ROWS}) t(i)"
    con.execute(f"COPY ({sel}) TO '{folder / 'big.parquet'}' (FORMAT parquet)")
    comma = f"SELECT replace(CAST(a AS VARCHAR), '.', ',') AS a, b FROM ({sel})"
    con.execute(f"COPY ({comma}) TO '{folder / 'plain.csv'}' (HEADER, DELIMITER ';')")
    con.close()
    packed = folder / "packed.csv"                   # gzip, decimal commas, named only .csv
    packed.write_bytes(gzip.compress((folder / "plain.csv").read_bytes(), compresslevel=1))
    return {"parquet": str(folder / "big.parquet"), "gzip": str(packed)}


@pytest.mark.parametrize("kind", ["gzip", "parquet"])
def test_preview_of_a_big_compressed_or_parquet_file_is_a_head(qtbot, win, big_files, monkeypatch, kind):
    from somdesk.gui import table_import

    shown = []

    def exec_(dlg):                                  # as a user clicking "Use this table"
        shown.append((dlg.partial, dlg.table.n_rows, dlg.table.values("a")[:3].tolist(), dlg.detected.text()))
        return 1
    monkeypatch.setattr(table_import.ImportPreview, "exec", exec_)
    win.interactive = True
    assert win.open_paths([big_files[kind]])
    qtbot.waitUntil(lambda: win.tables.table is not None, timeout=120_000)
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=120_000)
    (partial, head_rows, first, detected), = shown
    assert partial and 1000 < head_rows < ROWS and first == [0.0, 0.5, 1.0] and "first" in detected
    assert win.tables.table.n_rows_total == ROWS and win.last_error is None


def test_preview_of_a_big_sheet_reads_its_first_rows(qtbot, win, tmp_path, monkeypatch):
    import sys

    from somdesk.gui import table_import
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parents[1] / "tables"))
    from _files import write_xlsx

    book = write_xlsx(tmp_path, "b.xlsx", {"s": [["a", "b"]] + [[i * 0.5, i % 13] for i in range(3000)]})
    monkeypatch.setattr(table_import, "HEAD_BYTES", 10_000)       # this small book counts as big
    monkeypatch.setattr(table_import, "PREVIEW_SHEET_ROWS", 100)
    shown = []

    def exec_(dlg):
        shown.append((dlg.partial, dlg.table.n_rows, dlg.detected.text()))
        return 1
    monkeypatch.setattr(table_import.ImportPreview, "exec", exec_)
    win.interactive = True
    assert win.open_paths([book])
    qtbot.waitUntil(lambda: win.tables.table is not None, timeout=60_000)
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=60_000)
    (partial, head_rows, detected), = shown
    assert partial and head_rows == 100 and "first 100 rows" in detected
    assert win.tables.table.n_rows_total == 3000 and win.last_error is None


def test_the_preview_keeps_no_head_folder_it_does_not_need_and_none_after_it(qtbot, tmp_path, big_files,
                                                                           monkeypatch):
    # tester11 #11: /tmp/somdesk-head-* folders were left behind: made for every preview (a small
    # file's too) and removed only when the dialog finished
    import gc
    import os
    import tempfile

    from somdesk.gui.table_import import ImportPreview

    own = tmp_path / "tmp"
    own.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(own))
    small = tmp_path / "small.csv"
    small.write_text("a,b\n1,2\n3,4\n")
    dlg = ImportPreview(None, str(small))
    assert dlg.table is not None and os.listdir(own) == []         # read whole: no head folder
    dlg.done(0)
    dlg = ImportPreview(None, big_files["gzip"])
    assert dlg.partial and len(os.listdir(own)) == 1                # the head, while the preview shows it
    if dlg.table is not None:
        dlg.table.close()
    dlg.deleteLater()                                               # never finished: closed under it
    del dlg
    qtbot.wait(50)
    gc.collect()
    assert os.listdir(own) == []
