"""Reading every format through the engine, with our checks on top."""
import numpy as np
import pytest

from somdesk.core.cancel import CancelToken
from somdesk.errors import Cancelled, FileFormatError, OptionError
from somdesk.io.tables.options import ReadOptions
from somdesk.io.tables.table import read_table

from _files import sklearn_csv, write_ods, write_parquet, write_text, write_xlsx

ROWS = [("name", "x", "y"), ("a", 1.5, 10), ("b", 2.25, None), ("c", -3.0, 30)]


def csv_text(delim=",", rows=ROWS):
    return "".join(delim.join("" if v is None else str(v) for v in r) + "\n" for r in rows)


def check_rows(tab):
    assert tab.columns == ["name", "x", "y"]
    assert tab.values("x").tolist() == [1.5, 2.25, -3.0]
    y = tab.values("y")
    assert y[0] == 10 and np.isnan(y[1]) and y[2] == 30
    assert tab.strings("name") == ["a", "b", "c"]
    assert tab.missing_count("y") == 1


# -- scikit-learn's own CSVs: a metadata first line, then headerless numbers ------------
@pytest.mark.parametrize("name,rows,cols,meta", [
    ("iris.csv", 150, 5, "150,4,setosa,versicolor,virginica"),
    ("wine_data.csv", 178, 14, "178,13,class_0,class_1,class_2"),
    ("breast_cancer.csv", 569, 31, "569,30,malignant,benign"),
])
def test_sklearn_bundled_csvs(name, rows, cols, meta):
    tab = read_table(sklearn_csv(name))
    assert tab.n_rows == rows and len(tab.columns) == cols
    assert tab.dialect["metadata"] == meta and tab.dialect["header"] is False and tab.dialect["skip"] == 1
    assert tab.numeric_columns == tab.columns
    target = tab.values(tab.columns[-1])
    assert set(np.unique(target).tolist()) == set(range(len(meta.split(",")) - 2))
    first = np.loadtxt(sklearn_csv(name), delimiter=",", skiprows=1)
    assert np.array_equal(np.column_stack([tab.values(c) for c in tab.columns]), first)


def test_metadata_line_can_be_overridden(tmp_path):
    p = write_text(tmp_path, "m.csv", "3,2,no,yes\n1.0,2.0,0\n3.0,4.0,1\n5.0,6.0,1\n")
    assert read_table(p).n_rows == 3
    # told not to skip it, the 4-field metadata line makes the 3-field rows ragged
    with pytest.raises(FileFormatError, match="line 2 has 3 field"):
        read_table(p, ReadOptions(skip=0, header=False, delimiter=","))


# -- text dialects ------------------------------------------------------------------------
@pytest.mark.parametrize("delim,ext", [(",", "csv"), (";", "csv"), ("\t", "tsv"), ("|", "txt"), (" ", "dat")])
def test_delimiters(tmp_path, delim, ext):
    rows = [("name", "x", "y"), ("a", 1.5, 10), ("b", 2.25, "NA"), ("c", -3.0, 30)]
    tab = read_table(write_text(tmp_path, f"t.{ext}", csv_text(delim, rows)))
    assert tab.delimiter == delim
    check_rows(tab)


def test_gzip(tmp_path):
    tab = read_table(write_text(tmp_path, "t.csv.gz", csv_text(), gz=True))
    assert tab.dialect["gzip"] is True
    check_rows(tab)


def test_damaged_gzip_is_a_clear_error(tmp_path):
    p = tmp_path / "t.csv.gz"
    p.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(FileFormatError, match="t.csv.gz"):
        read_table(p)


def test_comment_lines_are_skipped(tmp_path):
    tab = read_table(write_text(tmp_path, "c.csv", "# exported 2024-01-01\n# by someone\n" + csv_text()))
    assert tab.dialect["comment_lines"] == 2
    check_rows(tab)


def test_decimal_comma_and_thousands_dots(tmp_path):
    text = "item;price;qty\nx;12.500,5;1\ny;3,25;2\nz;12.500;3\nw;-1.234.567,75;4\n"
    tab = read_table(write_text(tmp_path, "d.csv", text))
    assert tab.dialect["decimal"] == "," and tab.dialect["thousands"] == "."
    # 12.500 in a decimal-comma file is twelve thousand five hundred, never 12.5
    assert tab.values("price").tolist() == [12500.5, 3.25, 12500.0, -1234567.75]
    assert tab.values("qty").tolist() == [1, 2, 3, 4]


