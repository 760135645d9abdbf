"""Tensor specs -> float64 arrays: ``values``, ``random``, ``arange``, ``fill``.

Every generator makes float64 values; the caller rounds them to the case dtype. The size
limit is checked on ``shape`` before anything is allocated.

``random`` draws from ``numpy.random.default_rng(seed)`` (PCG64, the same numbers on
every platform and NumPy version):

- ``normal`` (the default): ``rng.normal(mean, std, shape)``, mean 0 and std 1 unless given;
- ``uniform``: ``rng.uniform(low, high, shape)``, in [low, high), default [-1, 1);
- ``integers``: ``rng.integers(low, high, shape)``, in [low, high), default [-4, 5)
  (small integers make exactly representable products: the exact-result cases).
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from .errors import CaseProblem

# The SPEC's memory guard: no tensor of a case (inputs, expected, output) above 2**24 elements.
MAX_TENSOR_ELEMENTS = 2**24

GENERATORS = ("values", "random", "arange", "fill")

RANDOM_DEFAULTS = {
    "normal": {"mean": 0.0, "std": 1.0},
    "uniform": {"low": -1.0, "high": 1.0},
    "integers": {"low": -4, "high": 5},
}


def check_size(elements: int, field: str, what: str, value: Any) -> None:
    """Refuse a tensor over MAX_TENSOR_ELEMENTS (before it is allocated)."""
    if elements > MAX_TENSOR_ELEMENTS:
        raise CaseProblem(
            field, f"{what} of {elements} elements is over the limit of 2**24 = {MAX_TENSOR_ELEMENTS}", value
        )


def make_tensor(spec: Mapping[str, Any], field: str) -> np.ndarray:
    """The float64 array a schema-valid tensor spec describes; raises CaseProblem."""
    shape = tuple(spec["shape"])
    check_size(math.prod(shape), f"{field}.shape", "a tensor", list(shape))
    if "values" in spec:
        return _from_values(spec["values"], shape, f"{field}.values")
    if "random" in spec:
        return random_values(spec["random"], shape, f"{field}.random")
    if "arange" in spec:
        return np.arange(math.prod(shape), dtype=np.float64).reshape(shape)
    return np.full(shape, float(spec["fill"]), dtype=np.float64)


def _from_values(values: list, shape: tuple[int, ...], field: str) -> np.ndarray:
    try:
        array = np.array(values, dtype=np.float64)
    except OverflowError:
        raise CaseProblem(field, "holds an integer too large for float64", values) from None
    except ValueError:
        raise CaseProblem(field, "nested lists are ragged: the lists at one depth must have one length", values) from None
    if array.shape != shape:
        raise CaseProblem(field, f"nested lists have shape {list(array.shape)}, not the shape {list(shape)}", values)
    return array


def random_values(spec: Mapping[str, Any], shape: tuple[int, ...], field: str) -> np.ndarray:
    """Draws from ``default_rng(seed)`` by the rules in this module's docstring."""
    distribution = spec.get("distribution", "normal")
    defaults = RANDOM_DEFAULTS[distribution]
    for name in ("low", "high", "mean", "std"):
        if name in spec and name not in defaults:
            raise CaseProblem(
                f"{field}.{name}", f"is not a parameter of {distribution} (it takes {', '.join(defaults)})", spec[name]
            )
    params = {name: spec.get(name, default) for name, default in defaults.items()}
    try:
        return _draw(np.random.default_rng(spec["seed"]), distribution, params, shape, field)
    except (ValueError, OverflowError) as err:  # NumPy's own refusal, e.g. bounds beyond int64
        raise CaseProblem(field, f"numpy cannot draw this: {err}", dict(spec)) from None


def _draw(rng: np.random.Generator, distribution: str, params: dict, shape: tuple[int, ...], field: str) -> np.ndarray:
    if distribution == "normal":
        return rng.normal(params["mean"], params["std"], shape)
    low, high = params["low"], params["high"]
    if distribution == "integers":
        for name in ("low", "high"):
            if not isinstance(params[name], int):
                raise CaseProblem(f"{field}.{name}", "must be an integer for integers", params[name])
    if not low < high:
        raise CaseProblem(f"{field}.high", f"must be greater than low = {low}", high)
    if distribution == "uniform":
        return rng.uniform(low, high, shape)
    return rng.integers(low, high, shape).astype(np.float64)
