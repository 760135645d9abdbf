"""The oracle's hot path: conv and conv_transpose in float64, a few large BLAS products.

conv gathers a strided window of the padded input per kernel tap and multiplies it by
that tap's kernel matrix (one product per tap); conv_transpose multiplies the input by
every tap's kernel matrix at once (one product) and scatters each tap's slice into the
full result, then takes the output window (SPEC.md). Groups are the batch dimension of the
products; the batch N is folded into their columns, so a layer costs a handful of large
BLAS calls rather than N * groups * taps small ones: multi-threaded BLAS pays a
synchronisation per call, which dominates when the cores are shared.
"""

from __future__ import annotations

import itertools

import numpy as np

from .geometry import resolve

# conv_transpose's all-taps product is taps times the size of the input: past this many
# bytes it is computed a block of taps at a time (a 3x3x3 kernel on a 2**24-element input
# would otherwise need 3.6 GB at once).
PRODUCT_BYTES = 256 * 2**20


def conv(case) -> np.ndarray:
    """y[n, o, p] = sum_{c in o's group, t} xpad[n, c, p*s + t*d] * w[o, c', t]."""
    axes = resolve(case)
    x = np.asarray(case.x, dtype=np.float64)
    w = np.asarray(case.w, dtype=np.float64)
    n, c_in = x.shape[:2]
    c_out, g = w.shape[0], case.groups
    c_in_g, c_out_g = c_in // g, c_out // g
    # (g, C_in/g, N, *padded): each tap's window is then one (C_in/g, N * positions) matrix.
    xpad = np.pad(to_group_major(x, g), [(0, 0)] * 3 + [(a.before, a.after) for a in axes])
    out_sizes = tuple(a.out for a in axes)
    columns = n * int(np.prod(out_sizes))
    y = np.zeros((g, c_out_g, columns))
    w_grouped = w.reshape(g, c_out_g, c_in_g, *w.shape[2:])
    for tap in itertools.product(*(range(a.kernel) for a in axes)):
        window = tuple(
            slice(t * a.dilation, t * a.dilation + (a.out - 1) * a.stride + 1, a.stride) for t, a in zip(tap, axes)
        )
        patch = xpad[(slice(None),) * 3 + window].reshape(g, c_in_g, columns)
        y += np.matmul(w_grouped[(slice(None),) * 3 + tap], patch)
    y = from_group_major(y.reshape(g, c_out_g, n, *out_sizes))
    return _add_bias(y, case.b)


def conv_transpose(case) -> np.ndarray:
    """full[n, m, i*s + t*d] += x[n, c, i] * w[c, m', t]; y[j] = full[j + before]."""
    axes = resolve(case)
    x = np.asarray(case.x, dtype=np.float64)
    w = np.asarray(case.w, dtype=np.float64)
    n, c_in = x.shape[:2]
    g = case.groups
    c_in_g, c_out_g = c_in // g, w.shape[1]
    in_sizes = tuple(a.length for a in axes)
    taps = list(itertools.product(*(range(a.kernel) for a in axes)))
    # (C_in, C_out/g, *k) -> (g, taps * C_out/g, C_in/g): rows are (tap, m'), the transpose
    # of conv's grouped kernel for every tap, stacked.
    w_stacked = w.reshape(g, c_in_g, c_out_g, len(taps)).transpose(0, 3, 2, 1).reshape(g, len(taps) * c_out_g, c_in_g)
    x_columns = to_group_major(x, g).reshape(g, c_in_g, -1)
    # Room for the output window even where output_padding reads past the full result.
    room = tuple(max(a.full, a.before + a.out) for a in axes)
    full = np.zeros((g, c_out_g, n) + room)
    # All taps in one product, unless that would hold more than PRODUCT_BYTES at once.
    per_tap_bytes = g * c_out_g * x_columns.shape[2] * 8
    block = max(1, PRODUCT_BYTES // per_tap_bytes)
    for first in range(0, len(taps), block):
        block_taps = taps[first : first + block]
        rows = slice(first * c_out_g, (first + len(block_taps)) * c_out_g)
        products = np.matmul(w_stacked[:, rows], x_columns).reshape(g, len(block_taps), c_out_g, n, *in_sizes)
        for index, tap in enumerate(block_taps):
            window = tuple(
                slice(t * a.dilation, t * a.dilation + (a.length - 1) * a.stride + 1, a.stride) for t, a in zip(tap, axes)
            )
            full[(slice(None),) * 3 + window] += products[:, index]
    crop = tuple(slice(a.before, a.before + a.out) for a in axes)
    y = from_group_major(full[(slice(None),) * 3 + crop])
    return _add_bias(y, case.b)


def evaluate(case) -> np.ndarray:
    """The canonical output of a valid case (raises InvalidConfiguration otherwise)."""
    return conv(case) if case.op == "conv" else conv_transpose(case)


def to_group_major(x: np.ndarray, groups: int) -> np.ndarray:
    """(N, C, *spatial) -> (groups, C/groups, N, *spatial), contiguous."""
    n, c = x.shape[:2]
    return np.ascontiguousarray(np.moveaxis(x.reshape(n, groups, c // groups, *x.shape[2:]), 0, 2))


def from_group_major(y: np.ndarray) -> np.ndarray:
    """(groups, C/groups, N, *spatial) -> (N, C, *spatial), contiguous."""
    g, c_g, n = y.shape[:3]
    return np.ascontiguousarray(np.moveaxis(y, 2, 0)).reshape(n, g * c_g, *y.shape[3:])


def _add_bias(y: np.ndarray, b) -> np.ndarray:
    if b is None:
        return y
    return y + np.asarray(b, dtype=np.float64).reshape((1, -1) + (1,) * (y.ndim - 2))
