"""Inverses of TensorFlow's family: tf.nn.conv*_transpose / tf.nn.convolution (also what
TFLite and tf2onnx convert), Keras' Conv layers (Keras 3 on any backend, tf_keras) and
TensorFlow.js.

tf.nn's transposed conv is the gradient of its conv: ``output_shape`` is O, and 'SAME'
places the window as the canonical 'same' does (the odd crop at the end), 'VALID' at the
start. Keras computes O from its own formula (``keras_transpose_*_length``, the adapter's
functions, read here the other way) and calls the same op.
"""

from __future__ import annotations

import re

from ...adapters.canonical import Axis
from ...adapters.keras_api import keras_transpose_base_length, keras_transpose_default_length
from .common import InverseError, per_dim
from .common import layer as make_layer
from .shapes import Tensors

TF_MODES = {"SAME": "same", "VALID": "valid"}


def _tf_padding(api, name, value, dims, layout):
    """'SAME'/'VALID' -> the canonical mode; explicit pairs, one per dimension of the input in
    data_format's order ([[0, 0], [b, a], ..., [0, 0]] for NHWC, [[0, 0], [0, 0], [b, a], ...]
    for NCHW: tf.nn.conv2d's padding doc) -> (before, after) per spatial dim; N and C pad 0."""
    if isinstance(value, str):
        if value.upper() not in TF_MODES:
            raise InverseError(api, name, f"{value!r} is not 'SAME', 'VALID' or explicit pairs")
        return TF_MODES[value.upper()]
    if isinstance(value, (list, tuple)) and len(value) == dims + 2 and all(
            isinstance(p, (list, tuple)) and len(p) == 2 for p in value):
        if any(list(value[i]) != [0, 0] for i, letter in enumerate(layout) if letter not in "DHW"):
            raise InverseError(api, name, f"{value!r}: the batch and channel pairs must be [0, 0] ({layout}'s order)")
        return tuple((int(p[0]), int(p[1])) for p, letter in zip(value, layout) if letter in "DHW")
    raise InverseError(api, name, f"expected 'SAME', 'VALID' or {dims + 2} [before, after] pairs, got {value!r}")


def _tf_per_dim(api, name, value, dims, layout):
    """strides/dilations: an int, one per spatial dim, or one per input dim in data_format's
    order ([1, s_h, s_w, 1] for NHWC, [1, 1, s_h, s_w] for NCHW: "The dimension order is
    determined by the value of data_format"); TF takes 1 for N and C only."""
    if isinstance(value, (list, tuple)) and len(value) == dims + 2:
        if any(v != 1 for v, letter in zip(value, layout) if letter not in "DHW"):
            raise InverseError(api, name, f"{value!r}: the batch and channel entries must be 1 ({layout}'s order)")
        value = [v for v, letter in zip(value, layout) if letter in "DHW"]
    return per_dim(api, name, value, dims)


def tf_inverse(call, x_shape=None, w_shape=None):
    """tf.nn.conv{1,2,3}d_transpose / tf.nn.conv_transpose / tf.nn.convolution / tf.nn.conv{1,2,3}d."""
    kw, api = call.kwargs, call.api
    op = "conv_transpose" if "transpose" in api else "conv"
    t = Tensors(call, x_shape, w_shape)
    dims = t.dims
    c_in, c_out = t.channels(op, 1)
    stride = _tf_per_dim(api, "strides", kw.get("strides", 1), dims, call.input_layout)
    dilation = _tf_per_dim(api, "dilations", kw.get("dilations", 1) or 1, dims, call.input_layout)
    padding = _tf_padding(api, "padding", kw.get("padding", "VALID"), dims, call.input_layout)
    kernel = t.kernel_size(kw, None)
    groups = 1
    if op == "conv":
        # TF infers groups from the filter: C_in / filter in-channels.
        if t.input_shape is not None and t.kernel is not None and t.kernel[0]:
            groups = t.input_shape[1] // t.kernel[0]
            c_in = t.input_shape[1]
        return make_layer(op, kernel, stride, dilation, padding, in_channels=c_in, out_channels=c_out, groups=groups,
                          input_shape=t.input_shape)
    output_shape = kw.get("output_shape")
    if output_shape is None:
        raise InverseError(api, "output_shape", "tf.nn's transposed conv needs output_shape (N, *spatial, C)")
    if not isinstance(output_shape, (list, tuple)) or len(output_shape) != dims + 2:
        raise InverseError(api, "output_shape", f"expected {dims + 2} sizes (the full output shape), got {output_shape!r}")
    out = [output_shape[i] for i, letter in enumerate(call.input_layout) if letter in "DHW"]
    c_out = output_shape[call.input_layout.index("C")]
    return make_layer(op, kernel, stride, dilation, padding, in_channels=c_in, out_channels=c_out,
                      output_shape=out, input_shape=t.input_shape)


