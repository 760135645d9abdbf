"""Precision: how far below its dtype a kernel computes, per result and per (adapter, dtype).

Four pieces, all measured against the float64 oracle:

- ``matching_format(case, actual)``: the narrower format (float32 -> float16, TF32,
  bfloat16; float16 -> bfloat16; float64 -> float32 and those) whose rounded inputs reproduce
  the output, within that format's own bound, the closest when several do: the
  ``reduced-precision`` diagnosis.
- ``flushes_subnormals(case, actual)``: the output is the oracle's with subnormal inputs
  read as zero (the ``subnormals-flushed`` diagnosis, tried first: it is no narrower format).
- ``measure(case, actual, reference, reference_abs)``: one result's error in units of the
  dtype's rounding, recorded in the results file (``Result.precision``).
- ``summarise(results)``: per adapter and dtype, what the kernel effectively does - rounds
  once (accumulates wider), accumulates in the dtype, or computes below the dtype (about N
  mantissa bits) - with the cases that show it (the report and ``conformance diff``).
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from typing import Iterable, Optional

import numpy as np

from .bound import ORACLE_UNIT_ROUNDOFF, absolute_case, bound_from, products_per_output, smallest_normal
from .dtypes import numpy_dtype, unit_roundoff
from .oracle import evaluate

# Narrower formats a kernel may compute a dtype in, widest first (the first that explains
# an output names it). TF32 is float32's exponent with float16's 10-bit mantissa (NVIDIA
# Ampere and later tensor cores; oneDNN's fpmath mode "tf32").
NARROWER_FORMATS = {
    # float64 may also be run below float32: OpenVINO's CPU plugin takes an f64 model to f32,
    # then to its bf16 inference precision on AVX512_BF16 CPUs (measured)
    "float64": ("float32", "float16", "tf32", "bfloat16"),
    "float32": ("float16", "tf32", "bfloat16"),
    "float16": ("bfloat16",),
    "bfloat16": (),
}
# Explicit mantissa bits per format; the unit roundoff is 2**-(bits + 1).
MANTISSA_BITS = {"float64": 52, "float32": 23, "tf32": 10, "float16": 10, "bfloat16": 7}
# The smallest normal of TF32 is float32's (same exponent).
_FORMAT_DTYPE = {"tf32": "float32"}

# A format is only tried where its bound, n u_F (|x| (op) |w|), is well below the output's
# own magnitude: bfloat16 with n = 432 allows errors of 1.7 (|x| (op) |w|), which any output
# of the right scale meets (a garbage 3D conv_transpose did).
MAX_FORMAT_BOUND = 0.25

# A narrower computation puts most elements of a full-mantissa output outside the dtype's
# bound; a few wrong elements in an otherwise exact output are another mistake.
SPREAD_FRACTION = 0.25

# Beyond one final rounding, the error of a kernel that accumulates wider than its dtype is
# a few units of the wider format: far below a quarter of u (|x| (op) |w|). One that
# accumulates in the dtype shows up to (n - 1) u (|x| (op) |w|) on some output once n >= 2.
ACCUMULATION_THRESHOLD = 0.25

ROUNDS_ONCE = "rounds once (accumulates wider)"
ACCUMULATES = "accumulates in the dtype"
BELOW = "computes below the dtype"
FLOAT64_WITHIN = "within float64 (a float64 oracle cannot tell one rounding from accumulating)"


def format_unit_roundoff(fmt: str) -> float:
    return 2.0 ** -(MANTISSA_BITS[fmt] + 1)


def round_to_format(values: np.ndarray, fmt: str) -> np.ndarray:
    """Round float64 ``values`` to ``fmt`` (nearest, ties to even) and return them as float64."""
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        if fmt == "tf32":
            bits = values.astype(np.float32).view(np.uint32)
            # Round the 23-bit mantissa to 10 bits: add half an ulp of the result (plus the
            # kept lowest bit, for ties to even), then clear the 13 dropped bits.
            keep = (bits >> np.uint32(13)) & np.uint32(1)
            rounded = (bits + np.uint32(0xFFF) + keep) & np.uint32(0xFFFFE000)
            finite = np.isfinite(values.astype(np.float32))
            return np.where(finite, rounded.view(np.float32), values.astype(np.float32)).astype(np.float64)
        return values.astype(numpy_dtype(fmt)).astype(np.float64)


def _rounded_case(case, fmt: str):
    def r(array):
        return None if array is None else round_to_format(array, fmt)

    return dataclasses.replace(case, x=r(case.x), w=r(case.w), b=r(case.b))


def matching_format(case, actual, reference: Optional[np.ndarray] = None) -> Optional[str]:
    """The narrower format whose oracle explains ``actual`` and lies closest to it, or None.

    Several formats may explain one output: a float32 layer run in bfloat16 errs by about
    2**-8, within float16's wider bound at n >= 8 and spread like float16's prediction too.
    The one named is the closest (root mean square distance to its prediction, the widest on
    a tie): an output computed from bfloat16-rounded inputs equals that prediction but for
    its accumulation, while float16's differs from it by float16's own rounding.

    The prediction is the oracle on the inputs (x, w, b) rounded to the format; it explains
    the output when every element is within the format's bound, ``n u_F (|x| (op) |w|) +
    u_F |y| + u |y|`` (a kernel may also accumulate in the format, and rounds its result to
    the case dtype) plus the larger smallest normal, and the output is closer to it than to
    the canonical reference (the sum of squared distances in units of that bound: a kernel
    that rounds its inputs is shaped like the prediction) or has a quarter or more of the
    elements the prediction moves outside the dtype's bound outside it too (errors spread
    through the output; an output
    with a few wrong elements is another mistake). Called for an output that failed the
    dtype's own bound. Equal non-finite values match: a float32 layer run in float16 overflows where
    float16 does. A format whose rounding changes no input is skipped: it predicts the
    reference itself, and integer data cannot tell precisions apart; so is one whose bound
    n u_F exceeds ``MAX_FORMAT_BOUND``.
    """
    actual = np.asarray(actual, dtype=np.float64)
    if reference is None:
        reference = evaluate(case)
    if actual.shape != reference.shape:
        return None
    explaining: list[tuple[float, int, str]] = []  # (distance to its prediction, order, format)
    for order, fmt in enumerate(NARROWER_FORMATS.get(case.dtype, ())):
        if products_per_output(case) * format_unit_roundoff(fmt) > MAX_FORMAT_BOUND:
            continue  # the format's bound is as large as the output itself: it tells nothing
        rounded = _rounded_case(case, fmt)
        if all(
            a is None or np.array_equal(a, b, equal_nan=True)
            for a, b in ((rounded.x, case.x), (rounded.w, case.w), (rounded.b, case.b))
        ):
            continue
        with np.errstate(all="ignore"):
            value = evaluate(rounded)
            magnitude = evaluate(absolute_case(rounded))
            u_format = format_unit_roundoff(fmt)
            tiny = max(smallest_normal(case.dtype), smallest_normal(_FORMAT_DTYPE.get(fmt, fmt)))
            bound = (
                products_per_output(case) * u_format * magnitude
                + (u_format + unit_roundoff(case.dtype)) * np.abs(value)
                + tiny
                + (products_per_output(case) + 1) * ORACLE_UNIT_ROUNDOFF * magnitude
            )
            within = (np.abs(actual - value) <= bound) | (actual == value)
            if not within.all():
                continue
            # Closer to the prediction than to the reference, in units of the format's bound
            # (sum of squares over the finite elements): a few wrong elements of an otherwise
            # exact output are within the wide bound too, but not shaped like the prediction.
            finite = np.isfinite(actual) & np.isfinite(value) & np.isfinite(reference)
            from_prediction = ((actual - value) / bound)[finite]
            from_reference = ((actual - reference) / bound)[finite]
            # Scaled to the largest first, so that squares near the underflow stay nonzero.
            scale = max(np.abs(from_prediction).max(initial=0.0), np.abs(from_reference).max(initial=0.0)) or 1.0
            to_prediction = np.sum((from_prediction / scale) ** 2)
            to_reference = np.sum((from_reference / scale) ** 2)
            overflowed = bool((~np.isfinite(actual) & np.isfinite(reference)).any())
            # Or the errors spread through the output, as a narrower computation's do: a
            # quarter or more of the elements outside the dtype's own bound (where the
            # format's own accumulation error outweighs its input rounding, the output may be
            # as close to the reference as to the prediction).
            # Counted where the prediction itself leaves the dtype's bound: elements no
            # product reaches (zeros between stride-dilated taps) tell nothing.
            own_bound = bound_from(case, evaluate(absolute_case(case)), reference)
            telling = ~(np.abs(value - reference) <= own_bound)
            outside = ~(np.abs(actual - reference) <= own_bound)
            spread = bool(telling.any()) and np.mean(outside[telling]) >= SPREAD_FRACTION
            if to_prediction < to_reference or spread or (overflowed and to_prediction == to_reference == 0):
                gap = (actual - value)[finite]
                explaining.append((float(np.sqrt(np.mean(gap**2))) if gap.size else 0.0, order, fmt))
    return min(explaining)[2] if explaining else None


def flushes_subnormals(case, actual) -> bool:
    """Whether ``actual`` is the oracle's on the inputs with their subnormals set to zero,
    within the case's own bound (denormals-are-zero: TF's and oneDNN's threads set the
    CPU's DAZ/FTZ flags). False when no input is subnormal."""
    tiny = smallest_normal(case.dtype)

    def flushed(array):
        return None if array is None else np.where(np.abs(array) < tiny, 0.0, array)

    changed = dataclasses.replace(case, x=flushed(case.x), w=flushed(case.w), b=flushed(case.b))
    if all(a is None or np.array_equal(a, b) for a, b in ((changed.x, case.x), (changed.w, case.w), (changed.b, case.b))):
        return False
    actual = np.asarray(actual, dtype=np.float64)
    value, magnitude = evaluate(changed), evaluate(absolute_case(changed))
    if value.shape != actual.shape:
        return False
    return bool(np.all(np.abs(actual - value) <= bound_from(changed, magnitude, value)))


