"""The page's sections that answer in words, each count a link to the matrix rows it counts.

``findings``: every distinct known finding (one expectation reason met by results), grouped
by kind, with the adapters and cases it covers, its links and the simplest case to open.
``expressibility_rules``: per UNSUPPORTED reason, which adapters cannot express it, which
met the cases that need it and expressed them, and which never met such a case, so that a
blank is never ambiguous. A "case that needs it" is one some adapter refused for that
reason: the suite has no other list of what each reason means in parameters.

Rows are given as indices into the matrix's case order; ``row_ranges`` writes them short
("3-9,12") for a link's ``data-rows``, which the page's filter reads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .catalogue import finding_key
from .merge import Merged
from .summary import unsupported_reason


def row_ranges(rows: set[int] | list[int]) -> str:
    """Sorted indices as "a-b,c" ranges."""
    out: list[str] = []
    ordered = sorted(set(rows))
    start = prev = None
    for index in ordered + [None]:
        if start is not None and (index is None or index != prev + 1):
            out.append(str(start) if start == prev else f"{start}-{prev}")
            start = None
        if index is not None and start is None:
            start = index
        prev = index
    return ",".join(out)


@dataclass
class Finding:
    kind: str
    framework: str
    reason: str
    links: dict[str, str]
    diagnosis: str | None
    adapters: list[str] = field(default_factory=list)
    rows: set[int] = field(default_factory=set)
    cells: int = 0
    simplest: tuple[str, str] | None = None  # (case id, adapter) of the smallest case
    _size: float = math.inf

    @property
    def row_text(self) -> str:
        return row_ranges(self.rows)


def case_size(params: dict[str, Any]) -> float:
    """Elements of the input and kernel: the smaller, the easier the repro is to read."""
    size = 0
    for key in ("input_shape", "kernel_shape"):
        shape = params.get(key)
        if isinstance(shape, list) and all(isinstance(n, int) for n in shape):
            size += math.prod(shape)
    return size or math.inf


def findings(merged: Merged) -> dict[str, list[Finding]]:
    """kind -> its findings (most cells first): met expectations of a non-PASS status."""
    framework_of = {run.run_info.get("adapter"): run.run_info.get("framework", "?") for run in merged.runs}
    row_of = {case_id: i for i, case_id in enumerate(merged.cases)}
    found: dict[tuple[str, str, str], Finding] = {}
    for (case_id, adapter), cell in merged.cells.items():
        result = cell.result
        if not result.expectation_kind or not cell.met_expectation or cell.status == "PASS":
            continue
        framework = framework_of.get(adapter, "?")
        reason = result.expectation_reason or ""
        key = finding_key(result.expectation_kind, framework, reason)  # as the README's list keys it
        links = result.expectation_links or ({"link": result.expectation_link} if result.expectation_link else {})
        finding = found.setdefault(key, Finding(key[0], framework, reason, dict(links), result.diagnosis))
        if adapter not in finding.adapters:
            finding.adapters.append(adapter)
        finding.rows.add(row_of[case_id])
        finding.cells += 1
        size = case_size(merged.cases[case_id].params)
        if size < finding._size:
            finding._size, finding.simplest = size, (case_id, adapter)
    by_kind: dict[str, list[Finding]] = {}
    for finding in sorted(found.values(), key=lambda f: (-f.cells, f.framework, f.reason)):
        by_kind.setdefault(finding.kind, []).append(finding)
    return by_kind


@dataclass
class RuleCell:
    """One adapter against one reason: cannot (refused), expressed (ran those cases), or
    never met (no result on any case that needs it)."""

    cannot: set[int] = field(default_factory=set)
    expressed: set[int] = field(default_factory=set)

    @property
    def met(self) -> bool:
        return bool(self.cannot or self.expressed)


@dataclass
class Rule:
    code: str
    words: str
    cases: set[int]
    cells: dict[str, RuleCell]

    def adapters_that(self, verdict: str) -> list[str]:
        if verdict == "cannot":
            return [a for a, c in self.cells.items() if c.cannot]
        if verdict == "expressed":
            return [a for a, c in self.cells.items() if not c.cannot and c.expressed]
        return [a for a, c in self.cells.items() if not c.met]


def expressibility_rules(merged: Merged) -> list[Rule]:
    """One rule per UNSUPPORTED reason met in this run, the most refused first."""
    row_of = {case_id: i for i, case_id in enumerate(merged.cases)}
    needing: dict[str, set[str]] = {}
    # each case's results with their reasons, read once (not once per reason and adapter)
    by_case: dict[str, list[tuple[str, str | None]]] = {}
    for (case_id, adapter), cell in merged.cells.items():
        reason = unsupported_reason(cell) if cell.status == "UNSUPPORTED" else None
        if reason is not None:
            needing.setdefault(reason, set()).add(case_id)
        by_case.setdefault(case_id, []).append((adapter, reason))
    rules = []
    for reason, case_ids in needing.items():
        code, _, words = reason.partition(": ")
        cells = {adapter: RuleCell() for adapter in merged.adapters}
        for case_id in case_ids:
            for adapter, refused_for in by_case[case_id]:
                if refused_for is None:  # it ran the case: whatever the verdict, the API could say it
                    cells[adapter].expressed.add(row_of[case_id])
                elif refused_for == reason:
                    cells[adapter].cannot.add(row_of[case_id])
        rules.append(Rule(code, words or code, {row_of[c] for c in case_ids}, cells))
    return sorted(rules, key=lambda r: (-sum(len(c.cannot) for c in r.cells.values()), r.code))
