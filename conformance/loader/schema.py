"""The case schema (``conformance/schema/case.schema.json``) and its errors in our words.

The JSON Schema checks structure and types; the loader validates each case mapping (after
defaults are merged in) against ``$defs/completeCase`` and turns the most relevant error
into a ``CaseProblem`` naming the field path (``input.random.seed``, ``stride[1]``).
A compiled predicate (``fast_schema``) answers "valid?" first: jsonschema runs only on a
case that fails it, to find and word the error.
"""

from __future__ import annotations

import difflib
import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import CaseProblem, field_path
from .fast_schema import Predicate, compile_schema

if TYPE_CHECKING:  # jsonschema is imported only when a case fails the compiled check
    from jsonschema import Draft202012Validator, ValidationError

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "case.schema.json"

_TYPE_WORDS = {
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "array": "a list",
    "object": "a mapping",
    "boolean": "true or false",
    "null": "null",
}
# Failing these inside one branch of anyOf/oneOf means "this branch is not the form meant".
_BRANCH_MISMATCH = {"type", "enum", "const", "required"}


@functools.lru_cache(maxsize=None)
def load_schema() -> dict:
    """The case schema as parsed JSON (shared: do not modify)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=None)
def validator_for(definition: str) -> Draft202012Validator:
    """A jsonschema validator for ``$defs/<definition>`` (refs resolve in the file).

    Its "integer" is strict, as the compiled check's: in YAML 2 and 2.0 differ, and a
    stride or a shape is an int, never a float that happens to be whole.
    """
    from jsonschema import Draft202012Validator, validators

    strict_types = Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool)
    )
    validator_class = validators.extend(Draft202012Validator, type_checker=strict_types)
    schema = load_schema()
    return validator_class({"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": f"#/$defs/{definition}"})


@functools.lru_cache(maxsize=None)
def fast_check_for(definition: str) -> Predicate:
    """The compiled validity predicate for ``$defs/<definition>``."""
    schema = load_schema()
    return compile_schema(schema["$defs"][definition], schema)


def schema_problem(instance: Any, definition: str, parent: str = "") -> CaseProblem | None:
    """The most relevant schema error of ``instance`` as a CaseProblem, or None when valid."""
    if fast_check_for(definition)(instance):
        return None
    from jsonschema.exceptions import best_match

    error = best_match(validator_for(definition).iter_errors(instance))
    if error is None:  # jsonschema is the reference; tests/test_loader.py keeps the two agreeing
        return None
    return describe(_most_specific(error), parent)


def _most_specific(error: ValidationError) -> ValidationError:
    """Inside anyOf/oneOf, the error of the branch that matches the value's form, if one does.

    ``stride: [1, "a"]`` fails the list branch at ``stride[1]``: that is the error to show.
    ``stride: "a"`` matches no branch's form: the anyOf error itself (its title) is.
    """
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        return error
    relevant = [e for e in error.context if e.relative_path or e.validator not in _BRANCH_MISMATCH]
    if not relevant:
        return error
    return _most_specific(max(relevant, key=lambda e: len(e.relative_path)))


def describe(error: ValidationError, parent: str = "") -> CaseProblem:
    path = parent
    for part in error.absolute_path:
        path = field_path(path, part)
    kind, rule, value = error.validator, error.validator_value, error.instance
    if kind == "required":
        missing = next(name for name in rule if name not in value)
        where = " (on the case or in defaults:)" if not error.absolute_path and missing != "id" else ""
        return CaseProblem(field_path(path, missing), f"is required{where}")
    if kind == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        extra = next(key for key in value if key not in known)
        return CaseProblem(field_path(path, extra), _unknown_field_message(path, extra, known), value[extra])
    if kind == "not" and "id" in value:  # defaults holding an id
        return CaseProblem(field_path(path, "id"), "belongs on each case, not in defaults", value["id"])
    return CaseProblem(path or "(case)", _rule_message(error), value)


def _unknown_field_message(path: str, extra: Any, known: list[str]) -> str:
    if path.endswith("sweep"):
        return f"cannot be swept (sweepable: {', '.join(known)})"
    close = difflib.get_close_matches(str(extra), known, n=1)
    return "unknown field" + (f" (did you mean '{close[0]}'?)" if close else f" (known: {', '.join(known)})")


def _rule_message(error: ValidationError) -> str:
    kind, rule = error.validator, error.validator_value
    if kind == "type":
        types = rule if isinstance(rule, list) else [rule]
        return "must be " + " or ".join(_TYPE_WORDS.get(t, t) for t in types)
    if kind == "enum":
        return "must be one of " + ", ".join(str(v) for v in rule)
    if kind == "const":
        return f"must be {json.dumps(rule)}"
    if kind in ("anyOf", "oneOf") and "title" in error.schema:
        return "must be " + error.schema["title"]
    if kind == "minimum":
        return f"must be >= {rule}"
    if kind == "exclusiveMinimum":
        return f"must be > {rule}"
    if kind == "minItems":
        return f"needs at least {rule} {'entry' if rule == 1 else 'entries'}"
    if kind == "maxItems":
        return f"allows at most {rule} entries"
    if kind == "minProperties":
        return "must not be empty"
    if kind == "uniqueItems":
        return "lists a value twice"
    if kind == "pattern":
        return f"must match {rule.strip('^$')}"
    return error.message
