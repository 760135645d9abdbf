"""MXNet 1.9 adapters: ``nd.Deconvolution`` (by pad/adj and by target_shape), ``nd.Convolution``
and the gluon layers built on them.

MXNet's CPU layouts are the canonical ones (NCW/NCHW/NCDHW, deconvolution kernel
(in, out/groups, *k), convolution kernel (out, in/groups, *k)), so no axis moves.
Pads are symmetric. The transposed convolution's output is ``full[pad : pad + O]`` with
``O = s(L-1) + d(k-1) + 1 - 2*pad + adj``, so a crop heavier at the start is pad + adj.

Only what the API has no parameter for is declined (``Unsupported``): a crop heavier at
the end, output_padding beside a padding mode (MXNet has no padding modes), and for the
target_shape form explicit pads MXNet would not pick. Whatever MXNet itself validates
(``adj < stride``, "too big target shape", "Dilate is not supported in 3d deconvolution",
the missing float16 GEMM, ...) is asked: its refusal is the result.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..case import Case
from .base import Adapter, NativeCall, Unsupported, framework_call
from .layout import canonical_input_layout, canonical_kernel_layout

DOCS_ND = "https://mxnet.apache.org/versions/1.9.1/api/python/docs/api/ndarray/ndarray.html"
DOCS_GLUON = "https://mxnet.apache.org/versions/1.9.1/api/python/docs/api/gluon/nn/index.html"
SOURCE_INFER_PAD = "https://github.com/apache/mxnet/blob/1.9.1/src/operator/nn/deconvolution-inl.h"
DOC_SYMMETRIC_PAD = f"{DOCS_ND}#mxnet.ndarray.Convolution: pad is one number per spatial dim, applied on both sides"
DOC_NO_PADDING_MODE = f"{DOCS_ND}#mxnet.ndarray.Deconvolution: pad and adj are numbers, there is no padding mode"
DOC_TARGET_SHAPE = f"{DOCS_ND}#mxnet.ndarray.Deconvolution: given target_shape, MXNet picks pad and adj itself"

# MXNet's NumPy spelling of bfloat16 (ndarray.py _DTYPE_NP_TO_MX): a uint16 record type.
# ml_dtypes' bfloat16 is not in its table, so bfloat16 arrays are made by casting a
# float32 NDArray, which is exact for values already rounded to bfloat16.
MX_BFLOAT16 = np.dtype([("bfloat16", "<u2")])


# -- pure parameter translation (no framework) ---------------------------------------------
def full_length(length: int, kernel: int, stride: int, dilation: int) -> int:
    """The transposed convolution's uncropped length: s(L-1) + d(k-1) + 1."""
    return stride * (length - 1) + dilation * (kernel - 1) + 1


def deconvolution_output_length(length: int, kernel: int, stride: int, dilation: int, pad: int, adj: int) -> int:
    """MXNet's Deconvolution output size (deconvolution.cc DeconvolutionShape):

    ``O = s(L-1) + d(k-1) + 1 - 2*pad + adj``: ``pad`` crops both ends of the full
    result and ``adj`` re-appends positions at the end, read from the full result
    (col2im writes output j from full[j + pad]). MXNet checks ``adj < stride``.
    """
    return full_length(length, kernel, stride, dilation) - 2 * pad + adj


def infer_pad_from_target(length: int, kernel: int, stride: int, dilation: int, target: int) -> tuple[int, int]:
    """(pad, adj) MXNet derives from ``target_shape`` (deconvolution-inl.h, InferPad).

    With ``crop = s(L-1) + d(k-1) + 1 - target`` (MXNet refuses ``crop < 0``:
    "too big target shape"), ``adj = crop % 2`` and ``pad = (crop + 1) / 2``: an odd
    crop is taken from the START (pad = ceil(crop/2) before, floor(crop/2) after),
    like ONNX SAME_LOWER and unlike TF/Keras SAME. The adj of an odd crop still has to
    pass the ``adj < stride`` check, so an odd crop at stride 1 is refused.
    """
    crop = full_length(length, kernel, stride, dilation) - target
    return (crop + 1) // 2, crop % 2


def onednn_switch(value: str | None) -> bool | None:
    """``MXNET_MKLDNN_ENABLED`` as MXNet 1.9 reads it (``dmlc::GetEnv(..., true)``, a dmlc
    bool: ``true``/``1``/``false``/``0``, any case); None for a value MXNet refuses."""
    if value is None:
        return True
    return {"true": True, "1": True, "false": False, "0": False}.get(value.lower())


