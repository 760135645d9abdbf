"""OpenVINO: one ``ConvolutionBackpropData`` / ``Convolution`` node (their Group* forms when
groups > 1), built with the opset API (the newest ``openvino.opsetN`` the installed release
offers, see ``opset_module``), compiled for the CPU plugin.

1. OpenVINO is channels first like the canonical layouts: data (N, C, *spatial), Convolution
   filters OIZYX, ConvolutionBackpropData filters IOZYX. The Group* ops take the same array
   with the groups split off in front: GroupConvolution ``[G, O/G, I/G, *k]``,
   GroupConvolutionBackpropData ``[G, I/G, O/G, *k]``: a reshape of the canonical kernel.
2. One adapter per op, not per OpenVINO op: Convolution and GroupConvolution (and the two
   BackpropData ops) have the same attributes, the same output-size formula and the same
   CPU-plugin node (the plugin's Convolution/Deconvolution node takes a group count); the
   Group* op is the only way the opset says groups > 1, so ``groups`` picks the op.
3. OpenVINO's own ``auto_pad`` for ConvolutionBackpropData-1 (docs/ops/convolution/
   ConvolutionBackpropData_1.md) is *not* ONNX's: without the ``output_shape`` input every
   auto_pad value sets the pads to 0 (``Y = s(X-1) + d(K-1) + 1 + output_padding``, the
   full result); with it, ``total = F - output_shape + output_padding`` is split with
   ``pads_begin = total // 2`` for every auto_pad *but* SAME_UPPER, which puts the larger
   half at the *beginning*. So canonical 'same' (smaller crop before) is ``same_lower`` +
   output_shape, and canonical 'same_lower' is ``same_upper`` + output_shape. For
   Convolution-1 ``same_upper`` is the canonical 'same' (the extra zero at the end).
4. Neither op has a bias input (a model adds one with a separate Add): cases with a bias are
   UNSUPPORTED ``bias``.
5. Precision: the call compiles as a user's script does, ``compile_model(model, "CPU")``. The
   CPU plugin's default ``INFERENCE_PRECISION_HINT`` is bf16 on CPUs with AVX512_BF16/AMX
   (f32 elsewhere), and on such a CPU (measured on AMD EPYC with AVX512_BF16) Convolution
   computes float32 in bfloat16 while ConvolutionBackpropData stays float32: the suite shows
   that as ``reduced-precision`` where ``inference_precision`` (``build_properties``: the hint a
   float32 model gets, ``openvino_precision``) is bf16. ``CONFORMANCE_OPENVINO_EXECUTION_MODE``
   renders the user's switch, ``EXECUTION_MODE_HINT`` (ACCURACY: the model's own precision).
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
from typing import Any

from ..case import Case
from .base import Adapter, NativeCall, Unsupported
from .canonical import axes
from .layout import canonical_input_layout, canonical_kernel_layout
from . import openvino_precision

# The opset API's functions the rendered call uses. ConvolutionBackpropData,
# GroupConvolutionBackpropData, Convolution and GroupConvolution (and Parameter, Constant) exist
# since opset1 with the attributes used here, so any opset module answers the same call: the
# newest the installed release offers is the one its users import. A pinned ``openvino.opset16``
# ruled out older releases (2024.6 has none; 2025.4's opset16 holds only that opset's new ops).
OPSET_FUNCTIONS = (
    "parameter",
    "constant",
    "convolution",
    "group_convolution",
    "convolution_backprop_data",
    "group_convolution_backprop_data",
)
NEWEST_OPSET = 30  # searched downwards from here; above any release's opset so far
# where the opset modules lie, preferred first: openvino.opsetN (2025.4, 2026.x); 2024.6 has
# them under openvino.runtime only (measured)
OPSET_PACKAGES = ("openvino", "openvino.runtime")
# what the pinned release (tox.ini's openvino, 2026.4.1) answers: the text rendered where
# openvino is not installed (the repro of a results file read elsewhere, the contract tests)
PINNED_RELEASE_OPSET = "openvino.opset16"

DOCS_OPS = "https://docs.openvino.ai/2026/documentation/openvino-ir-format/operation-sets/operation-specs/convolution/"
DOCS_CONV_TRANSPOSE = DOCS_OPS + "convolution-backprop-data-1.html"
DOCS_GROUP_CONV_TRANSPOSE = DOCS_OPS + "group-convolution-backprop-data-1.html"
DOCS_CONV = DOCS_OPS + "convolution-1.html"
DOCS_BIAS = (
    DOCS_CONV_TRANSPOSE + " (inputs: data, filter, optional output_shape; no bias input: a model adds one with Add)"
)

# canonical mode -> OpenVINO auto_pad, for ConvolutionBackpropData *with* the output_shape input
# (the split formula of ConvolutionBackpropData-1: SAME_UPPER puts the larger crop first).
TRANSPOSE_AUTO_PAD = {"same": "same_lower", "same_lower": "same_upper", "valid": "valid"}
# canonical mode -> auto_pad for Convolution-1 (same_upper: the odd zero at the end).
CONV_AUTO_PAD = {"same": "same_upper", "same_lower": "same_lower", "valid": "valid"}


@functools.lru_cache(maxsize=1)
def opset_module() -> str:
    """The newest ``openvino[.runtime].opsetN`` of the installed release that has every function
    in OPSET_FUNCTIONS (run time only, by repro_source: it imports openvino; express and
    translate stay pure)."""
    if importlib.util.find_spec("openvino") is None:
        return PINNED_RELEASE_OPSET
    for package in OPSET_PACKAGES:
        for version in range(NEWEST_OPSET, 0, -1):
            name = f"{package}.opset{version}"
            try:
                module = importlib.import_module(name)
            except ImportError:
                continue
            if all(hasattr(module, function) for function in OPSET_FUNCTIONS):
                return name
    searched = f"openvino[.runtime].opset1..{NEWEST_OPSET}"
    raise ImportError(f"no openvino opset module has {', '.join(OPSET_FUNCTIONS)} ({searched})")


# -- ConvolutionBackpropData: OpenVINO's output-size model -----------------------------------
def spec_output_shape_pads(full: int, output_padding: int, out: int, auto_pad: str) -> tuple[int, int]:
    """ConvolutionBackpropData-1's (pads_begin, pads_end) for a given ``output_shape``.

    ``total = s(X-1) + d(K-1) + 1 - output_shape + output_padding`` (``full`` is the first
    three terms); SAME_UPPER: ``pads_end = total // 2``, ``pads_begin = total - pads_end``;
    every other auto_pad (explicit included): ``pads_begin = total // 2``, the rest at the end.
    """
    total = full + output_padding - out
    if auto_pad == "same_upper":
        return total - total // 2, total // 2
    return total // 2, total - total // 2


def conv_transpose_attributes(case: Case) -> dict[str, Any]:
    """The case -> ConvolutionBackpropData's attributes and ``output_shape`` input.

    Modes: the auto_pad whose documented split is the canonical one, with ``output_shape``
    the canonical O (without output_shape OpenVINO's modes crop nothing). Explicit pairs:
    ``pads_begin``/``pads_end``/``output_padding``. Explicit pairs with output_shape: OpenVINO
    ignores the pads then and splits ``total`` itself (the smaller half first, for
    ``explicit``); where that split is the case's own, output_shape alone asks it, otherwise
    the pads plus the output_padding that output_shape implies. An invalid case is passed as
    written (both output_padding and output_shape, or a mode with output_padding): OpenVINO
    has every attribute, and answers.
    """
    dims = case.spatial_dims
    padding = case.padding
    if isinstance(padding, str):
        return {
            "auto_pad": TRANSPOSE_AUTO_PAD[padding],
            "pads_begin": [0] * dims,
            "pads_end": [0] * dims,
            "output_padding": list(case.output_padding),
            "output_shape": [axis.window()[1] for axis in axes(case)],
        }
    pads = {"pads_begin": [pair[0] for pair in padding], "pads_end": [pair[1] for pair in padding]}
    if case.output_shape is None:
        return {"auto_pad": "explicit", **pads, "output_padding": list(case.output_padding)}
    # O minus the canonical length of the pairs alone (F - before - after)
    implied = [axis.explicit_output_padding() for axis in axes(case)]
    if any(case.output_padding) and list(case.output_padding) != implied:
        return {"auto_pad": "explicit", **pads, "output_padding": list(case.output_padding),
                "output_shape": list(case.output_shape)}
    spec = [spec_output_shape_pads(axis.full, 0, axis.output_shape, "explicit") for axis in axes(case)]
    if spec == [tuple(pair) for pair in padding]:
        return {"auto_pad": "explicit", "pads_begin": [0] * dims, "pads_end": [0] * dims,
                "output_padding": [0] * dims, "output_shape": list(case.output_shape)}
    return {"auto_pad": "explicit", **pads, "output_padding": implied}


def conv_attributes(case: Case) -> dict[str, Any]:
    """The case -> Convolution's padding attributes (explicit pairs, or an auto_pad)."""
    dims = case.spatial_dims
    if isinstance(case.padding, str):
        return {"auto_pad": CONV_AUTO_PAD[case.padding], "pads_begin": [0] * dims, "pads_end": [0] * dims}
    return {
        "auto_pad": "explicit",
        "pads_begin": [pair[0] for pair in case.padding],
        "pads_end": [pair[1] for pair in case.padding],
    }


def group_kernel_shape(case: Case) -> list[int] | None:
    """The Group* filter shape ``[G, kernel.shape[0] / G, *kernel.shape[1:]]`` (None when
    groups is 1). ``-1`` for the split dim: an indivisible count fails in the reshape."""
    if case.groups == 1:
        return None
    return [case.groups, -1, *case.w.shape[1:]]


_REPRO_HEAD = """\
import numpy as np
import openvino as ov
import {opset} as ops
import ml_dtypes  # numpy's 'bfloat16'

ov_type = {{"float64": ov.Type.f64, "float32": ov.Type.f32, "float16": ov.Type.f16, "bfloat16": ov.Type.bf16}}[dtype]
np_dtype = ml_dtypes.bfloat16 if dtype == "bfloat16" else np.dtype(dtype)


def as_tensor(a):  # the case's dtype; bfloat16 passes through its bits (numpy has no bfloat16)
    a = np.ascontiguousarray(np.asarray(a, dtype=np.float64).astype(np_dtype))
    return ov.Tensor(a.view(np.uint16), list(a.shape), ov_type) if dtype == "bfloat16" else ov.Tensor(a)


data = ops.parameter(list(x.shape), ov_type, name="x")
filters = ops.constant(as_tensor({kernel}))
"""

_REPRO_TAIL = """\
model = ov.Model([node], [data])
{compile_comment}
compiled = ov.Core().compile_model(model, {compile_arguments})
request = compiled.create_infer_request()
request.infer([as_tensor(x)])
out = request.get_output_tensor(0)
raw = np.array(out.data)
y = (raw.view(np.uint16).view(ml_dtypes.bfloat16) if out.element_type == ov.Type.bf16 else raw).astype(np.float64)
"""


class _OpenVinoAdapter(Adapter):
    framework = "openvino"
    module = "openvino"
    # T1 of both ops: any floating point type; the CPU plugin is asked for each.
    dtypes = frozenset({"float64", "float32", "float16", "bfloat16"})

    @classmethod
    def build_properties(cls) -> dict[str, Any]:
        """The CPU plugin's capabilities, its default inference precision (bf16 where the CPU has
        AVX512_BF16/AMX), the execution mode the call renders and the precision a float32 model
        compiled that way runs at (the ``inference_precision`` condition property)."""
        import openvino as ov

        core = ov.Core()
        return {
            "optimization_capabilities": sorted(str(c) for c in core.get_property("CPU", "OPTIMIZATION_CAPABILITIES")),
            "default_inference_precision": core.get_property("CPU", "INFERENCE_PRECISION_HINT").get_type_name(),
            "execution_mode_hint": openvino_precision.execution_mode(),
            "inference_precision": openvino_precision.inference_precision(ov, core, importlib.import_module(opset_module())),
        }

    def native_call(self, case: Case, api: str, attributes: dict[str, Any]) -> NativeCall:
        group_shape = group_kernel_shape(case)
        kwargs = {"strides": list(case.stride), **attributes, "dilations": list(case.dilation)}
        if group_shape is not None:
            kwargs["group_kernel_shape"] = group_shape
        return NativeCall(
            api=f"ops.{api}",
            kwargs=kwargs,
            input_layout=canonical_input_layout(case.spatial_dims),
            kernel_layout=canonical_kernel_layout(case.op, case.spatial_dims),
            note=f"one node (an opset1 op, from the release's newest opset module), filters a Constant, {openvino_precision.described()}",
        )

    def repro_source(self, case: Case, call: NativeCall) -> str:
        kwargs = dict(call.kwargs)
        group_shape = kwargs.pop("group_kernel_shape", None)
        kernel = "w" if group_shape is None else f"w.reshape({group_shape!r})"
        output_shape = kwargs.pop("output_shape", None)
        head = _REPRO_HEAD.format(opset=opset_module(), kernel=kernel)
        lines = []
        if output_shape is not None:
            lines.append(f"output_shape = ops.constant(np.array({output_shape!r}, dtype=np.int64))")
            kwargs = {"output_shape": "OUTPUT_SHAPE", **kwargs}
        args = ", ".join(
            f"{key}=output_shape" if value == "OUTPUT_SHAPE" else f"{key}={value!r}" for key, value in kwargs.items()
        )
        lines.append(f"node = {call.api}(data, filters, {args})")
        tail = _REPRO_TAIL.format(
            compile_comment=openvino_precision.compile_comment(),
            compile_arguments=openvino_precision.compile_arguments(),
        )
        return head + "\n".join(lines) + "\n" + tail


class OpenVinoConvolutionBackpropData(_OpenVinoAdapter):
    """``ConvolutionBackpropData-1`` (``GroupConvolutionBackpropData-1`` when groups > 1)."""

    name = "openvino.ConvolutionBackpropData"
    op = "conv_transpose"
    docs = DOCS_CONV_TRANSPOSE

    def translate(self, case: Case) -> NativeCall | Unsupported:
        if case.b is not None:
            return Unsupported("bias", "ConvolutionBackpropData has no bias input", DOCS_BIAS)
        api = "convolution_backprop_data" if case.groups == 1 else "group_convolution_backprop_data"
        return self.native_call(case, api, conv_transpose_attributes(case))


class OpenVinoConvolution(_OpenVinoAdapter):
    """``Convolution-1`` (``GroupConvolution-1`` when groups > 1)."""

    name = "openvino.Convolution"
    op = "conv"
    docs = DOCS_CONV

    def translate(self, case: Case) -> NativeCall | Unsupported:
        if case.b is not None:
            return Unsupported("bias", "Convolution has no bias input", DOCS_CONV + " (inputs: data, filter)")
        api = "convolution" if case.groups == 1 else "group_convolution"
        return self.native_call(case, api, conv_attributes(case))


ADAPTERS = [OpenVinoConvolutionBackpropData, OpenVinoConvolution]
