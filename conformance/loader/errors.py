"""What loading reports: ``CaseError`` (one line per problem) and ``LoadResult``."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from ..case import Case


class _NoValue:
    """The value of an error that has none to show (a missing field, a syntax error)."""

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Any = _NoValue()

# Long values (a tensor's nested lists) are cut so an error stays one readable line.
_MAX_VALUE_CHARS = 80


@dataclass(frozen=True)
class CaseError:
    """One problem in a case file, printed as one line.

    ``path:line: case '<id>': <field>: <message> (got <value>)``; file-level problems
    (YAML syntax, a file that is not a mapping) have no ``case_id``/``field``:
    ``path:line: <message>``. ``line`` is 1-based, 0 when there is none (an unreadable
    file). A case without a usable id is named by its position: ``case #3``.
    """

    path: str
    line: int
    message: str
    case_id: str | None = None
    field: str | None = None
    value: Any = NO_VALUE
    case_number: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        parts = [where]
        if self.case_id is not None:
            parts.append(f"case '{self.case_id}'")
        elif self.case_number is not None:
            parts.append(f"case #{self.case_number}")
        if self.field:
            parts.append(self.field)
        got = "" if self.value is NO_VALUE else f" (got {format_value(self.value)})"
        return ": ".join(parts) + f": {self.message}{got}"


@dataclass
class LoadResult:
    """The cases that loaded, the errors of those that did not, and the files read."""

    cases: list[Case] = dataclass_field(default_factory=list)
    errors: list[CaseError] = dataclass_field(default_factory=list)
    files: list[str] = dataclass_field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def extend(self, other: "LoadResult") -> None:
        self.cases.extend(other.cases)
        self.errors.extend(other.errors)
        self.files.extend(other.files)


class CaseProblem(Exception):
    """Raised while building a case; becomes a ``CaseError`` with the case's path and id.

    ``field`` is a path into the case mapping (``input.random.seed``, ``stride[1]``);
    ``line`` overrides the line found from the field when the problem knows better.
    """

    def __init__(self, field: str, message: str, value: Any = NO_VALUE, line: int | None = None):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.value = value
        self.line = line


def field_path(parent: str, key: Any) -> str:
    """``input`` + ``random`` -> ``input.random``; ``stride`` + 1 -> ``stride[1]``."""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else str(key)


def format_value(value: Any) -> str:
    """A value as the user wrote it, on one line: strings quoted, tuples as lists, long ones cut."""
    text = repr(_as_written(value))
    text = " ".join(text.split())
    if len(text) > _MAX_VALUE_CHARS:
        text = text[: _MAX_VALUE_CHARS - 3] + "..."
    return text


def _as_written(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _as_written(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_written(v) for v in value]
    return value
