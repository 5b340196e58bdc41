"""What the window remembers between runs, in QSettings("somdesk", "somdesk").

Always the INI format (so tests can redirect it with
`QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)`):
window geometry and splitter state, the last parameters, the view, the marker
toggle, the speed, and up to `MAX_RECENT` recent palette files.  Values are
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


def restore_window(win, s: Settings) -> None:
    """Put back what `save_window` stored; anything missing or stale keeps its default."""
    from somdesk.gui.canvas import VIEWS
    from somdesk.gui.menus import DEFAULT_SPEED
    from somdesk.gui.training import DEFAULT_FPS

    geom = s.geometry()
    if geom is not None:
        win.restoreGeometry(geom)
    for key, splitter in (("window/splitter", win.splitter), ("window/right", win.right_splitter)):
        state = s.geometry(key)
        if state is not None:
            splitter.restoreState(state)
    cfg = s.config()
    if cfg is not None:
        win.params.set_config(cfg)
    view = s.get("view/mode", "colours")
    win.set_view(view if view in VIEWS else "colours")
    win.actions.markers.setChecked(s.get("view/markers", True))
    speed = s.get("training/speed", DEFAULT_SPEED)
    win.set_speed(speed if speed in win.actions.speeds else DEFAULT_SPEED)
    win.fps_spin.setValue(s.get("training/fps", DEFAULT_FPS))


def save_window(win, s: Settings) -> None:
    """Geometry, splitters, the last valid parameters, view, markers, speed, redraw rate."""
    s.set_geometry(win.saveGeometry())
    s.set_geometry(win.splitter.saveState(), "window/splitter")
    s.set_geometry(win.right_splitter.saveState(), "window/right")
    try:
        s.set_config(win.params.config())
    except SomdeskError:
        pass  # keep the last valid parameters
    s.set("view/mode", win.canvas.view)
    s.set("view/markers", win.actions.markers.isChecked())
    s.set("training/speed", win.actions.speed_group.checkedAction().data())
    s.set("training/fps", win.fps_spin.value())
    s.sync()
