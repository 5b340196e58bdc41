"""Stop vs abandon (core.cancel): the finishing work after a stop runs under
`after_stop()`, which only `abandon()` (window closing, task replaced) sets."""
from __future__ import annotations

import pytest

from somdesk.core.cancel import CancelToken
from somdesk.errors import Cancelled


def test_a_stop_leaves_the_finishing_token_clear_and_abandon_sets_it():
    t = CancelToken()
    t.cancel()
    after = t.after_stop()
    assert t.cancelled and not t.abandoned and not after.cancelled
    after.check()                                   # finishing work goes on after a plain stop
    t.abandon()
    assert t.abandoned and after.cancelled and t.flag[0] != 0
    with pytest.raises(Cancelled):
        after.check()
    assert t.after_stop().cancelled                 # asked for after the abandon: set at once


def test_reset_forgets_old_finishing_tokens_and_cancel_never_lowers_an_abandon():
    t = CancelToken()
    t.abandon()
    t.cancel()
    assert t.abandoned
    t.reset()
    assert not t.cancelled and not t._after
