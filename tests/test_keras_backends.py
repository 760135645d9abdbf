"""Keras 3 layers on the JAX and PyTorch backends against the oracle, on the real backend.

Keras fixes its backend at first import, so one process tests one backend: the adapters
of the running backend are checked numerically, the others must refuse to run. Run under
``KERAS_BACKEND=jax`` (keras-jax) or ``KERAS_BACKEND=torch`` (keras-torch). Also pins the
backend behaviours the expectations files record.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

from conformance.adapters.base import RAISED_BY_FRAMEWORK
from conformance.adapters.keras_api import KerasConv, KerasConvTranspose, WrongKerasBackend
from conformance.adapters.keras_backends import (
    KerasJaxConv,
    KerasJaxConvTranspose,
    KerasTorchConv,
    KerasTorchConvTranspose,
)
from conformance.oracle import evaluate
from conformance.repro import build_repro
from conformance.runner.executor_child import raised_by_framework
from adapter_checks import assert_ran, make_case, run, run_scripts

# The TensorFlow-backend layers too: on another backend they must refuse like the others.
ADAPTERS = [
    KerasJaxConvTranspose(),
    KerasJaxConv(),
    KerasTorchConvTranspose(),
    KerasTorchConv(),
    KerasConvTranspose(),
    KerasConv(),
]


def test_repro_source_chooses_the_backend_before_keras_is_imported():
    # Pure: no keras needed.
    case = make_case("conv", 1, 5, 3)
    adapter = KerasTorchConv()
    source = adapter.repro_source(case, adapter.express(case))
    lines = source.splitlines()
    assert lines[1] == 'os.environ["KERAS_BACKEND"] = "torch"  # before keras is imported'
    imported = lines.index("import keras")
    assert imported > 1
    # checked right after the import, before any layer is built
    check = lines.index('if keras.backend.backend() != "torch":')
    assert imported < check < lines.index(next(line for line in lines if line.startswith("layer = ")))
    assert lines[check + 1] == "    raise ImportError("


def test_one_rendering_for_every_keras3_backend():
    # Pure: the three backends' texts differ only in the backend's name.
    case = make_case("conv_transpose", 2, 4, 3, bias=True, stride=2, padding="same", output_shape=7)
    adapters = (KerasConvTranspose(), KerasJaxConvTranspose(), KerasTorchConvTranspose())
    texts = {adapter.backend: adapter.repro_source(case, adapter.express(case)) for adapter in adapters}
    # but on JAX the weights set_weights replaces are drawn as zeros: XLA compiles a random draw per shape
    zeros = ", kernel_initializer='zeros', bias_initializer='zeros'"
    assert zeros + ", dtype=dtype)" in texts["jax"]
    assert texts["jax"].replace(zeros, "").replace("jax", "tensorflow") == texts["tensorflow"]
    assert texts["torch"].replace("torch", "tensorflow") == texts["tensorflow"]
    # the layer with the asked arguments, built channels-last, weights set, one call
    assert "layer = keras.layers.Conv2DTranspose(filters=3, kernel_size=[3, 3], strides=[2, 2], padding='same'," in texts["jax"]
    assert "output_padding=[0, 0]" in texts["jax"]
    assert "layer.build((2, 4, 4, 2))  # NHWC" in texts["jax"]
    assert "kernel = np.ascontiguousarray(np.transpose(w, (2, 3, 1, 0)), dtype=np_dtype)  # IOHW -> HWOI" in texts["jax"]
    assert "layer.set_weights([kernel] + ([] if b is None else [b.astype(np_dtype)]))" in texts["jax"]


def test_framework_modules_name_keras_and_the_backend():
    # Pure: Keras' own checks raise in keras, the kernels' errors in the backend's packages.
    assert KerasJaxConvTranspose.raising_packages() == KerasJaxConv.raising_packages() == ("keras", "jax", "jaxlib")
    assert KerasTorchConvTranspose.raising_packages() == KerasTorchConv.raising_packages() == ("keras", "torch")
    assert {KerasJaxConv.framework, KerasTorchConv.framework} == {"keras-jax", "keras-torch"}


def running_backend() -> str:
    """The backend keras runs on here; skips when keras (or that backend) is absent."""
    pytest.importorskip(os.environ.get("KERAS_BACKEND", "tensorflow"))
    keras = pytest.importorskip("keras")
    return keras.backend.backend()


def adapter_for(op: str):
    backend = running_backend()
    chosen = [a for a in ADAPTERS if a.backend == backend and a.op == op]
    if not chosen:
        pytest.skip(f"keras runs on {backend}; these tests are for jax and torch")
    return chosen[0]


def verdict(adapter, case):
    from conformance.compare import judge

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras' torch clamping warning is what some tests look at
        return judge(case, run(adapter, case), evaluate(case))


def assert_matches_oracle(adapter, case):
    __tracebackhide__ = True
    result = verdict(adapter, case)
    assert result.status == "PASS", f"{adapter.name}: {result.message}"


# -- the backend check ------------------------------------------------------------------------
def test_adapters_of_another_backend_refuse_to_run(monkeypatch):
    backend = running_backend()
    case = make_case("conv", 1, 5, 3)
    others = [a for a in ADAPTERS if a.backend != backend and a.op == "conv"]
    assert others
    for adapter in others:
        # loading the adapter refuses (the runner loads before it runs anything) ...
        with pytest.raises(WrongKerasBackend, match=f"not '{adapter.backend}'.*KERAS_BACKEND={adapter.backend}"):
            adapter.framework_version()
        assert adapter.available()[0] is False
        # ... and so does the rendered call, with an error of its own text: HARNESS, never a result
        monkeypatch.setenv("KERAS_BACKEND", backend)  # the text sets it; restored after the test
        words = f"on the '{backend}' backend, not '{adapter.backend}'.*KERAS_BACKEND={adapter.backend}"
        with pytest.raises(ImportError, match=words) as raised:
            adapter.execute(case, adapter.express(case))
        assert not raised_by_framework(raised.value, adapter.raising_packages())


def test_framework_version_names_keras_and_the_backend():
    backend = running_backend()
    adapter = adapter_for("conv")
    keras = pytest.importorskip("keras")
    backend_module = pytest.importorskip(backend)
    assert adapter.framework_version() == f"keras {keras.__version__} ({backend} {backend_module.__version__})"


def test_build_properties_are_the_backends_own():
    backend = running_backend()
    adapter = adapter_for("conv_transpose")
    if backend == "torch":
        from conformance.adapters.torch_api import _TorchAdapter

        props = adapter.build_properties()
        assert props == _TorchAdapter.build_properties()
        assert props["cpu_capability"] == pytest.importorskip("torch").backends.cpu.get_cpu_capability()
    elif backend == "jax":
        assert adapter.build_properties() == {}  # XLA reports no kernel choice; XLA_FLAGS is in the run's env
    else:
        from conformance.adapters.tensorflow_api import tensorflow_build_properties

        assert adapter.build_properties() == tensorflow_build_properties()


# -- Keras' own checks: asked, and Keras answers -------------------------------------------------
def raises_in_keras(adapter, case, words):
    """The adapter expresses the case; the layer's constructor refuses it, as the framework."""
    call = adapter.express(case)
    with pytest.raises(ValueError, match=words) as raised:
        adapter.execute(case, call)
    assert getattr(raised.value, RAISED_BY_FRAMEWORK, False)
    assert type(raised.value).__module__ == "builtins"  # Keras' ValueError, raised inside framework_call
    assert raised_by_framework(raised.value, adapter.raising_packages())  # the runner counts it as Keras' answer


