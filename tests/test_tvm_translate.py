"""tvm.ConvTranspose / tvm.Conv translation, with neither onnx nor tvm installed.

The node is onnxruntime_api's (one ONNX node, several runtimes and compilers): these tests pin
that the TVM adapters ask exactly what the ORT ones ask (tests/test_onnx_node_family.py, over the corpus), every dtype included (no UNSUPPORTED:
the node has every attribute), and render TVM's documented path: from_onnx, tvm.compile for
the plain "llvm" target, the Relax VM on tvm.cpu().
"""

from __future__ import annotations

from adapter_checks import transpose_case

from conformance.adapters import default_run_frameworks, get_adapter
from conformance.adapters.onnxruntime_api import OPSET
from conformance.adapters.tvm_api import TARGET, TvmConv, TvmConvTranspose


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
