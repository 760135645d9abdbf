"""The one relayout helper: move axes between layouts named by letters.

Letters: N batch, C channels, I/O kernel in/out channels, D/H/W spatial dims. Canonical
layouts are channels first: input "NC" + spatial, conv kernel "OI" + spatial, conv_transpose
kernel "IO" + spatial (the kernel array of the conv it is the transpose of).
"""

from __future__ import annotations

import numpy as np

SPATIAL = {1: "W", 2: "HW", 3: "DHW"}


def spatial_letters(dims: int) -> str:
    return SPATIAL[dims]


def canonical_input_layout(dims: int) -> str:
    return "NC" + SPATIAL[dims]


def canonical_kernel_layout(op: str, dims: int) -> str:
    return ("OI" if op == "conv" else "IO") + SPATIAL[dims]


def relayout(array: np.ndarray, src: str, dst: str) -> np.ndarray:
    """Transpose ``array`` from layout ``src`` to ``dst`` (same letters, other order)."""
    if sorted(src) != sorted(dst) or len(src) != array.ndim:
        raise ValueError(f"cannot relayout a {array.ndim}-d array from {src!r} to {dst!r}")
    return np.ascontiguousarray(np.transpose(array, [src.index(letter) for letter in dst]))
