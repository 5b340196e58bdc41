"""Compile somdesk's numba kernels ahead of time into an extension module.

    python tools/build_aot_kernels.py [OUTDIR]   # default: somdesk/core/_kernels_aot*.so (or .pyd)
                                                 # and, on x86-64, _kernels_aot_v3*.so (AVX2 + FMA)

Used by build.spec: the packaged app then needs neither numba nor llvmlite
(~175 MB) and compiles nothing at start.  The module exports the same loops as
somdesk.core._kernels_numba / _kdtree_numba, from the same Python source; AOT
code runs on one core (pycc has no parallel mode), which only matters for the
million-sample batch search, and holds the GIL (pycc has no nogil), so
somdesk.core.kernels calls it on chunks of ~20 ms when a stop can be asked for.
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

from numba.pycc import CC  # noqa: E402

from somdesk.core import _kdtree_numba as kd  # noqa: E402
from somdesk.core import _kernels_numba as kn  # noqa: E402
from somdesk.core import _bmu_numba as bm  # noqa: E402
from somdesk.core import _online_numba as on  # noqa: E402
from somdesk.core import _online_wide_numba as ow  # noqa: E402
from somdesk.core import _online_block_numba as ob  # noqa: E402
from somdesk.core import dither  # noqa: E402
from somdesk.core.aot_fingerprint import source_fingerprint  # noqa: E402

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
    "online_epoch_wide": (ow.online_epoch_wide,
                          f"int64({A3}, {A2}, {I1}, float64, float64, boolean, boolean, {I1}, {I1}, {I1})"),
    "batch_accumulate": (kn.batch_accumulate,
                         f"void({A2}, {A1}, int64, int64, float64, int64, boolean, boolean, {A2}, {A1}, int64, int64, {I1})"),
    "kd_build": (kd.build, f"{KD_TREE}({A2}, {I1})"),
    "kd_query": (kd.query, f"void({A2}, {A2}, {KD_TREE}, {I1}, {A1}, {I1})"),
    "kd_brute": (kd.brute, f"void({A2}, {A2}, {I1}, {A1}, {I1})"),
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
}


# Module name -> LLVM target CPU.  pycc's default is generic x86-64 (SSE2 only): the
# classic epoch's row loops then run ~2x slower than under the JIT, which compiles
# for the host.  The v3 build (AVX2, FMA) is what somdesk.core.kernels loads on such
# CPUs; the generic one stays for older ones.
VARIANTS = {"_kernels_aot": ""}
if platform.machine().lower() in ("x86_64", "amd64"):
    VARIANTS["_kernels_aot_v3"] = "x86-64-v3"


def build(module: str, target_cpu: str, out: Path) -> None:
    cc = CC(module)
    cc.output_dir = str(out)
    cc.verbose = False
    if target_cpu:
        cc.target_cpu = target_cpu
    for name, (fn, sig) in EXPORTS.items():
        cc.export(name, sig)(getattr(fn, "py_func", fn))   # numba dispatchers, or plain functions
    cc.export("fingerprint", "int64()")(fingerprint)
    cc.compile()
    print(f"wrote {module} ({target_cpu or 'generic'}) into {out}")


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "somdesk" / "core"
    for module, target_cpu in VARIANTS.items():
        build(module, target_cpu, out)


if __name__ == "__main__":
    main()
