"""onnx.shape_inference.* adapters: the shape ONNX's shape inference gives one node, judged
against the oracle's shape (the adapters compute no values).

Pins the behaviours expectations/onnx.shape_inference.*.yaml record: when onnx changes one,
its test here says so. Nothing here depends on the machine.
"""

from __future__ import annotations

import pytest

pytest.importorskip("onnx")

from adapter_checks import grid_case, make_case, run, run_script

from conformance.adapters.onnx_shape_inference_api import OnnxShapeInferenceConv, OnnxShapeInferenceConvTranspose
from conformance.compare import judge_shape
from conformance.oracle import evaluate
from conformance.repro import build_repro

GRID = [
    pytest.param(op, dims, params, id=f"{op}-{dims}d-{label}")
    for op, dims in [("conv_transpose", 1), ("conv_transpose", 2), ("conv_transpose", 3), ("conv", 2)]
    for label, params in [
        ("valid-stride3-k2", {"kernel": 2, "stride": 3, "padding": "valid"}),
        ("same-stride2", {"stride": 2, "padding": "same"}),
        ("same_lower-stride1-k2", {"kernel": 2, "padding": "same_lower"}),
        ("explicit-dilation2", {"dilation": 2, "padding": [[1, 2]]}),
        ("groups2-bias", {"groups": 2, "c_in": 4, "c_out": 6, "bias": True, "stride": 2}),
    ]
]


def adapter_for(op):
    return OnnxShapeInferenceConvTranspose() if op == "conv_transpose" else OnnxShapeInferenceConv()


@pytest.mark.parametrize("op,dims,params", GRID)
def test_the_inferred_shape_is_the_oracles(op, dims, params):
    case = grid_case(op, dims, 5, params)
    shape = run(adapter_for(op), case)
    assert judge_shape(case, shape, evaluate(case)).status == "PASS"


def test_output_shape_and_output_padding_give_the_oracles_shape():
    for params in ({"stride": 2, "padding": "same", "output_shape": 9}, {"stride": 2, "padding": [[1, 1]], "output_padding": 1}):
        case = make_case("conv_transpose", 1, 4, 3, **params)
        assert run(OnnxShapeInferenceConvTranspose(), case).tolist() == list(evaluate(case).shape)


def test_same_with_a_kernel_shorter_than_the_stride_is_one_short():
    """SAME_*: the spec's L*s; the inference clamps the negative total padding at 0 (the
    expectations' 'same-short' bug): L=4, k=1, s=2 gives 7, not 8."""
    case = make_case("conv_transpose", 1, 4, 1, stride=2, padding="same")
    assert run(OnnxShapeInferenceConvTranspose(), case).tolist() == [2, 3, 7]
    assert evaluate(case).shape == (2, 3, 8)


def test_a_kernel_that_does_not_fit_the_input_channels_still_gets_a_shape():
    """The inference reads C_out from W.shape[1] * group and never checks W.shape[0]."""
    case = make_case("conv_transpose", 2, 4, 3, c_in=2, c_out=3)
    wrong = type(case).make("k", "conv_transpose", case.x, case.w[:1].repeat(3, axis=0), None)
    assert run(OnnxShapeInferenceConvTranspose(), wrong).tolist() == [2, 3, 6, 6]


def test_the_repro_script_prints_the_inferred_and_expected_shapes(tmp_path):
    case = make_case("conv_transpose", 1, 4, 1, stride=2, padding="same")
    adapter = OnnxShapeInferenceConvTranspose()
    printed = run_script(build_repro(case, adapter, adapter.express(case), evaluate(case)), tmp_path)
    assert "inferred output shape: (2, 3, 7)\nexpected output shape: (2, 3, 8)\nthe shapes differ" in printed
