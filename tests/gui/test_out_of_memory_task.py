"""testerC #2 in the window: a task that runs out of memory, in any shape (core.memory), is one
sentence naming the task with advice for its kind, no traceback; the runner stays usable."""
from __future__ import annotations

import duckdb
import pytest

from somdesk.gui import tasks


@pytest.mark.parametrize("kind, exc, said", [
    ("score", duckdb.OutOfMemoryException("Out of Memory Error: could not allocate"), "--out-of-core"),
    ("read table", RuntimeError("can't start new thread"), "import page"),
    ("train", MemoryError(), "smaller map"),
])
def test_out_of_memory_is_one_sentence(qtbot, kind, exc, said):
    runner = tasks.TaskRunner()

    def failing(token):
        yield 1
        raise exc

    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        runner.start(kind, failing)
    got_kind, message, details = blocker.args
    assert got_kind == kind and details == ""
    assert message.startswith("Out of memory during the ") and said in message and "\n" not in message
    assert runner.state == "idle" and tasks.live_workers() == []
    def fine(token):
        yield 1

    with qtbot.waitSignal(runner.finished, timeout=5000):      # the next task runs
        runner.start(kind, fine)
