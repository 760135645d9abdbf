"""One case on one adapter -> one ``Result``: express, execute in the child, judge.

- ``adapter.express`` gives ``Unsupported`` -> UNSUPPORTED with its reason.
- ``expect: error`` cases: the framework raising is PASS; returning an output is FAIL
  ("accepted an invalid case", diagnosis ``accepted-invalid``).
- Valid cases: a framework exception is ERROR with the framework's message; otherwise the
  oracle's reference (computed here, in the parent, timed as ``oracle_s``) and
  ``compare.judge`` give PASS or FAIL with every number.
- Who raised decides: an exception counts as the framework's answer only when the child
  saw it come from the framework (``adapters.base.framework_call``, the framework's
  exception types, a traceback through its modules). Anything the adapter's own code
  raised - in ``express`` or ``execute`` - is HARNESS, with its traceback: a defect of the
  suite, never PASS, never an expected ERROR.
- The child dying or hanging gives CRASH or TIMEOUT (``executor``).

Non-PASS results carry ``details``: ``{"slice": ..., "repro": ..., "traceback": ...}``
(``slices.error_slice``, ``repro.build_repro``, the framework's traceback tail or the
child's last stderr lines); UNSUPPORTED adds ``"doc"``, the documentation the adapter cites.
"""

from __future__ import annotations

import re
import time
import traceback

import numpy as np

from .. import compare, oracle, precision
from ..adapters.base import Unsupported
from ..bound import oracle_quantity
from ..repro import build_repro
from ..results import ERROR_TEXT_LIMIT, Result
from .executor import Executor, Outcome, adapter_spec
from .slices import error_slice

# Executor outcome kind -> status, for a child that did not answer.
NO_ANSWER = {"crash": "CRASH", "timeout": "TIMEOUT"}


def check(case, adapter, executor: Executor, spec: str | None = None, quantity: str = "output") -> Result:
    """Run ``case`` on ``adapter`` through ``executor``; ``spec`` is how the child loads the
    adapter (default ``module:Class`` of its class); ``quantity`` what is judged: the output
    or one gradient (SPEC "Gradients"), which the adapter reads from ``case.quantity``."""
    spec = spec or adapter_spec(type(adapter))
    collected = case
    if quantity != "output":
        case = case.judging(quantity)
    # Starting the child and importing the framework (seconds for TensorFlow) happen once
    # per process, not per case: done before the clock starts (a failure shows in execute).
    executor.warm_up(spec)
    start = time.perf_counter()
    result = Result(
        case=case.id,
        file=case.file,
        line=case.line,
        op=case.op,
        status="PASS",
        quantity=quantity,
        adapter=adapter.name,
        description=case.description,
        tags=list(case.tags),
        params=case.params(),
    )
    try:
        call = adapter.express(case)
    except Exception as err:  # an adapter bug: the result says so instead of stopping the run
        result.status = "HARNESS"
        result.message = f"{adapter.name}.express raised {_first_line(err)}"
        result.details = {"slice": None, "repro": None, "traceback": _own_traceback(err)}
    else:
        if isinstance(call, Unsupported):
            result.status = "UNSUPPORTED"
            result.message = str(call)
            result.unsupported_reason = call.reason
            result.details = {"slice": None, "repro": None, "traceback": None, "doc": call.doc or None}
        else:
            result.native = call.to_json()
            if case.expect == "error":
                _check_invalid(result, case, adapter, call, executor, spec)
            else:
                _check_valid(result, case, adapter, call, executor, spec, collected)
    result.duration_s = time.perf_counter() - start
    return result


def _check_valid(result: Result, case, adapter, call, executor: Executor, spec: str, collected=None) -> None:
    started = time.perf_counter()
    quantity = result.quantity
    reference, reference_abs = ORACLE_MEMO.references(collected if collected is not None else case, case, quantity)
    result.oracle_s = time.perf_counter() - started
    result.expected_shape = list(reference.shape)

    outcome = executor.execute(spec, case, call)
    result.framework_s = outcome.seconds
    if not outcome.ok:
        _no_output(result, outcome)
        result.details = _details(case, adapter, call, executor, spec, reference, None, outcome.traceback, reference_abs=reference_abs)
        return
    if adapter.judges == "shape":
        verdict = compare.judge_shape(case, outcome.value, reference)
        result.judged = "shape"
    else:
        verdict = compare.judge(case, outcome.value, reference, reference_abs=reference_abs, quantity=quantity)
    result.status = verdict.status
    result.message = verdict.message
    result.shape = list(verdict.shape)
    result.expected_shape = list(verdict.expected_shape)
    result.max_abs_err = verdict.max_abs_err
    result.err_ratio = verdict.err_ratio
    result.diagnosis = verdict.diagnosis
    if result.judged == "values" and quantity == "output":
        result.precision = precision.measure(case, outcome.value, reference, reference_abs, verdict.diagnosis)
    if verdict.status != "PASS":
        values = None if adapter.judges == "shape" else outcome.value
        result.details = _details(case, adapter, call, executor, spec, reference, values, None, reference_abs=reference_abs)


