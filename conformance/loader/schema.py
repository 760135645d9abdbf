"""The case schema (``conformance/schema/case.schema.json``) and its errors in our words.

The JSON Schema checks structure and types; the loader validates each case mapping (after
defaults are merged in) against ``$defs/completeCase`` and turns the most relevant error
into a ``CaseProblem`` naming the field path (``input.random.seed``, ``stride[1]``).
A predicate compiled by fastjsonschema answers "valid?" first: jsonschema runs only on a
case that fails it, to find and word the error.
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import fastjsonschema

from .errors import CaseProblem, field_path

if TYPE_CHECKING:  # jsonschema is imported only when a case fails the compiled check
    from jsonschema import Draft202012Validator, ValidationError

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "case.schema.json"

Predicate = Callable[[Any], bool]

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

    Its "integer" is strict, as the fast check's: in YAML 2 and 2.0 differ, and a
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


# fastjsonschema compiles drafts 4 to 2019-09, and from draft 6 on its "integer" takes 2.0.
# So the case schema (2020-12) is translated to draft 4, whose "integer" it compiles as
# Python's int (not a bool, not 2.0), as validator_for's. Only the keywords whose meaning the
# translation keeps are accepted; any other raises at compile time, so the fast check and
# jsonschema cannot drift apart silently (tests/test_loader.py checks they agree).
_DRAFT_04 = "http://json-schema.org/draft-04/schema#"
_ANNOTATIONS = {"title", "description", "$comment", "default", "examples"}
_SUBSCHEMA = {"items", "not", "additionalProperties"}
_SUBSCHEMA_LIST = {"anyOf", "oneOf", "allOf"}
_SUBSCHEMA_MAP = {"properties", "$defs"}
_ASSERTIONS = {
    "type", "enum", "required", "minProperties", "minItems", "maxItems", "uniqueItems",
    "minimum", "minLength", "pattern",
}  # fmt: skip


def compile_schema(schema: Any, root: dict) -> Predicate:
    """``schema`` (a part of ``root``; local ``$ref``s resolve in ``root``) as a predicate.

    Raises ValueError for a keyword the translation does not know.
    """
    document = {"$schema": _DRAFT_04, "$defs": _as_draft_04({"$defs": root.get("$defs", {})})["$defs"]}
    document.update(_as_draft_04(schema))
    validate = fastjsonschema.compile(document, handlers={}, use_default=False, use_formats=False, detailed_exceptions=False)
    invalid = fastjsonschema.JsonSchemaException

    def check(instance: Any) -> bool:
        try:
            validate(instance)
        except invalid:
            return False
        return True

    return check


def _as_draft_04(schema: Any) -> Any:
    """A 2020-12 (sub)schema in draft 4 terms; ValueError for a keyword it does not translate.

    Draft 4 ignores a $ref's siblings (2020-12 applies them): both go under allOf. const
    becomes a one-value enum (fastjsonschema's enum tells true from 1); a numeric
    exclusiveMinimum becomes minimum with draft 4's boolean flag; true and false schemas
    become {} and {"not": {}}. Note: fastjsonschema reads "$" in a pattern as the end of the
    string only, where jsonschema also allows a final newline before it; such a value fails
    the fast check and jsonschema, the reference, then finds no error.
    """
    if schema is True:
        return {}
    if schema is False:
        return {"not": {}}
    result: dict[str, Any] = {}
    for keyword, rule in schema.items():
        if keyword in _ANNOTATIONS or keyword == "$schema":
            continue
        if keyword in _SUBSCHEMA:
            if keyword == "items" and "prefixItems" in schema:
                raise ValueError("prefixItems is not compiled")
            if keyword == "additionalProperties" and "patternProperties" in schema:
                raise ValueError("patternProperties is not compiled")
            result[keyword] = rule if rule is False and keyword == "additionalProperties" else _as_draft_04(rule)
        elif keyword in _SUBSCHEMA_LIST:
            result[keyword] = [_as_draft_04(sub) for sub in rule]
        elif keyword in _SUBSCHEMA_MAP:
            result[keyword] = {name: _as_draft_04(sub) for name, sub in rule.items()}
        elif keyword == "$ref":
            if not rule.startswith("#/"):
                raise ValueError(f"only local $refs compile (got {rule!r})")
            result[keyword] = rule
        elif keyword == "const":
            result["enum"] = [rule]
        elif keyword == "exclusiveMinimum":
            if "minimum" in schema:
                raise ValueError("exclusiveMinimum beside minimum is not compiled")
            result.update(minimum=rule, exclusiveMinimum=True)
        elif keyword in _ASSERTIONS:
            result[keyword] = rule
        else:
            raise ValueError(f"the fast check does not compile the keyword {keyword!r}; add it or remove it from the schema")
    if "const" in schema and "enum" in schema:
        raise ValueError("const beside enum is not compiled")
    if "$ref" in result and len(result) > 1:
        ref = {"$ref": result.pop("$ref")}
        result = {"allOf": [ref, result]}
    return result


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
