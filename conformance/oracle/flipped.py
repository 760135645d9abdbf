"""The seeds' correlation formulation of conv_transpose: dilate, pad, correlate with the flipped kernel.

"A transposed convolution is a convolution of the dilated, padded input with the flipped
kernel" (seed 000). A checker for ``direct``, never the judge. Per spatial dim, with
stride s, dilation d, kernel k, output window ``before``/``O``:

1. stride-dilate the input: ``z[i*s] = x[i]``, ``s - 1`` zeros between neighbours, length
   ``(L-1)s + 1``;
2. pad ``d(k-1) - before`` zeros on the left and ``O + before - (L-1)s - 1`` on the right
   (that is ``d(k-1) - after + output_padding`` for explicit padding); a negative amount
   crops instead;
3. correlate (stride 1, dilation d, no padding) with the kernel flipped along every spatial
   axis and with its in/out channels swapped per group: conv layout
   ``(C_out, C_in/groups, *k)`` from the transpose layout ``(C_in, C_out/groups, *k)``.

Why: ``full[m] = sum_t z[m - t*d] w[t]``; substituting ``t = k-1-t'`` turns it into a
correlation of z, shifted right by ``d(k-1)``, with ``w[k-1-t']``; ``y[j] = full[j + before]``
shifts it back by ``before``. The correlation here is plain NumPy (sliding windows and one
einsum), sharing no code with ``direct``.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .geometry import resolve


def conv_transpose(case) -> np.ndarray:
    axes = resolve(case)
    x = np.asarray(case.x, dtype=np.float64)
    dims = len(axes)
    spatial = tuple(range(2, 2 + dims))
    z = stride_dilate(x, tuple(a.stride for a in axes))
    for axis_index, a in zip(spatial, axes):
        left = a.dilation * (a.kernel - 1) - a.before
        right = a.out + a.before - (a.length - 1) * a.stride - 1
        z = pad_or_crop(z, axis_index, left, right)
    kernel = flipped_swapped_kernel(np.asarray(case.w, dtype=np.float64), case.groups)
    y = correlate(z, kernel, case.groups, tuple(a.dilation for a in axes))
    if case.b is not None:
        # (C_out,) -> (C_out, 1, ..., 1): broadcasts over the batch in front and the positions after.
        y = y + np.expand_dims(np.asarray(case.b, dtype=np.float64), axis=tuple(range(1, 1 + dims)))
    return y


def stride_dilate(x: np.ndarray, stride: tuple[int, ...]) -> np.ndarray:
    """Insert ``s - 1`` zeros between neighbouring positions of every spatial axis."""
    sizes = tuple((n - 1) * s + 1 for n, s in zip(x.shape[2:], stride))
    z = np.zeros(x.shape[:2] + sizes)
    z[(slice(None), slice(None)) + tuple(slice(None, None, s) for s in stride)] = x
    return z


def pad_or_crop(z: np.ndarray, axis: int, left: int, right: int) -> np.ndarray:
    """``left`` / ``right`` zeros added along ``axis``; a negative amount removes positions."""
    length = z.shape[axis]
    target = left + length + right
    shape = list(z.shape)
    shape[axis] = target
    result = np.zeros(shape)
    # Source position q lands at q + left; keep those that land inside [0, target).
    first, last = max(0, -left), min(length, target - left)
    if first < last:
        src = [slice(None)] * z.ndim
        dst = [slice(None)] * z.ndim
        src[axis] = slice(first, last)
        dst[axis] = slice(first + left, last + left)
        result[tuple(dst)] = z[tuple(src)]
    return result


def flipped_swapped_kernel(w: np.ndarray, groups: int) -> np.ndarray:
    """(C_in, C_out/g, *k) -> (C_out, C_in/g, *k), every spatial axis reversed."""
    c_in, c_out_per_group = w.shape[:2]
    kernel = w.shape[2:]
    per_group = w.reshape(groups, c_in // groups, c_out_per_group, *kernel)
    swapped = np.swapaxes(per_group, 1, 2).reshape(groups * c_out_per_group, c_in // groups, *kernel)
    return np.flip(swapped, axis=tuple(range(2, swapped.ndim)))


def correlate(z: np.ndarray, kernel: np.ndarray, groups: int, dilation: tuple[int, ...]) -> np.ndarray:
    """Grouped cross-correlation, stride 1, no padding: ``y[n,o,p] = sum z[n,c,p+t*d] k[o,c',t]``."""
    n, c_in = z.shape[:2]
    c_out = kernel.shape[0]
    dims = kernel.ndim - 2
    effective = tuple(d * (k - 1) + 1 for d, k in zip(dilation, kernel.shape[2:]))
    spatial = tuple(range(2, 2 + dims))
    # windows: (n, c_in, *out, *effective) -> keep every d-th position of each window.
    windows = sliding_window_view(z, effective, axis=spatial)
    windows = windows[(Ellipsis,) + tuple(slice(None, None, d) for d in dilation)]
    out = windows.shape[2 : 2 + dims]
    windows = windows.reshape(n, groups, c_in // groups, *out, *kernel.shape[2:])
    grouped_kernel = kernel.reshape(groups, c_out // groups, c_in // groups, *kernel.shape[2:])
    letters = "uvwxyz"[:dims]
    taps = "ijk"[:dims]
    y = np.einsum(f"ngc{letters}{taps},goc{taps}->ngo{letters}", windows, grouped_kernel)
    return y.reshape(n, c_out, *out)
