"""ONNX's shape inference: the output shape ``onnx.shape_inference.infer_shapes`` gives one
``ConvTranspose`` or ``Conv`` node - a shape-only adapter (``judges = "shape"``).

1. Converters, optimisers and runtimes take a model's shapes from ONNX's shape inference
   (onnx/defs/nn/defs.cc, ``convTransposeShapeInference`` / ``convPoolShapeInference``)
   before any kernel runs; a wrong shape there becomes a wrong buffer, a refused model or a
   silently cropped output downstream. It computes no values, so only the shape is judged.
2. The node is the one ``onnxruntime_api`` builds (``OnnxNodeAdapter``: the same attributes
   from the same pure functions, the same model-building text) with the graph output ``Y``
   declared of unknown shape; ``strict_mode=True`` makes an inference error raise (the
   default only drops the shape), which is how a checker or converter meets it.
3. A graph output left with an unknown dimension is the inference's answer too: the text
   raises ``ValueError`` naming it (an ERROR result), since no shape was given.
4. It runs in the onnx-reference environment (the same onnx release); nothing in it
   depends on the CPU.
"""

from __future__ import annotations

from .onnxruntime_api import DOCS_CONV, DOCS_CONV_TRANSPOSE, OnnxNodeAdapter


class _OnnxShapeInferenceNodeAdapter(OnnxNodeAdapter):
    """One ONNX node's output shape from ``onnx.shape_inference.infer_shapes``."""

    framework = "onnx-reference"
    module = "onnx"
    judges = "shape"
    runtime_note = "onnx.shape_inference.infer_shapes(strict_mode=True), shape only"
    runtime_imports = ("import onnx",)

    def run_lines(self) -> list[str]:
        return [
            "",
            "# Shape inference only: no values. strict_mode raises an inference error instead of",
            "# dropping the shape; data_prop as converters run it.",
            "inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True, data_prop=True)",
            "dims = inferred.graph.output[0].type.tensor_type.shape.dim",
            "if len(dims) != x.ndim or not all(dim.HasField('dim_value') for dim in dims):",
            "    raise ValueError(f'shape inference gave no shape for Y: {[str(dim).strip() or \"?\" for dim in dims]}')",
            "y = tuple(dim.dim_value for dim in dims)",
        ]


class OnnxShapeInferenceConvTranspose(_OnnxShapeInferenceNodeAdapter):
    """ONNX ``ConvTranspose``'s output shape (convTransposeShapeInference)."""

    name = "onnx.shape_inference.ConvTranspose"
    op = "conv_transpose"
    docs = DOCS_CONV_TRANSPOSE
    node_op = "ConvTranspose"


class OnnxShapeInferenceConv(_OnnxShapeInferenceNodeAdapter):
    """ONNX ``Conv``'s output shape (convPoolShapeInference)."""

    name = "onnx.shape_inference.Conv"
    op = "conv"
    docs = DOCS_CONV
    node_op = "Conv"


ADAPTERS = [OnnxShapeInferenceConvTranspose, OnnxShapeInferenceConv]
