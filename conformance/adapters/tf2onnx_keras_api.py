"""tf2onnx -> ONNX Runtime from Keras layers: the two routes a user of tf2onnx 1.17 has today.

tf2onnx 1.17's ``convert.from_keras`` does not take a Keras 3 model: on TensorFlow >= 2.16
it traces the model through a ``tf.function`` fallback, then looks the model's output names
(Keras 3's ``keras_tensor_N``) up among the traced tensors' names and raises
``KeyError: 'keras_tensor_1'`` for every model, with or without ``input_signature``
(measured with keras 3.15.1 / TF 2.21; onnx/tensorflow-onnx#2448, open; the Keras 3 support
request is onnx/tensorflow-onnx#2329, open, whose reporter asks for ``from_function`` as the
way round). So the routes that convert are:

1. ``tf2onnx.keras.*`` - a Keras 3 layer (``keras.layers.Conv*D[Transpose]`` on the
   TensorFlow backend) called in a ``tf.function``, converted by
   ``tf2onnx.convert.from_function``;
2. ``tf2onnx.tf_keras.*`` - the same layer from Keras 2 (the ``tf_keras`` package) in a
   functional ``tf_keras.Model``, converted by ``tf2onnx.convert.from_keras``, the
   converter's Keras entry point. The model is built with ``tf_keras`` itself, so
   ``TF_USE_LEGACY_KERAS=1`` (which points ``tf.keras`` at tf_keras process-wide, and would
   change the Keras 3 route's ``tf.keras`` in the same process) is not needed.

Both ask exactly what the Keras adapters ask: the translation is ``keras_api``'s /
``tf_keras_api``'s (inherited, not copied), so what the layers cannot say (groups on the
transposed layers, explicit or 'same_lower' padding) is UNSUPPORTED for the same documented
reason, and what the layer constructor refuses is its ERROR. The rendered call is the Keras
adapters' own (``keras_layer_source``: the literal layer, ``set_weights``), whose last step
- calling the layer - is handed to a ``tf2onnx_run`` function defined at the top of the text:
it converts the layer's call and runs the model with the tf2onnx adapters' ONNX Runtime lines
(``tf2onnx_api.ort_run_lines``). A refusal by the converter or by ORT of a case the layer
takes is an ERROR with an expectation (kind ``limitation``).
"""

from __future__ import annotations

import abc
from typing import Any, ClassVar

from .keras_api import KerasConv, KerasConvTranspose, import_keras_on, keras_imports
from .tf2onnx_api import ort_run_lines, tf2onnx_build_properties
from .tf_keras_api import TfKerasConv, TfKerasConvTranspose

DOCS_FROM_FUNCTION = "https://github.com/onnx/tensorflow-onnx#from_function-tf-20-and-newer"
DOCS_FROM_KERAS = "https://github.com/onnx/tensorflow-onnx#from_keras-tf-20-and-newer"

# The Keras adapters' rendered call ends in ``y = <to_numpy of layer(<to_tensor>)>``: with
# these two it reads ``y = tf2onnx_run(lambda x_tf: layer(x_tf), x_native)`` - the layer's
# call, converted and run by ONNX Runtime instead of by TensorFlow.
TO_TENSOR = "x_tf"
TO_NUMPY = "tf2onnx_run(lambda x_tf: {}, x_native)"


def from_function_lines() -> list[str]:
    """``tf2onnx_run`` for a Keras 3 layer: its call in a tf.function, ``from_function``."""
    return [
        "import onnxruntime",
        "import tensorflow as tf",
        "import tf2onnx",
        "",
        "",
        "def tf2onnx_run(call_layer, x_native):",
        '    """The layer\'s call in a tf.function, converted by tf2onnx (its defaults), run by ONNX Runtime."""',
        "    signature = [tf.TensorSpec(x_native.shape, x_native.dtype, name='x')]",
        "    onnx_model, _ = tf2onnx.convert.from_function(tf.function(call_layer), input_signature=signature)",
        *("    " + line for line in ort_run_lines("onnx_model", "{'x': x_native}", "return ")),
    ]


