import os

import pytest

# Must happen before anything imports Qt: tests run without a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(os.path.dirname(__file__), "..", ".numba_cache"))


@pytest.fixture(autouse=True)
def _no_phase_lines(request, monkeypatch):
    """In-process CLI runs print no slow-phase lines ("somdesk: <phase> (1 min 00 s)") unless the
    test is marked `phase_lines`: a first run's kernel compile past 60 s (a fresh clone at load 12)
    added five "loading the compiled kernels" lines to a stderr a test compares whole.  The lines
    themselves are tested in tests/cli/test_run_progress.py."""
    if request.node.get_closest_marker("phase_lines") is None:
        from somdesk.cli_progress import RunProgress
        monkeypatch.setattr(RunProgress, "FIRST_AFTER", float("inf"))
        monkeypatch.setattr(RunProgress, "FIRST_AFTER_TERMINAL", float("inf"))
