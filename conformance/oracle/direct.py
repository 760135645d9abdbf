"""The oracle's hot path: conv and conv_transpose in float64, one BLAS product per kernel tap.

conv gathers a strided window of the padded input per tap; conv_transpose scatters each
tap's product into the full result and then takes the output window (SPEC.md). Groups are
a batch dimension of the matrix products.
"""

from __future__ import annotations

import itertools

import numpy as np

from .geometry import resolve


def conv(case) -> np.ndarray:
    """y[n, o, p] = sum_{c in o's group, t} xpad[n, c, p*s + t*d] * w[o, c', t]."""
    axes = resolve(case)
    x = np.asarray(case.x, dtype=np.float64)
    w = np.asarray(case.w, dtype=np.float64)
    n, c_in = x.shape[:2]
    c_out, g = w.shape[0], case.groups
    xpad = np.pad(x, [(0, 0), (0, 0)] + [(a.before, a.after) for a in axes])
    out_sizes = tuple(a.out for a in axes)
    positions = int(np.prod(out_sizes))
    y = np.zeros((n, g, c_out // g, positions))
    w_grouped = w.reshape(g, c_out // g, c_in // g, *w.shape[2:])
    for tap in itertools.product(*(range(a.kernel) for a in axes)):
        window = tuple(
            slice(t * a.dilation, t * a.dilation + (a.out - 1) * a.stride + 1, a.stride) for t, a in zip(tap, axes)
        )
        patch = xpad[(slice(None), slice(None)) + window].reshape(n, g, c_in // g, positions)
        y += np.matmul(w_grouped[(slice(None), slice(None), slice(None)) + tap], patch)
    y = y.reshape(n, c_out, *out_sizes)
    return _add_bias(y, case.b)


def conv_transpose(case) -> np.ndarray:
    """full[n, m, i*s + t*d] += x[n, c, i] * w[c, m', t]; y[j] = full[j + before]."""
    axes = resolve(case)
    x = np.asarray(case.x, dtype=np.float64)
    w = np.asarray(case.w, dtype=np.float64)
    n, c_in = x.shape[:2]
    g = case.groups
    c_out_g = w.shape[1]
    in_sizes = tuple(a.length for a in axes)
    positions = int(np.prod(in_sizes))
    # Room for the output window even where output_padding reads past the full result.
    room = tuple(max(a.full, a.before + a.out) for a in axes)
    full = np.zeros((n, g, c_out_g) + room)
    x_grouped = x.reshape(n, g, c_in // g, positions)
    # (C_in, C_out/g, *k) -> (g, C_out/g, C_in/g, *k): the transpose of conv's grouped kernel.
    w_grouped = np.swapaxes(w.reshape(g, c_in // g, c_out_g, *w.shape[2:]), 1, 2)
    for tap in itertools.product(*(range(a.kernel) for a in axes)):
        product = np.matmul(w_grouped[(slice(None), slice(None), slice(None)) + tap], x_grouped)
        window = tuple(
            slice(t * a.dilation, t * a.dilation + (a.length - 1) * a.stride + 1, a.stride) for t, a in zip(tap, axes)
        )
        full[(slice(None), slice(None), slice(None)) + window] += product.reshape(n, g, c_out_g, *in_sizes)
    crop = tuple(slice(a.before, a.before + a.out) for a in axes)
    y = full[(slice(None), slice(None), slice(None)) + crop].reshape(n, g * c_out_g, *(a.out for a in axes))
    return _add_bias(np.ascontiguousarray(y), case.b)


def evaluate(case) -> np.ndarray:
    """The canonical output of a valid case (raises InvalidConfiguration otherwise)."""
    return conv(case) if case.op == "conv" else conv_transpose(case)


def _add_bias(y: np.ndarray, b) -> np.ndarray:
    if b is None:
        return y
    return y + np.asarray(b, dtype=np.float64).reshape((1, -1) + (1,) * (y.ndim - 2))
