"""tf.nn.* and keras.layers.* adapters against the oracle, on the real framework.

Also pins the framework behaviours the expectations files record (dtype-dependent dilation
support, Keras' 'same' + output_padding=0 with an even kernel, silent acceptance of a
kernel larger than the input): when TensorFlow changes one, its test here says so.
"""

from __future__ import annotations

import os

# Before TensorFlow starts: quiet logs, one thread each (2 shared cores).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from conformance.adapters.base import Unsupported  # noqa: E402
from conformance.adapters.keras_api import KerasConv, KerasConvTranspose  # noqa: E402
from conformance.adapters.tensorflow_api import TfConvolution, TfConvTranspose  # noqa: E402
from conformance.case import Case  # noqa: E402
from adapter_checks import assert_repro_reproduces, assert_matches_oracle, make_case, run  # noqa: E402


TRANSPOSE_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims in (1, 2, 3)
    for label, params in [
        ("valid", {"padding": "valid"}),
        ("valid-stride3-k2", {"kernel": 2, "stride": 3, "padding": "valid"}),
        ("same-stride2", {"stride": 2, "padding": "same"}),
        ("same-stride2-k4", {"kernel": 4, "stride": 2, "padding": "same"}),
        ("same-output_shape", {"stride": 2, "padding": "same", "output_shape": 7}),
        ("valid-output_shape", {"stride": 3, "padding": "valid", "output_shape": 14}),
        ("zero-pads-output_padding", {"stride": 2, "padding": 0, "output_padding": 1}),
        ("dilation2-same", {"dilation": 2, "padding": "same"}),
    ]
]


@pytest.mark.parametrize("dims, params", TRANSPOSE_GRID)
def test_tf_conv_transpose_matches_oracle(dims, params):
    params = {"kernel": 3, **params}
    assert_matches_oracle(TfConvTranspose(), make_case("conv_transpose", dims, 4, params.pop("kernel"), **params))


@pytest.mark.parametrize(
    "params",
    [
        {"stride": 2, "padding": [[1, 2], [0, 1]], "output_padding": 1},
        {"stride": 3, "padding": [[2, 0], [1, 1]], "output_padding": 2},
        {"stride": 2, "padding": "same_lower"},
        {"kernel": 4, "stride": 2, "padding": "same_lower", "output_shape": [7, 8]},
    ],
)
def test_tf_conv_transpose_2d_explicit_padding_matches_oracle(params):
    params = {"kernel": 3, **params}
    assert_matches_oracle(TfConvTranspose(), make_case("conv_transpose", 2, 4, params.pop("kernel"), **params))


@pytest.mark.parametrize("dims, params", TRANSPOSE_GRID)
def test_keras_conv_transpose_matches_oracle(dims, params):
    params = {"kernel": 3, **params}
    case = make_case("conv_transpose", dims, 4, params.pop("kernel"), bias=True, **params)
    assert_matches_oracle(KerasConvTranspose(), case)


CONV_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims in (1, 2, 3)
    for label, params in [
        ("valid", {"padding": "valid"}),
        ("same-stride2", {"stride": 2, "padding": "same"}),
        ("same-k4-stride3", {"kernel": 4, "stride": 3, "padding": "same"}),
        ("dilation2-same", {"dilation": 2, "padding": "same"}),
        ("zero-pads", {"padding": 0, "stride": 2}),
    ]
]


@pytest.mark.parametrize("dims, params", CONV_GRID)
def test_tf_convolution_matches_oracle(dims, params):
    params = {"kernel": 3, **params}
    assert_matches_oracle(TfConvolution(), make_case("conv", dims, 7, params.pop("kernel"), c_in=4, c_out=6, **params))


@pytest.mark.parametrize("dims", [1, 2])
def test_tf_convolution_groups_match_oracle(dims):
    case = make_case("conv", dims, 7, 3, c_in=4, c_out=6, groups=2, stride=2, padding="same")
    assert_matches_oracle(TfConvolution(), case)


@pytest.mark.parametrize("dims, params", CONV_GRID)
@pytest.mark.parametrize("groups", [1, 2])
def test_keras_conv_matches_oracle(dims, params, groups):
    params = {"kernel": 3, **params}
    case = make_case("conv", dims, 7, params.pop("kernel"), c_in=4, c_out=6, groups=groups, bias=True, **params)
    assert_matches_oracle(KerasConv(), case)


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
@pytest.mark.parametrize(
    "adapter, op", [(TfConvTranspose(), "conv_transpose"), (TfConvolution(), "conv"), (KerasConvTranspose(), "conv_transpose"), (KerasConv(), "conv")]
)
def test_every_dtype_matches_oracle(adapter, op, dtype):
    case = make_case(op, 2, 5, 3, c_in=4, c_out=6, dtype=dtype, stride=2, padding="same")
    assert_matches_oracle(adapter, case)


