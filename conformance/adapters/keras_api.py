"""Keras 3 layers: ``keras.layers.Conv{1,2,3}DTranspose`` and ``keras.layers.Conv{1,2,3}D``.

These run on the TensorFlow backend (the ``tensorflow`` tox environment); ``keras_backends``
runs the same layers on JAX and PyTorch. Keras fixes its backend at first import, so
``execute`` checks ``keras.backend.backend()`` and refuses to run on another one: a
misconfigured environment never reports one backend's results under another's name. Keras has only
'same' / 'valid' padding and no ``output_shape``: a canonical output length is reached
through Keras' own ``output_padding`` arithmetic (``_get_output_shape_given_tf_padding``
in ``keras/src/backend/common/backend_utils.py``), modelled by the pure functions below.

What Keras' API cannot say (groups on the transposed layers, explicit or 'same_lower'
padding) is UNSUPPORTED. What it can say but its constructor refuses (an
``output_padding`` >= ``strides`` or < 0, ``strides > 1`` with ``dilation_rate > 1``) is
asked anyway: the layer's ValueError is the result (an ERROR with an expectation entry).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any, ClassVar

import numpy as np

from ..case import Case
from ..dtypes import numpy_dtype
from .base import Adapter, NativeCall, Unsupported, framework_call
from .layout import canonical_input_layout, canonical_kernel_layout, relayout
from .canonical import canonical_transpose_lengths, effective_kernel
from .tensorflow_api import channels_last_input_layout, conv_filter_layout, transpose_axes, transpose_filter_layout

DOCS_CONV_TRANSPOSE = "https://keras.io/api/layers/convolution_layers/convolution2d_transpose/"
DOCS_CONV = "https://keras.io/api/layers/convolution_layers/convolution2d/"


def keras_padding(padding) -> str | None:
    """Canonical padding -> Keras' 'same' / 'valid', or None when Keras cannot express it.

    All-zero explicit pairs are exactly 'valid'; Keras has no SAME_LOWER and no explicit pads.
    """
    if padding in ("same", "valid"):
        return padding
    if not isinstance(padding, str) and all(pair == (0, 0) for pair in padding):
        return "valid"
    return None


def keras_transpose_base_length(length: int, kernel: int, stride: int, dilation: int, padding: str) -> int:
    """Keras' output length before ``output_padding`` is added.

    valid: ``(L-1)s + e``; same: ``(L-1)s + e % 2`` (with e = d(k-1)+1).
    """
    e = effective_kernel(kernel, dilation)
    return (length - 1) * stride + (e if padding == "valid" else e % 2)


def keras_transpose_default_length(length: int, kernel: int, stride: int, dilation: int, padding: str) -> int:
    """Keras' output length with ``output_padding=None``.

    valid: ``(L-1)s + max(e, s)``; same: ``L * s``.
    """
    if padding == "same":
        return length * stride
    return (length - 1) * stride + max(effective_kernel(kernel, dilation), stride)


def keras_output_padding(lengths, kernels, strides, dilations, padding: str, outs):
    """The Keras ``output_padding`` that gives the output lengths ``outs``.

    None when Keras' default already gives every length (the common call); otherwise one
    value per dim, ``O - base``. Keras requires it to lie in ``[0, stride)`` and says so
    itself: a value outside is passed on for the layer to refuse.
    """
    dims = range(len(lengths))
    defaults = [keras_transpose_default_length(lengths[i], kernels[i], strides[i], dilations[i], padding) for i in dims]
    if list(outs) == defaults:
        return None
    return [outs[i] - keras_transpose_base_length(lengths[i], kernels[i], strides[i], dilations[i], padding) for i in dims]


def unsupported_padding(case: Case, doc: str) -> Unsupported:
    """Keras' padding is 'valid' or 'same': no 'same_lower', no explicit amounts."""
    if case.padding == "same_lower":
        return Unsupported("padding-mode:same_lower", "Keras padding is 'valid' or 'same'", doc)
    return Unsupported("explicit-padding", f"padding {case.padding!r}; Keras padding is 'valid' or 'same'", doc)


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


