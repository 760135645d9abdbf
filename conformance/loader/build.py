"""One parsed case file -> ``Case`` objects and ``CaseError``s.

A case passes three gates: the schema (structure and types), the form (1-3 spatial dims,
per-dim lists of the right length, tensors that match their shape and fit the size
limit), and the canonical configuration (``oracle.geometry.resolve``). The first two
refuse any case; the third refuses an ``expect: ok`` case and is the point of an
``expect: error`` one.
"""

from __future__ import annotations

import dataclasses
import math
import re
import zlib
from typing import Any

import numpy as np

from ..case import Case, normalise_padding, per_dim
from ..dtypes import round_to_dtype
from ..oracle.geometry import AxisGeometry, InvalidConfiguration, resolve
from .errors import CaseError, CaseProblem, LoadResult
from .expand import expand_sweep, merge_defaults
from .schema import schema_problem
from .tensors import GENERATORS, check_size, make_tensor, random_values
from .yaml_source import LineDict, find_problem

FILE_KEYS = ("defaults", "cases")
PER_DIM_FIELDS = ("stride", "dilation", "output_padding", "output_shape")
_FILE_SHAPE = "a case file is a mapping with cases: (a list) and optionally defaults:"
_PATH_PARTS = re.compile(r"[^.\[\]]+")


def build_file(data: Any, path: str, found_problem: bool) -> LoadResult:
    """The cases and errors of one parsed file (ids not yet checked for uniqueness)."""
    result = LoadResult(files=[path])
    errors = result.errors
    if not isinstance(data, LineDict):
        what = "the file is empty" if data is None else f"the file holds a {_yaml_kind(data)}"
        errors.append(CaseError(path, 1, f"{_FILE_SHAPE}; {what}"))
        return result
    for key in data:
        if key not in FILE_KEYS:
            errors.append(CaseError(path, data.key_lines[key], f"unknown top-level key '{key}' ({_FILE_SHAPE})"))
    cases = data.get("cases")
    if not isinstance(cases, list):
        line = data.key_lines.get("cases", data.line)
        got = "no cases: key" if "cases" not in data else f"cases: holds a {_yaml_kind(cases)}"
        errors.append(CaseError(path, line, f"{_FILE_SHAPE}; {got}"))
        return result
    defaults = data.get("defaults")
    if defaults is not None:
        error = _defaults_error(defaults, path, data.key_lines["defaults"], found_problem)
        if error:  # every case would inherit it: one error for the file, not one per case
            errors.append(error)
            return result
    for index, raw in enumerate(cases):
        built = _build_entry(raw, index, defaults, path, data.key_lines["cases"], found_problem)
        result.cases.extend(built.cases)
        errors.extend(built.errors)
    return result


def _defaults_error(defaults: Any, path: str, line: int, found_problem: bool) -> CaseError | None:
    if not isinstance(defaults, LineDict):
        return CaseError(path, line, "must be a mapping of case fields", field="defaults", value=defaults)
    problem = (found_problem and find_problem(defaults)) or None
    if problem:
        field, problem_line, message, value = problem
        return CaseError(path, problem_line, message, field=f"defaults.{field}", value=value)
    schema_error = schema_problem(defaults, "defaults", parent="defaults")
    if schema_error:
        return CaseError(
            path, _line_of(schema_error.field, [defaults], prefix="defaults") or line, schema_error.message,
            field=schema_error.field, value=schema_error.value,
        )
    return None


