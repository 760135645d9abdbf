"""tflite.* adapters against the oracle, on the real converter and LiteRT interpreter.

Also pins the behaviours expectations/tflite.*.yaml record: when TensorFlow's converter or
LiteRT changes one, its test here says so.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402

pytest.importorskip("tensorflow")
pytest.importorskip("ai_edge_litert.interpreter")

from adapter_checks import assert_matches_oracle, assert_repro_reproduces, make_case  # noqa: E402

from conformance.adapters.base import NativeCall  # noqa: E402
from conformance.adapters.tflite_api import (  # noqa: E402
    TfliteConv2d,
    TfliteConv2dRef,
    TfliteTransposeConv,
    TfliteTransposeConvRef,
)

TRANSPOSE = [TfliteTransposeConv, TfliteTransposeConvRef]
CONV = [TfliteConv2d, TfliteConv2dRef]


@pytest.mark.parametrize("cls", TRANSPOSE, ids=lambda c: c.name)
@pytest.mark.parametrize(
    "dims, params",
    [
        (2, {"padding": "valid"}),
        (2, {"stride": 2, "padding": "same"}),
        (2, {"kernel": 4, "stride": 2, "padding": "same"}),
        (2, {"stride": 2, "padding": "same", "output_shape": 7}),
        (1, {"stride": 2, "padding": "same"}),  # RESHAPE + TRANSPOSE_CONV
        (3, {"stride": 2, "padding": "valid"}),  # CONV_3D_TRANSPOSE
    ],
)
def test_conv_transpose_matches_oracle(cls, dims, params):
    params = {"kernel": 3, **params}
    if "output_shape" in params:
        params["output_shape"] = [params["output_shape"]] * dims
    assert_matches_oracle(cls(), make_case("conv_transpose", dims, 4, params.pop("kernel"), **params))


@pytest.mark.parametrize("cls", CONV, ids=lambda c: c.name)
@pytest.mark.parametrize("dims", [1, 2, 3])
def test_conv_matches_oracle(cls, dims):
    assert_matches_oracle(cls(), make_case("conv", dims, 6, 3, stride=2, padding="same"))


@pytest.mark.parametrize(
    "params, dtype, words",
    [
        ({"dilation": 2, "padding": "valid"}, "float32", "is neither a custom op nor a flex op"),
        ({"stride": 2, "padding": [[1, 0], [0, 1]]}, "float32", "is neither a custom op nor a flex op"),
        ({"stride": 2, "padding": "same"}, "float64", "is neither a custom op nor a flex op"),
        ({"stride": 2, "padding": "same"}, "bfloat16", "Unsupported TensorFlow type"),
    ],
)
def test_the_converter_refuses_what_tflite_has_no_builtin_for(params, dtype, words):
    """Dilated or explicitly padded Conv2DBackpropInput and float64 have no builtin op; bfloat16 no input type."""
    case = make_case("conv_transpose", 2, 4, 3, dtype=dtype, **params)
    adapter = TfliteTransposeConv()
    call = adapter.express(case)
    assert isinstance(call, NativeCall)
    with pytest.raises(Exception, match=words):
        adapter.execute(case, call)


def test_repro_reproduces():
    assert_repro_reproduces(TfliteTransposeConvRef(), make_case("conv_transpose", 2, 4, 3, stride=2, padding="same"))
