"""The MXNet adapters against the oracle, their repro scripts, and MXNet's own refusals and bugs.

Every scenario runs in every dtype. Where MXNet 1.9.1 on CPU is known to raise or to be
wrong (see ``expectations/mxnet.*.yaml``), the test asserts exactly that, so a fixed or a
new behaviour shows up here. What depends on the machine (oneDNN on or off, its ISA cap, the
CPU) is read from the same run properties the expectations read: the adapters'
``build_properties()`` and ``conformance.properties.machine_properties()``.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

mx = pytest.importorskip("mxnet")

from conformance.adapters.base import RAISED_BY_FRAMEWORK, NativeCall, Unsupported  # noqa: E402
from conformance.adapters.mxnet_api import (  # noqa: E402
    ADAPTERS,
    GluonConvTranspose,
    NdConvolution,
    NdDeconvolution,
    NdDeconvolutionTargetShape,
)
from conformance.adapters.canonical import full_transpose_length  # noqa: E402
from conformance.properties import machine_properties  # noqa: E402
from conformance.case import Case  # noqa: E402
from conformance.compare import judge  # noqa: E402
from conformance.oracle import evaluate  # noqa: E402
from conformance.repro import build_repro  # noqa: E402
from conformance.runner.executor_child import raised_by_framework  # noqa: E402

DTYPES = ("float64", "float32", "float16", "bfloat16")
TRANSPOSED = tuple(cls for cls in ADAPTERS if cls.op == "conv_transpose")

# name -> (op, spatial sizes, kernel sizes, C_in, C_out, canonical parameters)
SCENARIOS = {
    "ct-1d-stride2-pad1-outpad1": ("conv_transpose", (5,), (3,), 2, 3, dict(stride=2, padding=1, output_padding=1)),
    "ct-2d-stride-dilation-per-dim": (
        "conv_transpose", (4, 5), (3, 2), 2, 3, dict(stride=[2, 1], dilation=[1, 2], padding=[1, 2]),
    ),
    "ct-2d-groups-dilation": ("conv_transpose", (4, 4), (3, 2), 4, 2, dict(dilation=2, padding=1, groups=2)),
    "ct-3d-groups-stride2": ("conv_transpose", (3, 4, 3), (2, 3, 2), 4, 6, dict(stride=2, groups=2)),
    "ct-2d-valid-stride3": ("conv_transpose", (3, 4), (2, 3), 3, 2, dict(stride=3, padding="valid")),
    "ct-2d-same-kernel-equals-stride": ("conv_transpose", (3, 4), (2, 2), 2, 3, dict(stride=2, padding="same")),
    "ct-2d-same-stride2-even-crop": ("conv_transpose", (4, 3), (4, 4), 2, 3, dict(stride=2, padding="same")),
    "ct-1d-same-lower-odd-crop": ("conv_transpose", (3,), (3,), 2, 3, dict(stride=2, padding="same_lower")),
    "ct-2d-asymmetric-crop-first": ("conv_transpose", (3, 4), (3, 2), 3, 2, dict(stride=[2, 3], padding=[[1, 0], [2, 1]])),
    "ct-2d-output-shape-explicit": ("conv_transpose", (4, 4), (3, 3), 2, 3, dict(stride=2, padding=1, output_shape=[8, 7])),
    "ct-1d-output-shape-same": ("conv_transpose", (5,), (4,), 2, 3, dict(stride=3, padding="same", output_shape=[14])),
    "conv-1d-stride2-pad1": ("conv", (7,), (3,), 2, 3, dict(stride=2, padding=1)),
    "conv-2d-same-dilation": ("conv", (6, 5), (3, 2), 2, 3, dict(padding="same", dilation=[2, 2])),
    "conv-2d-same-stride2-even-total": ("conv", (5, 5), (3, 3), 2, 3, dict(stride=2, padding="same")),
    "conv-3d-valid-groups-dilation": ("conv", (5, 4, 6), (2, 2, 3), 4, 6, dict(padding="valid", groups=2, dilation=[2, 1, 2])),
}

FP16_GEMM = "FP16 gemm on cpu not implemented!"
NO_NATIVE_3D = "Only 1D or 2D Deconvolution is natively supported"
NO_NATIVE_BF16 = "Unknown type enum 12"
ONEDNN_TARGET_SHAPE = "could not create a descriptor for a dilated deconvolution forward propagation primitive"
ONEDNN_NO_KERNEL = "could not create a primitive descriptor iterator"

BUILD = NdDeconvolution.build_properties()
ONEDNN = bool(BUILD["onednn"])
# oneDNN 2.4's bfloat16 convolutions need avx512_core: the CPU has it and DNNL_MAX_CPU_ISA does not cap below it
BELOW_AVX512 = {"SSE41", "AVX", "AVX2", "AVX2_VNNI"}
ONEDNN_BF16 = (
    ONEDNN
    and "avx512bw" in machine_properties()["cpu_flags"]
    and machine_properties()["env"].get("DNNL_MAX_CPU_ISA", "").upper() not in BELOW_AVX512
)


def make_case(name: str, dtype: str, bias: bool = True, seed: int = 0) -> Case:
    """Random normal tensors (so a flipped kernel or swapped channels cannot pass)."""
    op, spatial, kernel, c_in, c_out, params = SCENARIOS[name]
    groups = params.get("groups", 1)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, c_in, *spatial))
    w_shape = (c_in, c_out // groups, *kernel) if op == "conv_transpose" else (c_out, c_in // groups, *kernel)
    w = rng.normal(size=w_shape)
    b = rng.normal(size=(c_out,)) if bias else None
    return Case.make(f"{name}-{dtype}", op, x, w, b, dtype=dtype, **params)


def known_error(adapter_class, case: Case, call: NativeCall) -> str | None:
    """The message MXNet 1.9.1 (CPU) raises for this call on this machine, or None when it computes."""
    onednn_path = ONEDNN and case.dtype in ("float32", "bfloat16")  # oneDNN takes only these two
    if case.dtype == "bfloat16" and not ONEDNN:
        return NO_NATIVE_BF16  # the native kernels have no bfloat16
    three_d_deconvolution = case.op == "conv_transpose" and case.spatial_dims == 3
    if three_d_deconvolution and not onednn_path:
        return NO_NATIVE_3D  # only oneDNN has a 3D deconvolution
    if case.dtype == "float16":
        return FP16_GEMM
    if adapter_class is NdDeconvolutionTargetShape and onednn_path:
        dims = zip(case.x.shape[2:], case.kernel_spatial, case.stride, case.dilation)
        fulls = [full_transpose_length(n, k, s, d) for n, k, s, d in dims]
        if any(target < full for target, full in zip(call.kwargs["target_shape"], fulls)):
            return ONEDNN_TARGET_SHAPE  # oneDNN takes the raw pad, not InferPad's
    if case.dtype == "bfloat16" and not ONEDNN_BF16:
        return ONEDNN_NO_KERNEL
    return None


def declined_reason(adapter_class, name: str) -> str | None:
    """Which scenarios an adapter declines: target_shape takes sizes, not plain explicit padding."""
    params = SCENARIOS[name][5]
    if adapter_class is NdDeconvolutionTargetShape and not isinstance(params.get("padding", 0), str):
        return None if "output_shape" in params else "explicit-padding"
    return None


def adapter_case_params():
    for adapter_class in ADAPTERS:
        for name, scenario in SCENARIOS.items():
            if scenario[0] == adapter_class.op:
                for dtype in DTYPES:
                    yield pytest.param(adapter_class, name, dtype, id=f"{adapter_class.name}-{name}-{dtype}")


@pytest.mark.parametrize("adapter_class, name, dtype", list(adapter_case_params()))
def test_adapter_against_the_oracle(adapter_class, name, dtype):
    case = make_case(name, dtype)
    adapter = adapter_class()
    call = adapter.express(case)
    if isinstance(call, Unsupported):
        assert call.reason == declined_reason(adapter_class, name), call
        return
    assert declined_reason(adapter_class, name) is None
    error = known_error(adapter_class, case, call)
    if error is not None:
        with pytest.raises(mx.base.MXNetError, match=re.escape(error)):
            adapter.execute(case, call)
        return
    verdict = judge(case, adapter.execute(case, call), evaluate(case))
    assert verdict.status == "PASS", verdict.message


def test_target_shape_scenarios_are_expressed():
    """The target_shape adapter takes every size-driven scenario above."""
    expressed = [name for name, s in SCENARIOS.items() if s[0] == "conv_transpose"
                 and isinstance(NdDeconvolutionTargetShape().express(make_case(name, "float64")), NativeCall)]
    assert expressed == [
        "ct-2d-valid-stride3",
        "ct-2d-same-kernel-equals-stride",
        "ct-2d-same-stride2-even-crop",
        "ct-1d-same-lower-odd-crop",
        "ct-2d-output-shape-explicit",
        "ct-1d-output-shape-same",
    ]


@pytest.mark.parametrize("adapter_class", ADAPTERS, ids=lambda cls: cls.name)
@pytest.mark.parametrize("dtype", ["bfloat16", "float64"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
def test_the_repro_script_runs_on_its_own(adapter_class, dtype, bias, capsys):
    """``execute`` runs the rendered call itself, so the two agree by construction; what can
    still break is the script around it: run the whole repro script in an empty namespace
    (its own imports and tensors, nothing of the harness) and it prints a zero difference,
    or raises MXNet's refusal where ``execute`` does."""
    name = "ct-2d-valid-stride3" if adapter_class.op == "conv_transpose" else "conv-2d-same-dilation"
    case = make_case(name, dtype, bias=bias, seed=7)
    adapter = adapter_class()
    call = adapter.express(case)
    script = build_repro(case, adapter, call, evaluate(case))
    assert "conformance" not in script.split("# The framework call")[1]
    error = known_error(adapter_class, case, call)
    if error is not None:
        for run in (lambda: exec(compile(script, "<repro>", "exec"), {}), lambda: adapter.execute(case, call)):
            with pytest.raises(mx.base.MXNetError, match=re.escape(error)):
                run()
        return
    exec(compile(script, "<repro>", "exec"), {"__name__": "__main__"})
    printed = capsys.readouterr().out
    assert f"framework output shape: {evaluate(case).shape}" in printed
    actual = adapter.execute(case, call)
    difference = float(np.max(np.abs(actual - evaluate(case))))
    assert f"max abs difference: {difference!r}" in printed
    assert judge(case, actual, evaluate(case)).status == "PASS"


