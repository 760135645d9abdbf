"""The 2D slice a failing result shows: expected and actual through the worst element.

For (N, C, *spatial) outputs the slice is the last two spatial axes at fixed batch,
channel and leading spatial indices (1D: a 1 x W row), cut to at most 64 x 64 around the
element with the largest error. The shape the report reads::

    {"label": "n=0, c=1, d=3", "index": [0, 1, 3, 5, 2], "origin": [0, 0],
     "expected": [[...]], "actual": [[...]] or None}

``index`` is the full index of the worst element (or of the plane shown when there is no
error to locate), ``origin`` the (row, column) of the slice's first element in its plane.
"""

from __future__ import annotations

import numpy as np

MAX_SIDE = 64
SPATIAL_NAMES = {1: ("w",), 2: ("h", "w"), 3: ("d", "h", "w")}


def worst_index(actual: np.ndarray, reference: np.ndarray) -> tuple[int, ...]:
    """Where |actual - reference| is largest; a non-finite output where the oracle is
    finite counts as the largest error, positions where the oracle is not finite as none."""
    judged = np.isfinite(reference)
    with np.errstate(invalid="ignore"):
        error = np.where(judged, np.abs(actual - reference), 0.0)
    error = np.where(judged & ~np.isfinite(actual), np.inf, error)
    return tuple(int(i) for i in np.unravel_index(int(np.argmax(error)), error.shape))


def axis_names(ndim: int) -> tuple[str, ...]:
    spatial = ndim - 2
    if spatial in SPATIAL_NAMES:
        return ("n", "c") + SPATIAL_NAMES[spatial]
    return tuple(f"a{i}" for i in range(ndim))


def plane(array: np.ndarray, index: tuple[int, ...]) -> tuple[np.ndarray, tuple[int, int], tuple[int, int]]:
    """(the 2D plane through ``index``, the (row, col) of ``index`` in it, how many leading
    indices fix the plane)."""
    array = np.asarray(array, dtype=np.float64)
    if array.ndim == 0:
        return array.reshape(1, 1), (0, 0), 0
    if array.ndim <= 3:  # (W,), (C, W) or (N, C, W): one row
        fixed = array.ndim - 1
        row = array[tuple(index[:fixed])]
        return row.reshape(1, -1), (0, index[fixed]), fixed
    fixed = array.ndim - 2
    return array[tuple(index[:fixed])], (index[fixed], index[fixed + 1]), fixed


def window(matrix: np.ndarray, center: tuple[int, int]) -> tuple[np.ndarray, tuple[int, int]]:
    """At most MAX_SIDE x MAX_SIDE of ``matrix`` around ``center``, and the window's origin."""
    origin = []
    for axis, c in enumerate(center):
        size = matrix.shape[axis]
        origin.append(min(max(c - MAX_SIDE // 2, 0), max(size - MAX_SIDE, 0)))
    r, c = origin
    return matrix[r : r + MAX_SIDE, c : c + MAX_SIDE], (r, c)


def clamp_index(index: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    """``index`` moved inside ``shape`` (for an output of another shape than expected)."""
    padded = tuple(index[: len(shape)]) + (0,) * max(0, len(shape) - len(index))
    return tuple(min(i, s - 1) if s else 0 for i, s in zip(padded, shape))


def error_slice(reference: np.ndarray | None, actual: np.ndarray | None) -> dict | None:
    """The slice for a result: through the worst element when shapes agree; otherwise each
    array's own first plane. Either array may be None (no output, no reference)."""
    if reference is None and actual is None:
        return None
    reference = None if reference is None else np.asarray(reference, dtype=np.float64)
    actual = None if actual is None else np.asarray(actual, dtype=np.float64)
    shown = reference if reference is not None else actual
    if reference is not None and actual is not None and actual.shape == reference.shape and actual.size:
        index = worst_index(actual, reference)
    else:
        index = (0,) * shown.ndim
    if not shown.size:
        return {"label": "empty", "index": list(index), "origin": [0, 0], "expected": None, "actual": None}
    matrix, center, fixed = plane(shown, index)
    part, origin = window(matrix, center)
    rows, cols = part.shape
    names = axis_names(shown.ndim)
    label = ", ".join(f"{names[a]}={index[a]}" for a in range(fixed))
    if part.shape != matrix.shape:
        cut = []
        if rows < matrix.shape[0]:
            cut.append(f"{names[fixed]} {origin[0]}..{origin[0] + rows - 1}")
        if cols < matrix.shape[1]:
            cut.append(f"{names[-1]} {origin[1]}..{origin[1] + cols - 1}")
        label = f"{label}; {', '.join(cut)}" if label else ", ".join(cut)
    return {
        "label": label,
        "index": list(index),
        "origin": list(origin),
        "expected": None if reference is None else _cut(reference, index, origin),
        "actual": None if actual is None else _cut(actual, index, origin),
    }


def _cut(array: np.ndarray, index: tuple[int, ...], origin: tuple[int, int]) -> list:
    """The window at ``origin`` of ``array``'s own plane through ``index`` (clamped into
    its shape: an output of another shape shows its own plane, from its start)."""
    if not array.size:
        return []
    matrix, _, _ = plane(array, clamp_index(index, array.shape))
    r, c = origin
    return matrix[r : r + MAX_SIDE, c : c + MAX_SIDE].tolist()
