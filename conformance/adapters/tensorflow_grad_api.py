"""TensorFlow's backward of tf.nn.conv_transpose and tf.nn.convolution: ``tf.GradientTape``,
and the explicit ``tf.compat.v1.nn.conv2d_backprop_input`` / ``conv2d_backprop_filter`` (TF 2 keeps
them under compat.v1 only; ``tf.nn.conv2d_backprop_input`` is gone from the TF 2 namespace).

GradientTape: the forward call of ``tensorflow_api`` (inputs relaid out to channels last)
recorded on a tape watching the relaid-out input and filter; the upstream gradient is
relaid out the same way, and each gradient is relaid back to the canonical layout of
the tensor it is the gradient of (a permutation: exact).

The explicit pair is conv2d's backward as public functions (2D only, no bias): padding
'SAME', 'VALID' or explicit pairs, as tf.nn.conv2d takes them.
"""

from __future__ import annotations

from ..case import Case
from .base import NativeCall, Unsupported
from .gradient import GradientMixin
from .layout import canonical_input_layout, canonical_kernel_layout
from .tensorflow_api import TfConvolution, TfConvTranspose, _TfAdapter, transpose_axes

DOCS_GRADIENT_TAPE = "https://www.tensorflow.org/api_docs/python/tf/GradientTape"
DOCS_BACKPROP_INPUT = "https://www.tensorflow.org/api_docs/python/tf/nn/conv2d_backprop_input"
DOCS_BACKPROP_FILTER = "https://www.tensorflow.org/api_docs/python/tf/compat/v1/nn/conv2d_backprop_filter"
TAPE_NOTE = "gradient by tf.GradientTape over the call, w.r.t. (input, filter), output_gradients g"


def _relayout(name: str, source: str, src: str, dst: str) -> str:
    return f"{name} = tf.constant(np.transpose({source}, {transpose_axes(src, dst)}).astype(np_dtype))  # {src} -> {dst}\n"


class _TfTape(GradientMixin):
    quantities = ("grad_input", "grad_weight")

    gradient_note = TAPE_NOTE

    def gradient_source(self, case: Case, call: NativeCall) -> str:
        dims = case.spatial_dims
        canonical_x = canonical_input_layout(dims)
        canonical_w = canonical_kernel_layout(case.op, dims)
        args = ", ".join(f"{key}={value!r}" for key, value in call.kwargs.items())
        target, src = ("x_tf", call.input_layout) if case.quantity == "grad_input" else ("w_tf", call.kernel_layout)
        dst = canonical_x if case.quantity == "grad_input" else canonical_w
        return (
            "import numpy as np\nimport tensorflow as tf\n\n"
            "np_dtype = tf.as_dtype(dtype).as_numpy_dtype\n"
            + _relayout("x_tf", "x", canonical_x, call.input_layout)
            + _relayout("w_tf", "w", canonical_w, call.kernel_layout)
            + "# the upstream gradient has the output's layout, which is the input's\n"
            + _relayout("g_tf", "g", canonical_x, call.input_layout)
            + "with tf.GradientTape() as tape:\n"
            + f"    tape.watch({target})\n"
            + f"    out = {call.api}(x_tf, w_tf, {args})\n"
            + f"grad = tape.gradient(out, {target}, output_gradients=g_tf)  # {case.quantity}\n"
            + f"y = np.transpose(grad.numpy().astype(np.float64), {transpose_axes(src, dst)})  # {src} -> {dst}\n"
        )


class TfConvTransposeGrad(_TfTape, TfConvTranspose):
    name = "tf.nn.conv_transpose.grad"
    docs = DOCS_GRADIENT_TAPE


class TfConvolutionGrad(_TfTape, TfConvolution):
    name = "tf.nn.convolution.grad"
    docs = DOCS_GRADIENT_TAPE


class TfConv2dBackprop(GradientMixin, _TfAdapter):
    """``tf.compat.v1.nn.conv2d_backprop_input`` and ``conv2d_backprop_filter``."""

    name = "tf.compat.v1.nn.conv2d_backprop"
    op = "conv"
    docs = DOCS_BACKPROP_INPUT
    spatial_dims = frozenset({2})
    quantities = ("grad_input", "grad_weight")

    def translate(self, case: Case) -> NativeCall | Unsupported:
        # No groups argument: a grouped filter goes through (as tf.nn.convolution infers
        # groups from it) and TF answers.
        if case.padding == "same_lower":
            return Unsupported("padding-mode:same_lower", "TF has no SAME_LOWER", DOCS_BACKPROP_INPUT)
        if isinstance(case.padding, str):
            padding = case.padding.upper()
        else:
            padding = [[0, 0], *([before, after] for before, after in case.padding), [0, 0]]
        return NativeCall(
            api="tf.compat.v1.nn.conv2d_backprop_input | tf.compat.v1.nn.conv2d_backprop_filter",
            kwargs={"strides": [1, *case.stride, 1], "padding": padding, "dilations": [1, *case.dilation, 1]},
            input_layout="NHWC",
            kernel_layout="HWIO",
        )

    def repro_source(self, case: Case, call: NativeCall) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in call.kwargs.items())
        if case.quantity == "grad_input":
            line = f"grad = tf.compat.v1.nn.conv2d_backprop_input(list(x_tf.shape), w_tf, g_tf, {args})\n"
            back = f"y = np.transpose(grad.numpy().astype(np.float64), {transpose_axes('NHWC', 'NCHW')})  # NHWC -> NCHW\n"
        else:
            line = f"grad = tf.compat.v1.nn.conv2d_backprop_filter(x_tf, list(w_tf.shape), g_tf, {args})\n"
            back = f"y = np.transpose(grad.numpy().astype(np.float64), {transpose_axes('HWIO', 'OIHW')})  # HWIO -> OIHW\n"
        return (
            "import numpy as np\nimport tensorflow as tf\n\n"
            "np_dtype = tf.as_dtype(dtype).as_numpy_dtype\n"
            + _relayout("x_tf", "x", "NCHW", "NHWC")
            + _relayout("w_tf", "w", "OIHW", "HWIO")
            + _relayout("g_tf", "g", "NCHW", "NHWC")
            + line
            + back
        )


ADAPTERS = [TfConvTransposeGrad, TfConvolutionGrad, TfConv2dBackprop]
