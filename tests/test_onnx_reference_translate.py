"""onnx.reference.ConvTranspose / onnx.reference.Conv translation, with no onnx installed.

The attributes come from onnxruntime_api's pure functions (one ONNX node, two runtimes): these
tests pin that the reference adapters ask exactly what the ORT ones ask (tests/test_onnx_node_family.py, over the corpus), and render the
ReferenceEvaluator call.
"""

from __future__ import annotations

import numpy as np
import pytest
from adapter_checks import conv_case, transpose_case

from conformance.adapters import default_run_frameworks, get_adapter
from conformance.adapters.base import NativeCall
from conformance.adapters.onnx_reference_api import (
    OnnxReferenceConv,
    OnnxReferenceConvTranspose,
)
from conformance.adapters.onnxruntime_api import OPSET

TRANSPOSE_CASES = [
    transpose_case(stride=2, padding="same"),
    transpose_case(stride=2, padding="same_lower", output_shape=[9, 9]),
    transpose_case(stride=2, padding=[[1, 0], [2, 1]], output_padding=1),
    transpose_case(stride=2, padding=[[1, 0], [1, 1]], output_shape=[8, 7]),  # output_shape alone
    transpose_case(stride=2, padding=[[0, 1], [0, 1]], output_shape=[9, 9]),  # pads + implied output_padding
    transpose_case(dims=1, stride=3, dilation=2, padding="same", output_padding=2, expect="error"),
    transpose_case(dims=3, c_in=4, c_out=6, groups=2, padding="valid"),
]

def test_real_attribute_values():
    call = OnnxReferenceConvTranspose().express(transpose_case(stride=2, padding=[[1, 0], [2, 1]], output_padding=1))
    assert call.kwargs == {
        "auto_pad": "NOTSET",
        "pads": [1, 2, 0, 1],
        "output_padding": [1, 1],
        "kernel_shape": [3, 3],
        "strides": [2, 2],
        "dilations": [1, 1],
        "group": 1,
    }
    assert f"opset <= {OPSET}" in call.note and "ReferenceEvaluator" in call.note


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
def test_every_dtype_of_the_operators_T_is_asked(dtype):
    for adapter, case in [(OnnxReferenceConvTranspose(), transpose_case(dtype=dtype)), (OnnxReferenceConv(), conv_case(dtype=dtype))]:
        assert isinstance(adapter.express(case), NativeCall)


def test_no_case_is_unsupported():
    for case in TRANSPOSE_CASES:
        assert isinstance(OnnxReferenceConvTranspose().express(case), NativeCall)


def test_registered_in_the_main_job_without_onnx():
    assert get_adapter("onnx.reference.ConvTranspose") is OnnxReferenceConvTranspose
    assert get_adapter("onnx.reference.Conv") is OnnxReferenceConv
    assert {OnnxReferenceConvTranspose.framework, OnnxReferenceConv.framework} == {"onnx-reference"}
    assert "onnx-reference" in default_run_frameworks()


def test_repro_source_runs_the_reference_evaluator():
    case = transpose_case(stride=2, padding="same", b=np.ones(3))
    adapter = OnnxReferenceConvTranspose()
    source = adapter.repro_source(case, adapter.express(case))
    assert "conformance" not in source and "onnxruntime" not in source
    assert "helper.make_node('ConvTranspose', ['X', 'W', 'B'], ['Y'], auto_pad='SAME_UPPER'" in source
    assert f"make_opsetid('', {OPSET})" in source
    assert "onnx.reference.ReferenceEvaluator(model).run(None, {'X': x.astype(dtype)})" in source