@pytest.mark.parametrize("op", ["conv", "conv_transpose"])
def test_keras_refuses_stride_with_dilation(op):
    adapter = adapter_for(op)
    case = make_case(op, 2, 7, 3, stride=2, dilation=2, padding="valid")
    raises_in_keras(adapter, case, "`strides > 1` not supported in conjunction with `dilation_rate > 1`")


@pytest.mark.parametrize(
    "params, words",
    [
        ({"stride": 2, "padding": "valid", "output_shape": 11}, "`output_padding` must be strictly less than `strides`"),
        ({"stride": 2, "padding": "same", "output_shape": 6}, "do not satisfy `value >= 0`"),
    ],
)
def test_keras_refuses_output_padding_outside_its_range(params, words):
    adapter = adapter_for("conv_transpose")
    raises_in_keras(adapter, make_case("conv_transpose", 1, 4, 3, **params), words)


# -- numbers ------------------------------------------------------------------------------------
TRANSPOSE_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims in (1, 2, 3)
    for label, params in [
        ("valid", {"padding": "valid"}),
        ("valid-stride3-k2-output_shape", {"kernel": 2, "stride": 3, "padding": "valid", "output_shape": 11}),
        ("same-stride2-k4", {"kernel": 4, "stride": 2, "padding": "same"}),
        ("same-stride1-k3", {"padding": "same"}),
        ("zero-pads-output_padding", {"stride": 2, "padding": 0, "output_padding": 1}),
    ]
]


@pytest.mark.parametrize("dims, params", TRANSPOSE_GRID)
def test_conv_transpose_matches_oracle(dims, params):
    params = {"kernel": 3, **params}
    case = make_case("conv_transpose", dims, 4, params.pop("kernel"), bias=True, **params)
    assert_matches_oracle(adapter_for("conv_transpose"), case)


CONV_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims in (1, 2, 3)
    for label, params in [
        ("valid", {"padding": "valid"}),
        ("same-stride2", {"stride": 2, "padding": "same"}),
        ("same-k4-stride3", {"kernel": 4, "stride": 3, "padding": "same"}),
        ("dilation2-same", {"dilation": 2, "padding": "same"}),
    ]
]


@pytest.mark.parametrize("dims, params", CONV_GRID)
@pytest.mark.parametrize("groups", [1, 2])
def test_conv_matches_oracle(dims, params, groups):
    params = {"kernel": 3, **params}
    case = make_case("conv", dims, 7, params.pop("kernel"), c_in=4, c_out=6, groups=groups, bias=True, **params)
    assert_matches_oracle(adapter_for("conv"), case)