def measure(case, actual, reference, reference_abs, diagnosis: Optional[str] = None) -> Optional[dict]:
    """One result's error in units of its dtype's rounding u (None when nothing is measurable).

    - ``err_u_magnitude``: max |y - y_ref| / (u (|x| (op) |w|)), the issue's yardstick: at
      most n for a kernel that accumulates in the dtype, about 1 or less for one rounding.
    - ``err_u_value``: max |y - y_ref| / (u max(|y_ref|, smallest normal)): at most 1 for
      one correctly rounded result.
    - ``accumulation_u``: max (|y - y_ref| - u |y_ref| - the oracle's own rounding) /
      (u (|x| (op) |w|)): what is left beyond one final rounding (<= 0: none).
    - ``format``: the narrower format that explains the output (``reduced-precision`` only).

    Elements whose magnitude |x| (op) |w| is below the smallest normal are left out: there
    the error measures underflow, not rounding.
    """
    actual = np.asarray(actual, dtype=np.float64)
    if actual.shape != np.shape(reference):
        return None
    u = unit_roundoff(case.dtype)
    n = products_per_output(case)
    with np.errstate(all="ignore"):
        mask = np.isfinite(reference) & np.isfinite(actual) & (reference_abs > smallest_normal(case.dtype))
        if not mask.any():
            if diagnosis != "reduced-precision":
                return None
            # e.g. every output overflowed where the narrower format does: the format is the finding.
            empty = dict.fromkeys(("err_u_magnitude", "err_u_value", "accumulation_u"))
            return {"dtype": case.dtype, "n": n, **empty, "format": matching_format(case, actual, reference)}
        error = np.abs(actual - reference)[mask]
        # One rounding errs by at most u |y|, or u times the smallest normal where y is
        # subnormal (the spacing there is fixed): an output that cancels to a subnormal is
        # not evidence of accumulation.
        magnitude = reference_abs[mask]
        value = np.maximum(np.abs(reference[mask]), smallest_normal(case.dtype))
        oracle = (n + 1) * ORACLE_UNIT_ROUNDOFF * magnitude
        nonzero = np.abs(reference[mask]) > 0
        profile = {
            "dtype": case.dtype,
            "n": n,
            "err_u_magnitude": _finite(np.max(error / (u * magnitude))),
            "err_u_value": _finite(np.max(error[nonzero] / (u * value[nonzero]))) if nonzero.any() else None,
            "accumulation_u": _finite(np.max((error - u * value - oracle) / (u * magnitude))),
            "format": None,
        }
    if diagnosis == "reduced-precision":
        profile["format"] = matching_format(case, actual, reference)
    return profile


