"""The APIs a user pastes: each one's signature, layouts, and how its arguments become the
keyword form its adapter's ``NativeCall`` has, so that ``inverse`` reads both alike.

``read_source(text, input_shape, weight_shape)`` -> ``Source`` (what was pasted, the
layouts its tensors have, the adapter that runs it) and the canonical ``Layer``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ..adapters.base import NativeCall
from ..adapters.canonical import effective_kernel
from ..adapters.layout import SPATIAL
from .inverse import canonical_from_native
from .layer import Layer, PortError
from .parse import ParsedCall, TensorArg, parse_call
from .signatures import Signature, sig

# The parameters that take tensors: a name there stands for the user's array.
TENSOR_PARAMS = frozenset({"input", "weight", "bias", "filters", "lhs", "rhs", "data", "inputs"})


@dataclass(frozen=True)
class Source:
    api: str  # as typed
    family: str  # e.g. "torch.nn.ConvTranspose2d"
    call: NativeCall  # the keyword form the inverse reads
    input_layout: str  # the source's own layouts, canonical letters (N, C, I, O, D, H, W)
    kernel_layout: str
    kernel_flipped: bool  # the source's kernel is the canonical one spatially flipped
    adapter: str  # the adapter that runs this API (--verify)
    notes: tuple[str, ...] = field(default=())


def _dims(match, *fallbacks) -> int | None:
    digit = match.get("d")
    if digit:
        return int(digit)
    for value in fallbacks:
        if value:
            return value
    return None


def _tensor_shape(value):
    return value.shape if isinstance(value, TensorArg) else None


def _channels_last(dims):
    return "N" + SPATIAL[dims] + "C"


def _channels_first(dims):
    return "NC" + SPATIAL[dims]


def _data_format(api, value, dims, default_last=True):
    if value is None:
        return _channels_last(dims) if default_last else _channels_first(dims)
    text = str(value)
    if text in ("channels_last",) or (text.startswith("N") and text.endswith("C")):
        return _channels_last(dims)
    if text in ("channels_first",) or text.startswith("NC"):
        return _channels_first(dims)
    raise PortError(f"{api}: argument data_format/layout {value!r} is not channels first or channels last")


def _len_dims(*values):
    for value in values:
        if isinstance(value, (list, tuple)):
            return len(value)
    return None


# -- one reader per API family: (match, bound, shapes) -> Source -------------------------------
def torch_module(api, m, b, x, w):
    dims, transposed = int(m["d"]), "transpose" in api.lower()
    if b["padding_mode"] != "zeros":
        raise PortError(f"{api}: argument padding_mode={b['padding_mode']!r}: only 'zeros' is a plain convolution")
    family = f"torch.nn.Conv{'Transpose' if transposed else ''}{dims}d"
    kwargs = {k: b[k] for k in ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias")}
    if transposed:
        kwargs["output_padding"] = b["output_padding"]
    kernel = ("IO" if transposed else "OI") + SPATIAL[dims]
    return family, kwargs, _channels_first(dims), kernel, False, "torch.nn.ConvTranspose" if transposed else "torch.nn.Conv"


def torch_functional(api, m, b, x, w):
    dims, transposed = int(m["d"]), "transpose" in api.lower()
    family = f"torch.nn.functional.conv{'_transpose' if transposed else ''}{dims}d"
    kwargs = {k: b[k] for k in ("stride", "padding", "dilation", "groups")}
    kwargs["bias"] = b["bias"] is not None
    if transposed:
        kwargs["output_padding"] = b["output_padding"]
    kernel = ("IO" if transposed else "OI") + SPATIAL[dims]
    adapter = "torch.nn.functional.conv_transpose" if transposed else "torch.nn.functional.conv"
    return family, kwargs, _channels_first(dims), kernel, False, adapter


def keras_layer(api, m, b, x, w):
    dims, transposed = int(m["d"]), "transpose" in api.lower()
    prefix = "tf_keras" if api.startswith("tf_keras") or m.get("v1") else "keras"
    family = f"{prefix}.layers.Conv{dims}D{'Transpose' if transposed else ''}"
    if not isinstance(b["filters"], int):
        raise PortError(f"{api}: argument filters={getattr(b['filters'], 'text', b['filters'])!r}: give the number of output channels")
    kwargs = {k: b[k] for k in ("filters", "kernel_size", "strides", "padding", "dilation_rate", "use_bias")}
    if transposed:
        kwargs["output_padding"] = b["output_padding"]
    else:
        kwargs["groups"] = b["groups"]
    layout = _data_format(api, b["data_format"], dims)
    kernel = SPATIAL[dims] + ("OI" if transposed else "IO")
    adapter = f"{prefix}.layers.{'ConvTranspose' if transposed else 'Conv'}"
    return family, kwargs, layout, kernel, False, adapter


def tf_nn(api, m, b, x, w):
    transposed = "transpose" in api.lower()
    dims = _dims(m, len(x) - 2 if x else None, len(w) - 2 if w else None, _len_dims(b.get("output_shape")) and _len_dims(b["output_shape"]) - 2)
    if dims is None:
        raise PortError(f"{api}: the number of spatial dims is unknown: give --input-shape or --weight-shape")
    family = f"tf.nn.conv{dims}d_transpose" if transposed else "tf.nn.convolution"
    strides = b.get("strides", b.get("stride"))
    kwargs = {"strides": 1 if strides is None else strides, "padding": b["padding"], "dilations": b["dilations"] or 1}
    if transposed:
        if b["output_shape"] is None:
            raise PortError(f"{api}: missing argument 'output_shape'")
        kwargs["output_shape"] = b["output_shape"]
    layout = _data_format(api, b["data_format"], dims)
    kernel = SPATIAL[dims] + ("OI" if transposed else "IO")
    return family, kwargs, layout, kernel, False, "tf.nn.conv_transpose" if transposed else "tf.nn.convolution"


def tf_layers(api, m, b, x, w):
    """TF1's tf.layers.conv2d_transpose(inputs, filters, kernel_size, ...): the tf.keras layer."""
    bound = {**b, "dilation_rate": 1, "output_padding": None, "groups": 1}
    return keras_layer(api, {"d": m["d"], "v1": True}, bound, x, w)


