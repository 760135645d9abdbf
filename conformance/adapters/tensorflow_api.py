"""TensorFlow's low-level ops: ``tf.nn.conv_transpose`` and ``tf.nn.convolution``.

Both take channels-last tensors. TF's transposed convolution is defined as the gradient
of a convolution: ``output_shape`` is the shape of that convolution's input, and TF checks
that convolving it gives back the input length. The adapter passes the canonical output
length as ``output_shape`` and leaves that check to TF (its refusal is an ERROR result).
The run is the rendered call (``repro_source``, executed by ``Adapter.execute``): numpy
relayout and cast, the literal ``tf.nn`` call, back to channels first.
The channels-last layout helpers, ``transpose_axes`` and ``tensorflow_build_properties``
are shared with ``keras_api`` and ``tf_keras_api``.
"""

from __future__ import annotations

from typing import Any

from ..case import Case
from .base import Adapter, NativeCall, Unsupported
from .canonical import axes, same_lower_pads
from .layout import canonical_input_layout, canonical_kernel_layout, spatial_letters

DOCS_CONV_TRANSPOSE = "https://www.tensorflow.org/api_docs/python/tf/nn/conv_transpose"
DOCS_CONV2D_TRANSPOSE = "https://www.tensorflow.org/api_docs/python/tf/nn/conv2d_transpose"
DOCS_CONVOLUTION = "https://www.tensorflow.org/api_docs/python/tf/nn/convolution"

# The rank-specific ops: only tf.nn.conv2d_transpose documents explicit padding.
TRANSPOSE_OPS = {1: "tf.nn.conv1d_transpose", 2: "tf.nn.conv2d_transpose", 3: "tf.nn.conv3d_transpose"}
EXPLICIT_PADDING_DIMS = frozenset({2})


# -- build properties (shared with keras_api) -------------------------------------
def tensorflow_build_properties() -> dict[str, Any]:
    """What TF reports of its kernel choice: ``onednn`` is whether its oneDNN (MKL) ops run.

    ``IsMklEnabled()`` is TF's own switch (``tensorflow::IsMKLEnabled``): true on x86
    builds by default, false under ``TF_ENABLE_ONEDNN_OPTS=0`` or on builds without oneDNN.
    Imports TensorFlow.
    """
    from tensorflow.python.util import _pywrap_util_port

    return {"onednn": bool(_pywrap_util_port.IsMklEnabled())}


# -- layouts (shared with keras_api) ---------------------------------------------
def channels_last_input_layout(dims: int) -> str:
    """NWC / NHWC / NDHWC."""
    return "N" + spatial_letters(dims) + "C"


def transpose_filter_layout(dims: int) -> str:
    """TF and Keras transposed-conv filters: ``[*k, out_channels, in_channels]``."""
    return spatial_letters(dims) + "OI"


def conv_filter_layout(dims: int) -> str:
    """TF and Keras conv filters: ``[*k, in_channels / groups, out_channels]``."""
    return spatial_letters(dims) + "IO"


# -- padding ------------------------------------------------------------------------
def tf_transpose_padding(padding, dims: int):
    """A canonical padding -> TF's 'SAME' / 'VALID' or an explicit per-dim list, or None.

    Explicit pairs go to TF's explicit form (NHWC order, zero pairs for N and C) where the
    op documents it; all-zero pairs are exactly 'VALID' everywhere. None: inexpressible.
    """
    if padding == "same":
        return "SAME"
    if padding == "valid":
        return "VALID"
    if isinstance(padding, str):  # same_lower: placed by explicit_same_lower_padding
        return None
    if all(pair == (0, 0) for pair in padding):
        return "VALID"
    if dims in EXPLICIT_PADDING_DIMS:
        return [[0, 0], *([before, after] for before, after in padding), [0, 0]]
    return None


class _TfAdapter(Adapter):
    framework = "tensorflow"
    module = "tensorflow"
    pip_package = "tensorflow-cpu"

    @classmethod
    def build_properties(cls) -> dict[str, Any]:
        return tensorflow_build_properties()

    def repro_source(self, case: Case, call: NativeCall) -> str:
        """Standalone lines: numpy relayout and cast, the literal tf.nn call, back to channels first.

        The cast is numpy's (``astype`` to TF's numpy type for ``dtype``, ml_dtypes' bfloat16),
        the rounding the oracle applies to the inputs.
        """
        dims = case.spatial_dims
        canonical_x = canonical_input_layout(dims)
        canonical_w = canonical_kernel_layout(case.op, dims)
        args = ", ".join(f"{key}={value!r}" for key, value in call.kwargs.items())
        return "\n".join(
            [
                "import numpy as np",
                "import tensorflow as tf",
                "",
                "np_dtype = tf.as_dtype(dtype).as_numpy_dtype",
                f"x_tf = tf.constant(np.transpose(x, {transpose_axes(canonical_x, call.input_layout)}).astype(np_dtype))"
                f"  # {canonical_x} -> {call.input_layout}",
                f"w_tf = tf.constant(np.transpose(w, {transpose_axes(canonical_w, call.kernel_layout)}).astype(np_dtype))"
                f"  # {canonical_w} -> {call.kernel_layout}",
                f"y = {call.api}(x_tf, w_tf, {args})",
                f"y = np.transpose(y.numpy().astype(np.float64), {transpose_axes(call.input_layout, canonical_x)})"
                f"  # {call.input_layout} -> {canonical_x}",
            ]
        )


