"""The out-of-core reader's refusal words read a text file again in memory only when it is small
(review12 item 6: up to 256 MiB was re-read, about 3x the file in RAM, only for the wording)."""
import pytest

import somdesk.io.tables.table as table_module
from somdesk.io import chunked_sql
from somdesk.io.chunked import ChunkedTable
from somdesk.errors import FileFormatError


def _ragged(path, rows: int) -> None:
    with open(path, "w") as f:
        f.write("a,b,c,d\n")
        for i in range(rows):
            f.write(f"{i},{i * 0.5},{i % 7},{i % 11}\n" if i != rows - 3 else f"{i},1,2,3,4\n")


@pytest.fixture
def reads(monkeypatch):
    seen = []
    real = table_module.read_table
    monkeypatch.setattr(table_module, "read_table", lambda path, *a, **k: seen.append(path) or real(path, *a, **k))
    return seen


def test_the_in_memory_reread_is_capped_at_a_few_mib():
    assert chunked_sql.IN_MEMORY_WORDS_BYTES <= 8 << 20


def test_a_file_over_the_cap_is_not_read_again(tmp_path, reads):
    p = tmp_path / "big.csv"
    _ragged(p, 300_000)                 # about 6 MiB
    assert p.stat().st_size > chunked_sql.IN_MEMORY_WORDS_BYTES
    with pytest.raises(FileFormatError, match=r"cannot read big\.csv"):
        ChunkedTable.open(p)
    assert reads == []


def test_a_small_file_still_gets_the_in_memory_words(tmp_path, reads):
    p = tmp_path / "small.csv"
    _ragged(p, 50)
    with pytest.raises(FileFormatError, match=r"small\.csv: line 49 has 5 field.* but the header has 4"):
        ChunkedTable.open(p)
