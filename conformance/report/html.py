"""The HTML report: one self-contained page (inline CSS and JS, no network) from merged results.

The page is rendered here with Jinja2 (autoescape on). The matrix's rows are a small JSON
block (``matrix_rows``: a status code per cell) that the page's script draws a window at a
time, the rows in view and a margin: 40,000 cells in the DOM cost Chromium most of a second
of style and layout per filter click. The per-cell details (parameters, native call,
slices, repro script) are one JSON block that the page's script parses once the matrix is
drawn and turns into DOM nodes with ``textContent`` (``safejson.embed_json`` escapes it, or
compresses a large one). Repeated strings and repro lines are stored once in that block
(``compact.py``).

The Content-Security-Policy allows exactly the page's one inline style and one inline
script, by their SHA-256 hashes, and nothing else: no network, no inline event handlers,
no ``style`` attributes.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import shlex
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .case_values import case_values, load_cases
from .compact import StringTable, compact_result
from .pass_repro import PassRepros
from .port_panel import panel_model, panel_script
from .merge import CONFLICT, Cell, Merged, RunFile
from .display import display_slice, seconds, short_adapter_labels
from .explainer import scatter_svg
from .views import expressibility_rules, findings, row_ranges
from .. import precision
from ..properties import shown_flags
from ..vocabulary import FINDING_KINDS
from .releases import release_series
from .safejson import embed_json, json_for_script
from .summary import (
    DISAGREEMENT_RULE,
    PAGE_STATUSES,
    adapter_summaries,
    disagreement_rows,
    findings_by_kind,
    missing_adapters,
    format_rate,
    format_seconds,
    stale_expectations,
    unexpected_cells,
)

# A repro script longer than this (characters) is not put in the page: its results file keeps
# it and the cell shows `python -m conformance.repro FILE ROW`. 250,000 leaves out 140 of a
# real run's 7,261 scripts, those of 12 cases (the TF1 notes' layers, batch 64 and 256
# channels, whose expected and bound tensors hold 1.6 million values each, and 8 of the
# precision probes' kernel-switch shapes): 8.4 of the page's 16.2 MB of compressed details.
REPRO_INLINE_CHARS = 250_000

# One letter per status in a row's data-s attribute, read by the page's filters.
STATUS_CODES = {
    "PASS": "P",
    "FAIL": "F",
    "ERROR": "E",
    "UNSUPPORTED": "U",
    "CRASH": "C",
    "TIMEOUT": "T",
    "HARNESS": "H",
    CONFLICT: "X",
    "n/a": "-",
    "not run": ".",
}
CELL_LABELS = {"UNSUPPORTED": "UNSUP"}
CODE_STATUSES = {code: status for status, code in STATUS_CODES.items()}
# One letter per kind of finding, for a row's data-f attribute and a cell's k<letter> class,
# read by the page's finding-kind filter: the cells whose expectation has that kind.
KIND_CODES = {kind: kind[0] for kind in FINDING_KINDS}
assert len(set(KIND_CODES.values())) == len(KIND_CODES), "kinds of finding need distinct first letters"
STATUS_MEANINGS = {
    "PASS": "matches the oracle within the error bound",
    "FAIL": "wrong shape or values (or accepted an invalid case)",
    "ERROR": "the framework raised on a case it claims to express",
    "UNSUPPORTED": "the API cannot express the case (documented reason)",
    "CRASH": "the process died",
    "TIMEOUT": "the call did not return in time",
    "HARNESS": "the adapter's own code failed: a defect of the suite, never expected",
    CONFLICT: "results files disagree about this cell",
}
RUN_INFO_ORDER = (
    "adapter",
    "framework",
    "framework_version",
    "build",
    "device",
    "os",
    "arch",
    "cpu",
    "cpu_flags",
    "env",
    "python",
    "numpy",
    "blas",
    "platform",
    "machine",
    "suite_version",
    "time_start",
    "time_end",
)


def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("conformance.report", "templates"),
        autoescape=True,  # every string from a case or a framework message is data
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def static_text(name: str) -> str:
    return (resources.files("conformance.report") / "static" / name).read_text(encoding="utf-8")


def csp_hash(text: str) -> str:
    """The CSP source expression that allows exactly this inline element's text."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def column_rules(n_adapters: int) -> str:
    """CSS that hides adapter column i when the table has class hide-a<i> (the adapter filter):
    its header, and the (i + 2)th cell of each case row (the case name is the first)."""
    return "\n".join(
        f"#matrix.hide-a{i} th.a{i},#matrix.hide-a{i} tr.r>:nth-child({i + 2}){{display:none}}" for i in range(n_adapters)
    )


