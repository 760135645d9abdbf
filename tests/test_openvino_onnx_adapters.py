"""openvino.onnx.* adapters against the oracle: the ONNX node through OpenVINO's ONNX frontend, CPU plugin.

Also pins the frontend behaviours expectations/openvino.onnx.*.yaml record: when OpenVINO
changes one, its test here says so. Nothing here depends on the machine: every test compiles
with EXECUTION_MODE_HINT=ACCURACY (the model's precision on every CPU; the adapters' default
compile runs float32 Conv in bf16 on AVX512_BF16/AMX CPUs, which test_openvino_adapters.py
checks against the recorded run property).
"""

from __future__ import annotations

import pytest

pytest.importorskip("openvino")
pytest.importorskip("onnx")

from adapter_checks import assert_matches_oracle, assert_repro_reproduces, grid_case, make_case, verdict  # noqa: E402

from conformance.adapters import openvino_precision  # noqa: E402
from conformance.adapters.openvino_onnx_api import OpenVinoOnnxConv, OpenVinoOnnxConvTranspose  # noqa: E402


@pytest.fixture(autouse=True)
def accuracy_mode(monkeypatch):
    monkeypatch.setenv(openvino_precision.ENV_VAR, "ACCURACY")

TRANSPOSE_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims in (1, 2, 3)
    for label, params in [
        ("valid", {"padding": "valid"}),
        ("same-stride2", {"stride": 2, "padding": "same"}),
        ("same-stride1-k2", {"kernel": 2, "padding": "same"}),  # odd crop: SAME_UPPER crops the end
        ("same_lower-stride1-k2", {"kernel": 2, "padding": "same_lower"}),
        ("same_lower-output_shape", {"stride": 2, "padding": "same_lower", "output_shape": 8}),
        ("asymmetric-output_padding", {"stride": 2, "padding": [[2, 0]], "output_padding": 1}),
        ("explicit-output_shape", {"stride": 2, "padding": [[1, 0]], "output_shape": 8}),
        ("dilation2-stride2", {"dilation": 2, "stride": 2, "padding": [[1, 2]]}),
        ("groups-bias", {"groups": 2, "c_in": 4, "c_out": 6, "bias": True, "stride": 2, "padding": "same"}),
    ]
]


@pytest.mark.parametrize("dims, params", TRANSPOSE_GRID)
def test_conv_transpose_matches_oracle(dims, params):
    assert_matches_oracle(OpenVinoOnnxConvTranspose(), grid_case("conv_transpose", dims, 4, params))


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize(
    "params",
    [
        {"padding": "same", "stride": 2},
        {"padding": [[2, 0]], "dilation": 2, "bias": True},
        {"groups": 2, "padding": "same_lower", "kernel": 4, "stride": 3},
    ],
)
def test_conv_matches_oracle(dims, params):
    assert_matches_oracle(OpenVinoOnnxConv(), grid_case("conv", dims, 7, params, c_in=4, c_out=6))


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_repro_text_is_what_runs(dtype):
    case = make_case("conv_transpose", 2, 4, 3, bias=True, stride=2, padding="same", dtype=dtype)
    assert_repro_reproduces(OpenVinoOnnxConvTranspose(), case)


# -- the frontend behaviours recorded as expectations -------------------------------------------
def test_same_upper_with_output_shape_puts_the_odd_crop_first():
    # L=4, k=3, s=2: F=9, output_shape 8, total 1: the spec (and ORT) crop it at the end; the
    # frontend ignores auto_pad when output_shape is given and crops it at the start.
    case = make_case("conv_transpose", 1, 4, 3, stride=2, padding="same", output_shape=[8])
    result = verdict(OpenVinoOnnxConvTranspose(), case)
    assert (result.status, result.diagnosis) == ("FAIL", "window-shifted(1)")


def test_same_with_a_kernel_shorter_than_the_stride_returns_the_full_length():
    case = make_case("conv_transpose", 2, 4, 1, stride=2, padding="same")
    result = verdict(OpenVinoOnnxConvTranspose(), case)
    assert result.status == "FAIL" and result.diagnosis == "window-shifted(0,0)"


def test_float64_runs_in_float32():
    case = make_case("conv_transpose", 2, 4, 3, stride=2, padding="same", dtype="float64")
    assert verdict(OpenVinoOnnxConvTranspose(), case).status == "FAIL"


def test_the_default_compile_runs_conv_at_the_inference_precision_the_run_records(monkeypatch):
    """Without the hint (what users write), a float32 Conv runs at the plugin's inference
    precision: bf16 gives reduced-precision, f32 a PASS; ConvTranspose keeps float32."""
    monkeypatch.delenv(openvino_precision.ENV_VAR)
    hint = OpenVinoOnnxConv.build_properties()["inference_precision"]
    result = verdict(OpenVinoOnnxConv(), make_case("conv", 2, 6, 1, c_in=1, c_out=2, seed=3))
    expected = ("FAIL", "reduced-precision") if hint == "bf16" else ("PASS", None)
    assert (result.status, result.diagnosis) == expected, result.message
    assert_matches_oracle(OpenVinoOnnxConvTranspose(), make_case("conv_transpose", 2, 6, 1, c_in=1, c_out=2, seed=3))
