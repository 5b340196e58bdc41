""""No numeric column" says when the read made the numbers text (tester10 #17): a wrong
delimiter, a decimal comma for decimal-point numbers, a header read as data -- the one-hot
hint only when the columns are words, and "(besides the label)" only with a label."""
import pytest

from somdesk.errors import OptionError
from somdesk.io.tables.options import ReadOptions
from somdesk.io.tables.table import read_table
from somdesk.session.table_columns import default_columns

ROWS = "a,b,kind\n" + "".join(f"{i}.5,{i * 3 % 7}.25,{'xy'[i % 2]}\n" for i in range(12))


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text(ROWS)
    return p


@pytest.mark.parametrize("opts, label, said", [
    (ReadOptions(delimiter=";"), None, "with the delimiter ';' the file has one column"),
    (ReadOptions(decimal=","), "kind", "column 'a' holds '0.5', not a number with the decimal separator ','"),
    (ReadOptions(header=False), None, "the first row holds 'a' in column"),
])
def test_the_read_option_is_named(path, opts, label, said):
    with pytest.raises(OptionError) as e:
        default_columns(read_table(path, opts), label)
    msg = str(e.value)
    assert said in msg and "one-hot" not in msg
    assert ("besides the label" in msg) == (label is not None)


def test_words_keep_the_one_hot_hint(tmp_path):
    p = tmp_path / "w.csv"
    p.write_text('c,"d, e"\nred,big\nblue,small\nred,small\n')
    with pytest.raises(OptionError, match=r'one-hot encoded when chosen, e.g. --columns c,"d, e"$') as e:
        default_columns(read_table(p), None)
    assert "besides" not in str(e.value)
