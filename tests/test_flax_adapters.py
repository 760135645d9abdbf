"""Flax adapters against the oracle, on the real framework (flax on jax's CPU backend).

Also pins the Flax behaviours the expectations files record, which are lax.conv_transpose's
(the default ``transpose_kernel=False`` is not the transpose of conv; 'VALID' pads to Keras'
length): when Flax or jax changes one, its test here says so. None depends on the CPU.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("flax")

from adapter_checks import assert_matches_oracle, assert_repro_reproduces, make_case, run, verdict  # noqa: E402
from conformance.adapters.flax_api import (  # noqa: E402
    FlaxLinenConv,
    FlaxLinenConvTranspose,
    FlaxLinenConvTransposeNoTransposeKernel,
    FlaxNnxConv,
    FlaxNnxConvTranspose,
    FlaxNnxConvTransposeNoTransposeKernel,
)
from conformance.case import Case  # noqa: E402
from conformance.oracle import evaluate  # noqa: E402

TRANSPOSE = [FlaxLinenConvTranspose(), FlaxNnxConvTranspose()]
NO_TRANSPOSE_KERNEL = [FlaxLinenConvTransposeNoTransposeKernel(), FlaxNnxConvTransposeNoTransposeKernel()]
CONV = [FlaxLinenConv(), FlaxNnxConv()]

TRANSPOSE_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims in (1, 2, 3)
    for label, params in [
        ("valid-stride2", {"stride": 2, "padding": "valid"}),
        ("same-stride2-bias", {"stride": 2, "padding": "same", "bias": True}),
        ("same_lower-stride2", {"stride": 2, "padding": "same_lower"}),
        ("asymmetric-output_padding", {"stride": 2, "padding": [[1, 2]] * dims, "output_padding": 1}),
        ("output_shape", {"stride": 3, "padding": "valid", "output_shape": 14}),
        ("dilation2-stride2", {"dilation": 2, "stride": 2, "padding": [[0, 3]] * dims}),
    ]
]


@pytest.mark.parametrize("dims, params", TRANSPOSE_GRID)
@pytest.mark.parametrize("adapter", TRANSPOSE, ids=lambda a: a.name)
def test_conv_transpose_matches_oracle(adapter, dims, params):
    assert_matches_oracle(adapter, make_case("conv_transpose", dims, 4, 3, **params))


CONV_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims in (1, 2, 3)
    for label, params in [
        ("valid", {"padding": "valid"}),
        ("same-stride2-bias", {"stride": 2, "padding": "same", "bias": True}),
        ("same_lower-k4-stride3", {"stride": 3, "padding": "same_lower"}),
        ("asymmetric-dilation2", {"padding": [[0, 2]] * dims, "dilation": 2}),
    ]
]


@pytest.mark.parametrize("dims, params", CONV_GRID)
@pytest.mark.parametrize("groups", [1, 2])
@pytest.mark.parametrize("adapter", CONV, ids=lambda a: a.name)
def test_conv_matches_oracle(adapter, dims, params, groups):
    assert_matches_oracle(adapter, make_case("conv", dims, 7, 3, c_in=4, c_out=6, groups=groups, **params))


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
@pytest.mark.parametrize("adapter", [*TRANSPOSE, *CONV], ids=lambda a: a.name)
def test_every_dtype_matches_oracle(adapter, dtype):
    case = make_case(adapter.op, 2, 5, 4, dtype=dtype, stride=2, padding="same", bias=True)
    assert_matches_oracle(adapter, case)


def test_float64_is_computed_in_float64():
    # 1 + 2**-40 is not a float32 value: the layer keeps it only if it computes in float64.
    x = np.full((1, 1, 3), 1 + 2.0**-40)
    case = Case.make("x64", "conv", x, np.ones((1, 1, 1)), dtype="float64")
    for adapter in CONV:
        assert run(adapter, case)[0, 0, 0] == 1 + 2.0**-40


@pytest.mark.parametrize(
    "adapter, case",
    [
        (FlaxLinenConvTranspose(), make_case("conv_transpose", 2, 3, 2, stride=2, padding=[[1, 0], [0, 1]], bias=True)),
        (FlaxNnxConvTransposeNoTransposeKernel(), make_case("conv_transpose", 1, 4, 3, stride=2, padding="same")),
        (FlaxNnxConv(), make_case("conv", 3, 5, 2, c_in=4, c_out=2, groups=2, padding="same_lower", dtype="bfloat16")),
    ],
    ids=["linen-transpose", "nnx-no-transpose-kernel", "nnx-conv-3d-groups-bf16"],
)
def test_repro_reproduces(adapter, case):
    assert_repro_reproduces(adapter, case)


# -- lax.conv_transpose's conventions, as the expectations record them -------------------------------------
@pytest.mark.parametrize("adapter", NO_TRANSPOSE_KERNEL, ids=lambda a: a.name)
def test_default_transpose_kernel_false_is_the_flipped_kernel(adapter):
    case = make_case("conv_transpose", 2, 4, 3, stride=2, padding="same")
    result = verdict(adapter, case)
    assert (result.status, result.diagnosis) == ("FAIL", "kernel-flipped")
    flipped = Case.make(case.id, case.op, case.x, np.flip(case.w, axis=(2, 3)), stride=2, padding="same")
    np.testing.assert_allclose(run(adapter, flipped), evaluate(case), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("adapter", TRANSPOSE, ids=lambda a: a.name)
def test_valid_pads_to_the_keras_length_when_the_stride_exceeds_the_kernel(adapter):
    case = make_case("conv_transpose", 1, 4, 1, stride=3, padding="valid")
    y, full = run(adapter, case), evaluate(case)
    assert y.shape[-1] == 3 * 3 + 3  # (L-1)s + max(e, s), not (L-1)s + e
    np.testing.assert_allclose(y[..., : full.shape[-1]], full, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(y[..., full.shape[-1] :], 0)
