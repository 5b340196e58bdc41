"""Column names holding ',' or '=' in --columns/--weights/--passive/--categorical (tester10 #18):
the lists are read as CSV (a name in double quotes), --weights splits at the last '=', and a
name not found that is a piece of such a column says how to quote it."""
import pytest

from somdesk.cli import main
from somdesk.cli_table import _split, _weights


def test_lists_are_read_as_csv():
    assert _split('"income, net",age') == ("income, net", "age")
    assert _split('"income, net", age ,') == ("income, net", "age")
    assert _split("a,b") == ("a", "b") and _split(None) == ()


def test_weights_split_at_the_last_equals_sign():
    assert _weights('"income, net"=2,q=1=3', None) == {"income, net": 2.0, "q=1": 3.0}
    assert _weights("1,2", ("a", "b")) == {"a": 1.0, "b": 2.0}


@pytest.fixture
def commaname(tmp_path):
    p = tmp_path / "commaname.csv"
    p.write_text('"income, net",age,"q=1"\n10,20,1\n12,25,2\n30,40,5\n22,31,3\n15,22,1\n11,21,2\n')
    return p


def test_a_quoted_name_trains(commaname, tmp_path, capsys):
    code = main(["train", "--table", str(commaname), "--columns", '"income, net",q=1', "--weights",
                 '"income, net"=2,q=1=0.5', "--save-map", str(tmp_path / "m.somz"), "-q"])
    assert code == 0, capsys.readouterr().err


@pytest.mark.parametrize("option", ["--columns", "--passive"])
def test_an_unquoted_name_says_how_to_quote(commaname, tmp_path, capsys, option):
    code = main(["train", "--table", str(commaname), option, "income, net,age",
                 "--save-map", str(tmp_path / "m.somz"), "-q"])
    err = capsys.readouterr().err
    assert code != 0 and "no column 'income'" in err and "double quotes" in err and "'\"income, net\"'" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("option, text, shown", [
    ("--columns", "inc\nome", "'inc\\nome'"), ("--weights", "inc\rome=2", "'inc\\rome=2'"),
    ("--passive", "age, inc\nome", "'inc\\nome'")])
def test_a_line_break_is_named_as_one(commaname, tmp_path, capsys, option, text, shown):
    # tester13 #6: a name holding a line break was told "write a name holding a comma in double quotes"
    code = main(["train", "--table", str(commaname), option, text, "--save-map", str(tmp_path / "m.somz")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert f": {shown} holds a line break; write a name holding a comma, a line break or a double quote in " \
           f"double quotes, each quote in it doubled, e.g. '\"{shown[1:-1]}\"'" in err


def test_a_quoted_line_break_is_read():
    assert _split('"inc\nome",age') == ("inc\nome", "age")
    assert _weights('"inc\nome=2"', None) == {"inc\nome": 2.0}