# -- the framework behaviours recorded as expectations ---------------------------------
@pytest.mark.parametrize("dtype, raises", [("float64", True), ("float16", True), ("float32", False), ("bfloat16", False)])
@pytest.mark.parametrize("dims", [1, 2, 3])
def test_tf_conv_transpose_dilation_runs_only_on_the_onednn_dtypes(dims, dtype, raises):
    case = make_case("conv_transpose", dims, 4, 3, dtype=dtype, dilation=2, padding="valid")
    if raises:
        with pytest.raises(tf.errors.InvalidArgumentError, match="not yet support dilation rates larger than 1"):
            run(TfConvTranspose(), case)
    else:
        assert_matches_oracle(TfConvTranspose(), case)


def test_tf_conv_transpose_explicit_padding_with_dilation_raises_even_in_float32():
    case = make_case("conv_transpose", 2, 4, 3, dilation=2, padding=[[1, 0], [1, 0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="not yet support dilation rates larger than 1"):
        run(TfConvTranspose(), case)


def test_tf_convolution_3d_groups_raise():
    case = make_case("conv", 3, 5, 3, c_in=4, c_out=6, groups=2, dtype="float64")
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Number of channels in filter \(2\) must match"):
        run(TfConvolution(), case)


@pytest.mark.parametrize("dtype, error", [("float64", "InvalidArgumentError"), ("float32", "AbortedError")])
def test_keras_same_even_kernel_output_padding_zero_raises(dtype, error):
    # Keras: O = (L-1)s + k%2 + output_padding = 6 for output_padding=0; TF's SAME needs ceil(O/s) == L = 4.
    case = make_case("conv_transpose", 2, 4, 2, dtype=dtype, stride=2, padding="same", output_shape=6)
    call = KerasConvTranspose().express(case)
    assert call.kwargs["output_padding"] == [0, 0]
    with pytest.raises(Exception) as raised:
        KerasConvTranspose().execute(case, call)
    assert type(raised.value).__name__ == error


@pytest.mark.parametrize("dtype, shape", [("float32", (1, 4, 2, 2)), ("float64", (1, 6, 0, 0))])
def test_tf_convolution_accepts_a_kernel_larger_than_the_input(dtype, shape):
    rng = np.random.default_rng(3)
    case = Case.make("too-big", "conv", rng.normal(size=(1, 4, 2, 2)), rng.normal(size=(6, 4, 3, 3)), dtype=dtype, expect="error")
    # oneDNN (float32) hands back a tensor shaped like the input; Eigen (float64) an empty one.
    assert run(TfConvolution(), case).shape == shape


# -- repro scripts -----------------------------------------------------------------------
REPRO_CASES = [
    (TfConvTranspose(), make_case("conv_transpose", 2, 4, 3, stride=2, padding=[[1, 0], [2, 1]], output_padding=1)),
    (TfConvTranspose(), make_case("conv_transpose", 1, 4, 2, dtype="bfloat16", stride=3, padding="same")),
    (TfConvolution(), make_case("conv", 3, 5, 3, c_in=4, c_out=6, dtype="float16", stride=2, padding="same")),
    (KerasConvTranspose(), make_case("conv_transpose", 2, 4, 3, bias=True, dtype="bfloat16", stride=2, padding="same", output_shape=7)),
    (KerasConv(), make_case("conv", 1, 7, 3, c_in=4, c_out=6, groups=2, bias=True, dtype="float64", dilation=2, padding="same")),
]


@pytest.mark.parametrize("adapter, case", REPRO_CASES, ids=[f"{a.name}-{c.dtype}" for a, c in REPRO_CASES])
def test_repro_source_reproduces_execute(adapter, case):
    assert_repro_reproduces(adapter, case)


def test_unsupported_cases_stay_unsupported_on_the_real_adapter():
    refused = KerasConvTranspose().express(make_case("conv_transpose", 2, 4, 3, stride=2, dilation=2))
    assert isinstance(refused, Unsupported) and refused.reason == "stride > 1 with dilation > 1"
