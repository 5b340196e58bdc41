"""A stopped table map is measured and segmented (the user sees the epochs trained); when
the task is abandoned (window closing, task replaced) that finishing work ends at once."""
from __future__ import annotations

import pytest

from somdesk.core.cancel import CancelToken
from somdesk.errors import Cancelled
from somdesk.io.tables.table import read_table
from somdesk.session.table_data import TableMapSpec, train_table_map


def test_a_stopped_table_map_is_finished_unless_the_task_is_abandoned(table_file):
    """session.table_data: a stop keeps the epochs trained (measured and segmented); an
    abandon during that finishing work ends it with Cancelled instead of waiting for it."""
    table = read_table(table_file)
    spec = TableMapSpec(height=6, width=8, epochs=40, seed=1)

    def stop_after(n, abandon):
        token = CancelToken()

        def progress(done, _total):
            if done == n:
                token.abandon() if abandon else token.cancel()
        return token, progress

    token, progress = stop_after(3, abandon=False)
    tm, _ = train_table_map(table, spec, cancel=token, progress=progress, keep_partial=True)
    assert tm.epochs_done == 3 and tm.clusters is not None       # finished although stopped
    token, progress = stop_after(3, abandon=True)
    with pytest.raises(Cancelled):
        train_table_map(table, spec, cancel=token, progress=progress, keep_partial=True)
