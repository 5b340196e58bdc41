"""Control characters text does hold (vertical tab, \\x1c-\\x1f separators, form feed) are not
"binary data", and do not break a line (review12 item 8: FileMaker's in-field line breaks, vertical
tabs, were refused as binary data; before that they were read as 4 junk columns)."""
import pytest

from somdesk.errors import FileFormatError
from somdesk.io.chunked import ChunkedTable
from somdesk.io.lines import text_lines
from somdesk.io.tables.table import read_table


def _filemaker(path, rows=60):
    with open(path, "w", newline="") as f:
        f.write("id,score,notes\n")
        for i in range(rows):
            f.write(f"{i},{i * 1.5},line one\x0bline two\x0bline three\n")


def test_vertical_tabs_in_cells_read_in_memory(tmp_path):
    p = tmp_path / "fm.csv"
    _filemaker(p)
    t = read_table(p)
    assert list(t.columns) == ["id", "score", "notes"]
    assert t.n_rows == 60


def test_vertical_tabs_in_cells_read_out_of_core(tmp_path):
    p = tmp_path / "fm.csv"
    _filemaker(p)
    t = ChunkedTable.open(p)
    assert list(t.columns)[:2] == ["id", "score"]


@pytest.mark.parametrize("ch", ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f"])
def test_separators_and_page_breaks_are_not_binary(tmp_path, ch):
    p = tmp_path / "t.csv"
    p.write_text("a,b,c\n" + "".join(f"{i},{i + 1},x{ch}y{ch}z\n" for i in range(40)))
    t = read_table(p)
    assert list(t.columns) == ["a", "b", "c"] and t.n_rows == 40


def test_other_controls_are_still_binary(tmp_path):
    p = tmp_path / "n.csv"
    p.write_bytes(b"a,b\n" + b"1,\x01\x02\x03\x05\n" * 40)
    with pytest.raises(FileFormatError, match="binary data"):
        read_table(p)


def test_text_lines_break_only_at_line_ends():
    assert text_lines("a\x0bb\x0cc\x1cd\x85e\u2028f\r\ng\rh\n") == ["a\x0bb\x0cc\x1cd\x85e\u2028f", "g", "h"]
    assert text_lines("a\n\n") == ["a", ""]
    assert text_lines("a") == ["a"]
