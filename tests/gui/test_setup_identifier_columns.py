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
