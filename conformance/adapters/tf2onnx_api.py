"""tf2onnx -> ONNX Runtime: the tf.nn op in a ``tf.function``, converted by
``tf2onnx.convert.from_function``, the ONNX model run by onnxruntime on the CPU provider.

1. The source is the TensorFlow adapter's own call: ``tensorflow_api.TfConvTranspose`` and
   ``TfConvolution`` translate the case (imported, not copied, as ``tflite_api`` does), so
   what the converter is given is exactly what ``tf.nn.conv_transpose`` /
   ``tf.nn.convolution`` are asked, and what that API cannot say is UNSUPPORTED here for the
   same documented reason. Why tf.nn and not the Keras layers (``from_keras``): tf2onnx
   converts graph ops, not layers; Keras 3's layers on the TF backend lower to the same
   ``Conv*DBackpropInput`` / ``Conv*D`` ops (``keras/src/backend/tensorflow/nn.py`` calls
   ``tf.nn.conv_transpose``), so ``from_function`` over tf.nn reaches every attribute of the
   ops the converter handles (explicit pads in 2D, any ``output_shape``), where the layers
   reach a subset ('same'/'valid', lengths through ``output_padding``). The Keras layers'
   own routes through the converter are ``tf2onnx_keras_api`` (``from_keras`` on Keras 3
   raises in tf2onnx 1.17: onnx/tensorflow-onnx#2329, #2448).
2. The rendered call (``repro_source``) holds the kernel in a ``tf.Variable``, as a trained
   model's weights (the converter freezes it into an initializer; a captured eager
   ``tf.constant`` would become a second graph input), converts with tf2onnx's defaults
   (its default opset, NHWC graph input: tf2onnx wraps the node in Transposes), and runs the
   model on ``onnxruntime.InferenceSession`` with ``CPUExecutionProvider``.
3. Every dtype the source op takes is asked: what the converter or ORT refuses (bfloat16, a
   float64 ConvTranspose without a CPU kernel, ...) is its answer, an ERROR.
4. ORT has no switch for the CPU instruction set (see ``onnxruntime_api``), the converter
   none either; ``build_properties`` records the converter's TensorFlow and default opset.
"""

from __future__ import annotations

from typing import Any

from ..case import Case
from .base import Adapter, NativeCall, Unsupported
from .layout import canonical_input_layout, canonical_kernel_layout
from .tensorflow_api import TfConvolution, TfConvTranspose, transpose_axes

DOCS_FROM_FUNCTION = "https://github.com/onnx/tensorflow-onnx#from_function-tf-20-and-newer"


def tf2onnx_build_properties() -> dict[str, Any]:
    """The converter's TensorFlow, its default opset, and the runtime's version."""
    from importlib import metadata

    from tf2onnx import constants

    return {
        "converter_tensorflow": metadata.version("tensorflow-cpu"),
        "opset": int(constants.PREFERRED_OPSET),
        "onnxruntime": metadata.version("onnxruntime"),
    }


def ort_run_lines(model: str, feed: str, result: str) -> list[str]:
    """The rendered lines that run a converted ONNX model (the Python name ``model``) on
    onnxruntime's CPU provider: ``result`` (e.g. ``"y = "`` or ``"return "``) gets its only
    output for the inputs ``feed`` (a dict expression). Shared by every tf2onnx adapter."""
    return [
        f"session = onnxruntime.InferenceSession({model}.SerializeToString(), providers=['CPUExecutionProvider'])",
        f"{result}session.run(None, {feed})[0]",
    ]


class _Tf2OnnxAdapter(Adapter):
    """The source adapter's tf.nn call, converted by tf2onnx, run by ONNX Runtime (CPU)."""

    framework = "tf2onnx"
    module = "tf2onnx"
    pip_extras = ("tensorflow-cpu", "onnxruntime")
    # The converter raises from tf2onnx (or from tensorflow while tracing), the session from onnxruntime.
    framework_modules = ("tf2onnx", "tensorflow", "onnx", "onnxruntime")
    docs = DOCS_FROM_FUNCTION

    source: type[Adapter]  # the tensorflow_api adapter whose call is converted

    @classmethod
    def build_properties(cls) -> dict[str, Any]:
        return tf2onnx_build_properties()

    def translate(self, case: Case) -> NativeCall | Unsupported:
        call = self.source().translate(case)
        if isinstance(call, Unsupported):  # the source API cannot say it, so no model can hold it
            return call
        return NativeCall(
            api=call.api,
            kwargs=call.kwargs,
            input_layout=call.input_layout,
            kernel_layout=call.kernel_layout,
            note=f"{call.api} in a tf.function (kernel a tf.Variable), tf2onnx.convert.from_function defaults, "
            "onnxruntime CPUExecutionProvider",
        )

    def repro_source(self, case: Case, call: NativeCall) -> str:
        """numpy relayout and cast; the tf.nn call in a tf.function; tf2onnx; ORT; back to channels first."""
        dims = case.spatial_dims
        canonical_x = canonical_input_layout(dims)
        canonical_w = canonical_kernel_layout(case.op, dims)
        args = ", ".join(f"{key}={value!r}" for key, value in call.kwargs.items())
        return "\n".join(
            [
                "import numpy as np",
                "import onnxruntime",
                "import tensorflow as tf",
                "import tf2onnx",
                "",
                "np_dtype = tf.as_dtype(dtype).as_numpy_dtype",
                f"x_nl = np.transpose(x, {transpose_axes(canonical_x, call.input_layout)}).astype(np_dtype)"
                f"  # {canonical_x} -> {call.input_layout}",
                "# the kernel as a trained model holds it: a variable, which tf2onnx freezes into an initializer",
                f"w_tf = tf.Variable(np.transpose(w, {transpose_axes(canonical_w, call.kernel_layout)}).astype(np_dtype))"
                f"  # {canonical_w} -> {call.kernel_layout}",
                "",
                "@tf.function",
                "def model(x_tf):",
                f"    return {call.api}(x_tf, w_tf, {args})",
                "",
                "onnx_model, _ = tf2onnx.convert.from_function(model, input_signature=[tf.TensorSpec(x_nl.shape, x_nl.dtype, name='x')])",
                *ort_run_lines("onnx_model", "{'x': x_nl}", "y = "),
                f"y = np.transpose(y.astype(np.float64), {transpose_axes(call.input_layout, canonical_x)})"
                f"  # {call.input_layout} -> {canonical_x}",
            ]
        )


class Tf2OnnxConvTranspose(_Tf2OnnxAdapter):
    """tf.nn.conv_transpose converted by tf2onnx (ConvTranspose), run by ONNX Runtime."""

    name = "tf2onnx.ConvTranspose"
    op = "conv_transpose"
    source = TfConvTranspose


class Tf2OnnxConv(_Tf2OnnxAdapter):
    """tf.nn.convolution converted by tf2onnx (Conv), run by ONNX Runtime."""

    name = "tf2onnx.Conv"
    op = "conv"
    source = TfConvolution


ADAPTERS = [Tf2OnnxConvTranspose, Tf2OnnxConv]
