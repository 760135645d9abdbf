"""openvino.onnx.ConvTranspose / openvino.onnx.Conv translation, with neither onnx nor openvino installed.

The node is onnxruntime_api's (one ONNX model, several runtimes): these tests pin that the
OpenVINO-frontend adapters ask exactly what the ORT ones ask (tests/test_onnx_node_family.py, over the corpus), say every case (an ONNX node has
every attribute, bias and groups included), and render the frontend's read and the CPU
plugin's compile as openvino_api renders it (OpenVINO's default hints, or the
EXECUTION_MODE_HINT that CONFORMANCE_OPENVINO_EXECUTION_MODE asks for).
"""

from __future__ import annotations

import numpy as np
import pytest
from adapter_checks import conv_case, transpose_case

from conformance.adapters import default_run_frameworks, get_adapter
from conformance.adapters.base import NativeCall
from conformance.adapters.onnxruntime_api import OPSET
from conformance.adapters.openvino_api import OpenVinoConvolutionBackpropData
from conformance.adapters.openvino_onnx_api import OpenVinoOnnxConv, OpenVinoOnnxConvTranspose


def test_same_upper_with_output_shape_is_the_nodes_attributes():
    """The frontend's finding needs exactly this node: SAME_UPPER and output_shape, no pads."""
    call = OpenVinoOnnxConvTranspose().express(transpose_case(stride=2, padding="same", output_shape=[8, 7]))
    assert call.kwargs == {
        "auto_pad": "SAME_UPPER",
        "output_shape": [8, 7],
        "kernel_shape": [3, 3],
        "strides": [2, 2],
        "dilations": [1, 1],
        "group": 1,
    }
    assert f"opset <= {OPSET}" in call.note and "Core.read_model" in call.note and "default hints" in call.note


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
def test_bias_and_every_dtype_are_said(dtype):
    """openvino.ConvolutionBackpropData cannot say a bias (no input for it); the ONNX node can."""
    case = transpose_case(dtype=dtype, b=np.zeros(3))
    assert OpenVinoConvolutionBackpropData().express(case).reason == "bias"
    assert isinstance(OpenVinoOnnxConvTranspose().express(case), NativeCall)
    assert isinstance(OpenVinoOnnxConv().express(conv_case(dtype=dtype, b=np.zeros(6))), NativeCall)


def test_rendered_call_reads_through_the_frontend_at_the_models_precision():
    case = transpose_case(stride=2, padding="same", b=np.ones(3), dtype="bfloat16")
    adapter = OpenVinoOnnxConvTranspose()
    source = adapter.repro_source(case, adapter.express(case))
    compile(source, "<openvino.onnx>", "exec")
    assert "conformance" not in source and "onnxruntime" not in source
    assert "helper.make_node('ConvTranspose', ['X', 'W', 'B'], ['Y'], auto_pad='SAME_UPPER'" in source
    assert "core.read_model(model.SerializeToString())" in source
    assert 'core.compile_model(ov_model, "CPU")' in source  # what a user's script compiles with
    assert "import ml_dtypes" in source  # the bfloat16 input passes through its bits


@pytest.mark.parametrize("mode", ["ACCURACY", "performance"])
def test_the_execution_mode_switch_is_rendered_as_a_user_writes_it(monkeypatch, mode):
    monkeypatch.setenv("CONFORMANCE_OPENVINO_EXECUTION_MODE", mode)
    case = transpose_case(stride=2, padding="same")
    for adapter in (OpenVinoOnnxConvTranspose(), OpenVinoConvolutionBackpropData()):
        call = adapter.express(case)
        source = adapter.repro_source(case, call)
        compile(source, "<openvino>", "exec")
        assert f'"CPU", {{"EXECUTION_MODE_HINT": "{mode.upper()}"}})' in source
        assert f"EXECUTION_MODE_HINT={mode.upper()}" in call.note


def test_an_unknown_execution_mode_names_the_variable_and_the_values(monkeypatch):
    monkeypatch.setenv("CONFORMANCE_OPENVINO_EXECUTION_MODE", "FAST")
    case = transpose_case()
    with pytest.raises(ValueError, match=r"CONFORMANCE_OPENVINO_EXECUTION_MODE='FAST'.*ACCURACY, PERFORMANCE"):
        OpenVinoConvolutionBackpropData().repro_source(case, OpenVinoConvolutionBackpropData().express(case))


def test_registered_in_the_main_job_without_openvino():
    assert get_adapter("openvino.onnx.ConvTranspose") is OpenVinoOnnxConvTranspose
    assert get_adapter("openvino.onnx.Conv") is OpenVinoOnnxConv
    assert {OpenVinoOnnxConvTranspose.framework, OpenVinoOnnxConv.framework} == {"openvinoonnx"}
    assert "openvinoonnx" in default_run_frameworks()
