"""Inverses of the symmetric-crop family: torch (and MindSpore's mint copy of it), MXNet
(pad/adj, target_shape, Gluon), MLX, Caffe (OpenCV), Paddle, tinygrad, MindSpore cells.

Their conv_transpose is the full scatter result cropped ``padding`` at the start and
``padding - output_padding`` at the end (per side where the API takes two amounts): the
canonical explicit form (before, after) plus output_padding.
"""

from __future__ import annotations

import re

from .common import InverseError, layer, pairs_from_flat, per_dim
from .shapes import Tensors


def _sym(api, name, value, dims):
    return tuple((p, p) for p in per_dim(api, name, value, dims))


def _axes(api, kw, dims, op, stride="stride", dilation="dilation", output_padding="output_padding"):
    """stride, dilation and (a transposed conv's) output_padding, each an int or one per spatial
    dim under the API's own argument name: the per-axis reading every API of this family shares
    (torch's module and functions alike)."""
    return (per_dim(api, stride, kw.get(stride, 1), dims),
            per_dim(api, dilation, kw.get(dilation, 1), dims),
            per_dim(api, output_padding, kw.get(output_padding, 0), dims) if op == "conv_transpose" else None)


def _conv_mode(api, name, value, modes=("same", "valid")):
    if isinstance(value, str):
        mode = value.lower()
        if mode not in modes:
            raise InverseError(api, name, f"{value!r} is not one of {', '.join(repr(m) for m in modes)}")
        return mode
    return None


def torch_inverse(call, x_shape=None, w_shape=None):
    """torch.nn.functional.conv{,_transpose}Nd, torch.nn.Conv{,Transpose}Nd (and mindspore.mint's copy)."""
    kw, api = call.kwargs, call.api
    op = "conv_transpose" if "ranspose" in api else "conv"
    t = Tensors(call, x_shape, w_shape)
    dims = t.dims
    groups = kw.get("groups", 1)
    c_in, c_out = t.channels(op, groups)
    c_in = kw.get("in_channels", c_in)
    c_out = kw.get("out_channels", c_out)
    padding = kw.get("padding", 0)
    mode = _conv_mode(api, "padding", padding) if op == "conv" else None
    stride, dilation, output_padding = _axes(api, kw, dims, op)
    output_size = kw.get("output_size")  # the module's forward argument: O itself
    return layer(
        op,
        t.kernel_size(kw, "kernel_size"),
        stride,
        dilation,
        mode or _sym(api, "padding", padding, dims),
        in_channels=c_in,
        out_channels=c_out,
        output_padding=output_padding if output_size is None else None,
        output_shape=None if output_size is None else per_dim(api, "output_size", list(output_size)[-dims:], dims),
        groups=groups,
        bias=kw.get("bias", True) not in (False, None),
        input_shape=t.input_shape,
    )


def mxnet_inverse(call, x_shape=None, w_shape=None):
    """mx.nd.Deconvolution / mx.nd.Convolution (pad, adj, target_shape) and Gluon's Conv layers."""
    kw, api = call.kwargs, call.api
    op = "conv_transpose" if ("Deconvolution" in api or "Transpose" in api) else "conv"
    t = Tensors(call, x_shape, w_shape)
    dims = t.dims
    gluon = "gluon" in api
    groups = kw.get("groups" if gluon else "num_group", 1)
    c_in, c_out = t.channels(op, groups)
    c_out = kw.get("channels" if gluon else "num_filter", c_out)
    c_in = kw.get("in_channels") or c_in
    pad = kw.get("padding" if gluon else "pad", 0)
    kernel = t.kernel_size(kw, "kernel_size" if gluon else "kernel")
    names = ("strides", "dilation", "output_padding") if gluon else ("stride", "dilate", "adj")
    # with target_shape MXNet picks adj itself: the user's is not read
    stride, dilation, out_pad = _axes(api, kw, dims, "conv" if kw.get("target_shape") else op, *names)
    bias = kw.get("use_bias", True) if gluon else not kw.get("no_bias", False)
    if kw.get("target_shape"):
        # MXNet picks pad and adj itself from target_shape (InferPad): the odd crop first.
        target = per_dim(api, "target_shape", kw["target_shape"], dims)
        padding, out_shape, out_pad = "same_lower", target, None
    else:
        padding, out_shape = _sym(api, "padding" if gluon else "pad", pad, dims), None
    return layer(op, kernel, stride, dilation, padding, in_channels=c_in, out_channels=c_out, output_padding=out_pad,
                 output_shape=out_shape, groups=groups, bias=bias, input_shape=t.input_shape)


