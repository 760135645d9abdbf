"""onnxruntime.* adapters against the oracle, on the real runtime.

Also pins the ORT behaviours the expectations files record (output length for SAME_* with an
effective kernel shorter than the stride, the output_padding checks, no dilation with SAME_* in
Conv, no float64/bfloat16 kernel): when ORT changes one, its test here says so. ORT has no CPU-ISA
switch and none of these depends on the CPU as far as measured, so no test reads the machine.
"""

from __future__ import annotations

import numpy as np
import pytest

onnxruntime = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

from conformance.adapters.base import RAISED_BY_FRAMEWORK, NativeCall  # noqa: E402
from conformance.adapters.onnxruntime_api import OrtConv, OrtConvTranspose  # noqa: E402
from conformance.compare import judge  # noqa: E402
from conformance.oracle import evaluate  # noqa: E402
from conformance.runner.executor_child import raised_by_framework  # noqa: E402
from adapter_checks import assert_matches_oracle, grid_case, make_case, run  # noqa: E402
from adapter_checks import assert_ran, pair_ids, run_repro_scripts  # noqa: E402  (run repros isolated from this checkout)


TRANSPOSE_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims in (1, 2, 3)
    for label, params in [
        ("valid", {"padding": "valid"}),
        ("valid-stride3-k2", {"kernel": 2, "stride": 3, "padding": "valid"}),
        ("same-stride2", {"stride": 2, "padding": "same"}),
        ("same-stride1-k2", {"kernel": 2, "padding": "same"}),  # odd crop: SAME_UPPER crops the end
        ("same_lower-stride1-k2", {"kernel": 2, "padding": "same_lower"}),  # ... SAME_LOWER the start
        ("same_lower-stride2", {"stride": 2, "padding": "same_lower"}),
        ("same-output_shape", {"stride": 2, "padding": "same", "output_shape": 7}),
        ("valid-output_shape", {"stride": 3, "padding": "valid", "output_shape": 12}),
        ("asymmetric-output_padding", {"stride": 2, "padding": [[2, 0]], "output_padding": 1}),
        ("explicit-output_shape-spec-split", {"stride": 2, "padding": [[1, 0]], "output_shape": 8}),
        ("explicit-output_shape-implied-output_padding", {"stride": 2, "padding": [[0, 1]], "output_shape": 9}),
        ("dilation2-stride2", {"dilation": 2, "stride": 2, "padding": [[1, 2]]}),
        ("groups-bias", {"groups": 2, "c_in": 4, "c_out": 6, "bias": True, "stride": 2, "padding": "same"}),
    ]
]



@pytest.mark.parametrize("dims, params", TRANSPOSE_GRID)
def test_conv_transpose_matches_oracle(dims, params):
    assert_matches_oracle(OrtConvTranspose(), grid_case("conv_transpose", dims, 4, params))


CONV_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims in (1, 2, 3)
    for label, params in [
        ("valid", {"padding": "valid"}),
        ("same-stride2", {"stride": 2, "padding": "same"}),
        ("same_lower-k4-stride3", {"kernel": 4, "stride": 3, "padding": "same_lower"}),
        ("asymmetric-dilation2", {"dilation": 2, "padding": [[2, 0]]}),
        ("groups-bias", {"groups": 2, "bias": True, "stride": 2, "padding": [[0, 1]]}),
    ]
]


@pytest.mark.parametrize("dims, params", CONV_GRID)
def test_conv_matches_oracle(dims, params):
    assert_matches_oracle(OrtConv(), grid_case("conv", dims, 7, params, c_in=4, c_out=6))


@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("adapter, op", [(OrtConvTranspose(), "conv_transpose"), (OrtConv(), "conv")])
def test_every_declared_dtype_matches_oracle(adapter, op, dtype):
    case = make_case(op, 2, 5, 3, c_in=4, c_out=6, bias=True, dtype=dtype, stride=2, padding="same")
    y = run(adapter, case)
    assert judge(case, y, evaluate(case)).status == "PASS"


