"""A glob of many small tables out of core (glob14): each file's head is read once and the files are
typed by one DuckDB query, not once per step and file -- 300 small CSVs took 60-80 s to open.
Counted with spies, not timed: the machine's load says nothing here."""
from __future__ import annotations

import pytest

from somdesk.errors import FileFormatError
from somdesk.io import chunked_checks, chunked_sql
from somdesk.io.chunked import ChunkedTable, text_column_kinds
from somdesk.io.tables import textfile

# more files than the old head cache held (256): a scan in order then kept none of them
N_FILES = 300


def _write_glob(folder, n=N_FILES, odd=None):
    for i in range(n):
        text = "a,b,label\n" + "".join(f"{i}.{r},{r}.5,{'xyz'[r % 3]}\n" for r in range(4))
        if odd is not None and i == odd:
            text = text.replace(",", ";")
        (folder / f"m{i:03d}.csv").write_text(text)
    return str(folder / "*.csv")


@pytest.fixture
def spies(monkeypatch):
    chunked_sql._head_at.cache_clear()
    chunked_sql._format_at.cache_clear()
    counts = {"sniffs": [], "describe_one": 0}
    real_sniff, real_describe = textfile.sniff_head, chunked_checks._describe

    def sniff(path, *a, **k):
        counts["sniffs"].append(str(path))
        return real_sniff(path, *a, **k)

    def describe(*a, **k):
        counts["describe_one"] += 1
        return real_describe(*a, **k)
    monkeypatch.setattr(textfile, "sniff_head", sniff)
    monkeypatch.setattr(chunked_checks, "_describe", describe)
    yield counts
    chunked_sql._head_at.cache_clear()


def test_opening_a_glob_reads_each_head_once_and_types_the_files_in_one_query(tmp_path, spies):
    pattern = _write_glob(tmp_path)
    t = ChunkedTable.open(pattern, columns=["a", "b"])
    try:
        assert t.rows == 4 * N_FILES
    finally:
        t.close()
    # the label pass and a second open (training opens twice) read no head again
    kinds, rows = text_column_kinds(pattern)
    assert kinds == {"label": 3} and rows == 4 * N_FILES
    ChunkedTable.open(pattern, columns=["a", "b"]).close()
    assert len(spies["sniffs"]) == N_FILES and len(set(spies["sniffs"])) == N_FILES
    assert spies["describe_one"] == 0           # no DuckDB query per file


def test_a_file_written_differently_in_a_large_glob_is_still_refused(tmp_path, spies):
    pattern = _write_glob(tmp_path, odd=N_FILES - 1)
    with pytest.raises(FileFormatError, match=r"m299\.csv uses the delimiter ';'"):
        ChunkedTable.open(pattern, columns=["a", "b"])


def test_a_file_of_a_batch_duckdb_cannot_type_is_named(tmp_path, monkeypatch):
    # the files are typed a batch at a time; a batch that fails is typed file by file for the words
    monkeypatch.setattr(chunked_checks, "DESCRIBED_AT_ONCE", 2)
    for i in range(3):
        (tmp_path / f"x{i}.csv").write_text("a,b\n1,2\n3,4\n")
    bad = tmp_path / "x1.csv"
    readers = [(str(p), chunked_sql.reader_sql([str(p)])) for p in sorted(tmp_path.glob("*.csv"))]
    bad.unlink()                        # gone after its reader was made: DuckDB cannot open it
    with chunked_sql.engine_connection() as con:
        with pytest.raises(FileFormatError, match="x1.csv"):
            chunked_checks._describe_each(con, readers)
        readers = [r for r in readers if r[0] != str(bad)]
        got = chunked_checks._describe_each(con, readers)
    assert list(got) == [r[0] for r in readers]
    assert all(list(types) == ["a", "b"] for types in got.values())
