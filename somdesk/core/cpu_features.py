"""What the CPU can run, for choosing between the two ahead-of-time builds (numba-free, so the
quantize command can ask without importing numba)."""
from __future__ import annotations

__all__ = ["has_avx2_fma"]


def has_avx2_fma() -> bool:
    """True on an x86-64 CPU with AVX2 and FMA (x86-64-v3: Haswell, Zen and later), per numpy."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as feats
    except ImportError:   # numpy 1.x
        try:
            from numpy.core._multiarray_umath import __cpu_features__ as feats
        except ImportError:
            return False
    return all(feats.get(k, False) for k in ("AVX", "AVX2", "FMA3", "F16C", "POPCNT"))
