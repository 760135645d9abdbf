"""Flax's backward of linen/nnx ConvTranspose and Conv: ``jax.vjp`` through the layer.

The forward layer of ``flax_api`` (channels last, the canonical arrays as its parameters)
applied inside a function of the one tensor whose gradient is judged (input, kernel or
bias), the others closed over as constants, that ``jax.vjp`` differentiates: jax transposes
only that tensor's path. The cotangent is the upstream gradient ``g`` in the layer's output layout. linen passes the
parameters to ``apply``; nnx builds the layer inside the function and sets them on it
(nnx refuses to set a Variable from another trace level). Gradients come back in Flax's layouts and are relaid to the
canonical ones with the inverse permutations (exact).
"""

from __future__ import annotations

from ..case import Case
from .base import NativeCall
from .flax_api import (
    NNX_INITS,
    RENDERED_HEADER,
    FlaxLinenConv,
    FlaxLinenConvTranspose,
    FlaxLinenConvTransposeNoTransposeKernel,
    FlaxNnxConv,
    FlaxNnxConvTranspose,
    FlaxNnxConvTransposeNoTransposeKernel,
    arguments_source,
    host_cast_source,
    transpose_axes,
)
from .gradient import GradientMixin
from .layout import canonical_input_layout, canonical_kernel_layout

DOCS_VJP = "https://docs.jax.dev/en/latest/_autosummary/jax.vjp.html"
VJP_NOTE = "gradient by jax.vjp of the layer's output w.r.t. the judged tensor (input, kernel or bias), cotangent g"
# The judged quantity -> the argument of forward() that jax.vjp differentiates.
_ARGUMENT = {"grad_input": "xj", "grad_weight": "kernel", "grad_bias": "bias"}


class _FlaxVjp(GradientMixin):
    gradient_note = VJP_NOTE

    def forward_lines(self, case: Case, call: NativeCall, layer_args: str) -> list[str]:
        """The body of ``forward(<judged>)``: the layer's output, xj, kernel and bias read from the
        enclosing scope (the judged one is forward's argument)."""
        if self.API == "linen":
            params = '{"kernel": kernel}' if case.b is None else '{"kernel": kernel, "bias": bias}'
            return [f'    return layer.apply({{"params": {params}}}, xj)']
        # nnx refuses to set a Variable of a layer built outside the traced function.
        lines = [f"    layer = {call.api}({layer_args}, {NNX_INITS}, rngs=flax.nnx.Rngs(0))", "    layer.kernel.value = kernel"]
        if case.b is not None:
            lines.append("    layer.bias.value = bias")
        return lines + ["    return layer(xj)"]

    def gradient_source(self, case: Case, call: NativeCall) -> str:
        dims = case.spatial_dims
        canonical_x = canonical_input_layout(dims)
        canonical_w = canonical_kernel_layout(case.op, dims)
        to_x = transpose_axes(canonical_x, call.input_layout)
        to_w = transpose_axes(canonical_w, call.kernel_layout)
        back = {
            "grad_input": f"np.transpose(grad, {transpose_axes(call.input_layout, canonical_x)})  # -> {canonical_x}",
            "grad_weight": f"np.transpose(grad, {transpose_axes(call.kernel_layout, canonical_w)})  # -> {canonical_w}",
            "grad_bias": "grad",
        }[case.quantity]
        layer_args = arguments_source({**call.kwargs, "dtype": case.dtype, "param_dtype": case.dtype})
        bias = "None" if case.b is None else host_cast_source("b")
        argument = _ARGUMENT[case.quantity]
        lines = [
            RENDERED_HEADER,
            f"import flax.{self.API}",
            "",
            f"xj = {host_cast_source(f'np.transpose(x, {to_x})')}  # {canonical_x} -> {call.input_layout}",
            f"kernel = {host_cast_source(f'np.transpose(w, {to_w})')}  # {canonical_w} -> {call.kernel_layout}",
            f"bias = {bias}",
            f"gj = {host_cast_source(f'np.transpose(g, {to_x})')}  # upstream gradient, {call.input_layout}",
            *([f"layer = {call.api}({layer_args})"] if self.API == "linen" else []),
            "",
            f"# {case.quantity}: the vjp w.r.t. {argument} alone, the other tensors constants",
            f"def forward({argument}):",
            *self.forward_lines(case, call, layer_args),
            "",
            f"out, backward = jax.vjp(forward, {argument})",
            "(grad,) = backward(gj)",
            "# jax dispatches asynchronously: an XLA error surfaces when the gradient is read.",
            "grad = np.asarray(grad).astype(np.float64)",
            f"y = {back}",
        ]
        return "\n".join(lines) + "\n"


class FlaxLinenConvTransposeGrad(_FlaxVjp, FlaxLinenConvTranspose):
    name = "flax.linen.ConvTranspose.grad"
    docs = DOCS_VJP


class FlaxLinenConvTransposeNoTransposeKernelGrad(_FlaxVjp, FlaxLinenConvTransposeNoTransposeKernel):
    name = "flax.linen.ConvTranspose.no_transpose_kernel.grad"
    docs = DOCS_VJP


class FlaxNnxConvTransposeGrad(_FlaxVjp, FlaxNnxConvTranspose):
    name = "flax.nnx.ConvTranspose.grad"
    docs = DOCS_VJP


class FlaxNnxConvTransposeNoTransposeKernelGrad(_FlaxVjp, FlaxNnxConvTransposeNoTransposeKernel):
    name = "flax.nnx.ConvTranspose.no_transpose_kernel.grad"
    docs = DOCS_VJP


class FlaxLinenConvGrad(_FlaxVjp, FlaxLinenConv):
    name = "flax.linen.Conv.grad"
    docs = DOCS_VJP


class FlaxNnxConvGrad(_FlaxVjp, FlaxNnxConv):
    name = "flax.nnx.Conv.grad"
    docs = DOCS_VJP


ADAPTERS = [
    FlaxLinenConvTransposeGrad,
    FlaxLinenConvTransposeNoTransposeKernelGrad,
    FlaxNnxConvTransposeGrad,
    FlaxNnxConvTransposeNoTransposeKernelGrad,
    FlaxLinenConvGrad,
    FlaxNnxConvGrad,
]
