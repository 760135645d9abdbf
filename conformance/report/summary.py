"""The numbers every output shows: per-adapter counts, expressibility, disagreement rows.

The HTML page, the Markdown summary, the JUnit files and the terminal all read these, so
a count is computed in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..results import STATUSES
from .merge import CONFLICT, CaseInfo, Cell, Merged

# Statuses that are a problem wherever they appear (UNSUPPORTED is a documented limit).
PROBLEM_STATUSES = ("FAIL", "ERROR", "CRASH", "TIMEOUT", "HARNESS", CONFLICT)
PAGE_STATUSES = STATUSES + (CONFLICT,)

DISAGREEMENT_RULE = (
    "a row where the adapters that apply to the case do not all report the same status "
    "(UNSUPPORTED counts as a status), or where any of them reports FAIL, ERROR, CRASH, "
    "TIMEOUT or HARNESS, or where results files disagree (CONFLICT)"
)


@dataclass
class AdapterSummary:
    adapter: str
    frameworks: list[str]
    devices: list[str]
    counts: dict[str, int]
    unexpected: int  # results whose status is not the expected one
    run_seconds: float | None
    sources: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def expressible(self) -> int:
        return self.total - self.counts["UNSUPPORTED"]

    @property
    def pass_rate(self) -> float | None:
        """PASS over the results the adapter could express (UNSUPPORTED left out)."""
        return self.counts["PASS"] / self.expressible if self.expressible else None


def adapter_summaries(merged: Merged) -> list[AdapterSummary]:
    summaries = []
    # one pass over the cells, not one per adapter (70 adapters x 26,000 cells: 0.25 s a call, 0.05 s now)
    by_adapter: dict[str, list[Cell]] = {adapter: [] for adapter in merged.adapters}
    for (_, a), cell in merged.cells.items():
        by_adapter.setdefault(a, []).append(cell)
    for adapter in merged.adapters:
        runs = [run for run in merged.runs if adapter in run.adapters]
        cells = by_adapter[adapter]
        counts = {status: 0 for status in PAGE_STATUSES}
        for cell in cells:
            counts[cell.status] += 1
        summaries.append(
            AdapterSummary(
                adapter=adapter,
                frameworks=unique(framework_label(run.run_info) for run in runs),
                devices=unique(str(run.run_info.get("device") or "") for run in runs),
                counts=counts,
                unexpected=sum(1 for cell in cells if not cell.met_expectation),
                run_seconds=run_seconds([run.run_info for run in runs], cells),
                sources=[run.path for run in runs],
            )
        )
    return summaries


def framework_label(run_info: dict) -> str:
    name = str(run_info.get("framework") or "")
    version = str(run_info.get("framework_version") or "")
    return f"{name} {version}".strip()


def unique(values) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def run_seconds(run_infos: list[dict], cells: list[Cell]) -> float | None:
    """Wall time from each file's time_start/time_end; the sum of case durations otherwise."""
    total = 0.0
    for info in run_infos:
        try:
            start = datetime.fromisoformat(str(info["time_start"]))
            end = datetime.fromisoformat(str(info["time_end"]))
            total += (end - start).total_seconds()
        except (KeyError, ValueError, TypeError):
            durations = [c.result.duration_s for c in cells if isinstance(c.result.duration_s, (int, float))]
            return float(sum(durations)) if durations else None
    return total if run_infos else None


@dataclass
class ReasonRow:
    reason: str
    counts: dict[str, int]  # adapter -> number of cases refused for this reason

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def unsupported_reason(cell: Cell) -> str:
    """The reason code and its words (``asymmetric-padding: one padding amount per dim...``);
    an older results file's free text as it is."""
    from ..vocabulary import UnknownReason, reason_words

    result = cell.result
    code = (result.unsupported_reason or result.message or "no reason given").strip()
    try:
        return f"{code}: {reason_words(code)}"
    except UnknownReason:
        return code


