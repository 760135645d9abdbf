"""The canonical output-size rules of SPEC.md, one spatial dim at a time.

This is the judge's arithmetic: the oracle and case validation use it; adapters never do
(each adapter translates the canonical parameters with functions of its own, so an error
here cannot hide the same error in an adapter).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..case import PADDING_MODES


class InvalidConfiguration(ValueError):
    """A case whose parameters the canonical semantics reject.

    ``field`` names the case field at fault, ``value`` what it holds.
    """

    def __init__(self, field: str, message: str, value=None):
        super().__init__(f"{field}: {message} (got {value!r})")
        self.field = field
        self.message = message
        self.value = value


@dataclass(frozen=True)
class AxisGeometry:
    """One spatial dim, resolved.

    conv: ``before``/``after`` zeros pad the input; ``out`` outputs.
    conv_transpose: ``full`` = (L-1)s + e is the scatter result's length; the output is
    ``y[j] = full[j + before]`` for ``j in [0, out)`` (zero outside [0, full)); ``after``
    is what is cropped at the end before ``output_padding`` re-appends positions.
    """

    length: int
    kernel: int
    stride: int
    dilation: int
    before: int
    after: int
    output_padding: int
    out: int
    full: int

    @property
    def effective_kernel(self) -> int:
        return self.dilation * (self.kernel - 1) + 1


def effective_kernel(kernel: int, dilation: int) -> int:
    return dilation * (kernel - 1) + 1


def conv_axis(length: int, kernel: int, stride: int, dilation: int, padding) -> AxisGeometry:
    """conv: ``padding`` is 'same' | 'same_lower' | 'valid' | (before, after)."""
    _check_positive(stride, dilation, kernel)
    e = effective_kernel(kernel, dilation)
    if padding == "valid":
        before = after = 0
    elif padding in ("same", "same_lower"):
        out = math.ceil(length / stride)
        total = max((out - 1) * stride + e - length, 0)
        before = total // 2 if padding == "same" else total - total // 2
        after = total - before
    else:
        before, after = padding
        if before < 0 or after < 0:
            raise InvalidConfiguration("padding", "must not be negative", [before, after])
    padded = length + before + after
    out = (padded - e) // stride + 1 if padded >= e else 0
    if out < 1:
        raise InvalidConfiguration(
            "padding", f"output length {out} < 1: padded input {padded} is shorter than the effective kernel {e}", padding
        )
    return AxisGeometry(length, kernel, stride, dilation, before, after, 0, out, padded)


def conv_transpose_axis(
    length: int,
    kernel: int,
    stride: int,
    dilation: int,
    padding,
    output_padding: int = 0,
    output_shape: int | None = None,
) -> AxisGeometry:
    """conv_transpose: the window of the full scatter result that forms the output."""
    _check_positive(stride, dilation, kernel)
    e = effective_kernel(kernel, dilation)
    full = (length - 1) * stride + e
    if output_padding < 0:
        raise InvalidConfiguration("output_padding", "must not be negative", output_padding)
    if isinstance(padding, str) and output_padding:
        raise InvalidConfiguration(
            "output_padding", f"cannot be combined with padding mode {padding!r}; use output_shape", output_padding
        )
    if padding == "valid":
        out = full + output_padding if output_shape is None else output_shape
        if output_shape is not None and output_shape < full:
            raise InvalidConfiguration("output_shape", f"with 'valid' padding must be >= the full length {full}", output_shape)
        before, after = 0, full - out
    elif padding in ("same", "same_lower"):
        out = length * stride if output_shape is None else output_shape
        total = max(full - out, 0)
        before = total // 2 if padding == "same" else total - total // 2
        after = total - before
    else:
        before, after = padding
        if before < 0 or after < 0:
            raise InvalidConfiguration("padding", "must not be negative", [before, after])
        cropped = full - before - after
        if output_shape is not None:
            implied = output_shape - cropped
            if implied < 0:
                raise InvalidConfiguration(
                    "output_shape",
                    f"is smaller than the cropped full length {cropped} = {full} - {before} - {after}",
                    output_shape,
                )
            # Both given: they must say the same thing, or the case is ambiguous.
            if output_padding and output_padding != implied:
                raise InvalidConfiguration(
                    "output_shape",
                    f"implies output_padding {implied}, but output_padding is {output_padding}",
                    output_shape,
                )
            output_padding = implied
        out = cropped + output_padding
    if out < 1:
        field, value = ("padding", padding) if output_shape is None else ("output_shape", output_shape)
        raise InvalidConfiguration(field, f"output length {out} < 1 (full length {full})", value)
    return AxisGeometry(length, kernel, stride, dilation, before, after, output_padding, out, full)


def resolve(case) -> tuple[AxisGeometry, ...]:
    """Every spatial dim of a case, resolved; raises InvalidConfiguration.

    Also checks the channel/group/kernel-shape rules that are not per-dim.
    """
    check_channels(case)
    dims = case.spatial_dims
    for name in ("stride", "dilation", "output_padding"):
        if len(getattr(case, name)) != dims:
            raise InvalidConfiguration(name, f"needs {dims} entries, one per spatial dim", list(getattr(case, name)))
    pads = case.padding if isinstance(case.padding, str) else None
    if pads is not None and pads not in PADDING_MODES:
        raise InvalidConfiguration("padding", f"mode must be one of {', '.join(PADDING_MODES)}", pads)
    if pads is None and len(case.padding) != dims:
        raise InvalidConfiguration("padding", f"needs {dims} entries, one per spatial dim", case.padding)
    if case.output_shape is not None and len(case.output_shape) != dims:
        raise InvalidConfiguration("output_shape", f"needs {dims} entries, one per spatial dim", list(case.output_shape))
    if case.op == "conv":
        if case.output_shape is not None:
            raise InvalidConfiguration("output_shape", "is for conv_transpose only", list(case.output_shape))
        if any(case.output_padding):
            raise InvalidConfiguration("output_padding", "is for conv_transpose only", list(case.output_padding))
    axes = []
    for i in range(dims):
        pad = pads if pads is not None else case.padding[i]
        length, kernel = case.x.shape[2 + i], case.w.shape[2 + i]
        try:
            if case.op == "conv":
                axes.append(conv_axis(length, kernel, case.stride[i], case.dilation[i], pad))
            else:
                out_i = None if case.output_shape is None else case.output_shape[i]
                axes.append(
                    conv_transpose_axis(length, kernel, case.stride[i], case.dilation[i], pad, case.output_padding[i], out_i)
                )
        except InvalidConfiguration as err:
            raise InvalidConfiguration(err.field, f"spatial dim {i}: {err.message}", err.value) from None
    return tuple(axes)


def check_channels(case) -> None:
    """Channel counts against groups and the canonical kernel layout."""
    if case.op not in ("conv", "conv_transpose"):
        raise InvalidConfiguration("op", "must be conv or conv_transpose", case.op)
    if case.x.ndim not in (3, 4, 5):
        raise InvalidConfiguration("input", "shape must be (N, C, *spatial) with 1 to 3 spatial dims", list(case.x.shape))
    if any(size < 1 for size in case.x.shape):
        raise InvalidConfiguration("input", "every dim must be >= 1", list(case.x.shape))
    if case.w.ndim != case.x.ndim:
        raise InvalidConfiguration(
            "kernel", f"needs {case.x.ndim} dims like the input", list(case.w.shape)
        )
    g = case.groups
    if g < 1:
        raise InvalidConfiguration("groups", "must be >= 1", g)
    c_in = case.x.shape[1]
    if c_in % g:
        raise InvalidConfiguration("groups", f"must divide the input channels {c_in}", g)
    if case.op == "conv":
        c_out = case.w.shape[0]
        if c_out % g:
            raise InvalidConfiguration("groups", f"must divide the output channels (kernel dim 0 = {c_out})", g)
        if case.w.shape[1] != c_in // g:
            raise InvalidConfiguration(
                "kernel", f"shape must be (C_out, C_in/groups={c_in // g}, *k) for conv", list(case.w.shape)
            )
    else:
        if case.w.shape[0] != c_in:
            raise InvalidConfiguration(
                "kernel", f"shape must be (C_in={c_in}, C_out/groups, *k) for conv_transpose", list(case.w.shape)
            )
    if any(size < 1 for size in case.w.shape):
        raise InvalidConfiguration("kernel", "every dim must be >= 1", list(case.w.shape))
    if case.b is not None:
        c_out = case.w.shape[0] if case.op == "conv" else case.w.shape[1] * g
        if case.b.shape != (c_out,):
            raise InvalidConfiguration("bias", f"shape must be ({c_out},), one per output channel", list(case.b.shape))


def output_shape(case) -> tuple[int, ...]:
    """The canonical output shape (N, C_out, *spatial) of a valid case."""
    axes = resolve(case)
    c_out = case.w.shape[0] if case.op == "conv" else case.w.shape[1] * case.groups
    return (case.x.shape[0], c_out, *(a.out for a in axes))


def _check_positive(stride: int, dilation: int, kernel: int) -> None:
    if stride < 1:
        raise InvalidConfiguration("stride", "must be >= 1", stride)
    if dilation < 1:
        raise InvalidConfiguration("dilation", "must be >= 1", dilation)
