"""What the one window remembers between launches (gui/settings.py), and the seed rule of
issue 12.  Ported from the old window's test_files_settings.py."""
from __future__ import annotations

from PySide6.QtCore import QSettings

from somdesk.core import SOMConfig
from somdesk.gui.settings import Settings, open_settings

from .helpers import make_window, open_and_wait, train


def test_settings_live_in_the_temporary_location(temp_settings):
    s = open_settings()
    s.setValue("probe", 1)
    s.sync()
    assert str(temp_settings) in s.fileName()
    assert QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "somdesk", "somdesk").fileName() == s.fileName()


def test_parameters_view_speed_and_geometry_persist(qtbot):
    win = make_window(qtbot, speed=None)
    cfg = SOMConfig(width=33, height=21, iterations=250, learning_rate=0.2, topology="hexagonal")
    win.left.params.set_config(cfg)
    win.set_view("umatrix")
    win.set_speed("fast")
    win.resize(900, 700)        # the offscreen screen is 800x800: only the height fits as is
    qtbot.waitUntil(lambda: win.left.params.valid, timeout=2000)
    win.close()

    win = make_window(qtbot, speed=None)
    try:
        assert win.left.params.config() == cfg and win.session.config.replace(seed=None) == cfg
        assert win.view == "umatrix" and win.actions["view_umatrix"].isChecked()
        assert win.actions["speed_fast"].isChecked() and win.pace == 1000.0 and win.speed == "fast"
        assert win.height() == 700 and Settings().geometry() is not None
    finally:
        win.close()


def test_a_typed_seed_is_not_kept_for_later_launches(qtbot):
    win = make_window(qtbot)
    params = win.left.params
    assert not params.keep_seed.isEnabled()               # nothing typed: nothing to keep
    params.seed_spin.setText("12345")
    assert params.keep_seed.isEnabled() and not params.keep_seed.isChecked()
    win.train()                                           # the typed seed is used in this window
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=120_000)   # a whole run: slow under load
    assert win.session.map.seed == 12345
    assert "random seed 12345 (fixed)" in win.map_title.text()
    win.close()
    assert Settings().config().seed is None               # not written for the next launch

    win = make_window(qtbot)
    try:
        assert win.left.params.seed_spin.text() == "" and win.left.params.config().seed is None
        assert not win.left.params.keep_seed.isChecked()
        assert "(fixed" not in win.map_title.text()
    finally:
        win.close()


def test_a_seed_is_kept_only_when_asked_and_shows_as_fixed(qtbot):
    win = make_window(qtbot)
    params = win.left.params
    params.seed_spin.setText("9223372036854775807")       # the largest seed the app shows
    params.keep_seed.setChecked(True)
    qtbot.waitUntil(lambda: win.session.config.seed == 2**63 - 1, timeout=2000)
    qtbot.waitUntil(lambda: "(fixed, kept for later launches)" in win.map_title.text(), timeout=2000)
    win.close()

    win = make_window(qtbot)                              # the next launch
    try:
        assert win.session.config.seed == 2**63 - 1 and win.left.params.keep_seed.isChecked()
        assert win.left.params.seed_spin.text() == "9223372036854775807"
        qtbot.waitUntil(lambda: "random seed 9223372036854775807 (fixed, kept for later launches)"
                        in win.map_title.text(), timeout=2000)
        win.left.params.seed_spin.setText("")             # cleared: random again, and not kept
        assert not win.left.params.keep_seed.isChecked() and not win.left.params.keep_seed.isEnabled()
    finally:
        win.close()
    assert Settings().config().seed is None and not Settings().get("training/keep_seed", True)


def test_corrupt_settings_fall_back_to_defaults(qtbot):
    s = open_settings()
    s.setValue("training/config", "{not json")
    s.setValue("view/mode", '"nonsense"')
    s.setValue("training/speed", '"warp"')
    s.setValue("files/recent", "[1, 2")
    s.setValue("window/geometry", "garbage")
    s.sync()
    win = make_window(qtbot, speed=None)
    try:
        assert win.left.params.config() == SOMConfig() and win.view == "colours"
        assert win.speed == "normal" and Settings().recent_files() == []
    finally:
        win.close()


def test_a_window_without_settings_remembers_nothing(qtbot):
    win = make_window(qtbot, settings=False)
    win.set_speed("slow")
    win.close()
    assert Settings().get("training/speed", "none") == "none"


def test_a_random_seed_stays_random_across_files(qtbot, tmp_path):
    """testerW #5: File > Open showed the start map's drawn seed as if typed ("(fixed)" in the
    title) and every later file and run reused it."""
    files = []
    for k, name in enumerate(("one.gpl", "two.gpl")):
        path = tmp_path / name
        path.write_text("GIMP Palette\n#\n" + "".join(f"{10 * i + k} {200 - i} {i * 3}\n" for i in range(9)))
        files.append(path)
    win = make_window(qtbot)
    try:
        params = win.left.params
        assert params.seed_spin.text() == ""
        seeds = []
        for path in files:
            assert open_and_wait(qtbot, win, path)
            qtbot.waitUntil(lambda: win.session.map is not None, timeout=5000)
            assert params.seed_spin.text() == "" and params.config().seed is None
            assert "(fixed" not in win.map_title.text()
            seeds.append(win.session.map.seed)
            win.left.params.width_spin.setValue(win.left.params.width_spin.value())   # no edit
        assert seeds[0] != seeds[1]                       # each file draws its own
        train(qtbot, win)                                 # the run keeps the shown map's seed
        assert win.session.map.seed == seeds[1] and params.seed_spin.text() == ""
    finally:
        win.close()


def test_the_drawn_seed_typed_stays_fixed_across_files(qtbot, tmp_path):
    """retest #1: typing the seed the title shows (to repeat the run) was dropped at the next
    File > Open: the config already held that number, so the window never recorded it as typed."""
    path = tmp_path / "one.gpl"
    path.write_text("GIMP Palette\n#\n" + "".join(f"{10 * i} {200 - i} {i * 3}\n" for i in range(9)))
    win = make_window(qtbot)
    try:
        params = win.left.params
        assert open_and_wait(qtbot, win, path)
        qtbot.waitUntil(lambda: win.session.map is not None, timeout=5000)
        drawn = win.session.map.seed
        params.seed_spin.setText(str(drawn))
        qtbot.waitUntil(lambda: not win.session.seed_drawn, timeout=2000)
        assert win.session.map is not None and win.session.map.seed == drawn     # the map stays
        qtbot.waitUntil(lambda: f"random seed {drawn} (fixed)" in win.map_title.text(), timeout=2000)
        assert open_and_wait(qtbot, win, path)
        qtbot.waitUntil(lambda: win.session.map is not None, timeout=5000)
        assert win.session.map.seed == drawn and params.seed_spin.text() == str(drawn)
    finally:
        win.close()
