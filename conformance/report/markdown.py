"""The Markdown summary, for a CI job's summary page (e.g. ``$GITHUB_STEP_SUMMARY``).

GitHub renders HTML inside Markdown, so every string from a case or a framework message is
HTML-escaped and its Markdown punctuation backslash-escaped before it reaches a table cell.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

from ..vocabulary import FINDING_KINDS
from .merge import Merged
from .summary import (
    DISAGREEMENT_RULE,
    PAGE_STATUSES,
    adapter_summaries,
    disagreement_rows,
    expressibility,
    findings_by_kind,
    format_rate,
    format_seconds,
    missing_adapters,
    stale_expectations,
    unexpected_cells,
)

MAX_LISTED = 50  # a job summary page is for reading; the HTML report has the rest
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def md(value: object, limit: int = 200) -> str:
    """Text that renders as itself in a Markdown table cell: one line, escaped, shortened."""
    text = " ".join(str(value).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", html.escape(text, quote=False))


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def render_markdown(merged: Merged, title: str = "Conformance report", html_path: str | None = None) -> str:
    summaries = adapter_summaries(merged)
    shown_statuses = [s for s in PAGE_STATUSES if s != "CONFLICT" or merged.conflicts]
    unexpected = unexpected_cells(merged)
    lines = [f"## {md(title)}", ""]
    lines.append(
        f"{merged.n_results} results, {len(merged.cases)} cases, {len(merged.adapters)} adapters, "
        f"{len(merged.runs)} results files." + (f" Full report: {md(html_path)}." if html_path else "")
    )
    lines.append("")
    missing = missing_adapters(merged)
    if missing:
        lines += [
            f"**No results from {len(missing)} adapter{'s' if len(missing) != 1 else ''} this run meant to cover:** "
            + ", ".join(md(name) for name in missing)
            + " (their tox environment failed before its run, or their results file is absent or unreadable).",
            "",
        ]
    if not merged.n_results:
        lines += ["**No readable results.**", ""]
    elif unexpected:
        lines += [f"**{len(unexpected)} results did not meet their expectation.**", ""]
    else:
        lines += ["**Every result met its expectation.**", ""]

    if merged.file_errors:
        lines += ["### Results files that could not be read", ""]
        lines += [f"- {md(error.message, 400)}" for error in merged.file_errors]
        lines.append("")
    conflicts = merged.conflicts
    if conflicts:
        lines += ["### Conflicting results", ""]
        expected = sum(1 for conflict in conflicts if merged.cell(conflict.case, conflict.adapter).met_expectation)
        if expected:
            which = "All" if expected == len(conflicts) else f"{expected} of"
            rest = "" if expected == len(conflicts) else f"; the other {len(conflicts) - expected} are unexpected"
            lines += [
                f"{which} {len(conflicts)} differ as their runs' expectations say (runs whose recorded properties"
                f" differ: another machine, kernel switches){rest}.",
                "",
            ]
        lines += [f"- {md(conflict.describe(), 400)}" for conflict in conflicts[:MAX_LISTED]]
        if len(conflicts) > MAX_LISTED:
            lines.append(f"- and {len(conflicts) - MAX_LISTED} more")
        lines.append("")

    findings = findings_by_kind(merged)
    if findings:
        lines += ["### Known findings by kind", ""]
        lines += table(
            ["framework", *FINDING_KINDS], [[md(row.framework), *(str(row.counts[k]) for k in FINDING_KINDS)] for row in findings]
        )
        lines.append("")

    stale = stale_expectations(merged)
    if stale:
        lines += ["### Stale expectations", ""]
        lines += [f"- {md(line, 400)}" for line in stale[:MAX_LISTED]]
        if len(stale) > MAX_LISTED:
            lines.append(f"- and {len(stale) - MAX_LISTED} more")
        lines.append("")

    if summaries:
        lines += ["### Adapters", ""]
        header = ["adapter", "framework", "device", *shown_statuses, "unexpected", "pass rate", "run time"]
        rows = [
            [
                md(s.adapter),
                md(", ".join(s.frameworks) or "-"),
                md(", ".join(s.devices) or "-"),
                *[str(s.counts[status]) for status in shown_statuses],
                str(s.unexpected),
                format_rate(s.pass_rate),
                format_seconds(s.run_seconds),
            ]
            for s in summaries
        ]
        lines += table(header, rows)
        lines += ["", "Pass rate: PASS over the results each adapter could express (UNSUPPORTED left out).", ""]

    if unexpected:
        lines += ["### Unexpected results", ""]
        rows = [
            [
                md(case.id),
                md(adapter),
                cell.status,
                md(cell.result.expected_status),
                md(cell.result.diagnosis or ""),
                md(cell.result.message),
            ]
            for case, adapter, cell in unexpected[:MAX_LISTED]
        ]
        lines += table(["case", "adapter", "status", "expected", "diagnosis", "message"], rows)
        if len(unexpected) > MAX_LISTED:
            lines.append(f"\nand {len(unexpected) - MAX_LISTED} more in the HTML report.")
        lines.append("")

    disagreements = disagreement_rows(merged)
    lines += [f"{len(disagreements)} cases are disagreements ({md(DISAGREEMENT_RULE, 400)}).", ""]

    reasons = expressibility(merged)
    if reasons:
        lines += ["### What each API cannot express (UNSUPPORTED reasons, number of cases)", ""]
        rows = [[md(r.reason), *[str(r.counts.get(a, "")) for a in merged.adapters]] for r in reasons]
        lines += table(["cannot express", *[md(a) for a in merged.adapters]], rows)
        lines.append("")
    return "\n".join(lines)


def write_markdown(
    merged: Merged, path: str | os.PathLike, title: str = "Conformance report", html_path: str | None = None
) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(merged, title, html_path), encoding="utf-8")
    return path
