"""A content-addressed cache of the ahead-of-time kernel build (used by tools/build_aot_kernels.py).

The build compiles three modules with numba (~5 minutes of CPU on two cores), and CI made
it twice from the same sources: once for the tests (tests/core/conftest.py `aot_dir`), once
for the package (build.spec).  Both run tools/build_aot_kernels.py, which now looks here
first.  An entry is the folder

    ${XDG_CACHE_HOME:-~/.cache}/somdesk/aot/<key>/      the built modules + manifest.json

where <key> hashes everything the build's output depends on (`cache_key`): the names and
bytes of every file the build compiles from, the versions of Python, numba, llvmlite,
numpy and setuptools, the platform and extension suffix, the C compiler, the CPU-level
builds and their LLVM features, and numba's own settings (NUMBA_* variables).  A changed
kernel source therefore misses and is built afresh.

An entry is built in a temporary folder beside it and renamed into place only once every
module and the manifest (each file's SHA-256) are written, so a half-written entry is never
seen; on use, each file is checked against the manifest, and an entry that fails is set
aside and rebuilt.  SOMDESK_AOT_CACHE=0 switches the cache off (the build then writes
straight into its output folder, as before).
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sys
import sysconfig
import tempfile
import time
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterator

try:
    import fcntl
except ImportError:          # not POSIX: two builds at once may both compile (still safe)
    fcntl = None

KEY_VERSION = 1              # raise when the entry's layout or the key's recipe changes
MANIFEST = "manifest.json"
KEEP = 8                     # entries kept (the most recently used); older ones are removed
PACKAGES = ("numba", "llvmlite", "numpy", "setuptools")


def enabled() -> bool:
    """False when SOMDESK_AOT_CACHE is "0" (or "no", "false", "off")."""
    return os.environ.get("SOMDESK_AOT_CACHE", "1").strip().lower() not in ("0", "no", "false", "off")


def cache_root() -> Path:
    """${XDG_CACHE_HOME:-~/.cache}/somdesk/aot (the folder need not exist yet)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "somdesk" / "aot"


def source_files(root: Path) -> list[Path]:
    """The files, under source tree `root`, the build compiles from, sorted.

    All of somdesk/core (any depth), not a list of kernel modules, so a kernel module added
    later can never be left out of the key; the package's own modules core imports
    (somdesk/__init__.py, somdesk/errors.py); and the build scripts in tools/."""
    root = Path(root)
    files = list((root / "somdesk" / "core").rglob("*.py"))
    files += [root / "somdesk" / "__init__.py", root / "somdesk" / "errors.py"]
    files += [root / "tools" / name for name in ("build_aot_kernels.py", "aot_compile_variant.py", "aot_cache.py")]
    return sorted((f for f in files if f.is_file()), key=lambda f: f.relative_to(root).as_posix())


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def cache_key(root: Path, builds: dict[str, str], features: dict[str, str]) -> str:
    """The cache key (32 hex digits) of building source tree `root` here.

    `builds`: module name -> LLVM CPU name of each build; `features`: LLVM CPU name -> extra
    features (tools/build_aot_kernels.py's `variants()` and FEATURES).  Paths enter relative to
    `root`, so a copy of the tree has the key of the original."""
    root = Path(root)
    h = hashlib.sha256()
    for path in source_files(root):
        data = path.read_bytes()
        h.update(f"{path.relative_to(root).as_posix()}\0{len(data)}\0".encode())
        h.update(data)
    numba_env = {k: v for k, v in os.environ.items()
                 if k.startswith("NUMBA_") and k not in ("NUMBA_CPU_NAME", "NUMBA_CPU_FEATURES", "NUMBA_CACHE_DIR")}
    setting = {
        "key_version": KEY_VERSION,
        "python": sys.version, "implementation": sys.implementation.cache_tag,
        "ext_suffix": sysconfig.get_config_var("EXT_SUFFIX"), "cc": sysconfig.get_config_var("CC"),
        "platform": [sys.platform, platform.machine(), platform.system()],
        "packages": {p: _version(p) for p in PACKAGES},
        "builds": sorted(builds.items()), "features": sorted(features.items()),
        "numba_env": sorted(numba_env.items()),
    }
    h.update(json.dumps(setting, sort_keys=True).encode())
    return h.hexdigest()[:32]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _valid(entry: Path) -> bool:
    """True when `entry` holds its manifest and every file listed there, byte for byte."""
    try:
        manifest = json.loads((entry / MANIFEST).read_text())
        return bool(manifest) and all(_sha256(entry / name) == digest for name, digest in manifest.items())
    except (OSError, ValueError, AttributeError):
        return False


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on file `path` (POSIX), so two builds of one key do not both compile."""
    if fcntl is None:
        yield
        return
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _copy_out(entry: Path, out: Path) -> list[str]:
    """Copy the entry's modules into `out`, each through a temporary name and a rename."""
    names = sorted(json.loads((entry / MANIFEST).read_text()))
    for name in names:
        tmp = out / f".{name}.{os.getpid()}.tmp"
        shutil.copy2(entry / name, tmp)
        os.replace(tmp, out / name)
    return names


def _prune(root: Path, keep: Path) -> None:
    """Remove all but the KEEP most recently used entries (never `keep`, nor one used in the last hour),
    and the temporary folders of builds killed more than a day ago."""
    for stale in root.glob(".*-*"):
        if stale.is_dir() and time.time() - stale.stat().st_mtime > 86400:
            shutil.rmtree(stale, ignore_errors=True)
    entries = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        if old != keep and time.time() - old.stat().st_mtime > 3600:
            shutil.rmtree(old, ignore_errors=True)
            (root / f".{old.name}.lock").unlink(missing_ok=True)


def build_cached(key: str, out: Path, build: Callable[[Path], None], log=print) -> bool:
    """Put the modules of build `key` into folder `out`: from the cache, else by `build(folder)`.

    `build(folder)` compiles the modules into `folder` (raising, e.g. SystemExit, on failure);
    a new build is stored under `key` before it is copied to `out`.  Returns True on a cache hit.
    When the cache folder cannot be written, builds straight into `out` and says so."""
    root = cache_root()
    entry = root / key
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        log(f"ahead-of-time build cache unusable ({err}); building without it")
        build(out)
        return False
    with _locked(root / f".{key}.lock"):
        if _valid(entry):
            os.utime(entry)                                   # most recently used: kept longest
            names = _copy_out(entry, out)
            log(f"ahead-of-time kernels from the cache ({entry}): {', '.join(names)}")
            return True
        if entry.exists():                                    # damaged (e.g. a file removed by hand)
            shutil.rmtree(entry, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=root))
        try:
            build(tmp)
            manifest = {p.name: _sha256(p) for p in sorted(tmp.iterdir()) if p.is_file()}
            if not manifest:
                raise SystemExit("ahead-of-time build wrote no module")
            (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1))
            os.rename(tmp, entry)                             # the entry appears whole, or not at all
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        names = _copy_out(entry, out)
        log(f"ahead-of-time kernels built and cached ({entry}): {', '.join(names)}")
    _prune(root, entry)
    return False
