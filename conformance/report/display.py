"""Numbers and names as the page shows them: heatmap slices rounded for display, durations,
short adapter labels for the matrix's narrow columns.

The page draws and prints at most 7 significant digits, so the report embeds no more (the
repro script keeps every value). The difference heatmap is computed here from the full
values: rounding first would lose the small errors it is there to show.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

SLICE_DIGITS = 7  # significant digits of the heatmap values


def display_values(array: np.ndarray) -> list[list[float | str]]:
    """A 2D array as the page shows it: SLICE_DIGITS significant digits, and 'nan', 'inf',
    '-inf' for what JSON cannot hold. Rounded as one vectorised step (scale by a power of
    ten, np.round, scale back); values whose power of ten is not exact in float64 (beyond
    1e22: below about 1e-16 or above 1e29) are rounded one by one."""
    finite = np.isfinite(array)
    safe = np.where(finite & (array != 0), np.abs(array), 1.0)
    decimals = (SLICE_DIGITS - 1 - np.floor(np.log10(safe))).astype(int)
    vectorised = finite & (np.abs(decimals) <= 22)
    scale = np.power(10.0, np.where(vectorised, np.abs(decimals), 0))
    rounded = np.where(decimals >= 0, np.round(array * scale) / scale, np.round(array / scale) * scale)
    values = np.where(vectorised, rounded, 0.0).tolist()
    for i, j in zip(*np.nonzero(~vectorised), strict=True):
        values[i][j] = display_number(float(array[i, j]))
    return values


def display_number(value: float) -> float | str:
    if math.isfinite(value):
        return float(f"{value:.{SLICE_DIGITS}g}")
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def as_matrix(values: Any) -> np.ndarray | None:
    """A slice's nested list as a 2D float array ('nan'/'inf' strings included), or None."""
    if values is None:
        return None
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):  # ragged or not numbers: left for the page to show as is
        return None
    return array.reshape(1, -1) if array.ndim == 1 else (array if array.ndim == 2 else None)


def display_slice(slice_: dict[str, Any]) -> dict[str, Any]:
    """The slice the page draws: values rounded for display and, when the shapes agree,
    ``difference`` = actual - expected computed here at full precision (rounding first
    would lose small errors)."""
    shown = dict(slice_)
    arrays = {}
    for key in ("expected", "actual"):
        array = as_matrix(slice_.get(key))
        if array is not None:
            arrays[key] = array
            shown[key] = display_values(array)
    if len(arrays) == 2 and arrays["expected"].shape == arrays["actual"].shape:
        with np.errstate(invalid="ignore"):
            difference = arrays["actual"] - arrays["expected"]
        shown["difference"] = display_values(difference)
    return shown


def seconds(value: Any) -> float | None:
    """A duration to 3 significant digits: the page shows no more."""
    return float(f"{value:.3g}") if isinstance(value, (int, float)) and math.isfinite(value) else None


def short_adapter_label(name: str) -> str:
    """An adapter's name for a narrow matrix column: the middle parts of a dotted name cut to
    their first letter ("torch.nn.functional.conv_transpose" -> "torch.n.f.conv_transpose");
    a variant after "@" is kept whole."""
    base, at, variant = name.partition("@")
    parts = base.split(".")
    if len(parts) <= 2:
        return name
    return ".".join([parts[0], *(p[:1] for p in parts[1:-1]), parts[-1]]) + at + variant


def short_adapter_labels(names: list[str]) -> dict[str, str]:
    """Each name's short label, or the name itself where two short labels would be the same."""
    short = {name: short_adapter_label(name) for name in names}
    taken: dict[str, int] = {}
    for label in short.values():
        taken[label] = taken.get(label, 0) + 1
    return {name: label if taken[label] == 1 else name for name, label in short.items()}
