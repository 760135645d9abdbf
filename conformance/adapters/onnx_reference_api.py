"""ONNX's own reference implementation: one ``ConvTranspose`` or ``Conv`` node run by
``onnx.reference.ReferenceEvaluator``.

1. The node is the one ``onnxruntime_api`` builds (``OnnxNodeAdapter``: the same
   attributes from the same pure functions, the same model-building text), so a difference between the two columns is a
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

from .onnxruntime_api import DOCS_CONV, DOCS_CONV_TRANSPOSE, OnnxNodeAdapter


class _OnnxReferenceNodeAdapter(OnnxNodeAdapter):
    """One ONNX node run by ``onnx.reference.ReferenceEvaluator`` (numpy)."""

    framework = "onnx-reference"
    module = "onnx"
    runtime_note = "onnx.reference.ReferenceEvaluator"
    runtime_imports = ("import onnx.reference",)

    def run_lines(self) -> list[str]:
        return ["y = onnx.reference.ReferenceEvaluator(model).run(None, {'X': x.astype(dtype)})[0].astype(np.float64)"]


class OnnxReferenceConvTranspose(_OnnxReferenceNodeAdapter):
    """ONNX ``ConvTranspose`` in onnx.reference (op_conv_transpose.py)."""

    name = "onnx.reference.ConvTranspose"
    op = "conv_transpose"
    docs = DOCS_CONV_TRANSPOSE
    node_op = "ConvTranspose"


class OnnxReferenceConv(_OnnxReferenceNodeAdapter):
    """ONNX ``Conv`` in onnx.reference (op_conv.py)."""

    name = "onnx.reference.Conv"
    op = "conv"
    docs = DOCS_CONV
    node_op = "Conv"


ADAPTERS = [OnnxReferenceConvTranspose, OnnxReferenceConv]
