"""The SOM core: numpy (and numba) only, never Qt.

Public API::

    from somdesk.core import SOM, SOMConfig
    som = SOM(colours, SOMConfig(width=100, height=100, iterations=1000, seed=7)).train()
    som.weights, som.quantization_error(), som.u_matrix()
"""
from somdesk.core.metrics import bmus, hit_counts, quantization_error, topographic_error, u_matrix
from somdesk.core.options import SOMConfig
from somdesk.core.som import SOM, StepInfo

__all__ = ["SOM", "SOMConfig", "StepInfo", "bmus", "hit_counts", "quantization_error",
           "topographic_error", "u_matrix"]
