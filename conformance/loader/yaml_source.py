"""Reading YAML safely, with the line of every mapping and of each of its keys.

Only the safe constructors exist here: an unknown or Python tag (``!!python/object``) is
never constructed; it becomes a ``ForbiddenTag`` that the loader reports for the case that
holds it, so the file's other cases still load. A key given twice in one mapping is kept
(the last value, as YAML loaders do) and reported the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

import yaml

from .errors import NO_VALUE, field_path

_YAML_TAG_PREFIX = "tag:yaml.org,2002:"


class LineDict(dict):
    """A YAML mapping that knows its 1-based start line and the line of each key."""

    __slots__ = ("line", "key_lines", "own_key_lines", "duplicate_keys")

    def __init__(self, line: int = 0):
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}
        self.own_key_lines: dict[Any, int] = {}  # keys written in this mapping, not merged in
        # (key, line of the repeat, line of the first) for each key given more than once
        self.duplicate_keys: list[tuple[Any, int, int]] = []


@dataclass(frozen=True)
class ForbiddenTag:
    """Stands in for a node whose tag the safe loader does not construct."""

    tag: str
    line: int


@dataclass(frozen=True)
class FileProblem(Exception):
    """The file as a whole cannot be read: one line number, one message."""

    line: int
    message: str


def short_tag(tag: str) -> str:
    return "!!" + tag[len(_YAML_TAG_PREFIX):] if tag.startswith(_YAML_TAG_PREFIX) else tag


class _LineLoading:
    """Mixed into a safe loader: ``LineDict`` mappings, ``ForbiddenTag`` markers, fast ints."""

    def __init__(self, stream):
        super().__init__(stream)
        # Set once any ForbiddenTag or duplicate key was built: only then is a walk needed.
        self.found_problem = False

    def construct_line_mapping(self, node: yaml.MappingNode) -> Iterator[LineDict]:
        """Only reached for mappings with merge keys (``<<: *anchor``) and inside other tags."""
        mapping = LineDict(node.start_mark.line + 1)
        yield mapping  # yielded first so recursive (anchored) structures resolve, as PyYAML does
        own_count = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE_TAG)
        self.flatten_mapping(node)  # the merged pairs first, then the mapping's own: own keys win
        first_own = len(node.value) - own_count
        for index, (key_node, value_node) in enumerate(node.value):
            key = self.construct_object(key_node)
            _check_hashable(key, key_node)
            _add_entry(mapping, key, key_node, self.construct_object(value_node), own=index >= first_own, loader=self)

    def resolve(self, kind, value, implicit):
        # Most scalars of a case file are plain decimal ints: tag them without PyYAML's
        # walk over its implicit resolvers (the same answer, a fraction of the time).
        if kind is yaml.ScalarNode and implicit[0] and _DECIMAL_INT.match(value):
            return _INT_TAG
        return super().resolve(kind, value, implicit)

    def construct_forbidden(self, node: yaml.Node) -> ForbiddenTag:
        self.found_problem = True
        return ForbiddenTag(short_tag(node.tag), node.start_mark.line + 1)


def _add_entry(mapping: LineDict, key: Any, key_node: yaml.Node, value: Any, own: bool, loader: _LineLoading) -> None:
    """Set one entry; a key the mapping itself gives twice is recorded as a problem.

    A key merged in (``<<: *anchor``) is overridden by the mapping's own one silently, as
    YAML says, and the line is the mapping's own key's.
    """
    line = key_node.start_mark.line + 1
    if own:
        first_line = mapping.own_key_lines.get(key)
        if first_line is not None:
            mapping.duplicate_keys.append((key, line, first_line))
            loader.found_problem = True
        else:
            mapping.own_key_lines[key] = line
            mapping.key_lines[key] = line
    else:
        mapping.key_lines.setdefault(key, line)
    mapping[key] = value


def _check_hashable(key: Any, key_node: yaml.Node) -> None:
    try:
        hash(key)
    except TypeError:
        raise yaml.constructor.ConstructorError(
            None, None, "a mapping key must be a plain value, not a list or mapping", key_node.start_mark
        ) from None


def _line_loader(safe_loader: type) -> type:
    loader = type(f"Line{safe_loader.__name__}", (_LineLoading, safe_loader), {})
    loader.add_constructor(_YAML_TAG_PREFIX + "map", loader.construct_line_mapping)
    loader.add_constructor(None, loader.construct_forbidden)  # every tag the safe loader lacks
    return loader


# libyaml's parser where PyYAML has it (several times faster); both give the same data.
PureLineLoader = _line_loader(yaml.SafeLoader)
LineLoader = _line_loader(yaml.CSafeLoader) if hasattr(yaml, "CSafeLoader") else PureLineLoader


def read_yaml(text: str, loader_class: type = LineLoader) -> tuple[Any, bool]:
    """Parse one YAML document; returns (data, whether any problem marker was built).

    Raises FileProblem for a syntax error, with the line where the parser stopped.
    """
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return (None if node is None else _Builder(loader).build(node)), loader.found_problem
    except yaml.MarkedYAMLError as err:
        raise FileProblem(_error_line(err), _syntax_message(err)) from None
    except yaml.YAMLError as err:  # e.g. ReaderError: a character YAML does not allow
        raise FileProblem(0, "invalid YAML: " + " ".join(str(err).split())) from None
    finally:
        loader.dispose()


class _Builder:
    """Nodes -> Python data, the common nodes directly, the rest by the loader's constructors.

    PyYAML's generic construct_object costs several microseconds per node, most of a
    case file's load; plain ints, floats, strings, lists and mappings are built here with
    the same results, and every other node (bool, null, timestamps, merge keys, unknown
    tags) goes to the safe constructors above.
    """

    def __init__(self, loader: _LineLoading):
        self.loader = loader
        self.built: dict[int, Any] = {}  # by node identity: an alias is the same node

    def build(self, node: yaml.Node) -> Any:
        known = self.built.get(id(node), _NOT_BUILT)
        if known is not _NOT_BUILT:
            return known
        tag = node.tag
        if tag == _INT_TAG and _DECIMAL_INT.match(node.value):
            return int(node.value)
        if tag == _FLOAT_TAG and _DECIMAL_FLOAT.match(node.value):
            return float(node.value)
        if tag == _STR_TAG and isinstance(node, yaml.ScalarNode):
            return node.value
        if tag == _SEQ_TAG and isinstance(node, yaml.SequenceNode):
            items: list = []
            self.built[id(node)] = items
            items.extend(self.build(child) for child in node.value)
            return items
        if tag == _MAP_TAG and isinstance(node, yaml.MappingNode) and not any(k.tag == _MERGE_TAG for k, _ in node.value):
            return self._mapping(node)
        return self.loader.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode) -> LineDict:
        mapping = LineDict(node.start_mark.line + 1)
        self.built[id(node)] = mapping
        for key_node, value_node in node.value:
            key = self.build(key_node)
            _check_hashable(key, key_node)
            _add_entry(mapping, key, key_node, self.build(value_node), own=True, loader=self.loader)
        return mapping


_NOT_BUILT = object()
_INT_TAG = _YAML_TAG_PREFIX + "int"
_FLOAT_TAG = _YAML_TAG_PREFIX + "float"
_STR_TAG = _YAML_TAG_PREFIX + "str"
_SEQ_TAG = _YAML_TAG_PREFIX + "seq"
_MAP_TAG = _YAML_TAG_PREFIX + "map"
_MERGE_TAG = _YAML_TAG_PREFIX + "merge"
# What int() and float() read exactly as YAML 1.1 does; anything else (0x1F, 0755 octal,
# 1_000, 1:30, .5, .inf) goes to PyYAML's own constructors.
_DECIMAL_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_DECIMAL_FLOAT = re.compile(r"[-+]?[0-9]+\.[0-9]*(?:[eE][-+][0-9]+)?\Z")


def _error_line(err: yaml.MarkedYAMLError) -> int:
    mark = err.problem_mark or err.context_mark
    return mark.line + 1 if mark is not None else 0


def _syntax_message(err: yaml.MarkedYAMLError) -> str:
    message = f"invalid YAML: {err.problem or err.context}"
    if err.problem and err.context:
        at = f" at line {err.context_mark.line + 1}" if err.context_mark is not None else ""
        message += f" ({err.context}{at})"
    return " ".join(message.split())


def find_problem(value: Any, path: str = "") -> tuple[str, int, str, Any] | None:
    """The first forbidden tag or repeated key inside ``value``: (field, line, message, value)."""
    if isinstance(value, ForbiddenTag):
        return (
            path,
            value.line,
            "tag not allowed: case files are read with a safe loader, plain YAML only",
            _Verbatim(value.tag),
        )
    if isinstance(value, LineDict):
        if value.duplicate_keys:
            key, line, first_line = value.duplicate_keys[0]
            return (field_path(path, key), line, f"given twice in one mapping (first at line {first_line})", NO_VALUE)
        for key, item in value.items():
            found = find_problem(item, field_path(path, key))
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = find_problem(item, field_path(path, index))
            if found:
                return found
    return None


class _Verbatim(str):
    """A value shown without quotes (a YAML tag)."""

    def __repr__(self) -> str:
        return str(self)