def mlx_inverse(call, x_shape=None, w_shape=None):
    """mx.conv{1,2,3}d / mx.conv_transpose{1,2,3}d / mx.conv_general (channels last, weight (C_out, *k, C_in/g))."""
    kw, api = call.kwargs, call.api
    op = "conv_transpose" if "transpose" in api else "conv"
    t = Tensors(call, x_shape, w_shape, kernel_semantics="conv")
    dims = t.dims
    groups = kw.get("groups", 1)
    c_in, c_out = t.channels(op, groups)
    general = api.endswith("conv_general")
    stride, dilation, output_padding = _axes(api, kw, dims, op, dilation="kernel_dilation" if general else "dilation")
    if general:
        low, high = kw.get("padding", ([0] * dims, [0] * dims))
        padding = tuple(zip(per_dim(api, "padding[0]", low, dims), per_dim(api, "padding[1]", high, dims)))
    else:
        padding = _sym(api, "padding", kw.get("padding", 0), dims)
    return layer(op, t.kernel_size(kw, None), stride, dilation, padding, in_channels=c_in, out_channels=c_out,
                 groups=groups, output_padding=output_padding, input_shape=t.input_shape)


def caffe_inverse(call, x_shape=None, w_shape=None):
    """Caffe's Convolution / Deconvolution layer (cv2.dnn.readNetFromCaffe): ConvolutionParameter."""
    kw, api = call.kwargs, call.api
    param = kw.get("convolution_param") or {}
    op = "conv_transpose" if kw.get("layer") == "Deconvolution" else "conv"
    t = Tensors(call, x_shape or kw.get("input_shape"), w_shape)
    dims = t.dims
    groups = param.get("group", 1)
    c_in, _ = t.channels(op, groups)
    stride, dilation, _ = _axes(api, param, dims, "conv")  # Caffe's Deconvolution has no output_padding
    return layer(op, t.kernel_size(param, "kernel_size"), stride, dilation, _sym(api, "pad", param.get("pad", 0), dims),
                 in_channels=c_in, out_channels=param.get("num_output"), groups=groups,
                 bias=param.get("bias_term", True), input_shape=t.input_shape)


def paddle_inverse(call, x_shape=None, w_shape=None):
    """paddle.nn.functional.conv{N}d{,_transpose} and paddle.nn.Conv{N}D{,Transpose}."""
    kw, api = call.kwargs, call.api
    op = "conv_transpose" if "ranspose" in api else "conv"
    t = Tensors(call, x_shape, w_shape)
    dims = t.dims
    groups = kw.get("groups", 1)
    c_in, c_out = t.channels(op, groups)
    c_in, c_out = kw.get("in_channels", c_in), kw.get("out_channels", c_out)
    padding = kw.get("padding", 0)
    mode = _conv_mode(api, "padding", padding)
    if mode is None:
        flat = isinstance(padding, (list, tuple)) and len(padding) == 2 * dims and all(isinstance(p, int) for p in padding)
        padding = pairs_from_flat(api, "padding", padding, dims) if flat and dims > 0 else _sym(api, "padding", padding, dims)
    output_size = kw.get("output_size")
    stride, dilation, output_padding = _axes(api, kw, dims, op)
    return layer(op, t.kernel_size(kw, "kernel_size"), stride, dilation, mode or padding,
                 in_channels=c_in, out_channels=c_out, groups=groups, output_padding=output_padding,
                 output_shape=None if output_size is None else per_dim(api, "output_size", output_size, dims),
                 bias=kw.get("bias_attr", None) is not False, input_shape=t.input_shape)


