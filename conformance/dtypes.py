"""The case dtypes: their NumPy types and unit roundoffs.

bfloat16 comes from ``ml_dtypes`` (the package JAX and TensorFlow use), never by hand.
"""

from __future__ import annotations

import numpy as np

DTYPE_NAMES = ("float64", "float32", "float16", "bfloat16")

# Unit roundoff u = 2**-(mantissa bits + 1): round-to-nearest relative error bound.
UNIT_ROUNDOFF = {
    "float64": 2.0**-53,
    "float32": 2.0**-24,
    "float16": 2.0**-11,
    "bfloat16": 2.0**-8,
}


def numpy_dtype(name: str) -> np.dtype:
    """The NumPy dtype for a case dtype name (bfloat16 through ml_dtypes)."""
    if name == "bfloat16":
        import ml_dtypes

        return np.dtype(ml_dtypes.bfloat16)
    if name not in UNIT_ROUNDOFF:
        raise ValueError(f"unknown dtype {name!r}; known: {', '.join(DTYPE_NAMES)}")
    return np.dtype(name)


def unit_roundoff(name: str) -> float:
    return UNIT_ROUNDOFF[name]


def round_to_dtype(values: np.ndarray, name: str) -> np.ndarray:
    """Round float64 values to ``name`` and return them as float64 again.

    The oracle computes in float64 from exactly the numbers the framework receives.
    """
    return np.asarray(values, dtype=np.float64).astype(numpy_dtype(name)).astype(np.float64)
