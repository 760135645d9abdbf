"""TFLite / LiteRT: the tf.nn op converted by ``tf.lite.TFLiteConverter``, run by LiteRT's interpreter.

1. The source is the TensorFlow adapter's own call: ``tensorflow_api.TfConvTranspose`` and
   ``TfConvolution`` translate the case (imported, not copied), so what the converter is
   given is exactly what ``tf.nn.conv_transpose`` / ``tf.nn.convolution`` are asked, and
   what that API cannot say is UNSUPPORTED here for the same documented reason.
2. The rendered call (``repro_source``) wraps that call in a ``tf.function`` with the kernel
   as a constant (as in a trained model, so the converter folds it into the op's filter
   input), converts the concrete function with the converter's defaults (float, no
   quantization), and runs the flatbuffer on ``ai_edge_litert.interpreter.Interpreter``.
   TRANSPOSE_CONV and CONV_2D are 2D ops; 1D and 3D cases are still given to the converter,
   which lowers what it can (a 1D op through reshapes, a 3D one to CONV_3D(_TRANSPOSE)):
   its refusal, or the interpreter's, is an ERROR with an expectation, never UNSUPPORTED.
3. Two adapters per op, one per kernel set of the same interpreter: the default
   (``OpResolverType.AUTO``: the optimized builtin kernels with the XNNPACK delegate
   applied, what a user gets), and ``BUILTIN_REF`` (the reference kernels, a setting the
   rendered text shows with its comment), named ``<name>@ref``.
4. Every dtype the source op takes is asked; what the converter or LiteRT refuses
   (float64, bfloat16, ...) is its answer.
"""

from __future__ import annotations

from ..case import Case
from .base import Adapter, NativeCall, Unsupported
from .layout import canonical_input_layout, canonical_kernel_layout
from .tensorflow_api import TfConvolution, TfConvTranspose, transpose_axes

DOCS_CONVERTER = "https://ai.google.dev/edge/api/tflite/python/tf/lite/TFLiteConverter"
DOCS_INTERPRETER = "https://ai.google.dev/edge/api/tflite/python/tf/lite/Interpreter"
DOCS_OP_RESOLVER = "https://ai.google.dev/edge/api/tflite/python/tf/lite/experimental/OpResolverType"


class _TfliteAdapter(Adapter):
    """The source adapter's tf.nn call, converted to a .tflite model and run by LiteRT."""

    framework = "tflite"
    module = "ai_edge_litert"
    pip_package = "ai-edge-litert"
    pip_extras = ("tensorflow-cpu",)
    # The converter raises from tensorflow (ConverterError), the interpreter from ai_edge_litert.
    framework_modules = ("ai_edge_litert", "tensorflow")
    docs = DOCS_CONVERTER

    source: type[Adapter]  # the tensorflow_api adapter whose call is converted
    # None: the interpreter's default (AUTO: builtin kernels + the XNNPACK delegate);
    # otherwise an OpResolverType member name, rendered with its reason.
    op_resolver: str | None = None

    @classmethod
    def framework_version(cls) -> str:
        """``ai-edge-litert``'s version (the module has no ``__version__``); the converter's TF is in build properties."""
        from importlib import metadata

        return metadata.version("ai-edge-litert")

    @classmethod
    def build_properties(cls) -> dict[str, str]:
        """The converter's TensorFlow version, and the interpreter's kernel set."""
        from importlib import metadata

        return {
            "converter": metadata.version("tensorflow-cpu"),
            "kernels": cls.op_resolver or "AUTO",
        }

    def translate(self, case: Case) -> NativeCall | Unsupported:
        call = self.source().translate(case)
        if isinstance(call, Unsupported):  # the source API cannot say it, so no model can hold it
            return call
        return NativeCall(
            api=call.api,
            kwargs=call.kwargs,
            input_layout=call.input_layout,
            kernel_layout=call.kernel_layout,
            note=f"{call.api} in a tf.function, TFLiteConverter defaults, "
            f"LiteRT Interpreter ({self.op_resolver or 'default kernels + XNNPACK'})",
        )

    def repro_source(self, case: Case, call: NativeCall) -> str:
        """numpy relayout and cast; the tf.nn call in a tf.function (kernel constant);
        the converter; the interpreter (the adapter's kernel set); back to channels first."""
        dims = case.spatial_dims
        canonical_x = canonical_input_layout(dims)
        canonical_w = canonical_kernel_layout(case.op, dims)
        args = ", ".join(f"{key}={value!r}" for key, value in call.kwargs.items())
        if self.op_resolver is None:
            interpreter = [
                "interpreter = Interpreter(model_content=tflite_model)  # default: builtin kernels + XNNPACK delegate",
            ]
        else:
            interpreter = [
                f"# {self.op_resolver}: not the default; this adapter asks LiteRT's {self.op_resolver} kernel set",
                "interpreter = Interpreter(",
                f"    model_content=tflite_model, experimental_op_resolver_type=OpResolverType.{self.op_resolver}",
                ")",
            ]
        return "\n".join(
            [
                "import numpy as np",
                "import tensorflow as tf",
                "from ai_edge_litert.interpreter import Interpreter, OpResolverType",
                "",
                "np_dtype = tf.as_dtype(dtype).as_numpy_dtype",
                f"x_nl = np.transpose(x, {transpose_axes(canonical_x, call.input_layout)}).astype(np_dtype)"
                f"  # {canonical_x} -> {call.input_layout}",
                f"w_tf = tf.constant(np.transpose(w, {transpose_axes(canonical_w, call.kernel_layout)}).astype(np_dtype))"
                f"  # {canonical_w} -> {call.kernel_layout}",
                "",
                "@tf.function(input_signature=[tf.TensorSpec(x_nl.shape, x_nl.dtype)])",
                "def model(x_tf):",
                f"    return {call.api}(x_tf, w_tf, {args})",
                "",
                "converter = tf.lite.TFLiteConverter.from_concrete_functions([model.get_concrete_function()], model)",
                "tflite_model = converter.convert()",
                *interpreter,
                "interpreter.allocate_tensors()",
                "interpreter.set_tensor(interpreter.get_input_details()[0]['index'], x_nl)",
                "interpreter.invoke()",
                "y = interpreter.get_tensor(interpreter.get_output_details()[0]['index'])",
                f"y = np.transpose(y.astype(np.float64), {transpose_axes(call.input_layout, canonical_x)})"
                f"  # {call.input_layout} -> {canonical_x}",
            ]
        )


class TfliteTransposeConv(_TfliteAdapter):
    """tf.nn.conv_transpose converted (TRANSPOSE_CONV), default interpreter (XNNPACK)."""

    name = "tflite.TRANSPOSE_CONV"
    op = "conv_transpose"
    source = TfConvTranspose


class TfliteTransposeConvRef(TfliteTransposeConv):
    """The same model on LiteRT's reference kernels."""

    name = "tflite.TRANSPOSE_CONV@ref"
    op_resolver = "BUILTIN_REF"


class TfliteConv2d(_TfliteAdapter):
    """tf.nn.convolution converted (CONV_2D), default interpreter (XNNPACK)."""

    name = "tflite.CONV_2D"
    op = "conv"
    source = TfConvolution


class TfliteConv2dRef(TfliteConv2d):
    """The same model on LiteRT's reference kernels."""

    name = "tflite.CONV_2D@ref"
    op_resolver = "BUILTIN_REF"


ADAPTERS = [TfliteTransposeConv, TfliteTransposeConvRef, TfliteConv2d, TfliteConv2dRef]
