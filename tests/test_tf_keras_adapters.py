"""tf_keras.layers.* (Keras 2) adapters against the oracle, on the real framework.

Also pins the Keras 2 behaviours the expectations files record (Conv3DTranspose ignoring
dilation_rate, its own refusals of what the adapter asks, the documented-unsupported 1D dilation
that oneDNN computes) and the one where Keras 2 does better than Keras 3 (dilated
Conv2DTranspose in float64): when tf_keras changes one, its test here says so. Where the
behaviour depends on the kernel TF picks, the test reads the run properties the expectations
read (``test_tensorflow_adapters.tf_cpu_kernel``).
"""

from __future__ import annotations

import os
from pathlib import Path

# Before TensorFlow starts: quiet logs, one thread each (2 shared cores).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

pytest.importorskip("tf_keras")

from conformance.adapters.base import NativeCall  # noqa: E402
from conformance.adapters.tf_keras_api import TfKerasConv, TfKerasConvTranspose  # noqa: E402
from conformance.loader import load_paths  # noqa: E402
from conformance.oracle import evaluate  # noqa: E402
from conformance.repro import build_repro  # noqa: E402
from conformance.runner.executor_child import raised_by_framework  # noqa: E402
from adapter_checks import assert_matches_oracle, assert_ran, make_case, run, run_scripts  # noqa: E402

SEED_FILE = Path(__file__).resolve().parent.parent / "cases" / "seeds" / "rramosp_tf_keras.yaml"


def tf_cpu_kernel(dtype: str) -> str:
    """'onednn', 'capped-onednn' or 'eigen': the TF kernel ``dtype`` runs on here (Keras 2 runs TF's)."""
    from test_tensorflow_adapters import tf_cpu_kernel as decide

    return decide(dtype)


def raises_capped(adapter, case, check):
    """Under a ONEDNN_MAX_CPU_ISA cap that leaves oneDNN no kernel for the dtype: TF's AbortedError."""
    import tensorflow as tf

    with pytest.raises(tf.errors.AbortedError, match="could not create a primitive descriptor"):
        check(adapter, case)


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
    ]
]


@pytest.mark.parametrize("dims, params", TRANSPOSE_GRID)
def test_conv_transpose_matches_oracle(dims, params):
    params = {"kernel": 3, **params}
    case = make_case("conv_transpose", dims, 4, params.pop("kernel"), bias=True, **params)
    assert_matches_oracle(TfKerasConvTranspose(), case)


CONV_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims in (1, 2, 3)
    for label, params in [
        ("valid", {"padding": "valid"}),
        ("same-k4-stride3", {"kernel": 4, "stride": 3, "padding": "same"}),
        ("dilation2-same", {"dilation": 2, "padding": "same"}),
        ("groups-same-stride2", {"groups": 2, "stride": 2, "padding": "same"}),
    ]
]


@pytest.mark.parametrize("dims, params", CONV_GRID)
def test_conv_matches_oracle(dims, params):
    params = {"kernel": 3, **params}
    case = make_case("conv", dims, 7, params.pop("kernel"), c_in=4, c_out=6, bias=True, **params)
    assert_matches_oracle(TfKerasConv(), case)


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
@pytest.mark.parametrize("adapter, op", [(TfKerasConvTranspose(), "conv_transpose"), (TfKerasConv(), "conv")])
def test_every_dtype_matches_oracle(adapter, op, dtype):
    case = make_case(op, 2, 5, 3, c_in=4, c_out=6, bias=True, dtype=dtype, stride=2, padding="same")
    if tf_cpu_kernel(dtype) == "capped-onednn":
        raises_capped(adapter, case, assert_matches_oracle)
        return
    assert_matches_oracle(adapter, case)


@pytest.mark.parametrize("dtype", ["float64", "float16", "float32"])
def test_conv2d_transpose_dilation_runs_in_every_dtype(dtype):
    # Keras 3's Conv2DTranspose raises here in float64/float16 (tf.nn.conv_transpose);
    # Keras 2 goes through tf.nn.atrous_conv2d_transpose.
    case = make_case("conv_transpose", 2, 4, 3, bias=True, dtype=dtype, dilation=2, padding="same")
    if tf_cpu_kernel(dtype) == "capped-onednn":
        raises_capped(TfKerasConvTranspose(), case, assert_matches_oracle)
        return
    assert_matches_oracle(TfKerasConvTranspose(), case)


def test_rramosp_seed_cases_reproduce():
    cases = [case for case in load_paths([SEED_FILE]).cases if case.expected is not None]
    assert len(cases) >= 5
    for case in cases:
        adapter = TfKerasConvTranspose() if case.op == "conv_transpose" else TfKerasConv()
        y = run(adapter, case)
        np.testing.assert_allclose(y, case.expected, rtol=1e-5, err_msg=case.id)


