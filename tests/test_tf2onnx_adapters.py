"""tf2onnx.* adapters against the oracle: tf.nn converted by tf2onnx, run by ONNX Runtime (CPU).

Also pins the converter behaviours expectations/tf2onnx.*.yaml record: when tf2onnx (or ORT)
changes one, its test here says so. Nothing here depends on the machine.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402

pytest.importorskip("tensorflow")
pytest.importorskip("tf2onnx")
pytest.importorskip("onnxruntime")

from adapter_checks import assert_matches_oracle, assert_repro_reproduces, make_case, run, verdict  # noqa: E402

from conformance.adapters.base import NativeCall  # noqa: E402
from conformance.adapters.tf2onnx_api import Tf2OnnxConv, Tf2OnnxConvTranspose  # noqa: E402


@pytest.mark.parametrize(
    "dims, params",
    [
        (2, {"padding": "valid"}),
        (2, {"stride": 2, "padding": "same"}),
        (2, {"kernel": 4, "stride": 2, "padding": "same"}),  # odd total: the smaller crop first, as TF
        (2, {"stride": 2, "padding": "same", "output_shape": 7}),
        (2, {"stride": 2, "padding": [[1, 1]]}),  # symmetric explicit pads, no output_padding
        (1, {"stride": 2, "padding": "same"}),
        (3, {"stride": 2, "padding": "valid", "dilation": 2}),  # dilation: ONNX has it (TF's Eigen kernel does not)
    ],
)
def test_conv_transpose_matches_oracle(dims, params):
    params = {"kernel": 3, **params}
    if "output_shape" in params:
        params["output_shape"] = [params["output_shape"]] * dims
    if isinstance(params.get("padding"), list):
        params["padding"] = params["padding"] * dims
    assert_matches_oracle(Tf2OnnxConvTranspose(), make_case("conv_transpose", dims, 4, params.pop("kernel"), **params))


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_conv_matches_oracle(dims):
    assert_matches_oracle(Tf2OnnxConv(), make_case("conv", dims, 6, 3, stride=2, padding="same"))


def test_grouped_2d_conv_matches_oracle():
    assert_matches_oracle(Tf2OnnxConv(), make_case("conv", 2, 6, 3, c_in=4, c_out=6, groups=2, padding="valid"))


def test_repro_reproduces():
    assert_repro_reproduces(Tf2OnnxConvTranspose(), make_case("conv_transpose", 2, 4, 3, stride=2, padding="same"))


# -- the converter behaviours recorded as expectations -------------------------------------------
def test_explicit_asymmetric_pads_are_replaced_by_a_split_of_output_shape():
    # pads (2, 0): F = 9, O = 7, total 2: tf2onnx writes pads (1, 1), the window one position early
    case = make_case("conv_transpose", 2, 4, 3, stride=2, padding=[[2, 0], [2, 0]])
    result = verdict(Tf2OnnxConvTranspose(), case)
    assert result.status == "FAIL" and result.diagnosis.startswith("window-shifted")


def test_output_shape_above_the_full_length_gives_negative_pads():
    case = make_case("conv_transpose", 2, 4, 1, stride=2, padding="same")  # L*s = 8 > F = 7
    with pytest.raises(Exception, match="Attribute pads must not contain negative values"):
        run(Tf2OnnxConvTranspose(), case)


def test_output_smaller_than_input_writes_an_invalid_model():
    case = make_case("conv_transpose", 2, 4, 2, stride=1, padding=[[1, 1], [1, 1]])  # O = 3 < L = 4
    with pytest.raises(Exception, match=r"Type 'tensor\(int32\)' of input parameter"):
        run(Tf2OnnxConvTranspose(), case)


@pytest.mark.parametrize("dtype, words", [("float64", r"Could not find an implementation for ConvTranspose\(11\)"),
                                          ("bfloat16", r"Type 'tensor\(bfloat16\)' of input parameter")])
def test_dtypes_the_converted_model_cannot_run(dtype, words):
    case = make_case("conv_transpose", 2, 4, 3, stride=2, padding="same", dtype=dtype)
    adapter = Tf2OnnxConvTranspose()
    call = adapter.express(case)
    assert isinstance(call, NativeCall)
    with pytest.raises(Exception, match=words):
        adapter.execute(case, call)


def test_grouped_3d_conv_loses_its_groups():
    case = make_case("conv", 3, 4, 1, c_in=4, c_out=2, groups=2, padding="same")
    with pytest.raises(Exception, match="Input channels C is not equal to kernel channels \\* group"):
        run(Tf2OnnxConv(), case)
