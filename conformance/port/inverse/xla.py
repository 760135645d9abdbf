"""Inverses of jax.lax (conv_transpose, conv_general_dilated with and without lhs_dilation)
and Flax's Conv layers, which call them.

lax's explicit pairs (lo, hi) pad the stride-dilated input, which is then correlated with
the (dilated) kernel: the output is ``full[e-1-lo : ...]``, ``O = (L-1)s + 1 + lo + hi - e + 1``.
"""

from __future__ import annotations

import re

from .common import InverseError, effective_kernel, explicit_layer_from_windows, layer, pair_list, per_dim
from .shapes import Tensors

MODES = {"SAME": "same", "VALID": "valid", "SAME_LOWER": "same_lower"}


def _mode(api, name, value):
    if isinstance(value, str):
        if value.upper() not in MODES:
            raise InverseError(api, name, f"{value!r} is not 'SAME', 'VALID', 'SAME_LOWER' or (low, high) pairs")
        return MODES[value.upper()]
    return None


def dilated_input_windows(api, name, pairs, lengths, kernel, stride, dilation):
    """lax pairs on the dilated input -> (before, O) per dim."""
    windows = []
    for (lo, hi), length, k, s, d in zip(pairs, lengths, kernel, stride, dilation):
        e = effective_kernel(k, d)
        windows.append((e - 1 - lo, (length - 1) * s + 1 + lo + hi - e + 1))
    return windows


def _transpose_layer(api, t, kernel, stride, dilation, padding, **rest):
    mode = _mode(api, "padding", padding)
    if mode is not None:
        return layer("conv_transpose", kernel, stride, dilation, mode, input_shape=t.input_shape, **rest)
    pairs = pair_list(api, "padding", padding, t.dims)
    if t.input_shape is None:
        raise InverseError(api, "padding", "explicit pairs pad the dilated input: the input length is needed (--input-shape)")
    lengths = t.input_shape[2:]
    windows = dilated_input_windows(api, "padding", pairs, lengths, kernel, stride, dilation)
    return explicit_layer_from_windows("conv_transpose", kernel, stride, dilation, lengths, windows,
                                       input_shape=t.input_shape, **rest)


def lax_inverse(call, x_shape=None, w_shape=None):
    """jax.lax.conv_transpose and jax.lax.conv_general_dilated (lhs_dilation: the transposed conv)."""
    kw, api = call.kwargs, call.api
    t = Tensors(call, x_shape, w_shape)
    dims = t.dims
    kernel = t.kernel_size(kw, None)
    dilation = per_dim(api, "rhs_dilation", kw.get("rhs_dilation") or 1, dims)
    if api.endswith("conv_transpose"):
        c_in, c_out = t.channels("conv_transpose", 1)
        return _transpose_layer(api, t, kernel, per_dim(api, "strides", kw.get("strides", 1), dims), dilation,
                                kw.get("padding", "VALID"), in_channels=c_in, out_channels=c_out)
    groups = kw.get("feature_group_count", 1)
    if kw.get("lhs_dilation") is not None:  # the stride-dilated input: a transposed conv
        if any(v != 1 for v in per_dim(api, "window_strides", kw.get("window_strides", 1), dims)):
            raise InverseError(api, "window_strides", "lhs_dilation with window_strides > 1 is no transposed conv")
        c_in, c_out = t.channels("conv_transpose", groups)
        return _transpose_layer(api, t, kernel, per_dim(api, "lhs_dilation", kw["lhs_dilation"], dims), dilation,
                                kw.get("padding"), in_channels=c_in, out_channels=c_out, groups=groups)
    c_in, c_out = t.channels("conv", groups)
    padding = kw.get("padding", "VALID")
    return layer("conv", kernel, per_dim(api, "window_strides", kw.get("window_strides", 1), dims), dilation,
                 _mode(api, "padding", padding) or pair_list(api, "padding", padding, dims),
                 in_channels=c_in, out_channels=c_out, groups=groups, input_shape=t.input_shape)


def flax_inverse(call, x_shape=None, w_shape=None):
    """flax.linen / flax.nnx Conv and ConvTranspose (channels last; padding as lax takes it)."""
    kw, api = call.kwargs, call.api
    op = "conv_transpose" if api.endswith("ConvTranspose") else "conv"
    t = Tensors(call, x_shape, w_shape)
    dims = t.dims
    groups = kw.get("feature_group_count", 1)
    c_in, _ = t.channels(op, groups)
    c_in = kw.get("in_features", c_in)
    c_out = kw.get("features", kw.get("out_features"))
    if c_out is None:
        raise InverseError(api, "features", "the layer's output features are required")
    kernel = t.kernel_size(kw, "kernel_size")
    stride = per_dim(api, "strides", kw.get("strides") or 1, dims)
    dilation = per_dim(api, "kernel_dilation", kw.get("kernel_dilation") or 1, dims)
    padding = kw.get("padding", "SAME")
    rest = dict(in_channels=c_in, out_channels=c_out, bias=kw.get("use_bias", True))
    if op == "conv_transpose":
        return _transpose_layer(api, t, kernel, stride, dilation, padding, **rest)
    return layer(op, kernel, stride, dilation, _mode(api, "padding", padding) or pair_list(api, "padding", padding, dims),
                 groups=groups, input_shape=t.input_shape, **rest)


PATTERNS = [
    (re.compile(r"^jax\.lax\.(conv_transpose|conv_general_dilated)$"), lax_inverse),
    (re.compile(r"^flax\.(linen|nnx)\.Conv(Transpose)?$"), flax_inverse),
]
