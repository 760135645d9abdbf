"""MLX adapters against the oracle, on the real framework (MLX's CPU backend).

Also pins the MLX behaviours the expectations files record (float64 refused by the direct
kernel and computed in float32 by the GEMM path; groups refused in 3D; negative padding
accepted) and one finding outside the corpus's expectations (a crop past the kernel with a
stride > 1 shortens the output): when MLX changes one, its test here says so. None depends
on the CPU: MLX picks its path by the call's shape.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("mlx.core")

from adapter_checks import assert_matches_oracle, assert_repro_reproduces, make_case, run, verdict  # noqa: E402
from conformance.adapters.mlx_api import MlxConv, MlxConvGeneral, MlxConvTranspose  # noqa: E402
from conformance.oracle import evaluate  # noqa: E402

TRANSPOSE_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims in (1, 2, 3)
    for label, params in [
        ("valid", {"padding": "valid"}),
        ("same-k4-stride2", {"kernel": 4, "stride": 2, "padding": "same"}),
        ("same_lower-stride2", {"stride": 2, "padding": "same_lower"}),
        ("crop-before-stride3", {"stride": 3, "padding": [[2, 1]] * dims}),
        ("output_padding", {"stride": 2, "padding": [[1, 1]] * dims, "output_padding": 1}),
        ("output_shape", {"stride": 3, "padding": "valid", "output_shape": 12}),
        ("dilation2-stride2", {"dilation": 2, "stride": 2, "padding": [[1, 1]] * dims}),
    ]
]


@pytest.mark.parametrize("dims, params", TRANSPOSE_GRID)
def test_conv_transpose_matches_oracle(dims, params):
    params = {"kernel": 3, **params}
    assert_matches_oracle(MlxConvTranspose(), make_case("conv_transpose", dims, 4, params.pop("kernel"), **params))


@pytest.mark.parametrize("dims", [1, 2])
def test_conv_transpose_groups_in_1d_and_2d(dims):
    # The docstring says "Only the default groups=1 is currently supported"; 1D and 2D compute them.
    case = make_case("conv_transpose", dims, 4, 3, c_in=4, c_out=6, groups=2, stride=2, padding="valid")
    assert_matches_oracle(MlxConvTranspose(), case)


CONV_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims in (1, 2, 3)
    for label, params in [
        ("valid", {"padding": "valid"}),
        ("same-stride1", {"padding": "same"}),
        ("dilation2-same", {"dilation": 2, "padding": "same"}),
        ("symmetric-stride2", {"padding": [[1, 1]] * dims, "stride": 2}),
    ]
]


@pytest.mark.parametrize("dims, params", CONV_GRID)
@pytest.mark.parametrize("adapter", [MlxConv(), MlxConvGeneral()], ids=lambda a: a.name)
def test_conv_matches_oracle(adapter, dims, params):
    groups = 2 if dims < 3 else 1
    assert_matches_oracle(adapter, make_case("conv", dims, 7, 3, c_in=4, c_out=6, groups=groups, **params))


@pytest.mark.parametrize("padding", ["same", "same_lower", [[0, 2], [2, 1]]])
def test_conv_general_takes_asymmetric_padding(padding):
    assert_matches_oracle(MlxConvGeneral(), make_case("conv", 2, 6, 2, stride=2, padding=padding))


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
@pytest.mark.parametrize("adapter", [MlxConvTranspose(), MlxConv(), MlxConvGeneral()], ids=lambda a: a.name)
def test_reduced_precision_matches_oracle(adapter, dtype):
    padding = "same" if adapter.op == "conv_transpose" else "valid"
    case = make_case(adapter.op, 2, 5, 4 if adapter.op == "conv_transpose" else 3, dtype=dtype, stride=2, padding=padding)
    assert_matches_oracle(adapter, case)


@pytest.mark.parametrize(
    "adapter, case",
    [
        (MlxConvTranspose(), make_case("conv_transpose", 2, 3, 3, c_in=4, c_out=6, groups=2, stride=2, padding="valid")),
        (MlxConv(), make_case("conv", 1, 6, 3, stride=2, padding=[[1, 1]])),
        (MlxConvGeneral(), make_case("conv", 3, 5, 2, padding="same_lower", dtype="bfloat16")),
    ],
    ids=["transpose-groups", "conv-1d", "general-3d-bf16"],
)
def test_repro_reproduces(adapter, case):
    assert_repro_reproduces(adapter, case)


# -- the MLX behaviours recorded as expectations -------------------------------------------------------
def test_float64_direct_kernel_refuses():
    # stride 2 is input dilation: the direct kernel, which dispatches float32/float16/bfloat16 only.
    case = make_case("conv_transpose", 2, 4, 3, dtype="float64", stride=2, padding="valid")
    with pytest.raises(ValueError, match=r"\[Convolution::eval\] got unsupported data type"):
        run(MlxConvTranspose(), case)


@pytest.mark.parametrize("adapter", [MlxConvTranspose(), MlxConv(), MlxConvGeneral()], ids=lambda a: a.name)
def test_float64_gemm_path_is_computed_in_float32(adapter):
    # Stride 1, no dilation, no groups: the explicit GEMM (conv_dtype = float32). 1 + 2**-40 is
    # not a float32 value, so a float64 computation keeps it and a float32 one rounds it to 1.
    op = adapter.op
    x = np.full((1, 1, 3, 3), 1 + 2.0**-40)
    case = make_case(op, 2, 3, 1, c_in=1, c_out=1, dtype="float64", padding="valid")
    case = type(case).make("x64", op, x, np.ones((1, 1, 1, 1)), dtype="float64", padding="valid")
    y = run(adapter, case)
    assert np.all(y == 1.0)  # float64 would give 1 + 2**-40
    assert verdict(adapter, make_case(op, 2, 5, 3, dtype="float64", padding="valid")).status == "FAIL"


@pytest.mark.parametrize("adapter", [MlxConvTranspose(), MlxConv()], ids=lambda a: a.name)
def test_groups_in_3d_are_refused(adapter):
    case = make_case(adapter.op, 3, 4, 2, c_in=4, c_out=6, groups=2, padding="valid")
    with pytest.raises(ValueError, match=r"Can only handle groups != 1 in 1D or 2D convolutions"):
        run(adapter, case)


def test_negative_padding_is_accepted():
    # the oracle refuses padding -1; MLX crops the input to 3 x 3 and returns one position
    case = make_case("conv", 2, 5, 3, padding=[[-1, -1], [-1, -1]])
    assert run(MlxConv(), case).shape == (2, 3, 1, 1)


# -- a finding the corpus's cases do not reach --------------------------------------------------------------
@pytest.mark.parametrize("stride", [2, 3])
def test_crop_past_the_kernel_with_stride_shortens_the_output(stride):
    """padding p > e - 1 is a negative (low, high) padding e-1-p of the stride-dilated input;
    conv_general crops it from the input *before* dilation, so each end loses |e-1-p| input
    positions (stride times as many dilated ones) instead of |e-1-p| dilated positions."""
    case = make_case("conv_transpose", 1, 5, 2, stride=stride, padding=[[2, 2]])
    y, expected = run(MlxConvTranspose(), case), evaluate(case)
    # documented length (L-1)s - 2p + d(k-1) + 1; each end is (s-1) positions short
    assert expected.shape[-1] - y.shape[-1] == 2 * (stride - 1)
    assert verdict(MlxConvTranspose(), make_case("conv_transpose", 1, 5, 2, stride=1, padding=[[2, 2]])).status == "PASS"
