"""tinygrad adapters against the oracle, on tinygrad's CPU device (kernels compiled by clang).

Each new shape compiles new kernels (seconds each), so the grid is small. tinygrad's CPU
device has no CPU-dependent kernel switch the adapters read; ``build_properties`` says which
renderer and compiler ran, and no test here assumes either.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

pytest.importorskip("tinygrad")

from adapter_checks import (  # noqa: E402
    assert_matches_oracle,
    assert_repro_script_passes,
    grid_case,
    make_case,
    run_script,
)

from conformance.adapters.tinygrad_api import TinygradConv, TinygradConvTranspose  # noqa: E402
from conformance.adapters.tinygrad_grad_api import (  # noqa: E402
    TinygradConvGrad,
    TinygradConvTransposeGrad,
)
from conformance.bound import oracle_quantity  # noqa: E402
from conformance.compare import judge  # noqa: E402
from conformance.oracle import geometry  # noqa: E402
from conformance.repro import build_repro  # noqa: E402

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


# -- gradients: tinygrad's autograd over the same calls (tinygrad_grad_api) --------------------
def gradient_case(op, dims, quantity, **params):
    """A strided layer (C_in != C_out, with bias) judging one gradient, a random upstream gradient."""
    case = make_case(op, dims, 4, 3, c_in=4, c_out=2, bias=True, **params)
    g = np.random.default_rng(1).normal(size=geometry.output_shape(case))
    return dataclasses.replace(case, grad_output=g, check=(quantity,))


GRADIENT_GRID = [
    pytest.param("conv_transpose", 2, {"stride": 2, "padding": [[1, 0], [0, 1]], "output_padding": 1, "groups": 2},
                 id="transpose-2d-groups-asymmetric"),
    pytest.param("conv_transpose", 1, {"stride": 2, "dilation": 2, "padding": "same"}, id="transpose-1d-same-dilation"),
    pytest.param("conv", 2, {"stride": 2, "padding": "same", "groups": 2}, id="conv-2d-same-groups"),
    pytest.param("conv", 3, {"stride": [2, 1, 1], "padding": "valid"}, id="conv-3d-valid"),
]  # fmt: skip


@pytest.mark.parametrize("quantity", ["grad_input", "grad_weight", "grad_bias"])
@pytest.mark.parametrize("op, dims, params", GRADIENT_GRID)
def test_gradients_match_the_oracle(op, dims, params, quantity):
    adapter = TinygradConvGrad() if op == "conv" else TinygradConvTransposeGrad()
    case = gradient_case(op, dims, quantity, **params)
    value = adapter.execute(case, adapter.express(case))
    verdict = judge(case, value, oracle_quantity(case, quantity), quantity=quantity)
    assert verdict.status == "PASS", f"{adapter.name} {quantity}: {verdict.message}"


def test_a_gradient_repro_script_runs_standalone_and_matches_the_run(tmp_path):
    adapter = TinygradConvTransposeGrad()
    case = gradient_case("conv_transpose", 2, "grad_weight", stride=2, padding=[[1, 0], [2, 1]], output_padding=1)
    call = adapter.express(case)
    value = adapter.execute(case, call)
    reference = oracle_quantity(case, "grad_weight")
    assert judge(case, value, reference, quantity="grad_weight").status == "PASS"
    out = run_script(build_repro(case, adapter, call, reference, quantity="grad_weight"), tmp_path)
    assert f"framework output shape: {value.shape}" in out and "verdict: PASS" in out