def _build_entry(raw: Any, index: int, defaults, path: str, cases_line: int, found_problem: bool) -> LoadResult:
    """One entry of ``cases:``: its case, or the cases of its sweep, and the errors."""
    result = LoadResult()
    case_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
    sources = [raw, defaults] if defaults else [raw]

    def refuse(problem: CaseProblem, shown_id: str | None = case_id, look_first: tuple = ()) -> None:
        line = problem.line or _line_of(problem.field, [*look_first, *sources]) or getattr(raw, "line", cases_line)
        result.errors.append(
            CaseError(path, line, problem.message, shown_id, problem.field, problem.value,
                      case_number=None if shown_id else index + 1)
        )

    marked = found_problem and find_problem(raw)
    if marked:
        field, line, message, value = marked
        refuse(CaseProblem(field, message, value, line=line))
        return result
    if not isinstance(raw, LineDict):
        refuse(CaseProblem("", "each entry of cases: is a mapping (- id: ...)", raw))
        return result
    merged = merge_defaults(raw, defaults)
    try:
        problem = schema_problem(merged, "completeCase")
        if problem:
            raise problem
        expanded = expand_sweep(merged, own_keys=raw.keys())
    except CaseProblem as problem:
        refuse(problem)
        return result
    for spec, swept in expanded:
        try:
            result.cases.append(build_case(spec, path, raw.line))
        except CaseProblem as problem:
            # A swept value's line is its sweep: entry's, wherever that sweep: was written.
            from_sweep = (merged["sweep"],) if _top(problem.field) in swept else ()
            refuse(problem, spec["id"], from_sweep)
    return result


def build_case(spec: dict[str, Any], path: str, line: int) -> Case:
    """A Case from one schema-valid, expanded case mapping; raises CaseProblem."""
    dims = _spatial_dims(spec)
    dtype = spec.get("dtype", "float32")
    x = round_to_dtype(make_tensor(spec["input"], "input"), dtype)
    w = round_to_dtype(make_tensor(spec["kernel"], "kernel"), dtype)
    b = round_to_dtype(make_tensor(spec["bias"], "bias"), dtype) if "bias" in spec else None
    # A golden output is a reference from outside, not a framework input: kept as written.
    # A shape alone (the source printed only a shape) is checked here and leaves expected None.
    golden = spec.get("expected")
    expected = make_tensor(golden, "expected") if golden and any(g in golden for g in GENERATORS) else None
    case = Case(
        id=spec["id"],
        op=spec["op"],
        x=x,
        w=w,
        b=b,
        stride=per_dim(spec.get("stride", 1), dims),
        dilation=per_dim(spec.get("dilation", 1), dims),
        padding=normalise_padding(spec.get("padding", 0), dims),
        output_padding=per_dim(spec.get("output_padding", 0), dims),
        output_shape=per_dim(spec["output_shape"], dims) if "output_shape" in spec else None,
        groups=spec.get("groups", 1),
        dtype=dtype,
        expect=spec.get("expect", "ok"),
        expected=expected,
        tolerance_factor=float(spec["tolerance"]["factor"]) if "tolerance" in spec else 1.0,
        description=spec.get("description", ""),
        source=spec.get("source", ""),
        tags=tuple(spec.get("tags", ())),
        file=path,
        line=line,
        spec=_plain(spec),
    )
    _check_configuration(case, None if golden is None else list(golden["shape"]))
    return _with_gradients(case, spec)


def _with_gradients(case: Case, spec: dict[str, Any]) -> Case:
    """``check:`` and ``grad_output`` (SPEC "Gradients"): the quantities judged and the
    upstream gradient, checked against the output's shape, made when a gradient is judged."""
    check = tuple(spec.get("check", ("output",)))
    judged_gradients = [name for name in check if name != "output"]
    if not judged_gradients and "grad_output" not in spec:
        return case
    if case.expect == "error":
        raise CaseProblem("check", "an expect: error case has no output, so no gradients to judge", list(check))
    if "grad_bias" in check and case.b is None:
        raise CaseProblem("check", "grad_bias needs a bias: the case has none", list(check))
    shape = [case.x.shape[0], case.out_channels, *(a.out for a in resolve(case))]
    if "grad_output" in spec:
        g = make_tensor(spec["grad_output"], "grad_output")
        if list(g.shape) != shape:
            raise CaseProblem("grad_output.shape", f"must be the output's shape {shape}", list(g.shape))
    else:
        g = random_values(default_grad_output(case.id, spec["input"]), tuple(shape), "grad_output.random")
    return dataclasses.replace(case, check=check, grad_output=round_to_dtype(g, case.dtype))


