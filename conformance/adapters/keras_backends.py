"""Keras 3 layers on the JAX and PyTorch backends: ``keras.layers.Conv[Transpose]@jax|@torch``.

Same layers, same translation as ``keras_api`` (one Keras meaning of padding and
output_padding) and one rendered call (``keras_api.keras_layer_source``); only the backend
that runs them differs, chosen by ``KERAS_BACKEND`` (checked when the adapter is loaded and
again by the rendered call; named in the version).
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from ..case import Case
from .base import NativeCall
from .keras_api import KerasConv, KerasConvTranspose, import_keras_on

# The layer's own draw of its weights when it is built: zeros, not the default glorot_uniform,
# since set_weights replaces them at once with the case's kernel and bias. On JAX the draw is
# a jitted program (threefry bits, then the uniform) that XLA lowers and compiles anew for
# every kernel shape: about half of a keras-jax check's time, for numbers never used.
ZERO_INITIALIZERS = {"kernel_initializer": "zeros", "bias_initializer": "zeros"}


class _JaxBackend:
    """Mixin before a Keras layer adapter: the JAX backend."""

    framework = "keras-jax"
    backend = "jax"
    pip_extras = ("jax",)
    framework_modules: ClassVar[tuple[str, ...]] = ("keras", "jax", "jaxlib")

    def repro_source(self, case: Case, call: NativeCall) -> str:
        """The Keras layer's rendered call with its weights drawn as zeros
        (``ZERO_INITIALIZERS``) before set_weights replaces them. Only the rendering: the
        call a porter writes (``translate``, the port answers) is the plain layer's."""
        return super().repro_source(case, dataclasses.replace(call, kwargs={**call.kwargs, **ZERO_INITIALIZERS}))  # type: ignore[misc]

    @classmethod
    def build_properties(cls) -> dict[str, Any]:
        """Nothing: XLA's CPU kernel choice is not reported (``XLA_FLAGS`` is in the run's env)."""
        import_keras_on(cls.backend)
        return {}


class _TorchBackend:
    """Mixin before a Keras layer adapter: the PyTorch backend."""

    framework = "keras-torch"
    backend = "torch"
    pip_extras = ("torch",)
    framework_modules: ClassVar[tuple[str, ...]] = ("keras", "torch")

    @classmethod
    def build_properties(cls) -> dict[str, Any]:
        """torch's own report: ``onednn`` (mkldnn), ``cpu_capability`` (ATEN_CPU_CAPABILITY)."""
        import_keras_on(cls.backend)
        from .torch_api import _TorchAdapter

        return _TorchAdapter.build_properties()


class KerasJaxConvTranspose(_JaxBackend, KerasConvTranspose):
    """keras.layers.Conv{1,2,3}DTranspose on JAX (Keras calls ``lax.conv_transpose``)."""

    name = "keras.layers.ConvTranspose@jax"


class KerasJaxConv(_JaxBackend, KerasConv):
    """keras.layers.Conv{1,2,3}D on JAX (Keras calls ``lax.conv_general_dilated``)."""

    name = "keras.layers.Conv@jax"


class KerasTorchConvTranspose(_TorchBackend, KerasConvTranspose):
    """keras.layers.Conv{1,2,3}DTranspose on PyTorch.

    Keras 3.15 calls torch with padding 0 and crops the window itself (keras-team/keras
    #22876), where older releases converted 'same' + output_padding into torch's symmetric
    padding and clamped what torch refuses (``_convert_conv_transpose_padding_args_from_keras_to_torch``).
    """

    name = "keras.layers.ConvTranspose@torch"


class KerasTorchConv(_TorchBackend, KerasConv):
    """keras.layers.Conv{1,2,3}D on PyTorch (Keras calls ``torch.nn.functional.conv{1,2,3}d``)."""

    name = "keras.layers.Conv@torch"


ADAPTERS = [KerasJaxConvTranspose, KerasJaxConv, KerasTorchConvTranspose, KerasTorchConv]
