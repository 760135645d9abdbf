"""The canonical output lengths as the adapters compute them (SPEC.md's rules, per dim).

Adapters need the canonical output length to ask an API for it (TF's ``output_shape``,
Keras' ``output_padding``, jax's padding pairs). This is the adapters' own arithmetic,
written apart from the oracle's ``geometry`` so an error in one cannot hide in the other.
"""

from __future__ import annotations

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
    return [
        canonical_transpose_length(
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


def same_lower_pads(length: int, kernel: int, stride: int, dilation: int, out: int) -> tuple[int, int]:
    """ONNX SAME_LOWER as explicit (before, after) crops of the full result: the odd one first."""
    total = max(full_transpose_length(length, kernel, stride, dilation) - out, 0)
    return total - total // 2, total // 2
