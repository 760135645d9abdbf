"""tfjs.* adapters against the oracle, on TensorFlow.js run by Node (js/tfjs, `npm ci` there).

The cpu backend is pure JavaScript; the wasm backend picks its SIMD / multi-threaded binary by
feature detection, which ``build_properties`` reports and no test here assumes.
"""

from __future__ import annotations

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
from conformance.case import Case  # noqa: E402
from conformance.compare import judge  # noqa: E402
from conformance.oracle import evaluate  # noqa: E402
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
