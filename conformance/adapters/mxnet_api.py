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

The run executes the call as rendered (``repro_source``, the text the repro script embeds):
it makes NDArrays of the case's dtype from the float64 inputs, calls MXNet and reads the
result back with ``asnumpy``. MXNet computes asynchronously, so that read is where an error
of the computation surfaces: inside the rendered text, as the framework's answer.
"""

from __future__ import annotations

from typing import Any

from ..case import Case
from .base import Adapter, NativeCall, Unsupported
from .canonical import axes, full_transpose_length
from .layout import canonical_input_layout, canonical_kernel_layout

DOCS_ND = "https://mxnet.apache.org/versions/1.9.1/api/python/docs/api/ndarray/ndarray.html"
DOCS_GLUON = "https://mxnet.apache.org/versions/1.9.1/api/python/docs/api/gluon/nn/index.html"
SOURCE_INFER_PAD = "https://github.com/apache/mxnet/blob/1.9.1/src/operator/nn/deconvolution-inl.h"
DOC_SYMMETRIC_PAD = f"{DOCS_ND}#mxnet.ndarray.Convolution: pad is one number per spatial dim, applied on both sides"
DOC_NO_PADDING_MODE = f"{DOCS_ND}#mxnet.ndarray.Deconvolution: pad and adj are numbers, there is no padding mode"
DOC_TARGET_SHAPE = f"{DOCS_ND}#mxnet.ndarray.Deconvolution: given target_shape, MXNet picks pad and adj itself"


# -- MXNet's own output-size model (no framework) -----------------------------------------
def deconvolution_output_length(length: int, kernel: int, stride: int, dilation: int, pad: int, adj: int) -> int:
    """MXNet's Deconvolution output size (deconvolution.cc DeconvolutionShape):

    ``O = s(L-1) + d(k-1) + 1 - 2*pad + adj`` (the canonical full length less ``2*pad``,
    plus ``adj``): ``pad`` crops both ends of the full result and ``adj`` re-appends
    positions at the end, read from the full result (col2im writes output j from
    full[j + pad]). MXNet checks ``adj < stride``.
    """
    return full_transpose_length(length, kernel, stride, dilation) - 2 * pad + adj


def infer_pad_from_target(length: int, kernel: int, stride: int, dilation: int, target: int) -> tuple[int, int]:
    """(pad, adj) MXNet derives from ``target_shape`` (deconvolution-inl.h, InferPad).

    With ``crop = s(L-1) + d(k-1) + 1 - target`` (MXNet refuses ``crop < 0``:
    "too big target shape"), ``adj = crop % 2`` and ``pad = (crop + 1) / 2``: an odd
    crop is taken from the START (pad = ceil(crop/2) before, floor(crop/2) after),
    like ONNX SAME_LOWER and unlike TF/Keras SAME. The adj of an odd crop still has to
    pass the ``adj < stride`` check, so an odd crop at stride 1 is refused.
    """
    crop = full_transpose_length(length, kernel, stride, dilation) - target
    return (crop + 1) // 2, crop % 2


def onednn_switch(value: str | None) -> bool | None:
    """``MXNET_MKLDNN_ENABLED`` as MXNet 1.9 reads it (``dmlc::GetEnv(..., true)``, a dmlc
    bool: ``true``/``1``/``false``/``0``, any case); None for a value MXNet refuses."""
    if value is None:
        return True
    return {"true": True, "1": True, "false": False, "0": False}.get(value.lower())


# -- canonical parameters -> MXNet's (pure, no framework) ---------------------------------
def convolution_pad(case: Case) -> tuple[int, ...] | Unsupported:
    """Canonical conv padding -> MXNet Convolution ``pad`` (symmetric, one per dim).

    MXNet's conv output size: ``O = floor((L + 2*pad - d(k-1) - 1) / s) + 1``.
    'valid' is pad 0; 'same'/'same_lower' are expressible when their total
    (``canonical.conv_same_total``) is even.
    """
    mode = case.padding_mode
    if mode == "valid":
        return (0,) * case.spatial_dims
    pads = []
    for i, axis in enumerate(axes(case)):
        if mode is None:
            before, after = axis.padding
        elif axis.stride < 1 or axis.dilation < 1:
            # No 'same' window exists: ask MXNet about the invalid stride/dilation itself.
            before = after = 0
        else:
            total = axis.same_total()
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


def crops_more_at_the_end(case: Case, i: int) -> bool:
    """Whether the case's padding itself (explicit amounts, or a mode's split of its crop)
    takes more from the end of the full result than from its start in spatial dim ``i``:
    what one symmetric ``pad`` and a non-negative ``adj`` cannot say."""
    axis = axes(case)[i]
    if case.padding_mode is None:
        before, after = axis.padding
        return before < after
    if case.padding_mode == "valid":
        return False
    before, out = axis.window()
    return before < max(axis.full - out, 0) - before


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
    for i, axis in enumerate(axes(case)):
        if case.padding_mode is not None and (axis.stride < 1 or axis.dilation < 1):
            # No canonical window exists: ask MXNet about the invalid stride/dilation itself.
            pads.append(0)
            adjs.append(0)
            continue
        pad, out = axis.window()
        adj = out - deconvolution_output_length(axis.length, axis.kernel, axis.stride, axis.dilation, pad, 0)
        if case.output_shape is not None and case.padding_mode is None:
            before, after = axis.padding
            refused = output_shape_disagrees(case, i, adj - (before - after))
            if refused:
                return refused
        if adj < 0 and crops_more_at_the_end(case, i):
            return Unsupported(
                "asymmetric-padding",
                f"spatial dim {i}: the window starts {pad} into the full result and is {out} long; pad {pad}"
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
    if case.padding_mode is None and case.output_shape is None:
        return Unsupported(
            "explicit-padding",
            "target_shape asks for a size; plain explicit padding is nd.Deconvolution's pad",
            DOC_TARGET_SHAPE,
        )
    targets = []
    for i, axis in enumerate(axes(case)):
        # a mode's size (no output_padding beside a mode gets here), or the output_shape
        _, target = axis.window()
        if case.padding_mode is None:
            before, after = axis.padding
            refused = output_shape_disagrees(case, i, target - (axis.full - before - after))
            if refused:
                return refused
            pad, _ = infer_pad_from_target(axis.length, axis.kernel, axis.stride, axis.dilation, target)
            # MXNet picks no pad for a target above the full length: it refuses it itself.
            if axis.full >= target and pad != before:
                return Unsupported(
                    "output-shape-with-explicit-padding",
                    f"spatial dim {i}: MXNet would crop {pad} before, the case crops {before}",
                    f"{SOURCE_INFER_PAD} (InferPad)",
                )
        targets.append(target)
    return tuple(targets)


# -- the rendered call: the one source of the run and of the repro script ------------------
def _layouts(case: Case) -> dict[str, str]:
    dims = case.spatial_dims
    return {"input_layout": canonical_input_layout(dims), "kernel_layout": canonical_kernel_layout(case.op, dims)}


def _kwargs_source(call: NativeCall) -> str:
    """The call's JSON-able kwargs as MXNet takes them: shapes as tuples."""
    native = {key: tuple(value) if isinstance(value, list) else value for key, value in call.kwargs.items()}
    return ", ".join(f"{key}={value!r}" for key, value in native.items())