def gluon(api, m, b, x, w):
    dims, transposed = int(m["d"]), "transpose" in api.lower()
    if not str(b["layout"]).startswith("NC"):
        raise PortError(f"{api}: argument layout={b['layout']!r}: only channels-first layouts are read")
    family = f"mx.gluon.nn.Conv{dims}D{'Transpose' if transposed else ''}"
    kwargs = {k: b[k] for k in ("channels", "kernel_size", "strides", "padding", "dilation", "groups", "use_bias")}
    kwargs["in_channels"] = b["in_channels"] or None
    if transposed:
        kwargs["output_padding"] = b["output_padding"]
    kernel = ("IO" if transposed else "OI") + SPATIAL[dims]
    return family, kwargs, _channels_first(dims), kernel, False, "mxnet.gluon.nn.ConvTranspose" if transposed else "mxnet.gluon.nn.Conv"


def mxnet_nd(api, m, b, x, w):
    transposed = m["op"] == "Deconvolution"
    if b["kernel"] is None:
        raise PortError(f"{api}: missing argument 'kernel'")
    dims = len(b["kernel"]) if isinstance(b["kernel"], list) else None
    if dims is None:
        raise PortError(f"{api}: argument kernel must be a tuple, one size per spatial dim")
    if b["layout"] is not None and not str(b["layout"]).startswith("NC"):
        raise PortError(f"{api}: argument layout={b['layout']!r}: only channels-first layouts are read")
    names = ["kernel", "stride", "dilate", "pad", "num_filter", "num_group", "no_bias"] + (["adj", "target_shape"] if transposed else [])
    kwargs = {k: b[k] for k in names if b[k] is not None}
    family = f"mx.nd.{m['op']}"
    kernel = ("IO" if transposed else "OI") + SPATIAL[dims]
    adapter = ("mxnet.nd.Deconvolution.target_shape" if b.get("target_shape") else "mxnet.nd.Deconvolution") if transposed else "mxnet.nd.Convolution"
    return family, kwargs, _channels_first(dims), kernel, False, adapter


def _lax_specs(api, dimension_numbers, dims, default):
    specs = dimension_numbers or default
    if not (isinstance(specs, list) and len(specs) == 3 and all(isinstance(s, str) for s in specs)):
        raise PortError(f"{api}: argument dimension_numbers must be three layout strings, e.g. ('NCHW', 'OIHW', 'NCHW')")
    return specs


