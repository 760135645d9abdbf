"""The details data in a compact form: every repeated string stored once.

A report repeats the same texts thousands of times: an expectation's reason on each of the
cells it covers, a framework's error message, and above all the repro scripts, whose input,
kernel, expected and bound tensors are the same lines for every adapter of a case. Deflate
only finds repeats within 32 KB, so the page would carry each one again. Here each such
string (and each line of a repro script) goes into one table, ``strings``, and a result
holds its index; the page's script (``expandResult`` in report.js) puts the strings back
when a cell is opened, so it shows exactly what the results file says.

Interned: the top-level fields in ``INTERNED``, the native call's ``INTERNED_NATIVE``
fields, the details' ``INTERNED_DETAILS`` fields, and ``details.repro`` as a list of line
indices (joined with newlines again in the page). Anything that is not a string is left
as it is, so the page can tell the two apart by type.
"""

from __future__ import annotations

from typing import Any

INTERNED = (
    "message",
    "expectation_reason",
    "expectation_link",
    "expectation_where",
    "expected_message",
    "unsupported_reason",
)
INTERNED_NATIVE = ("api", "text", "note", "input_layout", "kernel_layout")
INTERNED_DETAILS = ("traceback", "doc", "repro_error")


class StringTable:
    """Strings in first-seen order; ``index`` gives a string's place, adding it if new."""

    def __init__(self) -> None:
        self._index: dict[str, int] = {}

    def index(self, text: str) -> int:
        return self._index.setdefault(text, len(self._index))

    def strings(self) -> list[str]:
        return list(self._index)


def intern_fields(entry: dict[str, Any], fields: tuple[str, ...], table: StringTable) -> dict[str, Any]:
    """A copy of ``entry`` with each string among ``fields`` replaced by its index."""
    out = dict(entry)
    for field in fields:
        value = out.get(field)
        if isinstance(value, str):
            out[field] = table.index(value)
    return out


def compact_result(entry: dict[str, Any], table: StringTable) -> dict[str, Any]:
    """One result's details entry (see html.result_details) with its strings interned."""
    out = intern_fields(entry, INTERNED, table)
    links = out.get("expectation_links")
    if isinstance(links, dict):
        out["expectation_links"] = {kind: table.index(url) if isinstance(url, str) else url for kind, url in links.items()}
    if isinstance(out.get("native"), dict):
        out["native"] = intern_fields(out["native"], INTERNED_NATIVE, table)
    details = out.get("details")
    if isinstance(details, dict):
        details = intern_fields(details, INTERNED_DETAILS, table)
        if isinstance(details.get("repro"), str):
            details["repro"] = [table.index(line) for line in details["repro"].split("\n")]
        out["details"] = details
    return out


def expand_result(entry: dict[str, Any], strings: list[str]) -> dict[str, Any]:
    """The inverse of compact_result (what the page's expandResult does), for tests and tools."""

    def expand(fields_entry: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
        out = dict(fields_entry)
        for field in fields:
            if isinstance(out.get(field), int):
                out[field] = strings[out[field]]
        return out

    out = expand(entry, INTERNED)
    if isinstance(out.get("expectation_links"), dict):
        out["expectation_links"] = {
            kind: strings[url] if isinstance(url, int) else url for kind, url in out["expectation_links"].items()
        }
    if isinstance(out.get("native"), dict):
        out["native"] = expand(out["native"], INTERNED_NATIVE)
    if isinstance(out.get("details"), dict):
        details = expand(out["details"], INTERNED_DETAILS)
        if isinstance(details.get("repro"), list):
            details["repro"] = "\n".join(strings[i] for i in details["repro"])
        out["details"] = details
    return out