# -- the runtime behaviours recorded as expectations --------------------------------------
@pytest.mark.parametrize("padding", ["same", "same_lower"])
def test_same_with_effective_kernel_below_stride_returns_the_full_length(padding):
    case = make_case("conv_transpose", 1, 4, 1, stride=2, padding=padding)
    y = run(OrtConvTranspose(), case)
    # spec: L * s = 8; ORT: (L - 1) * s + e = 7, the canonical window's first 7 positions
    assert y.shape == (2, 3, 7)
    np.testing.assert_allclose(y, evaluate(case)[..., :7], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("params", [{"stride": 1, "dilation": 2, "output_padding": 1}, {"stride": 2, "dilation": 3, "output_padding": 2}])
def test_output_padding_at_or_above_stride_is_refused_by_ort(params):
    case = make_case("conv_transpose", 1, 4, 3, padding=0, **params)
    with pytest.raises(Exception, match="output_padding .* may be too large for stride"):
        run(OrtConvTranspose(), case)


@pytest.mark.parametrize("params", [{"stride": 2, "output_padding": 2}, {"stride": 1, "output_padding": 1}])
def test_output_padding_at_or_above_stride_and_dilation_is_refused_by_ort(params):
    # The adapter asks (no Unsupported); ORT's own check answers.
    case = make_case("conv_transpose", 2, 4, 3, padding=1, **params)
    with pytest.raises(Exception, match=r"must be less than max\(stride, dilation\)") as raised:
        run(OrtConvTranspose(), case)
    assert getattr(raised.value, RAISED_BY_FRAMEWORK, False)  # left framework_call: ORT's answer


def test_output_shape_with_a_disagreeing_output_padding_is_computed_by_ort():
    # ONNX defines output_padding beside output_shape (it only enters the pads): ORT returns output_shape.
    # stride 3, pads (1, 1): output_shape 12 implies output_padding 2, the case says 1
    case = make_case("conv_transpose", 1, 4, 3, stride=3, padding=1, output_padding=1, output_shape=12, expect="error")
    assert run(OrtConvTranspose(), case).shape[-1] == 12


@pytest.mark.parametrize("padding", ["same", "same_lower"])
def test_conv_same_with_dilation_is_refused_by_ort(padding):
    case = make_case("conv", 2, 7, 3, dilation=2, padding=padding)
    with pytest.raises(Exception, match="Dilation not supported for AutoPadType::SAME_UPPER or AutoPadType::SAME_LOWER"):
        run(OrtConv(), case)


@pytest.mark.parametrize("dtype", ["float64", "bfloat16"])
@pytest.mark.parametrize("op", ["Conv", "ConvTranspose"])
def test_float64_and_bfloat16_have_no_cpu_kernel(op, dtype):
    # The operator's T takes both; the adapter asks, ORT's CPU provider refuses at session creation.
    adapter = OrtConv() if op == "Conv" else OrtConvTranspose()
    case = make_case("conv" if op == "Conv" else "conv_transpose", 1, 5, 3, padding="valid", dtype=dtype)
    call = adapter.express(case)
    assert isinstance(call, NativeCall)
    with pytest.raises(Exception, match=rf"Could not find an implementation for {op}\(22\)") as raised:
        adapter.execute(case, call)
    assert getattr(raised.value, RAISED_BY_FRAMEWORK, False)
    assert type(raised.value).__module__.startswith("onnxruntime")
    # The rendered call raised it, but not as an error of its own text: the runner counts ORT's answer.
    assert raised_by_framework(raised.value, adapter.raising_packages())


# -- repro scripts -----------------------------------------------------------------------
REPRO_CASES = [
    (OrtConvTranspose(), make_case("conv_transpose", 2, 4, 3, bias=True, stride=2, padding=[[1, 0], [2, 1]], output_padding=1)),
    (OrtConvTranspose(), make_case("conv_transpose", 1, 4, 2, dtype="float16", stride=3, padding="same_lower")),
    (
        OrtConvTranspose(),  # output_shape beside an output_padding it does not imply: all three attributes
        make_case("conv_transpose", 2, 4, 3, stride=3, padding=1, output_padding=1, output_shape=[11, 12], expect="error"),
    ),
    (OrtConv(), make_case("conv", 3, 5, 3, c_in=4, c_out=6, groups=2, stride=2, padding="same")),
]


def expected(case):
    """The oracle's output; None for a case the framework should refuse (no reference)."""
    return None if case.expect == "error" else evaluate(case)


@pytest.fixture(scope="module")
def repro_outputs(tmp_path_factory) -> list[str]:
    """REPRO_CASES' repro scripts run in one fresh isolated interpreter, each as its own __main__."""
    return run_repro_scripts(REPRO_CASES, tmp_path_factory.mktemp("ort-repro"), reference=expected)


@pytest.mark.parametrize("index", range(len(REPRO_CASES)), ids=pair_ids(REPRO_CASES))
def test_repro_script_runs_standalone_and_matches_the_run(index, repro_outputs):
    # execute runs the rendered call itself; the script embeds the same text. What can still
    # go wrong is the text leaning on the harness: it must run alone, isolated from conformance.
    adapter, case = REPRO_CASES[index]
    call = adapter.express(case)
    assert isinstance(call, NativeCall)
    source = adapter.repro_source(case, call)
    assert "conformance" not in source
    y = adapter.execute(case, call)
    reference = expected(case)
    out = assert_ran(repro_outputs[index])
    if reference is None:
        assert f"the framework accepted the invalid case; output shape: {y.shape}" in out
    else:
        assert f"framework output shape: {y.shape}" in out
        if y.shape != reference.shape:  # ORT's SAME_* length with a kernel below the stride
            assert "the shapes differ" in out
        else:
            assert f"max abs difference: {float(np.max(np.abs(y - reference)))!r}" in out


@pytest.mark.parametrize("dtype", ["float64", "bfloat16"])
def test_repro_source_reproduces_the_refusal(dtype):
    adapter = OrtConvTranspose()
    case = make_case("conv_transpose", 1, 4, 3, dtype=dtype, stride=2, padding="valid")
    source = adapter.repro_source(case, adapter.express(case))
    namespace = {"x": case.x, "w": case.w, "b": case.b, "dtype": case.dtype}
    with pytest.raises(Exception, match="Could not find an implementation for ConvTranspose"):
        exec(compile(source, "<repro>", "exec"), namespace)
