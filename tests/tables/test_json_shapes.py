"""JSON tables in the shapes API exports have (tester6 F10): records with nested fields, and
one key holding the list of records; both open as tables, in the window's sniff too."""
import json

import pytest

from somdesk.io.tables.table import read_table
from somdesk.session import Session
from somdesk.session.opening import sniff_kind

RECORDS = [{"id": f"C{i}", "age": 20 + i % 50, "spend": i * 1.5, "region": "NSEW"[i % 4],
            "tags": ["a", "b"][: i % 3], "address": {"city": "X", "zip": i}} for i in range(60)]


@pytest.mark.parametrize("shape", ["nested", "wrapped", "wrapped_flat"])
def test_api_shaped_json_is_a_table(tmp_path, shape):
    recs = RECORDS if shape != "wrapped_flat" else [{k: r[k] for k in ("id", "age", "spend", "region")}
                                                     for r in RECORDS]
    doc = recs if shape == "nested" else {"customers": recs}
    p = tmp_path / "api.json"
    p.write_text(json.dumps(doc, indent=1))
    assert sniff_kind(p) == "table"
    tab = read_table(p)
    assert tab.n_rows == 60
    assert [tab.kind(c) for c in ("age", "spend", "region")] == ["numeric", "numeric", "categorical"]
    assert tab.cells("spend")[-1] == 59 * 1.5
    if shape != "nested":
        assert tab.dialect["records_key"] == "customers"
    if shape != "wrapped_flat":
        assert tab.kind("tags") == tab.kind("address") == "nested"
    s = Session()
    assert s.open(p) == "table"


def test_a_json_palette_is_still_a_palette(tmp_path):
    p = tmp_path / "pal.json"
    p.write_text(json.dumps({"colors": [{"hex": "#ff0000", "name": "red"}, {"hex": "#0000ff", "name": "blue"}]}))
    assert sniff_kind(p) == "palette"
    q = tmp_path / "one.json"
    q.write_text(json.dumps({"customers": [{"hex": "#ff0000"}]}))
    assert sniff_kind(q) != "table"


def test_ndjson_with_nested_fields_is_a_table_and_a_document_of_lists_is_not(tmp_path):
    p = tmp_path / "lines.json"
    p.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    assert sniff_kind(p) == "table"
    q = tmp_path / "named.json"        # one object of named colour lists: a palette collection
    q.write_text(json.dumps({"version": 2, "Sunset": ["#ff4500", "#ffd700"], "Ocean": ["#00f"]}))
    assert sniff_kind(q) == "palette"


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
def test_numbers_with_one_word_read_as_text_naming_the_word_in_json_as_in_csv(tmp_path, fmt):
    """Tester6 F54: a JSON column of numbers with ONE text value was "nested" and left out
    without a word; the same data as CSV says "text" and names the line.  Lists and objects
    (and a column mixing them with scalars) stay nested."""
    from somdesk.session.table_columns import spoiled_columns

    recs = [{"id": i, "a": i / 10, "flag": i % 2 == 0, "mixed": [i] if i == 5 else i, "n": None if i == 3 else i}
            for i in range(40)]
    recs[30]["a"] = "oops"
    p = tmp_path / f"drift.{fmt}"
    if fmt == "csv":
        p.write_text("id,a\n" + "".join(f"{r['id']},{r['a']}\n" for r in recs))
    else:
        p.write_text("\n".join(json.dumps(r) for r in recs) if fmt == "jsonl" else json.dumps(recs))
    tab = read_table(p)
    assert tab.kind("a") == "text" and tab.spoiled("a")
    assert tab.problem("a").endswith("has 'oops'") and ("line 32" if fmt == "csv" else "row 31") in tab.problem("a")
    assert spoiled_columns(tab) == [tab.problem("a") + "; it is left out of the training columns"]
    if fmt != "csv":
        assert tab.kind("mixed") == "nested" and tab.kind("n") == "numeric" and tab.kind("id") == "numeric"


@pytest.mark.parametrize("records, kind", [
    ([{"sku": "P0", "color": "blue", "price": 59.07, "weight": 4.03}], "table"),      # colour not a colour
    ([{"sku": "P0", "colour": "blue"}], "table"),
    ([{"sku": "P0", "hex": "#f7aab0", "price": 38.68}], "table"),                    # other numeric fields
    ([{"id": 1, "Color": "#ff0000"}], "table"),
    ([{"hex": "#ff0000", "name": "red"}, {"hex": "#0000ff", "name": "blue"}], "palette"),
    ([{"hex": "#ff000080", "name": "red", "alpha": 128}], "palette"),               # alpha is a palette's
    ([{"color": "#ff0000", "name": "red", "favourite": True}], "palette"),
    ([{"name": "warm", "colors": ["#ff0000", "#ffaa00"]}], "palette"),
])
def test_json_records_with_a_colour_key_are_a_palette_only_when_they_read_as_colours(tmp_path, records, kind):
    """Tester6 F40: a product table with a `color` field was sent to the palette reader and
    refused ("'blue' is not a hex colour"), where `somdesk table info` read it as a table."""
    p = tmp_path / "data.json"
    p.write_text(json.dumps(records * 30))
    assert sniff_kind(p) == kind
    if kind == "table":
        assert read_table(p).n_rows == 30


@pytest.mark.parametrize("lines,bad,words", [
    ([f'{{"x": {i}, "y": {2 * i}}}' for i in range(1, 21)], 10, "line 10 is not valid JSON"),
    ([f'{{"x": {i}, "y": {2 * i}}}' for i in range(1, 5)], 3, "line 3 is not valid JSON"),
    ([f'{{"x": {i}, "y": {2 * i}}}' for i in range(1, 5)], 1, "record 1 is not valid JSON"),
])
def test_malformed_ndjson_names_the_right_line_in_our_words(tmp_path, lines, bad, words):
    # DuckDB's "Malformed JSON in file ..., at byte 15 in line 11: unexpected character. " for
    # the bad line 10 (tester10 #16)
    from somdesk.errors import FileFormatError
    from somdesk.io.tables.table import read_table

    lines = list(lines)
    lines[bad - 1] = '{"x": 9, "y": }'
    p = tmp_path / "bad.json"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(FileFormatError) as got:
        read_table(str(p))
    assert str(got.value) == f"cannot read bad.json: {words} (unexpected character)"


def test_a_json_array_names_the_bad_record(tmp_path):
    from somdesk.errors import FileFormatError
    from somdesk.io.tables.table import read_table

    p = tmp_path / "arr.json"
    p.write_text('[\n {"x": 1},\n {"x": }\n]\n')
    with pytest.raises(FileFormatError, match=r"record 2 is not valid JSON"):
        read_table(str(p))


def test_a_damaged_json_table_is_not_called_a_palette(tmp_path, capsys):
    # not_a_table (tester10 #7) names a palette only when it reads as one
    from somdesk.cli import main

    p = tmp_path / "b1.json"
    p.write_text('{"x": }\n{"x": 2}\n')
    assert main(["table", "info", str(p)]) == 2
    err = capsys.readouterr().err
    assert "palette" not in err and "is not valid JSON" in err
