"""Compile somdesk's numba kernels ahead of time into extension modules, one per CPU level.

    python tools/build_aot_kernels.py [OUTDIR]   # default: somdesk/core/_kernels_aot*.so (or .pyd)

Writes `_kernels_aot` (generic code, any CPU of the architecture) and, on x86-64,
`_kernels_aot_v3` (x86-64-v3: AVX2, FMA) and `_kernels_aot_v4` (x86-64-v4:
AVX-512 F/CD/BW/DQ/VL); somdesk.core.cpu_features picks the best one the CPU
runs.  Used by build.spec: the packaged app then needs neither numba nor
llvmlite (~175 MB) and compiles nothing at start.  Running from source keeps
using numba's JIT.

Each build runs tools/aot_compile_variant.py in a process of its own, with
numba's JIT pointed at the same CPU (NUMBA_CPU_NAME, NUMBA_CPU_FEATURES):
the kernels' `@njit` callees are compiled by the JIT's code generator and linked
into the module as already-optimised LLVM IR, so they must be optimised for the
build's CPU, not the build machine's (that file says what it cost).  The builds
run side by side, as many at a time as there are cores (at most three).

The modules come from a content-addressed cache when the same sources were built before
with the same tools (tools/aot_cache.py: ${XDG_CACHE_HOME:-~/.cache}/somdesk/aot/<key>);
the tests' build and the package's then compile once.  SOMDESK_AOT_CACHE=0 switches it off.
"""
from __future__ import annotations

import os
import platform
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from somdesk.core.cpu_features import LEVELS  # noqa: E402  (numba-free)

sys.path.insert(0, str(Path(__file__).resolve().parent))
import aot_cache  # noqa: E402  (tools/aot_cache.py)

COMPILE = Path(__file__).resolve().parent / "aot_compile_variant.py"


def variants() -> dict[str, str]:
    """Module name -> LLVM CPU name of every build for this machine's architecture.

    pycc's default is generic code (SSE2 only on x86-64): the classic epoch's row loops then
    run ~2x slower than under the JIT, which compiles for the host; hence the v3 and v4 builds."""
    if platform.machine().lower() in ("x86_64", "amd64"):
        return {module: cpu for _, module, cpu in LEVELS}
    return {module: cpu for _, module, cpu in LEVELS if cpu == "generic"}


# LLVM features beyond the CPU name's own, per build.  x86-64-v4's tuning prefers 256-bit
# vectors (Intel's AVX-512 parts lower their clock for 512-bit work); the JIT compiling for this
# Zen 4 host uses 512-bit ones, and the v4 build with 256-bit vectors ran the Visibone job 1.2x
# slower than the JIT, with 512-bit ones 0.94x (2026-11-30, docs/packaging.md).
FEATURES = {"x86-64-v4": "-prefer-256-bit"}


def variant_env(target_cpu: str) -> dict[str, str]:
    """The environment of one build's compile: numba's JIT compiles the callees for `target_cpu`
    (and FEATURES; tools/aot_compile_variant.py gives pycc's exports the same)."""
    return dict(os.environ, NUMBA_CPU_NAME=target_cpu, NUMBA_CPU_FEATURES=FEATURES.get(target_cpu, ""))


def _compile(module: str, target_cpu: str, out: Path) -> tuple[str, subprocess.CompletedProcess]:
    proc = subprocess.run([sys.executable, str(COMPILE), module, target_cpu, str(out)],
                          env=variant_env(target_cpu), capture_output=True, text=True)
    return module, proc


def build(out: Path) -> None:
    """Compile every build of variants() into folder `out`; SystemExit naming the failed ones."""
    builds = variants()
    failed = []
    with ThreadPoolExecutor(max_workers=max(1, min(len(builds), os.cpu_count() or 1, 3))) as pool:
        for module, proc in pool.map(lambda item: _compile(item[0], item[1], out), builds.items()):
            sys.stdout.write(proc.stdout)
            if proc.returncode != 0:
                sys.stderr.write(proc.stderr)
                failed.append(module)
    if failed:
        raise SystemExit(f"ahead-of-time build failed: {', '.join(failed)}")


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "somdesk" / "core"
    out.mkdir(parents=True, exist_ok=True)
    if not aot_cache.enabled():
        build(out)
        return
    aot_cache.build_cached(aot_cache.cache_key(ROOT, variants(), FEATURES), out, build)


if __name__ == "__main__":
    main()
