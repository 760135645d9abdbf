"""iree.* adapters against the oracle, on the real IREE wheels (iree-import-onnx, iree-compile
for llvm-cpu, iree.runtime on local-sync).

Each case is one compilation (seconds), so the grid is small. Also pins the behaviour
expectations/iree.*.yaml records most often (torch-mlir's ONNX ConvTranspose lowering refuses
unequal begin/end pads, so iree-compile fails to legalize the node): when IREE changes it, the
test here says so. The target is IREE's generic CPU, so nothing here reads the machine.
"""

from __future__ import annotations

import pytest

pytest.importorskip("iree.compiler")
pytest.importorskip("iree.runtime")
pytest.importorskip("onnx")

from adapter_checks import assert_repro_script_passes, assert_matches_oracle, assert_repro_reproduces, grid_case, make_case, run  # noqa: E402

from conformance.adapters.iree_api import IreeConv, IreeConvTranspose  # noqa: E402

TRANSPOSE_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims, label, params in [
        (1, "valid-stride2", {"stride": 2, "padding": "valid"}),
        (2, "symmetric-output_padding", {"stride": 2, "padding": [[1, 1]], "output_padding": 1}),
        (2, "same-even-total", {"kernel": 4, "stride": 2, "padding": "same"}),
        (2, "groups-bias", {"groups": 2, "c_in": 4, "c_out": 6, "bias": True, "stride": 2, "padding": "valid"}),
        (3, "dilation2", {"dilation": 2, "padding": [[1, 1]]}),
    ]
]


@pytest.mark.parametrize("dims, params", TRANSPOSE_GRID)
def test_conv_transpose_matches_oracle(dims, params):
    assert_matches_oracle(IreeConvTranspose(), grid_case("conv_transpose", dims, 4, params))


CONV_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims, label, params in [
        (1, "same-stride2", {"stride": 2, "padding": "same"}),
        (2, "asymmetric-dilation2", {"dilation": 2, "padding": [[2, 0]]}),
        (2, "groups-bias", {"groups": 2, "bias": True, "stride": 2, "padding": [[0, 1]]}),
        (3, "valid", {"padding": "valid"}),
    ]
]


@pytest.mark.parametrize("dims, params", CONV_GRID)
def test_conv_matches_oracle(dims, params):
    assert_matches_oracle(IreeConv(), grid_case("conv", dims, 7, params, c_in=4, c_out=6))


def test_unequal_begin_and_end_pads_fail_to_legalize():
    """pads (2, 0): torch-mlir's onnx.ConvTranspose lowering wants equal begin/end pads, so the
    node stays a torch.operator and iree-compile reports it illegal."""
    case = make_case("conv_transpose", 1, 4, 3, stride=2, padding=[[2, 0]])
    with pytest.raises(Exception, match="failed to legalize operation 'torch.operator'"):
        run(IreeConvTranspose(), case)


def test_repro_matches_execute_and_the_script_runs_standalone(tmp_path):
    adapter = IreeConvTranspose()
    case = make_case("conv_transpose", 2, 4, 3, bias=True, stride=2, padding="valid")
    assert_repro_reproduces(adapter, case)
    assert_repro_script_passes(adapter, case, tmp_path)


def test_build_properties_report_the_compiler_and_the_generic_target():
    props = IreeConvTranspose.build_properties()
    assert props["compiler"].startswith(IreeConvTranspose.framework_version())
    assert props["target_backend"] == "llvm-cpu"
    assert props["llvmcpu_target_cpu"].startswith("generic")
    assert props["driver"] == "local-sync"
