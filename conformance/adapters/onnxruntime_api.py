"""ONNX Runtime: one ``ConvTranspose`` or ``Conv`` node, built with ``onnx.helper``, run on the CPU provider.

1. ONNX is channels first like the canonical layouts: X (N, C, *spatial), Conv W
   (M, C/group, *k), ConvTranspose W (C, M/group, *k); no relayout is needed.
2. The node's attributes are ONNX's own (``auto_pad``, ``pads``, ``output_padding``,
   ``output_shape``, ...); the pure functions below map the canonical parameters onto them
   and carry the output-size model of the ONNX operator spec (Operators.md). ORT's own
   kernels are what the run tests: where ORT departs from the spec, the comparison says how.
3. W and B are initializers, as in an exported model, so ORT's graph optimizations see
   what they see in deployment. The model is built, and the session run, by the rendered
   call (``repro_source``), which is what both the run and the repro script execute; onnx
   and onnxruntime are imported there only.
4. Every dtype the operators' ``T`` accepts (bfloat16, float16, float, double since opset
   22) is asked. ORT's CPU provider registers kernels for float only: float16 runs through
   the Casts ORT inserts around the node, float64 and bfloat16 fail at session creation
   ('Could not find an implementation for ConvTranspose(22)'), which is ORT's answer (an
   ERROR with an expectation), not something the node cannot say.
5. ORT has no switch for the CPU instruction set: MLAS picks its kernels by CPUID when the
   library loads (no environment variable caps it for Conv/ConvTranspose; the only ISA
   variable in 1.32, ORT_QMOE_CPU_DISABLE_AVX512, is for the QMoE contrib op), and the
   Python API reports none of that choice, so ``build_properties`` adds nothing; a
   CPU-dependent expectation reads ``cpu_has``.
"""

from __future__ import annotations

from typing import Any

from ..case import Case
from .base import Adapter, NativeCall, Unsupported
from .canonical import axes, full_transpose_length
from .layout import canonical_input_layout, canonical_kernel_layout

# The newest opset onnxruntime 1.32 registers (its schema registry and onnx 1.23 both end at
# 28); Conv and ConvTranspose last changed in opset 22, which is the kernel version run.
OPSET = 28


def model_opset() -> int:
    """The opset the models import: OPSET, or the newest the installed onnx knows if older.

    The releases label pins each older onnxruntime beside the onnx it was built against
    (onnx 1.17 for onnxruntime 1.20): that onnx writes the IR version the runtime reads, and
    its newest opset is one the runtime registers. Conv and ConvTranspose are the same from
    opset 22 on; before it, only bfloat16 is missing from T."""
    try:
        import onnx.defs
    except ImportError:  # translating without onnx installed (the project's own tests)
        return OPSET
    return min(OPSET, onnx.defs.onnx_opset_version())

DOCS_CONV_TRANSPOSE = "https://onnx.ai/onnx/operators/onnx__ConvTranspose.html"
DOCS_CONV = "https://onnx.ai/onnx/operators/onnx__Conv.html"
DOCS_KERNELS = "https://github.com/microsoft/onnxruntime/blob/main/docs/OperatorKernels.md"

AUTO_PAD = {"same": "SAME_UPPER", "same_lower": "SAME_LOWER", "valid": "VALID"}


# -- attributes shared by both ops ---------------------------------------------------------
def onnx_auto_pad(padding) -> str:
    """Canonical padding -> ``auto_pad``: 'same' is SAME_UPPER (the odd unit at the end),
    'same_lower' SAME_LOWER, 'valid' VALID, explicit pairs NOTSET (with ``pads``)."""
    return AUTO_PAD[padding] if isinstance(padding, str) else "NOTSET"


def onnx_pads(pairs) -> list[int]:
    """Per-dim (before, after) pairs -> ONNX's ``pads``: ``[x1_begin, x2_begin, ..., x1_end, x2_end, ...]``."""
    return [before for before, _ in pairs] + [after for _, after in pairs]


def common_attributes(case: Case) -> dict[str, Any]:
    """kernel_shape, strides, dilations, group: passed as the case gives them (invalid ones too)."""
    return {
        "kernel_shape": list(case.kernel_spatial),
        "strides": list(case.stride),
        "dilations": list(case.dilation),
        "group": case.groups,
    }


