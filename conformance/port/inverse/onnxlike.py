"""Inverses of ONNX's Conv / ConvTranspose node (every runtime of the ONNX node family reads
the same attributes) and OpenVINO's Convolution / ConvolutionBackpropData.

ConvTranspose with ``output_shape``: ONNX splits ``total = F + output_padding - O``,
SAME_UPPER ``total // 2`` first, every other auto_pad the larger half first. OpenVINO's
documented split is the other way round (SAME_UPPER the larger half first).
"""

from __future__ import annotations

import re

from .common import InverseError, explicit_layer_from_windows, full_transpose_length, layer, pairs_from_flat, per_dim
from .shapes import Tensors

ONNX_MODES = {"SAME_UPPER": "same", "SAME_LOWER": "same_lower", "VALID": "valid"}
OPENVINO_CONV_MODES = {"same_upper": "same", "same_lower": "same_lower", "valid": "valid"}
# ConvolutionBackpropData with output_shape: the auto_pad whose split is the canonical mode's.
OPENVINO_TRANSPOSE_MODES = {"same_lower": "same", "same_upper": "same_lower", "valid": "valid"}


def onnx_inverse(call, x_shape=None, w_shape=None):
    kw, api = call.kwargs, call.api
    op = "conv_transpose" if api.endswith("ConvTranspose") else "conv"
    t = Tensors(call, x_shape, w_shape)
    dims = t.dims
    groups = kw.get("group", 1)
    c_in, c_out = t.channels(op, groups)
    kernel = t.kernel_size(kw, "kernel_shape")
    stride = per_dim(api, "strides", kw.get("strides", 1), dims)
    dilation = per_dim(api, "dilations", kw.get("dilations", 1), dims)
    auto_pad = kw.get("auto_pad", "NOTSET")
    if auto_pad not in ("NOTSET", *ONNX_MODES):
        raise InverseError(api, "auto_pad", f"{auto_pad!r} is not NOTSET, SAME_UPPER, SAME_LOWER or VALID")
    rest = dict(in_channels=c_in, out_channels=c_out, groups=groups, input_shape=t.input_shape)
    pads = kw.get("pads")
    pairs = pairs_from_flat(api, "pads", pads, dims, order="begins_ends") if pads is not None else ((0, 0),) * dims
    if op == "conv":
        return layer(op, kernel, stride, dilation, ONNX_MODES.get(auto_pad, pairs), **rest)
    output_padding = per_dim(api, "output_padding", kw.get("output_padding", 0), dims)
    output_shape = kw.get("output_shape")
    if output_shape is not None:
        output_shape = per_dim(api, "output_shape", list(output_shape)[-dims:], dims)
    if auto_pad != "NOTSET":
        return layer(op, kernel, stride, dilation, ONNX_MODES[auto_pad], output_padding=output_padding,
                     output_shape=output_shape, **rest)
    if output_shape is None:
        return layer(op, kernel, stride, dilation, pairs, output_padding=output_padding, **rest)
    if pads is not None:  # all three given: passed as written
        return layer(op, kernel, stride, dilation, pairs, output_padding=output_padding, output_shape=output_shape, **rest)
    # output_shape alone: the spec's split, the larger half first
    lengths = _lengths(api, t, "output_shape")
    windows = []
    for length, k, s, d, p, out in zip(lengths, kernel, stride, dilation, output_padding, output_shape):
        total = full_transpose_length(length, k, s, d) + p - out
        windows.append((total - total // 2, out))
    return explicit_layer_from_windows(op, kernel, stride, dilation, lengths, windows,
                                       **{k: v for k, v in rest.items()})


def _lengths(api, t, name):
    if t.input_shape is None:
        raise InverseError(api, name, "the window depends on the input length: give --input-shape")
    return t.input_shape[2:]


def openvino_inverse(call, x_shape=None, w_shape=None):
    kw, api = call.kwargs, call.api
    op = "conv_transpose" if "backprop" in api else "conv"
    t = Tensors(call, x_shape, w_shape)
    dims = t.dims
    # group_convolution*: groups lead the reshaped kernel, [groups, -1, ...]
    groups = kw["group_kernel_shape"][0] if "group_kernel_shape" in kw else 1
    c_in, c_out = t.channels(op, groups)
    kernel = t.kernel_size(kw, None)
    stride = per_dim(api, "strides", kw.get("strides", 1), dims)
    dilation = per_dim(api, "dilations", kw.get("dilations", 1), dims)
    auto_pad = kw.get("auto_pad", "explicit")
    begins = per_dim(api, "pads_begin", kw.get("pads_begin", 0), dims)
    ends = per_dim(api, "pads_end", kw.get("pads_end", 0), dims)
    pairs = tuple(zip(begins, ends))
    rest = dict(in_channels=c_in, out_channels=c_out, input_shape=t.input_shape, bias=False, groups=groups)
    if auto_pad not in ("explicit", "notset", *OPENVINO_CONV_MODES):
        raise InverseError(api, "auto_pad", f"{auto_pad!r} is not explicit, same_upper, same_lower or valid")
    if op == "conv":
        return layer(op, kernel, stride, dilation, OPENVINO_CONV_MODES.get(auto_pad, pairs), **rest)
    output_padding = per_dim(api, "output_padding", kw.get("output_padding", 0), dims)
    output_shape = kw.get("output_shape")
    if output_shape is None:
        if auto_pad in OPENVINO_CONV_MODES:  # without output_shape OpenVINO's modes crop nothing
            return layer(op, kernel, stride, dilation, "valid", output_padding=output_padding, **rest)
        return layer(op, kernel, stride, dilation, pairs, output_padding=output_padding, **rest)
    output_shape = per_dim(api, "output_shape", output_shape, dims)
    if auto_pad in OPENVINO_TRANSPOSE_MODES:
        return layer(op, kernel, stride, dilation, OPENVINO_TRANSPOSE_MODES[auto_pad], output_shape=output_shape, **rest)
    if any(output_padding) or any(begins) or any(ends):
        return layer(op, kernel, stride, dilation, pairs, output_padding=output_padding, output_shape=output_shape, **rest)
    lengths = _lengths(api, t, "output_shape")
    windows = []
    for length, k, s, d, out in zip(lengths, kernel, stride, dilation, output_shape):
        total = full_transpose_length(length, k, s, d) - out
        windows.append((total // 2, out))
    return explicit_layer_from_windows(op, kernel, stride, dilation, lengths, windows, **rest)


PATTERNS = [
    (re.compile(r"^(ConvTranspose|Conv)$"), onnx_inverse),
    (re.compile(r"^ops\.(group_)?(convolution|convolution_backprop_data)$"), openvino_inverse),
]
