"""The executor's child process: answers, and CRASH / TIMEOUT isolation with a fresh child after."""

from __future__ import annotations

import time

import fake_adapters
import numpy as np
import pytest

from conformance.case import Case
from conformance.runner.executor import (
    PIPE_BYTES,
    Executor,
    adapter_spec,
    describe_exit,
)

SPEC = {cls: adapter_spec(cls) for cls in fake_adapters.ADAPTERS + [fake_adapters.MissingFramework, fake_adapters.SlowExitHandler]}


def small_case(case_id: str) -> Case:
    x = np.array([[[1.0, 2.0, -1.0]]])
    w = np.array([[[0.5, -2.0]]])
    return Case.make(case_id, "conv_transpose", x, w, stride=2, dtype="float64")


def run(executor: Executor, cls, case_id: str):
    case = small_case(case_id)
    return executor.execute(SPEC[cls], case, cls().express(case))


@pytest.fixture
def executor():
    with Executor(case_timeout=5) as ex:
        yield ex


def test_answers_with_the_array_and_the_time_inside_execute(executor):
    out = run(executor, fake_adapters.NumpyLoops, "ok")
    assert out.kind == "ok" and out.stage == "execute"
    # scatter of [1, 2, -1] through [0.5, -2] at stride 2
    np.testing.assert_array_equal(out.value, [[[0.5, -2.0, 1.0, -4.0, -0.5, 2.0]]])
    assert 0 < out.seconds < 1
    assert executor.known_versions[SPEC[fake_adapters.NumpyLoops]] == np.__version__


def test_the_pipes_to_the_child_are_widened_where_the_system_allows(executor):
    fcntl = pytest.importorskip("fcntl")
    if not hasattr(fcntl, "F_GETPIPE_SZ"):
        pytest.skip("no F_GETPIPE_SZ here (not Linux): the pipes keep their size")
    assert run(executor, fake_adapters.NumpyLoops, "ok").ok
    with open("/proc/sys/fs/pipe-max-size") as limit:
        expected = min(PIPE_BYTES, int(limit.read()))
    for pipe in (executor._proc.stdin, executor._proc.stdout):
        assert fcntl.fcntl(pipe.fileno(), fcntl.F_GETPIPE_SZ) >= expected


def test_many_cases_share_one_child(executor):
    for i in range(20):
        assert run(executor, fake_adapters.NumpyLoops, f"ok-{i}").ok
    assert executor.children_started == 1


def test_abort_is_a_crash_with_the_signal_and_stderr_then_a_fresh_child(executor):
    out = run(executor, fake_adapters.AbortsOnAbortCases, "abort-now")
    assert out.kind == "crash"
    assert out.message == "the process running the adapter killed by SIGABRT (signal 6)"
    # The adapter's print went to stderr (not into the pipe), and faulthandler's stack follows.
    assert "fake framework: about to abort" in out.traceback
    assert "Fatal Python error: Aborted" in out.traceback and "fake_adapters.py" in out.traceback
    after = run(executor, fake_adapters.AbortsOnAbortCases, "fine")
    assert after.ok and executor.children_started == 2


def test_exit_code_is_reported(executor):
    out = run(executor, fake_adapters.ExitsOnExitCases, "abort-via-exit")
    assert (out.kind, out.message) == ("crash", "the process running the adapter exited with code 7")
    assert run(executor, fake_adapters.ExitsOnExitCases, "fine").ok


def test_a_hang_times_out_and_the_next_case_runs():
    with Executor(case_timeout=0.5) as executor:
        start = time.monotonic()
        out = run(executor, fake_adapters.HangsOnHangCases, "hang-forever")
        assert time.monotonic() - start < 5
        assert out.kind == "timeout"
        assert out.message == "the case gave no answer within 0.5 s; its process was killed"
        assert run(executor, fake_adapters.HangsOnHangCases, "fine").ok
        assert executor.children_started == 2


def test_framework_exception_comes_back_with_message_and_traceback_tail(executor):
    out = run(executor, fake_adapters.RaisesOnRaiseCases, "raise-it")
    assert (out.kind, out.stage, out.error_type) == ("raised", "execute", "RuntimeError")
    assert out.message == "fake framework: no kernel for this configuration\nsecond line of the message"
    assert 'fake_adapters.py", line' in out.traceback
    assert "executor_child.py" not in out.traceback  # the runner's own frames are left out
    assert run(executor, fake_adapters.RaisesOnRaiseCases, "fine").ok and executor.children_started == 1


def test_a_framework_exception_reports_the_time_execute_ran(executor):
    # A refusal's conversion or compilation is the framework's time (framework_s), not the runner's.
    out = run(executor, fake_adapters.RaisesOnRaiseCases, "raise-it")
    assert out.kind == "raised" and 0 <= out.seconds < 5
    missing = executor.warm_up(SPEC[fake_adapters.MissingFramework])
    assert missing.kind == "raised" and missing.seconds is None  # an import is no case's time


def test_import_time_does_not_count_against_the_case_timeout():
    with Executor(case_timeout=0.5) as executor:
        out = run(executor, fake_adapters.SlowImport, "first")  # the import sleeps 1 s
        assert out.ok


def test_a_framework_that_does_not_import_is_reported_at_the_import_stage(executor):
    out = executor.warm_up(SPEC[fake_adapters.MissingFramework])
    assert (out.kind, out.stage, out.error_type) == ("raised", "import", "ModuleNotFoundError")
    assert "conformance_no_such_framework" in out.message


def test_describe_exit():
    assert describe_exit(-11) == "killed by SIGSEGV (signal 11)"
    assert describe_exit(3) == "exited with code 3"


def test_the_child_leaves_without_the_frameworks_exit_handlers():
    """Once its input ends the child exits at once and cleanly: a framework's exit handler
    (here 30 s of sleep) does not run, so close neither waits for it nor kills the child."""
    executor = Executor(case_timeout=5)
    assert run(executor, fake_adapters.SlowExitHandler, "ok").ok
    proc = executor._proc
    started = time.perf_counter()
    executor.close()
    assert time.perf_counter() - started < 2
    assert proc.returncode == 0
