"""What the CPU can run, for choosing among the ahead-of-time builds of the kernels (numba-free, so
the quantize command can ask without importing numba).

tools/build_aot_kernels.py compiles the same kernels three times on x86-64 (once elsewhere):

| module | LLVM CPU | needs (numpy's CPU feature names) |
|---|---|---|
| `_kernels_aot_v4` | x86-64-v4 | v3 + AVX512F, AVX512CD, AVX512BW, AVX512DQ, AVX512VL (Skylake-X, Ice Lake, Zen 4 and later) |
| `_kernels_aot_v3` | x86-64-v3 | AVX, AVX2, FMA3, F16C, POPCNT (Haswell, Zen and later) |
| `_kernels_aot` | generic | any CPU of the architecture |

`SOMDESK_AOT_CPU` caps the choice (for tests and comparisons): `generic`, `v3`
(or `x86-64-v3`), `v4` (or `x86-64-v4`); unset or empty: the best build this CPU
runs.  A build the CPU cannot run is never chosen, whatever the variable says
(it would stop the process with an illegal instruction); an unknown value
counts as unset.
"""
from __future__ import annotations

import os

__all__ = ["has_avx2_fma", "has_avx512", "can_run", "aot_module_names", "LEVELS"]

# The builds, best first: (level, module name, LLVM CPU name the build compiles for).
LEVELS = (("v4", "_kernels_aot_v4", "x86-64-v4"),
          ("v3", "_kernels_aot_v3", "x86-64-v3"),
          ("generic", "_kernels_aot", "generic"))
_V3 = ("AVX", "AVX2", "FMA3", "F16C", "POPCNT")
_V4 = _V3 + ("AVX512F", "AVX512CD", "AVX512BW", "AVX512DQ", "AVX512VL")
_CAP = {"generic": "generic", "v3": "v3", "x86-64-v3": "v3", "v4": "v4", "x86-64-v4": "v4"}


def _features() -> dict:
    """numpy's table of the CPU's features (empty when numpy has none: not x86, or an old numpy).
    numpy also checks that the OS saves the wide registers (AVX, AVX-512 state) before it says so."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as feats
    except ImportError:   # numpy 1.x
        try:
            from numpy.core._multiarray_umath import __cpu_features__ as feats
        except ImportError:
            return {}
    return feats


def has_avx2_fma() -> bool:
    """True on an x86-64 CPU with AVX2 and FMA (x86-64-v3: Haswell, Zen and later), per numpy."""
    feats = _features()
    return all(feats.get(k, False) for k in _V3)


def has_avx512() -> bool:
    """True on an x86-64 CPU with x86-64-v4's AVX-512 subsets (F, CD, BW, DQ, VL), per numpy."""
    feats = _features()
    return all(feats.get(k, False) for k in _V4)


def can_run(target_cpu: str) -> bool:
    """Can this CPU run code compiled for LLVM CPU `target_cpu` (one of LEVELS' names)?"""
    if target_cpu == "x86-64-v4":
        return has_avx512()
    if target_cpu == "x86-64-v3":
        return has_avx2_fma()
    return True


def aot_module_names(cap: str | None = None) -> list[str]:
    """The ahead-of-time modules to try, best first: those this CPU runs, capped by `cap`
    (a SOMDESK_AOT_CPU value; None: the variable's)."""
    if cap is None:
        cap = os.environ.get("SOMDESK_AOT_CPU", "")
    cap = _CAP.get(cap.strip().lower(), "v4")
    levels = [level for level, _, _ in LEVELS]
    return [module for level, module, cpu in LEVELS[levels.index(cap):] if can_run(cpu)]
