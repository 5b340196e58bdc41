"""One sniffing of a text table's head (io.tables.textfile.sniff_head / head_dialect) for the
reader and for scoring's check of a new file's number format (closing7's final read: scoring
had its own copy, which guessed the delimiter before skipping a title line)."""
from __future__ import annotations

import gzip

import pandas as pd
import pytest

from somdesk.cli import main
from somdesk.errors import FileFormatError
from somdesk.io.tables.options import ReadOptions
from somdesk.io.tables.table import read_table
from somdesk.io.tables.textfile import sniff_head

from _files import write_text

FILES = {
    "plain.csv": "a,b\n1.5,2\n3,4\n",
    "semi.csv": "price;qty\n1.234,5;2\n80.261;5\n7,25;1\n",
    "titled.csv": "Sales export 2026\nprice,qty\n34.152,5.906\n53.898,1.324\n12.5,3.25\n",
    "tabs.txt": "x\ty\tz\n1\t2\t3\n4\t5\t6\n",
    "commented.csv": "# made by a script\n# on a Tuesday\nx|y\n1|2\n3|4\n",
}


@pytest.mark.parametrize("name", sorted(FILES))
@pytest.mark.parametrize("packed", [False, True])
def test_the_head_is_sniffed_as_the_reader_reads_it(tmp_path, name, packed):
    if packed:
        path = tmp_path / (name + ".gz")
        path.write_bytes(gzip.compress(FILES[name].encode()))
        path = str(path)
    else:
        path = write_text(tmp_path, name, FILES[name])
    sniffed = sniff_head(path)
    tab = read_table(path)
    try:
        d = tab.dialect
        assert (sniffed.delimiter, sniffed.skip) == (d["delimiter"], d["skip"])
        assert (sniffed.hints.decimal or ".") == d["decimal"] and (sniffed.hints.thousands or "") == d["thousands"]
        assert sniffed.encoding == d["encoding"]
    finally:
        tab.close()


def test_options_given_are_what_is_sniffed(tmp_path):
    path = write_text(tmp_path, "t.csv", FILES["titled.csv"])
    got = sniff_head(path, ReadOptions(delimiter=";", skip=0))
    assert (got.delimiter, got.skip) == (";", 0)
    assert sniff_head(path, ReadOptions(format="parquet")) is None


def test_other_formats_are_not_text_and_bad_files_raise(tmp_path):
    pd.DataFrame({"a": [1.0]}).to_parquet(tmp_path / "t.parquet")
    assert sniff_head(str(tmp_path / "t.parquet")) is None
    (tmp_path / "bin.csv").write_bytes(b"a,b\n\x00\x01\x02\n")
    with pytest.raises(FileFormatError):
        sniff_head(str(tmp_path / "bin.csv"))
    with pytest.raises(OSError):
        sniff_head(str(tmp_path / "absent.csv"))


def test_scoring_names_the_delimiter_below_a_title_line(tmp_path, capsys):
    # the map's table is ';'-delimited with decimal commas; the new file is a US export with a
    # title line: its delimiter is ',' (scoring's own sniffing guessed ' ' from the title)
    train = write_text(tmp_path, "train.csv", "price;qty\n" + "".join(
        f"{i * 1000 + 261}.{i % 9}{i % 7},{i % 5};{i % 4 + 1},5\n" for i in range(1, 60)))
    m = str(tmp_path / "m.somz")
    assert main(["train", "--table", train, "--width", "3", "--height", "3", "--epochs", "2", "--save-map", m,
                 "-q"]) == 0, capsys.readouterr().err
    new = write_text(tmp_path, "us.csv", FILES["titled.csv"])
    assert main(["assign", m, new, "--out", str(tmp_path / "s.csv")]) == 0
    err = capsys.readouterr().err
    assert "us.csv is delimited by ',' where the map's own table was by ';'" in err, err
