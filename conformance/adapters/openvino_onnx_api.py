"""OpenVINO's ONNX frontend: the ONNX ``ConvTranspose`` / ``Conv`` node that ``onnxruntime_api``
builds, read by ``openvino.Core().read_model`` and compiled for the CPU plugin.

1. The node is ``onnxruntime_api``'s (``OnnxNodeAdapter``: the same attributes from the same
   pure functions, the same model-building text, opset 28), so this column differs from
   ``onnxruntime.*`` only in who runs the model, and from ``openvino.*`` (the opset API's
   ConvolutionBackpropData, built natively) only in who builds OpenVINO's op: here the ONNX
   frontend translates ``auto_pad`` / ``pads`` / ``output_padding`` / ``output_shape`` (and
   the bias input, an Add) into its own ops. Where ORT and the native op pass and this column
   differs, it is the frontend's finding.
2. The source is an ONNX node, which can say every case (bias, groups, every dtype of the
   operators' T): nothing is UNSUPPORTED; what the frontend or the plugin refuses is an ERROR.
3. Precision, as ``openvino_api`` does: the model compiles as a user's script compiles it,
   ``compile_model(ov_model, "CPU")``, at the plugin's default ``INFERENCE_PRECISION_HINT``
   (bf16 on CPUs with AVX512_BF16/AMX), and ``CONFORMANCE_OPENVINO_EXECUTION_MODE`` renders
   the ``EXECUTION_MODE_HINT`` switch; ``build_properties`` is ``openvino_api``'s own
   (``inference_precision``: the hint a float32 model gets).
"""

from __future__ import annotations

from typing import Any

from .onnxruntime_api import DOCS_CONV, DOCS_CONV_TRANSPOSE, OnnxNodeAdapter
from . import openvino_precision
from .openvino_api import OpenVinoConvolutionBackpropData


class _OpenVinoOnnxNodeAdapter(OnnxNodeAdapter):
    """One ONNX node read by OpenVINO's ONNX frontend (``Core.read_model`` on the model's
    bytes) and compiled for the CPU plugin (``openvino_precision``: how)."""

    framework = "openvinoonnx"
    module = "openvino"
    pip_extras = ("onnx",)
    runtime_imports = ("import openvino as ov",)

    @property
    def runtime_note(self) -> str:
        return f"OpenVINO's ONNX frontend (Core.read_model), {openvino_precision.described()}"

    @classmethod
    def build_properties(cls) -> dict[str, Any]:
        """The CPU plugin's capabilities and default inference precision (``openvino_api``'s)."""
        return OpenVinoConvolutionBackpropData.build_properties()

    def run_lines(self) -> list[str]:
        return [
            "",
            "core = ov.Core()",
            "ov_model = core.read_model(model.SerializeToString())  # OpenVINO's ONNX frontend",
            openvino_precision.compile_comment(),
            f"compiled = core.compile_model(ov_model, {openvino_precision.compile_arguments()})",
            "x_in = np.ascontiguousarray(x.astype(dtype))",
            "# bfloat16 passes through its bits (openvino takes no ml_dtypes array)",
            "x_ov = ov.Tensor(x_in.view(np.uint16), list(x_in.shape), ov.Type.bf16) if dtype == 'bfloat16' else ov.Tensor(x_in)",
            "request = compiled.create_infer_request()",
            "request.infer([x_ov])",
            "out = request.get_output_tensor(0)",
            "raw = np.array(out.data)",
            "y = (raw.view(np.uint16).view(x_in.dtype) if out.element_type == ov.Type.bf16 else raw).astype(np.float64)",
        ]


class OpenVinoOnnxConvTranspose(_OpenVinoOnnxNodeAdapter):
    """ONNX ``ConvTranspose`` through OpenVINO's ONNX frontend."""

    name = "openvino.onnx.ConvTranspose"
    op = "conv_transpose"
    docs = DOCS_CONV_TRANSPOSE
    node_op = "ConvTranspose"


class OpenVinoOnnxConv(_OpenVinoOnnxNodeAdapter):
    """ONNX ``Conv`` through OpenVINO's ONNX frontend."""

    name = "openvino.onnx.Conv"
    op = "conv"
    docs = DOCS_CONV
    node_op = "Conv"


ADAPTERS = [OpenVinoOnnxConvTranspose, OpenVinoOnnxConv]