def test_decimal_comma_file_with_a_dot_decimal_names_the_cell(tmp_path):
    tab = read_table(write_text(tmp_path, "d.csv", "item;price\nx;3,25\ny;12.5\n"))
    assert not tab.is_numeric("price")
    assert tab.problem("price") == "column 'price' is not numeric: line 3 has '12.5'"
    with pytest.raises(FileFormatError, match=r"d\.csv: column 'price' is not numeric: line 3 has '12\.5'"):
        tab.prepare(["price"])


@pytest.mark.parametrize("arrow", [True, False])
def test_decimal_comma_file_is_scanned_once(tmp_path, monkeypatch, arrow):
    # the columns are decided on the first rows; the read itself converts every cell and
    # stops on one breaking the form further down, which makes that column text
    from somdesk.io.tables import arrowread, textfile
    monkeypatch.setattr(arrowread, "ENABLED", arrow)
    monkeypatch.setattr(textfile, "SAMPLE_ROWS", 3)
    rows = ["x;1.234,5;2,5;7", "y;-12.000;3;NA", "z;0,25;1.000.000,5;8", "w;5;6;9", "v;12.50;4;10"]
    p = write_text(tmp_path, "d.csv", "item;price;qty;n\n" + "\n".join(rows) + "\n")
    scans = []
    real = textfile._convert_numbers
    monkeypatch.setattr(textfile, "_convert_numbers", lambda con, *a: scans.append(con) or real(con, *a))
    tab = read_table(p)
    assert len(scans) == 1
    assert tab.values("qty").tolist() == [2.5, 3.0, 1000000.5, 6.0, 4.0]
    assert tab.values("n")[0] == 7.0 and np.isnan(tab.values("n")[1]) and tab.missing_count("n") == 1
    # "12.50" is not a group of three digits: found by the read (line 6), not a check scan
    assert not tab.is_numeric("price")
    assert tab.problem("price") == "column 'price' is not numeric: line 6 has '12.50'"
    assert tab.types[1] == "VARCHAR" and tab.types[2] == "DOUBLE"
    # every row is still assigned in blocks through the engine, with the same values
    blocks = list(tab.iter_blocks(["qty"], block_rows=2))
    assert np.concatenate([b["qty"] for _, b in blocks]).tolist() == [2.5, 3.0, 1000000.5, 6.0, 4.0]
    tab.close()


def test_decimal_comma_with_a_filter_and_a_late_word(tmp_path, monkeypatch):
    from somdesk.io.tables import textfile
    monkeypatch.setattr(textfile, "SAMPLE_ROWS", 2)
    p = write_text(tmp_path, "d.csv", "a;b\n1,5;2\n2,5;3\n3,5;oops\n4,5;5\n")
    tab = read_table(p, ReadOptions(where="a > 2"))
    assert tab.values("a").tolist() == [2.5, 3.5, 4.5] and tab.row_index.tolist() == [1, 2, 3]
    assert tab.problem("b") == "column 'b' is not numeric: line 4 has 'oops'"
    tab.close()


def test_thousands_comma_by_option(tmp_path):
    text = 'name,amount\na,"1,234.5"\nb,"12,000"\nc,7\n'
    tab = read_table(write_text(tmp_path, "t.csv", text), ReadOptions(thousands=","))
    assert tab.values("amount").tolist() == [1234.5, 12000.0, 7.0]
    tab = read_table(write_text(tmp_path, "u.csv", 'name,amount\na,"1,23"\n'), ReadOptions(thousands=","))
    assert not tab.is_numeric("amount")          # 1,23 is not a thousands group


def test_options_override_sniffing(tmp_path):
    p = write_text(tmp_path, "o.txt", "junk line\n1;2\n3;4\n")
    tab = read_table(p, ReadOptions(skip=1, header=False, delimiter=";"))
    assert tab.n_rows == 2 and tab.values(tab.columns[1]).tolist() == [2, 4]
    p = write_text(tmp_path, "m.csv", "a,b\n1,missing\n2,3\n")
    tab = read_table(p, ReadOptions(missing=("missing",)))
    assert tab.is_numeric("b") and tab.missing_count("b") == 1


