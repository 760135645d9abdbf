"""openvino.* adapters against the oracle, on the CPU plugin.

The geometry tests compile with EXECUTION_MODE_HINT=ACCURACY (the model's own precision), so
that their float32 data is judged at float32 on every CPU; the default compile's precision,
which depends on the CPU, is tested against what the run records of it (``build_properties``:
``inference_precision``), as the expectations are."""

from __future__ import annotations

import pytest

pytest.importorskip("openvino")

from conformance.adapters.openvino_api import OpenVinoConvolution, OpenVinoConvolutionBackpropData  # noqa: E402
from adapter_checks import assert_matches_oracle, grid_case, assert_repro_reproduces, make_case, verdict  # noqa: E402

from conformance.adapters import openvino_precision  # noqa: E402


@pytest.fixture
def accuracy_mode(monkeypatch):
    monkeypatch.setenv(openvino_precision.ENV_VAR, "ACCURACY")

TRANSPOSE_GRID = [
    pytest.param(dims, params, id=f"{dims}d-{label}")
    for dims in (1, 2, 3)
    for label, params in [
        ("valid", {"padding": "valid"}),
        ("same-stride2", {"stride": 2, "padding": "same"}),
        ("same-stride1-k2", {"kernel": 2, "padding": "same"}),
        ("same_lower-stride1-k2", {"kernel": 2, "padding": "same_lower"}),
        ("asymmetric-output_padding", {"stride": 2, "padding": [[2, 0]], "output_padding": 1}),
        ("explicit-output_shape", {"stride": 2, "padding": [[1, 0]], "output_shape": 8}),
        ("dilation2-stride2", {"dilation": 2, "stride": 2, "padding": [[1, 2]]}),
        ("groups", {"groups": 2, "c_in": 4, "c_out": 6, "stride": 2, "padding": "same"}),
    ]
]



@pytest.mark.parametrize("dims, params", TRANSPOSE_GRID)
def test_conv_transpose_matches_oracle(dims, params, accuracy_mode):
    assert_matches_oracle(OpenVinoConvolutionBackpropData(), grid_case("conv_transpose", dims, 4, params))


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("params", [{"padding": "same", "stride": 2}, {"padding": [[2, 0]], "dilation": 2},
                                    {"groups": 2, "padding": "same_lower", "kernel": 4, "stride": 3}])
def test_conv_matches_oracle(dims, params, accuracy_mode):
    assert_matches_oracle(OpenVinoConvolution(), grid_case("conv", dims, 7, params, c_in=4, c_out=6))


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_repro_text_is_what_runs(dtype):
    case = make_case("conv_transpose", 2, 4, 3, stride=2, padding="same", dtype=dtype)
    assert_repro_reproduces(OpenVinoConvolutionBackpropData(), case)


@pytest.mark.parametrize("mode", [None, "ACCURACY", "PERFORMANCE"])
def test_float32_convolution_runs_at_the_inference_precision_the_run_records(monkeypatch, mode):
    """OpenVINO's default compile runs a float32 Convolution at the plugin's inference precision
    (bf16 on AVX512_BF16/AMX CPUs: the oracle on bf16-rounded inputs, ``reduced-precision``);
    ACCURACY keeps float32. ConvolutionBackpropData keeps float32 either way (measured on
    AVX512_BF16; on AMX it has not been run)."""
    if mode is None:
        monkeypatch.delenv(openvino_precision.ENV_VAR, raising=False)
    else:
        monkeypatch.setenv(openvino_precision.ENV_VAR, mode)
    build = OpenVinoConvolution.build_properties()
    assert build["execution_mode_hint"] == mode
    assert build["inference_precision"] in ({"dynamic", "f32"} if mode == "ACCURACY" else {"bf16", "f16", "f32"})
    # one product per output, full-mantissa data: any narrower format shows
    case = make_case("conv", 2, 6, 1, c_in=1, c_out=2, seed=3)
    result = verdict(OpenVinoConvolution(), case)
    if build["inference_precision"] == "bf16":
        assert (result.status, result.diagnosis) == ("FAIL", "reduced-precision"), result.message
    else:
        assert result.status == "PASS", result.message
    if build["inference_precision"] != "f16":
        assert_matches_oracle(OpenVinoConvolutionBackpropData(), make_case("conv_transpose", 2, 6, 1, c_in=1, c_out=2, seed=3))
