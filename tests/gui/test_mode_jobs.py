"""JobRunner: results, errors, previews and progress reach the GUI thread; replacing a job never waits."""
from __future__ import annotations

import threading
import time

from PySide6.QtCore import QThread

from somdesk.errors import SomdeskError
from somdesk.gui.modes.jobs import JobRunner
from somdesk.gui.tasks import live_workers as running_threads


def test_result_progress_and_preview_arrive_in_the_gui_thread(qtbot):
    runner = JobRunner()
    seen = []
    gui = QThread.currentThread()
    runner.progress.connect(lambda *a: seen.append(("progress", a, QThread.currentThread() is gui)))
    runner.preview.connect(lambda *a: seen.append(("preview", a, QThread.currentThread() is gui)))

    def work(job):
        assert QThread.currentThread() is not gui
        job.report(1, 2, "half")
        job.send_preview("look")
        return 42

    with qtbot.waitSignal(runner.finished, timeout=5000) as done:
        runner.start("sum", work)
    assert done.args == ["sum", 42]
    assert ("progress", ("sum", 1, 2, "half"), True) in seen and ("preview", ("sum", "look"), True) in seen
    qtbot.waitUntil(lambda: not running_threads(), timeout=2000)


def test_errors_become_failed(qtbot):
    runner = JobRunner()
    with qtbot.waitSignal(runner.failed, timeout=5000) as clear:
        runner.start("a", lambda job: (_ for _ in ()).throw(SomdeskError("bad file, clearly")))
    assert clear.args == ["a", "bad file, clearly", ""]
    with qtbot.waitSignal(runner.failed, timeout=5000) as bug:
        runner.start("b", lambda job: 1 / 0)
    assert bug.args[1].startswith("Unexpected error: ZeroDivisionError") and "Traceback" in bug.args[2]
    qtbot.waitUntil(lambda: not running_threads(), timeout=2000)


def test_replacing_a_busy_job_does_not_wait_and_shutdown_joins_all(qtbot):
    runner = JobRunner()
    gate = threading.Event()
    results = []
    runner.finished.connect(lambda kind, r: results.append(kind))
    started = threading.Event()
    runner.start("slow", lambda job: started.set() or gate.wait(5) and "slow")   # cannot be interrupted
    assert started.wait(5)          # replaced while it runs (a task replaced before it starts never runs)
    t0 = time.perf_counter()
    runner.start("quick", lambda job: "quick")
    assert time.perf_counter() - t0 < 0.2
    qtbot.waitUntil(lambda: results == ["quick"], timeout=5000)
    assert running_threads()                                        # the old one is still finishing
    gate.set()
    runner.shutdown()
    assert not running_threads()
    qtbot.wait(50)
    assert results == ["quick"]                                      # the replaced job's result is ignored


def test_stop_is_cooperative_and_the_result_still_arrives(qtbot):
    runner = JobRunner()

    def work(job):
        n = 0
        while job.sleep(0.01):
            n += 1
        return ("stopped after", n)

    runner.start("loop", work)
    qtbot.wait(50)
    with qtbot.waitSignal(runner.finished, timeout=5000) as done:
        runner.stop()
    assert done.args[1][0] == "stopped after"
    qtbot.waitUntil(lambda: not running_threads(), timeout=2000)