class TfConvTranspose(_TfAdapter):
    """tf.nn.conv{1,2,3}d_transpose: the gradient of TF's convolution w.r.t. its input."""

    name = "tf.nn.conv_transpose"
    op = "conv_transpose"
    docs = DOCS_CONV_TRANSPOSE

    def translate(self, case: Case) -> NativeCall | Unsupported:
        dims = case.spatial_dims
        if case.groups != 1:
            return Unsupported("groups", "tf.nn.conv_transpose has no groups argument", DOCS_CONV_TRANSPOSE)
        if case.b is not None:
            return Unsupported("bias", "tf.nn.conv_transpose has no bias argument", DOCS_CONV_TRANSPOSE)
        if case.padding_mode is not None and any(case.output_padding):
            # An invalid canonical case TF cannot be asked: it has no output_padding, and
            # folding it into output_shape would put a different (valid) question to TF.
            return Unsupported(
                "output-padding-with-padding-mode",
                f"padding {case.padding_mode!r} with output_padding {list(case.output_padding)}: "
                "tf.nn.conv_transpose has no output_padding argument, only output_shape",
                DOCS_CONV_TRANSPOSE,
            )
        spatial = axes(case)
        outs = [axis.window()[1] for axis in spatial]
        if case.padding == "same_lower":
            if dims not in EXPLICIT_PADDING_DIMS:
                return Unsupported(
                    "padding-mode:same_lower",
                    f"TF has no SAME_LOWER, and tf.nn.conv{dims}d_transpose takes only 'SAME' or 'VALID'",
                    DOCS_CONV_TRANSPOSE,
                )
            pairs = [same_lower_pads(a.length, a.kernel, a.stride, a.dilation, out) for a, out in zip(spatial, outs)]
            tf_padding = [[0, 0], *([before, after] for before, after in pairs), [0, 0]]
        else:
            tf_padding = tf_transpose_padding(case.padding, dims)
        if tf_padding is None:
            return Unsupported(
                "explicit-padding",
                f"tf.nn.conv{dims}d_transpose: 'padding: A string, either 'VALID' or 'SAME''",
                DOCS_CONV_TRANSPOSE,
            )
        # output_shape goes to TF as asked: TF itself checks that its forward conv gives
        # back the input length (output_padding >= stride, SAME outside ((L-1)s, Ls]).
        c_out = case.w.shape[1]
        return NativeCall(
            api=TRANSPOSE_OPS[dims],
            kwargs={
                "output_shape": [case.x.shape[0], *outs, c_out],
                "strides": list(case.stride),
                "padding": tf_padding,
                "dilations": list(case.dilation),
            },
            input_layout=channels_last_input_layout(dims),
            kernel_layout=transpose_filter_layout(dims),
            note="output_shape is the canonical output length; TF places the window as the gradient of its conv",
        )


class TfConvolution(_TfAdapter):
    """tf.nn.convolution: N-D cross-correlation, groups inferred from the filter's in-channels."""

    name = "tf.nn.convolution"
    op = "conv"
    docs = DOCS_CONVOLUTION

    def translate(self, case: Case) -> NativeCall | Unsupported:
        dims = case.spatial_dims
        if case.b is not None:
            return Unsupported("bias", "tf.nn.convolution has no bias argument", DOCS_CONVOLUTION)
        padding = tf_conv_padding(case.padding)
        if padding is None:
            reason = "padding-mode:same_lower" if case.padding == "same_lower" else "explicit-padding"
            return Unsupported(reason, "tf.nn.convolution: 'padding: A string, either \"VALID\" or \"SAME\"'", DOCS_CONVOLUTION)
        # No groups argument: TF infers groups = C_in / filter in-channels. A kernel TF cannot
        # read as grouped goes through for TF to refuse; one it reads as another groups
        # value would put a different (valid) convolution to TF: the API cannot say this case.
        implied = implied_groups(case.in_channels, case.w.shape[1])
        if implied is not None and implied != case.groups:
            return Unsupported(
                "groups-from-kernel",
                f"TF infers groups = C_in / filter in-channels = {case.in_channels} / {case.w.shape[1]}, "
                f"which is not the case's groups {case.groups}; tf.nn.convolution has no groups argument",
                DOCS_CONVOLUTION,
            )
        # stride > 1 with dilation > 1 goes through: the API takes both, TF answers.
        return NativeCall(
            api="tf.nn.convolution",
            kwargs={"strides": list(case.stride), "padding": padding, "dilations": list(case.dilation)},
            input_layout=channels_last_input_layout(dims),
            kernel_layout=conv_filter_layout(dims),
            note="groups are implied by the filter's in-channels (C_in / groups), as TF's Conv op infers them",
        )


def implied_groups(in_channels: int, filter_in_channels: int) -> int | None:
    """The groups TF's Conv op infers, input channels / filter in-channels; None if not whole."""
    if filter_in_channels < 1 or in_channels % filter_in_channels:
        return None
    return in_channels // filter_in_channels


def tf_conv_padding(padding):
    """Canonical conv padding -> 'SAME' / 'VALID', or None (tf.nn.convolution takes only those).

    All-zero explicit pairs are exactly 'VALID'.
    """
    if padding == "same":
        return "SAME"
    if padding == "valid" or (not isinstance(padding, str) and all(pair == (0, 0) for pair in padding)):
        return "VALID"
    return None


def transpose_axes(src: str, dst: str) -> tuple[int, ...]:
    """The ``np.transpose`` axes that take layout ``src`` to ``dst`` (for repro scripts)."""
    return tuple(src.index(letter) for letter in dst)


ADAPTERS = [TfConvTranspose, TfConvolution]
