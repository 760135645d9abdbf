"""Known non-PASS results: ``expectations/<adapter name>.yaml``, matching and staleness.

A file maps a case id, or a glob over case ids, to the status the case is known to get:

    "case-id-or-glob*":
      status: FAIL          # FAIL | ERROR | UNSUPPORTED | CRASH | TIMEOUT
      reason: "..."
      diagnosis: kernel-flipped   # optional
      link: https://...           # optional

Matching: an exact case id first, then the globs in file order. In a glob only ``*`` (any
run of characters) and ``?`` (one character) are wildcards; everything else, ``[`` and
``]`` included, is literal, because sweep ids such as ``pad[stride=2]`` contain brackets.

The expected status of a result: its entry's status; with no entry, PASS, except that an
UNSUPPORTED result is expected when the adapter itself declared it. The adapter's
``Unsupported(reason, doc)`` already is the documented expectation (the report lists
every such reason), so repeating it in the file would only be a second copy to keep in
step. An entry may still name UNSUPPORTED, e.g. to record a link.

An entry is stale when it matched no case of the run, or when every result it matched
got another status than the entry says (say the framework fixed a bug: now PASS).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..results import STATUSES

ENTRY_STATUSES = tuple(s for s in STATUSES if s != "PASS")
ENTRY_FIELDS = ("status", "reason", "diagnosis", "link")


class ExpectationsError(ValueError):
    """A malformed expectations file; the message is one line naming file:line."""


@dataclass(frozen=True)
class Expectation:
    pattern: str
    status: str
    reason: str
    diagnosis: str | None = None
    link: str | None = None
    file: str = ""
    line: int = 0

    @property
    def is_glob(self) -> bool:
        return "*" in self.pattern or "?" in self.pattern

    def where(self) -> str:
        return f"{self.file}:{self.line}"


def glob_regex(pattern: str) -> re.Pattern:
    """``*`` and ``?`` are wildcards; every other character, brackets included, is literal."""
    parts = [".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern]
    return re.compile("".join(parts), re.DOTALL)


@dataclass
class Expectations:
    """The entries of one adapter's file and what each matched during the run."""

    adapter: str
    entries: list[Expectation] = field(default_factory=list)
    path: str | None = None

    def __post_init__(self):
        self._exact = {e.pattern: e for e in self.entries if not e.is_glob}
        self._globs = [(e, glob_regex(e.pattern)) for e in self.entries if e.is_glob]

    def match(self, case_id: str) -> Expectation | None:
        if case_id in self._exact:
            return self._exact[case_id]
        for entry, regex in self._globs:
            if regex.fullmatch(case_id):
                return entry
        return None

    def expected_status(self, case_id: str, status: str) -> tuple[str, Expectation | None]:
        """(expected status, the entry that says so or None) for a result's case and status."""
        entry = self.match(case_id)
        if entry is not None:
            return entry.status, entry
        return ("UNSUPPORTED" if status == "UNSUPPORTED" else "PASS"), None

    def stale(self, results) -> list[dict]:
        """Entries that matched no result, or whose every matched result differs from them.

        ``results`` are this adapter's results (anything with ``case`` and ``status``).
        """
        statuses: dict[int, set[str]] = {id(e): set() for e in self.entries}
        for result in results:
            entry = self.match(result.case)
            if entry is not None:
                statuses[id(entry)].add(result.status)
        found = []
        for entry in self.entries:
            seen = statuses[id(entry)]
            if not seen:
                why = "matched no case in this run"
            elif entry.status not in seen:
                why = f"every matching case got {'/'.join(sorted(seen))}, not {entry.status}"
            else:
                continue
            found.append(
                {
                    "adapter": self.adapter,
                    "pattern": entry.pattern,
                    "status": entry.status,
                    "file": entry.file,
                    "line": entry.line,
                    "why": why,
                }
            )
        return found


def expectations_path(directory: str | Path, adapter_name: str) -> Path:
    return Path(directory) / f"{adapter_name}.yaml"


def load_expectations(directory: str | Path, adapter_name: str) -> Expectations:
    """The adapter's expectations; none when it has no file."""
    path = expectations_path(directory, adapter_name)
    if not path.is_file():
        return Expectations(adapter_name)
    return Expectations(adapter_name, parse_expectations(path.read_text(encoding="utf-8"), str(path)), str(path))


def parse_expectations(text: str, path: str) -> list[Expectation]:
    """The entries of one file; raises ExpectationsError ``path:line: ...`` when malformed."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else 0
        context = ""
        if err.context and err.context_mark:
            context = f" ({err.context} started at line {err.context_mark.line + 1})"
        raise ExpectationsError(f"{path}:{line}: not valid YAML: {err.problem or err}{context}") from None
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode):
        raise ExpectationsError(f"{path}:{_line(root)}: the file must map case ids or globs to entries")
    entries, seen = [], {}
    for key_node, value_node in root.value:
        entries.append(_entry(key_node, value_node, path, seen))
    return entries


def _entry(key_node, value_node, path: str, seen: dict) -> Expectation:
    line = _line(key_node)
    if not isinstance(key_node, yaml.ScalarNode) or not key_node.value:
        raise ExpectationsError(f"{path}:{line}: an entry's key must be a case id or glob")
    pattern = key_node.value
    where = f"{path}:{line}: '{pattern}'"
    if pattern in seen:
        raise ExpectationsError(f"{where}: duplicate entry (first at line {seen[pattern]})")
    seen[pattern] = line
    if not isinstance(value_node, yaml.MappingNode):
        raise ExpectationsError(f"{where}: the entry must be a mapping with status and reason")
    values = {}
    for field_key, field_value in value_node.value:
        name = field_key.value
        if name not in ENTRY_FIELDS:
            raise ExpectationsError(
                f"{path}:{_line(field_key)}: '{pattern}': unknown field {name!r} (known: {', '.join(ENTRY_FIELDS)})"
            )
        if not isinstance(field_value, yaml.ScalarNode):
            raise ExpectationsError(f"{path}:{_line(field_value)}: '{pattern}': {name}: must be a string")
        # `link: ~` and `link:` are YAML nulls: the same as leaving the field out.
        values[name] = None if field_value.tag == "tag:yaml.org,2002:null" else field_value.value
    status = values.get("status")
    if status not in ENTRY_STATUSES:
        raise ExpectationsError(f"{where}: status: must be one of {', '.join(ENTRY_STATUSES)} (got {status!r})")
    if not (values.get("reason") or "").strip():
        raise ExpectationsError(f"{where}: reason: a known non-PASS result needs a reason")
    return Expectation(
        pattern=pattern,
        status=status,
        reason=values["reason"].strip(),
        diagnosis=values.get("diagnosis") or None,
        link=values.get("link") or None,
        file=path,
        line=line,
    )


def _line(node) -> int:
    return node.start_mark.line + 1