@functools.lru_cache(maxsize=None)
def diagnosis_text(code: str | None) -> str | None:
    if not code:
        return None
    from ..diagnosis import explain

    try:
        return explain(code)
    except KeyError:
        return f"Unknown diagnosis code {code!r}."


def kind_rules() -> str:
    """CSS that dims, under the finding-kind filter (class kind-<letter> on the table), every
    cell whose expectation is not of that kind."""
    return "\n".join(f"#matrix.kind-{c} button.c:not(.k{c}){{opacity:.3}}" for c in KIND_CODES.values())


def cell_kind(cell: Cell | None) -> str:
    """The letter of the cell's expectation kind, "." when it has none."""
    kind = cell.result.expectation_kind if cell is not None else None
    return KIND_CODES.get(kind, ".") if kind else "."


def cell_classes(code: str, unmet: str, kind: str) -> str:
    """A matrix cell button's classes, as the page's script draws them from a row's codes
    (report.js, cellNode): kept here too for the tests that read the rows."""
    status = CODE_STATUSES[code]
    classes = f"s-{status}"
    if unmet == "u":
        classes += " unexp"
    elif status not in ("PASS", "UNSUPPORTED"):  # a known problem, listed in the expectations file
        classes += " known"
    if kind != ".":
        classes += " k" + kind
    return classes


def matrix_row(case, codes: str, unmet: str, kinds: str, first_result: int) -> list[Any]:
    """One case's matrix row as the page's script reads it: [id, description, one status code
    per adapter ('-' n/a, '.' not run), "u"/"." per adapter where the cell did not meet its
    expectation ("" when none), the kind letter per adapter ("" when none), op, quantity, the
    number of its first result]. Its cells follow from these (cell_classes); its search text
    is the id, description, file and tags, lowercased, as before."""
    return [
        case.id,
        case.description,
        codes,
        unmet if "u" in unmet else "",
        kinds if any(k != "." for k in kinds) else "",
        case.op,
        getattr(case, "quantity", "output"),
        first_result,
    ]


def matrix_rows(groups: list[dict[str, Any]]) -> dict[str, Any]:
    """The matrix for the page's script: its groups (file, tags, rows) and the status words
    and cell labels of each code. About 60 bytes a case instead of the 700 the markup took at
    six adapters: the page draws only the rows in view (report.js, draw)."""
    return {
        "statuses": {code: status for status, code in STATUS_CODES.items()},
        "labels": {code: CELL_LABELS.get(status, status) for status, code in STATUS_CODES.items()},
        "groups": [{"file": g["file"], "tags": list(g["tags"]), "rows": g["rows"]} for g in groups],
    }


def result_details(cell: Cell, case_index: int, adapter_index: int, file_index: dict[str, int]) -> dict[str, Any]:
    """What the details panel shows for one cell; None and empty values are left out."""
    result = cell.result
    details = {k: v for k, v in result.details.items() if v is not None} if isinstance(result.details, dict) else None
    if details and isinstance(details.get("slice"), dict):
        details["slice"] = display_slice(details["slice"])
    stored = None
    if details and isinstance(details.get("repro"), str) and len(details["repro"]) > REPRO_INLINE_CHARS:
        # a script of megabytes stays in its results file; the cell gets the command printing it
        script = details.pop("repro")
        stored = {"cmd": shlex.join(["python", "-m", "conformance.repro", cell.claims[0].source, result.key]), "chars": len(script)}
    entry = {
        "c": case_index,
        "a": adapter_index,
        "status": cell.status,
        "expected_status": result.expected_status,
        "message": result.message,
        "shape": result.shape,
        "expected_shape": result.expected_shape,
        "max_abs_err": result.max_abs_err,
        "err_ratio": result.err_ratio,
        # "shape": a shape-only adapter, whose values were never computed (None: values)
        "judged": result.judged if result.judged != "values" else None,
        "diagnosis": result.diagnosis,  # its text: once per code, in the data's "diagnoses"
        "duration_s": seconds(result.duration_s),
        "framework_s": seconds(result.framework_s),
        "oracle_s": seconds(result.oracle_s),
        "native": result.native,
        "unsupported_reason": result.unsupported_reason,
        "expectation_reason": result.expectation_reason,
        "expectation_link": result.expectation_link,
        "expectation_links": result.expectation_links,
        "expectation_kind": result.expectation_kind,
        "expectation_where": result.expectation_where,
        "expected_diagnosis": result.expected_diagnosis,
        "expected_message": result.expected_message,
        "unexpected": result.unexpected,
        "details": details,
        "stored_repro": stored,
        "src": [file_index[claim.source] for claim in cell.claims],
    }
    if cell.conflict:
        entry["claims"] = [
            {"source": c.source, "status": c.result.status, "message": c.result.message} for c in cell.claims
        ]
    return {k: v for k, v in entry.items() if v not in (None, "", [], {})}