# -- the framework behaviours recorded as expectations ---------------------------------
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv3d_transpose_ignores_dilation(padding):
    dilated = make_case("conv_transpose", 3, 3, 2, dilation=2, padding=padding)
    undilated = make_case("conv_transpose", 3, 3, 2, dilation=1, padding=padding)
    y = run(TfKerasConvTranspose(), dilated)
    np.testing.assert_allclose(y, evaluate(undilated), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_conv1d_transpose_dilation_runs_where_tf_runs_onednn(dtype):
    # Documented 'dilation rate larger than 1 is not currently supported'; asked, oneDNN computes it,
    # Eigen (float64, or oneDNN off) refuses it.
    import tensorflow as tf

    case = make_case("conv_transpose", 1, 4, 3, bias=True, dtype=dtype, dilation=2, padding="valid")
    if tf_cpu_kernel(dtype) == "onednn":
        assert_matches_oracle(TfKerasConvTranspose(), case)
        return
    with pytest.raises(tf.errors.InvalidArgumentError, match="not yet support dilation rates larger than 1") as raised:
        run(TfKerasConvTranspose(), case)
    assert raised_by_framework(raised.value, TfKerasConvTranspose.raising_packages())


@pytest.mark.parametrize(
    "adapter, op, params, words",
    [
        (TfKerasConvTranspose(), "conv_transpose", {"dilation": [1, 2], "padding": "valid"},
         "Expected the 2 dimensions of the `dilation_rate` argument to be equal to each other"),
        (TfKerasConvTranspose(), "conv_transpose", {"stride": 2, "dilation": 2, "padding": "valid"},
         "`strides > 1` not supported in conjunction with `dilation_rate > 1`"),
        (TfKerasConv(), "conv", {"stride": 2, "dilation": 2, "padding": "valid"},
         "`strides > 1` not supported in conjunction with `dilation_rate > 1`"),
        (TfKerasConvTranspose(), "conv_transpose", {"stride": 2, "padding": "valid", "output_shape": 17},  # L=7: 15 + 2
         "Strides must be greater than output padding"),
    ],
    ids=["per-dim-dilation", "transpose-stride-dilation", "conv-stride-dilation", "output_padding-beyond-stride"],
)
def test_keras2_refuses_what_the_adapter_asks(adapter, op, params, words):
    case = make_case(op, 2, 7, 3, **params)
    with pytest.raises(ValueError, match=words) as raised:
        run(adapter, case)
    assert raised_by_framework(raised.value, adapter.raising_packages())  # the runner counts it as Keras 2's answer


def test_build_properties_are_tensorflows():
    from conformance.adapters.tensorflow_api import tensorflow_build_properties

    assert TfKerasConvTranspose.build_properties() == TfKerasConv.build_properties() == tensorflow_build_properties()


# -- repro scripts -----------------------------------------------------------------------
REPRO_CASES = [
    (TfKerasConvTranspose(), make_case("conv_transpose", 2, 4, 3, bias=True, dtype="bfloat16", stride=2, padding="same", output_shape=7)),
    (TfKerasConvTranspose(), make_case("conv_transpose", 1, 4, 2, stride=3, padding="valid")),
    (TfKerasConv(), make_case("conv", 3, 7, 3, c_in=4, c_out=6, groups=2, bias=True, dtype="float64", dilation=2, padding="same")),
]


@pytest.fixture(scope="module")
def repro_outputs(tmp_path_factory) -> dict[int, str]:
    """REPRO_CASES' repro scripts, those TF has a kernel for here, run in one fresh isolated
    interpreter (TensorFlow's cold import once, not once per script), each as its own __main__."""
    runnable = [i for i, (_, case) in enumerate(REPRO_CASES) if tf_cpu_kernel(case.dtype) != "capped-onednn"]
    scripts = []
    for i in runnable:
        adapter, case = REPRO_CASES[i]
        scripts.append(build_repro(case, adapter, adapter.express(case), evaluate(case)))
    return dict(zip(runnable, run_scripts(scripts, tmp_path_factory.mktemp("tf_keras-repro")), strict=True))


@pytest.mark.parametrize("index", range(len(REPRO_CASES)), ids=[f"{a.name}-{c.dtype}" for a, c in REPRO_CASES])
def test_repro_script_runs_standalone_and_matches_the_run(index, repro_outputs):
    # execute runs the rendered call itself; the script embeds the same text. What can still
    # go wrong is the text leaning on the harness: it must run alone, isolated from conformance.
    adapter, case = REPRO_CASES[index]
    call = adapter.express(case)
    assert isinstance(call, NativeCall)
    source = adapter.repro_source(case, call)
    assert "conformance" not in source and call.api in source
    if tf_cpu_kernel(case.dtype) == "capped-onednn":
        raises_capped(adapter, case, run)
        return
    y = adapter.execute(case, call)
    reference = evaluate(case)
    out = assert_ran(repro_outputs[index])
    assert f"framework output shape: {y.shape}" in out
    assert f"max abs difference: {float(np.max(np.abs(y - reference)))!r}" in out
