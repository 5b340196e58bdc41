"""A kernel compiled with fastmath flags calls only kernels that state their own.

numba gives a callee that sets no `fastmath` the flags of whichever caller compiles it
first (`inherit_if_not_set("fastmath")`, numba/core/cpu.py), and the dispatcher (and
the on-disk cache) then serve that version to every caller.  `online_epoch` carries
'contract', so its passes were compiled with contracted distances when the epoch
compiled them, uncontracted when a test or script called them first: `_first_flat`
then looked for distance bits the pass had not produced and returned the row's first
node.  Seen in a fresh cache: a Visibone-sized run (100x100, 30 epochs) 0.80 away from
the transcription when `bmu_scan3` had been compiled first, 6.7e-16 otherwise
(docs/kernels.md, "Fast-math flags are stated, not inherited").
"""
from __future__ import annotations

import importlib
import pkgutil

import pytest

numba = pytest.importorskip("numba")
from numba.core.registry import CPUDispatcher  # noqa: E402

import somdesk.core  # noqa: E402


def _dispatchers():
    """(module name, function name, dispatcher) for every numba kernel defined in somdesk.core."""
    out = []
    for info in pkgutil.iter_modules(somdesk.core.__path__):
        if not info.name.endswith("_numba"):
            continue
        module = importlib.import_module(f"somdesk.core.{info.name}")
        for name, obj in vars(module).items():
            if isinstance(obj, CPUDispatcher) and obj.py_func.__module__ == module.__name__:
                out.append((module.__name__, name, obj))
    return out


def _callees(dispatcher):
    """The numba kernels a kernel's code names (its module's globals, nested code included)."""
    fn = dispatcher.py_func
    found = []
    stack = [fn.__code__]
    while stack:
        code = stack.pop()
        for name in code.co_names:
            obj = fn.__globals__.get(name)
            if isinstance(obj, CPUDispatcher):
                found.append((name, obj))
        stack.extend(c for c in code.co_consts if hasattr(c, "co_names"))
    return found


def test_the_scan_finds_the_colour_passes():
    names = {name for _m, name, _d in _dispatchers()}
    assert {"online_epoch", "_fused_pass3", "_first_flat", "bmu_scan3"} <= names


def test_kernels_with_fastmath_call_only_kernels_that_state_theirs():
    missing = []
    for module, name, dispatcher in _dispatchers():
        if not dispatcher.targetoptions.get("fastmath"):
            continue
        for callee_name, callee in _callees(dispatcher):
            if "fastmath" not in callee.targetoptions:
                missing.append(f"{module}.{name} -> {callee_name}")
    assert not missing, ("these kernels would inherit their caller's fastmath flags (compile order "
                         "decides their arithmetic): " + ", ".join(sorted(set(missing))))


def test_the_colour_passes_contract_like_the_epoch():
    """The arithmetic the epoch has always compiled them with (their bits are pinned by
    tests/core/test_classic_colours.py and the Visibone job)."""
    from somdesk.core import _online3_numba, _online_numba

    for fn in (_online3_numba._fused_pass3, _online3_numba._window_pass3, _online3_numba._search_outside3,
               _online3_numba._first_flat, _online3_numba.bmu_scan3, _online_numba.bmu_tiles_planar,
               _online_numba.bmu_scan_planar, _online_numba._grow_boxes_planar):
        assert fn.targetoptions["fastmath"] == {"contract"}, fn.__name__
