"""A text table named .xlsx/.xls/.ods is read by its content (tester10 #27): no zip or OLE2
bytes, no spreadsheet; delimited text is read as text with a warning about its name, and an
HTML page says so in one sentence."""
import pytest

from somdesk.errors import FileFormatError
from somdesk.io.tables import detect
from somdesk.io.tables.table import read_table

ROWS = "a\tb\tc\n" + "".join(f"{i}\t{i * 2 % 7}\t{i % 3}\n" for i in range(20))


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_delimited_text_named_like_a_spreadsheet_is_read_as_text(tmp_path, suffix):
    p = tmp_path / f"export{suffix}"
    p.write_text(ROWS)
    tab = read_table(p)
    assert tab.columns == ["a", "b", "c"] and tab.n_rows == 20
    assert any("named like a spreadsheet" in w for w in tab.warnings)


def test_an_html_page_named_xls_says_it_is_one(tmp_path):
    p = tmp_path / "page.xls"
    p.write_text("<!DOCTYPE html>\n<html><body><table><tr><td>1</td></tr></table></body></html>\n")
    with pytest.raises(FileFormatError, match="page.xls is an HTML page, not a spreadsheet"):
        read_table(p)


def test_magic_bytes_still_make_a_spreadsheet():
    assert detect.detect_format(b"PK\x03\x04rest", "a.csv") == "xlsx"
    assert detect.detect_format(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "a.xls") == "xls"
    assert detect.detect_format(b"PK\x03\x04\0\0", "a.xlsx") == "xlsx"
    assert detect.detect_format(b"\x00\x01garbage", "a.xlsx") == "xlsx"     # binary: calamine's message
