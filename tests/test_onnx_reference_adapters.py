"""onnx.reference.* adapters against the oracle, on onnx's own ReferenceEvaluator (numpy).

Also pins the reference behaviours the expectations files record; when onnx changes one, its
test here says so. The reference is numpy only: nothing depends on the machine.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("onnx.reference")

from adapter_checks import assert_matches_oracle, assert_ran, grid_case, make_case, pair_ids, run, run_repro_scripts

from conformance.adapters.base import RAISED_BY_FRAMEWORK, NativeCall
from conformance.adapters.onnx_reference_api import (
    OnnxReferenceConv,
    OnnxReferenceConvTranspose,
)
from conformance.compare import judge
from conformance.oracle import evaluate
from conformance.runner.executor_child import raised_by_framework

TRANSPOSE_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims in (1, 2, 3)
    for label, params in [
        ("valid", {"padding": "valid"}),
        ("valid-stride3-k2", {"kernel": 2, "stride": 3, "padding": "valid"}),
        ("same-stride2", {"stride": 2, "padding": "same"}),
        ("same-stride1-k2", {"kernel": 2, "padding": "same"}),  # odd crop: SAME_UPPER crops the end
        ("same_lower-stride1-k2", {"kernel": 2, "padding": "same_lower"}),  # ... SAME_LOWER the start
        ("same_lower-stride2", {"stride": 2, "padding": "same_lower"}),
        ("same-output_shape", {"stride": 2, "padding": "same", "output_shape": 7}),
        ("asymmetric-output_padding", {"stride": 2, "padding": [[2, 0]], "output_padding": 1}),
        ("explicit-output_shape-implied-output_padding", {"stride": 2, "padding": [[0, 1]], "output_shape": 9}),
        ("dilation2-stride2", {"dilation": 2, "stride": 2, "padding": [[1, 2]]}),
        ("bias", {"bias": True, "stride": 2, "padding": "same"}),
    ]
]



@pytest.mark.parametrize("dims, params", TRANSPOSE_GRID)
def test_conv_transpose_matches_oracle(dims, params):
    assert_matches_oracle(OnnxReferenceConvTranspose(), grid_case("conv_transpose", dims, 4, params))


CONV_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims in (1, 2, 3)
    for label, params in [
        ("valid", {"padding": "valid"}),
        ("same-stride2", {"stride": 2, "padding": "same"}),
        ("same_lower-k4-stride3", {"kernel": 4, "stride": 3, "padding": "same_lower"}),
        ("same-dilation2", {"dilation": 2, "padding": "same"}),  # ORT refuses this one; the reference computes it
        ("asymmetric-dilation2", {"dilation": 2, "padding": [[2, 0]]}),
        ("groups-bias", {"groups": 2, "bias": True, "stride": 2, "padding": [[0, 1]]}),
    ]
]


@pytest.mark.parametrize("dims, params", CONV_GRID)
def test_conv_matches_oracle(dims, params):
    assert_matches_oracle(OnnxReferenceConv(), grid_case("conv", dims, 7, params, c_in=4, c_out=6))


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
@pytest.mark.parametrize("adapter, op", [(OnnxReferenceConvTranspose(), "conv_transpose"), (OnnxReferenceConv(), "conv")])
def test_every_dtype_of_the_operators_T_matches_oracle(adapter, op, dtype):
    # numpy computes in the tensors' dtype (ml_dtypes.bfloat16 for bfloat16), within the bound
    case = make_case(op, 2, 5, 3, c_in=4, c_out=6, bias=True, dtype=dtype, stride=2, padding="same")
    y = run(adapter, case)
    assert judge(case, y, evaluate(case)).status == "PASS"


# -- the reference behaviours recorded as expectations --------------------------------------
@pytest.mark.parametrize("c_in, c_out", [(4, 6), (4, 4), (2, 4)])
def test_conv_transpose_groups_are_broken(c_in, c_out):
    # op_conv_transpose.py slices W's first axis (C_in) in blocks of C_out/group and writes one
    # output channel per group: a group count > 1 raises or computes the wrong channels.
    case = make_case("conv_transpose", 2, 4, 3, c_in=c_in, c_out=c_out, groups=2, stride=2, padding="same")
    try:
        y = run(OnnxReferenceConvTranspose(), case)
    except ValueError as err:
        assert getattr(err, RAISED_BY_FRAMEWORK, False)
    else:
        assert judge(case, y, evaluate(case)).status == "FAIL"


def test_output_padding_at_or_above_stride_is_refused_by_col2im():
    # dilation 2 > output_padding 1 >= stride 1: valid for the spec, refused by col2im's block count check
    case = make_case("conv_transpose", 1, 4, 3, stride=1, dilation=2, padding=0, output_padding=1)
    with pytest.raises(ValueError, match="expected size of input's dimension 2 to match the calculated number"):
        run(OnnxReferenceConvTranspose(), case)


# -- repro scripts -----------------------------------------------------------------------
REPRO_CASES = [
    (OnnxReferenceConvTranspose(), make_case("conv_transpose", 2, 4, 3, bias=True, stride=2, padding=[[1, 0], [2, 1]], output_padding=1)),
    (OnnxReferenceConvTranspose(), make_case("conv_transpose", 1, 4, 2, dtype="bfloat16", stride=3, padding="same_lower")),
    (OnnxReferenceConv(), make_case("conv", 3, 5, 3, c_in=4, c_out=6, groups=2, stride=2, padding="same")),
]


@pytest.fixture(scope="module")
def repro_outputs(tmp_path_factory) -> list[str]:
    """REPRO_CASES' repro scripts run in one fresh isolated interpreter, each as its own __main__."""
    return run_repro_scripts(REPRO_CASES, tmp_path_factory.mktemp("onnx-reference-repro"))


@pytest.mark.parametrize("index", range(len(REPRO_CASES)), ids=pair_ids(REPRO_CASES))
def test_repro_script_runs_standalone_and_matches_the_run(index, repro_outputs):
    adapter, case = REPRO_CASES[index]
    call = adapter.express(case)
    assert isinstance(call, NativeCall)
    source = adapter.repro_source(case, call)
    assert "conformance" not in source
    assert "onnx.reference.ReferenceEvaluator(model).run(None, {'X': x.astype(dtype)})" in source
    y = adapter.execute(case, call)
    reference = evaluate(case)
    out = assert_ran(repro_outputs[index])
    assert f"framework output shape: {y.shape}" in out
    assert f"max abs difference: {float(np.max(np.abs(y - reference)))!r}" in out


def test_a_refusal_counts_as_the_references_answer():
    adapter = OnnxReferenceConvTranspose()
    case = make_case("conv_transpose", 2, 4, 3, c_in=4, c_out=6, groups=2, padding="valid")
    with pytest.raises(ValueError) as raised:
        adapter.execute(case, adapter.express(case))
    assert raised_by_framework(raised.value, adapter.raising_packages())
