"""numba's cache folder follows somdesk/core's sources (somdesk/core/numba_cache.py)."""
import os
import time

import pytest

numba = pytest.importorskip("numba")

from somdesk.core import numba_cache  # noqa: E402
from somdesk.core.aot_fingerprint import source_fingerprint  # noqa: E402


def test_kernels_cache_under_the_folder_of_todays_sources():
    from somdesk.core import _kernels_numba, _online_numba

    folder = numba_cache.configure()
    assert folder == numba_cache.cache_dir() and numba.config.CACHE_DIR == folder
    assert folder.endswith(f"core-{source_fingerprint():016x}")
    for kernel in (_online_numba.online_epoch, _kernels_numba.batch_accumulate):
        assert kernel._cache._cache_path.startswith(folder)


def test_another_source_version_gets_another_folder(monkeypatch):
    here = numba_cache.cache_dir()
    monkeypatch.setattr("somdesk.core.aot_fingerprint.source_fingerprint", lambda: 12345)
    other = numba_cache.cache_dir()
    assert other != here and other.endswith("core-0000000000003039")
    assert os.path.dirname(other) == os.path.dirname(here)


def test_only_old_folders_of_other_versions_are_removed(tmp_path):
    old, recent, keep = (tmp_path / n for n in ("core-00000000000000aa", "core-00000000000000bb",
                                                 "core-00000000000000cc"))
    for d in (old, recent, keep):
        (d / "sub").mkdir(parents=True)
    (tmp_path / "not-ours").mkdir()
    week_ago = time.time() - numba_cache.STALE_AFTER - 60
    for d in (old, keep, tmp_path / "not-ours"):
        os.utime(d, (week_ago, week_ago))
    numba_cache._remove_old(str(tmp_path), keep.name)
    assert not old.exists() and recent.exists() and keep.exists() and (tmp_path / "not-ours").exists()
