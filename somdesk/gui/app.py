"""The GUI's front door: `main(files, smoke_test=None) -> int`.

`somdesk [FILE ...]` opens the window with the default job (20 random colours,
100x100, 1000 iterations), the given palettes, or one saved map (.somz).
`--smoke-test OUT.png` opens the real window, trains a short job through the
same worker, writes a PNG of the map and prints one line; exit status 0 on
success, 1 on failure.
"""
from __future__ import annotations

import sys
import time
import traceback

import numpy as np

SMOKE_CONFIG = dict(width=40, height=40, iterations=100, seed=7)
SMOKE_TIMEOUT_S = 120


def ensure_app():
    """The QApplication (created once, reused by tests and the smoke mode)."""
    from PySide6.QtWidgets import QApplication
    import somdesk

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    from somdesk.gui import gc_guard
    gc_guard.install()   # cyclic GC only in the GUI thread (see gc_guard)
    app.setOrganizationName("somdesk")
    app.setApplicationName("somdesk")
    app.setApplicationVersion(somdesk.__version__)
    if app.windowIcon().isNull():
        from PySide6.QtGui import QIcon

        from somdesk.resources import resource_path
        icon = resource_path("icons", "somdesk.png")
        if icon is not None:
            app.setWindowIcon(QIcon(str(icon)))
    return app


def _install_excepthook(window_ref: list):
    """Unexpected exceptions in the GUI thread become a dialog, never a dead app."""
    previous = sys.excepthook

    def hook(exc_type, exc, tb):
        from somdesk.errors import SomdeskError
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        message = str(exc) if issubclass(exc_type, SomdeskError) else f"Unexpected error: {exc_type.__name__}: {exc}"
        win = window_ref[0] if window_ref else None
        if win is not None:
            win.show_error(message, "" if issubclass(exc_type, SomdeskError) else details)
        else:
            sys.stderr.write(details)

    sys.excepthook = hook
    return previous


def main(files: list[str] | None = None, smoke_test: str | None = None) -> int:
    files = list(files or [])
    window_ref: list = []
    previous_hook = _install_excepthook(window_ref)
    try:
        app = ensure_app()
        from somdesk.gui.main_window import MainWindow
        from somdesk.gui.settings import Settings

        if smoke_test is not None:
            window = MainWindow(settings=None, interactive=False)
            window_ref.append(window)
            return _smoke(app, window, smoke_test, files)
        window = MainWindow(settings=Settings(), confirm_unsaved=True)
        window_ref.append(window)
        from somdesk.gui.tasks import shutdown_all
        app.aboutToQuit.connect(window.controller.shutdown)
        app.aboutToQuit.connect(shutdown_all)   # however the app ends, every task has ended (one check each)
        window.show()
        if files:
            window.open_files(files)
        return app.exec()
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        print(f"somdesk: {exc}", file=sys.stderr)
        traceback.print_exc()
        return 1
    finally:
        sys.excepthook = previous_hook


def process_age_seconds() -> float | None:
    """Seconds since this process started (Linux /proc), or None elsewhere."""
    try:
        import os
        with open("/proc/self/stat") as fh:
            start_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as fh:
            uptime = float(fh.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def _smoke(app, window, out: str, files: list[str] | None = None) -> int:
    """Train a short job in the real window and save its map as a PNG.

    With files, their palettes are the inputs (the packaged-app check uses this
    to show that a palette given on the command line opens); else 20 random colours.
    """
    from PySide6.QtCore import QEventLoop, QTimer

    from somdesk.core import SOMConfig
    from somdesk.gui.palette_strip import random_colours

    outcome: dict = {}
    loop = QEventLoop()
    try:
        window.show()
        app.processEvents()
        age = process_age_seconds()
        if age is not None:
            print(f"somdesk smoke test: window visible {age:.2f} s after the process started", flush=True)
        window.params.set_config(SOMConfig(**SMOKE_CONFIG))
        if files:
            if not window.open_files(files):
                raise RuntimeError(f"could not open {', '.join(files)}: {window.last_error}")
        else:
            window.palette.set_colours(random_colours(20, np.random.default_rng(SMOKE_CONFIG["seed"])))
        window.set_speed("max")
        window.controller.finished.connect(lambda snap: (outcome.setdefault("snap", snap), loop.quit()))
        window.controller.failed.connect(lambda msg, _d: (outcome.setdefault("error", msg), loop.quit()))
        QTimer.singleShot(SMOKE_TIMEOUT_S * 1000, loop.quit)
        t0 = time.perf_counter()
        window.rebuild_preview()
        window.train()
        if window.controller.state == "idle":
            outcome.setdefault("error", window.last_error or "training did not start")
        else:
            loop.exec()
        took = time.perf_counter() - t0
        if "error" in outcome:
            raise RuntimeError(outcome["error"])
        if "snap" not in outcome:
            raise RuntimeError(f"training did not finish within {SMOKE_TIMEOUT_S} s")
        snap = outcome["snap"]
        image = window.map_image(cell=8)
        if image is None or not image.save(out, "PNG"):
            raise RuntimeError(f"could not write {out}")
        qe, te = window.metrics.points()[-1, 1:]
        cfg = snap.config
        print(f"somdesk smoke test OK: {cfg.width}x{cfg.height} map, {snap.iteration} iterations in "
              f"{took:.2f} s, QE {qe:.4f}, TE {te:.3f} -> {out}", flush=True)
        return 0
    except Exception as exc:  # noqa: BLE001
        print(f"somdesk smoke test FAILED: {exc}", flush=True)
        return 1
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()
