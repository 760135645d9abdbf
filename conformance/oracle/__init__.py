"""The NumPy oracle: the canonical semantics of SPEC.md in float64.

``evaluate(case)`` is the judge (``direct``); ``matrix`` and ``flipped`` are the seeds'
two other formulations, used only to check it. Nothing here imports an adapter.
"""

from .direct import conv, conv_transpose, evaluate
from .geometry import InvalidConfiguration, output_shape, resolve

__all__ = ["conv", "conv_transpose", "evaluate", "InvalidConfiguration", "output_shape", "resolve"]
