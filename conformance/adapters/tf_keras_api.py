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

from ..case import Case
from .base import NativeCall, Unsupported
from .keras_api import KerasConv, KerasConvTranspose

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

    # Keras 3's rendered call (``keras_api.keras_layer_source``) with Keras 2's imports and TF tensors.
    to_tensor: ClassVar[str] = "tf.constant({})"
    to_numpy: ClassVar[str] = "{}.numpy()"

    def source_imports(self) -> list[str]:
        return ["import ml_dtypes  # numpy's bfloat16", "import numpy as np", "import tensorflow as tf", "import tf_keras"]


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


ADAPTERS = [TfKerasConvTranspose, TfKerasConv]