class KerasLayerAdapter(Adapter):
    """A Keras 3 layer on one backend: the backend check, the version line, run and repro."""

    module = "keras"
    backend: ClassVar[str] = "tensorflow"
    pip_extras = ("tensorflow-cpu",)  # the backend these adapters run on
    # Keras' own checks raise in keras; the kernels' errors in the backend's packages.
    framework_modules: ClassVar[tuple[str, ...]] = ("keras", "tensorflow")

    @classmethod
    def framework_version(cls) -> str:
        """'keras 3.15.1 (tensorflow 2.21.0)'; raises when keras runs on another backend."""
        keras = import_keras_on(cls.backend)
        backend_module = importlib.import_module(cls.backend)
        return f"keras {keras.__version__} ({cls.backend} {backend_module.__version__})"

    @classmethod
    def build_properties(cls) -> dict[str, Any]:
        """The backend's build report: TensorFlow's (``onednn``) here; see keras_backends."""
        import_keras_on(cls.backend)
        from .tensorflow_api import tensorflow_build_properties

        return tensorflow_build_properties()

    def execute(self, case: Case, call: NativeCall) -> np.ndarray:
        import_keras_on(self.backend)
        return execute_keras_layer(case, call)

    def repro_source(self, case: Case, call: NativeCall) -> str:
        return "\n".join(
            [
                "import os",
                f'os.environ["KERAS_BACKEND"] = "{self.backend}"  # before keras is imported',
                keras_repro_source(case, call),
                f'assert keras.backend.backend() == "{self.backend}"',
            ]
        )


class KerasConvTranspose(KerasLayerAdapter):
    """keras.layers.Conv{1,2,3}DTranspose, weights set with ``set_weights``."""

    name = "keras.layers.ConvTranspose"
    framework = "tensorflow"
    op = "conv_transpose"
    docs = DOCS_CONV_TRANSPOSE

    def translate(self, case: Case) -> NativeCall | Unsupported:
        dims = case.spatial_dims
        if case.groups != 1:
            return Unsupported("groups", "Conv*DTranspose has no groups argument", DOCS_CONV_TRANSPOSE)
        padding = keras_padding(case.padding)
        if padding is None:
            return unsupported_padding(case, DOCS_CONV_TRANSPOSE)
        lengths, kernels = case.x.shape[2:], case.kernel_spatial
        outs = canonical_transpose_lengths(case)
        if case.padding_mode is not None and any(case.output_padding):
            # An invalid canonical case (ambiguous), but Keras takes output_padding together
            # with its padding modes natively: it goes through unchanged for Keras to answer.
            output_padding = list(case.output_padding)
        else:
            # Outside [0, stride) when Keras' formula cannot reach the length: the layer's
            # own check answers (ValueError), nothing is declined here.
            output_padding = keras_output_padding(lengths, kernels, case.stride, case.dilation, padding, outs)
        return NativeCall(
            api=f"keras.layers.Conv{dims}DTranspose",
            kwargs={
                "filters": case.out_channels,
                "kernel_size": list(kernels),
                "strides": list(case.stride),
                "padding": padding,
                "output_padding": output_padding,
                "dilation_rate": list(case.dilation),
                "use_bias": case.b is not None,
                "data_format": "channels_last",
                "dtype": case.dtype,
            },
            input_layout=channels_last_input_layout(dims),
            kernel_layout=transpose_filter_layout(dims),
            note="output_padding chosen so that Keras' output-size formula gives the canonical length",
        )


