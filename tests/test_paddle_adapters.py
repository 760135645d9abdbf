"""The Paddle adapters against the oracle, their repro text, and Paddle's own answers.

Paddle's eager CPU conv kernels do not depend on the CPU model or on FLAGS_use_onednn (checked:
bitwise equal results), so no test reads the machine.
"""

from __future__ import annotations

import pytest

pytest.importorskip("paddle")

from adapter_checks import assert_matches_oracle, assert_repro_reproduces, grid_case, make_case, verdict  # noqa: E402

from conformance.adapters.paddle_api import (  # noqa: E402
    PaddleConvLayer,
    PaddleConvTransposeLayer,
    PaddleFunctionalConv,
    PaddleFunctionalConvNHWC,
    PaddleFunctionalConvTranspose,
    PaddleFunctionalConvTransposeNHWC,
)

TRANSPOSES = [PaddleFunctionalConvTranspose(), PaddleFunctionalConvTransposeNHWC(), PaddleConvTransposeLayer()]
CONVS = [PaddleFunctionalConv(), PaddleFunctionalConvNHWC(), PaddleConvLayer()]

TRANSPOSE_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims in (1, 2, 3)
    for label, params in [
        ("valid-stride2", {"padding": "valid", "stride": 2}),
        ("asymmetric-crop", {"stride": 2, "padding": [[1, 0]]}),
        ("output-padding", {"stride": 2, "padding": [[1, 1]], "output_padding": 1}),
        ("same-lower", {"stride": 2, "padding": "same_lower"}),
        ("groups-bias-dilation", {"groups": 2, "bias": True, "dilation": 2, "c_in": 4, "c_out": 6}),
        ("output-shape", {"stride": 2, "padding": [[1, 1]], "output_shape": None}),
    ]
]


@pytest.mark.parametrize("adapter", TRANSPOSES, ids=lambda a: a.name)
@pytest.mark.parametrize("dims, params", TRANSPOSE_GRID)
def test_conv_transpose_matches_oracle(adapter, dims, params):
    params = dict(params)
    if "output_shape" in params:  # full 9, crop 1+1: 7, one more position asked
        params["output_shape"] = [8] * dims
    assert_matches_oracle(adapter, grid_case("conv_transpose", dims, 4, params))


CONV_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims in (1, 2, 3)
    for label, params in [
        ("same-stride2", {"padding": "same", "stride": 2}),
        ("same-lower", {"padding": "same_lower", "kernel": 4}),
        ("asymmetric-dilation2", {"dilation": 2, "padding": [[2, 0]]}),
        ("groups-bias", {"groups": 2, "bias": True, "stride": 2, "padding": [[0, 1]]}),
    ]
]


@pytest.mark.parametrize("adapter", CONVS, ids=lambda a: a.name)
@pytest.mark.parametrize("dims, params", CONV_GRID)
def test_conv_matches_oracle(adapter, dims, params):
    assert_matches_oracle(adapter, grid_case("conv", dims, 7, params, c_in=4, c_out=6))


@pytest.mark.parametrize("adapter", TRANSPOSES + CONVS, ids=lambda a: a.name)
def test_repro_text_reproduces_the_run(adapter):
    case = make_case(adapter.op, 2, 5, 3, c_in=2, c_out=4, groups=2, bias=True, stride=2, padding=[[1, 0], [0, 1]])
    assert_repro_reproduces(adapter, case)


@pytest.mark.parametrize("adapter", TRANSPOSES, ids=lambda a: a.name)
def test_transpose_same_is_paddles_conv_same_over_the_input(adapter):
    """expectations/paddle.*: L=5, k=3, s=2 gives (5-1)*2 + 3 - 2 = 9 positions, not 10."""
    result = verdict(adapter, make_case("conv_transpose", 1, 5, 3, stride=2, padding="same"))
    assert result.status == "FAIL" and list(result.shape) == [2, 3, 9]


@pytest.mark.parametrize("adapter", CONVS, ids=lambda a: a.name)
def test_conv_same_drops_the_dilation(adapter):
    """expectations/paddle.*: 'SAME' resets dilation to 1, so the result is the undilated conv's."""
    dilated = make_case("conv", 1, 7, 3, dilation=2, padding="same")
    undilated = make_case("conv", 1, 7, 3, padding="same")
    assert verdict(adapter, dilated).status == "FAIL"
    assert_matches_oracle(adapter, undilated)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_has_no_cpu_kernel(dtype):
    case = make_case("conv_transpose", 2, 4, 3, dtype=dtype)
    adapter = PaddleFunctionalConvTranspose()
    with pytest.raises(RuntimeError, match="is not registered"):
        adapter.execute(case, adapter.express(case))