def conv_same_total(length: int, kernel: int, stride: int, dilation: int) -> int:
    """Canonical conv 'same' total padding: O = ceil(L/s), max((O-1)s + e - L, 0)."""
    out = -(-length // stride)
    return max((out - 1) * stride + dilation * (kernel - 1) + 1 - length, 0)


def convolution_pad(case: Case) -> tuple[int, ...] | Unsupported:
    """Canonical conv padding -> MXNet Convolution ``pad`` (symmetric, one per dim).

    MXNet's conv output size: ``O = floor((L + 2*pad - d(k-1) - 1) / s) + 1``.
    'valid' is pad 0; 'same'/'same_lower' are expressible when their total is even.
    """
    mode = case.padding_mode
    if mode == "valid":
        return (0,) * case.spatial_dims
    pads = []
    for i in range(case.spatial_dims):
        if mode is None:
            before, after = case.explicit_padding[i]
        elif case.stride[i] < 1 or case.dilation[i] < 1:
            # No 'same' window exists: ask MXNet about the invalid stride/dilation itself.
            before = after = 0
        else:
            total = conv_same_total(case.x.shape[2 + i], case.kernel_spatial[i], case.stride[i], case.dilation[i])
            before = total // 2 if mode == "same" else total - total // 2
            after = total - before
        if before != after:
            return Unsupported(
                "asymmetric-padding",
                f"spatial dim {i}: padding {mode or 'explicit'} needs before={before}, after={after}",
                DOC_SYMMETRIC_PAD,
            )
        pads.append(before)
    return tuple(pads)


def output_padding_with_mode(case: Case) -> Unsupported | None:
    """output_padding with a padding mode (an invalid case): MXNet has no padding modes, so
    the combination cannot be put to it; the mode's pads and adj are all it could be given."""
    if case.padding_mode is not None and any(case.output_padding):
        return Unsupported(
            "output-padding-with-padding-mode",
            f"padding {case.padding_mode!r}, output_padding {list(case.output_padding)}",
            DOC_NO_PADDING_MODE,
        )
    return None


def output_shape_disagrees(case: Case, i: int, implied: int) -> Unsupported | None:
    """An invalid case giving output_shape and an output_padding other than the one it
    implies (``implied``): MXNet's adj (or target_shape) is one number for both."""
    if case.output_padding[i] and case.output_padding[i] != implied:
        return Unsupported(
            "output-shape-with-output-padding",
            f"spatial dim {i}: output_shape {case.output_shape[i]} implies output_padding {implied},"
            f" the case gives {case.output_padding[i]}",
            f"{DOCS_ND}#mxnet.ndarray.Deconvolution: adj is the only output size parameter besides target_shape",
        )
    return None


def canonical_window(case: Case, i: int) -> tuple[int, int]:
    """(before, O) of spatial dim ``i``: where the canonical output starts in the full
    result and its length (SPEC.md), from the case's padding, output_padding, output_shape."""
    length, kernel = case.x.shape[2 + i], case.kernel_spatial[i]
    full = full_length(length, kernel, case.stride[i], case.dilation[i])
    wanted = None if case.output_shape is None else case.output_shape[i]
    if case.padding_mode is None:
        before, after = case.explicit_padding[i]
        return before, (full - before - after + case.output_padding[i]) if wanted is None else wanted
    if wanted is None:
        wanted = full if case.padding_mode == "valid" else length * case.stride[i]
    crop = max(full - wanted, 0) if case.padding_mode != "valid" else 0
    return (crop // 2 if case.padding_mode != "same_lower" else crop - crop // 2), wanted


def crops_more_at_the_end(case: Case, i: int) -> bool:
    """Whether the case's padding itself (explicit amounts, or a mode's split of its crop)
    takes more from the end of the full result than from its start in spatial dim ``i``:
    what one symmetric ``pad`` and a non-negative ``adj`` cannot say."""
    if case.padding_mode is None:
        before, after = case.explicit_padding[i]
        return before < after
    if case.padding_mode == "valid":
        return False
    before, out = canonical_window(case, i)
    full = full_length(case.x.shape[2 + i], case.kernel_spatial[i], case.stride[i], case.dilation[i])
    return before < max(full - out, 0) - before


def deconvolution_pad_adj(case: Case) -> tuple[tuple[int, ...], tuple[int, ...]] | Unsupported:
    """Canonical conv_transpose padding/output_padding/output_shape -> MXNet (pad, adj).

    MXNet's output is ``full[pad : pad + O]`` with ``O = s(L-1) + d(k-1) + 1 - 2*pad + adj``
    (``deconvolution_output_length``; the adj positions are read from the full result).
    The canonical window ``(before, O)`` is therefore MXNet's with ``pad = before`` and
    ``adj = O - (full - 2*before)``, i.e. ``before - after + output_padding`` for explicit
    pads: every crop with ``before >= after`` (e.g. the odd crop of 'same_lower') fits;
    a padding heavier at the end (the odd crop of 'same') needs ``adj < 0`` and is declined.
    The rest is MXNet's to judge and is passed on: ``adj >= stride`` (MXNet checks
    ``adj < stride``), a negative adj from an invalid case's negative output_padding or
    output_shape below the window, 3D dilations ("Dilate is not supported in 3d
    deconvolution").
    """
    refused = output_padding_with_mode(case)
    if refused:
        return refused
    pads, adjs = [], []
    for i in range(case.spatial_dims):
        length, kernel = case.x.shape[2 + i], case.kernel_spatial[i]
        stride, dilation = case.stride[i], case.dilation[i]
        if case.padding_mode is not None and (stride < 1 or dilation < 1):
            # No canonical window exists: ask MXNet about the invalid stride/dilation itself.
            pads.append(0)
            adjs.append(0)
            continue
        before, out = canonical_window(case, i)
        pad = before
        adj = out - deconvolution_output_length(length, kernel, stride, dilation, pad, 0)
        if case.output_shape is not None and case.explicit_padding is not None:
            after = case.explicit_padding[i][1]
            refused = output_shape_disagrees(case, i, adj - (before - after))
            if refused:
                return refused
        if adj < 0 and crops_more_at_the_end(case, i):
            return Unsupported(
                "asymmetric-padding",
                f"spatial dim {i}: the window starts {before} into the full result and is {out} long; pad {pad}"
                f" crops {pad} at the end too and adj can only add back",
                DOC_SYMMETRIC_PAD,
            )
        pads.append(pad)
        adjs.append(adj)
    return tuple(pads), tuple(adjs)


def deconvolution_target_shape(case: Case) -> tuple[int, ...] | Unsupported:
    """The canonical output size as MXNet ``target_shape``, when MXNet's window is the case's.

    Given ``target_shape``, MXNet ignores pad/adj and picks them itself
    (``infer_pad_from_target``: the odd crop goes first). Padding modes and output_shape
    ask for a size, so target = the canonical O; where MXNet's window differs from the
    canonical one (the odd crop of 'same') the comparison shows the shift. Explicit
    padding with output_shape is expressed only when MXNet's pad choice,
    ``ceil((full - O)/2)`` before, equals the case's ``before``. What MXNet itself checks
    is asked: a target above the full length ("too big target shape"), the odd crop's
    ``adj = 1`` at stride 1 ("adj(x) must be samller than stride"), 3D dilation.
    """
    refused = output_padding_with_mode(case)
    if refused:
        return refused
    mode = case.padding_mode
    if mode is None and case.output_shape is None:
        return Unsupported(
            "explicit-padding",
            "target_shape asks for a size; plain explicit padding is nd.Deconvolution's pad",
            DOC_TARGET_SHAPE,
        )
    targets = []
    for i in range(case.spatial_dims):
        length, kernel = case.x.shape[2 + i], case.kernel_spatial[i]
        stride, dilation = case.stride[i], case.dilation[i]
        full = full_length(length, kernel, stride, dilation)
        if case.output_shape is not None:
            target = case.output_shape[i]
        else:
            target = full if mode == "valid" else length * stride
        pad, adj = infer_pad_from_target(length, kernel, stride, dilation, target)
        if mode is None:
            before, after = case.explicit_padding[i]
            refused = output_shape_disagrees(case, i, target - (full - before - after))
            if refused:
                return refused
            # MXNet picks no pad for a target above the full length: it refuses it itself.
            if full >= target and pad != before:
                return Unsupported(
                    "output-shape-with-explicit-padding",
                    f"spatial dim {i}: MXNet would crop {pad} before, the case crops {before}",
                    f"{SOURCE_INFER_PAD} (InferPad)",
                )
        targets.append(target)
    return tuple(targets)


# -- the adapters ------------------------------------------------------------------------------
def _transposed(case: Case) -> bool:
    return case.op == "conv_transpose"


def _layouts(case: Case) -> dict[str, str]:
    dims = case.spatial_dims
    return {"input_layout": canonical_input_layout(dims), "kernel_layout": canonical_kernel_layout(case.op, dims)}


def _nd_array(values: np.ndarray, dtype: str):
    """A float64 NumPy array as an MXNet NDArray of the case dtype."""
    import mxnet as mx

    if dtype == "bfloat16":
        return mx.nd.array(values, dtype="float32").astype(MX_BFLOAT16)
    return mx.nd.array(values, dtype=dtype)


def _to_host(result) -> np.ndarray:
    """An NDArray of any float dtype (bfloat16 included) as NumPy. MXNet computes
    asynchronously: this read is where an error of the computation surfaces, so it
    belongs inside ``framework_call``."""
    if result.dtype == MX_BFLOAT16:  # asnumpy would give the raw uint16 records
        result = result.astype("float32")
    return result.asnumpy()


REPRO_PRELUDE = """\
import mxnet as mx
import numpy as np

BFLOAT16 = np.dtype([("bfloat16", "<u2")])  # MXNet's NumPy name for bfloat16


def to_mx(a):
    # mx.nd.array makes float32 unless told; bfloat16 comes from a float32 NDArray
    if dtype == "bfloat16":
        return mx.nd.array(a, dtype="float32").astype(BFLOAT16)
    return mx.nd.array(a, dtype=dtype)

"""
REPRO_RESULT = 'y = (y.astype("float32") if dtype == "bfloat16" else y).asnumpy()\n'


def _native_kwargs(call: NativeCall) -> dict[str, Any]:
    """The call's JSON-able kwargs as MXNet takes them: shapes as tuples."""
    return {key: tuple(value) if isinstance(value, list) else value for key, value in call.kwargs.items()}


def _kwargs_source(call: NativeCall) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in _native_kwargs(call).items())


class _MXNetAdapter(Adapter):
    """What every MXNet adapter shares: the framework and its build report."""

    framework = "mxnet"
    module = "mxnet"

    @classmethod
    def build_properties(cls) -> dict[str, Any]:
        """oneDNN (MKLDNN) on or off, and the execution engine.

        ``onednn``: the build has it (``mx.runtime.Features()['MKLDNN']``) and
        ``MXNET_MKLDNN_ENABLED`` (read once by MXNet 1.9, default on) does not switch it
        off; the oneDNN ISA cap is the bundled oneDNN's ``DNNL_MAX_CPU_ISA`` (recorded in
        the run's env). ``engine``: ``MXNET_ENGINE_TYPE``, else MXNet's default
        ``ThreadedEnginePerDevice`` (src/engine/engine.cc).
        """
        import os

        import mxnet as mx

        built = bool(mx.runtime.Features().is_enabled("MKLDNN"))
        switch = onednn_switch(os.environ.get("MXNET_MKLDNN_ENABLED"))
        return {
            "onednn": None if switch is None else (built and switch),
            "onednn_built": built,
            "engine": os.environ.get("MXNET_ENGINE_TYPE") or "ThreadedEnginePerDevice",
        }


class _NdOperator(_MXNetAdapter):
    """``mx.nd.Convolution`` / ``mx.nd.Deconvolution`` called with data, weight and bias."""

    api: str

    def _call(self, case: Case, geometry: dict[str, Any]) -> NativeCall:
        kwargs: dict[str, Any] = {"kernel": case.kernel_spatial, "stride": case.stride, "dilate": case.dilation}
        kwargs.update(geometry)
        kwargs.update(
            num_filter=case.out_channels,
            num_group=case.groups,
            no_bias=case.b is None,
            layout=canonical_input_layout(case.spatial_dims),
        )
        return NativeCall(self.api, {k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()}, **_layouts(case))

    def execute(self, case: Case, call: NativeCall) -> np.ndarray:
        import mxnet as mx

        operator = getattr(mx.nd, self.api.rsplit(".", 1)[1])
        tensors = [_nd_array(case.x, case.dtype), _nd_array(case.w, case.dtype)]
        if case.b is not None:
            tensors.append(_nd_array(case.b, case.dtype))
        with framework_call():
            host = _to_host(operator(*tensors, **_native_kwargs(call)))
        return host.astype(np.float64)

    def repro_source(self, case: Case, call: NativeCall) -> str:
        bias = "" if case.b is None else "bias=to_mx(b), "
        return (
            REPRO_PRELUDE
            + f"y = {self.api}(data=to_mx(x), weight=to_mx(w), {bias}{_kwargs_source(call)})\n"
            + REPRO_RESULT
        )


class NdDeconvolution(_NdOperator):
    name = "mxnet.nd.Deconvolution"
    op = "conv_transpose"
    api = "mx.nd.Deconvolution"
    docs = f"{DOCS_ND}#mxnet.ndarray.Deconvolution"

    def translate(self, case: Case) -> NativeCall | Unsupported:
        pad_adj = deconvolution_pad_adj(case)
        if isinstance(pad_adj, Unsupported):
            return pad_adj
        pad, adj = pad_adj
        return self._call(case, {"pad": pad, "adj": adj})


class NdDeconvolutionTargetShape(_NdOperator):
    name = "mxnet.nd.Deconvolution.target_shape"
    op = "conv_transpose"
    api = "mx.nd.Deconvolution"
    docs = f"{DOCS_ND}#mxnet.ndarray.Deconvolution"

    def translate(self, case: Case) -> NativeCall | Unsupported:
        target = deconvolution_target_shape(case)
        if isinstance(target, Unsupported):
            return target
        return self._call(case, {"target_shape": target})


class NdConvolution(_NdOperator):
    name = "mxnet.nd.Convolution"
    op = "conv"
    api = "mx.nd.Convolution"
    docs = f"{DOCS_ND}#mxnet.ndarray.Convolution"

    def translate(self, case: Case) -> NativeCall | Unsupported:
        pad = convolution_pad(case)
        if isinstance(pad, Unsupported):
            return pad
        return self._call(case, {"pad": pad})


class _GluonLayer(_MXNetAdapter):
    """A ``mxnet.gluon.nn`` convolution layer with its weights set through ``set_data``."""

    layer_suffix: str  # "" -> Conv1D/2D/3D, "Transpose" -> Conv1DTranspose/2D/3D

    def layer_name(self, case: Case) -> str:
        return f"mx.gluon.nn.Conv{case.spatial_dims}D{self.layer_suffix}"

    def _call(self, case: Case, geometry: dict[str, Any]) -> NativeCall:
        kwargs: dict[str, Any] = {
            "channels": case.out_channels,
            "kernel_size": list(case.kernel_spatial),
            "strides": list(case.stride),
        }
        kwargs.update({k: list(v) for k, v in geometry.items()})
        kwargs.update(
            dilation=list(case.dilation),
            groups=case.groups,
            layout=canonical_input_layout(case.spatial_dims),
            in_channels=case.in_channels,
            use_bias=case.b is not None,
        )
        return NativeCall(self.layer_name(case), kwargs, **_layouts(case))

    def execute(self, case: Case, call: NativeCall) -> np.ndarray:
        import mxnet as mx

        layer_class = getattr(mx.gluon.nn, call.api.rsplit(".", 1)[1])
        x = _nd_array(case.x, case.dtype)
        with framework_call():
            layer = layer_class(**_native_kwargs(call))
            layer.initialize()
            layer.cast(MX_BFLOAT16 if case.dtype == "bfloat16" else case.dtype)
            layer.weight.set_data(_nd_array(case.w, case.dtype))
            if case.b is not None:
                layer.bias.set_data(_nd_array(case.b, case.dtype))
            host = _to_host(layer(x))
        return host.astype(np.float64)

    def repro_source(self, case: Case, call: NativeCall) -> str:
        lines = [
            f"layer = {call.api}({_kwargs_source(call)})",
            "layer.initialize()",
            'layer.cast(BFLOAT16 if dtype == "bfloat16" else dtype)',
            "layer.weight.set_data(to_mx(w))",
        ]
        if case.b is not None:
            lines.append("layer.bias.set_data(to_mx(b))")
        lines.append("y = layer(to_mx(x))")
        return REPRO_PRELUDE + "\n".join(lines) + "\n" + REPRO_RESULT


class GluonConvTranspose(_GluonLayer):
    name = "mxnet.gluon.nn.ConvTranspose"
    op = "conv_transpose"
    layer_suffix = "Transpose"
    docs = f"{DOCS_GLUON}#mxnet.gluon.nn.Conv2DTranspose"

    def translate(self, case: Case) -> NativeCall | Unsupported:
        pad_adj = deconvolution_pad_adj(case)
        if isinstance(pad_adj, Unsupported):
            return pad_adj
        pad, adj = pad_adj
        return self._call(case, {"padding": pad, "output_padding": adj})


class GluonConv(_GluonLayer):
    name = "mxnet.gluon.nn.Conv"
    op = "conv"
    layer_suffix = ""
    docs = f"{DOCS_GLUON}#mxnet.gluon.nn.Conv2D"

    def translate(self, case: Case) -> NativeCall | Unsupported:
        pad = convolution_pad(case)
        if isinstance(pad, Unsupported):
            return pad
        return self._call(case, {"padding": pad})


ADAPTERS = [NdDeconvolution, NdDeconvolutionTargetShape, NdConvolution, GluonConvTranspose, GluonConv]
