"""The defaults on a palmerpenguins-like table (tester11): the label is `species` (the leftmost
class column), not `sex` (the last text column), and `year` is not trained on but shown as a
passive column -- in memory, out of core and in the window's Setup ticks alike."""
import numpy as np
import pytest

from somdesk.cli import main
from somdesk.io.table import read_table_text
from somdesk.io.tables.table import read_table
from somdesk.session.scoring import load_table_map
from somdesk.session.table_columns import date_rule
from somdesk.session.table_columns import (default_columns, default_columns_warnings, default_label_column,
                                           default_passive)
from somdesk.session.table_data import TableMapSpec, train_table_map

from _penguins import penguins_csv

MEASURES = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g")


def test_penguins_defaults(tmp_path):
    table = read_table(penguins_csv(tmp_path))
    label = default_label_column(table, set(table.numeric_columns))
    assert label == "species"
    assert default_columns(table, label) == MEASURES
    assert default_passive(table, label) == ("year",)
    assert any("'year' (calendar years)" in w and "passive" in w for w in default_columns_warnings(table, label))
    tm, _prep = train_table_map(table, TableMapSpec(label=label, seed=1, epochs=5))
    assert tm.recipe.features == (*MEASURES, "year")
    assert tm.recipe.active.tolist() == [True] * 4 + [False]        # year: a plane on the map, placing no row
    planes = tm.planes_in_units()[1][:, :, 4]
    assert np.nanmin(planes) >= 2007 and np.nanmax(planes) <= 2009


@pytest.mark.parametrize("out_of_core", [False, True])
def test_cli_default_and_override(tmp_path, capsys, out_of_core):
    data = penguins_csv(tmp_path)
    extra = ["--out-of-core"] if out_of_core else []
    assert main(["train", "--table", data, "--save-map", str(tmp_path / "d.somz"), "-q", *extra]) == 0
    tm = load_table_map(tmp_path / "d.somz")
    assert tm.recipe.features == (*MEASURES, "year") and not tm.recipe.active[4]
    # named in --columns: trained on, no word
    assert main(["train", "--table", data, "--columns", ",".join((*MEASURES, "year")),
                 "--save-map", str(tmp_path / "y.somz"), *extra]) == 0
    assert "like a date" not in capsys.readouterr().err        # one column: "looks like a date"
    assert load_table_map(tmp_path / "y.somz").recipe.active.all()


@pytest.mark.parametrize("name,lo,hi,ymd,why", [
    ("year", 2007, 2009, False, "calendar years"),
    ("birth_year", 1950, 2001, False, "calendar years"),
    ("ModelYear", 1970, 1982, False, "calendar years"),
    ("years_employed", 1, 40, False, None),           # a duration
    ("year", 1, 5, False, None),                      # a school year, not a date
    ("month", 1, 12, False, "calendar months"),
    ("day_of_week", 0, 6, False, "a calendar position"),
    ("calls_per_day", 1, 20, False, None),            # a measurement
    ("day", 1, 45, False, None),
    ("quarter", 1, 4, False, "calendar quarters"),
    ("visited", 20240101, 20241231, True, "dates written as yyyymmdd numbers"),
    ("amount", 20240101, 20241231, False, None),
])
def test_date_rule(name, lo, hi, ymd, why):
    assert date_rule(name, lo, hi, ymd) == why


def test_yyyymmdd_values_and_dates_alone_stay_in():
    text = "when,x,y\n" + "".join(f"2024{1 + i % 12:02d}{1 + i % 28:02d},{i % 7},{i * 3 % 11}\n" for i in range(30))
    table = read_table_text(text)
    assert default_passive(table) == ("when",) and default_columns(table) == ("x", "y")
    only = read_table_text("year,label\n" + "".join(f"{2000 + i % 5},{'ab'[i % 2]}\n" for i in range(30)))
    assert default_columns(only, "label") == ("year",) and default_passive(only, "label") == ()


def test_label_rule_class_word_first_else_leftmost():
    rows = "".join(f"{i},{'ab'[i % 2]},{'xyz'[i % 3]},{'pq'[i % 2]}\n" for i in range(30))
    table = read_table_text("v,sex,island,group\n" + rows)
    assert default_label_column(table, {"v"}) == "group"           # a class word wins wherever it stands
    table = read_table_text("v,sex,island,colour\n" + rows)
    assert default_label_column(table, {"v"}) == "sex"             # else the leftmost category


@pytest.mark.parametrize("out_of_core", [False, True])
def test_ids_and_dates_alone_train_on_the_dates_alike(tmp_path, capsys, out_of_core):
    # review12 #2: when only an id and a year are numeric, the year comes back (an id only names
    # rows): in memory trained on `id` while out of core took `year`
    rng = np.random.default_rng(4)
    data = tmp_path / "idyear.csv"
    data.write_text("id,year,kind\n" + "".join(f"{i + 1},{y},{'ab'[k]}\n" for i, (y, k) in
                                               enumerate(zip(rng.integers(2000, 2012, 60), rng.integers(0, 2, 60)))))
    extra = ["--out-of-core"] if out_of_core else []
    assert main(["train", "--table", str(data), "--width", "3", "--height", "3", "--epochs", "1", "--seed", "1",
                 "--save-map", str(tmp_path / "m.somz"), *extra]) == 0
    tm = load_table_map(tmp_path / "m.somz")
    assert tm.recipe.features == ("year",) and tm.recipe.active.all()
    err = capsys.readouterr().err
    assert "'id' (named as an identifier)" in err and "look like dates" not in err


def test_default_fallback_brings_dates_back_before_identifiers():
    from somdesk.session.table_columns import default_fallback

    ids, sparse, dates = {"id": "an id"}, {"s": "mostly missing"}, {"year": "calendar years"}
    assert default_fallback(("id", "year", "s", "x"), ids, sparse, dates) == (("x",), ids, sparse, dates)
    assert default_fallback(("id", "year", "s"), ids, sparse, dates) == (("year",), ids, sparse, {})
    assert default_fallback(("id", "s"), ids, sparse, dates) == (("id",), {}, sparse, {})
    assert default_fallback(("s",), ids, sparse, dates) == (("s",), {}, {}, {})
    assert ids == {"id": "an id"} and dates == {"year": "calendar years"}       # the inputs are not changed