def _finite(value) -> Optional[float]:
    value = float(value)
    return value if math.isfinite(value) else None


@dataclasses.dataclass(frozen=True)
class Profile:
    """What one adapter's kernels do in one dtype, and the cases that show it."""

    adapter: str
    dtype: str
    verdict: str  # ROUNDS_ONCE | ACCUMULATES | BELOW (about N mantissa bits) | FLOAT64_WITHIN
    cases: tuple[str, ...]  # the results that show it (at most MAX_SHOWN)
    measured: int  # results with a precision record
    max_n: int  # the most products per output among them
    bits: Optional[int] = None  # BELOW: the mantissa bits the error suggests
    formats: tuple[str, ...] = ()  # BELOW: the narrower formats that explain the outputs

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


MAX_SHOWN = 5


def summarise(results: Iterable) -> list[Profile]:
    """One ``Profile`` per (adapter, dtype) over the results that carry ``precision``.

    FAILs with another diagnosis (a geometry mistake) say nothing about rounding and are
    left out; results of a shape-only adapter carry no precision record.
    """
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for result in results:
        profile = getattr(result, "precision", None)
        if not profile or (result.status != "PASS" and result.diagnosis != "reduced-precision"):
            continue
        groups[(result.adapter, profile["dtype"])].append(result)
    return [_profile(adapter, dtype, members) for (adapter, dtype), members in sorted(groups.items())]


