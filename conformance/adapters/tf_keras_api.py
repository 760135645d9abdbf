"""Keras 2 layers (the ``tf_keras`` package, TF 2.x's ``tf.keras``): ``Conv{1,2,3}DTranspose`` and ``Conv{1,2,3}D``.

Keras 2 sizes a transposed convolution with ``conv_utils.deconv_output_length``, which gives
the same lengths as Keras 3 (valid: ``(L-1)s + e + output_padding``, default ``(L-1)s +
max(e, s)``; same: ``(L-1)s + e % 2 + output_padding``, default ``L * s``) and refuses an
output_padding >= stride the same way, so the translation is ``keras_api``'s. What differs
is what the layers do with it. Two documented dilation gaps (Conv1DTranspose: "dilation rate
larger than 1 is not currently supported"; Conv2DTranspose: one rate for both dims, as it
calls ``atrous_conv2d_transpose``) are not declined here: both layers take a
``dilation_rate`` per dim, so they are asked and their own answer is the result.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np

from ..case import Case
from .base import NativeCall, Unsupported
from .keras_api import KerasConv, KerasConvTranspose, run_layer
from .layout import canonical_input_layout, canonical_kernel_layout
from .tensorflow_api import transpose_axes

DOCS_CONV_TRANSPOSE = "https://github.com/keras-team/tf-keras/blob/master/tf_keras/src/layers/convolutional/conv2d_transpose.py"
DOCS_CONV = "https://github.com/keras-team/tf-keras/blob/master/tf_keras/src/layers/convolutional/conv2d.py"


def keras2_call(call: NativeCall | Unsupported, doc: str) -> NativeCall | Unsupported:
    """keras_api's translation, pointed at the Keras 2 layer (or its documentation)."""
    if isinstance(call, Unsupported):
        return dataclasses.replace(call, doc=doc)
    return dataclasses.replace(call, api="tf_keras.layers." + call.api.rsplit(".", 1)[1])


class _Keras2Layer:
    """Mixin before a Keras 3 layer adapter: run, version and repro through tf_keras instead."""

    framework = "tf_keras"
    module = "tf_keras"
    framework_modules: ClassVar[tuple[str, ...]] = ("tf_keras", "tensorflow")

    @classmethod
    def framework_version(cls) -> str:
        import tf_keras

        return tf_keras.__version__

    @classmethod
    def build_properties(cls) -> dict[str, Any]:
        """TensorFlow's build report (``onednn``): Keras 2 runs TF's kernels."""
        from .tensorflow_api import tensorflow_build_properties

        return tensorflow_build_properties()

    def execute(self, case: Case, call: NativeCall) -> np.ndarray:
        return execute_tf_keras_layer(case, call)

    def repro_source(self, case: Case, call: NativeCall) -> str:
        return tf_keras_repro_source(case, call)


class TfKerasConvTranspose(_Keras2Layer, KerasConvTranspose):
    """tf_keras.layers.Conv{1,2,3}DTranspose, weights set with ``set_weights``."""

    name = "tf_keras.layers.ConvTranspose"
    docs = DOCS_CONV_TRANSPOSE

    def translate(self, case: Case) -> NativeCall | Unsupported:
        return keras2_call(super().translate(case), DOCS_CONV_TRANSPOSE)


class TfKerasConv(_Keras2Layer, KerasConv):
    """tf_keras.layers.Conv{1,2,3}D, weights set with ``set_weights``."""

    name = "tf_keras.layers.Conv"
    docs = DOCS_CONV

    def translate(self, case: Case) -> NativeCall | Unsupported:
        return keras2_call(super().translate(case), DOCS_CONV)


def execute_tf_keras_layer(case: Case, call: NativeCall) -> np.ndarray:
    """Run the Keras 2 layer (``keras_api.run_layer`` with tf_keras' layers)."""
    import tensorflow as tf
    import tf_keras

    return run_layer(tf_keras.layers, case, call, lambda layer, x: layer(tf.constant(x)).numpy())


def tf_keras_repro_source(case: Case, call: NativeCall) -> str:
    """Standalone lines: the literal Keras 2 layer, build + set_weights, one call."""
    dims = case.spatial_dims
    canonical_x = canonical_input_layout(dims)
    canonical_w = canonical_kernel_layout(case.op, dims)
    args = ", ".join(f"{key}={value!r}" for key, value in call.kwargs.items() if key != "dtype")
    return "\n".join(
        [
            "import numpy as np",
            "import tensorflow as tf",
            "import tf_keras",
            "",
            "np_dtype = tf.as_dtype(dtype).as_numpy_dtype",
            f"layer = {call.api}({args}, dtype=dtype)",
            f"layer.build({[case.x.shape[0], *case.x.shape[2:], case.x.shape[1]]})",
            (
                f"kernel = np.transpose(w, {transpose_axes(canonical_w, call.kernel_layout)}).astype(np_dtype)"
                f"  # {canonical_w} -> {call.kernel_layout}"
            ),
            "layer.set_weights([kernel] + ([] if b is None else [b.astype(np_dtype)]))",
            (
                f"y = layer(tf.constant(np.transpose(x, {transpose_axes(canonical_x, call.input_layout)}).astype(np_dtype)))"
                f"  # {canonical_x} -> {call.input_layout}"
            ),
            (
                f"y = np.transpose(y.numpy().astype(np.float64), {transpose_axes(call.input_layout, canonical_x)})"
                f"  # {call.input_layout} -> {canonical_x}"
            ),
        ]
    )


ADAPTERS = [TfKerasConvTranspose, TfKerasConv]