def test_encodings(tmp_path):
    text = "cité,v\nÉté,1\n"
    tab = read_table(write_text(tmp_path, "l.csv", text, "latin-1"))
    assert tab.columns == ["cité", "v"] and tab.strings("cité") == ["Été"]
    assert any("Latin-1" in w for w in tab.warnings)
    tab = read_table(write_text(tmp_path, "w.csv", "name,v\n€uro,1\n", "cp1252"), ReadOptions(encoding="cp1252"))
    assert tab.strings("name") == ["€uro"] and tab.encoding == "cp1252"
    tab = read_table(write_text(tmp_path, "u.csv", "a\tb\n1\t2\n", "utf-16"))
    assert tab.values("b").tolist() == [2]
    with pytest.raises(OptionError, match="encoding"):
        read_table(write_text(tmp_path, "x.csv", "a\n1\n"), ReadOptions(encoding="klingon"))


# files in a legacy encoding, as a spreadsheet or an old system writes them (tester13 #7)
LEGACY = {
    "shift_jis": ("名前,年齢,都市\n山田太郎,34,東京\n佐藤花子,28,大阪\n鈴木一郎,45,名古屋\n高橋美咲,31,札幌\n", "cp932"),
    "gbk": ("姓名,年龄,城市\n张伟,34,北京\n王芳,28,上海\n李娜,45,广州\n刘洋,31,深圳\n陈静,29,成都\n", "gb18030"),
    "gb18030": ("姓名,年龄,城市\n张伟,34,北京\n王芳,28,上海\n李娜,45,广州\n刘洋,31,深圳\n陈静,29,成都\n", "gb18030"),
    "cp1251": ("Имя,Возраст,Город\nИван Петров,34,Москва\nОльга Смирнова,28,Санкт-Петербург\n"
               "Сергей Кузнецов,45,Новосибирск\n", "cp1251"),
}


@pytest.mark.parametrize("encoding", list(LEGACY))
def test_legacy_encodings_are_read_as_their_text_says(tmp_path, encoding):
    text, expected = LEGACY[encoding]
    tab = read_table(write_text(tmp_path, "legacy.csv", text, encoding))
    header = text.split("\n")[0].split(",")
    assert tab.columns == header and tab.encoding == expected
    assert tab.values(header[1]).tolist()[0] == 34
    [warning] = tab.warnings
    assert warning.startswith("legacy.csv is not UTF-8 (at byte 1, line 1): it was read as ")
    assert "--encoding NAME" in warning and "Encoding field" in warning


def test_western_files_keep_latin1_and_say_where_and_what_was_assumed(tmp_path):
    # cp1252 French/German text: the detector's guesses (cp1250, mac_iceland) are not taken
    for text in ("nom,âge,ville\nJosé García,34,Málaga\nZoë Müller,28,Zürich\nFrançois Lefèvre,45,Besançon\n",
                 "Straße;Größe;Preis\nMüller;1,5;3\nÄrger;2,5;4\nÖl;3,5;5\n"):
        tab = read_table(write_text(tmp_path, "w.csv", text, "cp1252"))
        assert tab.encoding == "latin-1" and tab.columns == text.split("\n")[0].replace(";", ",").split(",")
    tab = read_table(write_text(tmp_path, "eu.csv", "name,x\nabc,1\nJos\u00e9,2\n", "latin-1"))
    [warning] = tab.warnings
    assert warning.startswith("eu.csv is not valid UTF-8 (at byte 17, line 3) and its text does not tell its "
                              "encoding: Latin-1 was assumed")
    assert "--encoding NAME" in warning


def test_bad_bytes_in_a_given_encoding_say_where_and_how_to_give_another(tmp_path):
    p = tmp_path / "b.csv"
    p.write_bytes(b"a,b\r\n1,2\r\n\xff\xfe,3\r\n")
    with pytest.raises(FileFormatError, match=r"not valid utf-8 text \(at byte 11, line 3\)\. To give its encoding"):
        read_table(str(p), ReadOptions(encoding="utf-8"))


def test_far_down_text_in_a_number_column_names_line_and_column(tmp_path):
    rows = "".join(f"{i},{i * 2}\n" for i in range(30_000))
    tab = read_table(write_text(tmp_path, "far.csv", "a,b\n" + rows + "30000,oops\n"))
    assert tab.is_numeric("a") and not tab.is_numeric("b")
    assert tab.problem("b") == "column 'b' is not numeric: line 30002 has 'oops'"


def test_ragged_line_names_the_line(tmp_path):
    with pytest.raises(FileFormatError, match=r"r\.csv: line 3 has 1 field but the header has 2"):
        read_table(write_text(tmp_path, "r.csv", "a,b\n1,2\n3\n"))


# -- binary and structured formats ----------------------------------------------------------
def test_parquet(tmp_path):
    p = write_parquet(tmp_path, "t.parquet", "SELECT * FROM (VALUES ('a', 1.5, 10), ('b', 2.25, NULL), "
                                              "('c', -3.0, 30)) t(name, x, y)")
    tab = read_table(p)
    assert tab.format == "parquet"
    check_rows(tab)


