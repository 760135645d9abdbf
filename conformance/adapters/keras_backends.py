"""Keras 3 layers on the JAX and PyTorch backends: ``keras.layers.Conv[Transpose]@jax|@torch``.

Same layers, same translation as ``keras_api`` (one Keras meaning of padding and
output_padding); only the backend that runs them differs, chosen by ``KERAS_BACKEND``
(``keras_api.KerasLayerAdapter`` checks it before running and names it in the version).
"""

from __future__ import annotations

from .keras_api import KerasConv, KerasConvTranspose


class KerasJaxConvTranspose(KerasConvTranspose):
    """keras.layers.Conv{1,2,3}DTranspose on JAX (Keras calls ``lax.conv_transpose``)."""

    name = "keras.layers.ConvTranspose@jax"
    framework = "keras-jax"
    backend = "jax"
    pip_extras = ("jax",)


class KerasJaxConv(KerasConv):
    """keras.layers.Conv{1,2,3}D on JAX (Keras calls ``lax.conv_general_dilated``)."""

    name = "keras.layers.Conv@jax"
    framework = "keras-jax"
    backend = "jax"
    pip_extras = ("jax",)


class KerasTorchConvTranspose(KerasConvTranspose):
    """keras.layers.Conv{1,2,3}DTranspose on PyTorch.

    Keras 3.15 calls torch with padding 0 and crops the window itself (keras-team/keras
    #22876), where older releases converted 'same' + output_padding into torch's symmetric
    padding and clamped what torch refuses (``_convert_conv_transpose_padding_args_from_keras_to_torch``).
    """

    name = "keras.layers.ConvTranspose@torch"
    framework = "keras-torch"
    backend = "torch"
    pip_extras = ("torch",)


class KerasTorchConv(KerasConv):
    """keras.layers.Conv{1,2,3}D on PyTorch (Keras calls ``torch.nn.functional.conv{1,2,3}d``)."""

    name = "keras.layers.Conv@torch"
    framework = "keras-torch"
    backend = "torch"
    pip_extras = ("torch",)


ADAPTERS = [KerasJaxConvTranspose, KerasJaxConv, KerasTorchConvTranspose, KerasTorchConv]