def tinygrad_inverse(call, x_shape=None, w_shape=None):
    """Tensor.conv2d / Tensor.conv_transpose2d: padding per side, last spatial dim first."""
    kw, api = call.kwargs, call.api
    op = "conv_transpose" if "transpose" in api else "conv"
    t = Tensors(call, x_shape, w_shape)
    dims = t.dims
    groups = kw.get("groups", 1)
    c_in, c_out = t.channels(op, groups)
    padding = kw.get("padding", 0)
    if isinstance(padding, (list, tuple)) and len(padding) == 2 * dims:
        pairs = pairs_from_flat(api, "padding", padding, dims, order="reversed_pairs")
    else:
        pairs = _sym(api, "padding", padding, dims)
    stride, dilation, output_padding = _axes(api, kw, dims, op)
    return layer(op, t.kernel_size(kw, None), stride, dilation, pairs, in_channels=c_in, out_channels=c_out,
                 groups=groups, bias=kw.get("bias", False) not in (False, None), output_padding=output_padding,
                 input_shape=t.input_shape)


def mindspore_cell_inverse(call, x_shape=None, w_shape=None):
    """mindspore.nn.Conv{N}d / Conv{N}dTranspose: pad_mode 'same'/'valid'/'pad' and per-side padding."""
    kw, api = call.kwargs, call.api
    op = "conv_transpose" if "Transpose" in api else "conv"
    t = Tensors(call, x_shape, w_shape)
    dims = t.dims
    groups = kw.get("group", 1)
    c_in, c_out = t.channels(op, groups)
    c_in, c_out = kw.get("in_channels", c_in), kw.get("out_channels", c_out)
    pad_mode = kw.get("pad_mode", "same")
    padding = kw.get("padding", 0)
    if pad_mode in ("same", "valid"):
        pairs = pad_mode
    elif pad_mode == "pad":
        flat = isinstance(padding, (list, tuple)) and len(padding) == 2 * dims
        pairs = pairs_from_flat(api, "padding", padding, dims) if flat else _sym(api, "padding", padding, dims)
    else:
        raise InverseError(api, "pad_mode", f"{pad_mode!r} is not 'same', 'valid' or 'pad'")
    stride, dilation, output_padding = _axes(api, kw, dims, op)
    return layer(op, t.kernel_size(kw, "kernel_size"), stride, dilation, pairs, in_channels=c_in, out_channels=c_out,
                 groups=groups, bias=kw.get("has_bias", False), output_padding=output_padding, input_shape=t.input_shape)


PATTERNS = [
    (re.compile(r"^(torch\.nn\.functional\.conv(_transpose)?[123]d|torch\.nn\.Conv(Transpose)?[123]d|"
                r"mindspore\.mint\.nn\.functional\.conv(_transpose)?[123]d|"
                # torch.nn.grad.conv{N}d_input / _weight: the gradients of torch's conv with these arguments
                r"torch\.nn\.grad\.conv[123]d_\S+)$"), torch_inverse),
    (re.compile(r"^mx\.(nd\.(De)?[Cc]onvolution|gluon\.nn\.Conv[123]D(Transpose)?)$"), mxnet_inverse),
    (re.compile(r"^mx\.conv(_transpose)?([123]d|_general)$"), mlx_inverse),
    (re.compile(r"^cv2\.dnn\.readNetFromCaffe$"), caffe_inverse),
    (re.compile(r"^paddle\.nn\.(functional\.conv[123]d(_transpose)?|Conv[123]D(Transpose)?)$"), paddle_inverse),
    (re.compile(r"^Tensor\.conv(_transpose)?2d$"), tinygrad_inverse),
    (re.compile(r"^mindspore\.nn\.Conv[123]d(Transpose)?$"), mindspore_cell_inverse),
]