def tf_kernel_refuses(dtype: str) -> bool:
    """On the TensorFlow backend: whether TF routes ``dtype`` to a oneDNN that the
    ONEDNN_MAX_CPU_ISA cap left without a kernel (the run properties the expectations read;
    test_tensorflow_adapters.tf_cpu_kernel decides, for every TF adapter alike)."""
    from test_tensorflow_adapters import tf_cpu_kernel

    return tf_cpu_kernel(dtype) == "capped-onednn"


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
@pytest.mark.parametrize("op", ["conv", "conv_transpose"])
def test_low_precision_dtypes_match_oracle(op, dtype):
    adapter = adapter_for(op)
    case = make_case(op, 2, 5, 4, c_in=4, c_out=6, dtype=dtype, stride=2, padding="same")
    if adapter.backend == "tensorflow" and tf_kernel_refuses(dtype):
        with pytest.raises(Exception, match="could not create a primitive descriptor") as raised:
            run(adapter, case)
        assert type(raised.value).__name__ == "AbortedError"
        return
    assert_matches_oracle(adapter, case)


SCRIPT_OPS = ["conv", "conv_transpose"]


def script_case(op: str):
    return make_case(op, 2, 5, 3, bias=True, stride=2, padding="same")


@pytest.fixture(scope="module")
def script_outputs(tmp_path_factory) -> dict[str, str]:
    """Each op's repro script on the running backend, the two run in one fresh isolated
    interpreter (one cold import of Keras and its backend), each as its own __main__."""
    scripts = []
    for op in SCRIPT_OPS:
        adapter, case = adapter_for(op), script_case(op)
        scripts.append(build_repro(case, adapter, adapter.express(case), evaluate(case)))
    return dict(zip(SCRIPT_OPS, run_scripts(scripts, tmp_path_factory.mktemp("keras-repro")), strict=True))


@pytest.mark.parametrize("op", SCRIPT_OPS)
def test_repro_script_runs_standalone_and_matches_the_run(op, script_outputs):
    # execute runs the rendered call itself; the script embeds the same text. What can still
    # go wrong is the text leaning on the harness: it must run alone, isolated from conformance,
    # choosing its backend itself.
    adapter = adapter_for(op)
    case = script_case(op)
    call = adapter.express(case)
    source = adapter.repro_source(case, call)
    assert "conformance" not in source
    y = adapter.execute(case, call)
    reference = evaluate(case)
    out = assert_ran(script_outputs[op])
    assert f"framework output shape: {y.shape}" in out
    assert f"max abs difference: {float(np.max(np.abs(y - reference)))!r}" in out


# -- the backend behaviours recorded as expectations --------------------------------------------
@pytest.mark.parametrize("op", ["conv", "conv_transpose"])
def test_float64_layers_on_jax_compute_in_float32(op):
    """Keras does not enable jax_enable_x64: a dtype='float64' layer runs in float32."""
    adapter = adapter_for(op)
    if adapter.backend != "jax":
        pytest.skip("a jax backend behaviour")
    case = make_case(op, 2, 5, 3, dtype="float64", padding="valid")
    result = verdict(adapter, case)
    assert result.status == "FAIL"
    assert 2.0**-30 < result.max_abs_err < 2.0**-15  # float32 rounding, not a different result


@pytest.mark.parametrize("dims", [1, 2])
def test_float64_layers_on_torch_compute_in_float64(dims):
    adapter = adapter_for("conv_transpose")
    if adapter.backend != "torch":
        pytest.skip("a torch backend behaviour")
    assert_matches_oracle(adapter, make_case("conv_transpose", dims, 4, 3, dtype="float64", stride=2, padding="same"))


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("kernel", [3, 4])
def test_torch_backend_keeps_the_odd_same_crop_at_the_end(dims, kernel):
    """'same', stride 2: torch's symmetric padding cannot place an odd crop, Keras still does.

    Keras 3.15 calls torch with padding 0 and crops the JAX window itself
    (``compute_conv_transpose_output_crops_for_torch``, keras-team/keras#22876); before, the
    window was shifted by one for odd kernels and output_padding was clamped.
    """
    adapter = adapter_for("conv_transpose")
    if adapter.backend != "torch":
        pytest.skip("a torch backend behaviour")
    case = make_case("conv_transpose", dims, 4, kernel, stride=2, padding="same")
    assert_matches_oracle(adapter, case)


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_torch_backend_no_longer_clamps_same_with_an_even_kernel_at_stride_1(dims):
    """'same', k=2, stride 1: the old conversion needed torch output_padding 1 >= stride.

    Keras clamped it to 0 with a warning (keras-team/keras#20949, #21852); 3.15 crops instead.
    """
    adapter = adapter_for("conv_transpose")
    if adapter.backend != "torch":
        pytest.skip("a torch backend behaviour")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # a clamping warning would fail the test
        y = run(adapter, make_case("conv_transpose", dims, 4, 2, padding="same"))
    assert y.shape[2:] == (4,) * dims
    assert_matches_oracle(adapter, make_case("conv_transpose", dims, 4, 2, padding="same"))
