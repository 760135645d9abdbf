"""tf.nn.* and keras.layers.* adapters against the oracle, on the real framework.

Also pins the framework behaviours the expectations files record (dtype-dependent dilation
support, Keras' 'same' + output_padding=0 with an even kernel, silent acceptance of a
kernel larger than the input): when TensorFlow changes one, its test here says so. Where
the behaviour depends on the kernel TF picks, the test reads the run properties the
expectations read (``tf_cpu_kernel``: the adapter's build_properties and the machine's).
"""

from __future__ import annotations

import os
import subprocess
import sys

# Before TensorFlow starts: quiet logs, one thread each (2 shared cores).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from conformance.adapters.base import RAISED_BY_FRAMEWORK, Unsupported  # noqa: E402
from conformance.adapters.keras_api import KerasConv, KerasConvTranspose  # noqa: E402
from conformance.adapters.tensorflow_api import TfConvolution, TfConvTranspose  # noqa: E402
from conformance.oracle import evaluate  # noqa: E402
from conformance.runner.executor_child import raised_by_framework  # noqa: E402
from adapter_checks import assert_ran, run_repro_scripts  # noqa: E402  (run repros isolated from this checkout)
from conformance.case import Case  # noqa: E402
from conformance.properties import machine_properties  # noqa: E402
from adapter_checks import assert_repro_reproduces, assert_matches_oracle, make_case, run  # noqa: E402


def tf_cpu_kernel(dtype: str) -> str:
    """Which CPU kernel TF runs ``dtype`` on here, from the run properties the expectations read.

    'onednn': TF hands the dtype to oneDNN (``onednn`` on; float32 always, bfloat16 with
    avx512f, float16 with avx512bw + avx512_fp16, as TF's IsDataTypeSupportedByOneDNNOnThisCPU
    decides by CPUID); 'capped-onednn': TF does, but ONEDNN_MAX_CPU_ISA leaves oneDNN no kernel
    for it (the caps the expectations record); 'eigen': everything else (float64 always).
    """
    props = machine_properties()
    flags, cap = set(props["cpu_flags"]), props["env"].get("ONEDNN_MAX_CPU_ISA", "").upper()
    routed = {
        "float32": True,
        "bfloat16": "avx512f" in flags,
        "float16": {"avx512bw", "avx512_fp16"} <= flags,
        "float64": False,
    }[dtype]
    if not (TfConvTranspose.build_properties()["onednn"] and routed):
        return "eigen"
    if (dtype, cap) in {("bfloat16", "AVX2"), ("float16", "AVX2"), ("float16", "AVX512_CORE")}:
        return "capped-onednn"
    return "onednn"


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
    case = make_case("conv_transpose", dims, 4, params.pop("kernel"), **params)
    if max(case.dilation) > 1 and tf_cpu_kernel(case.dtype) == "eigen":  # only oneDNN dilates
        with pytest.raises(tf.errors.InvalidArgumentError, match="not yet support dilation rates larger than 1"):
            run(TfConvTranspose(), case)
        return
    assert_matches_oracle(TfConvTranspose(), case)


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
    if max(case.dilation) > 1 and tf_cpu_kernel(case.dtype) == "eigen":  # Keras calls tf.nn.conv_transpose
        with pytest.raises(tf.errors.InvalidArgumentError, match="not yet support dilation rates larger than 1"):
            run(KerasConvTranspose(), case)
        return
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
    if tf_cpu_kernel(dtype) == "capped-onednn":  # every adapter here runs TF's kernels
        with pytest.raises(tf.errors.AbortedError, match="could not create a primitive descriptor"):
            run(adapter, case)
        return
    assert_matches_oracle(adapter, case)


# -- the framework behaviours recorded as expectations ---------------------------------
@pytest.mark.parametrize("dtype", ["float64", "float16", "float32", "bfloat16"])
@pytest.mark.parametrize("dims", [1, 2, 3])
def test_tf_conv_transpose_dilation_runs_only_on_the_onednn_dtypes(dims, dtype):
    case = make_case("conv_transpose", dims, 4, 3, dtype=dtype, dilation=2, padding="valid")
    kernel = tf_cpu_kernel(dtype)
    if kernel == "onednn":
        assert_matches_oracle(TfConvTranspose(), case)
    elif kernel == "capped-onednn":
        with pytest.raises(tf.errors.AbortedError, match="could not create a primitive descriptor"):
            run(TfConvTranspose(), case)
    else:
        with pytest.raises(tf.errors.InvalidArgumentError, match="not yet support dilation rates larger than 1"):
            run(TfConvTranspose(), case)


