"""Judging one output against the oracle: shapes, the bound, err_ratio, NaN/Inf (SPEC.md "Comparing").

``judge(case, actual, reference) -> Verdict`` gives PASS or FAIL with every number; a FAIL
carries the code ``diagnosis.diagnose`` finds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np

from .bound import bound_from, oracle_quantity
from .diagnosis import diagnose
from .gradient_diagnosis import diagnose_quantity


@dataclass(frozen=True)
class Verdict:
    """The comparison's outcome; ``err_ratio`` is set whenever the shapes agree."""

    status: str  # 'PASS' | 'FAIL'
    message: str
    shape: list
    expected_shape: list
    max_abs_err: Optional[float] = None
    err_ratio: Optional[float] = None
    diagnosis: Optional[str] = None


def judge_shape(case, shape, reference) -> Verdict:
    """A shape-only adapter's answer: the output shape it inferred against the oracle's."""
    shape = [int(size) for size in np.asarray(shape).reshape(-1)]
    expected_shape = list(reference.shape)
    if shape == expected_shape:
        return Verdict("PASS", "shape only: the inferred shape is the oracle's", shape, expected_shape)
    message = f"inferred shape {tuple(shape)}, but should be {tuple(expected_shape)} [{describe_call(case)}]"
    return Verdict("FAIL", f"{message}; diagnosis: shape-differs", shape, expected_shape, diagnosis="shape-differs")


def judge(case, actual, reference, *, reference_abs: Optional[np.ndarray] = None, quantity: str = "output") -> Verdict:
    """Compare a framework's output (or gradient: ``quantity``) with the oracle's ``reference``.

    Positions where the reference itself is not finite (a float64 overflow) are not
    judged. A non-finite output where the reference is finite fails, and its error and
    ratio are recorded as infinite.
    """
    actual = np.asarray(actual, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    shape, expected_shape = list(actual.shape), list(reference.shape)
    call = describe_call(case)
    if actual.shape != reference.shape:
        message = f"out.shape={tuple(actual.shape)}, but should be {tuple(reference.shape)} [{call}]"
        diagnosis = _diagnose(case, quantity, actual, reference, reference_abs)
        return Verdict("FAIL", f"{message}; diagnosis: {diagnosis}", shape, expected_shape, diagnosis=diagnosis)

    if reference_abs is None:
        reference_abs = oracle_quantity(case, quantity, absolute=True)
    bound = bound_from(case, reference_abs, reference, quantity)
    judged = np.isfinite(reference)
    broken = judged & ~np.isfinite(actual)
    error = np.where(judged, np.abs(actual - reference), 0.0)
    # An error against an all-zero output's bound (about 2**-1022 in float64) may overflow
    # to inf: that is the right ratio, not a warning.
    with np.errstate(over="ignore"):
        ratio = np.where(judged, error / bound, 0.0)
    if broken.any():
        first = _index(np.argwhere(broken)[0])
        message = (
            f"{int(broken.sum())} non-finite values where the oracle is finite; first at {first}: "
            f"out={float(actual[first])!r} ref={reference[first]:.9g} [{call}]"
        )
        diagnosis = _diagnose(case, quantity, actual, reference, reference_abs)
        return Verdict(
            "FAIL", f"{message}; diagnosis: {diagnosis}", shape, expected_shape, math.inf, math.inf, diagnosis
        )

    max_abs_err = float(error.max())
    err_ratio = float(ratio.max())
    factor = case.tolerance_factor
    if err_ratio <= factor:
        return Verdict("PASS", "", shape, expected_shape, max_abs_err, err_ratio)
    worst = _index(np.unravel_index(int(np.argmax(ratio)), ratio.shape))
    outside = int((ratio > factor).sum())
    message = (
        f"values differ: err_ratio={err_ratio:.3g} > {factor:g}; {outside} of {ratio.size} elements "
        f"outside the bound; worst at {worst}: out={actual[worst]:.9g} ref={reference[worst]:.9g} [{call}]"
    )
    diagnosis = _diagnose(case, quantity, actual, reference, reference_abs)
    return Verdict(
        "FAIL", f"{message}; diagnosis: {diagnosis}", shape, expected_shape, max_abs_err, err_ratio, diagnosis
    )


def _diagnose(case, quantity, actual, reference, reference_abs) -> str:
    if quantity == "output":
        return diagnose(case, actual, reference, reference_abs)
    return diagnose_quantity(case, quantity, actual, reference, reference_abs)


def describe_call(case) -> str:
    """The case's non-default parameters, e.g. ``conv_transpose(stride=2, padding=same)``."""
    parts = []
    for name in ("stride", "dilation"):
        values = getattr(case, name)
        if any(v != 1 for v in values):
            parts.append(f"{name}={_compact(values)}")
    if isinstance(case.padding, str):
        parts.append(f"padding={case.padding}")
    elif any(any(pair) for pair in case.padding):
        if all(before == after for before, after in case.padding):
            parts.append(f"padding={_compact(tuple(before for before, _ in case.padding))}")
        else:
            parts.append(f"padding={tuple(case.padding)}")
    if any(case.output_padding):
        parts.append(f"output_padding={_compact(case.output_padding)}")
    if case.output_shape is not None:
        parts.append(f"output_shape={tuple(case.output_shape)}")
    if case.groups != 1:
        parts.append(f"groups={case.groups}")
    return f"{case.op}({', '.join(parts)})"


def _compact(values) -> str:
    values = tuple(values)
    return str(values[0]) if len(set(values)) == 1 else str(values)


def _index(index) -> tuple[int, ...]:
    return tuple(int(i) for i in index)
