"""The ahead-of-time build's cache (tools/aot_cache.py): a changed source misses, a half-written
or damaged entry is never used, and SOMDESK_AOT_CACHE=0 builds without it."""
import importlib
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILDS = {"_kernels_aot": "generic", "_kernels_aot_v3": "x86-64-v3"}
FEATURES = {"x86-64-v4": "-prefer-256-bit"}


@pytest.fixture
def aot_cache(monkeypatch, tmp_path):
    monkeypatch.syspath_prepend(str(ROOT / "tools"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("SOMDESK_AOT_CACHE", raising=False)
    return importlib.import_module("aot_cache")


def _copy_sources(aot_cache, dest: Path) -> None:
    for path in aot_cache.source_files(ROOT):
        target = dest / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def test_a_changed_byte_in_any_kernel_source_changes_the_key(aot_cache, tmp_path):
    copy = tmp_path / "tree"
    _copy_sources(aot_cache, copy)
    names = {p.relative_to(ROOT).as_posix() for p in aot_cache.source_files(ROOT)}
    assert {"somdesk/core/_kernels_numba.py", "somdesk/core/dither.py", "somdesk/errors.py",
            "tools/build_aot_kernels.py", "tools/aot_compile_variant.py"} <= names
    key = aot_cache.cache_key(ROOT, BUILDS, FEATURES)
    assert aot_cache.cache_key(copy, BUILDS, FEATURES) == key          # a copy of the tree: the same key
    for name in ("somdesk/core/_kernels_numba.py", "somdesk/core/dither.py", "tools/aot_compile_variant.py"):
        source = copy / name
        original = source.read_bytes()
        source.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))   # one byte changed
        assert aot_cache.cache_key(copy, BUILDS, FEATURES) != key, name
        source.write_bytes(original)
    assert aot_cache.cache_key(copy, BUILDS, FEATURES) == key
    (copy / "somdesk" / "core" / "_new_kernels.py").write_text("")      # a module added to core
    assert aot_cache.cache_key(copy, BUILDS, FEATURES) != key
    # the CPU-level builds and numba's settings are part of the key too
    assert aot_cache.cache_key(ROOT, {**BUILDS, "_kernels_aot_v4": "x86-64-v4"}, FEATURES) != key
    assert aot_cache.cache_key(ROOT, BUILDS, {}) != key


def test_the_key_follows_numba_settings(aot_cache, monkeypatch):
    key = aot_cache.cache_key(ROOT, BUILDS, FEATURES)
    monkeypatch.setenv("NUMBA_OPT", "1")
    assert aot_cache.cache_key(ROOT, BUILDS, FEATURES) != key


def _fake_build(calls):
    def build(folder: Path) -> None:
        calls.append(folder)
        (folder / "_kernels_aot.so").write_bytes(b"module %d" % len(calls))
        (folder / "_kernels_aot_v3.so").write_bytes(b"v3")
    return build


def test_a_second_build_of_the_same_key_comes_from_the_cache(aot_cache, tmp_path):
    calls = []
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    assert aot_cache.build_cached("k1", first, _fake_build(calls), log=lambda msg: None) is False
    assert aot_cache.build_cached("k1", second, _fake_build(calls), log=lambda msg: None) is True
    assert len(calls) == 1
    assert sorted(p.name for p in second.iterdir()) == ["_kernels_aot.so", "_kernels_aot_v3.so"]
    assert (second / "_kernels_aot.so").read_bytes() == b"module 1"
    # another key is built afresh
    assert aot_cache.build_cached("k2", second, _fake_build(calls), log=lambda msg: None) is False
    assert len(calls) == 2


def test_a_half_written_or_damaged_entry_is_never_used(aot_cache, tmp_path):
    root = aot_cache.cache_root()
    out = tmp_path / "out"
    out.mkdir()
    # a build killed before its rename leaves only a temporary folder: not an entry
    root.mkdir(parents=True)
    (root / ".k1-abc").mkdir()
    (root / ".k1-abc" / "_kernels_aot.so").write_bytes(b"half")
    # an entry folder without its manifest (written last, before the rename) is not used either
    (root / "k1").mkdir()
    (root / "k1" / "_kernels_aot.so").write_bytes(b"half")
    calls = []
    assert aot_cache.build_cached("k1", out, _fake_build(calls), log=lambda msg: None) is False
    assert len(calls) == 1 and (out / "_kernels_aot.so").read_bytes() == b"module 1"
    # a file changed after it was cached fails the manifest's check: rebuilt
    (root / "k1" / "_kernels_aot_v3.so").write_bytes(b"v3 but truncat")
    assert aot_cache.build_cached("k1", out, _fake_build(calls), log=lambda msg: None) is False
    assert len(calls) == 2 and (out / "_kernels_aot_v3.so").read_bytes() == b"v3"
    assert json.loads((root / "k1" / "manifest.json").read_text()).keys() == {"_kernels_aot.so", "_kernels_aot_v3.so"}


def test_a_failed_build_leaves_no_entry(aot_cache, tmp_path):
    def failing(folder):
        (folder / "_kernels_aot.so").write_bytes(b"partial")
        raise SystemExit("ahead-of-time build failed: _kernels_aot_v3")

    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(SystemExit, match="build failed"):
        aot_cache.build_cached("k1", out, failing, log=lambda msg: None)
    assert [p for p in aot_cache.cache_root().iterdir() if not p.name.endswith(".lock")] == []
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("setting, cached", [("0", False), ("1", True)])
def test_somdesk_aot_cache_0_builds_without_the_cache(aot_cache, monkeypatch, tmp_path, setting, cached):
    monkeypatch.setenv("SOMDESK_AOT_CACHE", setting)
    driver = importlib.import_module("build_aot_kernels")
    calls = []
    monkeypatch.setattr(driver, "build", _fake_build(calls))
    out = tmp_path / "out"
    for _ in range(2):
        monkeypatch.setattr(sys, "argv", ["build_aot_kernels.py", str(out)])
        driver.main()
    assert len(calls) == (1 if cached else 2)
    assert (out / "_kernels_aot.so").exists()
    assert aot_cache.cache_root().exists() == cached
    assert all(c == out for c in calls) != cached   # without the cache: straight into out


def test_only_the_most_recently_used_entries_are_kept(aot_cache, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    calls = []
    for k in range(aot_cache.KEEP + 2):
        aot_cache.build_cached(f"k{k}", out, _fake_build(calls), log=lambda msg: None)
    root = aot_cache.cache_root()
    for k in range(4):                                   # k0..k3 last used two hours ago
        os.utime(root / f"k{k}", (0, os.stat(root / f"k{k}").st_mtime - 7200))
    aot_cache.build_cached("k1", out, _fake_build(calls), log=lambda msg: None)    # used again: kept
    aot_cache.build_cached("new", out, _fake_build(calls), log=lambda msg: None)   # prunes
    entries = sorted(p.name for p in root.iterdir() if p.is_dir())
    assert entries == sorted(["new", "k1"] + [f"k{k}" for k in range(4, aot_cache.KEEP + 2)])
    assert len(entries) == aot_cache.KEEP    # the old ones beyond KEEP went; one used within the hour never does
    assert not (root / ".k0.lock").exists()
