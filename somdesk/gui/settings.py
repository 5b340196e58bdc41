"""What the window remembers between runs, in QSettings("somdesk", "somdesk").

Always the INI format (so tests can redirect it with
`QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)`):
window geometry and splitter state, the last map settings (the random seed only
when "Keep this seed" is ticked), the view, the speed, the last folder, the export
and time-lapse choices, and up to `MAX_RECENT` recent files (any kind).  Values are
stored as JSON strings where Qt's INI lists would be ambiguous.  A corrupt or
stale entry is ignored, never an error.
"""
from __future__ import annotations

import json
import os

from PySide6.QtCore import QByteArray, QSettings

from somdesk.core import SOMConfig
from somdesk.errors import SomdeskError

ORGANISATION = APPLICATION = "somdesk"
MAX_RECENT = 10


def open_settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION)


class Settings:
    """Typed access to the window's settings; every getter has a safe default."""

    def __init__(self, qsettings: QSettings | None = None):
        self.q = qsettings if qsettings is not None else open_settings()

    # -- geometry ------------------------------------------------------------------
    def geometry(self, key: str = "window/geometry") -> QByteArray | None:
        value = self.q.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_geometry(self, value: QByteArray, key: str = "window/geometry") -> None:
        self.q.setValue(key, value)

    # -- parameters ----------------------------------------------------------------
    def config(self) -> SOMConfig | None:
        try:
            return SOMConfig.from_dict(json.loads(str(self.q.value("training/config", ""))))
        except (ValueError, TypeError, SomdeskError):
            return None

    def set_config(self, cfg: SOMConfig) -> None:
        self.q.setValue("training/config", json.dumps(cfg.to_dict()))

    def _json(self, key: str, default):
        try:
            value = json.loads(str(self.q.value(key, "")))
        except (ValueError, TypeError):
            return default
        return value if isinstance(value, type(default)) else default

    # -- small values --------------------------------------------------------------
    def get(self, key: str, default):
        """A str/bool/int/float value stored as JSON, or `default` if absent or of another type."""
        try:
            value = json.loads(str(self.q.value(key, "")))
        except (ValueError, TypeError):
            return default
        return value if type(value) is type(default) else default

    def set(self, key: str, value) -> None:
        self.q.setValue(key, json.dumps(value))

    # -- recent files ---------------------------------------------------------------
    def recent_files(self) -> list[str]:
        files = self._json("files/recent", [])
        return [f for f in files if isinstance(f, str)][:MAX_RECENT]

    def add_recent_file(self, path: str) -> list[str]:
        path = os.path.abspath(path)
        files = [path] + [f for f in self.recent_files() if f != path]
        self.q.setValue("files/recent", json.dumps(files[:MAX_RECENT]))
        return files[:MAX_RECENT]

    def remove_recent_file(self, path: str) -> list[str]:
        files = [f for f in self.recent_files() if f != path]
        self.q.setValue("files/recent", json.dumps(files))
        return files

    def clear_recent_files(self) -> None:
        self.q.setValue("files/recent", "[]")

    def sync(self) -> None:
        self.q.sync()


def remembered_config(s: Settings) -> SOMConfig | None:
    """The map settings to start a new colour map with: the last ones, with a random
    seed unless the user ticked "Keep this seed" (issue 12: a seed typed once is not
    silently kept for every later launch)."""
    cfg = s.config()
    if cfg is None:
        return None
    return cfg if s.get("training/keep_seed", False) else cfg.replace(seed=None)


SCREEN_SHARE = 0.9     # the first window takes at most this much of the screen's free area


def first_size(win, width: int, height: int) -> tuple[int, int]:
    """(w, h): `width` x `height`, or less on a small screen -- at most SCREEN_SHARE of the
    screen's available area, so a 1366x768 laptop or a 150 % display scale does not put the
    status line and the QE/TE plot below the screen edge (tester7 #24) -- never below the
    window's minimum size (Qt keeps a window at least that big anyway)."""
    screen = win.screen()
    if screen is None:
        return width, height
    free = screen.availableGeometry()
    least = win.minimumSizeHint()
    w = max(min(width, int(free.width() * SCREEN_SHARE)), least.width())
    h = max(min(height, int(free.height() * SCREEN_SHARE)), least.height())
    return w, h


def restore_window(win, s: Settings) -> None:
    """Put back what `save_window` stored; anything missing or stale keeps its default.
    The map settings are applied by `apply_remembered_config` once a colour map exists."""
    from somdesk.gui.window_actions import SPEEDS, VIEWS

    geom = s.geometry()
    if geom is not None:
        win.restoreGeometry(geom)
    state = s.geometry("window/splitter")
    if state is not None:
        win.splitter.restoreState(state)
    speed = s.get("training/speed", win.speed)
    win.set_speed(speed if speed in {k for k, *_ in SPEEDS} else win.speed)
    view = s.get("view/mode", "colours")
    if view in VIEWS:
        win.set_view(view)
    win.left.params.keep_seed.setChecked(s.get("training/keep_seed", False))


def apply_remembered_config(win, s: Settings) -> None:
    """A new colour map starts from the remembered settings (see `remembered_config`)."""
    cfg = remembered_config(s)
    if cfg is not None and win.session.kind == "colours" and not win.session.would_discard_training:
        win.session.set_config(cfg)
        win.left.params.set_config(cfg)
        win.left.params.keep_seed.setChecked(cfg.seed is not None)


def save_window(win, s: Settings) -> None:
    """Geometry, splitter, the last valid map settings (the seed only if kept), view, speed."""
    s.set_geometry(win.saveGeometry())
    s.set_geometry(win.splitter.saveState(), "window/splitter")
    params = win.left.params
    keep = params.keep_seed.isChecked() and params.seed_spin.value() >= 0
    try:
        cfg = params.config()
        s.set_config(cfg if keep else cfg.replace(seed=None))
    except SomdeskError:
        pass  # keep the last valid settings
    s.set("training/keep_seed", bool(keep))
    s.set("view/mode", win.view)
    s.set("training/speed", win.speed)
    s.sync()
