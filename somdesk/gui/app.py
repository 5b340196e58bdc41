"""The GUI's front door: `main(files, smoke_test=None) -> int`.

`somdesk [FILE ...]` opens the window with the default job (20 random colours,
100x100, 1000 iterations), the given palettes, or one saved map (.somz).
`--smoke-test OUT.png` opens the real window, trains a short job through the
same worker, writes a PNG of the map and prints one line; exit status 0 on
success, 1 on failure.

Ctrl+C in the terminal (SIGINT) quits the window in the same order as Quit (Ctrl+Q): every
task stops and is joined, the window's geometry is saved, but nothing is asked (a terminal's
Ctrl+C means "stop now": unsaved training is not saved).  The exit status is then 130
(128 + SIGINT, what a shell reports for a program ended by Ctrl+C).  A second Ctrl+C while
that goes on ends the process at once (the default handler).
"""
from __future__ import annotations

import sys
import time
import traceback

import numpy as np
from somdesk.core.options import count_text

SMOKE_CONFIG = dict(width=40, height=40, iterations=100, seed=7)
SIGINT_EXIT = 130          # the exit status after Ctrl+C in the terminal (128 + SIGINT)
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
        from somdesk.core import memory
        from somdesk.errors import SomdeskError
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        plain = issubclass(exc_type, SomdeskError)
        message = str(exc) if plain else f"Unexpected error: {exc_type.__name__}: {exc}"
        if memory.is_out_of_memory(exc):     # any shape of it (core.memory): one sentence, no traceback
            from somdesk.gui.task_words import out_of_memory_text
            message, plain = out_of_memory_text(None, "work"), True
        win = window_ref[0] if window_ref else None
        if win is not None:
            win.show_error(message, "" if plain else details)
        else:
            sys.stderr.write(details)

    sys.excepthook = hook
    return previous


def quit_on_sigint(app) -> dict:
    """Make Ctrl+C in the terminal (SIGINT) close every window as Quit does, without a dialog.

    Qt's event loop runs in C++: a Python signal handler runs only when the interpreter next
    runs Python code, which an idle window may not do for minutes (tester11: Ctrl+C did not
    stop the window).  So the C-level handler's wake-up byte (signal.set_wakeup_fd) is written
    to a socket pair whose reading end a QSocketNotifier watches: the notifier's slot is Python
    code, and the handler runs at once.  Returns {"interrupted": bool}, which main() reads for
    the exit status.  Outside the main thread (tests) nothing is installed."""
    import signal
    import socket
    import threading

    from PySide6.QtCore import QSocketNotifier, QTimer

    said = {"interrupted": False}
    if threading.current_thread() is not threading.main_thread():
        return said
    read_end, write_end = socket.socketpair()
    for end in (read_end, write_end):
        end.setblocking(False)
    try:
        signal.set_wakeup_fd(write_end.fileno(), warn_on_full_buffer=False)
    except (ValueError, OSError):       # not possible here: a timer lets Python run 5 times a second
        read_end.close()
        write_end.close()
        ticker = QTimer(app)
        ticker.timeout.connect(lambda: None)
        ticker.start(200)
    else:
        notifier = QSocketNotifier(read_end.fileno(), QSocketNotifier.Type.Read, app)

        def drain() -> None:
            try:
                while read_end.recv(512):
                    pass
            except OSError:             # nothing more to read (BlockingIOError)
                pass
        notifier.activated.connect(drain)
        app._sigint_wakeup = (read_end, write_end, notifier)     # alive as long as the application

    def on_sigint(_signum, _frame) -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)    # a second Ctrl+C ends the process at once
        said["interrupted"] = True
        # out of the signal handler: the windows close from the event loop, in the usual order
        QTimer.singleShot(0, lambda: _close_everything(app))

    signal.signal(signal.SIGINT, on_sigint)
    return said


