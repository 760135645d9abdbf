"""The pytest plugin: ``pytest cases --framework NAME`` runs every case on the framework's adapters.

Inactive unless ``--framework`` or ``--adapter`` is given: it then collects ``*.yaml`` case
files (``collect``), checks once at start that each adapter's framework imports (in the
executor's child, so a broken framework cannot take pytest down) and prints it in the
header, runs each item in a per-process executor, and on the controller (not on xdist
workers) gathers every item's result and writes ``<results>/<adapter>.json`` at the end,
with the stale expectations in ``run_info`` and in the terminal summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..case import QUANTITIES

PLUGIN_NAME = "conformance-run"


def pytest_addoption(parser):
    group = parser.getgroup("conformance", "conformance: run case files on framework adapters")
    group.addoption("--framework", metavar="NAME", help="run every adapter of this framework (`conformance adapters` lists them)")
    group.addoption(
        "--adapter",
        action="append",
        default=[],
        metavar="NAME",
        help="run this adapter (a registered name or pkg.module:Class); repeatable",
    )
    group.addoption("--results", default="reports/results", metavar="DIR", help="where results files go (default reports/results)")
    group.addoption(
        "--expectations", default="expectations", metavar="DIR", help="where expectation files are (default expectations)"
    )
    group.addoption(
        "--case-timeout",
        type=float,
        default=60.0,
        metavar="S",
        help="seconds one case-check may take before it is a TIMEOUT (default 60)",
    )


def pytest_configure(config):
    if not (config.getoption("framework") or config.getoption("adapter")):
        return
    config.pluginmanager.register(ConformanceRun(config), PLUGIN_NAME)


@dataclass(frozen=True)
class ChosenAdapter:
    spec: str  # how the executor's child loads it: module:Class
    cls: type
    instance: object

    @property
    def name(self) -> str:
        return self.cls.name


def choose_adapters(framework: str | None, names: list[str]) -> list[ChosenAdapter]:
    """The adapters of ``--adapter`` (all of them within ``--framework`` if both are given),
    or every adapter of ``--framework``; raises pytest.UsageError for a bad choice."""
    from ..adapters import UnknownAdapter, adapters_for_framework, get_adapter
    from .executor import adapter_spec

    try:
        classes = [get_adapter(name) for name in names] if names else adapters_for_framework(framework)
    except (UnknownAdapter, ImportError, AttributeError) as err:
        raise pytest.UsageError(f"conformance: {err}") from None
    if framework and names:
        foreign = [f"{cls.name} ({cls.framework})" for cls in classes if cls.framework != framework]
        if foreign:
            raise pytest.UsageError(f"conformance: --adapter {', '.join(foreign)} is not a {framework!r} adapter")
    chosen, seen = [], set()
    for cls in classes:
        if cls.name not in seen:
            seen.add(cls.name)
            chosen.append(ChosenAdapter(adapter_spec(cls), cls, cls()))
    return chosen


class ResultRow(dict):
    """A result as an item reported it, already JSON-able (``Result.to_json``): what the
    results file and the staleness check read (``row.case``, ``row.status``, ...), without
    a second conversion per result."""

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def to_json(self) -> dict:
        return self


def safe_file_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


class ConformanceRun:
    """The run's state and hooks; registered only when the plugin is active."""

    def __init__(self, config):
        from .executor import Executor
        from .expectations import ExpectationsError, load_expectations

        self.config = config
        self.is_controller = not hasattr(config, "workerinput")
        self.case_timeout = config.getoption("case_timeout")
        if not self.case_timeout > 0:
            raise pytest.UsageError(f"conformance: --case-timeout must be positive (got {self.case_timeout})")
        # As given (relative to the working directory, as the user typed them): what the
        # summary, the failure text and the results files show.
        self.results_dir = Path(config.getoption("results"))
        expectations_dir = Path(config.getoption("expectations"))
        self.expectations_dir = (config.invocation_params.dir / expectations_dir).resolve()
        self.adapters = choose_adapters(config.getoption("framework"), config.getoption("adapter"))
        try:
            self.expectations = {a.name: load_expectations(expectations_dir, a.name) for a in self.adapters}
        except ExpectationsError as err:
            raise pytest.UsageError(f"conformance: {err}") from None
        self._executor: Executor | None = None
        self._seen_cases: dict[str, str] = {}
        self.results: dict[str, list[dict]] = {a.name: [] for a in self.adapters}
        self.versions: dict[str, str] = {}
        self.builds: dict[str, dict] = {}
        self._properties: dict[str, dict] = {}
        self.written: dict[str, Path] = {}
        self.stale: list[dict] = []
        self.time_start = _now()
        if self.is_controller:
            self._check_frameworks()

    # -- start ------------------------------------------------------------------
    def _check_frameworks(self) -> None:
        """Import each adapter's framework once, in the executor's child (array-api-tests
        style: a missing framework is a usage error at start, not a failure per case)."""
        executor = self.executor()
        for chosen in self.adapters:
            outcome = executor.warm_up(chosen.spec)
            if not outcome.ok:
                why = f"{outcome.error_type}: {outcome.message}" if outcome.kind == "raised" else outcome.message
                raise pytest.UsageError(
                    f"conformance: adapter {chosen.name} cannot run here: {why}. "
                    f"Install the {chosen.cls.module!r} package (e.g. pip install {chosen.cls.module.split('.')[0]}, "
                    f"or use tox -e {chosen.cls.framework})."
                )
            self.versions[chosen.name] = outcome.value
            self.builds[chosen.name] = executor.known_builds.get(chosen.spec, {})

    def properties_for(self, chosen: ChosenAdapter) -> dict:
        """The run properties an adapter's expectations are judged on (the framework's
        version and build as its executor child reported them)."""
        if chosen.name not in self._properties:
            from ..properties import run_properties

            executor = self.executor()
            version = self.versions.get(chosen.name) or executor.known_versions.get(chosen.spec, "unknown")
            build = self.builds.get(chosen.name) or executor.known_builds.get(chosen.spec, {})
            self._properties[chosen.name] = run_properties(version, build, str(getattr(chosen.instance, "device", "cpu")))
        return self._properties[chosen.name]

    def executor(self):
        from .executor import Executor

        if self._executor is None:
            self._executor = Executor(case_timeout=self.case_timeout)
        return self._executor

    def pytest_sessionstart(self, session):
        # Under xdist the controller runs no case: its child was only for the check.
        if self.config.pluginmanager.has_plugin("dsession") and self._executor is not None:
            self._executor.close()
            self._executor = None

    def pytest_report_header(self, config):
        lines = []
        by_framework: dict[str, list[ChosenAdapter]] = {}
        for chosen in self.adapters:
            by_framework.setdefault(chosen.cls.framework, []).append(chosen)
        for framework, chosen in by_framework.items():
            versions = sorted({f"{c.cls.module} {self.versions.get(c.name, '?')}" for c in chosen})
            devices = sorted({str(getattr(c.instance, "device", "cpu")) for c in chosen})
            lines.append(f"conformance: framework {framework} ({', '.join(versions)}) on {', '.join(devices)}")
            lines.append(f"conformance: adapters {', '.join(c.name for c in chosen)}")
        lines.append(f"conformance: results -> {self.results_dir}, expectations <- {self.expectations_dir}")
        return lines

    # -- collection -------------------------------------------------------------
    def pytest_collect_file(self, file_path, parent):
        from .collect import CaseFile

        if file_path.suffix not in (".yaml", ".yml"):
            return None
        if self.expectations_dir in file_path.resolve().parents:  # expectation files are not case files
            return None
        return CaseFile.from_parent(parent, path=file_path)

    def first_seen(self, case) -> str | None:
        """Where a case with the same id was collected before, or None (and remember it)."""
        where = f"{case.file}:{case.line}"
        first = self._seen_cases.setdefault(case.id, where)
        return None if first == where else first

    def results_path(self, adapter_name: str) -> str:
        return str(self.results_dir / f"{safe_file_name(adapter_name)}.json")

    # -- results ----------------------------------------------------------------
    @pytest.hookimpl(hookwrapper=True)  # the old style: pytest >= 7.4 may come with a pluggy before 1.2
    def pytest_runtest_makereport(self, item, call):
        yield
        if call.when == "call":
            # The call report has its copy of the result; the teardown report would carry it
            # through xdist's pipe a second time (it copies the item's user_properties too).
            from .collect import RESULT_PROPERTY

            item.user_properties[:] = [p for p in item.user_properties if p[0] != RESULT_PROPERTY]

    def pytest_runtest_logreport(self, report):
        from .collect import result_of

        if not self.is_controller or report.when != "call":
            return
        result = result_of(report)
        if result is not None and result.get("adapter") in self.results:
            self.results[result["adapter"]].append(result)

    def pytest_sessionfinish(self, session, exitstatus):
        if self._executor is not None:
            self._executor.close()
            self._executor = None
        if not self.is_controller:
            return
        from ..results import run_info, write_results_file

        time_end = _now()
        for chosen in self.adapters:
            collected = self.results[chosen.name]
            if not collected:
                continue
            collected.sort(key=lambda r: (r["file"], r["line"], r["case"], QUANTITIES.index(r.get("quantity", "output"))))
            results = [ResultRow(r) for r in collected]
            properties = self.properties_for(chosen)
            stale = self.expectations[chosen.name].stale(results, properties)
            self.stale.extend(stale)
            info = run_info(
                chosen.name,
                chosen.cls.framework,
                self.versions.get(chosen.name, "unknown"),
                device=str(getattr(chosen.instance, "device", "cpu")),
                properties=properties,
                adapter_kind=chosen.cls.kind,
                time_start=self.time_start,
                time_end=time_end,
                stale_expectations=stale,
                expectations_file=self.expectations[chosen.name].path,
                pytest_exit_status=int(exitstatus),
            )
            self.written[chosen.name] = write_results_file(self.results_path(chosen.name), info, results)

    def pytest_unconfigure(self, config):
        if self._executor is not None:
            self._executor.close()
            self._executor = None

    def pytest_terminal_summary(self, terminalreporter):
        if not self.is_controller:
            return
        tr = terminalreporter
        tr.section("conformance")
        from ..results import STATUSES

        unexpected = []
        for chosen in self.adapters:
            collected = self.results[chosen.name]
            if not collected:
                tr.write_line(f"{chosen.name}: no case ran")
                continue
            counts = {s: 0 for s in STATUSES}
            for r in collected:
                counts[r["status"]] += 1
                if r["status"] != r["expected_status"] or r.get("unexpected"):
                    unexpected.append(r)
            summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
            where = self.written.get(chosen.name)
            tr.write_line(f"{chosen.name} ({self.versions.get(chosen.name, '?')}): {summary}" + (f" -> {where}" if where else ""))
        if unexpected:
            tr.write_line(f"unexpected results ({len(unexpected)}):")
            for r in unexpected:
                first = r["message"].splitlines()[0] if r["message"] else ""
                why = r.get("unexpected") or f"{r['status']}, expected {r['expected_status']}"
                key = r["case"] if r.get("quantity", "output") == "output" else f"{r['case']}::{r['quantity']}"
                line = f"  {key} [{r['adapter']}]: {why}: {first}"
                tr.write_line(line if len(line) <= 160 else line[:157] + "...")
        if self.stale:
            tr.write_line(f"stale expectations ({len(self.stale)}):")
            for s in self.stale:
                tr.write_line(f"  {s['file']}:{s['line']}: '{s['pattern']}' ({s['status']}): {s['why']}")


def _now() -> str:
    from ..results import now_iso

    return now_iso()
