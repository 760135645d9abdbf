"""Repro scripts for the cells whose results file has none (a PASS keeps none), built here.

A script is ``repro.build_repro`` exactly, split in two so that the page holds each part once:
- per case, the script with the adapter's parts left as markers (``MARKS``): the header,
  the tensors (input, kernel, expected, bound) and the verdict; built by ``build_repro``
  itself with a stand-in adapter whose name, module, install line and call are the markers;
- per cell, the adapter's own ``repro_source`` lines and the texts that fill the markers.
The page (``passRepro`` in report.js) puts them together when the cell is opened.

Built where the case file loads here and the adapter can express the case without its
framework (an adapter whose ``express`` imports it, e.g. onnx, gets none, and the page says
why). The framework line names the versions the results file records. A case of up to
``INLINE_LIMIT`` elements (input + kernel) has its script in the page; a larger one's
tensors are stored as packed float64 (about 10 bytes an element in the page, up to 400 kB
a case: the 32 large precision cases would add 4 MB), so its cells get the command that
prints the same script from a checkout instead:

    python -m conformance.report.pass_repro CASE_FILE CASE_ID ADAPTER [RESULTS_FILE]
"""

from __future__ import annotations

import argparse
import platform
import shlex
import sys
from types import SimpleNamespace
from typing import Any

import numpy as np

from .case_values import oracle_output
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


# Input + kernel elements up to which a PASS cell's script is in the page (repro.py writes
# tensors of up to 2000 elements as literals, larger ones packed).
INLINE_LIMIT = 2000


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


def case_template(case, judges: str, outputs: dict | None = None) -> str:
    """build_repro's script for ``case`` with the adapter's parts as markers (``outputs``:
    the oracle's outputs already computed, case_values.oracle_output)."""
    from ..bound import oracle_quantity
    from ..repro import build_repro
    from ..runner.check import why_invalid

    if case.expect == "ok":
        reference = oracle_output(case, outputs)
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

    def __init__(self, merged: Merged, cases: dict[str, Any], strings: StringTable, outputs: dict | None = None) -> None:
        self.merged = merged
        self.outputs = outputs if outputs is not None else {}  # case id -> the oracle's output
        self.cases = cases
        self.strings = strings
        self.templates: dict[tuple[str, str], list[int]] = {}  # (case id, judges) -> line indices
        self.by_case: dict[str, dict[str, list[int]]] = {}  # case id -> judges -> line indices
        self.adapter_parts: dict[str, dict[str, int]] = {}  # adapter -> its framework and install lines
        self._adapters: dict[str, Any] = {}
        self._runs = {run.run_info.get("adapter"): run.run_info for run in merged.runs}
        self._paths = {run.run_info.get("adapter"): run.path for run in merged.runs}

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

    def command(self, case, adapter_name: str) -> str:
        """The command that prints this cell's script from a checkout of the suite."""
        words = ["python", "-m", "conformance.report.pass_repro", case.file, case.id, adapter_name]
        if self._paths.get(adapter_name):
            words.append(str(self._paths[adapter_name]))
        return " ".join(shlex.quote(word) for word in words)

    def for_cell(self, case_id: str, adapter_name: str, inline: bool | None = None) -> dict[str, Any] | None:
        """The cell's parts ({"t": [case, judges], marker fields}, strings interned); for a
        case over INLINE_LIMIT (unless ``inline``), {"cmd": the command, "n": its elements};
        {"why": ...} when it cannot be built here; None for an absent case."""
        case = self.cases.get(case_id)
        if case is None:
            return None
        elements = case.x.size + case.w.size
        if not (inline if inline is not None else elements <= INLINE_LIMIT):
            return {"cmd": self.strings.index(self.command(case, adapter_name)), "n": int(elements)}
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
                self.templates[key] = [self.strings.index(line) for line in case_template(case, judges, self.outputs).split("\n")]
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


def fill(parts: dict[str, Any], template: list[int], adapter_name: str, adapter_parts: dict[str, int], strings: list[str]) -> str:
    """The script from a cell's parts, as the page's ``passRepro`` puts it together."""
    text = "\n".join(strings[i] for i in template)
    values = {
        "\x01A\x01": adapter_name,
        "\x01CALL\x01": strings[parts["call"]],
        "\x01FW\x01": strings[adapter_parts["framework"]],
        "\x01INSTALL\x01": strings[adapter_parts["install"]],
        "\x01SRC\x01": "\n".join(strings[i] for i in parts["src"]),
    }
    for mark, value in values.items():
        text = text.replace(mark, value)
    return text


def script_for(case, adapter_name: str, run_info: dict[str, Any] | None = None) -> str:
    """The script the page would show for this case on this adapter (the run's versions
    from ``run_info``); raises ValueError saying why when it cannot be built here."""
    strings = StringTable()
    runs = [SimpleNamespace(run_info={**(run_info or {}), "adapter": adapter_name}, path=None)]
    repros = PassRepros(SimpleNamespace(runs=runs), {case.id: case}, strings)
    parts = repros.for_cell(case.id, adapter_name, inline=True)
    if parts is None or "why" in parts:
        raise ValueError(f"no script for {case.id!r} on {adapter_name}: {parts['why'] if parts else 'no such case'}")
    template = repros.templates[(case.id, parts.get("t", "values"))]
    return fill(parts, template, adapter_name, repros.adapter_parts[adapter_name], strings.strings())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the repro script of one cell of the report (a PASS's too).")
    parser.add_argument("case_file", help="the case file, e.g. cases/precision.yaml")
    parser.add_argument("case_id")
    parser.add_argument("adapter", help="the adapter's registered name")
    parser.add_argument("results_file", nargs="?", help="a results file of that adapter: the script names its versions")
    args = parser.parse_args(argv)
    from ..loader import load_file
    from ..results import read_results_file

    cases = {case.id: case for case in load_file(args.case_file).cases}
    if args.case_id not in cases:
        parser.error(f"{args.case_file} has no case {args.case_id!r}")
    run_info = read_results_file(args.results_file)[0] if args.results_file else None
    try:
        print(script_for(cases[args.case_id], args.adapter, run_info), end="")
    except ValueError as err:
        print(err, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
