"""The HTML report: one self-contained page (inline CSS and JS, no network) from merged results.

The matrix is rendered here with Jinja2 (autoescape on), so the page reads without
JavaScript; the per-cell details (parameters, native call, slices, repro script) are one
JSON block that the page's script parses on the first click and turns into DOM nodes with
``textContent``. A large block (repro scripts are mostly float literals) is stored
zlib-compressed in base64 and inflated by the browser's ``DecompressionStream``. The Content-Security-Policy allows exactly the page's one inline style and
one inline script, by their SHA-256 hashes, and nothing else: no network, no inline event
handlers, no ``style`` attributes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
from markupsafe import Markup

from .merge import CONFLICT, Cell, Merged
from .safejson import compact_json, escape_for_script
from .summary import (
    DISAGREEMENT_RULE,
    PAGE_STATUSES,
    adapter_summaries,
    disagreement_rows,
    expressibility,
    format_rate,
    format_seconds,
    unexpected_cells,
)

# One letter per status in a row's data-s attribute, read by the page's filters.
STATUS_CODES = {
    "PASS": "P",
    "FAIL": "F",
    "ERROR": "E",
    "UNSUPPORTED": "U",
    "CRASH": "C",
    "TIMEOUT": "T",
    CONFLICT: "X",
    "n/a": "-",
    "not run": ".",
}
CELL_LABELS = {"UNSUPPORTED": "UNSUP"}
STATUS_MEANINGS = {
    "PASS": "matches the oracle within the error bound",
    "FAIL": "wrong shape or values (or accepted an invalid case)",
    "ERROR": "the framework raised on a case it claims to express",
    "UNSUPPORTED": "the API cannot express the case (documented reason)",
    "CRASH": "the process died",
    "TIMEOUT": "the call did not return in time",
    CONFLICT: "results files disagree about this cell",
}
RUN_INFO_ORDER = (
    "adapter",
    "framework",
    "framework_version",
    "device",
    "python",
    "numpy",
    "platform",
    "machine",
    "suite_version",
    "time_start",
    "time_end",
)


# Details JSON above this many characters is embedded compressed (the page stays small).
COMPRESS_ABOVE = 512 * 1024
SLICE_DIGITS = 7  # significant digits of the heatmap values (the repro script has them all)


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
    """CSS that hides adapter column i when the table has class hide-a<i> (the adapter filter)."""
    return "\n".join(f"#matrix.hide-a{i} .a{i}{{display:none}}" for i in range(n_adapters))


def diagnosis_text(code: str | None) -> str | None:
    if not code:
        return None
    from ..compare import explain

    try:
        return explain(code)
    except KeyError:
        return f"Unknown diagnosis code {code!r}."


@dataclass
class MatrixCell:
    index: int  # the adapter column
    label: str
    classes: str
    k: int | None  # index into the details JSON; None for n/a and not run


def cell_view(column: int, cell: Cell | None, missing: str, k: int | None) -> MatrixCell:
    if cell is None:
        return MatrixCell(column, missing, "na" if missing == "n/a" else "nr", None)
    status = cell.status
    classes = f"s-{status}"
    if not cell.met_expectation:
        classes += " unexp"
    elif status not in ("PASS", "UNSUPPORTED"):  # a known problem, listed in the expectations file
        classes += " known"
    return MatrixCell(column, CELL_LABELS.get(status, status), classes, k)


def display_number(value: float) -> float | str:
    """A value as the page shows it: SLICE_DIGITS significant digits; 'nan', 'inf', '-inf'."""
    if math.isfinite(value):
        return float(f"{value:.{SLICE_DIGITS}g}")
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def as_matrix(values: Any) -> np.ndarray | None:
    """A slice's nested list as a 2D float array ('nan'/'inf' strings included), or None."""
    if values is None:
        return None
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):  # ragged or not numbers: left for the page to show as is
        return None
    return array.reshape(1, -1) if array.ndim == 1 else (array if array.ndim == 2 else None)


def display_slice(slice_: dict[str, Any]) -> dict[str, Any]:
    """The slice the page draws: values rounded for display and, when the shapes agree,
    ``difference`` = actual - expected computed here at full precision (rounding first
    would lose small errors)."""
    shown = dict(slice_)
    arrays = {}
    for key in ("expected", "actual"):
        array = as_matrix(slice_.get(key))
        if array is not None:
            arrays[key] = array
            shown[key] = [[display_number(v) for v in row] for row in array.tolist()]
    if len(arrays) == 2 and arrays["expected"].shape == arrays["actual"].shape:
        with np.errstate(invalid="ignore"):
            difference = arrays["actual"] - arrays["expected"]
        shown["difference"] = [[display_number(v) for v in row] for row in difference.tolist()]
    return shown


def seconds(value: Any) -> float | None:
    """A duration to 3 significant digits: the page shows no more."""
    return float(f"{value:.3g}") if isinstance(value, (int, float)) and math.isfinite(value) else None