def _sigint_back_to_python(app) -> None:
    """After the window's event loop: Ctrl+C raises KeyboardInterrupt again, no wake-up fd."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.set_wakeup_fd(-1)
    for end in getattr(app, "_sigint_wakeup", ())[:2]:
        end.close()


def _close_everything(app) -> None:
    """Ctrl+C's quit: any dialog goes (Cancel), every window closes without asking about unsaved
    work (its close stops and joins its tasks), then the event loop ends."""
    from PySide6.QtWidgets import QApplication

    from somdesk.gui.window import WINDOWS, quit_all

    for _ in range(10):                  # nested modal dialogs: the innermost first
        modal = QApplication.activeModalWidget()
        if modal is None:
            break
        modal.reject() if hasattr(modal, "reject") else modal.close()
    for win in list(WINDOWS):
        win.confirm_unsaved = False
    quit_all()
    app.exit(SIGINT_EXIT)


def main(files: list[str] | None = None, smoke_test: str | None = None, smoke_options: dict | None = None) -> int:
    files = list(files or [])
    window_ref: list = []
    previous_hook = _install_excepthook(window_ref)
    try:
        app = ensure_app()
        from somdesk.gui import gc_guard
        from somdesk.gui.tasks import QUIT_WAIT_S, exit_when_tasks_end, shutdown_all
        from somdesk.gui.window import Window

        # however the app ends, every task is stopped and has ended (one check each); one that
        # cannot check (numba compiling) is left by exit_when_tasks_end after the loop
        app.aboutToQuit.connect(lambda: shutdown_all(QUIT_WAIT_S))
        if smoke_test is not None:
            window = Window(interactive=False, confirm_unsaved=False)
            window_ref.append(window)
            gc_guard.settle()
            return _smoke(app, window, smoke_test, files, smoke_options or {})
        from somdesk.gui.settings import Settings

        interrupt = quit_on_sigint(app)                          # Ctrl+C in the terminal quits
        window = Window.for_paths(files, settings=Settings())   # remembers geometry, recent files, ...
        window_ref.append(window)
        # start-up's objects (imported modules: ~130,000) frozen, never scanned by a collection
        # on the window's thread again (0.17 s each; gui/gc_guard.py)
        gc_guard.settle()
        window.show()
        try:
            code = app.exec()
        finally:
            _sigint_back_to_python(app)
        return exit_when_tasks_end(SIGINT_EXIT if interrupt["interrupted"] else code, timeout_s=0.0)
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


def _wait(app, window, timeout_s: float) -> bool:
    """Process events until the window's task has ended; False on timeout."""
    from PySide6.QtCore import QEventLoop, QTimer

    if not window.runner.busy:
        return True
    loop = QEventLoop()
    window.runner.state_changed.connect(lambda st: loop.quit() if st == "idle" else None)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    return not window.runner.busy


def _settle(app, window, timeout_s: float) -> bool:
    """Process events until no task runs, also one started when another ended (a saved
    table map is assigned to its rows by a second task, the dock's); False on timeout."""
    deadline = time.monotonic() + timeout_s
    app.processEvents()
    while window.runner.busy:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        _wait(app, window, left)
        app.processEvents()
    return True


def _train_and_wait(app, window, kind: str, start) -> tuple[list, float]:
    """Call `start()` (it starts the runner's task `kind`) and wait for it: (the task's
    (result, stopped) pairs, seconds from start to end).  The result is None when a stop came
    before the task's first step.  RuntimeError when it did not start or did not end in time."""
    results: list = []
    window.runner.finished.connect(lambda k, result, stopped: results.append((result, stopped)) if k == kind else None)
    t0 = time.perf_counter()
    start()
    if not window.runner.busy:
        raise RuntimeError(window.last_error or "training did not start")
    if not _wait(app, window, SMOKE_TIMEOUT_S):
        window.runner.shutdown()
        raise RuntimeError(f"training did not finish within {SMOKE_TIMEOUT_S} s")
    took = time.perf_counter() - t0
    app.processEvents()
    return results, took


