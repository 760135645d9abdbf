"""ONNX's own reference implementation: one ``ConvTranspose`` or ``Conv`` node run by
``onnx.reference.ReferenceEvaluator``.

1. The node is the one ``onnxruntime_api`` builds (the same attributes, from the same pure
   functions, imported from there: ``conv_transpose_attributes``, ``conv_attributes``,
   ``common_attributes``, ``OPSET``), so a difference between the two columns is a
   difference between ONNX's Python reference and ORT's kernels on one model. The model is
   built with ``onnx.helper`` by the rendered call (``repro_source``), which is what both the
   run and the repro script execute; onnx is imported there only.
2. The reference is pure numpy (onnx/reference/ops/op_conv_transpose.py: a GEMM, then a
   Python-loop ``col2im`` per output channel; op_conv.py: ``im2col`` and a GEMM) and computes
   in the input's dtype. Every dtype the operators' ``T`` accepts (bfloat16, float16, float,
   double) is asked: numpy takes the first three, bfloat16 arrives as ``ml_dtypes.bfloat16``
   (what ``numpy_helper.from_array``/``to_array`` use), and whatever numpy or the reference
   does with it is the reference's answer.
3. Nothing in the reference depends on the CPU (numpy's BLAS only changes rounding within
   the bound), so ``build_properties`` adds nothing.
"""

from __future__ import annotations

from typing import Any

from ..case import Case
from .base import Adapter, NativeCall, Unsupported
from .layout import canonical_input_layout, canonical_kernel_layout
from .onnxruntime_api import (
    DOCS_CONV,
    DOCS_CONV_TRANSPOSE,
    OPSET,
    common_attributes,
    conv_attributes,
    conv_transpose_attributes,
)


class _OnnxReferenceNodeAdapter(Adapter):
    """One ONNX node run by ``onnx.reference.ReferenceEvaluator`` (numpy)."""

    framework = "onnx-reference"
    module = "onnx"
    # The operators' T: tensor(bfloat16|float16|float|double) (Conv-22, ConvTranspose-22);
    # the reference runs numpy on whatever dtype the tensors have.
    dtypes = frozenset({"float64", "float32", "float16", "bfloat16"})

    node_op: str = ""  # the ONNX operator: "ConvTranspose" | "Conv"

    def native_call(self, case: Case, attributes: dict[str, Any]) -> NativeCall:
        dims = case.spatial_dims
        return NativeCall(
            api=self.node_op,
            kwargs={**attributes, **common_attributes(case)},
            input_layout=canonical_input_layout(dims),
            kernel_layout=canonical_kernel_layout(case.op, dims),
            note=f"one {self.node_op} node, opset {OPSET}, W/B as initializers, onnx.reference.ReferenceEvaluator",
        )

    def repro_source(self, case: Case, call: NativeCall) -> str:
        """The model built with onnx.helper (X the graph input, W and B initializers in the
        case's dtype), run by ReferenceEvaluator, Y back as float64: ONNX's layouts are the canonical ones."""
        args = ", ".join(f"{key}={value!r}" for key, value in call.kwargs.items())
        inputs = ["X", "W"] + (["B"] if case.b is not None else [])
        return "\n".join(
            [
                "import numpy as np",
                "import onnx.reference",
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
                f"model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', {OPSET})])",
                "y = onnx.reference.ReferenceEvaluator(model).run(None, {'X': x.astype(dtype)})[0].astype(np.float64)",
            ]
        )


class OnnxReferenceConvTranspose(_OnnxReferenceNodeAdapter):
    """ONNX ``ConvTranspose`` in onnx.reference (op_conv_transpose.py)."""

    name = "onnx.reference.ConvTranspose"
    op = "conv_transpose"
    docs = DOCS_CONV_TRANSPOSE
    node_op = "ConvTranspose"

    def translate(self, case: Case) -> NativeCall | Unsupported:
        return self.native_call(case, conv_transpose_attributes(case))


class OnnxReferenceConv(_OnnxReferenceNodeAdapter):
    """ONNX ``Conv`` in onnx.reference (op_conv.py)."""

    name = "onnx.reference.Conv"
    op = "conv"
    docs = DOCS_CONV
    node_op = "Conv"

    def translate(self, case: Case) -> NativeCall | Unsupported:
        return self.native_call(case, conv_attributes(case))


ADAPTERS = [OnnxReferenceConvTranspose, OnnxReferenceConv]