def result_details(cell: Cell, case_index: int, adapter_index: int, file_index: dict[str, int]) -> dict[str, Any]:
    """What the details panel shows for one cell; None and empty values are left out."""
    result = cell.result
    details = {k: v for k, v in result.details.items() if v is not None} if isinstance(result.details, dict) else None
    if details and isinstance(details.get("slice"), dict):
        details["slice"] = display_slice(details["slice"])
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
        "diagnosis": result.diagnosis,
        "diagnosis_text": diagnosis_text(result.diagnosis),
        "duration_s": seconds(result.duration_s),
        "framework_s": seconds(result.framework_s),
        "oracle_s": seconds(result.oracle_s),
        "native": result.native,
        "unsupported_reason": result.unsupported_reason,
        "expectation_reason": result.expectation_reason,
        "expectation_link": result.expectation_link,
        "details": details,
        "src": [file_index[claim.source] for claim in cell.claims],
    }
    if cell.conflict:
        entry["claims"] = [
            {"source": c.source, "status": c.result.status, "message": c.result.message} for c in cell.claims
        ]
    return {k: v for k, v in entry.items() if v not in (None, "", [], {})}


def embed_details(data: dict[str, Any], compress_above: int | None = None) -> tuple[str, str]:
    """(encoding, text) for the details script block: 'json' (escaped for a script element)
    or, above ``compress_above`` characters (COMPRESS_ABOVE by default), 'deflate-base64'
    (a zlib stream in base64)."""
    text = compact_json(data)
    if len(text) <= (COMPRESS_ABOVE if compress_above is None else compress_above):
        return "json", escape_for_script(text)
    # Level 1: nearly the size of level 9 on this data at a quarter of the time.
    return "deflate-base64", base64.b64encode(zlib.compress(text.encode("utf-8"), 1)).decode("ascii")


def decode_details(encoding: str, text: str) -> dict[str, Any]:
    """The inverse of embed_details (what the page's script does), for tests and tools."""
    if encoding == "deflate-base64":
        text = zlib.decompress(base64.b64decode(text)).decode("utf-8")
    return json.loads(text)


def run_info_rows(info: dict[str, Any]) -> list[tuple[str, str]]:
    keys = [k for k in RUN_INFO_ORDER if k in info] + sorted(k for k in info if k not in RUN_INFO_ORDER)
    rows = []
    for key in keys:
        value = info[key]
        if isinstance(value, (list, tuple)):
            value = ", ".join(map(str, value)) if value else "none"
        rows.append((key, str(value)))
    return rows


def build_page_model(merged: Merged, title: str, compress_above: int | None = None) -> dict[str, Any]:
    """Everything the template prints, and the details JSON, from the merged results."""
    adapters = merged.adapters
    summaries = adapter_summaries(merged)
    cases = list(merged.cases.values())
    groups: list[dict[str, Any]] = []
    details: list[dict[str, Any]] = []
    file_index = {run.path: i for i, run in enumerate(merged.runs)}
    for case_index, case in enumerate(cases):
        key = (case.file, tuple(case.tags))
        if not groups or groups[-1]["key"] != key:
            groups.append({"key": key, "file": case.file, "tags": case.tags, "rows": []})
        cells, codes = [], []
        for column, adapter in enumerate(adapters):
            cell = merged.cell(case.id, adapter)
            missing = merged.missing_kind(case.id, adapter) if cell is None else ""
            k = None
            if cell is not None:
                k = len(details)
                details.append(result_details(cell, case_index, column, file_index))
            cells.append(cell_view(column, cell, missing, k))
            codes.append(STATUS_CODES[cell.status if cell is not None else missing])
        groups[-1]["rows"].append(
            {
                "case": case,
                "codes": "".join(codes),
                "tags": " ".join(case.tags),
                "search": " ".join([case.id, case.description, case.file, *case.tags]).lower(),
                "cells": cells,
            }
        )
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
            }
            for c in cases
        ],
        "adapters": [
            {"name": s.adapter, "frameworks": s.frameworks, "devices": s.devices} for s in summaries
        ],
        "files": list(file_index),
        "results": details,
    }
    data_encoding, data_text = embed_details(data, compress_above)
    status_totals = {status: sum(s.counts[status] for s in summaries) for status in PAGE_STATUSES}
    return {
        "title": title,
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "adapters": adapters,
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
        "groups": groups,
        "reasons": expressibility(merged),
        "runs": [(run, run_info_rows(run.run_info)) for run in merged.runs],
        "file_errors": merged.file_errors,
        "conflicts": merged.conflicts,
        "data_encoding": data_encoding,
        # Escaped for a script element by escape_for_script, or base64: no markup can occur.
        "data_text": Markup(data_text),  # noqa: S704
        "format_rate": format_rate,
        "format_seconds": format_seconds,
    }


def render_html(merged: Merged, title: str = "Conformance report", compress_above: int | None = None) -> str:
    model = build_page_model(merged, title, compress_above)
    style = static_text("report.css") + column_rules(len(merged.adapters)) + "\n"
    script = static_text("report.js")
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
    return template.render(**model, csp=Markup(csp), style=Markup(style), script=Markup(script))  # noqa: S704


def write_html(
    merged: Merged, path: str | os.PathLike, title: str = "Conformance report", compress_above: int | None = None
) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(merged, title, compress_above), encoding="utf-8")
    return path
