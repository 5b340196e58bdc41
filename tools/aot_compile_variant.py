"""Compile one build of somdesk's numba kernels ahead of time (run by tools/build_aot_kernels.py).

    python tools/aot_compile_variant.py MODULE TARGET OUTDIR   # e.g. _kernels_aot_v3 x86-64-v3 /tmp/out

The driver, tools/build_aot_kernels.py, runs this once per build, each in its own
process with NUMBA_CPU_NAME=TARGET and NUMBA_CPU_FEATURES (the build's extra LLVM
features, often none) in the environment: pycc compiles the exported kernels for
TARGET (`CC.target_cpu`), but every `@njit` function they call (the classic
passes of _online3_numba, the k-means helpers, ...) is compiled by numba's JIT
code generator, for NUMBA_CPU_NAME, and linked in as LLVM IR already optimised
for that CPU.  Left at the build machine's own CPU (AVX-512 here), the x86-64-v3
build's Visibone job took 2.02-2.18 s of CPU against 1.73-1.88 s with its callees
compiled for x86-64-v3 (the JIT at x86-64-v3: 1.54-1.81 s; 2026-11-30,
docs/packaging.md).  This script refuses to run unless numba's JIT targets TARGET.

The module exports the same loops as somdesk.core._kernels_numba /
_kdtree_numba, from the same Python source.  pycc has no parallel mode (prange
runs as range), so somdesk.core.kernels splits the kd-tree query into row spans
over its own per-core pool, and no `nogil` option: this script sets numba's
`release_gil` flag for pycc's compiles (see `_release_the_gil`), so every
exported wrapper releases the GIL around the native call, as
`@njit(nogil=True)` does, and checks that the built module does.
"""
from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The JIT-compiled callees (above) would also be written into the JIT's on-disk cache (keyed by
# NUMBA_CPU_NAME, so this build's x86-64-v3 entries would sit beside the host's); the build gets
# a cache of its own, before numba is imported.
os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="somdesk-aot-build-")
atexit.register(shutil.rmtree, os.environ["NUMBA_CACHE_DIR"], True)

import numba  # noqa: E402
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
F2 = "float32[:,::1]"
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
                      f"int64[:,::1], float64[:,:,::1], float64[:,:,::1], {U2}, {I1}, {A3}, {I1}, {A2})"),
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
    "two_nearest": (kn.two_nearest, f"void({A2}, {A2}, int64[:,::1], {A1}, {I1})"),   # + the nearest's distance
    # the classic epoch by blocks of inputs (somdesk.core.online_block drives them)
    "block_steps": (ob.block_steps,
                    f"int64({A2}, int64, {A2}, {A2}, {A2}, {A2}, {A2}, {A1}, {A1}, {A1}, {I1}, {I1}, {I1}, {I1}, "
                    f"{I1}, {I1})"),
    "finish_stage": (ob.finish_stage, f"void({A2}, int64, {A2}, {A2}, {A2}, {I1}, {A2})"),
    # its float32 screen (the distance product in float32, checked by the error bound)
    "block_steps32": (ob.block_steps32,
                      f"int64({F2}, {A1}, {A2}, int64, {A2}, {A2}, {A2}, {A2}, {F2}, {A2}, {A1}, {A1}, {A1}, {I1}, "
                      f"{I1}, {I1}, {I1}, {I1}, {I1})"),
    "finish_stage32": (ob.finish_stage32,
                       f"void({A2}, int64, {A2}, {A2}, {A2}, {I1}, {A2}, {A1}, float64, {F2}, {A1})"),
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


def _use_features(features: str) -> None:
    """Give pycc's exports the LLVM feature string the JIT-compiled callees get (NUMBA_CPU_FEATURES).

    pycc compiles for `CC.target_cpu` with an empty feature string
    (`AOTCPUCodegen._customize_tm_features`, numba/core/codegen.py) and offers no
    option for one; the x86-64-v4 build needs "-prefer-256-bit" (512-bit vectors:
    tools/build_aot_kernels.py says why) for the exported loops as for their callees.
    Build time only, like `_release_the_gil`."""
    from numba.core import codegen

    codegen.AOTCPUCodegen._customize_tm_features = lambda self: features


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
    """Compile the exports into `out`/`module`.so for LLVM CPU `target_cpu` ("generic", "x86-64-v3", ...)."""
    from somdesk.core.cpu_features import can_run

    features = numba.config.CPU_FEATURES
    if numba.config.CPU_NAME != target_cpu or features is None:
        raise SystemExit(f"{module}: numba's JIT targets {numba.config.CPU_NAME!r} (features {features!r}), "
                         f"not {target_cpu!r}: the kernels' callees would be optimised for another CPU "
                         f"(run tools/build_aot_kernels.py)")
    _use_features(features)
    cc = CC(module)
    cc.output_dir = str(out)
    cc.verbose = False
    cc.target_cpu = target_cpu
    for name, (fn, sig) in EXPORTS.items():
        cc.export(name, sig)(getattr(fn, "py_func", fn))   # numba dispatchers, or plain functions
    cc.export("fingerprint", "int64()")(fingerprint)
    _release_the_gil()
    cc.compile()
    built = f"wrote {module} ({target_cpu}{' ' + features if features else ''}) into {out}"
    if can_run(target_cpu):     # an x86-64-v4 build cannot run on a build machine without AVX-512
        check_releases_gil(module, out)
        print(f"{built}; its kernels release the GIL", flush=True)
    else:
        print(f"{built}; this CPU cannot run it (GIL check skipped)", flush=True)


def main() -> None:
    module, target_cpu, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    build(module, target_cpu, out)


if __name__ == "__main__":
    main()