class KerasConv(KerasLayerAdapter):
    """keras.layers.Conv{1,2,3}D, weights set with ``set_weights``."""

    name = "keras.layers.Conv"
    framework = "tensorflow"
    op = "conv"
    docs = DOCS_CONV

    def translate(self, case: Case) -> NativeCall | Unsupported:
        dims = case.spatial_dims
        padding = keras_padding(case.padding)
        if padding is None:
            return unsupported_padding(case, DOCS_CONV)
        return NativeCall(
            api=f"keras.layers.Conv{dims}D",
            kwargs={
                "filters": case.out_channels,
                "kernel_size": list(case.kernel_spatial),
                "strides": list(case.stride),
                "padding": padding,
                "dilation_rate": list(case.dilation),
                "groups": case.groups,
                "use_bias": case.b is not None,
                "data_format": "channels_last",
                "dtype": case.dtype,
            },
            input_layout=channels_last_input_layout(dims),
            kernel_layout=conv_filter_layout(dims),
        )


def run_layer(layers, case: Case, call: NativeCall, call_layer) -> np.ndarray:
    """Build ``call.api``'s layer from the ``layers`` namespace (Keras 3's or Keras 2's), set
    its kernel (and bias) through ``set_weights``, and call it once: ``call_layer(layer, x)``
    takes the channels-last numpy input and returns the numpy output."""
    dims = case.spatial_dims
    dtype = numpy_dtype(case.dtype)
    x = relayout(case.x.astype(dtype), canonical_input_layout(dims), call.input_layout)
    kernel = relayout(case.w.astype(dtype), canonical_kernel_layout(case.op, dims), call.kernel_layout)
    layer_class = getattr(layers, call.api.rsplit(".", 1)[1])
    with framework_call():
        layer = layer_class(**call.kwargs)
        layer.build(x.shape)
        layer.set_weights([kernel] + ([case.b.astype(dtype)] if case.b is not None else []))
        y = call_layer(layer, x)
    return relayout(y.astype(np.float64), call.input_layout, canonical_input_layout(dims))


def execute_keras_layer(case: Case, call: NativeCall) -> np.ndarray:
    """Run a Keras 3 layer on whatever backend keras was imported on."""
    import keras

    def call_layer(layer, x):
        return keras.ops.convert_to_numpy(layer(keras.ops.convert_to_tensor(x)))

    return run_layer(keras.layers, case, call, call_layer)


def keras_repro_source(case: Case, call: NativeCall) -> str:
    """Standalone lines: the literal layer, build + set_weights, one call."""
    dims = case.spatial_dims
    canonical_x = canonical_input_layout(dims)
    canonical_w = canonical_kernel_layout(case.op, dims)
    args = ", ".join(f"{key}={value!r}" for key, value in call.kwargs.items() if key != "dtype")
    x_axes = transpose_axes(canonical_x, call.input_layout)
    return "\n".join(
        [
            "import numpy as np",
            "import keras",
            "",
            f"layer = {call.api}({args}, dtype=dtype)",
            f"layer.build({[case.x.shape[0], *case.x.shape[2:], case.x.shape[1]]})",
            f"kernel = keras.ops.convert_to_numpy(keras.ops.convert_to_tensor(np.transpose(w, "
            f"{transpose_axes(canonical_w, call.kernel_layout)}), dtype=dtype))  # {canonical_w} -> {call.kernel_layout}",
            "bias = [] if b is None else [keras.ops.convert_to_numpy(keras.ops.convert_to_tensor(b, dtype=dtype))]",
            "layer.set_weights([kernel] + bias)",
            f"y = layer(keras.ops.convert_to_tensor(np.transpose(x, {x_axes}), dtype=dtype))"
            f"  # {canonical_x} -> {call.input_layout}",
            f"y = np.transpose(keras.ops.convert_to_numpy(y).astype(np.float64), "
            f"{transpose_axes(call.input_layout, canonical_x)})  # {call.input_layout} -> {canonical_x}",
        ]
    )


ADAPTERS = [KerasConvTranspose, KerasConv]