# -- ConvTranspose: the spec's output-size model ---------------------------------------------
def spec_output_shape_pads(
    length: int, kernel: int, stride: int, dilation: int, output_padding: int, out: int, auto_pad: str
) -> tuple[int, int]:
    """The (start, end) pads ONNX documents for a given ``output_shape``.

    ``total = stride * (L - 1) + output_padding + ((k - 1) * d + 1) - output_shape``;
    SAME_UPPER: ``start = total / 2``, ``end = total - total / 2``; every other auto_pad
    (NOTSET included): ``start = total - total / 2``, ``end = total / 2``. The output is the
    full scatter result cropped ``start`` at the front, ``output_shape`` long.
    """
    total = full_transpose_length(length, kernel, stride, dilation) + output_padding - out
    if auto_pad == "SAME_UPPER":
        return total // 2, total - total // 2
    return total - total // 2, total // 2


def explicit_output_shape_attributes(case: Case) -> dict[str, Any]:
    """Explicit padding with ``output_shape``: the attributes that ask ORT most directly.

    ONNX ignores ``pads`` when ``output_shape`` is given and splits the crop itself. Where the
    spec's documented split (the larger half at the start for NOTSET) is the case's own
    (before, after), the case is the ``output_shape`` attribute alone: that asks ORT the
    documented question. Otherwise it is the case's ``pads`` plus the ``output_padding``
    that output_shape implies (``O - (F - before - after)``), no output_shape. An
    output_padding that disagrees with output_shape (an invalid case) is passed as given,
    with the pads and output_shape: ONNX has all three attributes, and ORT answers.
    """
    pairs, outs = case.padding, case.output_shape
    # O minus the canonical length of the pairs alone (F - before - after)
    implied = [axis.explicit_output_padding() for axis in axes(case)]
    if any(case.output_padding) and list(case.output_padding) != implied:
        return {
            "auto_pad": "NOTSET",
            "pads": onnx_pads(pairs),
            "output_padding": list(case.output_padding),
            "output_shape": list(outs),
        }
    spec_pads = [
        spec_output_shape_pads(axis.length, axis.kernel, axis.stride, axis.dilation, 0, axis.output_shape, "NOTSET")
        for axis in axes(case)
    ]
    if spec_pads == [tuple(pair) for pair in pairs] and all(min(pair) >= 0 for pair in spec_pads):
        return {"auto_pad": "NOTSET", "output_shape": list(outs)}
    return {"auto_pad": "NOTSET", "pads": onnx_pads(pairs), "output_padding": implied}


def conv_transpose_attributes(case: Case) -> dict[str, Any]:
    """The case -> ConvTranspose's attributes (besides kernel_shape/strides/dilations/group).

    Modes map to ``auto_pad`` (with ``output_shape`` when the case fixes O: the spec's
    SAME_UPPER/SAME_LOWER/VALID split of ``total = F - O`` is the canonical one); explicit
    pairs to ``pads`` + ``output_padding``; explicit pairs with output_shape as
    ``explicit_output_shape_attributes`` decides. Every case is said: the node has every
    attribute the canonical parameters need, and whatever ORT refuses (an output_padding
    at or above the stride, say) is ORT's answer.
    """
    padding = case.padding
    if isinstance(padding, str):
        attributes: dict[str, Any] = {"auto_pad": onnx_auto_pad(padding)}
        if case.output_shape is not None:
            attributes["output_shape"] = list(case.output_shape)
        if any(case.output_padding):  # an invalid case: ONNX is asked what it makes of both
            attributes["output_padding"] = list(case.output_padding)
    elif case.output_shape is not None:
        attributes = explicit_output_shape_attributes(case)
    else:
        attributes = {"auto_pad": "NOTSET", "pads": onnx_pads(padding), "output_padding": list(case.output_padding)}
    return attributes


def conv_attributes(case: Case) -> dict[str, Any]:
    """The case -> Conv's padding attributes: ``auto_pad``, plus ``pads`` when explicit."""
    if isinstance(case.padding, str):
        return {"auto_pad": onnx_auto_pad(case.padding)}
    return {"auto_pad": "NOTSET", "pads": onnx_pads(case.padding)}


