"""Line ends are CRLF, LF and CR -- alone or mixed -- wherever somdesk splits or counts a file's
lines (mend13).  str.splitlines also broke at a form feed, vertical tab, \\x1c-\\x1e, \\x85 and
U+2028/2029 inside a quoted field or a palette name (io.lines.text_lines now, one helper), and
the out-of-core helpers that ask DuckDB before the chunked reader does refused (or crashed on)
a file mixing CRLF with bare LF and CR that the in-memory reader and ChunkedTable read."""
import pytest

from somdesk.cli import main
from somdesk.io.lines import text_lines
from somdesk.io.palettes import read_palette_bytes
from somdesk.io.palettes.detect import detect_format
from somdesk.io.tables.table import read_table
from somdesk.session.opening import sniff_kind

INSIDE = ["\x0c", "\u2028", "\u2029", "\x85", "\x0b", "\x1e"]     # str.splitlines breaks at each


def test_text_lines_of_bytes_and_text():
    assert text_lines(b"a\x0cb\r\nc\rd\ne\n") == [b"a\x0cb", b"c", b"d", b"e"]
    assert text_lines("a\u2028b\r\nc") == ["a\u2028b", "c"] and text_lines("") == [] and text_lines(b"") == []
    with pytest.raises(TypeError):
        text_lines(3)


@pytest.mark.parametrize("inside", INSIDE, ids=repr)
def test_a_character_inside_a_quoted_field_or_name_is_no_line_end(tmp_path, inside):
    # a table whose first row quotes a name: a table, not a CSS palette
    table = tmp_path / "t.csv"
    table.write_text(f'"Red{inside}ish",#ff0000\n"Blue",#0000ff\n', encoding="utf-8", newline="")
    assert sniff_kind(table) == "table"
    # a CSV palette whose header quotes a name: read by the CSV palette reader, as without it
    header = f'"colour{inside}name",hex\nRed,#ff0000\nBlue,#0000ff\n'.encode()
    assert detect_format(header, "p.csv") == "csv" == detect_format(header.replace(inside.encode(), b""), "p.csv")
    assert len(read_palette_bytes(header, "p.csv").swatches) == 2
    # a colour name in the first line: the CSV reader's own words, as without the character
    named = f'"Red{inside}ish",#ff0000\n"Blue",#0000ff\n'.encode()
    plain = named.replace(inside.encode(), b"")
    assert detect_format(named, "p.csv") == detect_format(plain, "p.csv") == "csv"


ENDS = ["\r\n", "\n", "\r"]


def _mixed(path, header, rows):
    """`rows` with line ends CRLF, LF and CR in turn (the header's CRLF)."""
    path.write_bytes((header + "\r\n" + "".join(r + ENDS[i % 3] for i, r in enumerate(rows))).encode())
    return str(path)


def test_mixed_line_ends_out_of_core_read_as_in_memory(tmp_path, capsys):
    from somdesk.cli_scale import _row_count
    from somdesk.io.chunked import count_rows, text_column_kinds
    from somdesk.session.outofcore_format import text_number_format

    eu = _mixed(tmp_path / "eu.csv", "id;a;kind", [f"{i};{i},5;k{i % 3}" for i in range(60)])
    table = read_table(eu)
    assert table.n_rows == 60 and set(table.numeric_columns) == {"id", "a"}
    table.close()
    # the number format and columns, the row count, the label kinds: were refused, 0, a traceback
    fmt, columns, text = text_number_format(eu, None, "kind")
    assert fmt == {"decimal": ",", "thousands": "", "delimiter": ";"} and columns == ["id", "a"] and text == ()
    assert count_rows(eu) == _row_count(eu) == 60
    kinds, rows = text_column_kinds(eu, None, (), 51)
    assert kinds["kind"] == 3 and rows == 60
    for extra in ([], ["--out-of-core"]):
        assert main(["train", "--table", eu, "--width", "2", "--height", "2", "--epochs", "1", "-q",
                     "--save-map", str(tmp_path / "m.somz"), *extra]) == 0, capsys.readouterr().err
    capsys.readouterr()
    # --mode batch over --max-rows trains in chunks: the mixed file's rows are counted, not 0
    assert main(["train", "--table", eu, "--mode", "batch", "--max-rows", "50", "--width", "2", "--height", "2",
                 "--epochs", "1", "--save-map", str(tmp_path / "b.somz")]) == 0
    assert "epoch out of core" in capsys.readouterr().out


def test_a_file_that_is_no_table_is_still_refused_in_words(tmp_path):
    from somdesk.errors import FileFormatError
    from somdesk.io.chunked import count_rows

    bad = tmp_path / "bad.csv"
    bad.write_bytes(b'a,b\r\n1,2\n"3,4\r5,6\n')      # mixed, and a quote never closed
    with pytest.raises(FileFormatError, match="bad.csv"):
        count_rows(str(bad))


def test_skip_past_the_end_counts_cr_lines(tmp_path, capsys):
    for name, end in (("cr.csv", "\r"), ("mixed.csv", None)):
        t = tmp_path / name
        body = "a,b\n1,2\r\n3,4\r" if end is None else end.join(["a,b", "1,2", "3,4"]) + end
        t.write_bytes(body.encode())
        assert main(["table", "info", str(t), "--skip", "1000"]) == 2
        assert "leaves nothing to read: the file has 3 lines" in capsys.readouterr().err
