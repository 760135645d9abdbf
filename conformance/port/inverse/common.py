"""What every inverse reads the same way: per-dim arguments, tensor shapes by layout
letters, and the error that names the argument it cannot read."""

from __future__ import annotations

from ...adapters.canonical import effective_kernel, full_transpose_length
from ...adapters.layout import SPATIAL
from ..layer import Layer, PortError


class InverseError(PortError):
    """A call the inverse cannot read: ``argument`` names the argument."""

    def __init__(self, api: str, argument: str, why: str):
        super().__init__(f"{api}: argument {argument}: {why}")
        self.argument = argument


def per_dim(api: str, name: str, value, dims: int) -> tuple[int, ...]:
    """An int (or a 1-list) broadcast to every spatial dim, or one int per dim."""
    if isinstance(value, bool):
        raise InverseError(api, name, f"expected an int or {dims} ints, got {value!r}")
    if isinstance(value, int):
        return (value,) * dims
    if isinstance(value, (list, tuple)) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        if len(value) == dims:
            return tuple(value)
        if len(value) == 1:
            return (value[0],) * dims
    raise InverseError(api, name, f"expected an int or {dims} ints (one per spatial dim), got {value!r}")


def pairs_from_flat(api: str, name: str, value, dims: int, order: str = "pairs") -> tuple[tuple[int, int], ...]:
    """Per-side amounts -> (before, after) per dim. ``order``: 'pairs' [b0, a0, b1, a1, ...];
    'begins_ends' [b0, b1, ..., a0, a1, ...] (ONNX); 'reversed_pairs' last dim first (tinygrad)."""
    flat = list(value) if isinstance(value, (list, tuple)) else None
    if flat is None or len(flat) != 2 * dims or not all(isinstance(v, int) for v in flat):
        raise InverseError(api, name, f"expected {2 * dims} ints (before and after per spatial dim), got {value!r}")
    if order == "begins_ends":
        return tuple((flat[i], flat[dims + i]) for i in range(dims))
    pairs = tuple((flat[2 * i], flat[2 * i + 1]) for i in range(dims))
    return tuple(reversed(pairs)) if order == "reversed_pairs" else pairs


def pair_list(api: str, name: str, value, dims: int) -> tuple[tuple[int, int], ...]:
    """[[b0, a0], [b1, a1], ...] (jax, flax, mlx conv_general's low/high read apart)."""
    if isinstance(value, (list, tuple)) and len(value) == dims and all(
        isinstance(p, (list, tuple)) and len(p) == 2 and all(isinstance(v, int) for v in p) for p in value
    ):
        return tuple((p[0], p[1]) for p in value)
    raise InverseError(api, name, f"expected {dims} (before, after) pairs, got {value!r}")


def normal_layout(layout: str) -> str:
    """Paddle names the 1-D length 'L' (NCL); the suite's letters call it 'W'."""
    return layout.replace("L", "W")


def spatial_dims(layout: str) -> int:
    return sum(letter in "DHW" for letter in normal_layout(layout))


def read_input(layout: str, shape) -> tuple[int, ...] | None:
    """A shape in ``layout`` -> the canonical (N, C, *spatial); None when not given."""
    if shape is None:
        return None
    layout = normal_layout(layout)
    dims = spatial_dims(layout)
    return tuple(shape[layout.index(letter)] for letter in "NC" + SPATIAL[dims])


def read_kernel(layout: str, shape) -> tuple[int, int, tuple[int, ...]] | None:
    """A kernel shape in ``layout`` -> (size of 'I', size of 'O', spatial sizes)."""
    if shape is None:
        return None
    layout = normal_layout(layout)
    dims = spatial_dims(layout)
    return shape[layout.index("I")], shape[layout.index("O")], tuple(shape[layout.index(c)] for c in SPATIAL[dims])


def channels_from_kernel(op: str, kernel, groups: int) -> tuple[int | None, int | None]:
    """(C_in, C_out) from the canonical letters: conv O=C_out, I=C_in/g; conv_transpose
    I=C_in, O=C_out/g."""
    if kernel is None:
        return None, None
    size_i, size_o, _ = kernel
    if op == "conv":
        return size_i * groups, size_o
    return size_i, size_o * groups


def crop_pairs_to_canonical(pairs, output_padding):
    """Explicit crops (before, after) plus appended positions: the canonical explicit form."""
    return tuple(pairs), tuple(output_padding)


def layer(op, kernel, stride, dilation, padding, *, in_channels=None, out_channels=None, output_padding=None,
          output_shape=None, groups=1, bias=False, input_shape=None) -> Layer:
    dims = len(kernel)
    return Layer(
        op=op,
        kernel=tuple(kernel),
        stride=tuple(stride),
        dilation=tuple(dilation),
        padding=padding,
        in_channels=in_channels,
        out_channels=out_channels,
        output_padding=tuple(output_padding) if output_padding is not None else (0,) * dims,
        output_shape=None if output_shape is None else tuple(output_shape),
        groups=groups,
        bias=bool(bias),
        input_shape=input_shape,
    )


__all__ = [
    "InverseError",
    "channels_from_kernel",
    "effective_kernel",
    "full_transpose_length",
    "layer",
    "pair_list",
    "normal_layout",
    "pairs_from_flat",
    "per_dim",
    "read_input",
    "read_kernel",
    "spatial_dims",
]


def window_to_explicit(full: int, before: int, out: int) -> tuple[tuple[int, int], int]:
    """A conv_transpose window ``full[before : before + out]`` as canonical explicit
    (before, after) plus output_padding (positions past the end of ``full``)."""
    after = full - before - out
    return (before, max(after, 0)), max(-after, 0)


def explicit_layer_from_windows(op, kernel, stride, dilation, lengths, windows, **rest):
    """A conv_transpose layer whose padding is the explicit form of per-dim windows."""
    pairs, extras = [], []
    for length, k, s, d, (before, out) in zip(lengths, kernel, stride, dilation, windows):
        pair, extra = window_to_explicit(full_transpose_length(length, k, s, d), before, out)
        pairs.append(pair)
        extras.append(extra)
    return layer(op, kernel, stride, dilation, tuple(pairs), output_padding=extras, **rest)
