"""The runner's Node child (runner/node_executor.py, node_child.mjs): line-delimited JSON,
tensors as base64 float64, and a crash or hang of Node costing one request, not the run."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from conformance.case import Case
from conformance.runner.node_executor import NodeExecutor, tensor_from_wire, tensor_wire

if shutil.which("node") is None:
    pytest.skip("needs node", allow_module_level=True)


# Generous for requests that answer (Node's start-up on a loaded 2-core machine took over 5 s);
# the hang test sets its own short deadline.
ANSWER_TIMEOUT_S = 60
HANG_TIMEOUT_S = 5


@pytest.fixture
def node(tmp_path):
    executor = NodeExecutor(tmp_path, case_timeout=ANSWER_TIMEOUT_S)
    yield executor
    executor.close()


def case_of(x, w) -> Case:
    return Case.make("c", "conv", np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64), padding="valid")


def test_tensors_travel_bit_for_bit():
    x = np.array([[1.0, np.nan], [np.inf, -0.0], [5e-324, 1 / 3]])
    back = tensor_from_wire(tensor_wire(x))
    assert back.shape == x.shape and back.tobytes() == x.tobytes()


def test_a_program_reads_x_w_dtype_and_leaves_y(node):
    case = case_of(np.arange(6.0).reshape(1, 1, 6), np.ones((1, 1, 2)))
    source = "const y = { shape: [x.shape[2] / w.shape[2], 2], data: Float64Array.from(x.data, (v) => v * 2 + (dtype === 'float32')) };"
    outcome = node.run_source(source, case)
    assert outcome.ok, outcome
    np.testing.assert_array_equal(outcome.value, [[1.0, 3.0], [5.0, 7.0], [9.0, 11.0]])


def test_a_malformed_y_is_the_programs_defect(node):
    outcome = node.run_source("const y = { shape: [3, 2], data: [1, 2] };", case_of(np.ones((1, 1, 2)), np.ones((1, 1, 1))))
    assert outcome.kind == "raised" and not outcome.by_framework and "the program's y" in outcome.message


def test_what_the_program_prints_does_not_break_the_channel(node):
    outcome = node.run_source("console.log('noise'); process.stdout.write('more\\n'); const y = [1, 2];", returns="json")
    assert outcome.ok and outcome.value == [1, 2]


def test_an_error_of_the_programs_own_text_is_not_the_frameworks(node):
    outcome = node.run_source("notDefined(); const y = 1;", returns="json")
    assert outcome.kind == "raised" and outcome.error_type == "ReferenceError" and not outcome.by_framework


def test_an_error_thrown_inside_a_package_is_the_frameworks(tmp_path):
    package = tmp_path / "node_modules" / "fake-framework"
    package.mkdir(parents=True)
    (package / "package.json").write_text('{"name": "fake-framework", "type": "module", "main": "index.js"}')
    (package / "index.js").write_text("export function conv() { throw new TypeError('bad kernel'); }")
    executor = NodeExecutor(tmp_path, case_timeout=ANSWER_TIMEOUT_S)
    try:
        outcome = executor.run_source("import { conv } from 'fake-framework'; conv(); const y = 1;", returns="json")
    finally:
        executor.close()
    assert outcome.kind == "raised" and outcome.message == "bad kernel" and outcome.by_framework
    assert 0 <= outcome.seconds < ANSWER_TIMEOUT_S  # the time the framework ran before it threw


def test_a_crash_costs_one_request_and_the_next_starts_a_fresh_child(node):
    outcome = node.run_source("process.kill(process.pid, 'SIGSEGV'); const y = 1;", returns="json")
    assert outcome.kind == "crash" and "SIGSEGV" in outcome.message
    again = node.run_source("const y = 2;", returns="json")
    assert again.ok and again.value == 2 and node.children_started == 2


def test_a_hang_is_a_timeout_and_the_next_request_runs(node):
    node.case_timeout = HANG_TIMEOUT_S
    outcome = node.run_source("while (true) {} const y = 1;", returns="json")
    assert outcome.kind == "timeout" and f"within {HANG_TIMEOUT_S} s" in outcome.message
    node.case_timeout = ANSWER_TIMEOUT_S
    again = node.run_source("const y = 3;", returns="json")
    assert again.ok and again.value == 3


def test_one_child_serves_many_requests(node):
    for value in range(5):
        assert node.run_source(f"const y = {value};", returns="json").value == value
    assert node.children_started == 1


def test_a_reply_larger_than_the_pipe_buffer_arrives_whole(node):
    case = case_of(np.random.default_rng(0).normal(size=(1, 1, 300_000)), np.ones((1, 1, 1)))
    outcome = node.run_source("const y = { shape: x.shape, data: x.data };", case)
    assert outcome.ok, outcome
    np.testing.assert_array_equal(outcome.value, case.x)


def test_a_negative_length_is_the_frameworks_answer_without_its_values(node):
    outcome = node.run_source("const y = { shape: [1, -2, 3], data: new Float32Array(5) };", case_of(np.ones((1, 1, 2)), np.ones((1, 1, 1))))
    assert outcome.kind == "raised" and outcome.by_framework and outcome.error_type == "NegativeShape"
    assert "[1, -2, 3]" in outcome.message and "5 values" in outcome.message