def keras_inverse(call, x_shape=None, w_shape=None):
    """keras.layers.Conv{N}D{,Transpose} (Keras 3, tf.keras, tf_keras): padding 'same'/'valid'."""
    kw, api = call.kwargs, call.api
    op = "conv_transpose" if "Transpose" in api else "conv"
    t = Tensors(call, x_shape, w_shape)
    dims = t.dims
    padding = kw.get("padding", "valid")
    if not isinstance(padding, str) or padding.lower() not in ("same", "valid", "causal"):
        raise InverseError(api, "padding", f"Keras padding is 'valid' or 'same', got {padding!r}")
    padding = padding.lower()
    if padding == "causal":
        raise InverseError(api, "padding", "'causal' (Conv1D's left-only padding) is no canonical mode")
    groups = kw.get("groups", 1)
    c_in, _ = t.channels(op, groups)
    filters = kw.get("filters")
    if filters is None:
        raise InverseError(api, "filters", "the layer's output channels are required")
    kernel = t.kernel_size(kw, "kernel_size")
    stride = per_dim(api, "strides", kw.get("strides", 1), dims)
    dilation = per_dim(api, "dilation_rate", kw.get("dilation_rate", 1), dims)
    common = dict(in_channels=c_in, out_channels=filters, groups=groups, bias=kw.get("use_bias", True),
                  input_shape=t.input_shape)
    if op == "conv":
        return make_layer(op, kernel, stride, dilation, padding, **common)
    output_padding = kw.get("output_padding")
    if output_padding is None:
        # Keras' default lengths: 'same' L*s (canonical 'same'); 'valid' (L-1)s + max(e, s).
        if padding == "same" or all(s <= d * (k - 1) + 1 for s, d, k in zip(stride, dilation, kernel)):
            return make_layer(op, kernel, stride, dilation, padding, **common)
        out = _keras_lengths(t, kernel, stride, dilation, padding, None, api)
        return make_layer(op, kernel, stride, dilation, padding, output_shape=out, **common)
    extra = per_dim(api, "output_padding", output_padding, dims)
    out = _keras_lengths(t, kernel, stride, dilation, padding, extra, api)
    return make_layer(op, kernel, stride, dilation, padding, output_shape=out, **common)


def _keras_lengths(t, kernel, stride, dilation, padding, output_padding, api):
    if t.input_shape is None:
        raise InverseError(api, "output_padding", "Keras' output length depends on the input length: give --input-shape")
    lengths = []
    for i in range(t.dims):
        axis = Axis(t.input_shape[2 + i], kernel[i], stride[i], dilation[i], padding, 0, None)
        if output_padding is None:
            lengths.append(keras_transpose_default_length(axis, padding))
        else:
            lengths.append(keras_transpose_base_length(axis, padding) + output_padding[i])
    return lengths


def tfjs_inverse(call, x_shape=None, w_shape=None):
    """tf.conv{2,3}dTranspose(x, filter, outputShape, strides, pad) and tf.conv{1,2,3}d(..., pad, dataFormat, dilations)."""
    kw, api = call.kwargs, call.api
    op = "conv_transpose" if "Transpose" in api else "conv"
    # conv1d names them stride and dilation
    renamed = {
        "strides": kw.get("strides", kw.get("stride", 1)),
        "padding": kw.get("pad", "valid"),
        "dilations": kw.get("dilations", kw.get("dilation", 1)),
    }
    if op == "conv_transpose":
        renamed["output_shape"] = kw.get("outputShape")
    from ...adapters.base import NativeCall

    pad = renamed["padding"]
    if api == "tf.conv1d" and isinstance(pad, (list, tuple)) and len(pad) == 4:
        # conv1d hands its pad to conv2d on a [batch, 1, width, channels] view: the width's pair
        pad = renamed["padding"] = [pad[0], pad[2], pad[3]]
    if isinstance(pad, int):
        dims = Tensors(call).dims
        renamed["padding"] = [[0, 0]] + [[pad, pad]] * dims + [[0, 0]]
    return tf_inverse(NativeCall(api + "_transpose" if op == "conv_transpose" else api, renamed,
                                 call.input_layout, call.kernel_layout), x_shape, w_shape)


def tfjs_layers_inverse(call, x_shape=None, w_shape=None):
    """tf.layers.conv{2,3}dTranspose({filters, kernelSize, strides, padding, dilationRate, useBias}):
    its length (deconvLength: L*s for 'same', L*s + max(k - s, 0) for 'valid') is Keras' default,
    so Keras' inverse reads it with the config's keys renamed."""
    from ...adapters.base import NativeCall

    kw = call.kwargs
    renamed = {"filters": kw.get("filters"), "kernel_size": kw.get("kernelSize"), "strides": kw.get("strides", 1),
               "padding": kw.get("padding", "valid"), "dilation_rate": kw.get("dilationRate", 1),
               "use_bias": kw.get("useBias", True)}  # fmt: skip
    return keras_inverse(NativeCall(call.api, renamed, call.input_layout, call.kernel_layout), x_shape, w_shape)


PATTERNS = [
    (re.compile(r"^tf\.nn\.(conv[123]d_transpose|conv_transpose|convolution|conv[123]d)$"), tf_inverse),
    # the gradients of tf.nn.conv2d with these arguments (a gradient adapter's call)
    (re.compile(r"^tf\.compat\.v1\.nn\.conv2d_backprop_(input|filter)( \| \S+)?$"), tf_inverse),
    (re.compile(r"^(keras|tf_keras|tf\.keras)\.layers\.Conv[123]D(Transpose)?$"), keras_inverse),
    (re.compile(r"^tf\.conv([123]d|[23]dTranspose)$"), tfjs_inverse),
    (re.compile(r"^tf\.layers\.conv[23]dTranspose$"), tfjs_layers_inverse),
]