def _profile(adapter: str, dtype: str, results: list) -> Profile:
    measured, max_n = len(results), max(r.precision["n"] for r in results)
    below = [r for r in results if r.diagnosis == "reduced-precision"]
    if below:
        # The typical error, not the worst: the range probes (values near the smallest normal
        # or below it) lose more than the format's mantissa where the narrower format's range
        # ends, and their worst case read "about 0 mantissa bits" for float64 run in float32.
        errors = sorted(e for r in below if (e := r.precision["err_u_magnitude"]) and math.isfinite(e) and e > 0)
        typical = errors[len(errors) // 2] if errors else 0.0
        bits = max(0, round(-math.log2(typical * unit_roundoff(dtype)))) if typical > 0 else None
        formats = tuple(sorted({r.precision.get("format") for r in below} - {None}))
        return Profile(adapter, dtype, BELOW, _ids(below, "err_u_magnitude"), measured, max_n, bits, formats)
    accumulating = [
        r for r in results if r.precision["n"] >= 2 and (r.precision["accumulation_u"] or 0.0) > ACCUMULATION_THRESHOLD
    ]
    if dtype == "float64":
        return Profile(adapter, dtype, FLOAT64_WITHIN, _ids(results, "err_u_magnitude"), measured, max_n)
    if accumulating:
        return Profile(adapter, dtype, ACCUMULATES, _ids(accumulating, "accumulation_u"), measured, max_n)
    wide = sorted((r for r in results if r.precision["n"] >= 2), key=lambda r: -r.precision["n"])
    return Profile(adapter, dtype, ROUNDS_ONCE, tuple(r.case for r in wide[:MAX_SHOWN]), measured, max_n)


def _ids(results: list, key: str) -> tuple[str, ...]:
    ranked = sorted(results, key=lambda r: -(r.precision.get(key) or 0.0))
    return tuple(r.case for r in ranked[:MAX_SHOWN])


def describe(profile: Profile) -> str:
    """The verdict in words, e.g. ``computes below the dtype (about 7 mantissa bits; bfloat16)``."""
    if profile.verdict == BELOW:
        detail = [f"about {profile.bits} mantissa bits"] if profile.bits is not None else []
        detail += list(profile.formats)
        return f"{BELOW} ({'; '.join(detail)})" if detail else BELOW
    if profile.verdict == ROUNDS_ONCE and profile.max_n < 2:
        return f"{ROUNDS_ONCE}; only n = 1 measured"
    return profile.verdict
