"""openvino.* adapters against the oracle, on the CPU plugin."""

from __future__ import annotations

import pytest

pytest.importorskip("openvino")

from conformance.adapters.openvino_api import OpenVinoConvolution, OpenVinoConvolutionBackpropData  # noqa: E402
from adapter_checks import assert_matches_oracle, grid_case, assert_repro_reproduces, make_case  # noqa: E402

TRANSPOSE_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims in (1, 2, 3)
    for label, params in [
        ("valid", {"padding": "valid"}),
        ("same-stride2", {"stride": 2, "padding": "same"}),
        ("same-stride1-k2", {"kernel": 2, "padding": "same"}),
        ("same_lower-stride1-k2", {"kernel": 2, "padding": "same_lower"}),
        ("asymmetric-output_padding", {"stride": 2, "padding": [[2, 0]], "output_padding": 1}),
        ("explicit-output_shape", {"stride": 2, "padding": [[1, 0]], "output_shape": 8}),
        ("dilation2-stride2", {"dilation": 2, "stride": 2, "padding": [[1, 2]]}),
        ("groups", {"groups": 2, "c_in": 4, "c_out": 6, "stride": 2, "padding": "same"}),
    ]
]



@pytest.mark.parametrize("dims, params", TRANSPOSE_GRID)
def test_conv_transpose_matches_oracle(dims, params):
    assert_matches_oracle(OpenVinoConvolutionBackpropData(), grid_case("conv_transpose", dims, 4, params))


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("params", [{"padding": "same", "stride": 2}, {"padding": [[2, 0]], "dilation": 2},
                                    {"groups": 2, "padding": "same_lower", "kernel": 4, "stride": 3}])
def test_conv_matches_oracle(dims, params):
    assert_matches_oracle(OpenVinoConvolution(), grid_case("conv", dims, 7, params, c_in=4, c_out=6))


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_repro_text_is_what_runs(dtype):
    case = make_case("conv_transpose", 2, 4, 3, stride=2, padding="same", dtype=dtype)
    assert_repro_reproduces(OpenVinoConvolutionBackpropData(), case)
