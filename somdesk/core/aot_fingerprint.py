"""Which kernel sources an ahead-of-time build was compiled from.

tools/build_aot_kernels.py bakes `source_fingerprint()` into the compiled module
(`_kernels_aot.fingerprint()`); running from source, somdesk.core.kernels uses a
compiled module only when the two agree.  Without this, an old build left in
somdesk/core by an earlier package build would be loaded after the kernels
changed, and fail (or, worse, compute with an old rule).  The frozen app ships
no kernel sources and skips the check: its module was built with it.
"""
from __future__ import annotations

import functools
import glob
import hashlib
import os

__all__ = ["source_fingerprint"]


@functools.lru_cache(maxsize=1)     # numba_cache and the AOT check both ask: read the files once
def source_fingerprint() -> int:
    """A 63-bit hash (int >= 0) of the names and bytes of every somdesk/core/*.py.

    All of core, not a list of the kernel modules, so a kernel added to the build
    (the dithering rows live in dither.py) can never be left out; a change elsewhere
    in core only makes a source checkout fall back to numba's JIT until the next build.
    """
    h = hashlib.sha256()
    for path in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "*.py"))):
        h.update(os.path.basename(path).encode())
        with open(path, "rb") as f:
            h.update(f.read())
    return int.from_bytes(h.digest()[:8], "little") & (2 ** 63 - 1)
