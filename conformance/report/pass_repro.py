"""Repro scripts for the cells whose results file has none (a PASS keeps none), built here.

A script is ``repro.build_repro`` exactly, split in two so that the page holds each part once:
- per case, the script with the adapter's parts left as markers (``MARKS``): the header,
  the tensors (input, kernel, expected, bound) and the verdict; built by ``build_repro``
  itself with a stand-in adapter whose name, module, install line and call are the markers;
- per cell, the adapter's own ``repro_source`` lines and the texts that fill the markers.
The page (``passRepro`` in report.js) puts them together when the cell is opened.

Built for the small cases only (``case_values.VALUES_LIMIT``; a large case's tensors would
weigh megabytes), where the case file loads here and the adapter can express the case
without its framework (an adapter whose ``express`` imports it, e.g. onnx, gets none, and
the page says why). The framework line names the versions the results file records.
"""

from __future__ import annotations

import platform
from typing import Any

import numpy as np

from .case_values import VALUES_LIMIT
from .compact import StringTable
from .merge import Merged

# Marker -> what the page puts there: the cell's "pass_repro" entry ("call", "src"; "t" the
# template, "values" when absent), its adapter's name and "repro" parts ("framework", "install").
MARKS = {
    "\x01A\x01": "name",  # the adapter's name
    "\x01CALL\x01": "call",  # the native call, described
    "\x01FW\x01": "framework",  # framework, version, numpy, python of the run
    "\x01INSTALL\x01": "install",  # the install line
    "\x01SRC\x01": "src",  # the adapter's repro_source lines
}


class _Call:
    """A native call that describes itself as the marker."""

    def describe(self) -> str:
        return "\x01CALL\x01"


class _StandIn:
    """An adapter whose every own part is a marker, for the per-case template."""

    name = "\x01A\x01"
    module = "\x01MODULE\x01"

    def __init__(self, judges: str) -> None:
        self.judges = judges

    def install_line(self, version: str | None) -> str:
        return "\x01INSTALL\x01"

    def repro_source(self, case, call) -> str:
        return "\x01SRC\x01"


def case_template(case, judges: str) -> str:
    """build_repro's script for ``case`` with the adapter's parts as markers."""
    from ..bound import oracle_quantity
    from ..repro import build_repro
    from ..runner.check import why_invalid

    if case.expect == "ok":
        reference = oracle_quantity(case, "output")
        text = build_repro(
            case, _StandIn(judges), _Call(), reference, framework_version="\x01VERSION\x01",
            reference_abs=oracle_quantity(case, "output", absolute=True),
        )
    else:
        text = build_repro(case, _StandIn(judges), _Call(), None, "\x01VERSION\x01", why_invalid=why_invalid(case))
    lines = text.split("\n")
    for i, line in enumerate(lines):  # the run's versions, not this machine's
        if line.startswith("# framework:") and "\x01MODULE\x01" in line:
            lines[i] = "# framework:   \x01FW\x01"
    return "\n".join(lines)


class PassRepros:
    """The templates and per-cell parts of one report, interned in its string table."""

    def __init__(self, merged: Merged, cases: dict[str, Any], strings: StringTable) -> None:
        self.merged = merged
        self.cases = cases
        self.strings = strings
        self.templates: dict[tuple[str, str], list[int]] = {}  # (case id, judges) -> line indices
        self.by_case: dict[str, dict[str, list[int]]] = {}  # case id -> judges -> line indices
        self.adapter_parts: dict[str, dict[str, int]] = {}  # adapter -> its framework and install lines
        self._adapters: dict[str, Any] = {}
        self._runs = {run.run_info.get("adapter"): run.run_info for run in merged.runs}

    def adapter(self, name: str):
        if name not in self._adapters:
            from ..adapters import get_adapter

            try:
                self._adapters[name] = get_adapter(name)()
            except Exception as err:  # an adapter this checkout no longer has
                self._adapters[name] = err
        return self._adapters[name]

    def framework_line(self, adapter) -> str:
        info = self._runs.get(adapter.name, {})
        version = info.get("framework_version") or "unknown"
        numpy_version = info.get("numpy") or np.__version__
        python = info.get("python") or platform.python_version()
        return f"{adapter.module} {version}, numpy {numpy_version}, python {python}"

    def for_cell(self, case_id: str, adapter_name: str) -> dict[str, Any] | None:
        """The cell's parts ({"t": [case, judges], marker fields}, strings interned), or
        {"why": ...} when it cannot be built here, or None for a large or absent case."""
        case = self.cases.get(case_id)
        if case is None or case.x.size + case.w.size > VALUES_LIMIT:
            return None
        adapter = self.adapter(adapter_name)
        if isinstance(adapter, Exception):
            return {"why": f"this checkout has no adapter {adapter_name}"}
        from ..repro import pip_line

        try:
            call = adapter.express(case)
            source = adapter.repro_source(case, call)
            describe = call.describe()
        except Exception as err:  # e.g. an express that needs the framework (onnx) installed
            return {"why": f"{adapter_name} cannot render its call without its framework here ({type(err).__name__}: {err})"}
        judges = getattr(adapter, "judges", "values")
        key = (case_id, judges)
        if key not in self.templates:
            try:
                self.templates[key] = [self.strings.index(line) for line in case_template(case, judges).split("\n")]
                self.by_case.setdefault(case_id, {})[judges] = self.templates[key]
            except Exception as err:  # the oracle refuses what the run judged: say so
                self.templates[key] = []
                return {"why": f"the repro template could not be built ({type(err).__name__}: {err})"}
        if not self.templates[key]:
            return {"why": "the repro template could not be built for this case"}
        if adapter_name not in self.adapter_parts:  # once per adapter, in the page's adapter list
            version = self._runs.get(adapter_name, {}).get("framework_version")
            self.adapter_parts[adapter_name] = {
                "framework": self.strings.index(self.framework_line(adapter)),
                "install": self.strings.index(pip_line(adapter, version)),
            }
        parts = {
            "call": self.strings.index(describe),
            "src": [self.strings.index(line) for line in source.rstrip("\n").split("\n")],
        }
        if judges != "values":
            parts["t"] = judges
        return parts

    def case_templates(self, case_id: str) -> dict[str, list[int]]:
        """judges -> template lines, for the case's entry in the page's data."""
        return self.by_case.get(case_id, {})
