"""The canonical parameters of one layer, as the port command reads them from a call.

A ``Layer`` is a case without tensors: what the inverse of an adapter's translation
returns and what ``case`` turns into a canonical ``Case`` (random tensors of those shapes)
for the targets' ``express`` and for ``--verify``. ``windows`` is the normal form two
layers are compared by: 'same' and explicit pads can be the same window.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..adapters.canonical import Axis, conv_same_total, transpose_window
from ..case import Case


class PortError(ValueError):
    """Bad input to ``conformance port``: one line naming what is wrong (exit 2)."""


@dataclass(frozen=True)
class Layer:
    op: str  # "conv" | "conv_transpose"
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    padding: object  # a mode string or one (before, after) pair per dim
    in_channels: int | None = None  # None: the layer infers it from its input
    out_channels: int | None = None
    output_padding: tuple[int, ...] = ()
    output_shape: tuple[int, ...] | None = None
    groups: int = 1
    bias: bool = False
    # The canonical (channels-first) input shape, when the call or --input-shape gives it.
    input_shape: tuple[int, ...] | None = None
    notes: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self):
        dims = len(self.kernel)
        if not self.output_padding:
            object.__setattr__(self, "output_padding", (0,) * dims)

    @property
    def dims(self) -> int:
        return len(self.kernel)

    def with_input(self, input_shape: tuple[int, ...]) -> "Layer":
        """The layer with its canonical input shape, the channels checked against it."""
        if len(input_shape) != self.dims + 2:
            raise PortError(
                f"--input-shape {','.join(map(str, input_shape))}: a {self.dims}-D layer takes {self.dims + 2} sizes"
                " (batch, channels and each spatial size, in the source API's layout)"
            )
        channels = input_shape[1]
        if self.in_channels is not None and self.in_channels != channels:
            raise PortError(
                f"--input-shape has {channels} channels but the layer takes in_channels={self.in_channels}"
            )
        return replace(self, input_shape=tuple(input_shape), in_channels=channels)

    def check_groups(self) -> None:
        """Whole positive sizes, and channels that split into the groups (an invalid layer has no port)."""
        for name, values in (("kernel_size", self.kernel), ("stride", self.stride), ("dilation", self.dilation),
                             ("groups", (self.groups,)), ("in_channels", (self.in_channels,)),
                             ("out_channels", (self.out_channels,))):
            for value in values:
                if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
                    raise PortError(f"{name}={value!r}: expected a positive whole number")
        for name, value in (("in_channels", self.in_channels), ("out_channels", self.out_channels)):
            if value is not None and self.groups >= 1 and value % self.groups:
                raise PortError(f"{name}={value} does not divide by groups={self.groups}: channels must split into equal groups")

    def axes(self) -> list[Axis]:
        if self.input_shape is None:
            raise PortError("the input's spatial sizes are needed: give --input-shape")
        return [
            Axis(
                self.input_shape[2 + i],
                self.kernel[i],
                self.stride[i],
                self.dilation[i],
                self.padding if isinstance(self.padding, str) else self.padding[i],
                self.output_padding[i],
                None if self.output_shape is None else self.output_shape[i],
            )
            for i in range(self.dims)
        ]

    def windows(self) -> list[tuple[int, int]]:
        """The normal form per spatial dim. conv_transpose: (before, O), the output is
        ``full[before : before + O]``; conv: the (before, after) zeros added to the input."""
        if self.op == "conv_transpose":
            return [axis.window() for axis in self.axes()]
        if not isinstance(self.padding, str):
            return [tuple(pair) for pair in self.padding]
        pairs = []
        for axis in self.axes():
            total = 0 if self.padding == "valid" else conv_same_total(axis.length, axis.kernel, axis.stride, axis.dilation)
            pairs.append((total // 2, total - total // 2) if self.padding == "same" else (total - total // 2, total // 2))
        return pairs

    def normal_form(self) -> dict:
        return {
            "op": self.op,
            "windows": self.windows(),
            "kernel": list(self.kernel),
            "stride": list(self.stride),
            "dilation": list(self.dilation),
            "groups": self.groups,
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
        }

    def kernel_shape(self) -> tuple[int, ...]:
        """The canonical kernel array's shape: conv (C_out, C_in/g, *k); conv_transpose (C_in, C_out/g, *k)."""
        if self.op == "conv":
            return (self.out_channels, self.in_channels // self.groups, *self.kernel)
        return (self.in_channels, self.out_channels // self.groups, *self.kernel)

    def case(self, seed: int = 0, dtype: str = "float32", bias: bool | None = None, case_id: str = "port") -> Case:
        """A canonical case of this layer with random tensors (standard normal, seeded)."""
        if self.input_shape is None or self.in_channels is None:
            raise PortError("the input shape is needed to build the layer: give --input-shape")
        rng = np.random.default_rng(seed)
        with_bias = self.bias if bias is None else bias
        return Case.make(
            case_id,
            self.op,
            rng.standard_normal(self.input_shape),
            rng.standard_normal(self.kernel_shape()),
            rng.standard_normal(self.out_channels) if with_bias else None,
            stride=list(self.stride),
            dilation=list(self.dilation),
            padding=self.padding if isinstance(self.padding, str) else [list(p) for p in self.padding],
            output_padding=list(self.output_padding),
            output_shape=None if self.output_shape is None else list(self.output_shape),
            groups=self.groups,
            dtype=dtype,
        )

    def to_json(self) -> dict:
        return {
            "op": self.op,
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "kernel": list(self.kernel),
            "stride": list(self.stride),
            "dilation": list(self.dilation),
            "padding": self.padding if isinstance(self.padding, str) else [list(p) for p in self.padding],
            "output_padding": list(self.output_padding),
            "output_shape": None if self.output_shape is None else list(self.output_shape),
            "groups": self.groups,
            "bias": self.bias,
            "input_shape": None if self.input_shape is None else list(self.input_shape),
            "windows": [list(w) for w in self.windows()] if self.input_shape is not None else None,
        }


def layer_of_case(case: Case) -> Layer:
    """A canonical case's parameters as a ``Layer`` (the round trip's starting point)."""
    return Layer(
        op=case.op,
        kernel=case.kernel_spatial,
        stride=case.stride,
        dilation=case.dilation,
        padding=case.padding,
        in_channels=case.in_channels,
        out_channels=case.out_channels,
        output_padding=case.output_padding,
        output_shape=case.output_shape,
        groups=case.groups,
        bias=case.b is not None,
        input_shape=tuple(case.x.shape),
    )


__all__ = ["Layer", "PortError", "layer_of_case", "transpose_window"]
