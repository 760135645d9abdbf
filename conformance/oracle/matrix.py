"""The seeds' convolution-matrix formulation: conv is ``C @ x``, conv_transpose is ``C.T @ y``.

A checker for ``direct``, never the judge: ``C`` is filled entry by entry from the canonical
definition (SPEC.md), one kernel tap and output position at a time, so it shares no
indexing code with the hot path. Sizes are the tests' (a few thousand entries).

Per spatial dim, conv reads input position ``i = p*s + t*d - before`` for output position
``p`` and tap ``t``; a position outside ``[0, L)`` is padding and contributes nothing.

conv_transpose of length-``L`` input with output window ``before``/``O`` is ``C.T`` of the
conv whose input has length ``O`` and whose output has length ``L``, padded by
``(before, after')`` with ``after' = F - before - O``, ``F = (L-1)s + e``:
its padded input is exactly ``F`` long, so its output length is ``(F - e)/s + 1 = L``, and
both read the same index ``j = i*s + t*d - before``. The output_padding positions are the
conv input positions past ``F - before - after`` (``after'`` shrinks by output_padding, and
goes negative once they run past the end of ``full``): no tap reaches those beyond ``F``,
so their columns of ``C`` are zero and ``C.T`` gives them zero, as SPEC.md says. ``same``,
``same_lower``, ``valid`` and ``output_shape`` only choose ``before`` and ``O``
(``geometry.resolve``); the matrix is the same construction.
"""

from __future__ import annotations

import itertools

import numpy as np

from .geometry import resolve


def convolution_matrix(w, groups, in_sizes, out_sizes, stride, dilation, before) -> np.ndarray:
    """``C`` of shape (C_out * prod(out_sizes), C_in * prod(in_sizes)) for the conv kernel
    ``w`` (C_out, C_in/groups, *k), C-order flattening of (channel, *spatial) on both sides.
    """
    w = np.asarray(w, dtype=np.float64)
    c_out, c_in_per_group = w.shape[:2]
    c_out_per_group = c_out // groups
    c_in = c_in_per_group * groups
    kernel = w.shape[2:]
    C = np.zeros((c_out, *out_sizes, c_in, *in_sizes))
    for out_pos in itertools.product(*(range(n) for n in out_sizes)):
        for tap in itertools.product(*(range(k) for k in kernel)):
            in_pos = tuple(p * s + t * d - b for p, t, s, d, b in zip(out_pos, tap, stride, dilation, before))
            if not all(0 <= i < n for i, n in zip(in_pos, in_sizes)):
                continue  # the tap reads padding
            for g in range(groups):
                outs = slice(g * c_out_per_group, (g + 1) * c_out_per_group)
                ins = slice(g * c_in_per_group, (g + 1) * c_in_per_group)
                # Each (out_pos, tap) pair reaches in_pos once: plain assignment, no accumulation.
                C[(outs, *out_pos, ins, *in_pos)] = w[(outs, slice(None), *tap)]
    return C.reshape(c_out * int(np.prod(out_sizes)), c_in * int(np.prod(in_sizes)))


def conv_output_length(length: int, kernel: int, stride: int, dilation: int, before: int, after: int) -> int:
    """SPEC's conv rule ``floor((L + before + after - e) / s) + 1``, restated here so the
    matrix checks the sizes ``geometry`` resolves instead of reusing them."""
    effective = dilation * (kernel - 1) + 1
    return (length + before + after - effective) // stride + 1


def matching_conv_padding(axis) -> tuple[int, int]:
    """(before, after') of the conv whose ``C.T`` is this conv_transpose axis: the conv
    input is the transpose's output (length O), padded to exactly ``F`` (module docstring)."""
    return axis.before, axis.full - axis.before - axis.out


def conv(case) -> np.ndarray:
    """``y[n] = C @ x[n]`` with ``C`` built from the conv's resolved padding."""
    axes = resolve(case)
    in_sizes = tuple(a.length for a in axes)
    out_sizes = tuple(conv_output_length(a.length, a.kernel, a.stride, a.dilation, a.before, a.after) for a in axes)
    C = convolution_matrix(
        case.w,
        case.groups,
        in_sizes=in_sizes,
        out_sizes=out_sizes,
        stride=case.stride,
        dilation=case.dilation,
        before=tuple(a.before for a in axes),
    )
    y = _apply(C, case.x, case.b, out_sizes)
    return y.reshape(case.x.shape[0], case.w.shape[0], *out_sizes)


def conv_transpose(case) -> np.ndarray:
    """``y[n] = C.T @ x[n]``, ``C`` the conv from the output (length O) back to this input
    (length L) with padding ``matching_conv_padding``; see the module docstring."""
    axes = resolve(case)
    out_sizes = tuple(a.out for a in axes)
    paddings = [matching_conv_padding(a) for a in axes]
    # The matching conv maps O positions to these; they must be the transpose's L inputs.
    conv_out_sizes = tuple(
        conv_output_length(a.out, a.kernel, a.stride, a.dilation, before, after) for a, (before, after) in zip(axes, paddings)
    )
    C = convolution_matrix(
        case.w,
        case.groups,
        in_sizes=out_sizes,
        out_sizes=conv_out_sizes,
        stride=case.stride,
        dilation=case.dilation,
        before=tuple(before for before, _ in paddings),
    )
    y = _apply(C.T, case.x, case.b, out_sizes)
    return y.reshape(case.x.shape[0], case.w.shape[1] * case.groups, *out_sizes)


def evaluate(case) -> np.ndarray:
    return conv(case) if case.op == "conv" else conv_transpose(case)


def _apply(matrix: np.ndarray, x: np.ndarray, b, out_sizes) -> np.ndarray:
    """``matrix @ x[n]`` for every batch item, plus the bias repeated over each channel's
    output positions (flattened, channel-major)."""
    y = np.stack([matrix @ item.reshape(-1) for item in np.asarray(x, dtype=np.float64)])
    if b is not None:
        y = y + np.repeat(np.asarray(b, dtype=np.float64), int(np.prod(out_sizes)))
    return y