@pytest.mark.parametrize("adapter_class", ADAPTERS, ids=lambda cls: cls.name)
def test_the_rendered_call_reads_the_result_back(adapter_class):
    """MXNet computes asynchronously: the rendered text leaves ``y`` as NumPy (read back
    with asnumpy), so an error of the computation is raised while the text runs."""
    name = "ct-2d-valid-stride3" if adapter_class.op == "conv_transpose" else "conv-2d-same-dilation"
    case = make_case(name, "float32", seed=7)
    adapter = adapter_class()
    namespace = {"np": np, "x": case.x, "w": case.w, "b": case.b, "dtype": case.dtype}
    exec(adapter.repro_source(case, adapter.express(case)), namespace)
    assert type(namespace["y"]) is np.ndarray and namespace["y"].dtype == np.float32


@pytest.mark.parametrize("dtype", DTYPES)
def test_adapter_output_is_canonical_float64(dtype):
    case = make_case("ct-3d-groups-stride2", dtype)
    adapter = GluonConvTranspose()
    call = adapter.express(case)
    if known_error(GluonConvTranspose, case, call) is not None:
        pytest.skip(f"MXNet refuses {dtype} 3D deconvolution here: {known_error(GluonConvTranspose, case, call)}")
    y = adapter.execute(case, call)
    assert y.dtype == np.float64 and y.shape == evaluate(case).shape == (2, 6, 6, 9, 6)


