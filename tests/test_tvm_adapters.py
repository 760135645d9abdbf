"""tvm.* adapters against the oracle, on the real TVM wheel (Relax ONNX frontend, llvm target).

Also pins the behaviours expectations/tvm.*.yaml records (the frontend drops output_shape; SAME_*
clamps a negative total padding; relax refuses output_padding >= stride): when TVM changes one,
its test here says so. The target is LLVM's generic CPU, so nothing here reads the machine.
"""

from __future__ import annotations

import pytest

pytest.importorskip("tvm")
pytest.importorskip("onnx")

from adapter_checks import assert_repro_script_passes, assert_matches_oracle, assert_repro_reproduces, grid_case, make_case, run  # noqa: E402

from conformance.adapters.tvm_api import TvmConv, TvmConvTranspose  # noqa: E402
from conformance.oracle import evaluate  # noqa: E402

TRANSPOSE_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims in (1, 2, 3)
    for label, params in [
        ("valid", {"padding": "valid"}),
        ("same-stride2", {"stride": 2, "padding": "same"}),
        ("same_lower-stride1-k2", {"kernel": 2, "padding": "same_lower"}),
        ("asymmetric-output_padding", {"stride": 2, "padding": [[2, 0]], "output_padding": 1}),
        ("dilation2-stride2", {"dilation": 2, "stride": 2, "padding": [[1, 2]]}),
        ("groups-bias", {"groups": 2, "c_in": 4, "c_out": 6, "bias": True, "stride": 2, "padding": "valid"}),
    ]
]


@pytest.mark.parametrize("dims, params", TRANSPOSE_GRID)
def test_conv_transpose_matches_oracle(dims, params):
    assert_matches_oracle(TvmConvTranspose(), grid_case("conv_transpose", dims, 4, params))


CONV_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims in (1, 2, 3)
    for label, params in [
        ("valid", {"padding": "valid"}),
        ("same-stride2", {"stride": 2, "padding": "same"}),
        ("same_lower-k2", {"kernel": 2, "padding": "same_lower"}),
        ("asymmetric-dilation2", {"dilation": 2, "padding": [[2, 0]]}),
        ("groups-bias", {"groups": 2, "bias": True, "stride": 2, "padding": [[0, 1]]}),
    ]
]


@pytest.mark.parametrize("dims, params", CONV_GRID)
def test_conv_matches_oracle(dims, params):
    assert_matches_oracle(TvmConv(), grid_case("conv", dims, 7, params, c_in=4, c_out=6))


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
@pytest.mark.parametrize("adapter, op", [(TvmConvTranspose(), "conv_transpose"), (TvmConv(), "conv")])
def test_every_dtype_of_the_node_runs_and_passes(adapter, op, dtype):
    case = make_case(op, 2, 5, 3, c_in=4, c_out=6, bias=True, dtype=dtype, stride=2, padding="valid")
    assert_matches_oracle(adapter, case)


def test_the_frontend_drops_output_shape():
    """SAME_UPPER with output_shape 7 for L=4, s=2: TVM returns L*s = 8 (pads as if no
    output_shape were given), where the spec (and ORT) gives 7."""
    case = make_case("conv_transpose", 1, 4, 3, stride=2, padding="same", output_shape=[7])
    assert run(TvmConvTranspose(), case).shape == (2, 3, 8)
    assert evaluate(case).shape == (2, 3, 7)


def test_same_with_a_kernel_shorter_than_the_stride_returns_the_full_length():
    """kernel 1, stride 2, SAME_UPPER: the clamped total padding gives (L-1)*s + 1 = 7, not L*s = 8."""
    case = make_case("conv_transpose", 1, 4, 1, stride=2, padding="same")
    assert run(TvmConvTranspose(), case).shape == (2, 3, 7)


def test_output_padding_at_the_stride_is_refused_by_relax():
    case = make_case("conv_transpose", 2, 3, 3, dilation=2, padding=[[0, 0], [0, 0]], output_padding=1)
    with pytest.raises(Exception, match="expects the output padding less than the strides"):
        run(TvmConvTranspose(), case)


def test_repro_matches_execute_and_the_script_runs_standalone(tmp_path):
    adapter = TvmConvTranspose()
    case = make_case("conv_transpose", 2, 4, 3, bias=True, stride=2, padding="same")
    assert_repro_reproduces(adapter, case)
    assert_repro_script_passes(adapter, case, tmp_path)


def test_build_properties_report_the_generic_llvm_target():
    props = TvmConvTranspose.build_properties()
    assert props["target"] == "llvm"
    assert props["llvm_mcpu"] == "generic (none given)"
    assert props["llvm_version"] >= 15
    assert "sse2" in props["llvm_vector_features"] and "avx" not in props["llvm_vector_features"]
