"""check(case, adapter, executor) -> Result: each status, its numbers and its details."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import fake_adapters
import numpy as np
import pytest

from conformance import oracle
from conformance.adapters.base import Unsupported
from conformance.loader import load_paths
from conformance.runner.check import check
from conformance.runner.executor import Executor

CASES = Path(__file__).parent / "data" / "runner" / "cases.yaml"
DETAIL_KEYS = {"slice", "repro", "traceback"}


@pytest.fixture(scope="module")
def cases():
    loaded = load_paths([CASES])
    assert not loaded.errors
    return {case.id: case for case in loaded.cases}


@pytest.fixture(scope="module")
def executor():
    with Executor(case_timeout=2) as ex:
        yield ex


def test_correct_adapter_passes_with_all_numbers(cases, executor):
    result = check(cases["rt-stride2-2d"], fake_adapters.NumpyLoops(), executor)
    assert (result.status, result.message, result.details) == ("PASS", "", None)
    assert result.shape == result.expected_shape == [1, 3, 7, 8]
    assert 0 <= result.err_ratio <= 1 and result.max_abs_err < 1e-5
    assert result.framework_s > 0 and result.oracle_s > 0 and result.duration_s >= result.framework_s + result.oracle_s
    assert result.adapter == "fake.numpy-loops" and result.tags == ["runner"]
    assert result.params["stride"] == [2, 2] and result.native["api"] == "naive_conv_transpose"
    assert result.file.endswith("tests/data/runner/cases.yaml") and result.line == 8


@pytest.mark.parametrize("case_id", ["rt-pad-1d", "rt-groups-3d", "rt-sweep[stride=2]", "rt-after-faults"])
def test_correct_adapter_passes_every_valid_case(cases, executor, case_id):
    assert check(cases[case_id], fake_adapters.NumpyLoops(), executor).status == "PASS"


def test_flipped_kernel_fails_with_diagnosis_slice_and_repro(cases, executor):
    case = cases["rt-stride2-2d"]
    result = check(case, fake_adapters.FlippedKernel(), executor)
    assert (result.status, result.diagnosis) == ("FAIL", "kernel-flipped")
    assert result.err_ratio > 1e5 and result.message.startswith("values differ")
    assert set(result.details) == DETAIL_KEYS and result.details["traceback"] is None
    cut = result.details["slice"]
    n, c = cut["index"][:2]
    assert cut["label"] == f"n={n}, c={c}"
    difference = np.abs(np.array(cut["actual"]) - np.array(cut["expected"]))
    assert difference.max() == pytest.approx(result.max_abs_err)
    np.testing.assert_allclose(cut["expected"], oracle.evaluate(case)[n, c])
    assert "naive_conv_transpose(x, w, b" in result.details["repro"]
    json.dumps(result.to_json(), allow_nan=False)


def test_declared_unsupported_has_reason_and_doc(cases, executor):
    result = check(cases["rt-same-mode"], fake_adapters.NumpyLoops(), executor)
    assert (result.status, result.unsupported_reason) == ("UNSUPPORTED", "padding-mode:same")
    assert result.message == "padding-mode:same: explicit pairs only"
    assert result.details["doc"] == "tests/fake_adapters.py" and result.native is None


def test_invalid_case_refused_is_pass_accepted_is_fail(cases, executor):
    refused = check(cases["rt-invalid-stride0"], fake_adapters.NumpyLoops(), executor)
    assert refused.status == "PASS"
    assert refused.message == "refused: ValueError: stride and dilation must be positive, got [0], [1]"
    assert refused.framework_s >= 0  # the time the framework took to refuse
    accepted = check(cases["rt-invalid-stride0"], fake_adapters.AcceptsInvalid(), executor)
    assert (accepted.status, accepted.diagnosis, accepted.shape) == ("FAIL", "accepted-invalid", [1, 1, 4])
    assert accepted.message.startswith("accepted an invalid case: returned shape (1, 1, 4) instead of raising (stride:")
    # stride taken as 1: [0, 1, 2] scattered through [1, 2]
    assert accepted.details["slice"]["expected"] is None
    assert accepted.details["slice"]["actual"] == [[0.0, 1.0, 4.0, 4.0]]


def test_framework_exception_on_a_valid_case_is_error(cases, executor):
    result = check(cases["rt-raise-here"], fake_adapters.RaisesOnRaiseCases(), executor)
    assert result.status == "ERROR"
    assert result.message == "RuntimeError: fake framework: no kernel for this configuration"
    assert result.error_text == (
        "RuntimeError: fake framework: no kernel for this configuration\nsecond line of the message"
    )
    assert "second line of the message" in result.details["traceback"]
    assert result.framework_s >= 0 and result.duration_s >= result.framework_s
    assert result.details["slice"]["actual"] is None and result.details["slice"]["expected"] == [[0.0, 3.0, 7.0, 2.0]]


def test_crash_and_timeout_then_the_next_case_passes(cases, executor):
    crash = check(cases["rt-abort-here"], fake_adapters.AbortsOnAbortCases(), executor)
    assert crash.status == "CRASH" and "SIGABRT" in crash.message and "Fatal Python error" in crash.details["traceback"]
    # what the process printed before it died is there for a CRASH entry's message pattern
    assert "fake framework: about to abort" in crash.error_text
    timeout = check(cases["rt-hang-here"], fake_adapters.HangsOnHangCases(), executor)
    assert timeout.status == "TIMEOUT" and "within 2 s" in timeout.message
    assert check(cases["rt-after-faults"], fake_adapters.HangsOnHangCases(), executor).status == "PASS"


def test_express_raising_is_an_error_not_a_runner_crash(cases, executor):
    class BrokenTranslate(fake_adapters.NumpyLoops):
        name = "fake.broken-translate"

        def translate(self, case):
            raise KeyError("padding")

    result = check(cases["rt-pad-1d"], BrokenTranslate(), executor)
    assert (result.status, result.message) == ("HARNESS", "fake.broken-translate.express raised KeyError: 'padding'")
    assert "raise KeyError" in result.details["traceback"]


def test_the_adapters_own_bug_on_an_invalid_case_is_harness_never_a_refusal(cases, executor):
    result = check(cases["rt-invalid-stride0"], fake_adapters.BuggyOnInvalidCases(), executor)
    assert result.status == "HARNESS"
    assert result.message.startswith("the adapter's own code raised KeyError: 'weights'")
    assert "fake_adapters.py" in result.details["traceback"] and "KeyError" in result.details["traceback"]


def test_the_adapters_own_bug_on_a_valid_case_is_harness_not_error(cases, executor):
    result = check(cases["rt-raise-here"], fake_adapters.BuggyOnInvalidCases(), executor)
    assert result.status == "HARNESS" and "KeyError" in result.message


def test_the_rendered_call_is_what_runs_and_what_the_framework_raises_in_it_is_a_refusal(cases, executor):
    rendered = fake_adapters.Rendered()
    result = check(cases["rt-stride2-2d"], rendered, executor)
    assert result.status == "PASS" and result.max_abs_err < 1e-5
    refused = check(cases["rt-invalid-stride0"], rendered, executor)
    assert (refused.status, refused.message) == (
        "PASS", "refused: ValueError: stride and dilation must be positive, got [0], [1]"
    )


def test_an_error_of_the_rendered_text_itself_is_harness(cases, executor):
    typo = fake_adapters.RenderedTypo()
    for case_id in ("rt-stride2-2d", "rt-invalid-stride0"):
        result = check(cases[case_id], typo, executor)
        assert result.status == "HARNESS", case_id
        assert "NameError: name 'naive_conv_transpos' is not defined" in result.message
        assert "<rendered call of fake.rendered-typo>" in result.details["traceback"]


def test_an_unknown_unsupported_reason_is_a_harness_error(cases, executor):
    class InventsReasons(fake_adapters.NumpyLoops):
        name = "fake.invents-reasons"

        def translate(self, case):
            return Unsupported("odd same crop", "not a code of the vocabulary")

    result = check(cases["rt-pad-1d"], InventsReasons(), executor)
    assert result.status == "HARNESS" and "unknown UNSUPPORTED reason 'odd same crop'" in result.message


def test_error_message_is_the_line_that_says_what_went_wrong():
    from conformance.runner.check import _first_line_of

    # MXNet puts its traceback first and the message last
    mxnet_style = 'Traceback (most recent call last):\n  File "linalg_impl.h", line 166\nMXNetError: FP16 gemm on cpu not implemented!'
    assert _first_line_of(mxnet_style) == "MXNetError: FP16 gemm on cpu not implemented!"
    assert _first_line_of("size mismatch\n  detail on the next line") == "size mismatch"
    assert _first_line_of("  \n") == "(no message)"
    # Keras wraps the backend's error: the cause is on the next line, in bold
    keras_style = (
        "Exception encountered when calling Conv2DTranspose.call().\n\n\x1b[1m{{function_node x}} Current CPU "
        "implementations do not yet support dilation rates larger than 1. [Op:Conv2DBackpropInput]\x1b[0m\n\n"
        "Arguments received by Conv2DTranspose.call():"
    )
    assert _first_line_of(keras_style) == (
        "{{function_node x}} Current CPU implementations do not yet support dilation rates larger than 1. "
        "[Op:Conv2DBackpropInput]"
    )


def test_a_shape_only_adapter_is_judged_on_its_shape_alone(cases, executor):
    right = check(cases["rt-stride2-2d"], fake_adapters.ShapeOnly(), executor)
    assert (right.status, right.judged, right.shape, right.expected_shape) == ("PASS", "shape", [1, 3, 7, 8], [1, 3, 7, 8])
    assert right.message == "shape only: the inferred shape is the oracle's" and right.err_ratio is None
    wrong = check(cases["rt-stride2-2d"], fake_adapters.ShapeOnlyOneShort(), executor)
    assert (wrong.status, wrong.diagnosis, wrong.shape) == ("FAIL", "shape-differs", [1, 3, 6, 7])
    assert wrong.message.startswith("inferred shape (1, 3, 6, 7), but should be (1, 3, 7, 8)")
    # no values: no slice of them, and the repro compares shapes
    assert wrong.details["slice"]["actual"] is None
    printed = subprocess.run([sys.executable, "-c", wrong.details["repro"]], capture_output=True, text=True, check=True)
    assert "inferred output shape: (1, 3, 6, 7)\nexpected output shape: (1, 3, 7, 8)\nthe shapes differ" in printed.stdout


def test_a_shape_only_adapter_accepting_an_invalid_case_fails_with_its_shape(cases, executor):
    refused = check(cases["rt-invalid-stride0"], fake_adapters.ShapeOnly(), executor)
    assert refused.status == "PASS" and refused.message.startswith("refused: ValueError")
    accepted = check(cases["rt-invalid-stride0"], fake_adapters.ShapeOnlyAcceptsInvalid(), executor)
    assert (accepted.status, accepted.diagnosis, accepted.shape, accepted.judged) == ("FAIL", "accepted-invalid", [1, 1, 4], "shape")
    assert accepted.message.startswith("accepted an invalid case: returned shape (1, 1, 4) instead of raising")
    printed = subprocess.run([sys.executable, "-c", accepted.details["repro"]], capture_output=True, text=True, check=True)
    assert "the framework accepted the invalid case; inferred output shape: (1, 1, 4)" in printed.stdout
