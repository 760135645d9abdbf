"""tfjs.* adapters against the oracle, on TensorFlow.js run by Node (js/tfjs, `npm ci` there).

The cpu backend is pure JavaScript; the wasm backend picks its SIMD / multi-threaded binary by
feature detection, which ``build_properties`` reports and no test here assumes.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

from conformance.adapters.tfjs_api import NPM_FOLDER

if shutil.which("node") is None or not (NPM_FOLDER / "node_modules" / "@tensorflow" / "tfjs-core").is_dir():
    pytest.skip("needs node and js/tfjs/node_modules (tox -e tfjs runs npm ci)", allow_module_level=True)

from adapter_checks import assert_matches_oracle, grid_case, make_case  # noqa: E402
from node_checks import assert_js_repro_passes, run_js_repro  # noqa: E402

from conformance.adapters.tfjs_api import (  # noqa: E402
    TfjsConv,
    TfjsConvTranspose,
    TfjsConvTransposeWasm,
    TfjsConvWasm,
)
from conformance.adapters.tfjs_grad_api import (  # noqa: E402
    TfjsConvGrad,
    TfjsConvTransposeGrad,
    TfjsConvTransposeWasmGrad,
    TfjsConvWasmGrad,
)
from conformance.bound import oracle_quantity  # noqa: E402
from conformance.case import Case  # noqa: E402
from conformance.compare import judge  # noqa: E402
from conformance.oracle import evaluate, geometry  # noqa: E402
from conformance.repro import build_repro  # noqa: E402
from conformance.runner.executor_child import raised_by_framework  # noqa: E402

TRANSPOSES = [TfjsConvTranspose(), TfjsConvTransposeWasm()]
CONVS = [TfjsConv(), TfjsConvWasm()]

TRANSPOSE_GRID = [
    pytest.param(2, {"padding": "valid"}, id="2d-valid"),
    pytest.param(2, {"stride": 2, "padding": [[1, 0]]}, id="2d-explicit-asymmetric-stride2"),
    pytest.param(2, {"stride": 2, "padding": [[1, 1]], "output_padding": 1}, id="2d-output-padding"),
    pytest.param(3, {"stride": 2, "padding": "valid", "kernel": 2}, id="3d-valid-stride2"),
]
CONV_GRID = [
    pytest.param(1, {"stride": 2, "padding": [[2, 1]]}, id="1d-explicit-stride2"),
    pytest.param(2, {"dilation": 2, "padding": "same"}, id="2d-same-dilation2"),
    pytest.param(2, {"stride": 2, "padding": "same_lower"}, id="2d-same_lower-stride2"),
    pytest.param(3, {"padding": "valid", "kernel": 2}, id="3d-valid"),
]


@pytest.mark.parametrize("adapter", TRANSPOSES, ids=lambda a: a.name)
@pytest.mark.parametrize("dims, params", TRANSPOSE_GRID)
def test_conv_transpose_matches_oracle(adapter, dims, params):
    if adapter.backend == "wasm" and dims == 3:
        pytest.skip("the wasm backend's conv3dTranspose disagrees (expectations/tfjs.conv_transpose@wasm.yaml)")
    assert_matches_oracle(adapter, grid_case("conv_transpose", dims, 4, params))


@pytest.mark.parametrize("adapter", CONVS, ids=lambda a: a.name)
@pytest.mark.parametrize("dims, params", CONV_GRID)
def test_conv_matches_oracle(adapter, dims, params):
    assert_matches_oracle(adapter, grid_case("conv", dims, 7, params, c_in=4, c_out=6))


@pytest.mark.parametrize("adapter", CONVS, ids=lambda a: a.name)
def test_a_tfjs_refusal_is_the_frameworks_error_with_its_words(adapter):
    # TF.js documents it: 'If it is greater than 1, then stride must be 1'
    case = make_case("conv", 1, 9, 3, stride=2, dilation=2, padding="valid")
    call = adapter.express(case)
    with pytest.raises(RuntimeError, match="Either stride or dilation must be 1") as raised:
        adapter.execute(case, call)
    assert raised_by_framework(raised.value, adapter.raising_packages())


@pytest.mark.parametrize("adapter", TRANSPOSES + CONVS, ids=lambda a: a.name)
def test_build_properties_name_the_backend_that_ran(adapter):
    build = type(adapter).build_properties()
    assert build["backend"] == adapter.backend
    assert build["backend_version"] == type(adapter).framework_version() == "4.22.0"
    if adapter.backend == "wasm":
        assert isinstance(build["wasm_simd"], bool) and isinstance(build["wasm_threads"], bool)


def test_nan_and_infinity_come_back():
    x = np.ones((1, 1, 1, 4))
    x[0, 0, 0, :3] = [np.nan, np.inf, -np.inf]
    case = Case.make("nan", "conv", x, np.ones((1, 1, 1, 1)), padding="valid")
    adapter = TfjsConv()
    y = adapter.execute(case, adapter.express(case))
    assert np.isnan(y[0, 0, 0, 0]) and y[0, 0, 0, 1] == np.inf and y[0, 0, 0, 2] == -np.inf


@pytest.mark.parametrize("adapter", [TfjsConvTranspose(), TfjsConvWasm()], ids=lambda a: a.name)
def test_the_mjs_repro_runs_standalone_and_matches_the_run(adapter, tmp_path):
    op = "conv" if adapter.op == "conv" else "conv_transpose"
    assert_js_repro_passes(adapter, make_case(op, 2, 5, 3, stride=2, padding="same"), tmp_path)


def test_a_failing_run_is_a_failing_repro(tmp_path):
    # the wasm conv3dTranspose with C_in > 1 (expectations/tfjs.conv_transpose@wasm.yaml)
    adapter = TfjsConvTransposeWasm()
    case = make_case("conv_transpose", 3, 3, 2, stride=2, padding="valid")
    call = adapter.express(case)
    reference = evaluate(case)
    assert judge(case, adapter.execute(case, call), reference).status == "FAIL"
    assert "verdict: FAIL" in run_js_repro(build_repro(case, adapter, call, reference), NPM_FOLDER, tmp_path)


def _ch_3d_in1_out3() -> Case:
    from conformance.loader import load_paths

    (case,) = [c for c in load_paths([Path(__file__).resolve().parents[1] / "cases" / "channels.yaml"]).cases if c.id == "ch-3d-in1-out3"]
    return case


def test_the_wasm_conv3d_transpose_answer_depends_on_what_ran_before_in_the_process():
    # why tfjs.conv_transpose@wasm sets node_child_per_case: it reads past its filter into the heap
    from conformance.runner.node_executor import NodeExecutor

    case, adapter = _ch_3d_in1_out3(), TfjsConvTransposeWasm()
    source = adapter.repro_source(case, adapter.express(case))
    node = NodeExecutor(NPM_FOLDER)
    try:
        verdicts = [judge(case, node.run_source(source, case).value, evaluate(case)).status for _ in range(2)]
    finally:
        node.close()
    assert verdicts == ["PASS", "FAIL"]


def test_the_runner_gives_each_wasm_conv_transpose_case_a_fresh_node():
    from conformance.runner.executor import Executor, adapter_spec

    case, adapter = _ch_3d_in1_out3(), TfjsConvTransposeWasm()
    with Executor() as executor:
        outcomes = [executor.execute(adapter_spec(TfjsConvTransposeWasm), case, adapter.express(case)) for _ in range(2)]
        assert [judge(case, o.value, evaluate(case)).status for o in outcomes] == ["PASS", "PASS"]
        (node,) = executor._nodes.values()
        assert node.children_started == 2


# -- gradients: tf.grad over the same calls (tfjs_grad_api) ------------------------------------
def gradient_case(op, dims, quantity, **params):
    """A stride-2 layer (C_in != C_out) judging one gradient, with a random upstream gradient."""
    case = make_case(op, dims, 5, 3, c_in=3, c_out=2, stride=2, **params)
    g = np.random.default_rng(1).normal(size=geometry.output_shape(case))
    return dataclasses.replace(case, grad_output=g, check=(quantity,))


def judge_gradient(adapter, case):
    call = adapter.express(case)
    reference = oracle_quantity(case, case.quantity)
    value = adapter.execute(case, call)
    return call, value, reference, judge(case, value, reference, quantity=case.quantity)


GRADIENT_GRID = [
    pytest.param("conv_transpose", 2, {"padding": [[1, 0], [0, 1]]}, id="transpose-2d-explicit"),
    pytest.param("conv", 1, {"padding": "same"}, id="conv-1d-same"),
    pytest.param("conv", 2, {"padding": [[2, 1], [1, 2]]}, id="conv-2d-explicit"),
    pytest.param("conv", 3, {"padding": "valid"}, id="conv-3d-valid"),
]


@pytest.mark.parametrize("quantity", ["grad_input", "grad_weight"])
@pytest.mark.parametrize("op, dims, params", GRADIENT_GRID)
def test_cpu_gradients_match_the_oracle(op, dims, params, quantity):
    adapter = TfjsConvGrad() if op == "conv" else TfjsConvTransposeGrad()
    *_, verdict = judge_gradient(adapter, gradient_case(op, dims, quantity, **params))
    assert verdict.status == "PASS", f"{adapter.name} {quantity}: {verdict.message}"


@pytest.mark.parametrize("op, dims, params", GRADIENT_GRID[:3])  # 3D: the next test
def test_wasm_input_gradients_match_the_oracle(op, dims, params):
    adapter = TfjsConvWasmGrad() if op == "conv" else TfjsConvTransposeWasmGrad()
    *_, verdict = judge_gradient(adapter, gradient_case(op, dims, "grad_input", **params))
    assert verdict.status == "PASS", f"{adapter.name}: {verdict.message}"


def test_wasm_conv3d_input_gradient_is_its_conv3d_transpose_kernels_first_depth_slice():
    # Conv3DBackpropInputV2 on wasm is conv3dTranspose's kernel (expectations/tfjs.conv_transpose@wasm.yaml):
    # depth 2 with a 1x1x1 kernel gives the first slice right and zeros after it
    x, w = np.arange(1.0, 9.0).reshape(1, 1, 2, 2, 2), np.full((1, 1, 1, 1, 1), 2.0)
    g = 10 * np.arange(1.0, 9.0).reshape(1, 1, 2, 2, 2)
    case = Case.make("w3d", "conv", x, w, None, grad_output=g, check=("grad_input",), padding="valid")
    for adapter, expected in ((TfjsConvGrad(), 2 * g), (TfjsConvWasmGrad(), np.concatenate([2 * g[:, :, :1], 0 * g[:, :, 1:]], axis=2))):
        np.testing.assert_array_equal(adapter.execute(case, adapter.express(case)), expected)


@pytest.mark.parametrize("op, dims, error", [
    # the wasm backend registers no Conv2DBackpropFilter kernel (2D and 1D weight gradients)
    ("conv", 2, "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'"),
    ("conv_transpose", 2, "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'"),
])  # fmt: skip
def test_wasm_2d_weight_gradient_is_the_backends_missing_kernel(op, dims, error):
    adapter = TfjsConvWasmGrad() if op == "conv" else TfjsConvTransposeWasmGrad()
    case = gradient_case(op, dims, "grad_weight", padding="valid")
    with pytest.raises(RuntimeError, match=error) as raised:
        adapter.execute(case, adapter.express(case))
    assert raised_by_framework(raised.value, adapter.raising_packages())


def test_conv3d_transpose_has_no_gradient_in_tfjs():
    adapter = TfjsConvTransposeGrad()
    case = gradient_case("conv_transpose", 3, "grad_input", padding="valid")
    with pytest.raises(RuntimeError, match="gradient function not found for Conv3DBackpropInputV2") as raised:
        adapter.execute(case, adapter.express(case))
    assert raised_by_framework(raised.value, adapter.raising_packages())


def test_a_gradient_mjs_repro_runs_standalone_and_matches_the_run(tmp_path):
    adapter = TfjsConvTransposeGrad()
    case = gradient_case("conv_transpose", 2, "grad_weight", padding=[[1, 0], [0, 1]])
    call, value, reference, verdict = judge_gradient(adapter, case)
    assert verdict.status == "PASS"
    script = build_repro(case, adapter, call, reference, quantity="grad_weight")
    assert "const g = " in script and adapter.repro_source(case, call) in script
    out = run_js_repro(script, NPM_FOLDER, tmp_path)
    assert f"framework output shape: {value.shape}" in out and "verdict: PASS" in out
