"""Merge any number of results files into one table of (case, adapter) cells.

Files come from several tox environments or machines. The same (case, adapter) reported
twice with the same status is one cell with two sources; with different statuses it is a
conflict, kept with every claim so the page can show who said what. A conflict whose
claims each met their own run's expectation (machines that differ, as expected) meets its
expectation; one that did not is unexpected. A file that cannot be
read, or an entry in it that is not a result, is recorded with its error and the rest is
still merged.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..case import QUANTITIES
from ..results import STATUSES, Result, ResultsFileError, read_results_file, result_key

CONFLICT = "CONFLICT"  # the page's status for a cell whose files disagree


@dataclass
class RunFile:
    """One results file that was read: where it came from and its run information."""

    path: str
    run_info: dict[str, Any]
    adapters: list[str]
    n_results: int


@dataclass
class FileError:
    """A results file, or one entry of it, that could not be used; the message names both."""

    path: str
    message: str


@dataclass
class Claim:
    """One file's result for a (case, adapter)."""

    result: Result
    source: str


@dataclass
class Cell:
    """The outcome of one case on one adapter, with every file that reported it."""

    claims: list[Claim]

    @property
    def result(self) -> Result:
        return self.claims[0].result

    @property
    def conflict(self) -> bool:
        return len(self.claims) > 1 and len({claim.result.status for claim in self.claims}) > 1

    @property
    def status(self) -> str:
        return CONFLICT if self.conflict else self.result.status

    @property
    def met_expectation(self) -> bool:
        """Every file's result met its own run's expectation. Files that disagree can: runs
        whose recorded properties differ (another CPU, the kernel switches of a simulated
        machine) may be expected to answer differently, by an entry conditioned on them;
        with the same properties one entry applies to both, and two statuses cannot both
        meet it."""
        return all(claim.result.met_expectation for claim in self.claims)


@dataclass
class CaseInfo:
    """What the results say about a case itself (taken from the first result seen)."""

    id: str
    file: str
    line: int
    op: str
    description: str
    tags: list[str]
    params: dict[str, Any]
    # "output", or the gradient this row judges (its id is then "<case>::<quantity>").
    quantity: str = "output"


@dataclass
class Conflict:
    case: str
    adapter: str
    claims: list[Claim]

    def describe(self) -> str:
        said = ", ".join(f"{c.result.status} in {c.source}" for c in self.claims)
        return f"case {self.case!r} on adapter {self.adapter!r}: {said}"


@dataclass
class Merged:
    runs: list[RunFile] = field(default_factory=list)
    file_errors: list[FileError] = field(default_factory=list)
    cases: dict[str, CaseInfo] = field(default_factory=dict)  # in suite order: file, line
    adapters: list[str] = field(default_factory=list)
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    # The ops each adapter reported on: a missing cell is "n/a" when the adapter never
    # runs that op, "not run" when it does but this case is absent from its results.
    adapter_ops: dict[str, set[str]] = field(default_factory=dict)
    # Adapters whose run_info says they are recipes (compositions of calls, not one API call).
    recipes: set[str] = field(default_factory=set)
    # The adapters the run meant to cover (``conformance report --expect``): the report
    # names those with no results at all.
    expected_adapters: list[str] = field(default_factory=list)
    # Every file read, older releases too (releases.py): the release view's series.
    release_files: list[Any] = field(default_factory=list)

    @property
    def conflicts(self) -> list[Conflict]:
        return [Conflict(case, adapter, cell.claims) for (case, adapter), cell in self.cells.items() if cell.conflict]

    @property
    def n_results(self) -> int:
        return len(self.cells)

    def cell(self, case: str, adapter: str) -> Cell | None:
        return self.cells.get((case, adapter))

    def missing_kind(self, case: str, adapter: str) -> str:
        """For a case with no result on this adapter: 'n/a' (other op) or 'not run'."""
        return "not run" if self.cases[case].op in self.adapter_ops.get(adapter, ()) else "n/a"


def results_paths(arguments: Iterable[str | os.PathLike]) -> tuple[list[Path], list[FileError]]:
    """Each argument is a results file or a folder searched for ``*.json`` (subfolders too:
    e.g. one per machine or CI job); a missing one is an error."""
    paths: list[Path] = []
    missing: list[FileError] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            paths.extend(sorted(p for p in path.rglob("*.json") if p.is_file()))
        elif path.is_file():
            paths.append(path)
        else:
            missing.append(FileError(str(path), f"{path}: no such file or directory"))
    return paths, missing