def from_keras_lines() -> list[str]:
    """``tf2onnx_run`` for a Keras 2 layer: a functional tf_keras.Model, ``from_keras``."""
    return [
        "import onnxruntime",
        "import tf2onnx",
        "",
        "",
        "def tf2onnx_run(call_layer, x_native):",
        '    """The layer in a tf_keras functional model, converted by tf2onnx.convert.from_keras (its defaults),'
        ' run by ONNX Runtime."""',
        "    inputs = tf_keras.Input(batch_shape=x_native.shape, dtype=dtype)",
        "    model = tf_keras.Model(inputs, call_layer(inputs))",
        "    onnx_model, _ = tf2onnx.convert.from_keras(model)",
        *("    " + line for line in ort_run_lines("onnx_model", "{session.get_inputs()[0].name: x_native}", "return ")),
    ]


class _Tf2OnnxLayers:
    """Mixin before a Keras layer adapter: the tf2onnx environment, version and build."""

    framework = "tf2onnx"
    module = "tf2onnx"
    pip_extras: ClassVar[tuple[str, ...]] = ("tensorflow-cpu", "onnxruntime")
    to_tensor: ClassVar[str] = TO_TENSOR
    to_numpy: ClassVar[str] = TO_NUMPY
    layers: ClassVar[str]  # the Keras whose layer is converted, for the version line

    @classmethod
    @abc.abstractmethod
    def keras_version(cls) -> str:
        """The version of the Keras this route converts from (per route)."""

    @classmethod
    def framework_version(cls) -> str:
        """'1.17.0 (keras 3.15.1)': the converter, and the Keras whose layer it converts."""
        import tf2onnx

        return f"{tf2onnx.__version__} ({cls.layers} {cls.keras_version()})"

    @classmethod
    def build_properties(cls) -> dict[str, Any]:
        return tf2onnx_build_properties()


class _FromFunction(_Tf2OnnxLayers):
    """Keras 3 (TensorFlow backend) layer in a tf.function, ``from_function``."""

    layers = "keras"
    docs = DOCS_FROM_FUNCTION
    framework_modules: ClassVar[tuple[str, ...]] = ("tf2onnx", "keras", "tensorflow", "onnx", "onnxruntime")

    @classmethod
    def keras_version(cls) -> str:
        return import_keras_on("tensorflow").__version__

    def source_imports(self) -> list[str]:
        return [*keras_imports("tensorflow"), *from_function_lines()]


class _FromKeras(_Tf2OnnxLayers):
    """Keras 2 (tf_keras) layer in a functional model, ``from_keras``."""

    layers = "tf_keras"
    docs = DOCS_FROM_KERAS
    framework_modules: ClassVar[tuple[str, ...]] = ("tf2onnx", "tf_keras", "tensorflow", "onnx", "onnxruntime")
    pip_extras: ClassVar[tuple[str, ...]] = ("tensorflow-cpu", "tf_keras", "onnxruntime")

    @classmethod
    def keras_version(cls) -> str:
        import tf_keras

        return tf_keras.__version__

    def source_imports(self) -> list[str]:
        return [*super().source_imports(), *from_keras_lines()]  # tf_keras_api's imports


class Tf2OnnxKerasConvTranspose(_FromFunction, KerasConvTranspose):
    """keras.layers.Conv{1,2,3}DTranspose in a tf.function, tf2onnx ``from_function``, ORT (CPU)."""

    name = "tf2onnx.keras.ConvTranspose"


class Tf2OnnxKerasConv(_FromFunction, KerasConv):
    """keras.layers.Conv{1,2,3}D in a tf.function, tf2onnx ``from_function``, ORT (CPU)."""

    name = "tf2onnx.keras.Conv"


class Tf2OnnxTfKerasConvTranspose(_FromKeras, TfKerasConvTranspose):
    """tf_keras.layers.Conv{1,2,3}DTranspose in a tf_keras.Model, tf2onnx ``from_keras``, ORT (CPU)."""

    name = "tf2onnx.tf_keras.ConvTranspose"


class Tf2OnnxTfKerasConv(_FromKeras, TfKerasConv):
    """tf_keras.layers.Conv{1,2,3}D in a tf_keras.Model, tf2onnx ``from_keras``, ORT (CPU)."""

    name = "tf2onnx.tf_keras.Conv"


ADAPTERS = [Tf2OnnxKerasConvTranspose, Tf2OnnxKerasConv, Tf2OnnxTfKerasConvTranspose, Tf2OnnxTfKerasConv]
