"""The sizes an inverse takes from the call's tensors when its arguments do not say them."""

from __future__ import annotations

from .common import InverseError, channels_from_kernel, per_dim, read_input, read_kernel, spatial_dims


class Tensors:
    """The call's input and kernel shapes in its own layouts (either may be None)."""

    def __init__(self, call, x_shape=None, w_shape=None, kernel_semantics: str | None = None):
        self.call = call
        self.dims = spatial_dims(call.input_layout or call.kernel_layout)
        self.input_shape = read_input(call.input_layout, x_shape)
        self.kernel = read_kernel(call.kernel_layout, w_shape)
        # Which op's letter meaning the kernel layout uses (MLX's transposed weight: conv's).
        self.kernel_semantics = kernel_semantics

    def kernel_size(self, kwargs, name: str | None):
        if name and kwargs.get(name) is not None:
            return per_dim(self.call.api, name, kwargs[name], self.dims)
        if self.kernel is None:
            raise InverseError(self.call.api, name or "weight", "the kernel size is needed: give the weight's shape")
        return self.kernel[2]

    def channels(self, op: str, groups: int) -> tuple[int | None, int | None]:
        c_in, c_out = channels_from_kernel(self.kernel_semantics or op, self.kernel, groups)
        if self.kernel_semantics == "conv" and op == "conv_transpose" and self.kernel is not None:
            # a conv-layout weight of a transposed conv: O = C_out, I = C_in / groups
            c_in, c_out = self.kernel[0] * groups, self.kernel[1]
        if c_in is None and self.input_shape is not None:
            c_in = self.input_shape[1]
        return c_in, c_out