def test_json_and_ndjson(tmp_path):
    arr = '[{"name":"a","x":1.5,"y":10},{"name":"b","x":2.25,"y":null},{"name":"c","x":-3.0,"y":30}]'
    check_rows(read_table(write_text(tmp_path, "t.json", arr)))
    nd = "\n".join(['{"name":"a","x":1.5,"y":10}', '{"name":"b","x":2.25}', '{"name":"c","x":-3.0,"y":30}'])
    tab = read_table(write_text(tmp_path, "t.ndjson", nd))
    assert tab.format == "json"
    check_rows(tab)


def test_xlsx_sheets(tmp_path):
    p = write_xlsx(tmp_path, "t.xlsx", {"first": ROWS, "second": [("q",), (7,), (8,)]})
    tab = read_table(p)
    assert tab.format == "xlsx" and tab.dialect["sheet"] == "first"
    check_rows(tab)
    assert read_table(p, ReadOptions(sheet="second")).values("q").tolist() == [7, 8]
    assert read_table(p, ReadOptions(sheet=1)).values("q").tolist() == [7, 8]
    with pytest.raises(OptionError, match="no sheet 'third'.*first, second"):
        read_table(p, ReadOptions(sheet="third"))


def test_ods(tmp_path):
    tab = read_table(write_ods(tmp_path, "t.ods", ROWS))
    assert tab.format == "ods"
    check_rows(tab)


def test_not_a_spreadsheet(tmp_path):
    p = tmp_path / "bad.xlsx"
    p.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(FileFormatError, match="bad.xlsx"):
        read_table(p)


# -- filter, sampling, info, cancel ------------------------------------------------------------
def test_sql_filter_keeps_file_row_numbers():
    tab = read_table(sklearn_csv("iris.csv"), ReadOptions(where="column4 = 2 AND column0 >= 7"))
    assert tab.n_rows == 12 and (tab.values("column0") >= 7).all()
    assert tab.row_index.min() >= 100                         # virginica rows are 100..149


@pytest.mark.parametrize("bad,match", [
    ("column0 > 1; DROP TABLE src", "';'"),
    ("column0 > 1 -- comment", "comment"),
    ("column0 IN (SELECT 1)", "subquery"),
    ("read_text('/etc/passwd') = ''", "read_text"),
    ("getenv('HOME') = ''", "getenv"),
    ("column0 + 1", "true or false"),
    ("nope > 1", "nope"),
    ("column0 >", "syntax error"),
])
def test_sql_filter_guard(bad, match):
    with pytest.raises(OptionError, match=match):
        read_table(sklearn_csv("iris.csv"), ReadOptions(where=bad))


def test_filter_matching_nothing():
    with pytest.raises(FileFormatError, match="no rows match"):
        read_table(sklearn_csv("iris.csv"), ReadOptions(where="column0 > 100"))


def test_sampling_and_every_row_in_blocks(tmp_path):
    n = 5000
    p = write_parquet(tmp_path, "big.parquet", f"SELECT range AS i, range * 0.5 AS v FROM range({n})")
    tab = read_table(p, ReadOptions(max_rows=1000, seed=3))
    assert tab.sampled and tab.n_rows == 1000 and tab.n_rows_total == n
    assert np.array_equal(tab.values("i"), tab.row_index)      # sampled rows keep their file row numbers
    again = read_table(p, ReadOptions(max_rows=1000, seed=3))
    assert np.array_equal(again.row_index, tab.row_index)      # the sample is repeatable
    seen = [(rows, block["v"]) for rows, block in tab.iter_blocks(["v"], block_rows=700)]
    rows = np.concatenate([r for r, _ in seen])
    assert rows.tolist() == list(range(n))
    assert np.array_equal(np.concatenate([v for _, v in seen]), np.arange(n) * 0.5)
    assert tab.info()["rows"] == n and tab.info()["sampled_rows"] == 1000


def test_info_document(tmp_path):
    text = "id,age,region,note\n1,30,north,x1\n2,,south,x2\n3,41,north,x3\n4,50,north,x4\n5,22,south,x5\n"
    info = read_table(write_text(tmp_path, "i.csv", text)).info()
    assert info["format"] == "csv" and info["rows"] == 5
    assert info["columns"] == [{"name": "id", "type": "numeric", "missing": 0},
                               {"name": "age", "type": "numeric", "missing": 1},
                               {"name": "region", "type": "categorical", "missing": 0},
                               {"name": "note", "type": "text", "missing": 0}]
    assert info["dialect"]["delimiter"] == "," and info["dialect"]["header"] is True


