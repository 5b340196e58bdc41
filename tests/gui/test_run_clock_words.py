"""The status line after a run says the kernels' compile or load apart from the epochs' time
(testerW #6)."""
from __future__ import annotations


def test_the_status_line_says_the_wait_apart():
    from somdesk.gui.window_runs import warm_words
    from somdesk.session.progress import RunOutcome

    assert warm_words(RunOutcome(None, False, True, 3.0, 92.4)) == \
        ", after 92 s compiling or loading the training kernels"
    assert warm_words(RunOutcome(None, False, True, 3.0, 0.2)) == ""
