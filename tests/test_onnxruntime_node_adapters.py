"""onnxruntime_node.* adapters against the oracle, on onnxruntime-node's cpu provider run by Node
(js/ortnode, `npm ci` there, its binary download skipped), with the ONNX model onnxruntime_api's
builder makes."""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip("onnx")

from conformance.adapters.onnxruntime_node_api import NPM_FOLDER  # noqa: E402

if shutil.which("node") is None or not (NPM_FOLDER / "node_modules" / "onnxruntime-node").is_dir():
    pytest.skip("needs node and js/ortnode/node_modules (tox -e ortnode runs npm ci)", allow_module_level=True)

from adapter_checks import assert_matches_oracle, grid_case, make_case  # noqa: E402
from node_checks import assert_js_repro_passes  # noqa: E402

from conformance.adapters.onnxruntime_node_api import OrtNodeConv, OrtNodeConvTranspose  # noqa: E402
from conformance.compare import judge  # noqa: E402
from conformance.oracle import evaluate  # noqa: E402
from conformance.runner.executor_child import raised_by_framework  # noqa: E402

TRANSPOSE_GRID = [
    pytest.param(1, {"padding": "valid", "bias": True}, id="1d-valid-bias"),
    pytest.param(2, {"stride": 2, "padding": "same"}, id="2d-same-stride2"),
    pytest.param(2, {"stride": 2, "padding": [[1, 0]], "output_padding": 1}, id="2d-explicit-output-padding"),
    pytest.param(3, {"stride": 2, "padding": "valid", "kernel": 2, "groups": 2, "c_in": 2, "c_out": 4}, id="3d-groups"),
]
CONV_GRID = [
    pytest.param(1, {"stride": 2, "padding": [[2, 1]]}, id="1d-explicit-stride2"),
    pytest.param(2, {"dilation": 2, "padding": [[2, 2]], "bias": True}, id="2d-explicit-dilation2-bias"),
    pytest.param(3, {"padding": "valid", "kernel": 2, "groups": 2}, id="3d-groups"),
]


@pytest.mark.parametrize("dims, params", TRANSPOSE_GRID)
def test_conv_transpose_matches_oracle(dims, params):
    assert_matches_oracle(OrtNodeConvTranspose(), grid_case("conv_transpose", dims, 4, params))


@pytest.mark.parametrize("dims, params", CONV_GRID)
def test_conv_matches_oracle(dims, params):
    assert_matches_oracle(OrtNodeConv(), grid_case("conv", dims, 7, params, c_in=4, c_out=6))


@pytest.mark.parametrize("adapter, op", [(OrtNodeConvTranspose(), "conv_transpose"), (OrtNodeConv(), "conv")])
def test_float16_runs_and_float64_is_refused_in_the_runtimes_words(adapter, op):
    half = make_case(op, 2, 5, 3, c_in=4, c_out=6, dtype="float16", stride=2, padding="valid")
    assert judge(half, adapter.execute(half, adapter.express(half)), evaluate(half)).status == "PASS"
    double = make_case(op, 2, 5, 3, c_in=4, c_out=6, dtype="float64", stride=2, padding="valid")
    with pytest.raises(RuntimeError, match="Could not find an implementation for") as raised:
        adapter.execute(double, adapter.express(double))
    assert raised_by_framework(raised.value, adapter.raising_packages())


def test_build_properties():
    build = OrtNodeConv.build_properties()
    assert build["backend"] == "cpu" and build["onnxruntime_common"] == OrtNodeConv.framework_version() == "1.30.0"


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_the_mjs_repro_runs_standalone_and_matches_the_run(dtype, tmp_path):
    case = make_case("conv_transpose", 2, 4, 3, bias=True, stride=2, padding="valid", dtype=dtype)
    assert_js_repro_passes(OrtNodeConvTranspose(), case, tmp_path)