def test_cancel_before_and_during(tmp_path):
    tok = CancelToken()
    tok.cancel()
    with pytest.raises(Cancelled):
        read_table(sklearn_csv("iris.csv"), cancel=tok)
    import threading
    rows = "".join(f"{i},{i % 7},{i * 0.5}\n" for i in range(400_000))
    p = write_text(tmp_path, "c.csv", "a,b,c\n" + rows)
    tok = CancelToken()
    timer = threading.Timer(0.05, tok.cancel)
    timer.start()
    try:
        with pytest.raises(Cancelled):
            read_table(p, ReadOptions(where="b = 3"), cancel=tok)
    finally:
        timer.join()
    assert not [t for t in threading.enumerate() if t.name == "somdesk-table-cancel"]


def test_empty_and_missing_files(tmp_path):
    with pytest.raises(FileFormatError, match="empty"):
        read_table(write_text(tmp_path, "e.csv", ""))
    with pytest.raises(FileFormatError, match="nope.parquet"):
        read_table(tmp_path / "nope.parquet")
    p = tmp_path / "bin.csv"
    p.write_bytes(b"a,b\n\x00\x01\x02,3\n")
    with pytest.raises(FileFormatError, match="binary"):
        read_table(p)


def test_special_files_and_empty_tables(tmp_path):
    import os
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(FileFormatError, match="not a regular file"):
        read_table(fifo)                       # would block forever waiting for a writer
    p = write_parquet(tmp_path, "e.parquet", "SELECT 1 AS a WHERE false")
    with pytest.raises(FileFormatError, match="the table has no rows"):
        read_table(p)
    with pytest.raises(FileFormatError, match="header line but no data rows"):
        read_table(write_text(tmp_path, "h.csv", "a,b\n"))
    # an .xlsx named .csv is read as a spreadsheet (told by its first bytes)
    x = write_xlsx(tmp_path, "x.xlsx", {"s": ROWS})
    os.rename(x, tmp_path / "looks.csv")
    check_rows(read_table(tmp_path / "looks.csv"))


@pytest.mark.parametrize("arrow", [True, False])
@pytest.mark.parametrize("at, gz", [(11, False), (3001, False), (40_001, True), (49_999, False)])
def test_a_too_long_line_is_named_by_its_line(tmp_path, monkeypatch, arrow, at, gz):
    # DuckDB names line 1 when the long line is in its sniffer's sample
    import gzip as gzip_mod

    from somdesk.io.tables import arrowread
    monkeypatch.setattr(arrowread, "ENABLED", arrow)
    lines = ["a,b"] + [f"{i},{i * 0.5}" for i in range(1, 50_000)]
    lines[at - 1] = "7," + "x" * 2_500_000
    data = ("\n".join(lines) + "\n").encode()
    p = tmp_path / ("t.csv.gz" if gz else "t.csv")
    p.write_bytes(gzip_mod.compress(data, 1) if gz else data)
    with pytest.raises(FileFormatError) as err:
        read_table(str(p))
    assert str(err.value) == (f"cannot read {p.name}: line {at:,} is 2,500,002 bytes long; "
                              "a line may have at most 2,000,000")


def test_bytes_0x80_to_0x9f_are_read_as_windows_1252_not_control_characters(tmp_path):
    """testerF #4: Excel on Windows writes cp1252; its euro sign 0x80 (and dashes, quotes) are
    C1 control characters in Latin-1 (the chunked reader: test_chunked_parity's cp1252.csv)."""
    text = "Name;Preis\nMüller;5 €\nZoë – Ärger;7 €\n"
    p = write_text(tmp_path, "w.csv", text, "cp1252")
    tab = read_table(p)
    assert tab.encoding == "cp1252"
    assert tab.strings("Name") == ["Müller", "Zoë – Ärger"]
    [warning] = [w for w in tab.warnings if "UTF-8" in w]
    assert "Windows-1252" in warning and "was assumed" in warning
    # a byte cp1252 leaves undefined (0x81): Latin-1 still, which decodes any byte
    q = tmp_path / "l.csv"
    q.write_bytes(b"name,v\nJos\xe9\x81,1\n")
    tab = read_table(q)
    assert tab.encoding == "latin-1" and any("Latin-1 was assumed" in w for w in tab.warnings)
