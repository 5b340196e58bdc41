"""The Setup tab ticks sparse columns when Missing = train, as `train --table --missing train`
(tester13 #2; session.table_columns.missing_share_reason), and unticks them for drop/mean/median."""
from somdesk.io.tables.table import read_table


def test_the_setup_tab_ticks_sparse_items_when_missing_is_train(tmp_path, qtbot):
    from somdesk.gui.table_setup import TableSetup

    setup = TableSetup()
    qtbot.addWidget(setup)
    setup.missing.setCurrentText("drop")
    path = tmp_path / "w.csv"                      # full columns beside sparse ones
    path.write_text("age,s,t\n" + "".join(f"{20 + i % 50},{'' if i % 5 else 3},{'' if i % 60 else 2}\n"
                                          for i in range(200)))
    tab = read_table(path)
    try:
        setup.set_table(tab)
        assert [setup.column(c).use for c in ("age", "s", "t")] == [True, False, False]
        with qtbot.waitSignal(setup.spec_edited):
            setup.missing.setCurrentText("train")
        assert [setup.column(c).use for c in ("age", "s", "t")] == [True, True, False]   # t: 4 values
        assert setup.spec().columns == ("age", "s")
        setup.missing.setCurrentText("mean")
        assert [setup.column(c).use for c in ("age", "s", "t")] == [True, False, False]
        setup.missing.setCurrentText("train")
        setup.set_table(tab)                       # a table opened under train: ticked at once
        assert [setup.column(c).use for c in ("age", "s", "t")] == [True, True, False]
    finally:
        tab.close()
