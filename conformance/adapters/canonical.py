"""Canonical geometry as the adapters compute it (SPEC.md's rules, per spatial dim): the one
module of it every adapter uses, and no copy of it elsewhere.

Adapters need the canonical window to ask an API for it (TF's ``output_shape``, Keras'
``output_padding``, jax's padding pairs, torch's and MXNet's crop and re-append, Caffe's
symmetric pad). This is the adapters' own arithmetic, written apart from the oracle's
``geometry`` so an error in one cannot hide in the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..case import Case


def effective_kernel(kernel: int, dilation: int) -> int:
    return dilation * (kernel - 1) + 1


def full_transpose_length(length: int, kernel: int, stride: int, dilation: int) -> int:
    """The scatter result's length ``F = (L-1)s + d(k-1) + 1``."""
    return (length - 1) * stride + effective_kernel(kernel, dilation)


def canonical_transpose_length(
    length: int, kernel: int, stride: int, dilation: int, padding, output_padding: int, output_shape: int | None
) -> int:
    """The canonical conv_transpose output length O for one spatial dim.

    ``padding`` is a mode string or one (before, after) pair. ``output_shape`` replaces O
    for the modes; with explicit padding O = F - before - after + output_padding.
    """
    full = full_transpose_length(length, kernel, stride, dilation)
    if isinstance(padding, str):
        if output_shape is not None:
            return output_shape
        return length * stride if padding in ("same", "same_lower") else full + output_padding
    if output_shape is not None:
        return output_shape
    before, after = padding
    return full - before - after + output_padding


def canonical_transpose_lengths(case: Case) -> list[int]:
    """O for every spatial dim of a conv_transpose case."""
    return [axis.window()[1] for axis in axes(case)]


def same_lower_pads(length: int, kernel: int, stride: int, dilation: int, out: int) -> tuple[int, int]:
    """ONNX SAME_LOWER as explicit (before, after) crops of the full result: the odd one first."""
    total = max(full_transpose_length(length, kernel, stride, dilation) - out, 0)
    return total - total // 2, total // 2


def transpose_window(
    length: int, kernel: int, stride: int, dilation: int, padding, output_padding: int, output_shape: int | None
) -> tuple[int, int]:
    """(before, O): the canonical conv_transpose output is ``full[before : before + O]``
    (zeros past the end of ``full``). ``padding`` is a mode string or one (before, after)
    pair; a mode crops ``max(F - O, 0)``, the odd position after ('same') or before
    ('same_lower')."""
    out = canonical_transpose_length(length, kernel, stride, dilation, padding, output_padding, output_shape)
    if not isinstance(padding, str):
        return padding[0], out
    total = max(full_transpose_length(length, kernel, stride, dilation) - out, 0)
    before = {"valid": 0, "same": total // 2, "same_lower": total - total // 2}[padding]
    return before, out


def conv_same_total(length: int, kernel: int, stride: int, dilation: int) -> int:
    """The zeros a canonical 'same' conv adds in one dim: ``max((ceil(L/s) - 1)s + e - L, 0)``
    (``e`` the dilated kernel), so that the output has ``ceil(L/s)`` positions."""
    out = -(-length // stride)
    return max((out - 1) * stride + effective_kernel(kernel, dilation) - length, 0)


@dataclass(frozen=True)
class Axis:
    """One spatial dim of a case, with the canonical quantities adapters translate from."""

    length: int
    kernel: int
    stride: int
    dilation: int
    padding: object  # a mode string or one (before, after) pair
    output_padding: int
    output_shape: int | None

    @property
    def full(self) -> int:
        return full_transpose_length(self.length, self.kernel, self.stride, self.dilation)

    def window(self) -> tuple[int, int]:
        """conv_transpose: (before, O), see ``transpose_window``."""
        return transpose_window(
            self.length, self.kernel, self.stride, self.dilation, self.padding, self.output_padding, self.output_shape
        )

    def explicit_output_padding(self) -> int:
        """conv_transpose with an explicit (before, after) pair: the output_padding an API of
        (pads, output_padding) is given - the case's own, or with an output_shape the one it
        implies, ``O - (F - before - after)`` (negative for an invalid case). A case that
        gives both and they disagree is told by ``output_padding_disagrees``."""
        before, after = self.padding
        if self.output_shape is None:
            return self.output_padding
        return self.output_shape - (self.full - before - after)

    def output_padding_disagrees(self) -> bool:
        """An explicit pair with output_shape and a nonzero output_padding it does not imply:
        an API with one number for both cannot say the case."""
        return self.output_shape is not None and bool(self.output_padding) and (
            self.output_padding != self.explicit_output_padding()
        )

    def same_total(self) -> int:
        """conv: the zeros 'same' adds, see ``conv_same_total``."""
        return conv_same_total(self.length, self.kernel, self.stride, self.dilation)


def axes(case: Case) -> list[Axis]:
    """The case's spatial dims as ``Axis`` values, in order."""
    return [
        Axis(
            case.x.shape[2 + i],
            case.kernel_spatial[i],
            case.stride[i],
            case.dilation[i],
            case.padding if isinstance(case.padding, str) else case.padding[i],
            case.output_padding[i],
            None if case.output_shape is None else case.output_shape[i],
        )
        for i in range(case.spatial_dims)
    ]
