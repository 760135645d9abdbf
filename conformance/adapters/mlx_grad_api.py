"""MLX's backward of mx.conv_transpose{1,2,3}d, mx.conv{1,2,3}d and mx.conv_general: ``mx.vjp``.

The forward call of ``mlx_api`` (channels last, the weight as MLX takes it) differentiated
with ``mx.vjp`` w.r.t. (input, weight); the cotangent is the upstream gradient ``g`` in the
output's layout. The functions take no bias, so none has grad_bias. The weight's gradient
comes back in MLX's (C_out, *k, C_in/groups) and is relaid to the canonical kernel: the
inverse permutation, and for conv_transpose the inverse of the per-group in/out swap (exact).
"""

from __future__ import annotations

from ..case import Case
from .base import NativeCall
from .gradient import GradientMixin
from .layout import canonical_input_layout, canonical_kernel_layout
from .mlx_api import MlxConv, MlxConvGeneral, MlxConvTranspose, kernel_source, mlx_kwargs_source, transpose_axes

DOCS_VJP = "https://ml-explore.github.io/mlx/build/html/python/_autosummary/mlx.core.vjp.html"
VJP_NOTE = "gradient by mx.vjp of the call w.r.t. (input, weight), cotangent g"


def weight_gradient_back(case: Case, call: NativeCall) -> str:
    """Lines taking ``grad`` (MLX's weight layout) to the canonical kernel, leaving ``y``."""
    dims = case.spatial_dims
    to_conv = transpose_axes(call.kernel_layout, canonical_kernel_layout("conv", dims))
    lines = f"grad = np.transpose(grad, {to_conv})  # {call.kernel_layout} -> (C_out, C_in/groups, *k)\n"
    if case.op == "conv":
        return lines + "y = grad\n"
    groups = call.kwargs["groups"]
    if groups < 1 or case.w.shape[0] % groups:
        return lines + "y = np.swapaxes(grad, 0, 1)  # the whole in/out swap undone\n"
    return lines + (
        "# undo the per-group in/out swap: (C_out, C_in/groups, *k) -> (C_in, C_out/groups, *k)\n"
        f"c_in, c_out_g = w.shape[0], w.shape[1]\n"
        f"grad = np.swapaxes(grad.reshape({groups}, c_out_g, c_in // {groups}, *grad.shape[2:]), 1, 2)\n"
        "y = grad.reshape(c_in, c_out_g, *grad.shape[3:])\n"
    )


class _MlxVjp(GradientMixin):
    quantities = ("grad_input", "grad_weight")

    gradient_note = VJP_NOTE

    def gradient_source(self, case: Case, call: NativeCall) -> str:
        dims = case.spatial_dims
        to_mlx = transpose_axes(canonical_input_layout(dims), call.input_layout)
        back = transpose_axes(call.input_layout, canonical_input_layout(dims))
        which = 0 if case.quantity == "grad_input" else 1
        read_back = (
            f"y = np.transpose(grad, {back})  # {call.input_layout} -> NC...\n"
            if case.quantity == "grad_input"
            else weight_gradient_back(case, call)
        )
        return (
            "import numpy as np\n"
            "import mlx.core as mx\n"
            "\n"
            "mx_dtype = getattr(mx, dtype)\n"
            f"xm = mx.array(np.transpose(x, {to_mlx})).astype(mx_dtype)  # -> {call.input_layout}\n"
            + kernel_source(case, call)
            + f"gm = mx.array(np.transpose(g, {to_mlx})).astype(mx_dtype)  # upstream gradient -> {call.input_layout}\n"
            + f"outs, grads = mx.vjp(lambda xm, wm: {call.api}(xm, wm, {mlx_kwargs_source(call.kwargs)}), [xm, wm], [gm])\n"
            + f"grad = grads[{which}]  # (grad_input, grad_weight)[{which}]: {case.quantity}\n"
            # MLX is lazy: the backward runs (and may raise) when the gradient is read.
            + "grad = np.array(grad.astype(mx.float64))\n"
            + read_back
        )


class MlxConvTransposeGrad(_MlxVjp, MlxConvTranspose):
    name = "mlx.core.conv_transpose.grad"
    docs = DOCS_VJP


class MlxConvGrad(_MlxVjp, MlxConv):
    name = "mlx.core.conv.grad"
    docs = DOCS_VJP


class MlxConvGeneralGrad(_MlxVjp, MlxConvGeneral):
    name = "mlx.core.conv_general.grad"
    docs = DOCS_VJP


ADAPTERS = [MlxConvTransposeGrad, MlxConvGrad, MlxConvGeneralGrad]
