"""The values of a case's small tensors, for every cell's details (a PASS's too).

A results file keeps no tensor values for a PASS; the case file does. When the report is
written where the case files are (their paths in the results, relative to the working
folder: a checkout of the suite), each case whose input and kernel hold at most
``VALUES_LIMIT`` elements together gets its input, kernel, bias and the oracle's expected
output, rounded to the page's 7 significant digits (``display.display_number``). A case
file that is absent or no longer loads, or a case that changed id, gets none and the page
says so. Larger cases keep their heatmaps (on a non-PASS) and repro scripts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .display import display_number
from .merge import Merged

VALUES_LIMIT = 512  # elements of input + kernel; the expected output is about as large


def tensor_values(array: np.ndarray | None) -> dict[str, Any] | None:
    """{"shape": [...], "values": flat list, row-major} as the page shows it, or None."""
    if array is None:
        return None
    array = np.asarray(array, dtype=np.float64)
    return {"shape": list(array.shape), "values": [display_number(float(v)) for v in array.ravel()]}


def load_cases(files: set[str]) -> dict[str, Any]:
    """case id -> Case, from each of ``files`` that exists and loads here."""
    from ..loader import load_file

    cases: dict[str, Any] = {}
    for name in sorted(files):
        if not name or not Path(name).is_file():
            continue
        try:
            loaded = load_file(name)
        except Exception:  # a case file the suite no longer reads: its cases get no values
            continue
        for case in loaded.cases:
            cases[case.id] = case
    return cases


def case_values(merged: Merged, loaded: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """case id -> {"x", "w", "b", "expected"} for the small cases that load here
    (``loaded``: the cases of ``load_cases``, read here when not given)."""
    from ..bound import oracle_quantity

    if loaded is None:
        loaded = load_cases({case.file for case in merged.cases.values()})
    out: dict[str, dict[str, Any]] = {}
    for case_id, info in merged.cases.items():
        case = loaded.get(case_id)
        if case is None or case.op != info.op or case.x.size + case.w.size > VALUES_LIMIT:
            continue
        values = {"x": tensor_values(case.x), "w": tensor_values(case.w), "b": tensor_values(case.b)}
        if case.expect == "ok":
            try:
                values["expected"] = tensor_values(oracle_quantity(case, "output"))
            except Exception:  # the oracle refuses: the details say so by its absence
                pass
        out[case_id] = {k: v for k, v in values.items() if v is not None}
    return out