def merge_files(arguments: Iterable[str | os.PathLike], expected_adapters: Iterable[str] = ()) -> Merged:
    """Read every results file named by ``arguments`` (files or directories) and merge them;
    ``expected_adapters`` are the adapters the run meant to cover."""
    paths, missing = results_paths(arguments)
    from .releases import ReadFile, split_older_releases

    merged = Merged(file_errors=missing, expected_adapters=list(expected_adapters))
    for path in paths:
        try:
            run_info, results = read_results_file(path)
        except ResultsFileError as err:
            merged.file_errors.append(FileError(str(path), str(err)))
            continue
        merged.release_files.append(ReadFile(str(path), run_info, results))
    # An adapter's older releases are a series for the release view, not conflicting claims
    current, _ = split_older_releases(merged.release_files)
    for read in current:
        add_run(merged, read.path, read.run_info, read.results)
    return finish(merged)


def add_run(merged: Merged, source: str, run_info: dict[str, Any], results: list[Result]) -> None:
    """Add one file's results; the adapter falls back to run_info's, then the file name."""
    fallback_adapter = str(run_info.get("adapter") or Path(source).stem)
    seen_adapters: list[str] = []
    for index, result in enumerate(results):
        problem = invalid_field(result)
        if problem:
            merged.file_errors.append(FileError(source, f"{source}: result {index}: {problem}"))
            continue
        adapter = result.adapter or fallback_adapter
        result.adapter = adapter
        if adapter not in seen_adapters:
            seen_adapters.append(adapter)
        merged.adapter_ops.setdefault(adapter, set()).add(result.op)
        # One row per (case, quantity): a gradient is its own row, "<case>::<quantity>".
        key = result_key(result.case, getattr(result, "quantity", "output") or "output")
        if key not in merged.cases:
            merged.cases[key] = case_info(result)
        cell = merged.cells.get((key, adapter))
        if cell is None:
            merged.cells[(key, adapter)] = Cell([Claim(result, source)])
        else:
            cell.claims.append(Claim(result, source))
    merged.runs.append(RunFile(source, run_info, seen_adapters, len(results)))


def finish(merged: Merged) -> Merged:
    """Order cases as the suite is written (file, line, id); adapters by name, those that
    run conv_transpose cases first (the suite's subject), then the others; within each,
    the APIs before the recipes."""
    order = sorted(merged.cases.values(), key=lambda c: (c.file, c.line, c.id.split("::")[0], _quantity_order(c.quantity)))
    merged.cases = {c.id: c for c in order}
    recipes = {run.run_info.get("adapter") for run in merged.runs if run.run_info.get("adapter_kind") == "recipe"}
    merged.recipes = recipes & set(merged.adapter_ops)
    merged.adapters = sorted(
        merged.adapter_ops, key=lambda a: ("conv_transpose" not in merged.adapter_ops[a], a in merged.recipes, a)
    )
    return merged


def _quantity_order(quantity: str) -> int:
    return QUANTITIES.index(quantity) if quantity in QUANTITIES else len(QUANTITIES)


def invalid_field(result: Result) -> str | None:
    """Why a decoded entry cannot be shown ("<field>: <what> (got <value>)"), or None."""
    if not isinstance(result.case, str) or not result.case:
        return f"case: must be a non-empty string (got {result.case!r})"
    if result.status not in STATUSES:
        return f"case {result.case!r}: status: not one of {', '.join(STATUSES)} (got {result.status!r})"
    if not isinstance(result.op, str):
        return f"case {result.case!r}: op: must be a string (got {result.op!r})"
    if not isinstance(result.adapter, str):
        return f"case {result.case!r}: adapter: must be a string (got {result.adapter!r})"
    if not isinstance(result.line, int) or isinstance(result.line, bool):
        return f"case {result.case!r}: line: must be an integer (got {result.line!r})"
    return None


def case_info(result: Result) -> CaseInfo:
    quantity = getattr(result, "quantity", "output") or "output"
    return CaseInfo(
        id=result_key(result.case, quantity),
        quantity=quantity,
        file=str(result.file or ""),
        line=result.line,
        op=result.op,
        description=str(result.description or ""),
        tags=[str(t) for t in result.tags] if isinstance(result.tags, list) else [],
        params=dict(result.params) if isinstance(result.params, dict) else {},
    )
