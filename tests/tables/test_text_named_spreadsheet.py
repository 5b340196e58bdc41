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
    with pytest.raises(FileFormatError, match="a.xlsx: it is not an Excel workbook, which starts with a zip "
                                              "archive's bytes; it holds binary data of another kind"):
        detect.detect_format(b"\x00\x01garbage", "a.xlsx")


# tester13 #8: one rule for every name -- the content decides when it is clearly a table format
CSV = "income,age\n1,2\n3,4\n"


@pytest.mark.parametrize("name,content,fmt,warned", [
    ("t.parquet", CSV, "csv", "t.parquet is named like a Parquet file but holds delimited text"),
    ("t.pq", CSV, "csv", "t.pq is named like a Parquet file but holds delimited text"),
    ("t.json", CSV, "csv", "t.json is named like JSON but holds delimited text"),
    ("t.csv", '[{"income": 1, "age": 2}, {"income": 3, "age": 4}]', "json",
     "t.csv is named like delimited text but holds JSON"),
    ("t.txt", '{"income": 1, "age": 2}\n{"income": 3, "age": 4}\n', "json", None),
    ("t.dat", CSV, "csv", None),
])
def test_text_is_read_by_its_content_whatever_its_name(tmp_path, name, content, fmt, warned):
    p = tmp_path / name
    p.write_text(content)
    tab = read_table(p)
    assert tab.format == fmt and tab.columns == ["income", "age"] and tab.values("age").tolist() == [2, 4]
    assert [w for w in tab.warnings if "named like" in w] == ([f"{warned}: it is read as such (renaming it "
                                                               f".{fmt} says what it is)"] if warned else [])


def test_binary_formats_are_read_by_their_magic_whatever_the_name(tmp_path):
    import duckdb
    pq = tmp_path / "real.parquet"
    duckdb.sql(f"COPY (SELECT 1.0 AS a, 2.0 AS b) TO '{pq}' (FORMAT parquet)")
    named_csv = tmp_path / "real.csv"
    named_csv.write_bytes(pq.read_bytes())
    tab = read_table(named_csv)
    assert tab.format == "parquet" and tab.columns == ["a", "b"]
    assert ("real.csv is named like delimited text but holds a Parquet file: it is read as such "
            "(renaming it .parquet says what it is)") in tab.warnings


def test_binary_data_named_parquet_says_what_it_looks_like(tmp_path):
    p = tmp_path / "pic.parquet"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(64))
    with pytest.raises(FileFormatError, match=r"^cannot read pic.parquet: it is not a Parquet file, which starts "
                                              r"with 'PAR1'; it looks like a PNG picture$"):
        read_table(p)


def test_out_of_core_reads_a_content_its_name_does_not_say_with_the_warning(tmp_path):
    """Out of core the content decides too (left14; it was refused with a rename hint), and the
    in-memory reader's warning names the rename."""
    from somdesk.io.chunked_checks import misnamed_warnings, why_not_streamable
    from somdesk.io.chunked_sql import file_format
    p = tmp_path / "t.parquet"
    p.write_text(CSV)
    assert why_not_streamable(str(p)) is None and file_format(str(p)) == "csv"
    assert misnamed_warnings([str(p)]) == ["t.parquet is named like a Parquet file but holds delimited text: it is "
                                           "read as such (renaming it .csv says what it is)"]
    q = tmp_path / "fine.csv"
    q.write_text(CSV)
    assert why_not_streamable(str(q)) is None and misnamed_warnings([str(q)]) == []
    r = tmp_path / "u.pq"
    r.write_text(CSV)
    assert misnamed_warnings([str(p), str(q), str(r)]) == [
        "t.parquet is named like a Parquet file but holds delimited text: it is read as such (renaming it .csv "
        "says what it is) (and 1 more file alike)"]