def _inputs_source(case: Case, call: NativeCall) -> str:
    """The imports and the case's float64 ``x``, ``w`` (``b``) as NDArrays of its dtype:
    ``data``, ``weight`` (``bias``). MXNet's layouts are the canonical ones: no axis moves."""
    lines = [
        "import mxnet as mx",
        "import numpy as np",
        "",
        f"# MXNet's layouts are the canonical ones (input {call.input_layout}, kernel {call.kernel_layout}):"
        " no axis moves",
    ]
    if case.dtype == "bfloat16":
        lines += [
            "# MXNet's NumPy name for bfloat16 is a uint16 record type; a bfloat16 NDArray is cast from float32",
            'BFLOAT16 = np.dtype([("bfloat16", "<u2")])',
        ]
        to_mx = 'mx.nd.array({}, dtype="float32").astype(BFLOAT16)'
    else:
        to_mx = "mx.nd.array({}, dtype=dtype)"  # mx.nd.array makes float32 unless told
    tensors = [("data", "x"), ("weight", "w")] + ([] if case.b is None else [("bias", "b")])
    lines += [f"{name} = {to_mx.format(array)}" for name, array in tensors]
    return "\n".join(lines) + "\n"


def _result_source(case: Case) -> str:
    """``y`` read back as NumPy: MXNet computes asynchronously, and this read is where an
    error of the computation surfaces (so it is raised while the rendered text runs)."""
    read = 'y.astype("float32").asnumpy()' if case.dtype == "bfloat16" else "y.asnumpy()"
    note = "  # asnumpy of bfloat16 would give the raw uint16 records" if case.dtype == "bfloat16" else ""
    return f"# MXNet runs asynchronously: reading the result back is where its errors surface\ny = {read}{note}\n"


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

    def repro_source(self, case: Case, call: NativeCall) -> str:
        bias = "" if case.b is None else "bias=bias, "
        return (
            _inputs_source(case, call)
            + f"y = {call.api}(data=data, weight=weight, {bias}{_kwargs_source(call)})\n"
            + _result_source(case)
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

    def repro_source(self, case: Case, call: NativeCall) -> str:
        lines = [
            f"layer = {call.api}({_kwargs_source(call)})",
            "layer.initialize()",
            "layer.cast(BFLOAT16)" if case.dtype == "bfloat16" else "layer.cast(dtype)",
            "layer.weight.set_data(weight)",
        ]
        if case.b is not None:
            lines.append("layer.bias.set_data(bias)")
        lines.append("y = layer(data)")
        return _inputs_source(case, call) + "\n".join(lines) + "\n" + _result_source(case)


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
