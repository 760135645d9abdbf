"""The backward of conv and conv_transpose in float64: gradients w.r.t. input, kernel, bias.

For an upstream gradient ``g`` of the output's shape, the adjoint relations of SPEC.md give
every gradient exactly (``C`` the conv's matrix, conv is ``C x``, conv_transpose ``C.T x``):

- **grad_input**: conv's is ``C.T g``, a conv_transpose of ``g`` with the same kernel array,
  stride, dilation and groups whose output window is the conv's input (``before`` the conv's
  padding, ``L`` positions); conv_transpose's is ``C g``, a conv of ``g`` placed back in the
  full scatter result (``before`` zeros in front, cropped or padded to ``F``), which gives
  exactly the ``L`` input positions. Both are computed by ``direct`` on a derived case.
- **grad_weight**: ``C`` is linear in ``w``; the derivative w.r.t. tap ``t`` is a
  correlation of the (padded) input with ``g`` read at ``p*s + t*d``: conv
  ``dw[o, c', t] = sum_{n,p} g[n, o, p] xpad[n, c, p*s + t*d]``; conv_transpose
  ``dw[c, m', t] = sum_{n,i} x[n, c, i] gfull[n, m, i*s + t*d]`` with ``gfull[j + before] = g[j]``
  inside ``[0, F)``. One BLAS product per tap, groups the batch dimension.
- **grad_bias**: ``g`` summed over the batch and every spatial position.

Nothing here imports an adapter; ``matrix`` checks it in the project's tests.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import NamedTuple

import numpy as np

from . import direct
from .geometry import output_shape, resolve

QUANTITIES = ("output", "grad_input", "grad_weight", "grad_bias")
GRADIENTS = QUANTITIES[1:]


class Gradients(NamedTuple):
    grad_input: np.ndarray
    grad_weight: np.ndarray
    grad_bias: np.ndarray | None  # None when the case has no bias


def gradients(case, g) -> Gradients:
    """All three gradients of a valid case for the upstream gradient ``g`` (output's shape)."""
    g = _checked_upstream(case, g)
    return Gradients(grad_input(case, g), grad_weight(case, g), grad_bias(case, g))


def quantity(case, name: str, g=None) -> np.ndarray:
    """One of QUANTITIES: the forward output or one gradient (``g`` needed for gradients)."""
    if name == "output":
        return direct.evaluate(case)
    g = _checked_upstream(case, g)
    if name == "grad_input":
        return grad_input(case, g)
    if name == "grad_weight":
        return grad_weight(case, g)
    if name == "grad_bias":
        if case.b is None:
            raise ValueError(f"case {case.id!r} has no bias: no grad_bias")
        return grad_bias(case, g)
    raise ValueError(f"quantity must be one of {', '.join(QUANTITIES)} (got {name!r})")


def grad_input(case, g) -> np.ndarray:
    """dL/dx: conv -> C.T g (a conv_transpose), conv_transpose -> C g (a conv)."""
    axes = resolve(case)
    g = np.asarray(g, dtype=np.float64)
    dims = len(axes)
    if case.op == "conv":
        # The transpose's full result is (O-1)s + e long; its window starts at the conv's
        # `before` and spans the L input positions. `after` crops what lies past L, or is 0
        # and output_shape appends zeros (the input positions no tap reads).
        pads = []
        for a in axes:
            full = (a.out - 1) * a.stride + a.effective_kernel
            pads.append((a.before, max(0, full - a.before - a.length)))
        derived = dataclasses.replace(
            case,
            op="conv_transpose",
            x=g,
            b=None,
            padding=tuple(pads),
            output_padding=(0,) * dims,
            output_shape=tuple(a.length for a in axes),
        )
        return direct.conv_transpose(derived)
    # conv_transpose: g sits at [before, before + O) of the full result [0, F); positions
    # past F (output_padding beyond full) meet no tap and are dropped.
    kept = tuple(min(a.out, a.full - a.before) for a in axes)
    result_shape = (case.x.shape[0], case.x.shape[1], *(a.length for a in axes))
    if min(kept) < 1:
        return np.zeros(result_shape)  # the whole output window lies past the full result
    g = g[(slice(None), slice(None)) + tuple(slice(0, k) for k in kept)]
    derived = dataclasses.replace(
        case,
        op="conv",
        x=g,
        b=None,
        padding=tuple((a.before, a.full - a.before - k) for a, k in zip(axes, kept)),
        output_padding=(0,) * dims,
        output_shape=None,
    )
    return direct.conv(derived)


def grad_weight(case, g) -> np.ndarray:
    """dL/dw in the case's kernel layout: a correlation of input and g, one product per tap."""
    axes = resolve(case)
    groups = case.groups
    x = direct.to_group_major(np.asarray(case.x, dtype=np.float64), groups)
    gm = direct.to_group_major(np.asarray(g, dtype=np.float64), groups)
    kernel = tuple(a.kernel for a in axes)
    if case.op == "conv":
        # xpad read at p*s + t*d for the O output positions p; result (g, C_out/g, C_in/g, taps).
        padded = np.pad(x, [(0, 0)] * 3 + [(a.before, a.after) for a in axes])
        dw = _tap_correlation(gm, padded, axes, tuple(a.out for a in axes))
    else:
        # gfull read at i*s + t*d for the L input positions i; result (g, C_in/g, C_out/g, taps).
        dw = _tap_correlation(x, _place_in_full(gm, axes), axes, tuple(a.length for a in axes))
    return dw.reshape(dw.shape[0] * dw.shape[1], dw.shape[2], *kernel)


def grad_bias(case, g) -> np.ndarray | None:
    """dL/db: g summed over the batch and the spatial positions; None without a bias."""
    if case.b is None:
        return None
    g = np.asarray(g, dtype=np.float64)
    return g.sum(axis=(0, *range(2, g.ndim)))


def _tap_correlation(left: np.ndarray, right: np.ndarray, axes, positions: tuple[int, ...]) -> np.ndarray:
    """``out[g, a, b, t] = sum_{n, p} left[g, a, n, p] * right[g, b, n, p*s + t*d]``.

    ``left`` (groups, A, N, *positions), ``right`` (groups, B, N, *longer) in group-major
    form; returns (groups, A, B, *kernel) with the taps in C order.
    """
    groups, a_size = left.shape[:2]
    b_size = right.shape[1]
    columns = left.reshape(groups, a_size, -1)
    taps = list(itertools.product(*(range(a.kernel) for a in axes)))
    out = np.empty((groups, a_size, b_size, len(taps)))
    for index, tap in enumerate(taps):
        window = tuple(
            slice(t * a.dilation, t * a.dilation + (count - 1) * a.stride + 1, a.stride)
            for t, a, count in zip(tap, axes, positions)
        )
        rows = np.ascontiguousarray(right[(slice(None),) * 3 + window]).reshape(groups, b_size, -1)
        out[..., index] = np.matmul(columns, rows.transpose(0, 2, 1))
    return out.reshape(groups, a_size, b_size, *(a.kernel for a in axes))


def _place_in_full(g: np.ndarray, axes) -> np.ndarray:
    """g (groups, C/g, N, *O) placed at [before, before + O) of zeros of length F per dim."""
    full = np.zeros(g.shape[:3] + tuple(a.full for a in axes))
    kept = tuple(min(a.out, a.full - a.before) for a in axes)
    if min(kept) >= 1:
        destination = tuple(slice(a.before, a.before + k) for a, k in zip(axes, kept))
        source = tuple(slice(0, k) for k in kept)
        full[(slice(None),) * 3 + destination] = g[(slice(None),) * 3 + source]
    return full


def _checked_upstream(case, g) -> np.ndarray:
    if g is None:
        raise ValueError(f"case {case.id!r}: a gradient needs the upstream gradient grad_output")
    g = np.asarray(g, dtype=np.float64)
    expected = output_shape(case)
    if g.shape != expected:
        raise ValueError(f"case {case.id!r}: grad_output shape must be the output's {list(expected)} (got {list(g.shape)})")
    return g
