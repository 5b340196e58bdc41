"""A compiled kernel module from older sources is never used (somdesk.core.aot_fingerprint)."""
import sys
import types

import pytest

from somdesk.core import kernels
from somdesk.core.aot_fingerprint import source_fingerprint

NAMES = ("online_epoch", "batch_accumulate", "two_nearest", "kd_build", "kd_query", "kd_brute",
         "pick_exact", "sums_by_node", "online_epoch_wide", "block_steps", "finish_stage", "factor_tables",
         "reach")


@pytest.fixture(autouse=True)
def generic_cpu(monkeypatch):
    monkeypatch.setenv("SOMDESK_AOT_CPU", "generic")      # only `_kernels_aot` is looked for


def _fake(fp):
    mod = types.ModuleType("_kernels_aot")
    for n in NAMES:
        setattr(mod, n, lambda *a: None)
    if fp is not None:
        mod.fingerprint = lambda: fp
    return mod


def test_fingerprint_is_stable():
    fp = source_fingerprint()
    assert fp == source_fingerprint() and 0 <= fp < 2 ** 63


def test_stale_or_unmarked_builds_are_skipped(monkeypatch):
    import somdesk.core as core
    for stale in (_fake(source_fingerprint() ^ 1), _fake(None)):
        monkeypatch.setitem(sys.modules, "somdesk.core._kernels_aot", stale)
        monkeypatch.setattr(core, "_kernels_aot", stale, raising=False)
        monkeypatch.setitem(sys.modules, "_kernels_aot", _fake(None))
        assert kernels._load_aot() is None
        # a fresh one further down sys.path is still found
        fresh = _fake(source_fingerprint())
        monkeypatch.setitem(sys.modules, "_kernels_aot", fresh)
        assert kernels._load_aot()[2] is fresh.pick_exact


def test_a_fresh_in_tree_build_is_used(monkeypatch):
    import somdesk.core as core
    fresh = _fake(source_fingerprint())
    monkeypatch.setitem(sys.modules, "somdesk.core._kernels_aot", fresh)
    monkeypatch.setattr(core, "_kernels_aot", fresh, raising=False)
    assert kernels._load_aot()[3] is fresh.sums_by_node


def test_real_build_carries_the_fingerprint(aot_dir, monkeypatch):
    import subprocess
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import _kernels_aot as a; "
            "from somdesk.core.aot_fingerprint import source_fingerprint as f; "
            "assert a.fingerprint() == f(), (a.fingerprint(), f()); print('ok')")
    out = subprocess.run([sys.executable, "-c", code, str(aot_dir)], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr
