"""Known non-PASS results: ``expectations/<adapter name>.yaml``, conditional outcomes, strict matching.

A file maps a case id, or a glob over case ids, to an entry (SPEC.md "Expectations"):

    "case-id-or-glob*":
      kind: limitation                 # bug | convention | limitation
      reason: "..."
      link: {issue: https://...}       # optional; issue | pr | doc | source, one or more
      status: ERROR                    # the short form: one outcome, on every machine
      message: "not yet support"       # ERROR/CRASH: searched in the result's message
                                       # and the framework's whole error text
                                       # (a list: any one of them, for a framework that
                                       # words one refusal two ways)

    "other-id":
      kind: bug
      reason: "..."
      expected:                        # the long form: first outcome whose `if` holds wins
        - if: {cpu_has: [avx512_fp16], onednn: true}
          status: PASS
        - status: FAIL
          diagnosis: kernel-flipped    # FAIL: the diagnosis the suite must give

An outcome pins the status and, for FAIL, the diagnosis; for ERROR and CRASH, a pattern
searched in the result's message. A result meets its entry only when all of it matches:
the same status with another diagnosis or message is an unexpected result. When no
outcome's condition holds on this run, the entry does not apply and PASS is expected.

Conditions read the run properties (``runner.properties``): ``CONDITION_PROPERTIES``
lists them. Versions take PEP 440 specifiers; a list of strings means any of them.

Matching: an exact case id first, then the globs in file order. In a glob only ``*``
and ``?`` are wildcards; ``[`` and ``]`` are literal (sweep ids contain brackets).

With no entry, PASS is expected, except that an UNSUPPORTED result is expected when the
adapter itself declared it: its ``Unsupported(reason, doc)`` with a reason of the fixed
vocabulary is the documented expectation. HARNESS (the adapter's own code failed) is
never expected and no entry may name it.

An entry is stale when it matched no case of the run, or when no result it matched met
the outcome chosen for this run (say the framework fixed a bug: now PASS).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..vocabulary import FINDING_KINDS

ENTRY_STATUSES = ("FAIL", "ERROR", "UNSUPPORTED", "CRASH", "TIMEOUT")
OUTCOME_STATUSES = ("PASS", *ENTRY_STATUSES)
KINDS = tuple(FINDING_KINDS)
LINK_KINDS = ("issue", "pr", "doc", "source")
ENTRY_FIELDS = ("kind", "reason", "link", "status", "diagnosis", "message", "expected")
OUTCOME_FIELDS = ("if", "status", "diagnosis", "message")

# Condition property -> how its value is read: "str" (a string or a list of them, any of
# which may match), "flags" (a list of CPU flags), "version" (a PEP 440 specifier),
# "bool", "env" (a mapping of variable -> value, null meaning unset).
CONDITION_PROPERTIES: dict[str, str] = {
    "os": "str",  # linux, darwin, win32
    "arch": "str",  # x86_64, aarch64
    "device": "str",  # cpu, cuda
    "cpu_has": "flags",  # every one of these flags is in /proc/cpuinfo
    "cpu_lacks": "flags",  # none of these is
    "version": "version",  # the framework's version
    # the version of the framework an adapter runs on, for one that runs on another's kernels:
    # Keras 3's backend ("keras 3.15.1 (tensorflow 2.21.0)" gives 2.21.0); absent for the others
    "backend_version": "version",
    "numpy": "version",
    "python": "version",
    "onednn": "bool",  # the framework runs oneDNN kernels (TF's IsMklEnabled, torch's mkldnn)
    "cpu_capability": "str",  # torch's ATen kernel set, OpenCV's dispatch level (build_properties)
    "engine": "str",  # MXNet's execution engine
    # the precision a float32 model runs at where the framework reports one (OpenVINO's CPU
    # plugin: INFERENCE_PRECISION_HINT of the compiled model, "bf16" / "f32" / "dynamic")
    "inference_precision": "str",
    "env": "env",  # environment variables that switch kernels
}
# Properties read from the framework's build report (``run_info["build"]``).
BUILD_PROPERTIES = ("onednn", "cpu_capability", "engine", "inference_precision")


# For editors (`# yaml-language-server: $schema=...`) and the project's tests; the parser
# below gives the same verdicts with file:line.
EXPECTATIONS_SCHEMA_PATH = str(Path(__file__).resolve().parents[1] / "schema" / "expectations.schema.json")


class ExpectationsError(ValueError):
    """A malformed expectations file; the message is one line naming file:line."""


@dataclass(frozen=True)
class Condition:
    """An outcome's ``if``: every property named must hold."""

    tests: tuple[tuple[str, Any], ...]

    def holds(self, props: dict) -> bool:
        return all(_holds(name, wanted, props) for name, wanted in self.tests)

    def describe(self) -> str:
        return ", ".join(f"{name}={wanted}" for name, wanted in self.tests)


def property_value(name: str, props: dict):
    """The run's value of a condition property (None when the run does not record it)."""
    if name in BUILD_PROPERTIES:
        return (props.get("build") or {}).get(name)
    if name == "version":
        return props.get("framework_version")
    if name == "backend_version":
        found = re.search(r"\(\S+ ([^()]+)\)", str(props.get("framework_version") or ""))
        return found.group(1) if found else None
    if name in ("cpu_has", "cpu_lacks"):
        return set(props.get("cpu_flags") or ())
    return props.get(name)


def _holds(name: str, wanted, props: dict) -> bool:
    kind = CONDITION_PROPERTIES[name]
    actual = property_value(name, props)
    if kind == "flags":
        return all(f in actual for f in wanted) if name == "cpu_has" else not any(f in actual for f in wanted)
    if kind == "version":
        from packaging.version import InvalidVersion, Version

        # The first version number in the text: "2.13.0+cpu", "keras 3.15.1 (tensorflow 2.21.0)".
        found = re.search(r"\d+(?:\.\d+)*(?:[a-z]+\d*)?(?:\.post\d+)?(?:\.dev\d+)?(?:\+[\w.]+)?", str(actual or ""))
        try:
            return found is not None and wanted.contains(Version(found.group(0)), prereleases=True)
        except InvalidVersion:
            return False
    if kind == "bool":
        return actual is not None and bool(actual) == wanted
    if kind == "env":
        # Kernel switches read their values case-insensitively (ONEDNN_MAX_CPU_ISA=avx2 is AVX2).
        env = {var: str(value).lower() for var, value in (props.get("env") or {}).items()}
        return all(env.get(var) == (None if value is None else value.lower()) for var, value in wanted)
    return actual is not None and str(actual) in wanted


@dataclass(frozen=True)
class Outcome:
    status: str
    diagnosis: str | None = None
    message: str | tuple[str, ...] | None = None  # a tuple: any one of these patterns
    condition: Condition | None = None
    line: int = 0

    @property
    def patterns(self) -> tuple[str, ...]:
        if self.message is None:
            return ()
        return self.message if isinstance(self.message, tuple) else (self.message,)

    def describe(self) -> str:
        pinned = f", diagnosis {self.diagnosis}" if self.diagnosis else ""
        if self.message is not None:
            pinned += f", message containing {' or '.join(map(repr, self.patterns))}"
        return self.status + pinned

    def mismatch(self, result) -> str | None:
        """Why ``result`` does not meet this outcome, or None when it does."""
        if result.status != self.status:
            return f"{result.status}, expected {self.describe()}"
        if self.diagnosis is not None and result.diagnosis != self.diagnosis:
            return f"FAIL as expected, but diagnosis {result.diagnosis} where the entry says {self.diagnosis}"
        if self.message is not None and not any(p in searched_text(result) for p in self.patterns):
            wanted = " or ".join(map(repr, self.patterns))
            return f"{result.status} as expected, but the message does not contain {wanted}: {result.message!r}"
        return None


def searched_text(result) -> str:
    """Where a message pattern is looked for: the result's message and the framework's
    whole error text (its first line alone may be a wrapper's)."""
    return (result.message or "") + "\n" + (getattr(result, "error_text", None) or "")


PASS_OUTCOME = Outcome("PASS")
DECLARED_UNSUPPORTED = Outcome("UNSUPPORTED")


@dataclass(frozen=True)
class Expectation:
    pattern: str
    kind: str
    reason: str
    outcomes: tuple[Outcome, ...]
    link: dict[str, str] = field(default_factory=dict)  # link kind -> address
    file: str = ""
    line: int = 0

    @property
    def is_glob(self) -> bool:
        return "*" in self.pattern or "?" in self.pattern

    @property
    def is_conditional(self) -> bool:
        return any(o.condition is not None for o in self.outcomes)

    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def outcome_for(self, props: dict) -> Outcome:
        """The first outcome whose condition holds on this run; PASS when none does."""
        for outcome in self.outcomes:
            if outcome.condition is None or outcome.condition.holds(props):
                return outcome
        return PASS_OUTCOME

    def link_text(self) -> str:
        return ", ".join(f"{kind}: {url}" for kind, url in self.link.items())

    def first_link(self) -> str | None:
        return next(iter(self.link.values()), None)


def glob_regex(pattern: str) -> re.Pattern:
    """``*`` and ``?`` are wildcards; every other character, brackets included, is literal."""
    parts = [".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern]
    return re.compile("".join(parts), re.DOTALL)


@dataclass(frozen=True)
class Verdict:
    """A result judged against its expectation."""

    expected: Outcome  # what this run should give
    entry: Expectation | None
    problem: str | None  # None: met

    @property
    def met(self) -> bool:
        return self.problem is None


@dataclass
class Expectations:
    """The entries of one adapter's file and what each matched during the run."""

    adapter: str
    entries: list[Expectation] = field(default_factory=list)
    path: str | None = None

    def __post_init__(self):
        self._exact = {e.pattern: e for e in self.entries if not e.is_glob}
        self._globs = [(e, glob_regex(e.pattern)) for e in self.entries if e.is_glob]

    def match(self, case_id: str, quantity: str = "output") -> Expectation | None:
        """The entry for a result: its key ``case`` or ``case::grad_input`` (a gradient),
        exact first, then globs; a gradient also matches an entry written for its bare case
        id (every quantity of that case)."""
        keys = [case_id] if quantity == "output" else [f"{case_id}::{quantity}", case_id]
        for key in keys:
            if key in self._exact:
                return self._exact[key]
        for key in keys:
            for entry, regex in self._globs:
                if regex.fullmatch(key):
                    return entry
        return None

    def judge(self, result, props: dict) -> Verdict:
        """The outcome this run should give for the result's case, and whether it did."""
        entry = self.match(result.case, getattr(result, "quantity", "output"))
        if entry is not None:
            expected = entry.outcome_for(props)
        elif result.status == "UNSUPPORTED":
            expected = DECLARED_UNSUPPORTED
        else:
            expected = PASS_OUTCOME
        return Verdict(expected, entry, expected.mismatch(result))

    def stale(self, results, props: dict) -> list[dict]:
        """Entries that matched no result, or whose outcome for this run no matched result met.

        ``results`` are this adapter's results (with ``case``, ``status``, ``diagnosis``,
        ``message``); ``props`` the run properties the outcomes were chosen by.
        """
        seen: dict[int, list] = {id(e): [] for e in self.entries}
        for result in results:
            entry = self.match(result.case, getattr(result, "quantity", "output"))
            if entry is not None:
                seen[id(entry)].append(result)
        found = []
        for entry in self.entries:
            matched = seen[id(entry)]
            expected = entry.outcome_for(props)
            if not matched:
                why = "matched no case in this run"
            elif all(expected.mismatch(r) is not None for r in matched):
                got = "/".join(sorted({_described(r) for r in matched}))
                condition = " (the outcome chosen on this run's properties)" if entry.is_conditional else ""
                why = f"every matching case got {got}, not {expected.describe()}{condition}"
            else:
                continue
            found.append(
                {
                    "adapter": self.adapter,
                    "pattern": entry.pattern,
                    "status": expected.status,
                    "file": entry.file,
                    "line": entry.line,
                    "why": why,
                }
            )
        return found


def _described(result) -> str:
    if result.status == "FAIL" and result.diagnosis:
        return f"FAIL ({result.diagnosis})"
    return result.status


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


class _Where:
    """Builds the one-line errors of one entry: ``path:line: 'pattern': field: ...``."""

    def __init__(self, path: str, pattern: str):
        self.path, self.pattern = path, pattern

    def error(self, node, what: str) -> ExpectationsError:
        return ExpectationsError(f"{self.path}:{_line(node)}: '{self.pattern}': {what}")


def _entry(key_node, value_node, path: str, seen: dict) -> Expectation:
    line = _line(key_node)
    if not isinstance(key_node, yaml.ScalarNode) or not key_node.value:
        raise ExpectationsError(f"{path}:{line}: an entry's key must be a case id or glob")
    pattern = key_node.value
    where = _Where(path, pattern)
    if pattern in seen:
        raise where.error(key_node, f"duplicate entry (first at line {seen[pattern]})")
    seen[pattern] = line
    if not isinstance(value_node, yaml.MappingNode):
        raise where.error(value_node, "the entry must be a mapping with kind, reason and status (or expected)")
    fields = _fields(value_node, ENTRY_FIELDS, where)
    kind = _scalar(fields, "kind", where)
    if kind not in KINDS:
        raise where.error(fields.get("kind", value_node), f"kind: must be one of {', '.join(KINDS)} (got {kind!r})")
    reason = (_scalar(fields, "reason", where) or "").strip()
    if not reason:
        raise where.error(fields.get("reason", value_node), "reason: a known non-PASS result needs a reason")
    link = _link(fields.get("link"), where)
    if "expected" in fields:
        extra = [name for name in ("status", "diagnosis", "message") if name in fields]
        if extra:
            raise where.error(fields[extra[0]], f"{extra[0]}: goes inside each outcome of 'expected', not beside it")
        outcomes = _outcomes(fields["expected"], where)
    else:
        outcomes = (_outcome(value_node, fields, where, allow_condition=False),)
    return Expectation(pattern, kind, reason, outcomes, link, path, line)


def _outcomes(node, where: _Where) -> tuple[Outcome, ...]:
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise where.error(node, "expected: must be a list of outcomes ({if: ..., status: ...}), the last may omit 'if'")
    outcomes = []
    for i, item in enumerate(node.value):
        if not isinstance(item, yaml.MappingNode):
            raise where.error(item, "expected: each outcome must be a mapping with status (and if)")
        fields = _fields(item, OUTCOME_FIELDS, where)
        outcome = _outcome(item, fields, where, allow_condition=True)
        if outcome.condition is None and i != len(node.value) - 1:
            raise where.error(item, "expected: only the last outcome may omit 'if' (the ones after it could never apply)")
        outcomes.append(outcome)
    return tuple(outcomes)


def _outcome(node, fields: dict, where: _Where, allow_condition: bool) -> Outcome:
    statuses = OUTCOME_STATUSES if allow_condition else ENTRY_STATUSES
    status = _scalar(fields, "status", where)
    if status == "HARNESS":
        raise where.error(fields["status"], "status: HARNESS is the suite's own defect and is never expected")
    if status not in statuses:
        raise where.error(fields.get("status", node), f"status: must be one of {', '.join(statuses)} (got {status!r})")
    diagnosis = _scalar(fields, "diagnosis", where)
    message = _message(fields, where)
    if status == "FAIL":
        if not diagnosis:
            raise where.error(fields.get("diagnosis", node), "diagnosis: a FAIL entry pins the diagnosis the suite gives")
        from ..diagnosis import is_diagnosis, known_codes  # the diagnosis search loads the oracle: only here

        if not is_diagnosis(diagnosis):
            raise where.error(fields["diagnosis"], f"diagnosis: unknown code {diagnosis!r} (known: {known_codes()})")
    elif diagnosis is not None:
        raise where.error(fields["diagnosis"], f"diagnosis: only a FAIL has a diagnosis (status {status})")
    if status in ("ERROR", "CRASH"):
        if not message or not all(p.strip() for p in ([message] if isinstance(message, str) else message)):
            raise where.error(fields.get("message", node), f"message: a {status} entry pins a pattern of the framework's message")
    elif message is not None:
        raise where.error(fields["message"], f"message: only ERROR and CRASH outcomes pin a message (status {status})")
    condition = None
    if "if" in fields:
        if not allow_condition:
            raise where.error(fields["if"], "if: conditions go in the outcomes of 'expected'")
        condition = _condition(fields["if"], where)
    return Outcome(status, diagnosis, message, condition, _line(node))


def _message(fields: dict, where: _Where) -> str | tuple[str, ...] | None:
    """``message``: a pattern, or a list of patterns any one of which may match."""
    node = fields.get("message")
    if isinstance(node, yaml.SequenceNode):
        if not node.value or not all(isinstance(item, yaml.ScalarNode) for item in node.value):
            raise where.error(node, "message: must be a string or a non-empty list of strings")
        return tuple(item.value for item in node.value)
    return _scalar(fields, "message", where)


def _condition(node, where: _Where) -> Condition:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    if not isinstance(node, yaml.MappingNode) or not node.value:
        raise where.error(node, "if: must map run properties to values, e.g. {cpu_has: [avx512_fp16], onednn: true}")
    tests = []
    for key, value in node.value:
        name = key.value
        if name not in CONDITION_PROPERTIES:
            raise where.error(key, f"if: unknown run property {name!r} (known: {', '.join(CONDITION_PROPERTIES)})")
        kind = CONDITION_PROPERTIES[name]
        data = yaml.safe_load(yaml.serialize(value))
        if kind == "version":
            try:
                tests.append((name, SpecifierSet(str(data))))
            except InvalidSpecifier:
                raise where.error(value, f"if: {name}: not a PEP 440 version specifier (got {data!r})") from None
        elif kind == "bool":
            if not isinstance(data, bool):
                raise where.error(value, f"if: {name}: must be true or false (got {data!r})")
            tests.append((name, data))
        elif kind == "flags":
            flags = [data] if isinstance(data, str) else data
            if not isinstance(flags, list) or not flags or not all(isinstance(f, str) and f for f in flags):
                raise where.error(value, f"if: {name}: must be a list of CPU flags (got {data!r})")
            tests.append((name, tuple(flags)))
        elif kind == "env":
            if not isinstance(data, dict) or not all(v is None or isinstance(v, str) for v in data.values()):
                raise where.error(value, f"if: env: must map variable names to strings or null for unset (got {data!r})")
            tests.append((name, tuple(data.items())))
        else:
            values = [data] if isinstance(data, str) else data
            if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
                raise where.error(value, f"if: {name}: must be a string or a list of strings (got {data!r})")
            tests.append((name, tuple(values)))
    return Condition(tuple(tests))


def _link(node, where: _Where) -> dict[str, str]:
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"):
        return {}
    if not isinstance(node, yaml.MappingNode) or not node.value:
        raise where.error(node, f"link: must say what it is: {{issue|pr|doc|source: URL}} (got {getattr(node, 'value', node)!r})")
    links = {}
    for key, value in node.value:
        if key.value not in LINK_KINDS:
            raise where.error(key, f"link: unknown kind {key.value!r} (known: {', '.join(LINK_KINDS)})")
        if not isinstance(value, yaml.ScalarNode) or not re.match(r"https?://", value.value or ""):
            raise where.error(value, f"link: {key.value}: must be an http(s) address (got {getattr(value, 'value', None)!r})")
        links[key.value] = value.value
    return links


def _fields(node, known: tuple[str, ...], where: _Where) -> dict:
    fields = {}
    for key, value in node.value:
        name = key.value
        if name not in known:
            raise where.error(key, f"unknown field {name!r} (known: {', '.join(known)})")
        if name in fields:
            raise where.error(key, f"field {name!r} given twice")
        fields[name] = value
    return fields


def _scalar(fields: dict, name: str, where: _Where) -> str | None:
    node = fields.get(name)
    if node is None or node.tag == "tag:yaml.org,2002:null":
        return None
    if not isinstance(node, yaml.ScalarNode):
        raise where.error(node, f"{name}: must be a string")
    return node.value


def _line(node) -> int:
    return node.start_mark.line + 1