# -- the seeds: d2l 12.10 (MXNet edition) prints these numbers ----------------------------
D2L = np.array([[[[0.0, 1.0], [2.0, 3.0]]]])


@pytest.mark.parametrize("adapter_class", [GluonConvTranspose, NdDeconvolution], ids=lambda cls: cls.name)
@pytest.mark.parametrize(
    "params, printed",
    [
        ({}, [[0, 0, 1], [0, 4, 6], [4, 12, 9]]),
        (dict(padding=1), [[4]]),
        (dict(stride=2), [[0, 0, 0, 1], [0, 0, 2, 3], [0, 2, 0, 3], [4, 6, 6, 9]]),
    ],
    ids=["basic", "padding1", "strides2"],
)
def test_d2l_numbers_reproduce(adapter_class, params, printed):
    case = Case.make("d2l", "conv_transpose", D2L, D2L.copy(), dtype="float32", **params)
    adapter = adapter_class()
    y = adapter.execute(case, adapter.express(case))
    np.testing.assert_array_equal(y[0, 0], np.array(printed, dtype=np.float64))


# -- MXNet's discrepancies ----------------------------------------------------------------
@pytest.mark.parametrize("adapter_class", TRANSPOSED, ids=lambda cls: cls.name)
def test_float64_scatter_with_stride_and_dilation_is_wrong(adapter_class):
    """MXNet's native (non-oneDNN) Deconvolution misplaces taps when stride > 1 and
    dilation > 1 (apache/mxnet#11629): x = [1, 2, 3], w = [1, 10], stride 2, dilation 2."""
    x = np.array([[[1.0, 2.0, 3.0]]])
    w = np.array([[[1.0, 10.0]]])
    padding = "valid" if adapter_class is NdDeconvolutionTargetShape else 0
    case = Case.make("s2d2", "conv_transpose", x, w, stride=2, dilation=2, padding=padding, dtype="float64")
    adapter = adapter_class()
    actual = adapter.execute(case, adapter.express(case))
    reference = evaluate(case)
    np.testing.assert_array_equal(reference[0, 0], [1, 0, 12, 0, 23, 0, 30])
    np.testing.assert_array_equal(actual[0, 0], [1, 0, 10, 2, 20, 3, 30])
    verdict = judge(case, actual, reference)
    assert (verdict.status, verdict.diagnosis) == ("FAIL", "unexplained")
    # float32 takes oneDNN when it is on, which computes the same call right; otherwise the same native path
    case32 = Case.make("s2d2", "conv_transpose", x, w, stride=2, dilation=2, padding=padding, dtype="float32")
    expected32 = reference[0, 0] if ONEDNN else [1, 0, 10, 2, 20, 3, 30]
    np.testing.assert_array_equal(adapter.execute(case32, adapter.express(case32))[0, 0], expected32)


