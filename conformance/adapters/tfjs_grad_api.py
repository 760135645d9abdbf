"""TensorFlow.js's backward of the tfjs adapters' calls: ``tf.grad`` over the same op, run by Node.

1. The forward adapter's call (``tfjs_api``: the same positional arguments, the same
   UNSUPPORTED reasons) differentiated by ``tf.grad`` with respect to one argument, the other
   held constant, for the upstream gradient ``dy`` (``g`` relaid to channels last, float32):
   ``tf.grad((input) => op(input, filter, ...))(input, dy)`` is grad_input and the same over
   ``filter`` grad_weight. One argument per quantity, so the run computes only the gradient it
   judges (TF.js's tape keeps only the paths from the argument asked to the output).
2. What runs is TF.js's gradient of the op's kernel (``tfjs-core/src/gradients``): Conv2D's is
   conv2DBackpropInput / conv2DBackpropFilter (and asserts dilation 1), Conv3D's the V2 3D
   backprops, Conv2DBackpropInput's (conv2dTranspose) conv2d and conv2DBackpropFilter; conv1d
   is conv2d on a ``[batch, 1, width, channels]`` view. Whether the backend registers those
   kernels (the wasm backend has no Conv2DBackpropFilter) and whether an op has a gradient
   at all (Conv3DBackpropInputV2, conv3dTranspose's kernel, has none) is the framework's
   answer: its error, thrown from inside the packages.
3. ``@tensorflow/tfjs-core``'s Node entry (``dist/tf-core.node.js``) registers no gradient
   (``tf.grad`` says "gradient function not found for Conv2D"), and its
   ``dist/register_all_gradients.js`` is an ES module with extensionless imports that Node does
   not load. ``@tensorflow/tfjs-layers``' Node bundle registers them all in the global registry
   (it imports register_all_gradients, compiled in at the same 4.22.0, as the union
   ``@tensorflow/tfjs`` package does): the program imports it for that side effect only.
4. The functions take no bias, so there is no grad_bias. The gradient comes back in TF.js's
   layout (NHWC input; filters ``[*k, in, out]`` / ``[*k, outDepth, inDepth]``) and is relaid
   to the canonical one by the inverse permutation (TF.js has no groups: exact).
"""

from __future__ import annotations

from ..case import Case
from .base import NativeCall
from .gradient import GradientMixin
from .layout import canonical_input_layout, canonical_kernel_layout
from .node_program import PERMUTE_SOURCE, NodeProgramAdapter, js
from .tensorflow_api import transpose_axes
from .tfjs_api import (
    DOCS,
    PACKAGE_VERSIONS,
    TfjsConv,
    TfjsConvTranspose,
    TfjsConvTransposeWasm,
    TfjsConvWasm,
)

DOCS_GRAD = DOCS + "#grad"
# Whose import registers tfjs-core's gradients in Node (point 3 of the docstring).
GRADIENTS_PACKAGE = "@tensorflow/tfjs-layers"
GRAD_NOTE = "gradient by tf.grad of the call w.r.t. the input or the filter (the other held), upstream dy = g"


class _TfjsGrad(GradientMixin):
    quantities = ("grad_input", "grad_weight")
    gradient_note = GRAD_NOTE
    docs = DOCS_GRAD

    @classmethod
    def install_line(cls, version: str | None) -> str:
        return f"{super().install_line(version)} {GRADIENTS_PACKAGE}@{PACKAGE_VERSIONS[GRADIENTS_PACKAGE]}"

    def execute(self, case: Case, call: NativeCall):
        """The program in Node, as the forward's (GradientMixin's runs Python text)."""
        return NodeProgramAdapter.execute(self, case, call)

    def gradient_source(self, case: Case, call: NativeCall) -> str:
        """The ES module: the forward program's tensors and ``dy``, ``tf.grad`` over the
        argument judged, its gradient back to the canonical layout as ``y``."""
        dims = case.spatial_dims
        canonical_x, canonical_w = canonical_input_layout(dims), canonical_kernel_layout(case.op, dims)
        args = ", ".join(js(value) for value in call.kwargs.values())
        if case.quantity == "grad_input":
            over, differentiated = "input", f"(input) => {call.api}(input, filter, {args})"
            native, canonical = call.input_layout, canonical_x
        else:
            over, differentiated = "filter", f"(filter) => {call.api}(input, filter, {args})"
            native, canonical = call.kernel_layout, canonical_w
        return "\n".join(
            [
                "import * as tf from '@tensorflow/tfjs-core';",
                f"import '{self.backend_package}';",
                f"import '{GRADIENTS_PACKAGE}';  // registers tfjs-core's gradients (tf-core.node.js has none)",
                "",
                PERMUTE_SOURCE,
                "",
                f"await tf.setBackend('{self.backend}');",
                (f"const xIn = permute(x, {js(transpose_axes(canonical_x, call.input_layout))});"
                f"  // {canonical_x} -> {call.input_layout}"),
                (f"const wIn = permute(w, {js(transpose_axes(canonical_w, call.kernel_layout))});"
                f"  // {canonical_w} -> {call.kernel_layout}"),
                (f"const gIn = permute(g, {js(transpose_axes(canonical_x, call.input_layout))});"
                f"  // the upstream gradient, {canonical_x} -> {call.input_layout}"),
                "const input = tf.tensor(Float32Array.from(xIn.data), xIn.shape, 'float32');",
                "const filter = tf.tensor(Float32Array.from(wIn.data), wIn.shape, 'float32');",
                "const dy = tf.tensor(Float32Array.from(gIn.data), gIn.shape, 'float32');",
                f"// {case.quantity}: the gradient w.r.t. the {over}, the other argument held constant",
                f"const grad = tf.grad({differentiated})({over}, dy);",
                (f"const y = permute({{shape: grad.shape, data: await grad.data()}}, {js(transpose_axes(native, canonical))});"
                f"  // {native} -> {canonical}"),
                "tf.dispose([input, filter, dy, grad]);",
            ]
        )


class TfjsConvTransposeGrad(_TfjsGrad, TfjsConvTranspose):
    name = "tfjs.conv_transpose.grad"


class TfjsConvGrad(_TfjsGrad, TfjsConv):
    name = "tfjs.conv.grad"


class TfjsConvTransposeWasmGrad(_TfjsGrad, TfjsConvTransposeWasm):
    name = "tfjs.conv_transpose@wasm.grad"


class TfjsConvWasmGrad(_TfjsGrad, TfjsConvWasm):
    name = "tfjs.conv@wasm.grad"


ADAPTERS = [TfjsConvTransposeGrad, TfjsConvGrad, TfjsConvTransposeWasmGrad, TfjsConvWasmGrad]
