"""The text pytest prints for an unexpected result: the case, never a traceback of the runner."""

from __future__ import annotations

import shlex

from .. import diagnosis

INDENT = "    "


class UnexpectedResult(Exception):
    """Raised by a case item whose result does not meet its expectation."""

    def __init__(self, result, expectation, results_file: str):
        super().__init__(f"{result.case}: {result.unexpected}")
        self.result = result
        self.expectation = expectation
        self.results_file = results_file


def record_verdict(result, verdict) -> None:
    """Put what the run expected, and why the result does not meet it, into the result."""
    expected, entry = verdict.expected, verdict.entry
    result.expected_status = expected.status
    result.expected_diagnosis = expected.diagnosis
    result.expected_message = expected.message
    result.unexpected = verdict.problem
    if entry is not None:
        result.expectation_reason = entry.reason
        result.expectation_kind = entry.kind
        result.expectation_links = dict(entry.link) or None
        result.expectation_link = entry.first_link()
        result.expectation_where = entry.where()


def assert_expected(result, verdict, results_file: str) -> None:
    __tracebackhide__ = True
    if not verdict.met:
        raise UnexpectedResult(result, verdict.entry, results_file)


def plain_diagnosis(code: str) -> str:
    try:
        return diagnosis.explain(code)
    except KeyError:
        return "(no description for this code)"


def format_params(params: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items())


def format_failure(result, expectation, results_file: str) -> str:
    """Everything needed to understand an unexpected result without opening a file."""
    lines = [f"{result.case} on {result.adapter}: {result.unexpected or f'{result.status}, expected {result.expected_status}'}"]
    if result.message:
        lines += [INDENT + line for line in result.message.splitlines()]
    lines.append("")
    where = f"{result.file}:{result.line}"
    lines.append(f"case:         {result.case} ({where})" + (f" - {result.description}" if result.description else ""))
    lines.append(f"parameters:   {format_params(result.params)}")
    if result.native:
        lines.append(f"native call:  {result.native.get('text', '')}")
    if result.shape is not None or result.expected_shape is not None:
        lines.append(f"shape:        {result.shape} (expected {result.expected_shape})")
    if result.max_abs_err is not None or result.err_ratio is not None:
        lines.append(f"error:        max_abs_err={_number(result.max_abs_err)}, err_ratio={_number(result.err_ratio)}")
    if result.diagnosis:
        lines.append(f"diagnosis:    {result.diagnosis}: {plain_diagnosis(result.diagnosis)}")
    if expectation is not None:
        link = f" ({expectation.link_text()})" if expectation.link else ""
        expected = result.expected_status + (f" {result.expected_diagnosis}" if result.expected_diagnosis else "")
        expected += f" with {result.expected_message!r}" if result.expected_message else ""
        lines.append(
            f"expectation:  {expected} at {expectation.where()} ({expectation.kind}): {expectation.reason}{link}"
        )
        if result.status == "PASS":
            lines.append(INDENT + "the case passes now: the expectation is stale, remove it")
    else:
        lines.append("expectation:  none (PASS expected)")
    details = result.details or {}
    trace = details.get("traceback")
    if trace:
        titles = {"ERROR": "framework traceback (tail)", "HARNESS": "the adapter's traceback (tail)"}
        title = titles.get(result.status, "the child's last stderr lines")
        lines.append(f"{title}:")
        lines += [INDENT + line for line in trace.splitlines()]
    if details.get("repro"):
        # the row id: one gradient of a .grad adapter's file is case::quantity
        command = f"python -m conformance.repro {shlex.quote(results_file)} {shlex.quote(result.key)} > repro.py"
        lines.append(f"repro:        {command}  (a standalone script: the framework and numpy only)")
    return "\n".join(lines)


def _number(value) -> str:
    return "n/a" if value is None else f"{value:.6g}"
