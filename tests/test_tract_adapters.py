"""tract.* adapters against the oracle, on the real tract bindings (native library).

tract picks its kernels by CPUID with no switch the bindings report, and nothing here was seen
to depend on the CPU, so no test reads the machine. Configurations that make tract panic (abort
the process) are not run here: the runner isolates them per case as CRASH, and
expectations/tract.*.yaml records them.
"""

from __future__ import annotations

import pytest

pytest.importorskip("tract")
pytest.importorskip("onnx")

from adapter_checks import assert_repro_script_passes, assert_matches_oracle, grid_case, make_case, run  # noqa: E402

from conformance.adapters.tract_api import TractConv, TractConvTranspose  # noqa: E402
from conformance.oracle import evaluate  # noqa: E402

TRANSPOSE_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims in (1, 2, 3)
    for label, params in [
        ("valid", {"padding": "valid"}),
        ("same-stride2", {"stride": 2, "padding": "same"}),
        ("explicit-stride2", {"stride": 2, "padding": [[1, 1]]}),
        ("bias", {"bias": True, "stride": 2, "padding": "valid"}),
    ]
]



@pytest.mark.parametrize("dims, params", TRANSPOSE_GRID)
def test_conv_transpose_matches_oracle(dims, params):
    assert_matches_oracle(TractConvTranspose(), grid_case("conv_transpose", dims, 4, params))


CONV_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims in (1, 2, 3)
    for label, params in [
        ("valid", {"padding": "valid"}),
        ("same-stride2", {"stride": 2, "padding": "same"}),
        ("asymmetric-dilation2", {"dilation": 2, "padding": [[2, 0]]}),
        ("groups-bias", {"groups": 2, "bias": True, "stride": 2, "padding": [[0, 1]]}),
    ]
]


@pytest.mark.parametrize("dims, params", CONV_GRID)
def test_conv_matches_oracle(dims, params):
    assert_matches_oracle(TractConv(), grid_case("conv", dims, 7, params, c_in=4, c_out=6))


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16"])
@pytest.mark.parametrize("adapter, op", [(TractConvTranspose(), "conv_transpose"), (TractConv(), "conv")])
def test_every_datum_type_runs(adapter, op, dtype):
    case = make_case(op, 2, 5, 3, c_in=4, c_out=6, bias=True, dtype=dtype, stride=2, padding="valid")
    y = run(adapter, case)
    assert y.shape == evaluate(case).shape


def test_repro_script_runs_standalone_and_matches_the_run(tmp_path):
    adapter = TractConvTranspose()
    case = make_case("conv_transpose", 2, 4, 3, bias=True, stride=2, padding="valid")
    assert_repro_script_passes(adapter, case, tmp_path)