def test_tf_conv_transpose_explicit_padding_with_dilation_raises_even_in_float32():
    case = make_case("conv_transpose", 2, 4, 3, dilation=2, padding=[[1, 0], [1, 0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="not yet support dilation rates larger than 1"):
        run(TfConvTranspose(), case)


def test_tf_convolution_3d_groups_raise():
    case = make_case("conv", 3, 5, 3, c_in=4, c_out=6, groups=2, dtype="float64")
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Number of channels in filter \(2\) must match"):
        run(TfConvolution(), case)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_keras_same_even_kernel_output_padding_zero_raises(dtype):
    # Keras: O = (L-1)s + k%2 + output_padding = 6 for output_padding=0; TF's SAME needs ceil(O/s) == L = 4.
    case = make_case("conv_transpose", 2, 4, 2, dtype=dtype, stride=2, padding="same", output_shape=6)
    call = KerasConvTranspose().express(case)
    assert call.kwargs["output_padding"] == [0, 0]
    if tf_cpu_kernel(dtype) == "onednn":
        error, words = tf.errors.AbortedError, "could not create a primitive descriptor"
    else:
        error, words = tf.errors.InvalidArgumentError, "Size of out_backprop doesn't match computed"
    with pytest.raises(error, match=words) as raised:
        KerasConvTranspose().execute(case, call)
    assert getattr(raised.value, RAISED_BY_FRAMEWORK, False)
    # Keras wraps TF's error: its own words come first, TF's after
    assert str(raised.value).startswith("Exception encountered when calling Conv2DTranspose.call()")


@pytest.mark.parametrize("dtype", ["float64", "float16", "float32", "bfloat16"])
def test_keras_conv_transpose_dilation_follows_the_tf_kernel(dtype):
    # Keras 3 calls tf.nn.conv_transpose: only oneDNN dilates; Eigen refuses, a capped oneDNN has no kernel.
    case = make_case("conv_transpose", 2, 4, 3, bias=True, dtype=dtype, dilation=2, padding="valid")
    kernel = tf_cpu_kernel(dtype)
    if kernel == "onednn":
        assert_matches_oracle(KerasConvTranspose(), case)
        return
    error, words = (
        (tf.errors.AbortedError, "could not create a primitive descriptor")
        if kernel == "capped-onednn"
        else (tf.errors.InvalidArgumentError, "not yet support dilation rates larger than 1")
    )
    with pytest.raises(error, match=words):
        run(KerasConvTranspose(), case)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_tf_convolution_accepts_a_kernel_larger_than_the_input(dtype):
    rng = np.random.default_rng(3)
    case = Case.make("too-big", "conv", rng.normal(size=(1, 4, 2, 2)), rng.normal(size=(6, 4, 3, 3)), dtype=dtype, expect="error")
    # oneDNN hands back a tensor shaped like the input; Eigen an empty one.
    shape = (1, 4, 2, 2) if tf_cpu_kernel(dtype) == "onednn" else (1, 6, 0, 0)
    assert run(TfConvolution(), case).shape == shape


def test_tf_convolution_stride_with_dilation_is_refused_by_tf():
    case = make_case("conv", 2, 7, 3, c_in=4, c_out=6, stride=2, dilation=2, padding="same")
    with pytest.raises(ValueError, match="`strides > 1` not supported in conjunction with `dilation_rate > 1`") as raised:
        run(TfConvolution(), case)
    # raised by TF's code inside the rendered call (not by the text's own line): TF's answer
    assert raised_by_framework(raised.value, TfConvolution.raising_packages())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_tf_conv_transpose_output_shape_outside_the_gradient_range_is_refused_by_tf(dtype):
    # 'SAME' at stride 2 on L = 4 admits output_shape 7 or 8 only (ceil(O / 2) == 4).
    case = make_case("conv_transpose", 2, 4, 3, dtype=dtype, stride=2, padding="same", output_shape=9)
    if tf_cpu_kernel(dtype) == "onednn":
        error, words = tf.errors.AbortedError, "could not create a primitive descriptor"
    else:
        error, words = tf.errors.InvalidArgumentError, "Size of out_backprop doesn't match computed"
    with pytest.raises(error, match=words) as raised:
        run(TfConvTranspose(), case)
    assert raised_by_framework(raised.value, TfConvTranspose.raising_packages())


def test_tf_build_properties_follow_tf_enable_onednn_opts():
    from tensorflow.python.util import _pywrap_util_port

    assert TfConvTranspose.build_properties() == {"onednn": bool(_pywrap_util_port.IsMklEnabled())}
    assert TfConvolution.build_properties() == TfConvTranspose.build_properties()
    code = "from conformance.adapters.tensorflow_api import tensorflow_build_properties as p; print(p())"
    env = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": "0", "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "{'onednn': False}"


TF_SCRIPT_CASES = [
    (TfConvTranspose(), make_case("conv_transpose", 2, 4, 3, dtype="float64", stride=2, padding="same_lower")),
    (TfConvTranspose(), make_case("conv_transpose", 3, 3, 2, stride=3, padding="valid", output_shape=9)),
    (TfConvolution(), make_case("conv", 1, 7, 3, c_in=4, c_out=6, groups=2, stride=2, padding="same")),
]


@pytest.fixture(scope="module")
def tf_script_outputs(tmp_path_factory) -> list[str]:
    """TF_SCRIPT_CASES' repro scripts, run in one fresh isolated interpreter (TensorFlow's cold
    import, 7-20 s here, once instead of once per script), each as its own __main__."""
    return run_repro_scripts(TF_SCRIPT_CASES, tmp_path_factory.mktemp("tf-repro"))


@pytest.mark.parametrize("index", range(len(TF_SCRIPT_CASES)), ids=[f"{a.name}-{c.spatial_dims}d-{c.dtype}" for a, c in TF_SCRIPT_CASES])
def test_tf_repro_script_runs_standalone_and_matches_the_run(index, tf_script_outputs):
    # execute runs the rendered call itself; the script embeds the same text. What can still
    # go wrong is the text leaning on the harness: it must run alone, isolated from conformance.
    adapter, case = TF_SCRIPT_CASES[index]
    call = adapter.express(case)
    y, reference = adapter.execute(case, call), evaluate(case)
    out = assert_ran(tf_script_outputs[index])
    assert f"framework output shape: {y.shape}" in out
    assert f"max abs difference: {float(np.max(np.abs(y - reference)))!r}" in out


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
    if tf_cpu_kernel(case.dtype) == "capped-onednn":  # every adapter here runs TF's kernels
        with pytest.raises(tf.errors.AbortedError, match="could not create a primitive descriptor"):
            assert_repro_reproduces(adapter, case)
        return
    assert_repro_reproduces(adapter, case)


@pytest.mark.parametrize("adapter, op", [(KerasConvTranspose(), "conv_transpose"), (KerasConv(), "conv")])
def test_keras_refuses_stride_with_dilation_itself(adapter, op):
    # Documented as incompatible and refused by the layer's constructor: asked, not declined.
    case = make_case(op, 2, 7, 3, stride=2, dilation=2, padding="valid")
    with pytest.raises(ValueError, match="`strides > 1` not supported in conjunction with `dilation_rate > 1`") as raised:
        run(adapter, case)
    assert getattr(raised.value, RAISED_BY_FRAMEWORK, False)


def test_keras_refuses_output_padding_beyond_the_stride_itself():
    # valid, k=3, s=2, L=4: O = 11 needs output_padding 2 >= stride
    case = make_case("conv_transpose", 1, 4, 3, stride=2, padding="valid", output_shape=11)
    with pytest.raises(ValueError, match="`output_padding` must be strictly less than `strides`") as raised:
        run(KerasConvTranspose(), case)
    assert getattr(raised.value, RAISED_BY_FRAMEWORK, False)


def test_keras_unsupported_stays_what_the_api_cannot_say():
    refused = KerasConvTranspose().express(make_case("conv_transpose", 2, 4, 3, c_in=2, c_out=2, groups=2))
    assert isinstance(refused, Unsupported) and refused.reason == "groups"


def test_keras_build_properties_are_tensorflows():
    assert KerasConvTranspose.build_properties() == KerasConv.build_properties() == TfConvTranspose.build_properties()
