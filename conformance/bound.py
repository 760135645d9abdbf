"""The error bound of SPEC.md "Comparing": B = n u (|x| (op) |w|) + u |y_ref| + tiny (+ the oracle's rounding).

Judging (``compare``) and diagnosing (``diagnosis``) both measure against it.
"""

from __future__ import annotations

import dataclasses
from typing import Optional

import numpy as np

from .dtypes import numpy_dtype, unit_roundoff
from .oracle import evaluate, gradients
from .oracle.geometry import resolve


def products_per_output(case) -> int:
    """n: the products summed into one output, C_in/groups * prod(k) (SPEC.md)."""
    return case.in_channels // case.groups * int(np.prod(case.kernel_spatial))


def products_per_element(case, quantity: str = "output") -> int:
    """n for one element of ``quantity`` (SPEC.md "Gradients"): the products summed into it.

    grad_input: each input element receives C_out/groups * prod(k) products at most (the
    transpose's count, for either op); grad_weight: one product per batch item and position
    the tap reads, N * prod(conv's output sizes) for conv, N * prod(input sizes) for
    conv_transpose; grad_bias: N * prod(output sizes).
    """
    if quantity == "output":
        return products_per_output(case)
    if quantity == "grad_input":
        return case.out_channels // case.groups * int(np.prod(case.kernel_spatial))
    axes = resolve(case)
    batch = case.x.shape[0]
    if quantity == "grad_weight":
        positions = [a.out for a in axes] if case.op == "conv" else [a.length for a in axes]
        return batch * int(np.prod(positions))
    if quantity == "grad_bias":
        return batch * int(np.prod([a.out for a in axes]))
    raise ValueError(f"unknown quantity {quantity!r}")


def oracle_quantity(case, quantity: str = "output", absolute: bool = False) -> np.ndarray:
    """The oracle's ``quantity`` for the case, or (``absolute``) for |x|, |w|, |b| and |g|:
    the magnitude the bound scales with."""
    if absolute:
        case = absolute_case(case)
    if quantity == "output":
        return evaluate(case)
    return gradients.quantity(case, quantity, case.grad_output)


def smallest_normal(dtype: str) -> float:
    """The smallest positive normal number of a case dtype: the bound's absolute floor.

    Chosen over zero so that an output whose every contribution is zero may still differ
    by a subnormal (flush-to-zero and gradual underflow are both legitimate), and over
    the dtype's epsilon so that such an output may not differ by anything a user could
    see. float64 2**-1022, float32 and bfloat16 2**-126, float16 2**-14.
    """
    import ml_dtypes  # its finfo also knows bfloat16, which numpy's does not

    return float(ml_dtypes.finfo(numpy_dtype(dtype)).tiny)


def absolute_case(case):
    """The case with |x|, |w| and |b|: the oracle on it gives |x| (op) |w| (+ |b|)."""
    return dataclasses.replace(
        case,
        x=np.abs(case.x),
        w=np.abs(case.w),
        b=None if case.b is None else np.abs(case.b),
        grad_output=None if case.grad_output is None else np.abs(case.grad_output),
    )


# The oracle's own unit roundoff: it computes in float64.
ORACLE_UNIT_ROUNDOFF = 2.0**-53


def bound_from(case, magnitude: np.ndarray, value: np.ndarray, quantity: str = "output") -> np.ndarray:
    """B = n u (|x| (op) |w|) + u |value| + tiny + the oracle's own rounding, per element.

    The last term is not in SPEC.md's formula: the reference is a float64 computation,
    not the exact value, and may itself be off by (n + 1) 2**-53 (|x| (op) |w|) (n
    products and sums, plus the bias). For float32 and narrower dtypes it is below 2**-29
    of the first term; for float64 cases it is what lets a framework and the oracle each
    be one rounding away from the exact value in opposite directions (seen on k=1 float64
    cases with a bias, err_ratio 1.02-1.14 without it).
    """
    u = unit_roundoff(case.dtype)
    n = products_per_element(case, quantity)
    oracle_rounding = (n + 1) * ORACLE_UNIT_ROUNDOFF * magnitude
    return n * u * magnitude + u * np.abs(value) + smallest_normal(case.dtype) + oracle_rounding


def error_bound(
    case,
    reference_abs: Optional[np.ndarray] = None,
    reference: Optional[np.ndarray] = None,
    quantity: str = "output",
) -> np.ndarray:
    """The per-element bound B of SPEC.md for a valid case's ``quantity``.

    ``reference_abs`` is the oracle's ``quantity`` on ``absolute_case(case)`` and
    ``reference`` the oracle's on the case; either is computed when not given.
    """
    if reference_abs is None:
        reference_abs = oracle_quantity(case, quantity, absolute=True)
    if reference is None:
        reference = oracle_quantity(case, quantity)
    return bound_from(case, reference_abs, reference, quantity)