def default_grad_output(case_id: str, input_spec: dict[str, Any]) -> dict[str, Any]:
    """The upstream gradient a case gets when it names none: drawn like its input (the same
    distribution and parameters when the input is random, small integers when the input is
    given as whole numbers, else normal), with the seed crc32(case id): fixed per case and
    different for every case, sweep members included."""
    seed = zlib.crc32(case_id.encode("utf-8"))
    if "random" in input_spec:
        return {**input_spec["random"], "seed": seed}
    whole = "arange" in input_spec or (
        "values" in input_spec and bool(np.all(np.mod(np.asarray(input_spec["values"], dtype=np.float64), 1) == 0))
    ) or ("fill" in input_spec and float(input_spec["fill"]).is_integer())
    return {"seed": seed, "distribution": "integers"} if whole else {"seed": seed}


def _spatial_dims(spec: dict[str, Any]) -> int:
    """1-3 spatial dims, and every per-dim list with one entry per dim (else CaseProblem)."""
    shape = spec["input"]["shape"]
    if not 3 <= len(shape) <= 5:
        raise CaseProblem("input.shape", "must be (N, C, *spatial) with 1 to 3 spatial dims", shape)
    dims = len(shape) - 2
    for name in (*PER_DIM_FIELDS, "padding"):
        value = spec.get(name)
        if isinstance(value, list) and len(value) != dims:
            raise CaseProblem(name, f"needs {dims} {'entry' if dims == 1 else 'entries'}, one per spatial dim", value)
    return dims


def _check_configuration(case: Case, expected_shape: list[int] | None) -> None:
    """The canonical rules against ``expect``, then the output's shape and size."""
    if case.expect == "error" and expected_shape is not None:
        raise CaseProblem("expected", "an expect: error case has no output to compare with", expected_shape)
    try:
        axes = resolve(case)
    except InvalidConfiguration as invalid:
        if case.expect == "error":
            return
        raise CaseProblem(invalid.field, invalid.message, invalid.value) from None
    shape = [case.x.shape[0], case.out_channels, *(a.out for a in axes)]
    if case.expect == "error":
        raise CaseProblem("expect", f"error, but the configuration is valid (output shape {shape})")
    if expected_shape is not None and expected_shape != shape:
        raise CaseProblem("expected.shape", f"does not match the output shape {shape}", expected_shape)
    check_size(math.prod(shape), "output", "the output", shape)
    check_size(_oracle_workspace(case, axes), "output", "the oracle's intermediate (padded input or full scatter result)", shape)


def _oracle_workspace(case: Case, axes: tuple[AxisGeometry, ...]) -> int:
    """Elements of the largest array the oracle allocates besides the output."""
    if case.op == "conv":
        return case.x.shape[0] * case.in_channels * math.prod(a.full for a in axes)
    return case.x.shape[0] * case.out_channels * math.prod(max(a.full, a.before + a.out) for a in axes)


def _yaml_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if value is None:
        return "null"
    return "string" if isinstance(value, str) else "scalar"


def _top(field: str) -> str:
    return field.split(".", 1)[0].split("[", 1)[0]


def _line_of(field: str, mappings: list, prefix: str = "") -> int | None:
    """The line of the deepest key of ``field`` found in the first mapping that has its top key.

    ``stride`` -> the line of ``stride:`` on the case, in ``sweep:`` or in ``defaults:``;
    ``input.random.seed`` -> the line of ``seed:``.
    """
    parts = _PATH_PARTS.findall(field)
    if prefix and parts and parts[0] == prefix:
        parts = parts[1:]
    for mapping in mappings:
        if not parts or parts[0] not in mapping:
            continue
        line, current = None, mapping
        for part in parts:
            if not isinstance(current, LineDict) or part not in current:
                break
            line, current = current.key_lines[part], current[part]
        return line
    return None


def _plain(value: Any) -> Any:
    """Mappings as plain dicts (JSON- and yaml.safe_dump-able); lists hold no mappings here."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value