class OracleMemo:
    """The oracle's reference and magnitude of the last few (case, quantity) pairs.

    A case runs on every adapter of the framework, one after the other (collection order:
    case, then adapter, then quantity), and the oracle's answer depends on the case alone:
    computed once per case and quantity, not once per adapter. Keyed on the collected case
    object itself (held here, so its id cannot be reused while the entry lives); the arrays
    are read-only, so no judge can change what the next adapter is judged against.
    """

    def __init__(self, size: int = 16):
        self.size = size
        self._entries: dict[tuple[int, str], tuple[object, np.ndarray, np.ndarray]] = {}

    def references(self, collected, case, quantity: str) -> tuple[np.ndarray, np.ndarray]:
        """(reference, |x| (op) |w|) of ``case`` (``collected``, judging ``quantity``)."""
        key = (id(collected), quantity)
        entry = self._entries.pop(key, None)
        if entry is None or entry[0] is not collected:
            reference = oracle_quantity(case, quantity)
            # The magnitude |x| (op) |w| of the error bound: one more oracle run.
            reference_abs = oracle_quantity(case, quantity, absolute=True)
            for array in (reference, reference_abs):
                array.flags.writeable = False
            entry = (collected, reference, reference_abs)
        self._entries[key] = entry  # the newest last
        while len(self._entries) > self.size:
            del self._entries[next(iter(self._entries))]
        return entry[1], entry[2]


ORACLE_MEMO = OracleMemo()


def _check_invalid(result: Result, case, adapter, call, executor: Executor, spec: str) -> None:
    outcome = executor.execute(spec, case, call)
    result.framework_s = outcome.seconds
    if outcome.kind == "raised" and outcome.stage == "execute" and outcome.by_framework:
        result.message = f"refused: {outcome.error_type}: {_first_line_of(outcome.message)}"
        result.error_text = _error_text(outcome)
        return
    if not outcome.ok:
        _no_output(result, outcome)
        result.details = _details(case, adapter, call, executor, spec, None, None, outcome.traceback)
        return
    why = why_invalid(case)
    result.status = "FAIL"
    result.diagnosis = "accepted-invalid"
    if adapter.judges == "shape":
        result.judged = "shape"
        result.shape = [int(size) for size in outcome.value.reshape(-1)]
        values = None
    else:
        result.shape = list(outcome.value.shape)
        values = outcome.value
    result.message = f"accepted an invalid case: returned shape {tuple(result.shape)} instead of raising ({why})"
    result.details = _details(case, adapter, call, executor, spec, None, values, None, why)


def why_invalid(case) -> str:
    """What the canonical semantics reject in an ``expect: error`` case."""
    try:
        oracle.evaluate(case)
    except oracle.InvalidConfiguration as err:
        return str(err)
    except Exception as err:  # the oracle refusing in another way still says why
        return _first_line(err)
    return "the case is marked expect: error"


def _no_output(result: Result, outcome: Outcome) -> None:
    """ERROR (the framework raised, or the adapter would not load), HARNESS (the adapter's
    own code raised), CRASH or TIMEOUT."""
    if outcome.kind == "raised":
        what = f"{outcome.error_type}: {_first_line_of(outcome.message)}"
        if outcome.stage != "execute":
            result.status, result.message = "ERROR", f"loading the adapter failed: {what}"
        elif outcome.by_framework:
            result.status, result.message = "ERROR", what
            result.error_text = _error_text(outcome)
        else:
            result.status = "HARNESS"
            result.message = f"the adapter's own code raised {what} (not the framework: see the traceback)"
    else:
        result.status = NO_ANSWER[outcome.kind]
        result.message = outcome.message
        # What the dying process printed: where a CRASH entry's pattern finds a panic's words.
        result.error_text = _plain(outcome.stderr or "") or None


def _error_text(outcome: Outcome) -> str:
    """The exception type and the framework's whole message, as far as the limit."""
    return _plain(f"{outcome.error_type}: {outcome.message or ''}")[:ERROR_TEXT_LIMIT]


def _details(case, adapter, call, executor, spec, reference, actual, trace, why: str = "", reference_abs=None) -> dict:
    details = {"slice": error_slice(reference, actual), "repro": None, "traceback": trace}
    version = executor.known_versions.get(spec, "unknown")
    try:
        details["repro"] = build_repro(
            case, adapter, call, reference, framework_version=version, why_invalid=why, reference_abs=reference_abs,
            quantity=case.quantity,
        )
    except Exception as err:  # a broken repro_source must not hide the result itself
        details["repro_error"] = f"{adapter.name}.repro_source raised {_first_line(err)}"
    return details


def _first_line(err: BaseException) -> str:
    return f"{type(err).__name__}: {_first_line_of(str(err))}"


# Terminal colour codes (Keras puts the wrapped error in bold).
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# A first line that only says which layer raised (Keras 3 and Keras 2 wrap the backend's
# error this way); the cause is on the next line.
_WRAPPER = re.compile(r"^Exception encountered when calling ")


def _plain(text: str) -> str:
    return _ANSI.sub("", text or "")


def _first_line_of(text: str) -> str:
    """The line that says what went wrong: the first; the last when the message is a
    traceback (MXNet's errors start with "Traceback (most recent call last):"); the next
    one when the first is a wrapper's "Exception encountered when calling ..." (Keras)."""
    lines = [line.strip() for line in _plain(text).strip().splitlines() if line.strip()]
    if not lines:
        return "(no message)"
    if lines[0].startswith("Traceback (most recent call last)"):
        return lines[-1]
    if _WRAPPER.match(lines[0]) and len(lines) > 1:
        return lines[1]
    return lines[0]


def _own_traceback(err: BaseException) -> str:
    return "".join(traceback.format_exception(type(err), err, err.__traceback__)).rstrip()
