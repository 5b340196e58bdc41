"""Which k-means loops the palette fit runs: compiled (somdesk.core.kmeans_loops) or numpy.

    loops = compiled_loops()     # namespace(lloyd_run, seed_run, two_nearest, mixed_assign, backend)
                                 # or None: the numpy code

The choice follows somdesk.core.kernels's SOMDESK_KERNELS, with one difference
made for `somdesk quantize`, a command timed against pngquant:

* the ahead-of-time build (tools/build_aot_kernels.py exports AOT_EXPORTS) is used
  whenever it is there and built from today's sources (always in the packaged app;
  from a checkout too: loading it costs ~0.5 ms, plus ~5 ms for the source
  fingerprint, and imports no numba);
* numba's JIT only when asked for (SOMDESK_KERNELS=numba): numba's import and the
  loading of its cached code cost ~0.5 s of CPU in a fresh process, more than the
  compiled loops save on any of the benchmark's pictures (docs/quantisation.md);
* otherwise, and with SOMDESK_KERNELS=numpy, the numpy code in weighted_kmeans and
  palette_mix.

The choice depends only on the environment, never on what a process has already
imported, so the window's Quantise and `somdesk quantize --map` run the same loops
and write the same file.  The ahead-of-time build and the JIT give the same bytes.
The numpy code ranks candidate centres by float32 products where the compiled loops
use exact float64 distances, and sums in another order: the two agree on generic data
(tests/core/test_kmeans_loops.py) but a whole fit can end a little differently, by
the fourth decimal of PSNR and CIEDE2000 (docs/quantisation.md, "Exactness").
"""
from __future__ import annotations

import os
import sys
from types import SimpleNamespace

from somdesk.core.cpu_features import aot_module_names

__all__ = ["compiled_loops", "AOT_EXPORTS"]

AOT_EXPORTS = ("kmeans_lloyd", "kmeans_seed", "mix_two_nearest", "mix_assign")
_loaded: dict = {}


def _choice() -> str:
    return os.environ.get("SOMDESK_KERNELS", "").lower()


def compiled_loops():
    """SimpleNamespace(lloyd_run, seed_run, two_nearest, mixed_assign, backend) of the compiled
    loops (somdesk.core.kmeans_loops, somdesk.core.mix_loops), or None."""
    key = (_choice(), os.environ.get("SOMDESK_AOT_CPU", "").lower())
    if key not in _loaded:
        _loaded[key] = _load(key[0])
    return _loaded[key]


def _load(choice: str):
    if choice == "numpy":
        return None
    if choice == "numba":
        return _jit()
    aot = _aot_module()
    if aot is not None:
        return SimpleNamespace(lloyd_run=aot.kmeans_lloyd, seed_run=aot.kmeans_seed, two_nearest=aot.mix_two_nearest,
                               mixed_assign=aot.mix_assign, backend="aot")
    return None


def _jit():
    try:
        from numba import njit

        from somdesk.core import kmeans_loops as loops
        from somdesk.core import mix_loops
        from somdesk.core.numba_cache import configure
    except ImportError:     # no numba: the numpy loops
        return None
    configure()
    jit = njit(cache=True, nogil=True)
    loops.compile_helpers(jit)
    mix_loops.compile_helpers(jit)
    return SimpleNamespace(lloyd_run=jit(loops.lloyd_run), seed_run=jit(loops.seed_run),
                           two_nearest=jit(mix_loops.two_nearest), mixed_assign=jit(mix_loops.mixed_assign),
                           backend="numba")


def _aot_module():
    """The ahead-of-time kernel module with the k-means exports, built from today's sources, or
    None.  somdesk.core.kernels's rule (cpu_features.aot_module_names: the best build this CPU
    runs, capped by SOMDESK_AOT_CPU), without importing kernels, which imports numba from source."""
    import importlib

    for name in aot_module_names():
        for full in (f"somdesk.core.{name}", name):
            try:
                module = importlib.import_module(full)
            except ImportError:
                continue
            if all(hasattr(module, e) for e in AOT_EXPORTS) and _fresh(module):
                return module
    return None


def _fresh(module) -> bool:
    if getattr(sys, "frozen", False):
        return True
    from somdesk.core.aot_fingerprint import source_fingerprint

    return hasattr(module, "fingerprint") and module.fingerprint() == source_fingerprint()

