"""JUnit XML, one file per adapter, for CI systems that show test results.

Each (case, adapter) is a testcase judged against its expectation, as the run is: a result
that meets it passes (PASS) or is skipped with the known status and reason (a known FAIL,
an UNSUPPORTED); one that does not is a failure (FAIL, UNSUPPORTED, or a PASS whose
expectation went stale) or an error (ERROR, CRASH, TIMEOUT, conflicting results files).
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from .merge import Cell, Merged
from .summary import AdapterSummary, adapter_summaries

# Characters XML 1.0 cannot hold at all (framework messages may carry ANSI escapes or NULs).
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]")


def xml_text(value: object) -> str:
    return _NOT_XML.sub("\N{REPLACEMENT CHARACTER}", str(value))


def junit_filename(adapter: str) -> str:
    """``<adapter>.xml``, with characters that are unsafe in a file name replaced."""
    return _UNSAFE_FILENAME.sub("_", adapter) + ".xml"


def classname(file: str) -> str:
    """cases/seeds/d2l.yaml -> cases.seeds.d2l (CI tools group testcases by it)."""
    stem = re.sub(r"\.ya?ml$", "", file or "unknown")
    return stem.replace("\\", "/").strip("/").replace("/", ".")


def outcome(cell: Cell) -> tuple[str, str]:
    """('pass' | 'skipped' | 'failure' | 'error', message) for one cell."""
    result = cell.result
    if cell.conflict:
        claims = ", ".join(f"{c.result.status} in {c.source}" for c in cell.claims)
        if cell.met_expectation:  # machines that differ, each as its expectations say
            return "skipped", f"results files disagree, each as its run's expectations say: {claims}"
        return "error", f"results files disagree: {claims}"
    reason = result.expectation_reason or result.unsupported_reason or result.message
    if result.met_expectation:
        if result.status == "PASS":
            return "pass", ""
        known = result.status if result.status == "UNSUPPORTED" else f"known {result.status}"
        return "skipped", known + (f": {reason}" if reason else "")
    expected = f"expected {result.expected_status}, got {result.status}"
    if result.status == "PASS":
        return "failure", f"{expected}: the expectation is stale"
    if result.status in ("FAIL", "UNSUPPORTED"):
        return "failure", f"{expected}" + (f": {result.message}" if result.message else "")
    return "error", f"{expected}" + (f": {result.message}" if result.message else "")


def failure_text(cell: Cell) -> str:
    """The body of a failure or error: numbers, diagnosis, traceback and repro script."""
    result = cell.result
    lines = [result.message] if result.message else []
    if result.shape is not None or result.expected_shape is not None:
        lines.append(f"shape {result.shape}, expected {result.expected_shape}")
    if result.max_abs_err is not None:
        lines.append(f"max abs error {result.max_abs_err}, err_ratio {result.err_ratio}")
    if result.diagnosis:
        lines.append(f"diagnosis: {result.diagnosis}")
    details = result.details or {}
    if details.get("traceback"):
        lines += ["", "traceback:", str(details["traceback"])]
    if details.get("repro"):
        lines += ["", "repro script:", str(details["repro"])]
    return "\n".join(lines)


def adapter_suite(merged: Merged, summary: AdapterSummary) -> ET.Element:
    adapter = summary.adapter
    suite = ET.Element("testsuite", name=xml_text(adapter))
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("framework", ", ".join(summary.frameworks)),
        ("device", ", ".join(summary.devices)),
        ("results_files", ", ".join(summary.sources)),
    ):
        ET.SubElement(properties, "property", name=name, value=xml_text(value))
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    total_time = 0.0
    for case in merged.cases.values():
        cell = merged.cell(case.id, adapter)
        if cell is None:
            continue
        duration = cell.result.duration_s if isinstance(cell.result.duration_s, (int, float)) else 0.0
        total_time += duration
        testcase = ET.SubElement(
            suite, "testcase", classname=xml_text(classname(case.file)), name=xml_text(case.id), time=f"{duration:.6f}"
        )
        kind, message = outcome(cell)
        counts["tests"] += 1
        if kind == "skipped":
            counts["skipped"] += 1
            ET.SubElement(testcase, "skipped", message=xml_text(message))
        elif kind in ("failure", "error"):
            counts["failures" if kind == "failure" else "errors"] += 1
            node = ET.SubElement(testcase, kind, message=xml_text(message), type=cell.status)
            node.text = xml_text(failure_text(cell))
    for key, value in counts.items():
        suite.set(key, str(value))
    suite.set("time", f"{total_time:.6f}")
    return suite


def write_junit(merged: Merged, directory: str | os.PathLike) -> list[Path]:
    """One ``<adapter>.xml`` per adapter in ``directory``; returns the paths written."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for summary in adapter_summaries(merged):
        root = ET.Element("testsuites", name="conformance")
        root.append(adapter_suite(merged, summary))
        ET.indent(root)
        path = directory / junit_filename(summary.adapter)
        if path in written:  # two names that differ only in unsafe characters
            path = path.with_name(f"{path.stem}-{len(written)}.xml")
        ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
        written.append(path)
    return written