def lax(api, m, b, x, w):
    transposed = m["op"] == "conv_transpose"
    strides = b["strides"] if transposed else b["window_strides"]
    dims = _len_dims(strides, b["padding"] if isinstance(b["padding"], list) else None, b.get("rhs_dilation")) or (len(x) - 2 if x else None)
    if dims is None:
        raise PortError(f"{api}: the number of spatial dims is unknown: give --input-shape")
    sp = SPATIAL[dims]
    default = ["N" + sp + "C", sp + "IO", "N" + sp + "C"] if transposed else ["NC" + sp, "OI" + sp, "NC" + sp]
    lhs, rhs, _ = _lax_specs(api, b["dimension_numbers"], dims, default)
    if transposed:
        flip = not b["transpose_kernel"]
        # transpose_kernel=True: the kernel is the forward conv's, its 'O' is this op's input
        kernel = rhs.translate(str.maketrans("IO", "OI")) if b["transpose_kernel"] else rhs
        kwargs = {"strides": strides, "padding": b["padding"], "rhs_dilation": b["rhs_dilation"],
                  "dimension_numbers": [lhs, rhs, lhs], "transpose_kernel": b["transpose_kernel"]}
        adapter = "jax.lax.conv_transpose" if b["transpose_kernel"] else "jax.lax.conv_transpose.no_transpose_kernel"
        return "jax.lax.conv_transpose", kwargs, lhs, kernel, flip, adapter
    kwargs = {"window_strides": strides, "padding": b["padding"], "rhs_dilation": b["rhs_dilation"],
              "feature_group_count": b["feature_group_count"]}
    if b["batch_group_count"] != 1:
        raise PortError(f"{api}: argument batch_group_count={b['batch_group_count']}: not a plain convolution")
    adapter = "jax.lax.conv_general_dilated"
    if b["lhs_dilation"] is not None:
        kwargs["lhs_dilation"] = b["lhs_dilation"]
        adapter = "jax.lax.conv_general_dilated.lhs_dilation"
    kernel = rhs
    if b["lhs_dilation"] is not None:  # the transposed conv as a conv: the kernel is the forward conv's, flipped
        kernel = rhs.translate(str.maketrans("IO", "OI"))
    return "jax.lax.conv_general_dilated", kwargs, lhs, kernel, b["lhs_dilation"] is not None, adapter


def onnx_node(api, m, b, x, w):
    op_type = b["op_type"]
    if op_type not in ("ConvTranspose", "Conv"):
        raise PortError(f"{api}: op_type {op_type!r}: only 'ConvTranspose' and 'Conv' nodes are read")
    attributes = {k: v for k, v in b.items() if k not in ("op_type", "inputs", "outputs", "name", "doc_string", "domain")}
    known = {"auto_pad", "pads", "strides", "dilations", "group", "kernel_shape", "output_padding", "output_shape"}
    for name in attributes:
        if name not in known:
            raise PortError(f"{api}: {op_type} has no attribute {name!r}; it has: {', '.join(sorted(known))}")
    attributes = {k: v for k, v in attributes.items() if v is not None}
    dims = _len_dims(attributes.get("kernel_shape"), attributes.get("strides"), attributes.get("dilations")) or (
        len(x) - 2 if x else (len(w) - 2 if w else None))
    if dims is None:
        raise PortError(f"{api}: the number of spatial dims is unknown: give kernel_shape or --weight-shape")
    kernel = ("IO" if op_type == "ConvTranspose" else "OI") + SPATIAL[dims]
    adapter = "onnxruntime.ConvTranspose" if op_type == "ConvTranspose" else "onnxruntime.Conv"
    return op_type, attributes, _channels_first(dims), kernel, False, adapter


