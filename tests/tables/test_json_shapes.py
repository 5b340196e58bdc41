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
