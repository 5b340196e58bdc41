"""The SOM core: numpy (and numba) only, never Qt.

Public API::

    from somdesk.core import SOM, SOMConfig
    som = SOM(colours, SOMConfig(width=100, height=100, iterations=1000, seed=7)).train()
    som.weights, som.quantization_error(), som.u_matrix()
"""
import importlib

# Loaded on first use (PEP 562), so that `import somdesk.core.<module>` for work
# that needs no kernels (the quantiser, options) does not pay numba's ~1 s import.
_LAZY = {"SOM": "somdesk.core.som", "StepInfo": "somdesk.core.som", "SOMConfig": "somdesk.core.options",
         **{name: "somdesk.core.metrics" for name in
            ("bmus", "hit_counts", "quantization_error", "topographic_error", "u_matrix")}}


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'somdesk.core' has no attribute {name!r}")


__all__ = ["SOM", "SOMConfig", "StepInfo", "bmus", "hit_counts", "quantization_error",
           "topographic_error", "u_matrix"]
