"""What changed between two sets of results: two releases, two machines, yesterday and today.

``diff_runs(before, after)`` compares each (case, adapter) that either side reported and
names the change, most serious first:

- ``new-failure``: PASS (or UNSUPPORTED) before, FAIL / ERROR / CRASH / TIMEOUT / HARNESS after;
- ``fixed``: not PASS before, PASS after;
- ``status``: another non-PASS status (ERROR -> FAIL, PASS -> UNSUPPORTED, ...);
- ``diagnosis``: FAIL both times, another diagnosis;
- ``message``: ERROR/CRASH both times, another message (the framework words it differently);
- ``shape``: the same status, another output shape;
- ``added`` / ``removed``: reported on one side only (a new case, adapter or release).

Beside the changes per result, ``Diff.precision_changes`` lists each (adapter, dtype) whose
precision profile (``precision.summarise``) reads differently: a kernel that began to
accumulate in float16 or to compute below its dtype, even where every result still passes.

A change *gates* (``conformance diff`` exits 1) when the after side is not PASS, something
changed, and the after side's expectations do not explain it (``Result.met_expectation``):
a regression no one has recorded. Each side may hold several files for one (case,
adapter) (machines merged): a side whose files disagree counts as the status CONFLICT.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from .report.merge import CONFLICT, Merged, merge_files
from .results import Result

KINDS = ("new-failure", "fixed", "status", "diagnosis", "message", "shape", "added", "removed")
NOT_A_RESULT = ("PASS", "UNSUPPORTED")  # statuses that are not a failure of the framework


@dataclass(frozen=True)
class Side:
    """One (case, adapter) on one side: its status and what identifies the outcome."""

    status: str
    diagnosis: str | None
    message: str
    shape: tuple[int, ...] | None
    met_expectation: bool
    expectation_reason: str | None

    @classmethod
    def of(cls, result: Result, status: str) -> "Side":
        return cls(
            status=status,
            diagnosis=result.diagnosis,
            message=result.message or "",
            shape=tuple(result.shape) if result.shape is not None else None,
            met_expectation=status != CONFLICT and result.met_expectation,
            expectation_reason=result.expectation_reason,
        )

    def describe(self) -> str:
        what = self.status
        if self.diagnosis:
            what += f" ({self.diagnosis})"
        elif self.status in ("ERROR", "CRASH", "TIMEOUT", "HARNESS") and self.message:
            what += f" ({first_words(self.message)})"
        return what

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "diagnosis": self.diagnosis,
            "message": self.message,
            "shape": list(self.shape) if self.shape is not None else None,
            "met_expectation": self.met_expectation,
            "expectation_reason": self.expectation_reason,
        }


@dataclass(frozen=True)
class Change:
    case: str
    adapter: str
    kind: str
    before: Side | None
    after: Side | None

    @property
    def gates(self) -> bool:
        """A non-PASS outcome that is new and that no expectation explains."""
        after = self.after
        return (
            after is not None
            and self.kind not in ("fixed", "removed")
            and after.status != "PASS"
            and not after.met_expectation
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "adapter": self.adapter,
            "kind": self.kind,
            "gates": self.gates,
            "before": self.before.to_json() if self.before else None,
            "after": self.after.to_json() if self.after else None,
        }


@dataclass
class Diff:
    before: Merged
    after: Merged
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0

    @property
    def gating(self) -> list[Change]:
        return [change for change in self.changes if change.gates]

    def counts(self) -> dict[str, int]:
        return {kind: sum(1 for change in self.changes if change.kind == kind) for kind in KINDS}

    def version_changes(self) -> list[tuple[str, str, str]]:
        """(adapter, version before, version after) where the framework's version differs."""
        before, after = versions(self.before), versions(self.after)
        return [
            (adapter, before[adapter], after[adapter])
            for adapter in sorted(set(before) & set(after))
            if before[adapter] != after[adapter]
        ]

    def precision_changes(self) -> list[tuple[str, str, str, str]]:
        """(adapter, dtype, before, after) where the precision profile's words differ
        (``precision.describe``): a kernel that now accumulates in float16, or computes below
        its dtype. A profile on one side only is not a change (the cases were not run)."""
        before, after = _precision_words(self.before), _precision_words(self.after)
        return [(a, d, before[(a, d)], after[(a, d)]) for a, d in sorted(set(before) & set(after)) if before[(a, d)] != after[(a, d)]]


def _precision_words(merged: Merged) -> dict[tuple[str, str], str]:
    from . import precision

    results = (cell.result for cell in merged.cells.values())
    return {(p.adapter, p.dtype): precision.describe(p) for p in precision.summarise(results)}


def versions(merged: Merged) -> dict[str, str]:
    """adapter -> its framework's version(s) in this side's files ('a, b' if several)."""
    found: dict[str, set[str]] = {}
    for run in merged.runs:
        version = str(run.run_info.get("framework_version") or "?")
        for adapter in run.adapters:
            found.setdefault(adapter, set()).add(version)
    return {adapter: ", ".join(sorted(values)) for adapter, values in found.items()}


def first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else ""


def first_words(message: str, limit: int = 90) -> str:
    """The first line, shortened for a table cell."""
    line = first_line(message)
    return line if len(line) <= limit else line[: limit - 3] + "..."


