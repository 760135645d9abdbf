"""The values of a case's small tensors, for every cell's details (a PASS's too).

A results file keeps no tensor values for a PASS; the case file does. When the report is
written where the case files are (their paths in the results, relative to the working
folder: a checkout of the suite), each case whose input and kernel hold at most
``VALUES_LIMIT`` elements together gets its input, kernel, bias and the oracle's expected
output, rounded to the page's 7 significant digits (``display.display_number``). A larger
case gets a window of each: the first plane (index 0 of every leading dim) cut to
``WINDOW`` x ``WINDOW`` (about 2 kB a case, where the whole would be up to 400 kB), labelled
with where it lies. A case file that is absent or no longer loads, or a case that changed
id, gets none and the page says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .display import display_values
from .merge import Merged

VALUES_LIMIT = 512  # elements of input + kernel; the expected output is about as large
WINDOW = 8  # a larger case's tensors: the first plane's first WINDOW rows and columns


def tensor_values(array: np.ndarray | None) -> dict[str, Any] | None:
    """{"shape": [...], "values": flat list, row-major} as the page shows it, or None."""
    if array is None:
        return None
    array = np.asarray(array, dtype=np.float64)
    return {"shape": list(array.shape), "values": rounded(array)}


def rounded(array: np.ndarray) -> list[float | str]:
    """The values, flat, as ``display_number`` gives each (display_values: vectorised, the
    same numbers; 0.06 s against 0.1 s one by one for the 1,873 small tensors of a real run)."""
    return display_values(array.reshape(1, -1))[0] if array.size else []


def tensor_window(array: np.ndarray | None) -> dict[str, Any] | None:
    """The first plane of ``array`` cut to WINDOW x WINDOW: {"shape": the whole shape,
    "window": [rows, cols] shown, "values": flat, row-major}; the whole when it is smaller."""
    if array is None:
        return None
    array = np.asarray(array, dtype=np.float64)
    if array.ndim < 2:
        array2 = array.reshape(1, -1) if array.ndim == 1 else array.reshape(1, 1)
    else:
        array2 = array[(0,) * (array.ndim - 2)]
    window = array2[:WINDOW, :WINDOW]
    return {
        "shape": list(array.shape),
        "window": list(window.shape),
        "values": rounded(window),
    }


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


def oracle_output(case, outputs: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """The oracle's output for ``case``, computed once per report: ``outputs`` (case id ->
    output) is shared with the repro templates (pass_repro.py), which need the same array."""
    from ..bound import oracle_quantity

    if outputs is None:
        return oracle_quantity(case, "output")
    if case.id not in outputs:
        outputs[case.id] = oracle_quantity(case, "output")
    return outputs[case.id]


def case_values(
    merged: Merged, loaded: dict[str, Any] | None = None, outputs: dict[str, np.ndarray] | None = None
) -> dict[str, dict[str, Any]]:
    """case id -> {"x", "w", "b", "expected"} for the cases that load here (``loaded``: the
    cases of ``load_cases``, read here when not given; ``outputs``: see oracle_output)."""
    if loaded is None:
        loaded = load_cases({case.file for case in merged.cases.values()})
    out: dict[str, dict[str, Any]] = {}
    for case_id, info in merged.cases.items():
        case = loaded.get(case_id)
        if case is None or case.op != info.op:
            continue
        shown = tensor_values if case.x.size + case.w.size <= VALUES_LIMIT else tensor_window
        values = {"x": shown(case.x), "w": shown(case.w), "b": shown(case.b)}
        if case.expect == "ok":
            try:
                values["expected"] = shown(oracle_output(case, outputs))
            except Exception:  # the oracle refuses: the details say so by its absence
                pass
        out[case_id] = {k: v for k, v in values.items() if v is not None}
    return out