def runs_table(runs: list[RunFile]) -> tuple[list[str], list[tuple[RunFile, list[str]]]]:
    """(the run_info keys, in a reading order, then any others; one row of values per file)."""
    present = {key for run in runs for key in run.run_info}
    keys = [k for k in RUN_INFO_ORDER if k in present] + sorted(present - set(RUN_INFO_ORDER))
    rows = []
    for run in runs:
        values = []
        for key in keys:
            value = run.run_info.get(key, "")
            if key == "cpu_flags" and isinstance(value, list):
                value = shown_flags(value) or ["none of the ISA flags the suite shows"]
            if isinstance(value, (list, tuple)):
                scalars = all(isinstance(v, (str, int, float)) for v in value)
                value = (", ".join(map(str, value)) if scalars else f"{len(value)} entries") if value else "none"
            elif isinstance(value, dict):
                value = ", ".join(f"{k}={v}" for k, v in value.items())
            values.append("" if value is None else str(value))
        rows.append((run, values))
    return keys, rows


def build_page_model(merged: Merged, title: str, compress_above: int | None = None) -> dict[str, Any]:
    """Everything the template prints, and the details JSON, from the merged results."""
    adapters = merged.adapters
    summaries = adapter_summaries(merged)
    cases = list(merged.cases.values())
    groups: list[dict[str, Any]] = []
    details: list[dict[str, Any]] = []
    file_index = {run.path: i for i, run in enumerate(merged.runs)}
    strings = StringTable()  # repeated texts and repro lines, stored once (see compact.py)
    # the case files, when the report is written in a checkout: small cases' values, and
    # repro scripts for the cells whose results file has none (a PASS)
    loaded = load_cases({case.file for case in cases})
    outputs: dict[str, Any] = {}  # case id -> the oracle's output: the values and the repros share it
    repros = PassRepros(merged, loaded, strings, outputs)
    for case_index, case in enumerate(cases):
        key = (case.file, tuple(case.tags))
        if not groups or groups[-1]["key"] != key:
            groups.append({"key": key, "file": case.file, "tags": case.tags, "rows": []})
        codes: list[str] = []
        unmet: list[str] = []  # "u" where the cell did not meet its expectation
        kinds: list[str] = []  # the kind letter of the cell's expectation, "." for none
        first_result = len(details)  # the number of the row's first result; the rest follow in order
        for column, adapter in enumerate(adapters):
            cell = merged.cell(case.id, adapter)
            missing = merged.missing_kind(case.id, adapter) if cell is None else ""
            if cell is not None:
                entry = compact_result(result_details(cell, case_index, column, file_index), strings)
                if cell.status == "PASS" and "repro" not in entry.get("details", {}):
                    built = repros.for_cell(case.id, adapter)
                    if built:
                        entry["pass_repro"] = built
                details.append(entry)
            codes.append(STATUS_CODES[cell.status if cell is not None else missing])
            unmet.append("u" if cell is not None and not cell.met_expectation else ".")
            kinds.append(cell_kind(cell))
        groups[-1]["rows"].append(
            matrix_row(case, "".join(codes), "".join(unmet), "".join(kinds), first_result)
        )
    values = case_values(merged, loaded, outputs)
    data = {
        "cases": [
            {
                "id": c.id,
                "file": c.file,
                "line": c.line,
                "op": c.op,
                "description": c.description,
                "tags": c.tags,
                "params": c.params,
                **({"values": values[c.id]} if c.id in values else {}),
                **({"repro": repros.case_templates(c.id)} if repros.case_templates(c.id) else {}),
            }
            for c in cases
        ],
        "adapters": [
            {"name": s.adapter, "frameworks": s.frameworks, "devices": s.devices}
            | ({"repro": repros.adapter_parts[s.adapter]} if s.adapter in repros.adapter_parts else {})
            for s in summaries
        ],
        "files": list(file_index),
        "diagnoses": {d["diagnosis"]: diagnosis_text(d["diagnosis"]) for d in details if d.get("diagnosis")},
        "strings": strings.strings(),
        "results": details,
    }
    data_encoding, data_text = embed_json(data, compress_above)
    run_keys, run_rows = runs_table(merged.runs)
    status_totals = {status: sum(s.counts[status] for s in summaries) for status in PAGE_STATUSES}
    return {
        "title": title,
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "adapters": adapters,
        # the ops each adapter runs, for the op switch (an adapter with no result: none)
        "adapter_ops": {a: " ".join(sorted(merged.adapter_ops.get(a, ()))) for a in adapters},
        "short_labels": short_adapter_labels(adapters),  # the matrix's column headers
        "scatter_svg": scatter_svg(),  # the explainer's picture
        "finding_groups": findings(merged),
        "rules": expressibility_rules(merged),
        "row_ranges": row_ranges,
        "ops": sorted({c.op for c in cases}),
        "quantities": sorted({getattr(c, "quantity", "output") for c in cases}),
        "recipes": merged.recipes,
        "summaries": summaries,
        "status_totals": status_totals,
        "statuses": [(s, STATUS_MEANINGS[s], CELL_LABELS.get(s, s)) for s in PAGE_STATUSES],
        "status_codes": STATUS_CODES,
        "n_cases": len(cases),
        "n_results": merged.n_results,
        "n_unexpected": len(unexpected_cells(merged)),
        "n_disagreements": len(disagreement_rows(merged)),
        "disagreement_rule": DISAGREEMENT_RULE,
        "all_tags": sorted({t for c in cases for t in c.tags}),
        # the matrix's rows, drawn by the page's script a window at a time (see matrix_rows)
        "matrix_rows": Markup(json_for_script(matrix_rows(groups))),  # noqa: S704 - escaped for a script element
        "n_groups": len(groups),
        "precision_profiles": precision_rows(merged),
        "precision_threshold": precision.ACCUMULATION_THRESHOLD,
        "release_series": release_series(merged.release_files),
        "missing": missing_adapters(merged),
        "findings": findings_by_kind(merged),
        "kinds": FINDING_KINDS,
        "kind_codes": KIND_CODES,
        "kind_totals": kind_totals(merged),
        "runs": merged.runs,
        "run_keys": run_keys,
        "run_rows": run_rows,
        "file_errors": merged.file_errors,
        "stale": stale_expectations(merged),
        "conflicts": merged.conflicts,
        "data_encoding": data_encoding,
        # Escaped for a script element by escape_for_script, or base64: no markup can occur.
        "data_text": Markup(data_text),  # noqa: S704
        "format_rate": format_rate,
        "format_seconds": format_seconds,
    }