def test_target_shape_takes_the_odd_crop_of_same_at_the_start():
    """'same' crops 1 of the full 7 (L=3, k=3, s=2) at the end; MXNet's InferPad at the start."""
    case = make_case("ct-1d-same-lower-odd-crop", "float64")
    same = Case.make("same", "conv_transpose", case.x, case.w, case.b, stride=2, padding="same", dtype="float64")
    adapter = NdDeconvolutionTargetShape()
    for canonical, status, diagnosis in ((same, "FAIL", "window-shifted(1)"), (case, "PASS", None)):
        call = adapter.express(canonical)
        assert call.kwargs["target_shape"] == [6]
        verdict = judge(canonical, adapter.execute(canonical, call), evaluate(canonical))
        assert (verdict.status, verdict.diagnosis) == (status, diagnosis)


@pytest.mark.parametrize("adapter_class", [NdDeconvolution, GluonConvTranspose], ids=lambda cls: cls.name)
def test_a_crop_to_zero_length_returns_an_empty_output(adapter_class):
    """An invalid case MXNet accepts: pad 1 crops all of the full length 2 (L=1, k=2)."""
    x = np.ones((1, 2, 1, 3))
    case = Case.make("crop0", "conv_transpose", x, np.ones((2, 3, 2, 2)), padding=[1, 0], expect="error")
    adapter = adapter_class()
    assert adapter.execute(case, adapter.express(case)).shape == (1, 3, 0, 4)


