"""The staging folder of the out-of-core reader (io.chunked): where a text table (or a filtered
one) is copied once as Parquet before it is read in chunks.

    folder = stage_dir()            # /tmp/somdesk-stage-XXXX, made now
    ...                             # the caller removes it: ChunkedTable.close(), or at once on
                                    # any error or an empty result (ChunkedTable.open's finally)
    leftover_stages()               # the folders of this prefix now in the temporary folder (tests)

Every folder made here has one owner that removes it on success (close), error, stop and empty
result (tester11 #11: a --where leaving no rows left /tmp/somdesk-stage-* behind).
"""
from __future__ import annotations

import glob
import os
import tempfile

PREFIX = "somdesk-stage-"

__all__ = ["PREFIX", "stage_dir", "leftover_stages"]


def stage_dir() -> str:
    """A new empty folder for one staged copy (the caller removes it)."""
    return tempfile.mkdtemp(prefix=PREFIX)


def leftover_stages() -> set[str]:
    """The staging folders present now in the temporary folder (tests compare before and after)."""
    return set(glob.glob(os.path.join(tempfile.gettempdir(), PREFIX + "*")))
