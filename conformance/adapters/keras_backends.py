"""Keras 3 layers on the JAX and PyTorch backends: ``keras.layers.Conv[Transpose]@jax|@torch``.

1. Same layers, same translation as ``keras_api`` (one Keras meaning of padding and
   output_padding); only the backend that runs them differs, chosen by ``KERAS_BACKEND``.
2. Keras fixes its backend at first import, so ``execute`` checks
   ``keras.backend.backend()`` and refuses to run on another one: a misconfigured
   environment never reports TensorFlow results under a jax or torch name.
"""

from __future__ import annotations

import importlib
import os
import sys

import numpy as np

from ..case import Case
from .base import NativeCall
from .keras_api import KerasConv, KerasConvTranspose, execute_keras_layer, keras_repro_source


class WrongKerasBackend(RuntimeError):
    """Keras was imported on another backend than the adapter's."""


def import_keras_on(backend: str):
    """Import keras and check it runs on ``backend``.

    When keras is not imported yet and ``KERAS_BACKEND`` is unset, it is set to ``backend``
    (Keras would otherwise pick its default, TensorFlow); a backend chosen otherwise is
    never overridden, only checked.
    """
    if "keras" not in sys.modules:
        os.environ.setdefault("KERAS_BACKEND", backend)
    import keras

    running = keras.backend.backend()
    if running != backend:
        raise WrongKerasBackend(
            f"keras runs on the {running!r} backend, not {backend!r}: set KERAS_BACKEND={backend} before keras is"
            f" imported (KERAS_BACKEND is {os.environ.get('KERAS_BACKEND')!r})"
        )
    return keras


def backend_repro_source(backend: str, case: Case, call: NativeCall) -> str:
    """keras_api's repro lines, with the backend chosen before keras is imported."""
    return "\n".join(
        [
            "import os",
            f'os.environ["KERAS_BACKEND"] = "{backend}"  # before keras is imported',
            keras_repro_source(case, call),
            f'assert keras.backend.backend() == "{backend}"',
        ]
    )


class _KerasOnBackend:
    """Mixin: the backend check, the version line and the repro for a Keras layer adapter."""

    backend: str = ""
    module = "keras"

    @classmethod
    def framework_version(cls) -> str:
        """'keras 3.15.1 (jax 0.10.2)'; raises when keras runs on another backend."""
        keras = import_keras_on(cls.backend)
        backend_module = importlib.import_module(cls.backend)
        return f"keras {keras.__version__} ({cls.backend} {backend_module.__version__})"

    def execute(self, case: Case, call: NativeCall) -> np.ndarray:
        import_keras_on(self.backend)
        return execute_keras_layer(case, call)

    def repro_source(self, case: Case, call: NativeCall) -> str:
        return backend_repro_source(self.backend, case, call)


class KerasJaxConvTranspose(_KerasOnBackend, KerasConvTranspose):
    """keras.layers.Conv{1,2,3}DTranspose on JAX (Keras calls ``lax.conv_transpose``)."""

    name = "keras.layers.ConvTranspose@jax"
    framework = "keras-jax"
    backend = "jax"


class KerasJaxConv(_KerasOnBackend, KerasConv):
    """keras.layers.Conv{1,2,3}D on JAX (Keras calls ``lax.conv_general_dilated``)."""

    name = "keras.layers.Conv@jax"
    framework = "keras-jax"
    backend = "jax"


class KerasTorchConvTranspose(_KerasOnBackend, KerasConvTranspose):
    """keras.layers.Conv{1,2,3}DTranspose on PyTorch.

    Keras converts 'same' + output_padding into torch's symmetric padding and
    output_padding (``_convert_conv_transpose_padding_args_from_keras_to_torch`` in
    keras/src/backend/common/backend_utils.py), clamping what torch refuses.
    """

    name = "keras.layers.ConvTranspose@torch"
    framework = "keras-torch"
    backend = "torch"


class KerasTorchConv(_KerasOnBackend, KerasConv):
    """keras.layers.Conv{1,2,3}D on PyTorch (Keras calls ``torch.nn.functional.conv{1,2,3}d``)."""

    name = "keras.layers.Conv@torch"
    framework = "keras-torch"
    backend = "torch"


ADAPTERS = [KerasJaxConvTranspose, KerasJaxConv, KerasTorchConvTranspose, KerasTorchConv]
