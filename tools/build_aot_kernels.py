"""Compile somdesk's numba kernels ahead of time into an extension module.

    python tools/build_aot_kernels.py [OUTDIR]   # default: somdesk/core/_kernels_aot*.so (or .pyd)
                                                 # and, on x86-64, _kernels_aot_v3*.so (AVX2 + FMA)

Used by build.spec: the packaged app then needs neither numba nor llvmlite
(~175 MB) and compiles nothing at start.  The module exports the same loops as
somdesk.core._kernels_numba / _kdtree_numba, from the same Python source.  pycc
has no parallel mode (prange runs as range), so somdesk.core.kernels splits the
kd-tree query into row spans over its own per-core pool, and no `nogil` option:
this script sets numba's `release_gil` flag for pycc's compiles (see
`_release_the_gil`), so every exported wrapper releases the GIL around the
native call, as `@njit(nogil=True)` does, and checks that the built module does.
Running from source keeps using numba's JIT.
"""
from __future__ import annotations

import atexit
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# pycc compiles the kernels' cache=True callees for its own target (generic x86-64 or
# x86-64-v3) and numba would write those into the JIT's on-disk cache, where a later JIT
# run loads them (seen: a colour test passing alone failing after an AOT build).  The
# build gets a cache of its own, before numba is imported.
os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="somdesk-aot-build-")
atexit.register(shutil.rmtree, os.environ["NUMBA_CACHE_DIR"], True)

import numba.pycc.compiler as _pycc_compiler  # noqa: E402
from numba.pycc import CC  # noqa: E402

from somdesk.core import _kdtree_numba as kd  # noqa: E402
from somdesk.core import _kernels_numba as kn  # noqa: E402
from somdesk.core import _bmu_numba as bm  # noqa: E402
from somdesk.core import _online_numba as on  # noqa: E402
from somdesk.core import _online_wide_numba as ow  # noqa: E402
from somdesk.core import _online_block_numba as ob  # noqa: E402
from somdesk.core import dither  # noqa: E402
from somdesk.core.aot_fingerprint import source_fingerprint  # noqa: E402
from somdesk.core import kmeans_loops as km  # noqa: E402
from somdesk.core import mix_loops as mx  # noqa: E402
from numba import njit  # noqa: E402

# the palette fit's loops are plain Python (somdesk quantize imports no numba): their helpers
# are compiled first, so the exported loops call compiled code (somdesk.core.kmeans_backend)
km.compile_helpers(njit)
mx.compile_helpers(njit)

FINGERPRINT = source_fingerprint()


def fingerprint():
    """The kernel sources this module was built from (somdesk.core.aot_fingerprint)."""
    return FINGERPRINT          # a global: numba compiles it in as a constant


A3 = "float64[:,:,::1]"
A2 = "float64[:,::1]"
A1 = "float64[::1]"
I1 = "int64[::1]"
U2 = "uint8[:,::1]"
KD_TREE = "Tuple((int64[::1], int64[::1], int64[::1], int64[::1], int64[::1], int64[::1], float64[:,::1], float64[:,::1]))"

EXPORTS = {
    "online_epoch": (on.online_epoch,
                     f"int64({A3}, {A2}, {I1}, float64, float64, int64, boolean, boolean, {I1}, {I1}, "
                     f"float64[:,:,::1], float64[:,:,::1], {U2}, {I1})"),
    # several epochs in one call (the window at Max: SOM.run_epochs), and SOM.step's one epoch: in
    # pycc's one LLVM module online_epoch is inlined here and the x86-64-v3 build then rounds a few
    # fused multiply-adds apart from the online_epoch export (~1e-16), so both use this one
    "online_epochs": (on.online_epochs,
                      f"UniTuple(int64, 2)({A3}, {A2}, int64[:,::1], {A1}, {A1}, int64, boolean, boolean, {I1}, "
                      f"int64[:,::1], float64[:,:,::1], float64[:,:,::1], {U2}, {I1}, {A3})"),
    "u_matrix": (kn.u_matrix, f"void({A3}, boolean, boolean, {A2})"),   # the live maps' U-matrix
    "online_epoch_wide": (ow.online_epoch_wide,
                          f"int64({A3}, {A2}, {I1}, float64, float64, boolean, boolean, {I1}, {I1}, {I1})"),
    "batch_accumulate": (kn.batch_accumulate,
                         f"void({A2}, {A1}, int64, int64, float64, int64, boolean, boolean, {A2}, {A1}, int64, int64, {I1})"),
    "kd_build": (kd.build, f"{KD_TREE}({A2}, {I1})"),
    "kd_query": (kd.query, f"void({A2}, {A2}, {KD_TREE}, {I1}, {A1}, {I1})"),
    "kd_brute": (kd.brute, f"void({A2}, {A2}, {I1}, {A1}, {I1})"),
    "kd_query2": (kd.query2, f"void({A2}, {A2}, {KD_TREE}, int64[:,::1], {I1})"),
    "pick_exact": (bm.pick_exact, f"void(float32[:,::1], {A1}, {A2}, {A2}, float64, float64, {I1}, {A1}, {I1})"),
    "sums_by_node": (bm.sums_by_node, f"void({I1}, {A2}, {A2}, {A1})"),
    # the product search's centring (bmu_products.PreparedData): column stats, centred float32 rows
    "column_stats": (bm.column_stats, f"void({A2}, {A1}, {A1}, {A1})"),
    "centre_rows": (bm.centre_rows, f"void({A2}, {A1}, float64, float32[:,::1], {A1})"),
    "two_nearest": (kn.two_nearest, f"void({A2}, {A2}, int64[:,::1], {I1})"),
    # the classic epoch by blocks of inputs (somdesk.core.online_block drives them)
    "block_steps": (ob.block_steps,
                    f"int64({A2}, int64, {A2}, {A2}, {A2}, {A2}, {A2}, {A1}, {A1}, {A1}, {I1}, {I1}, {I1}, {I1}, "
                    f"{I1}, {I1})"),
    "finish_stage": (ob.finish_stage, f"void({A2}, int64, {A2}, {A2}, {A2}, {I1}, {A2})"),
    "factor_tables": (kn.factor_tables, f"Tuple(({A1}, {A1}))(int64, int64, float64, float64, boolean)"),
    "reach": (kn._reach, "float64(int64, float64, float64)"),
    # Floyd-Steinberg rows (dithering; pictures with transparency had no compiled path in the app)
    "fs_rows": (dither._fs_rows, f"boolean(uint8[:,:,::1], {A2}, int64, uint8[:,::1], {I1}, int64, int64, {A3})"),
    # the palette fit (somdesk quantize, the window's Quantise): k-means and the refinement's loops
    "kmeans_lloyd": (km.lloyd_run, f"int64({A2}, {A1}, {A2}, int64, float64, boolean, {I1}, {I1})"),
    "kmeans_seed": (km.seed_run, f"int64({A2}, {A1}, int64, {A2}, {A2}, {I1})"),
    "mix_two_nearest": (mx.two_nearest, f"void({A2}, {A2}, int64[:,::1])"),
    "mix_assign": (mx.mixed_assign, f"void(uint8[:,::1], {A2}, int64[:,::1], {A2}, {A2}, {I1}, float64, float64, int64, "
                                    f"int64[:,::1], {A2}, boolean, {I1}, {A1}, {A1})"),
}


