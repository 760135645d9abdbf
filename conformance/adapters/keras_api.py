"""Keras 3 layers: ``keras.layers.Conv{1,2,3}DTranspose`` and ``keras.layers.Conv{1,2,3}D``.

These run on the TensorFlow backend (the ``tensorflow`` tox environment); ``keras_backends``
runs the same layers on JAX and PyTorch. Keras fixes its backend at first import, so loading
an adapter (``framework_version``) and its rendered call both check ``keras.backend.backend()``
and refuse to run on another one: a misconfigured environment never reports one backend's
results under another's name. Keras has only 'same' / 'valid' padding and no ``output_shape``:
a canonical output length is reached through Keras' own ``output_padding`` arithmetic
(``_get_output_shape_given_tf_padding`` in ``keras/src/backend/common/backend_utils.py``),
modelled by the pure functions below.

The run is the rendered call (``keras_layer_source``, shared with Keras 2's ``tf_keras_api``):
build the literal layer, set its kernel (and bias) with ``set_weights``, call it once.

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

from ..case import Case
from .base import Adapter, NativeCall, Unsupported
from .canonical import Axis, axes, effective_kernel
from .layout import canonical_input_layout, canonical_kernel_layout
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


def keras_transpose_base_length(axis: Axis, padding: str) -> int:
    """Keras' output length before ``output_padding`` is added, for one canonical axis.

    valid: the full length ``F = (L-1)s + e``; same: ``(L-1)s + e % 2`` (e the dilated kernel).
    """
    if padding == "valid":
        return axis.full
    return (axis.length - 1) * axis.stride + effective_kernel(axis.kernel, axis.dilation) % 2


def keras_transpose_default_length(axis: Axis, padding: str) -> int:
    """Keras' output length with ``output_padding=None``: same ``L * s``; valid ``(L-1)s +
    max(e, s)``, i.e. the full length or ``L * s`` when the stride outreaches the kernel."""
    if padding == "same":
        return axis.length * axis.stride
    return max(axis.full, axis.length * axis.stride)


def keras_output_padding(case_axes: list[Axis], padding: str):
    """The Keras ``output_padding`` that gives every axis its canonical output length O.

    None when Keras' default already gives every length (the common call); otherwise one
    value per dim, ``O - base``. Keras requires it to lie in ``[0, stride)`` and says so
    itself: a value outside is passed on for the layer to refuse.
    """
    outs = [axis.window()[1] for axis in case_axes]
    if outs == [keras_transpose_default_length(axis, padding) for axis in case_axes]:
        return None
    return [out - keras_transpose_base_length(axis, padding) for axis, out in zip(case_axes, outs)]


def unsupported_padding(case: Case, doc: str) -> Unsupported:
    """Keras' padding is 'valid' or 'same': no 'same_lower', no explicit amounts."""
    if case.padding == "same_lower":
        return Unsupported("padding-mode:same_lower", "Keras padding is 'valid' or 'same'", doc)
    return Unsupported("explicit-padding", f"padding {case.padding!r}; Keras padding is 'valid' or 'same'", doc)


class WrongKerasBackend(ImportError):
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
    # How the rendered call wraps the layer's input and output ("{}" stands for the value).
    to_tensor: ClassVar[str] = "keras.ops.convert_to_tensor({})"
    to_numpy: ClassVar[str] = "keras.ops.convert_to_numpy({})"

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

    def source_imports(self) -> list[str]:
        """The rendered call's opening lines: Keras 3 on this adapter's backend."""
        return keras_imports(self.backend)

    def repro_source(self, case: Case, call: NativeCall) -> str:
        return keras_layer_source(case, call, self.source_imports(), self.to_tensor, self.to_numpy)


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
        if case.padding_mode is not None and any(case.output_padding):
            # An invalid canonical case (ambiguous), but Keras takes output_padding together
            # with its padding modes natively: it goes through unchanged for Keras to answer.
            output_padding = list(case.output_padding)
        else:
            # Outside [0, stride) when Keras' formula cannot reach the length: the layer's
            # own check answers (ValueError), nothing is declined here.
            output_padding = keras_output_padding(axes(case), padding)
        return NativeCall(
            api=f"keras.layers.Conv{dims}DTranspose",
            kwargs={
                "filters": case.out_channels,
                "kernel_size": list(case.kernel_spatial),
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


def keras_imports(backend: str) -> list[str]:
    """Keras 3's opening lines: the backend chosen before keras is imported, then checked
    (an ImportError: keras on another backend cannot run this call at all)."""
    return [
        "import os",
        f'os.environ["KERAS_BACKEND"] = "{backend}"  # before keras is imported',
        "import ml_dtypes  # numpy's bfloat16",
        "import numpy as np",
        "import keras",
        "",
        f'if keras.backend.backend() != "{backend}":',
        "    raise ImportError(",
        f'        f"keras runs on the {{keras.backend.backend()!r}} backend, not {backend!r}:"',
        f'        " set KERAS_BACKEND={backend} before keras is imported"',
        "    )",
    ]


def keras_layer_source(case: Case, call: NativeCall, imports: list[str], to_tensor: str, to_numpy: str) -> str:
    """The rendered call of a Keras layer (Keras 3 on any backend, Keras 2): the literal
    layer, built for the channels-last input, its kernel (and bias) set with
    ``set_weights``, one call. The tensors are cast to ``dtype`` by numpy (ml_dtypes'
    bfloat16), as the oracle casts them. ``imports`` opens the text; ``to_tensor`` and
    ``to_numpy`` wrap the input and the output (``{}`` stands for the value)."""
    dims = case.spatial_dims
    canonical_x = canonical_input_layout(dims)
    canonical_w = canonical_kernel_layout(case.op, dims)
    args = ", ".join(f"{key}={value!r}" for key, value in call.kwargs.items() if key != "dtype")
    native_shape = (case.x.shape[0], *case.x.shape[2:], case.x.shape[1])
    layer_output = "layer(" + to_tensor.format("x_native") + ")"
    return "\n".join(
        [
            *imports,
            "",
            "np_dtype = np.dtype(dtype)",
            f"x_native = np.ascontiguousarray(np.transpose(x, {transpose_axes(canonical_x, call.input_layout)}),"
            f" dtype=np_dtype)  # {canonical_x} -> {call.input_layout}",
            f"kernel = np.ascontiguousarray(np.transpose(w, {transpose_axes(canonical_w, call.kernel_layout)}),"
            f" dtype=np_dtype)  # {canonical_w} -> {call.kernel_layout}",
            f"layer = {call.api}({args}, dtype=dtype)",
            f"layer.build({native_shape})  # {call.input_layout}",
            "layer.set_weights([kernel] + ([] if b is None else [b.astype(np_dtype)]))",
            f"y = {to_numpy.format(layer_output)}",
            f"y = np.transpose(y.astype(np.float64), {transpose_axes(call.input_layout, canonical_x)})"
            f"  # {call.input_layout} -> {canonical_x}",
        ]
    )


ADAPTERS = [KerasConvTranspose, KerasConv]
