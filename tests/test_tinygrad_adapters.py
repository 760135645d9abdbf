"""tinygrad adapters against the oracle, on tinygrad's CPU device (kernels compiled by clang).

Each new shape compiles new kernels (seconds each), so the grid is small. tinygrad's CPU
device has no CPU-dependent kernel switch the adapters read; ``build_properties`` says which
renderer and compiler ran, and no test here assumes either.
"""

from __future__ import annotations

import pytest

pytest.importorskip("tinygrad")

from adapter_checks import assert_repro_script_passes, assert_matches_oracle, grid_case, make_case  # noqa: E402

from conformance.adapters.tinygrad_api import TinygradConv, TinygradConvTranspose  # noqa: E402

TRANSPOSE_GRID = [
    pytest.param(1, {"stride": 2, "padding": [[2, 0]], "output_padding": 1, "bias": True}, id="1d-asymmetric-outpad"),
    pytest.param(2, {"stride": 2, "padding": "same", "groups": 2, "c_in": 4, "c_out": 6}, id="2d-same-groups"),
    pytest.param(2, {"stride": [2, 1], "dilation": 2, "padding": [[1, 2]]}, id="2d-stride-per-dim-dilation"),
    pytest.param(3, {"stride": 2, "padding": "valid", "kernel": 2}, id="3d-valid"),
]


@pytest.mark.parametrize("dims, params", TRANSPOSE_GRID)
def test_conv_transpose_matches_oracle(dims, params):
    assert_matches_oracle(TinygradConvTranspose(), grid_case("conv_transpose", dims, 4, params))


CONV_GRID = [
    pytest.param(1, {"stride": 2, "padding": "same_lower", "kernel": 4}, id="1d-same-lower"),
    pytest.param(2, {"padding": [[2, 0]], "dilation": 2, "bias": True}, id="2d-asymmetric-dilation"),
    pytest.param(2, {"stride": 2, "padding": "same", "groups": 2}, id="2d-same-stride2-groups"),
]


@pytest.mark.parametrize("dims, params", CONV_GRID)
def test_conv_matches_oracle(dims, params):
    assert_matches_oracle(TinygradConv(), grid_case("conv", dims, 7, params, c_in=4, c_out=6))


@pytest.mark.parametrize("dtype", ["float64", "float16", "bfloat16"])
def test_every_dtype_runs_on_the_cpu_device(dtype):
    case = make_case("conv_transpose", 2, 4, 3, bias=True, dtype=dtype, stride=2, padding=[[1, 0], [0, 1]])
    assert_matches_oracle(TinygradConvTranspose(), case)


def test_build_properties_name_the_device_and_renderer():
    props = TinygradConvTranspose.build_properties()
    assert props["device"] == "CPU"
    assert props["renderer"].endswith("Renderer")
    assert props["compiler"]


def test_repro_script_runs_standalone_and_matches_the_run(tmp_path):
    adapter = TinygradConvTranspose()
    case = make_case("conv_transpose", 2, 4, 3, bias=True, stride=2, padding=[[1, 0], [2, 1]], output_padding=1)
    assert_repro_script_passes(adapter, case, tmp_path)