def _smoke_table(app, window, out: str, options: dict) -> int:
    """The smoke job for a table: train the Segments dock's map (gui/table_workflow.py) at the
    size and epochs given, else the dock's automatic ones, and write the map as shown
    (segments, true hexagons for a hexagonal map) at 8 px per node.  Raises on failure."""
    from somdesk import render
    from somdesk.gui.window_tasks import write_png

    tables = window.tables
    for name, spin in (("height", tables.setup.height), ("width", tables.setup.width),
                       ("iterations", tables.setup.epochs)):
        if options.get(name) is not None:
            spin.setValue(int(options[name]))
    seed = int(options["seed"]) if options.get("seed") is not None else 0
    results, took = _train_and_wait(app, window, "segment", lambda: tables.train(seed=seed))
    if not results or results[-1][0] is None or tables.tm is None:
        raise RuntimeError(window.last_error or "training failed")
    tm = tables.tm
    c = tm.config
    write_png(out, render.layout(tables.node_colours(), c.topology == "hexagonal", 8))
    print(f"somdesk smoke test OK: {c.width}x{c.height} map, {count_text(c.iterations, 'iteration')} in {took:.2f} s "
          f"(table, {count_text(len(tm.inputs), 'row')}, {count_text(tm.k, 'segment')}), QE {tm.quantization_error:.4f}, "
          f"TE {tm.topographic_error:.3f} -> {out}", flush=True)
    return 0


def _smoke(app, window, out: str, files: list[str] | None = None, options: dict | None = None) -> int:
    """Train a job at Max in the real window and save its map as a PNG (issue 14 goal 1).

    `options`: width, height, iterations, seed, mode (SMOKE_CONFIG's values by default).
    With files, they are opened as the app would (a palette, picture or map; a table or a
    saved table map trains in the Segments dock: `_smoke_table`);
    else 20 random colours from the seed.  Prints one line with the training time.
    """
    cfg = {**SMOKE_CONFIG, **{k: v for k, v in (options or {}).items() if v is not None}}
    try:
        window.show()
        app.processEvents()
        age = process_age_seconds()
        if age is not None:
            print(f"somdesk smoke test: window visible {age:.2f} s after the process started", flush=True)
        if files:
            window.open_paths(files)
            settled = _settle(app, window, SMOKE_TIMEOUT_S)
            if not settled or (window.session.dataset is None and not window.tables.holds_data):
                raise RuntimeError(f"could not open {', '.join(files)}: {window.last_error}")
            app.processEvents()
            if window.tables.holds_data:       # a table or a saved table map: the Segments dock's map
                return _smoke_table(app, window, out, options or {})
        else:
            rng = np.random.default_rng(cfg["seed"])
            window.session.new_colours(rng.integers(0, 256, size=(20, 3)) / 255.0, title="random colours")
        given = {k: v for k, v in (options or {}).items() if v is not None}
        if window.session.path is None:          # not a saved map: the smoke job's defaults
            given = {**{k: cfg[k] for k in ("width", "height", "iterations", "seed")}, **given}
        config = window.session.config.replace(**given)   # a saved map continues its own run
        window.left.params.set_config(config)
        window.set_speed("max")
        from somdesk.session.runs import warm_kernels
        warm_kernels()   # as `somdesk train`: load the compiled kernels before the clock starts (the one flag)
        app.processEvents()  # the map of the starting weights is drawn, as it is before anyone presses Train
        results, took = _train_and_wait(app, window, "train", window.train)
        if not results or window.last_error:
            raise RuntimeError(window.last_error or "training failed")
        outcome, stopped = results[-1]
        from somdesk.gui.window_tasks import write_png
        image = window.map_image(scale=8)
        if image is None:
            raise RuntimeError("no map to write")
        write_png(out, image)
        # a Stop that came before the run's first step ends it with no outcome (the worker never
        # entered the run): the map is then the session's, as the window shows it
        m = outcome.map if outcome is not None else window.session.map
        c = m.config
        core = f"core {outcome.elapsed:.2f} s" if outcome is not None else "stopped before the first epoch"
        # a run the user stopped (Stop in the toolbar) has a map, maybe not yet measured (tester4 F4)
        measures = f"QE {m.qe:.4f}, TE {m.te:.3f}" if m.qe is not None else "not measured"
        print(f"somdesk smoke test OK: {c.width}x{c.height} map, {count_text(m.iteration, 'iteration')} in "
              f"{took:.2f} s ({core}), {measures} -> {out}"
              + (" (stopped by the user)" if stopped else ""), flush=True)
        return 0
    except Exception as exc:  # noqa: BLE001
        print(f"somdesk smoke test FAILED: {exc}", flush=True)
        return 1
    finally:
        window.confirm_unsaved = False
        window.close()
        window.deleteLater()
        app.processEvents()
