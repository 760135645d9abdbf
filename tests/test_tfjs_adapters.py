"""tfjs.* adapters against the oracle, on TensorFlow.js run by Node (js/tfjs, `npm ci` there).

The cpu backend is pure JavaScript; the wasm backend picks its SIMD / multi-threaded binary by
feature detection, which ``build_properties`` reports and no test here assumes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import numpy as np
import pytest

from conformance.adapters.tfjs_api import NPM_FOLDER, node_run_lines

if shutil.which("node") is None or not (NPM_FOLDER / "node_modules" / "@tensorflow" / "tfjs-core").is_dir():
    pytest.skip("needs node and js/tfjs/node_modules (tox -e tfjs runs npm ci)", allow_module_level=True)

from adapter_checks import assert_matches_oracle, grid_case, make_case, run_script  # noqa: E402

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


def _run_lines(program: str) -> dict:
    namespace = {"program": program, "npm_folder": str(NPM_FOLDER)}
    source = "import json\nimport os\nimport subprocess\n" + "\n".join(node_run_lines("TensorFlow.js"))
    exec(compile(source, "<rendered call of tfjs test>", "exec"), namespace)  # noqa: S102 - the test's own text
    return namespace["answer"]


def test_a_reference_error_of_the_program_is_a_harness_error():
    program = "try { notDefined(); } catch (err) { console.log(JSON.stringify({error: `${err.name}: ${err.message}`})); }"
    with pytest.raises(NameError, match="ReferenceError: notDefined is not defined") as raised:
        _run_lines(program)
    assert not raised_by_framework(raised.value, ("tfjs",))


def test_the_answer_is_the_programs_last_json_line():
    assert _run_lines("console.log('noise'); console.log(JSON.stringify({values: ['1', 'NaN'], shape: [2]}));") == {
        "values": ["1", "NaN"],
        "shape": [2],
    }


def test_node_dying_of_a_signal_kills_the_rendered_call_with_it(tmp_path):
    script = tmp_path / "crash.py"
    script.write_text(
        "import json, os, subprocess\n"
        f"npm_folder = {str(NPM_FOLDER)!r}\n"
        "program = \"process.kill(process.pid, 'SIGSEGV');\"\n" + "\n".join(node_run_lines("TensorFlow.js")) + "\n"
    )
    done = subprocess.run([sys.executable, "-I", str(script)], capture_output=True, timeout=120, check=False)
    assert done.returncode == -11


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


def test_repro_script_runs_standalone_and_matches_the_run(tmp_path):
    adapter = TfjsConvTranspose()
    case = make_case("conv_transpose", 2, 4, 3, stride=2, padding="same")
    call = adapter.express(case)
    y = adapter.execute(case, call)
    reference = evaluate(case)
    assert judge(case, y, reference).status == "PASS"
    out = run_script(build_repro(case, adapter, call, reference), tmp_path)
    assert f"framework output shape: {y.shape}" in out