# -- MXNet's own refusals: the adapters ask MXNet instead of predicting them --------------
def deconvolve(**params):
    x = mx.nd.array(np.ones((1, 2, 3, 3)))
    kernel = params.pop("kernel", (2, 2))
    w = mx.nd.array(np.ones((2, 3, *kernel)))
    if len(kernel) == 3:
        x = x.reshape((1, 2, 3, 3, 1))
    return mx.nd.Deconvolution(x, w, kernel=kernel, num_filter=3, no_bias=True, **params)


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(stride=(2, 2), adj=(2, 0)), "adj(y) must be samller than stride[0]"),
        (dict(stride=(1, 1), adj=(0, 1)), "adj(x) must be samller than stride[1]"),
        (dict(target_shape=(5, 4)), "too big target shape"),
        (dict(kernel=(2, 2, 1), dilate=(1, 2, 1)), "Dilate is not supported in 3d deconvolution"),
    ],
    ids=["adj-equals-stride", "adj-at-stride-1", "target-above-full", "3d-dilation"],
)
def test_mxnet_refuses_these_itself(params, message):
    with pytest.raises(mx.base.MXNetError, match=re.escape(message)):
        deconvolve(**params).wait_to_read()


@pytest.mark.parametrize(
    "adapter_class, shape, kernel, params, message",
    [
        (NdDeconvolution, (4,), (3,), dict(stride=2, output_padding=2), "adj(x) must be samller than stride[0]"),
        (GluonConvTranspose, (4, 4), (2, 2), dict(padding=[[1, 0], [0, 0]]), "adj(y) must be samller than stride[0]"),
        (NdDeconvolution, (3, 3, 3), (2, 2, 2), dict(dilation=[1, 1, 2]), "Dilate is not supported in 3d"),
        (NdDeconvolutionTargetShape, (4,), (1,), dict(stride=2, padding="same"), "too big target shape"),
        (NdDeconvolutionTargetShape, (5,), (4,), dict(padding="same"), "adj(x) must be samller than stride[0]"),
    ],
    ids=["opad-at-stride", "crop-first-at-stride-1", "3d-dilation", "target-above-full", "target-odd-crop-s1"],
)
def test_the_adapters_pass_mxnets_checks_to_mxnet(adapter_class, shape, kernel, params, message):
    """Valid cases MXNet's own validation refuses: expressed, and MXNet's refusal, raised
    while the rendered call runs, counts as the framework's (the runner records ERROR, not
    HARNESS)."""
    x, w = np.ones((1, 2, *shape)), np.ones((2, 3, *kernel))
    case = Case.make("asked", "conv_transpose", x, w, dtype="float32", **params)
    adapter = adapter_class()
    call = adapter.express(case)
    assert isinstance(call, NativeCall), call
    with pytest.raises(mx.base.MXNetError, match=re.escape(message)) as raised:
        adapter.execute(case, call)
    assert getattr(raised.value, RAISED_BY_FRAMEWORK, False)
    assert raised_by_framework(raised.value, adapter.raising_packages())
    files = [entry.frame.code.raw.co_filename for entry in raised.traceback]
    assert f"<rendered call of {adapter.name}>" in files  # raised while the rendered text ran


# -- what the run records of MXNet's build ------------------------------------------------
def test_build_properties_report_onednn_and_engine(monkeypatch):
    build = NdConvolution.build_properties()
    assert build["onednn_built"] is bool(mx.runtime.Features().is_enabled("MKLDNN"))
    assert build["engine"] == (machine_properties()["env"].get("MXNET_ENGINE_TYPE") or "ThreadedEnginePerDevice")
    assert build == GluonConvTranspose.build_properties()  # one report for every MXNet adapter
    monkeypatch.setenv("MXNET_MKLDNN_ENABLED", "0")
    assert NdConvolution.build_properties()["onednn"] is False
    monkeypatch.setenv("MXNET_MKLDNN_ENABLED", "1")
    assert NdConvolution.build_properties()["onednn"] is build["onednn_built"]
    monkeypatch.setenv("MXNET_ENGINE_TYPE", "NaiveEngine")
    assert NdConvolution.build_properties()["engine"] == "NaiveEngine"
