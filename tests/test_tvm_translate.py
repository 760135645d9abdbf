"""tvm.ConvTranspose / tvm.Conv translation, with neither onnx nor tvm installed.

The node is onnxruntime_api's (one ONNX node, several runtimes and compilers): these tests pin
that the TVM adapters ask exactly what the ORT ones ask, every dtype included (no UNSUPPORTED:
the node has every attribute), and render TVM's documented path: from_onnx, tvm.compile for
the plain "llvm" target, the Relax VM on tvm.cpu().
"""

from __future__ import annotations

import pytest
from adapter_checks import conv_case, transpose_case

from conformance.adapters import default_run_frameworks, get_adapter
from conformance.adapters.base import NativeCall
from conformance.adapters.onnxruntime_api import OPSET, OrtConv, OrtConvTranspose
from conformance.adapters.tvm_api import TARGET, TvmConv, TvmConvTranspose

TRANSPOSE_CASES = [
    transpose_case(stride=2, padding="same"),
    transpose_case(stride=2, padding="same_lower", output_shape=[9, 9]),
    transpose_case(stride=2, padding=[[1, 0], [2, 1]], output_padding=1),
    transpose_case(stride=2, padding=[[1, 0], [1, 1]], output_shape=[8, 7]),  # output_shape alone
    transpose_case(stride=2, padding=[[0, 1], [0, 1]], output_shape=[9, 9]),  # pads + implied output_padding
    transpose_case(dims=1, stride=3, dilation=2, padding="same", output_padding=2, expect="error"),
    transpose_case(dims=3, c_in=4, c_out=6, groups=2, padding="valid", dtype="bfloat16"),
]
CONV_CASES = [
    conv_case(padding="same"),
    conv_case(dilation=2, padding="same_lower", dtype="float16"),
    conv_case(padding=[[2, 0], [1, 3]], dtype="float64"),
    conv_case(dims=3, kernel=2, groups=2, stride=[1, 2, 3], padding="valid"),
]


@pytest.mark.parametrize("case", TRANSPOSE_CASES)
def test_conv_transpose_asks_what_ort_asks(case):
    ours, ort = TvmConvTranspose().express(case), OrtConvTranspose().express(case)
    assert isinstance(ours, NativeCall)
    assert (ours.api, ours.kwargs, ours.input_layout, ours.kernel_layout) == (ort.api, ort.kwargs, ort.input_layout, ort.kernel_layout)


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv_asks_what_ort_asks(case):
    ours, ort = TvmConv().express(case), OrtConv().express(case)
    assert isinstance(ours, NativeCall)
    assert (ours.api, ours.kwargs) == (ort.api, ort.kwargs)


def test_output_shape_is_the_nodes_attribute():
    """The frontend is asked with ``output_shape`` (which it must honour), not pads it would prefer."""
    call = TvmConvTranspose().express(transpose_case(stride=2, padding="same", output_shape=[9, 8]))
    assert call.kwargs["auto_pad"] == "SAME_UPPER"
    assert call.kwargs["output_shape"] == [9, 8]
    assert "pads" not in call.kwargs


def test_repro_source_imports_compiles_for_llvm_and_runs_on_the_vm():
    case = transpose_case(stride=2, padding="same", b=[0.5, 0.25, -1.0])
    adapter = TvmConvTranspose()
    source = adapter.repro_source(case, adapter.express(case))
    assert f"helper.make_opsetid('', {OPSET})" in source
    assert "['X', 'W', 'B']" in source
    assert "from tvm.relax.frontend.onnx import from_onnx" in source
    assert "mod = from_onnx(model)" in source
    assert "tvm.compile(mod, target='llvm')" in source and TARGET == "llvm"
    assert "relax.VirtualMachine(executable, tvm.cpu())" in source
    assert "conformance" not in source
    compile(source, "<tvm>", "exec")


def test_registered_and_in_the_main_job():
    assert get_adapter("tvm.ConvTranspose") is TvmConvTranspose
    assert get_adapter("tvm.Conv") is TvmConv
    assert TvmConvTranspose.pip_package == "apache-tvm"
    assert "tvm" in default_run_frameworks()
