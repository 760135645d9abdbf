"""Repro lines of float literals stored as float64 bytes instead of decimal text.

A failing result's repro script writes each small tensor as one line,
``x = np.array([[...]], dtype=np.float64).reshape((1, 2, 3, 3))``, with every value as
Python's ``repr`` prints it: about 19 characters a float64, which deflate brings to about
9 bytes. The values as bytes, each byte of the 8 in its own plane (the sign and exponent
bytes of neighbouring values are alike, the low mantissa bytes are noise), deflate to about
6: on 40,000 synthetic results 11.0 MB of compressed literals become 7.4 MB.

A line is stored this way only when it is exactly what ``line_text`` prints from its name,
values and shape (checked here, character for character); the page's script prints it the
same way (``floatLine`` in report.js: the shortest digits that read back as the value, in
Python's repr layout). Every other string stays text. Nothing is rounded: the line the page
shows is the line the results file holds.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

import numpy as np

LITERAL = re.compile(r"(\w+) = np\.array\((\[.*\]), dtype=np\.float64\)\.reshape\((\([0-9, ]*\))\)")
# Shorter lines are not worth a marker (the marker is about 30 characters of JSON).
MIN_LENGTH = 200


def line_text(name: str, values: np.ndarray) -> str:
    """The line conformance.repro writes for a float64 tensor (tensor_source's literal form)."""
    return f"{name} = np.array({values.tolist()!r}, dtype=np.float64).reshape({tuple(values.shape)!r})"


def parse_line(text: str) -> tuple[str, np.ndarray] | None:
    """(name, values) when ``line_text`` gives back exactly ``text``; else None."""
    if len(text) < MIN_LENGTH:
        return None
    match = LITERAL.fullmatch(text)
    if not match:
        return None
    try:
        values = np.asarray(json.loads(match.group(2)), dtype=np.float64)
        shape = ast.literal_eval(match.group(3))
    except (ValueError, SyntaxError):  # nan/inf (not JSON), ragged lists, an odd shape
        return None
    if values.ndim == 0 or values.size == 0 or shape != tuple(values.shape):
        return None
    return (match.group(1), values) if line_text(match.group(1), values) == text else None


def pack(strings: list[Any]) -> tuple[list[Any], bytes]:
    """(strings with each float line replaced by {"f": name, "s": shape}, the lines' values
    in order as float64 bytes in 8 byte planes)."""
    out: list[Any] = []
    arrays: list[np.ndarray] = []
    for text in strings:
        parsed = parse_line(text) if isinstance(text, str) else None
        if parsed is None:
            out.append(text)
            continue
        name, values = parsed
        out.append({"f": name, "s": list(values.shape)})
        arrays.append(values.ravel())
    if not arrays:
        return out, b""
    flat = np.concatenate(arrays).astype("<f8")
    return out, flat.view(np.uint8).reshape(-1, 8).T.tobytes()


def unpack(strings: list[Any], planes: bytes) -> list[Any]:
    """The inverse of pack (what the page's script does, line by line as it needs them)."""
    n = len(planes) // 8
    flat = np.frombuffer(planes, dtype=np.uint8).reshape(8, n).T.copy().view("<f8").ravel()
    out: list[Any] = []
    offset = 0
    for entry in strings:
        if isinstance(entry, dict) and "f" in entry:
            size = int(np.prod(entry["s"]))
            out.append(line_text(entry["f"], flat[offset : offset + size].reshape(entry["s"])))
            offset += size
        else:
            out.append(entry)
    return out