class OnnxNodeAdapter(Adapter):
    """One ONNX node (``node_op``), built with ``onnx.helper`` by the rendered call and run by
    an ONNX runtime: subclasses give the runtime's import and the lines that run ``model``
    and leave ``y`` (ONNX Runtime here; onnx.reference, tract... import this class)."""

    # The operators' T: tensor(bfloat16|float16|float|double) (Conv-22, ConvTranspose-22):
    # every dtype is asked, and a runtime without a kernel for one refuses it.
    dtypes = frozenset({"float64", "float32", "float16", "bfloat16"})
    node_op: str = ""  # the ONNX operator: "ConvTranspose" | "Conv"
    runtime_note: str = ""  # how the node runs, for the report
    runtime_imports: tuple[str, ...] = ()

    def run_lines(self) -> list[str]:
        """The lines that run ``model`` on ``x`` and leave ``y`` as float64."""
        raise NotImplementedError  # abstract

    def translate(self, case: Case) -> NativeCall | Unsupported:
        attributes = conv_transpose_attributes(case) if case.op == "conv_transpose" else conv_attributes(case)
        dims = case.spatial_dims
        return NativeCall(
            api=self.node_op,
            kwargs={**attributes, **common_attributes(case)},
            input_layout=canonical_input_layout(dims),
            kernel_layout=canonical_kernel_layout(case.op, dims),
            # The opset is the installed onnx's (model_opset) and is read when the call is rendered:
            # express stays pure, importing no framework.
            note=f"one {self.node_op} node, opset <= {OPSET}, W/B as initializers, {self.runtime_note}",
        )

    def repro_source(self, case: Case, call: NativeCall) -> str:
        """The model built with onnx.helper (X the graph input, W and B initializers in the
        case's dtype), then the runtime's lines: ONNX's layouts are the canonical ones."""
        args = ", ".join(f"{key}={value!r}" for key, value in call.kwargs.items())
        inputs = ["X", "W"] + (["B"] if case.b is not None else [])
        return "\n".join(
            [
                "import numpy as np",
                *self.runtime_imports,
                "from onnx import helper, numpy_helper",
                *(["import ml_dtypes  # numpy's 'bfloat16' (onnx installs it)"] if case.dtype == "bfloat16" else []),
                "",
                "# One node; W (and B) as initializers, as in an exported model. ONNX is channels first like x and w.",
                "elem_type = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))",
                "initializers = [numpy_helper.from_array(w.astype(dtype), 'W')]"
                + (" + [numpy_helper.from_array(b.astype(dtype), 'B')]" if case.b is not None else ""),
                f"node = helper.make_node({call.api!r}, {inputs!r}, ['Y'], {args})",
                "graph = helper.make_graph(",
                f"    [node], {call.api!r},",
                "    [helper.make_tensor_value_info('X', elem_type, list(x.shape))],",
                "    [helper.make_tensor_value_info('Y', elem_type, [None] * x.ndim)],",
                "    initializer=initializers,",
                ")",
                f"model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', {model_opset()})])",
                *self.run_lines(),
            ]
        )


class _OrtNodeAdapter(OnnxNodeAdapter):
    """One ONNX node run by ``onnxruntime.InferenceSession`` on ``CPUExecutionProvider``.

    ORT's CPU kernels are float only (docs/OperatorKernels.md): float16 runs in float32
    between the Casts ORT's InsertCastTransformer adds; float64 and bfloat16 are refused at
    session creation (NOT_IMPLEMENTED), an ERROR the expectations record.
    """

    framework = "onnxruntime"
    module = "onnxruntime"
    pip_extras = ("onnx",)
    runtime_note = "CPUExecutionProvider"
    runtime_imports = ("import onnxruntime",)

    def run_lines(self) -> list[str]:
        return [
            "session = onnxruntime.InferenceSession(model.SerializeToString(), providers=['CPUExecutionProvider'])",
            "y = session.run(None, {'X': x.astype(dtype)})[0].astype(np.float64)",
        ]


class OrtConvTranspose(_OrtNodeAdapter):
    """ONNX ``ConvTranspose`` on ORT's CPU provider."""

    name = "onnxruntime.ConvTranspose"
    op = "conv_transpose"
    docs = DOCS_CONV_TRANSPOSE
    node_op = "ConvTranspose"


class OrtConv(_OrtNodeAdapter):
    """ONNX ``Conv`` on ORT's CPU provider."""

    name = "onnxruntime.Conv"
    op = "conv"
    docs = DOCS_CONV
    node_op = "Conv"


ADAPTERS = [OrtConvTranspose, OrtConv]
