"""The Segments dock's column list does not tick row identifiers for training."""
from somdesk.gui.table_setup import TableSetup
from somdesk.io.tables.table import read_table


def test_identifier_columns_are_not_ticked(qtbot, tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("customer_id,row,x,y,kind\n" + "".join(
        f"{1000 + 7 * i},{i + 1},{(i * 37) % 11 * 0.5},{(i * 13) % 7},{'ab'[i % 2]}\n" for i in range(30)))
    tab = read_table(str(p))
    panel = TableSetup()
    qtbot.addWidget(panel)
    panel.set_table(tab)
    ticked = {r.name for r in panel.columns.choices() if r.use}
    assert ticked == {"x", "y"}
    assert panel.spec().columns == ("x", "y")
    tab.close()


def test_penguins_label_is_species_and_year_is_passive(qtbot, tmp_path):
    """tester11: the window proposed `sex` as the label and trained on `year`."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tables"))
    from _penguins import penguins_csv

    tab = read_table(penguins_csv(tmp_path))
    panel = TableSetup()
    qtbot.addWidget(panel)
    panel.set_table(tab)
    spec = panel.spec()
    assert spec.label == "species"
    assert spec.columns == ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "year")
    assert spec.passive == ("year",)
    tab.close()