def paddle_layer(api, m, b, x, w):
    dims, transposed = int(m["d"]), "transpose" in api.lower()
    family = f"paddle.nn.Conv{dims}D{'Transpose' if transposed else ''}"
    if b.get("padding_mode", "zeros") != "zeros":
        raise PortError(f"{api}: argument padding_mode={b['padding_mode']!r}: only 'zeros' is a plain convolution")
    kwargs = {k: b[k] for k in ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias_attr")}
    if transposed:
        kwargs["output_padding"] = b["output_padding"]
    layout = _data_format(api, b["data_format"], dims, default_last=False)
    kernel = ("IO" if transposed else "OI") + SPATIAL[dims]
    return family, kwargs, layout, kernel, False, "paddle.nn.ConvTranspose" if transposed else "paddle.nn.Conv"


def flax_layer(api, m, b, x, w):
    transposed = "transpose" in api.lower()
    kernel_size = b["kernel_size"]
    dims = len(kernel_size) if isinstance(kernel_size, list) else None
    if dims is None:
        raise PortError(f"{api}: argument kernel_size must be a tuple, one size per spatial dim")
    kwargs = {k: b[k] for k in ("features", "kernel_size", "strides", "padding", "kernel_dilation", "use_bias")}
    if b["mask"] is not None:  # a mask zeroes kernel entries: not the plain convolution
        raise PortError(f"{api}: argument mask={b['mask']!r}: a masked kernel is not a plain convolution")
    flip = False
    kernel = SPATIAL[dims] + "IO"
    if transposed:
        kwargs["transpose_kernel"] = b["transpose_kernel"]
        flip = not b["transpose_kernel"]
        kernel = SPATIAL[dims] + ("OI" if b["transpose_kernel"] else "IO")
        adapter = "flax.linen.ConvTranspose" + ("" if b["transpose_kernel"] else ".no_transpose_kernel")
    else:
        if b["input_dilation"] not in (1, None, [1] * dims):
            raise PortError(f"{api}: argument input_dilation={b['input_dilation']!r}: read as a transposed conv only by ConvTranspose")
        kwargs["feature_group_count"] = b["feature_group_count"]
        adapter = "flax.linen.Conv"
    return f"flax.linen.Conv{'Transpose' if transposed else ''}", kwargs, _channels_last(dims), kernel, flip, adapter


# Keras' trailing parameters (initializers, regularizers, constraints) are neutral: bound to nothing.
KERAS_NEUTRAL = (" kernel_initializer bias_initializer kernel_regularizer bias_regularizer activity_regularizer"
                 " kernel_constraint bias_constraint")
KERAS_TRANSPOSE = sig("filters kernel_size strides padding output_padding data_format dilation_rate activation use_bias" + KERAS_NEUTRAL,
                      strides=1, padding="valid", output_padding=None, data_format=None, dilation_rate=1, activation=None, use_bias=True)
KERAS_CONV = sig("filters kernel_size strides padding data_format dilation_rate groups activation use_bias" + KERAS_NEUTRAL,
                 strides=1, padding="valid", data_format=None, dilation_rate=1, groups=1, activation=None, use_bias=True)
# tf.compat.v1.layers.Conv{2,3}DTranspose: the function's parameters but its input
TF1_LAYERS_CLASS = sig("filters kernel_size strides padding data_format activation use_bias" + KERAS_NEUTRAL,
                       strides=1, padding="valid", data_format="channels_last", activation=None, use_bias=True)
TF1_LAYERS_TRANSPOSE = sig("inputs filters kernel_size strides padding data_format activation use_bias" + KERAS_NEUTRAL,
                           strides=1, padding="valid", data_format="channels_last", activation=None, use_bias=True)
TF_TRANSPOSE = Signature(("input", "filters", "output_shape", "strides", "padding", "data_format", "dilations"),
                         {"input": None, "filters": None, "output_shape": None, "strides": 1, "padding": "SAME", "data_format": None, "dilations": None},
                         {"value": "input", "filter": "filters"})
TF_CONV = Signature(("input", "filters", "strides", "padding", "data_format", "dilations"),
                    {"input": None, "filters": None, "strides": None, "padding": "VALID", "data_format": None, "dilations": None},
                    {"filter": "filters", "stride": "strides"})
# TF1's own orders (tf.compat.v1.nn): conv2d_transpose(value, filter, output_shape, strides, padding,
# data_format, name, input, filters, dilations) - input/filters are keyword aliases of value/filter;
# conv2d(input, filter, strides, padding, use_cudnn_on_gpu, data_format, dilations, name, filters);
# conv1d(value, filters, stride, padding, use_cudnn_on_gpu, data_format, name, input, dilations);
# convolution(input, filter, padding, strides, dilation_rate, name, data_format, filters, dilations).
# conv3d and conv1d_transpose take TF2's order. strides (and conv's padding) have no default there.
TF1_TRANSPOSE = Signature(("input", "filters", "output_shape", "strides", "padding", "data_format", "name", "dilations"),
                          {"input": None, "filters": None, "output_shape": None, "padding": "SAME", "data_format": None,
                           "dilations": None}, {"value": "input", "filter": "filters"}, positional=7)
TF1_CONV2D = Signature(("input", "filters", "strides", "padding", "use_cudnn_on_gpu", "data_format", "dilations", "name"),
                       {"input": None, "filters": None, "data_format": None, "dilations": None}, {"filter": "filters"})
TF1_CONV1D = Signature(("input", "filters", "strides", "padding", "use_cudnn_on_gpu", "data_format", "name", "dilations"),
                       {"input": None, "filters": None, "data_format": None, "dilations": None},
                       {"value": "input", "stride": "strides"}, positional=7)
TF1_CONVOLUTION = Signature(("input", "filters", "padding", "strides", "dilations", "name", "data_format"),
                            {"input": None, "filters": None, "strides": None, "data_format": None, "dilations": None},
                            {"filter": "filters", "dilation_rate": "dilations"})
# TensorFlow's module as `import tensorflow as tf` or unaliased; tf.compat.v2 is TF2's API.
TF = r"(tf|tensorflow)"

# (pattern over the typed name, signature (per match), reader, op)
SOURCES = [
    (r"^(torch\.)?nn\.ConvTranspose(?P<d>[123])d$",
     sig("in_channels out_channels kernel_size stride padding output_padding groups bias dilation padding_mode device dtype",
         stride=1, padding=0, output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros"), torch_module),
    (r"^(torch\.)?nn\.Conv(?P<d>[123])d$",
     sig("in_channels out_channels kernel_size stride padding dilation groups bias padding_mode device dtype",
         stride=1, padding=0, dilation=1, groups=1, bias=True, padding_mode="zeros"), torch_module),
    (r"^((torch\.)?nn\.functional|F)\.conv_transpose(?P<d>[123])d$",
     sig("input weight bias stride padding output_padding groups dilation",
         input=None, weight=None, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1), torch_functional),
    (r"^((torch\.)?nn\.functional|F)\.conv(?P<d>[123])d$",
     sig("input weight bias stride padding dilation groups", input=None, weight=None, bias=None, stride=1, padding=0,
         dilation=1, groups=1), torch_functional),
    (r"^((" + TF + r"(\.compat\.v[12])?\.keras|tf_keras|keras)\.layers|layers)\.Conv(?P<d>[123])DTranspose$", KERAS_TRANSPOSE, keras_layer),
    (r"^((" + TF + r"(\.compat\.v[12])?\.keras|tf_keras|keras)\.layers|layers)\.Conv(?P<d>[123])D$", KERAS_CONV, keras_layer),
    (r"^(" + TF + r"(\.compat\.v1)?\.)?layers\.conv(?P<d>[23])d_transpose$", TF1_LAYERS_TRANSPOSE, tf_layers),
    (r"^" + TF + r"(\.compat\.v1)?\.layers\.Conv(?P<d>[23])DTranspose$", TF1_LAYERS_CLASS, tf_layers),
    (r"^" + TF + r"\.compat\.v1\.nn\.conv(?P<d>[23])d_transpose$", TF1_TRANSPOSE, tf_nn),
    (r"^" + TF + r"\.compat\.v1\.nn\.conv(?P<d>2)d$", TF1_CONV2D, tf_nn),
    (r"^" + TF + r"\.compat\.v1\.nn\.conv(?P<d>1)d$", TF1_CONV1D, tf_nn),
    (r"^" + TF + r"\.compat\.v1\.nn\.convolution$", TF1_CONVOLUTION, tf_nn),
    (r"^" + TF + r"(\.compat\.v1)?\.nn\.conv(?P<d>3)d$", TF_CONV, tf_nn),
    (r"^" + TF + r"(\.compat\.v[12])?\.nn\.conv((?P<d>[123])d)?_transpose$", TF_TRANSPOSE, tf_nn),
    (r"^" + TF + r"(\.compat\.v2)?\.nn\.(conv(?P<d>[123])d|convolution)$", TF_CONV, tf_nn),
    (r"^((mxnet|mx)\.gluon\.nn|gluon\.nn|nn)\.Conv(?P<d>[123])DTranspose$",
     sig("channels kernel_size strides padding output_padding dilation groups layout activation use_bias weight_initializer bias_initializer in_channels",
         strides=1, padding=0, output_padding=0, dilation=1, groups=1, layout="NCHW", activation=None, use_bias=True,
         weight_initializer=None, bias_initializer="zeros", in_channels=0), gluon),
    (r"^((mxnet|mx)\.gluon\.nn|gluon\.nn|nn)\.Conv(?P<d>[123])D$",
     sig("channels kernel_size strides padding dilation groups layout activation use_bias weight_initializer bias_initializer in_channels",
         strides=1, padding=0, dilation=1, groups=1, layout="NCHW", activation=None, use_bias=True,
         weight_initializer=None, bias_initializer="zeros", in_channels=0), gluon),
    (r"^((mxnet|mx)\.(nd|ndarray|sym|symbol)|nd)\.(?P<op>Deconvolution)$",
     sig("data weight bias kernel stride dilate pad adj target_shape num_filter num_group workspace no_bias cudnn_tune cudnn_off layout",
         data=None, weight=None, bias=None, kernel=None, stride=None, dilate=None, pad=None, adj=None, target_shape=None,
         num_filter=None, num_group=1, workspace=1024, no_bias=True, cudnn_tune=None, cudnn_off=False, layout=None), mxnet_nd),
    (r"^((mxnet|mx)\.(nd|ndarray|sym|symbol)|nd)\.(?P<op>Convolution)$",
     sig("data weight bias kernel stride dilate pad num_filter num_group workspace no_bias cudnn_tune cudnn_off layout",
         data=None, weight=None, bias=None, kernel=None, stride=None, dilate=None, pad=None, num_filter=None, num_group=1,
         workspace=1024, no_bias=False, cudnn_tune=None, cudnn_off=False, layout=None), mxnet_nd),
    (r"^(jax\.)?lax\.(?P<op>conv_transpose)$",
     sig("lhs rhs strides padding rhs_dilation dimension_numbers transpose_kernel precision preferred_element_type",
         lhs=None, rhs=None, rhs_dilation=None, dimension_numbers=None, transpose_kernel=False, precision=None,
         preferred_element_type=None), lax),
    (r"^(jax\.)?lax\.(?P<op>conv_general_dilated)$",
     sig("lhs rhs window_strides padding lhs_dilation rhs_dilation dimension_numbers feature_group_count batch_group_count precision preferred_element_type",
         lhs=None, rhs=None, lhs_dilation=None, rhs_dilation=None, dimension_numbers=None, feature_group_count=1,
         batch_group_count=1, precision=None, preferred_element_type=None), lax),
    (r"^((onnx\.)?helper\.)?make_node$",
     Signature(("op_type", "inputs", "outputs", "name", "doc_string", "domain"),
               {"inputs": None, "outputs": None, "name": None, "doc_string": None, "domain": None}, {}, True), onnx_node),
    (r"^(paddle\.)?nn\.Conv(?P<d>[123])DTranspose$",
     sig("in_channels out_channels kernel_size stride padding output_padding groups dilation weight_attr bias_attr data_format",
         stride=1, padding=0, output_padding=0, groups=1, dilation=1, weight_attr=None, bias_attr=None, data_format="NCHW"), paddle_layer),
    (r"^(paddle\.)?nn\.Conv(?P<d>[123])D$",
     sig("in_channels out_channels kernel_size stride padding dilation groups padding_mode weight_attr bias_attr data_format",
         stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros", weight_attr=None, bias_attr=None, data_format="NCHW"), paddle_layer),
    (r"^(flax\.linen|nn|flax\.nnx)\.ConvTranspose$",
     sig("features kernel_size strides padding kernel_dilation use_bias mask dtype param_dtype precision kernel_init bias_init transpose_kernel",
         strides=None, padding="SAME", kernel_dilation=None, use_bias=True, mask=None, dtype=None, param_dtype=None,
         precision=None, kernel_init=None, bias_init=None, transpose_kernel=False), flax_layer),
    (r"^(flax\.linen|flax\.nnx)\.Conv$",
     sig("features kernel_size strides padding input_dilation kernel_dilation feature_group_count use_bias mask dtype param_dtype precision kernel_init bias_init",
         strides=1, padding="SAME", input_dilation=1, kernel_dilation=1, feature_group_count=1, use_bias=True, mask=None), flax_layer),
]
COMPILED = [(re.compile(pattern), signature, reader) for pattern, signature, reader in SOURCES]
ACCEPTED_APIS = (
    "torch.nn.ConvTranspose{1,2,3}d/Conv{1,2,3}d, torch.nn.functional.conv_transpose{1,2,3}d/conv{1,2,3}d,"
    " keras.layers.Conv{1,2,3}DTranspose/Conv{1,2,3}D (also tf.keras., tf_keras.), tf.layers.conv{2,3}d_transpose"
    " and Conv{2,3}DTranspose (also tf.compat.v1.layers.), tf.nn.conv{1,2,3}d_transpose/conv_transpose/conv{1,2,3}d/convolution"
    " (also tf.compat.v1.nn., in TF1's argument order; tensorflow. for tf.), mxnet.gluon.nn.Conv{1,2,3}DTranspose/Conv{1,2,3}D,"
    " mxnet.nd.Deconvolution/Convolution, jax.lax.conv_transpose/conv_general_dilated,"
    " onnx.helper.make_node('ConvTranspose'|'Conv', ...), paddle.nn.Conv{1,2,3}DTranspose/Conv{1,2,3}D,"
    " flax.linen.ConvTranspose/Conv"
)


def find_source(api: str):
    for pattern, signature, reader in COMPILED:
        match = pattern.match(api)
        if match:
            return match, signature, reader
    raise PortError(f"unknown API {api!r}; accepted: {ACCEPTED_APIS}")


def read_source(text: str, input_shape=None, weight_shape=None) -> tuple[Source, Layer]:
    """The pasted call -> (``Source``, canonical ``Layer``); shapes in the source's layouts."""
    parsed: ParsedCall = parse_call(text)
    match, signature, reader = find_source(parsed.api)
    bound, notes = signature.bind(parsed.api, parsed.args, parsed.kwargs)
    for name, value in bound.items():
        if isinstance(value, TensorArg) and name not in TENSOR_PARAMS:
            raise PortError(f"{parsed.api}: argument {name}={value.text!r} is a name; give its literal value")
    tensors = [v for v in bound.values() if isinstance(v, TensorArg)]
    x = input_shape or (_tensor_shape(tensors[0]) if tensors else None)
    w = weight_shape or (_tensor_shape(tensors[1]) if len(tensors) > 1 else None)
    family, kwargs, input_layout, kernel_layout, flipped, adapter = reader(parsed.api, match.groupdict(), bound, x, w)
    call = NativeCall(family, kwargs, input_layout, kernel_layout)
    if x is not None and len(x) != len(input_layout):
        raise PortError(f"--input-shape {','.join(map(str, x))}: {family} takes a {len(input_layout)}-d input ({input_layout})")
    if w is not None and len(w) != len(kernel_layout):
        raise PortError(f"--weight-shape {','.join(map(str, w))}: {family}'s weight is {len(kernel_layout)}-d ({kernel_layout})")
    layer = canonical_from_native(call, x, w)
    layer = _documented_lengths(family, call, layer)
    if family in ("ConvTranspose", "Conv"):  # an ONNX node has a bias when it has a third input
        layer = replace(layer, bias=isinstance(bound.get("inputs"), list) and len(bound["inputs"]) >= 3)
    if layer.in_channels is None or layer.out_channels is None:
        what = "input channels" if layer.in_channels is None else "output channels"
        flag = "--input-shape" if layer.in_channels is None else "--weight-shape"
        raise PortError(f"{parsed.api} infers its {what} from its tensors: give {flag} (in the source's layout, {input_layout if flag == '--input-shape' else kernel_layout})")
    layer.check_groups()
    source = Source(parsed.api, family, call, input_layout, kernel_layout, flipped, adapter, tuple(notes))
    return source, layer


def _documented_lengths(family: str, call: NativeCall, layer: Layer) -> Layer:
    """Where a mode's documented length is not the canonical mode's: lax.conv_transpose's
    (and Flax's) 'VALID' is ``(L-1)s + max(e, s)`` long, the full result plus zeros when
    the stride outreaches the dilated kernel."""
    lax_family = family in ("jax.lax.conv_transpose", "flax.linen.ConvTranspose")
    if not (lax_family and layer.padding == "valid" and layer.output_shape is None):
        return layer
    if all(s <= effective_kernel(k, d) for s, k, d in zip(layer.stride, layer.kernel, layer.dilation)):
        return layer
    if layer.input_shape is None:
        raise PortError(f"{family}: padding 'VALID' with a stride above the kernel pads to L*s: give --input-shape")
    lengths = [max((n - 1) * s + effective_kernel(k, d), n * s)
               for n, s, k, d in zip(layer.input_shape[2:], layer.stride, layer.kernel, layer.dilation)]
    return replace(layer, output_shape=tuple(lengths))
