"""`stop_requested(flag)`: a compiled kernel's look at a CancelToken's flag that is really made.

A plain `flag[0] != 0` is a load the compilers may move out of the loop that is
meant to repeat it: numba's parfor pass hoists every pure statement whose
operands the loop does not write, and a kernel never writes the flag, so inside
a `prange` loop `flag[0]` was read once, before the first row (a 15-s kd-tree
search then ignored Stop for 14 s; tester13 #1).  LLVM may do the same to a
serial loop whose stores it can prove do not reach the flag.  This intrinsic
reads flag[0] with an atomic (monotonic) load: numba cannot hoist a call it
does not know to be pure, and LLVM never moves or merges atomic loads across
loop iterations.  On x86-64 and arm64 it is the same plain load instruction, so
it costs nothing measurable.  Every kernel of the numba modules (core/_*_numba.py)
reads the flag through this function, and no `prange` loop may read flag[0]
(tests/core/test_stop_flag_reads.py).  The loops that also run as plain Python
(dither.py, kmeans_loops.py, mix_loops.py) cannot call an intrinsic and keep
flag[0]: they are serial and store to arrays between looks, which LLVM cannot
prove distinct from the flag, so the load stays in the loop.
"""
from __future__ import annotations

from numba import types
from numba.extending import intrinsic

__all__ = ["stop_requested"]


@intrinsic
def stop_requested(typingctx, flag):
    """True when flag[0] != 0, read afresh at every call; flag a 1-D int64 array (CancelToken.flag)."""
    if not (isinstance(flag, types.Array) and flag.ndim == 1 and flag.dtype == types.int64):
        return None

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        value = builder.load_atomic(ary.data, "monotonic", 8)
        return builder.icmp_signed("!=", value, value.type(0))

    return types.boolean(flag), codegen
