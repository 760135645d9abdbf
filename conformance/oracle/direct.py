"""The oracle's hot path: conv and conv_transpose in float64, a few large BLAS products.

conv_transpose multiplies the input by every tap's kernel matrix in one product and
scatters each tap's slice into the full result, then takes the output window. conv is the
same read backwards: the padded input split into stride phases (every s-th position from
an offset), one product per phase with the kernel matrices of the taps that read it, then
each tap's slice gathered from it (a unit-stride window) and summed. Groups are the batch
dimension of the products and the batch N is folded into their columns, so a layer costs a
handful of large BLAS calls rather than N * groups * taps small ones: a multi-threaded
BLAS pays a synchronisation per call, which dominates when the cores are shared.
"""

from __future__ import annotations

import itertools

import numpy as np

from .geometry import resolve

# A product holds (taps in it) x (one tap's output) values: past this many bytes it is
# computed a block of taps at a time (a 3x3x3 kernel on a 2**24-element input would
# otherwise need 3.6 GB at once).
PRODUCT_BYTES = 256 * 2**20


def conv(case) -> np.ndarray:
    """y[n, o, p] = sum_{c in o's group, t} xpad[n, c, p*s + t*d] * w[o, c', t]."""
    axes = resolve(case)
    x = np.asarray(case.x, dtype=np.float64)
    w = np.asarray(case.w, dtype=np.float64)
    n, c_in = x.shape[:2]
    c_out, g = w.shape[0], case.groups
    c_in_g, c_out_g = c_in // g, c_out // g
    xpad = np.pad(to_group_major(x, g), [(0, 0)] * 3 + [(a.before, a.after) for a in axes])
    y = np.zeros((g, c_out_g, n) + tuple(a.out for a in axes))
    w_taps = w.reshape(g, c_out_g, c_in_g, -1)  # taps in C order, as itertools.product gives them
    for phase, members in taps_by_phase(axes).items():
        # Tap t reads padded position p*s + t*d = (p + t*d // s) * s + phase: position
        # p + t*d // s of this phase, a unit-stride window.
        phase_input = xpad[(slice(None),) * 3 + tuple(slice(r, None, a.stride) for r, a in zip(phase, axes))]
        columns = phase_input.reshape(g, c_in_g, -1)
        for block in blocks_of_taps(members, g * c_out_g * columns.shape[2] * 8):
            stacked = w_taps[..., [index for index, _ in block]].transpose(0, 3, 1, 2)
            products = np.matmul(stacked.reshape(g, -1, c_in_g), columns)
            products = products.reshape(g, len(block), c_out_g, n, *phase_input.shape[3:])
            for k, (_, tap) in enumerate(block):
                starts = [t * a.dilation // a.stride for t, a in zip(tap, axes)]
                window = tuple(slice(start, start + a.out) for start, a in zip(starts, axes))
                y += products[(slice(None), k, slice(None), slice(None)) + window]
    return _add_bias(from_group_major(y), case.b)


def conv_transpose(case) -> np.ndarray:
    """full[n, m, i*s + t*d] += x[n, c, i] * w[c, m', t]; y[j] = full[j + before]."""
    axes = resolve(case)
    x = np.asarray(case.x, dtype=np.float64)
    w = np.asarray(case.w, dtype=np.float64)
    n, c_in = x.shape[:2]
    g = case.groups
    c_in_g, c_out_g = c_in // g, w.shape[1]
    in_sizes = tuple(a.length for a in axes)
    taps = list(enumerate(itertools.product(*(range(a.kernel) for a in axes))))
    w_taps = w.reshape(g, c_in_g, c_out_g, -1)
    columns = to_group_major(x, g).reshape(g, c_in_g, -1)
    # Room for the output window even where output_padding reads past the full result.
    room = tuple(max(a.full, a.before + a.out) for a in axes)
    full = np.zeros((g, c_out_g, n) + room)
    for block in blocks_of_taps(taps, g * c_out_g * columns.shape[2] * 8):
        # (g, C_in/g, C_out/g, taps) -> (g, taps * C_out/g, C_in/g): each tap's transpose of
        # conv's grouped kernel, stacked.
        stacked = w_taps[..., [index for index, _ in block]].transpose(0, 3, 2, 1)
        products = np.matmul(stacked.reshape(g, -1, c_in_g), columns)
        products = products.reshape(g, len(block), c_out_g, n, *in_sizes)
        for k, (_, tap) in enumerate(block):
            window = tuple(
                slice(t * a.dilation, t * a.dilation + (a.length - 1) * a.stride + 1, a.stride) for t, a in zip(tap, axes)
            )
            full[(slice(None),) * 3 + window] += products[:, k]
    crop = tuple(slice(a.before, a.before + a.out) for a in axes)
    return _add_bias(from_group_major(full[(slice(None),) * 3 + crop]), case.b)


def evaluate(case) -> np.ndarray:
    """The canonical output of a valid case (raises InvalidConfiguration otherwise)."""
    return conv(case) if case.op == "conv" else conv_transpose(case)


def taps_by_phase(axes) -> dict[tuple[int, ...], list[tuple[int, tuple[int, ...]]]]:
    """(index, tap) pairs grouped by the stride phase ``t*d mod s`` (per dim) they read."""
    phases: dict[tuple[int, ...], list[tuple[int, tuple[int, ...]]]] = {}
    for index, tap in enumerate(itertools.product(*(range(a.kernel) for a in axes))):
        phase = tuple(t * a.dilation % a.stride for t, a in zip(tap, axes))
        phases.setdefault(phase, []).append((index, tap))
    return phases


def blocks_of_taps(taps: list, bytes_per_tap: int) -> list[list]:
    """``taps`` cut into runs whose product stays within PRODUCT_BYTES (at least one tap)."""
    step = max(1, PRODUCT_BYTES // bytes_per_tap)
    return [taps[first : first + step] for first in range(0, len(taps), step)]


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