def change_kind(before: Side | None, after: Side | None) -> str | None:
    """The change from ``before`` to ``after``; None when nothing that matters changed."""
    if before is None:
        return "added"
    if after is None:
        return "removed"
    if before.status != after.status:
        if after.status == "PASS":
            return "fixed"
        if before.status in NOT_A_RESULT and after.status not in NOT_A_RESULT:
            return "new-failure"
        return "status"
    if before.diagnosis != after.diagnosis:
        return "diagnosis"
    if after.status in ("ERROR", "CRASH", "TIMEOUT", "HARNESS") and first_line(before.message) != first_line(after.message):
        return "message"
    if before.shape != after.shape and before.shape is not None and after.shape is not None:
        return "shape"
    return None


def diff_merged(before: Merged, after: Merged) -> Diff:
    result = Diff(before, after)
    keys = list(before.cells) + [key for key in after.cells if key not in before.cells]
    for key in keys:
        sides = []
        for merged in (before, after):
            cell = merged.cells.get(key)
            sides.append(Side.of(cell.result, cell.status) if cell else None)
        kind = change_kind(*sides)
        if kind is None:
            result.unchanged += 1
        else:
            result.changes.append(Change(key[0], key[1], kind, *sides))
    order = {kind: index for index, kind in enumerate(KINDS)}
    result.changes.sort(key=lambda change: (not change.gates, order[change.kind], change.adapter, change.case))
    return result


def diff_runs(before: Iterable[str], after: Iterable[str]) -> Diff:
    """Each side: results files, or folders searched for them (as ``conformance report``)."""
    return diff_merged(merge_files(before), merge_files(after))


# -- output -----------------------------------------------------------------------------------
def format_terminal(diff: Diff, limit: int | None = None) -> str:
    lines = [
        f"before: {diff.before.n_results} results from {len(diff.before.runs)} files; "
        f"after: {diff.after.n_results} results from {len(diff.after.runs)} files; "
        f"{diff.unchanged} unchanged, {len(diff.changes)} changed"
    ]
    for adapter, old, new in diff.version_changes():
        lines.append(f"  {adapter}: {old} -> {new}")
    for adapter, dtype, old, new in diff.precision_changes():
        lines.append(f"  precision {adapter} {dtype}: {old} -> {new}")
    counts = diff.counts()
    lines.append("changes: " + (", ".join(f"{n} {kind}" for kind, n in counts.items() if n) or "none"))
    shown = diff.changes if limit is None else diff.changes[:limit]
    if shown:
        width = max(len(change.kind) for change in shown)
        for change in shown:
            mark = "!" if change.gates else " "
            before = change.before.describe() if change.before else "-"
            after = change.after.describe() if change.after else "-"
            lines.append(f"{mark} {change.kind:<{width}}  {change.adapter}  {change.case}: {before} -> {after}")
        if limit is not None and len(diff.changes) > limit:
            lines.append(f"  ... {len(diff.changes) - limit} more (--limit 0 shows all)")
    gating = diff.gating
    if gating:
        lines.append(f"{len(gating)} new non-PASS results that no expectation explains (marked !)")
    else:
        lines.append("no new non-PASS result without an expectation")
    return "\n".join(lines)


def format_markdown(diff: Diff, title: str = "Conformance diff") -> str:
    counts = diff.counts()
    lines = [
        f"## {title}",
        "",
        f"{diff.before.n_results} results before, {diff.after.n_results} after: "
        f"{diff.unchanged} unchanged, {len(diff.changes)} changed "
        f"({', '.join(f'{n} {kind}' for kind, n in counts.items() if n) or 'none'}).",
        "",
    ]
    if diff.version_changes():
        lines += ["| adapter | before | after |", "|---|---|---|"]
        lines += [f"| `{adapter}` | {old} | {new} |" for adapter, old, new in diff.version_changes()]
        lines.append("")
    if diff.precision_changes():
        lines += ["| adapter | dtype | precision before | precision after |", "|---|---|---|---|"]
        lines += [f"| `{a}` | {d} | {_md(old)} | {_md(new)} |" for a, d, old, new in diff.precision_changes()]
        lines.append("")
    gating = diff.gating
    lines.append(
        f"**{len(gating)} new non-PASS results that no expectation explains.**"
        if gating
        else "No new non-PASS result without an expectation."
    )
    if diff.changes:
        lines += ["", "| | change | adapter | case | before | after |", "|---|---|---|---|---|---|"]
        for change in diff.changes:
            before = change.before.describe() if change.before else "-"
            after = change.after.describe() if change.after else "-"
            cells = [
                "❗" if change.gates else "",
                change.kind,
                f"`{change.adapter}`",
                f"`{change.case}`",
                _md(before),
                _md(after),
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_json(diff: Diff) -> dict[str, Any]:
    return {
        "before": {"results": diff.before.n_results, "files": [run.path for run in diff.before.runs]},
        "after": {"results": diff.after.n_results, "files": [run.path for run in diff.after.runs]},
        "unchanged": diff.unchanged,
        "counts": diff.counts(),
        "gating": len(diff.gating),
        "versions": [{"adapter": a, "before": old, "after": new} for a, old, new in diff.version_changes()],
        "changes": [change.to_json() for change in diff.changes],
        "precision": [{"adapter": a, "dtype": d, "before": old, "after": new} for a, d, old, new in diff.precision_changes()],
    }
