"""A JSON Schema compiled to nested Python predicates: valid or not, nothing more.

jsonschema spends about 1 ms on one case; a suite of 1000 cases is loaded by every
pytest-xdist worker, so the loader asks this predicate first and asks jsonschema only
for a case that fails, to word the error. Only the keywords the case schema uses are
compiled; any other keyword raises at compile time, so the two cannot drift apart
silently (tests/test_loader.py checks they agree).
"""

from __future__ import annotations

import re
from typing import Any, Callable

Predicate = Callable[[Any], bool]

_ANNOTATIONS = {"title", "description", "$comment", "$schema", "$defs", "default", "examples"}


def compile_schema(schema: Any, root: dict) -> Predicate:
    """``schema`` (a part of ``root``; ``$ref``s resolve in ``root``) as a predicate."""
    return _Compiler(root).compile(schema)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# JSON Schema's types; "integer" is strict (2.0 is not one), as the loader's jsonschema validator.
_TYPES: dict[str, Predicate] = {
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": _is_number,
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality: 1 == 1.0, but true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_number(a) and _is_number(b):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


class _Compiler:
    def __init__(self, root: dict):
        self.root = root
        self.compiled: dict[int, Predicate] = {}

    def compile(self, schema: Any) -> Predicate:
        if schema is True or schema == {}:
            return lambda v: True
        if schema is False:
            return lambda v: False
        if id(schema) in self.compiled:  # a recursive $ref: the predicate being built
            return self.compiled[id(schema)]
        checks: list[Predicate] = []

        def check(value: Any) -> bool:
            for one in checks:
                if not one(value):
                    return False
            return True

        self.compiled[id(schema)] = check
        for keyword, rule in schema.items():
            if keyword in _ANNOTATIONS:
                continue
            factory = getattr(self, "_" + keyword.lstrip("$"), None)
            if factory is None:
                raise ValueError(f"fast_schema does not compile the keyword {keyword!r}; add it or remove it from the schema")
            checks.append(factory(rule, schema))
        return check

    def _ref(self, rule: str, _schema) -> Predicate:
        if not rule.startswith("#/"):
            raise ValueError(f"only local $refs compile (got {rule!r})")
        target: Any = self.root
        for part in rule[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        return self.compile(target)

    def _type(self, rule, _schema) -> Predicate:
        tests = [_TYPES[name] for name in (rule if isinstance(rule, list) else [rule])]
        return lambda v: any(test(v) for test in tests)

    def _enum(self, rule, _schema) -> Predicate:
        if all(isinstance(option, str) for option in rule):
            options = frozenset(rule)
            return lambda v: isinstance(v, str) and v in options
        return lambda v: any(json_equal(v, option) for option in rule)

    def _const(self, rule, _schema) -> Predicate:
        return lambda v: json_equal(v, rule)

    def _properties(self, rule, _schema) -> Predicate:
        compiled = [(name, self.compile(sub)) for name, sub in rule.items()]
        return lambda v: not isinstance(v, dict) or all(name not in v or test(v[name]) for name, test in compiled)

    def _additionalProperties(self, rule, schema) -> Predicate:
        if "patternProperties" in schema:
            raise ValueError("patternProperties is not compiled")
        known = frozenset(schema.get("properties", ()))
        test = self.compile(rule)
        return lambda v: not isinstance(v, dict) or all(key in known or test(v[key]) for key in v)

    def _required(self, rule, _schema) -> Predicate:
        return lambda v: not isinstance(v, dict) or all(name in v for name in rule)

    def _minProperties(self, rule, _schema) -> Predicate:
        return lambda v: not isinstance(v, dict) or len(v) >= rule

    def _items(self, rule, schema) -> Predicate:
        if "prefixItems" in schema:
            raise ValueError("prefixItems is not compiled")
        test = self.compile(rule)
        return lambda v: not isinstance(v, list) or all(test(item) for item in v)

    def _minItems(self, rule, _schema) -> Predicate:
        return lambda v: not isinstance(v, list) or len(v) >= rule

    def _maxItems(self, rule, _schema) -> Predicate:
        return lambda v: not isinstance(v, list) or len(v) <= rule

    def _uniqueItems(self, rule, _schema) -> Predicate:
        if not rule:
            return lambda v: True
        return lambda v: not isinstance(v, list) or not any(
            json_equal(v[i], v[j]) for i in range(len(v)) for j in range(i + 1, len(v))
        )

    def _minimum(self, rule, _schema) -> Predicate:
        return lambda v: not _is_number(v) or v >= rule

    def _exclusiveMinimum(self, rule, _schema) -> Predicate:
        return lambda v: not _is_number(v) or v > rule

    def _minLength(self, rule, _schema) -> Predicate:
        return lambda v: not isinstance(v, str) or len(v) >= rule

    def _pattern(self, rule, _schema) -> Predicate:
        search = re.compile(rule).search
        return lambda v: not isinstance(v, str) or search(v) is not None

    def _anyOf(self, rule, _schema) -> Predicate:
        tests = [self.compile(sub) for sub in rule]
        return lambda v: any(test(v) for test in tests)

    def _oneOf(self, rule, _schema) -> Predicate:
        tests = [self.compile(sub) for sub in rule]
        return lambda v: sum(1 for test in tests if test(v)) == 1

    def _allOf(self, rule, _schema) -> Predicate:
        tests = [self.compile(sub) for sub in rule]
        return lambda v: all(test(v) for test in tests)

    def _not(self, rule, _schema) -> Predicate:
        test = self.compile(rule)
        return lambda v: not test(v)
