"""MindSpore adapters against the oracle, on the CPU target in the default (PyNative) mode.

Importing mindspore takes a minute here, so the grid is small. Nothing tested depends on the
CPU's ISA; ``build_properties`` says the mode and target, read rather than assumed.
"""

from __future__ import annotations

import pytest

pytest.importorskip("mindspore")

from adapter_checks import assert_matches_oracle, grid_case, make_case  # noqa: E402

from conformance.adapters.base import NativeCall  # noqa: E402
from conformance.adapters.mindspore_api import (  # noqa: E402
    MindsporeConvCell,
    MindsporeConvTransposeCell,
    MindsporeMintConvTranspose2d,
)
from conformance.compare import judge  # noqa: E402
from conformance.oracle import evaluate  # noqa: E402
from conformance.repro import build_repro  # noqa: E402

TRANSPOSE_GRID = [
    pytest.param(1, {"stride": 2, "padding": [[1, 1]], "bias": True}, id="1d-pad-bias"),
    pytest.param(2, {"stride": [2, 1], "padding": [[1, 2]], "dilation": 2}, id="2d-per-side-dilation"),
    pytest.param(2, {"stride": 2, "padding": "same", "groups": 2, "c_in": 4, "c_out": 6}, id="2d-same-groups"),
    pytest.param(3, {"stride": 2, "padding": "valid", "kernel": 2}, id="3d-valid"),
]


@pytest.mark.parametrize("dims, params", TRANSPOSE_GRID)
def test_conv_transpose_cells_match_oracle(dims, params):
    assert_matches_oracle(MindsporeConvTransposeCell(), grid_case("conv_transpose", dims, 4, params))


CONV_GRID = [
    pytest.param(1, {"padding": [[1, 1]], "dilation": 2, "bias": True}, id="1d-pad-dilation"),
    pytest.param(2, {"stride": 2, "padding": "same", "groups": 2}, id="2d-same-stride2-groups"),
    pytest.param(2, {"padding": [[2, 0]], "kernel": 4}, id="2d-per-side"),
    pytest.param(3, {"padding": "valid", "stride": 2, "kernel": 2}, id="3d-valid"),
]


@pytest.mark.parametrize("dims, params", CONV_GRID)
def test_conv_cells_match_oracle(dims, params):
    assert_matches_oracle(MindsporeConvCell(), grid_case("conv", dims, 7, params, c_in=4, c_out=6))


def test_build_properties_say_the_mode_and_target():
    props = MindsporeConvCell.build_properties()
    assert props["mode"] in ("pynative", "graph")
    assert props["device_target"] in ("CPU", "GPU", "Ascend")


def test_mint_conv_transpose2d_answers_on_this_target():
    """Documented for Ascend only: on CPU MindSpore refuses it (the result is that refusal)."""
    adapter = MindsporeMintConvTranspose2d()
    case = make_case("conv_transpose", 2, 4, 3, stride=2, padding=1)
    call = adapter.express(case)
    assert isinstance(call, NativeCall)
    if MindsporeMintConvTranspose2d.build_properties()["device_target"] != "CPU":
        pytest.skip("a target with the Ascend kernel")
    with pytest.raises(RuntimeError, match="ConvTranspose2D unregistered"):
        adapter.execute(case, call)
    # the adapter waits for PyNative's pipeline after a refusal: the next test (a cell's
    # initializer) would otherwise get the pipeline's copy of this refusal, 1 run in 3 here


def test_repro_script_runs_and_matches_the_run(capsys):
    """In this process (a fresh interpreter spends a minute importing mindspore)."""
    adapter = MindsporeConvTransposeCell()
    case = make_case("conv_transpose", 2, 4, 3, bias=True, stride=2, padding=[[1, 0], [2, 1]])
    call = adapter.express(case)
    assert isinstance(call, NativeCall)
    y = adapter.execute(case, call)
    reference = evaluate(case)
    assert judge(case, y, reference).status == "PASS"
    script = build_repro(case, adapter, call, reference)
    exec(compile(script, "<repro>", "exec"), {"__name__": "__repro__"})  # noqa: S102 - our own script
    assert f"framework output shape: {y.shape}" in capsys.readouterr().out