# Module name -> LLVM target CPU.  pycc's default is generic x86-64 (SSE2 only): the
# classic epoch's row loops then run ~2x slower than under the JIT, which compiles
# for the host.  The v3 build (AVX2, FMA) is what somdesk.core.kernels loads on such
# CPUs; the generic one stays for older ones.
VARIANTS = {"_kernels_aot": ""}
if platform.machine().lower() in ("x86_64", "amd64"):
    VARIANTS["_kernels_aot_v3"] = "x86-64-v3"


def _release_the_gil() -> None:
    """Make pycc's exported wrappers release the GIL around the compiled call.

    pycc compiles every export with a fresh `numba.core.compiler.Flags()`
    (`_ModuleCompiler._cull_exports`, numba/pycc/compiler.py) and exports the
    CPython wrapper that numba's lowering builds with
    `release_gil=flags.release_gil` (numba/core/callwrapper.py: the GIL is
    released after the arguments are unboxed and taken back before the result
    is boxed or an exception is raised: the same wrapper `@njit(nogil=True)`
    gets).  pycc offers no option for it, so the flag is set here, at build
    time only (numba is pinned to versions with pycc for the build, pyproject's
    `build` extra).  Safe for these kernels: pycc compiles in nopython mode
    only (`Flags.enable_pyobject` is False: a kernel touching a Python object
    does not compile), the JIT already runs them with nogil=True (the kd-tree
    query runs parallel instead), and NRT's reference counts are atomic.  `check_releases_gil` fails the build if a numba version ignores it.
    """
    if getattr(_pycc_compiler.Flags, "_somdesk_nogil", False):
        return

    class NoGilFlags(_pycc_compiler.Flags):
        _somdesk_nogil = True

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.release_gil = True

    _pycc_compiler.Flags = NoGilFlags


_GIL_PROBE = """
import sys, threading, time, numpy as np
sys.path.insert(0, sys.argv[1])
m = __import__(sys.argv[2])
rng = np.random.default_rng(0)
wf, x = rng.random((20000, 3)), rng.random((5000, 3))
idx, d2, flag = np.empty(len(x), np.int64), np.empty(len(x)), np.zeros(1, np.int64)
m.kd_brute(wf, x[:10], idx[:10], d2[:10], flag)
t = threading.Thread(target=m.kd_brute, args=(wf, x, idx, d2, flag))
ticks = 0
t0 = time.perf_counter()
t.start()
while t.is_alive():     # a wrapper holding the GIL keeps this loop from running until it returns
    time.sleep(0.0005)
    ticks += 1
print(ticks, time.perf_counter() - t0)
"""


def check_releases_gil(module: str, out: Path) -> None:
    """Fail unless the built module's kernels let another Python thread run while they compute."""
    import subprocess

    probe = subprocess.run([sys.executable, "-c", _GIL_PROBE, str(out), module], capture_output=True,
                           text=True, check=True)
    ticks, seconds = probe.stdout.split()
    if int(ticks) < 5:
        raise SystemExit(f"{module}: the exported kernels hold the GIL ({ticks} turns of another thread "
                         f"in {float(seconds):.2f} s): numba's pycc ignored release_gil")


def build(module: str, target_cpu: str, out: Path) -> None:
    cc = CC(module)
    cc.output_dir = str(out)
    cc.verbose = False
    if target_cpu:
        cc.target_cpu = target_cpu
    for name, (fn, sig) in EXPORTS.items():
        cc.export(name, sig)(getattr(fn, "py_func", fn))   # numba dispatchers, or plain functions
    cc.export("fingerprint", "int64()")(fingerprint)
    _release_the_gil()
    cc.compile()
    from somdesk.core.cpu_features import has_avx2_fma
    if not target_cpu or has_avx2_fma():     # the v3 build cannot run on an older build machine
        check_releases_gil(module, out)
    print(f"wrote {module} ({target_cpu or 'generic'}) into {out}; its kernels release the GIL")


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "somdesk" / "core"
    for module, target_cpu in VARIANTS.items():
        build(module, target_cpu, out)


if __name__ == "__main__":
    main()
