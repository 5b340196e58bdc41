"""The row filter's ';' and comment guard looks outside string constants only (tester6 F36):
`/*`, `--` and `;` inside a quoted value are data, and a refused filter gets its real reason."""
from __future__ import annotations

import pytest

from somdesk.errors import OptionError
from somdesk.io.tables.options import ReadOptions
from somdesk.io.tables.table import read_table


@pytest.fixture
def csv_file(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("name,v\na--b,1\nc/*d,2\ne;f,3\nplain,4\n")
    return p


@pytest.mark.parametrize("where,names", [
    ("name = 'a--b'", ["a--b"]),
    ("name = 'c/*d'", ["c/*d"]),
    ("name = 'e;f'", ["e;f"]),
    ("name IN ('a--b', 'e;f') AND v > 0", ["a--b", "e;f"]),
    ("name <> 'it''s;--'", ["a--b", "c/*d", "e;f", "plain"]),
])
def test_comment_and_semicolon_characters_inside_strings_are_values(csv_file, where, names):
    tab = read_table(csv_file, ReadOptions(where=where))
    assert list(tab.strings("name")) == names


@pytest.mark.parametrize("where,match", [
    ("EXISTS (SELECT * FROM glob('/etc/*'))", "subquery"),      # was "may not contain an SQL comment"
    ("v > 1 /* hidden */", "SQL comment"),
    ("v > 1 -- hidden", "SQL comment"),
    ("v > 1; DROP TABLE src", "';'"),
    ("name = 'x'; SELECT 1", "';'"),
])
def test_refusals_name_the_real_reason(csv_file, where, match):
    with pytest.raises(OptionError, match=match):
        read_table(csv_file, ReadOptions(where=where))