def missing_adapters(merged: Merged) -> list[str]:
    """The adapters the run meant to cover that have no results: their tox environment
    failed before its run, or their results file is absent or unreadable."""
    have = {run.run_info.get("adapter") for run in merged.runs} | set(merged.adapters)
    return [name for name in merged.expected_adapters if name not in have]


@dataclass
class FindingRow:
    framework: str
    counts: dict[str, int]  # kind -> distinct expectation entries met in this run
    entries: list[str]  # the reasons, for the reader


def findings_by_kind(merged: Merged) -> list[FindingRow]:
    """Distinct known findings by framework and kind: a finding is one reason of the
    expectations files that results met (entries sharing one body through a YAML anchor,
    or two adapters of a framework with the same reason, are one finding)."""
    from ..vocabulary import FINDING_KINDS

    seen: dict[str, dict[str, set[str]]] = {}
    framework_of = {run.run_info.get("adapter"): run.run_info.get("framework", "?") for run in merged.runs}
    for (_, adapter), cell in merged.cells.items():
        result = cell.result
        if not result.expectation_kind or not cell.met_expectation or result.status == "PASS":
            continue
        framework = framework_of.get(adapter, "?")
        seen.setdefault(framework, {k: set() for k in FINDING_KINDS})[result.expectation_kind].add(
            result.expectation_reason or ""
        )
    return [
        FindingRow(framework, {kind: len(entries) for kind, entries in kinds.items()}, sorted(set().union(*kinds.values())))
        for framework, kinds in sorted(seen.items())
    ]


def expressibility(merged: Merged) -> list[ReasonRow]:
    """UNSUPPORTED reasons x adapters, the reason most often met first."""
    rows: dict[str, ReasonRow] = {}
    for (_, adapter), cell in merged.cells.items():
        if cell.status != "UNSUPPORTED":
            continue
        reason = unsupported_reason(cell)
        row = rows.setdefault(reason, ReasonRow(reason, {}))
        row.counts[adapter] = row.counts.get(adapter, 0) + 1
    return sorted(rows.values(), key=lambda r: (-r.total, r.reason))


def is_disagreement(statuses: list[str]) -> bool:
    """The rule in DISAGREEMENT_RULE, over the statuses of the adapters that apply."""
    return len(set(statuses)) > 1 or any(s in PROBLEM_STATUSES for s in statuses)


def row_statuses(merged: Merged, case: CaseInfo) -> list[str]:
    cells = (merged.cell(case.id, adapter) for adapter in merged.adapters)
    return [cell.status for cell in cells if cell is not None]


def disagreement_rows(merged: Merged) -> list[CaseInfo]:
    return [case for case in merged.cases.values() if is_disagreement(row_statuses(merged, case))]


def unexpected_cells(merged: Merged) -> list[tuple[CaseInfo, str, Cell]]:
    """(case, adapter, cell) for every result that did not meet its expectation, in suite order."""
    found = []
    for case in merged.cases.values():
        for adapter in merged.adapters:
            cell = merged.cell(case.id, adapter)
            if cell is not None and not cell.met_expectation:
                found.append((case, adapter, cell))
    return found


def stale_expectations(merged: Merged) -> list[str]:
    """One line per stale entry of an expectations file, as the runner recorded them in run_info."""
    lines = []
    for run in merged.runs:
        entries = run.run_info.get("stale_expectations") or []
        for entry in entries if isinstance(entries, list) else [entries]:
            if not isinstance(entry, dict):
                lines.append(str(entry))
                continue
            where = f"{entry.get('file', '?')}:{entry.get('line', '?')}"
            adapter = entry.get("adapter") or run.run_info.get("adapter", "")
            lines.append(
                f"{where}: {adapter}: {entry.get('pattern')!r} expects {entry.get('status')}: {entry.get('why', '')}"
            )
    return lines


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def format_rate(rate: float | None) -> str:
    return "-" if rate is None else f"{100 * rate:.1f}%"