def kind_totals(merged: Merged) -> dict[str, int]:
    """kind -> the cells whose expectation has that kind (the finding-kind filter's counts)."""
    totals = dict.fromkeys(FINDING_KINDS, 0)
    for cell in merged.cells.values():
        kind = cell.result.expectation_kind
        if kind in totals:
            totals[kind] += 1
    return totals


def precision_rows(merged: Merged) -> list[dict[str, Any]]:
    """The precision profile's rows: one per (adapter, dtype) with a precision record."""
    css = {precision.BELOW: "bad", precision.ACCUMULATES: "warn"}
    return [
        {**profile.to_json(), "text": precision.describe(profile), "verdict_class": css.get(profile.verdict, "")}
        for profile in precision.summarise(cell.result for cell in merged.cells.values())
    ]


def render_html(merged: Merged, title: str = "Conformance report", compress_above: int | None = None) -> str:
    model = build_page_model(merged, title, compress_above)
    style = static_text("report.css") + static_text("releases.css") + static_text("port.css") + column_rules(len(merged.adapters)) + "\n" + kind_rules() + "\n"
    script = static_text("report.js") + "\n" + panel_script()
    csp = "; ".join(
        [
            "default-src 'none'",
            f"style-src {csp_hash(style)}",
            f"script-src {csp_hash(script)}",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    template = environment().get_template("report.html.j2")
    # Our own CSS and JS, not data: inserted verbatim so their hashes match the policy.
    # The policy is ours too (fixed words and base64 hashes): unescaped, it reads as written.
    return template.render(**model, **panel_model(), csp=Markup(csp), style=Markup(style), script=Markup(script))  # noqa: S704


def write_html(
    merged: Merged, path: str | os.PathLike, title: str = "Conformance report", compress_above: int | None = None
) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(merged, title, compress_above), encoding="utf-8")
    return path
