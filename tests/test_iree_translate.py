"""iree.ConvTranspose / iree.Conv translation, with neither onnx nor iree installed.

The node is onnxruntime_api's (one ONNX node, several runtimes and compilers): these tests pin
that the IREE adapters ask exactly what the ORT ones ask (tests/test_onnx_node_family.py, over the corpus), every dtype included (no UNSUPPORTED:
the node has every attribute), and render IREE's ONNX guide: iree-import-onnx, iree-compile for
llvm-cpu with no target CPU, iree.runtime on local-sync.
"""

from __future__ import annotations

from adapter_checks import conv_case, transpose_case

from conformance.adapters import default_run_frameworks, get_adapter
from conformance.adapters.iree_api import (
    DRIVER,
    TARGET_BACKEND,
    IreeConv,
    IreeConvTranspose,
)
from conformance.adapters.onnxruntime_api import OPSET


def test_explicit_pads_and_output_padding_are_the_nodes_attributes():
    call = IreeConvTranspose().express(transpose_case(stride=2, padding=[[1, 0], [2, 1]], output_padding=1))
    assert call.kwargs["auto_pad"] == "NOTSET"
    assert call.kwargs["pads"] == [1, 2, 0, 1]
    assert call.kwargs["output_padding"] == [1, 1]


def test_repro_source_imports_compiles_for_llvm_cpu_and_runs_on_local_sync():
    case = conv_case(stride=2, padding="same", b=[0.5, 0.25, -1.0, 2.0, 0.0, 1.0])
    adapter = IreeConv()
    source = adapter.repro_source(case, adapter.express(case))
    assert f"helper.make_opsetid('', {OPSET})" in source
    assert "['X', 'W', 'B']" in source
    assert "iree_import_onnx(parse_arguments([onnx_path, '-o', mlir_path]))" in source
    assert "iree.compiler.tools.compile_file(mlir_path, target_backends=['llvm-cpu'])" in source
    assert "iree-llvmcpu-target-cpu=" not in source  # the guide's command: IREE's generic CPU
    assert "iree.runtime.load_vm_flatbuffer(vmfb, driver='local-sync')" in source
    assert (TARGET_BACKEND, DRIVER) == ("llvm-cpu", "local-sync")
    assert "module[graph.name]" in source
    assert "conformance" not in source
    compile(source, "<iree>", "exec")


def test_registered_and_in_the_main_job():
    assert get_adapter("iree.ConvTranspose") is IreeConvTranspose
    assert get_adapter("iree.Conv") is IreeConv
    assert (IreeConv.pip_package, IreeConv.pip_extras) == ("iree-base-compiler", ("iree-base-runtime", "onnx"))
    assert "iree" in default_run_frameworks()
