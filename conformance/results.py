"""Results: one outcome per (case, adapter), and the results file of SPEC.md.

``reports/results/<adapter>.json`` is written atomically (temp file + rename) so a report
never reads half a file. Fields beyond the SPEC's (``adapter``, ``tags``, ``params``,
``native``, ``details``...) are extra keys; readers ignore what they do not know.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

FORMAT = "conformance-results/1"
ERROR_TEXT_LIMIT = 4000
STATUSES = ("PASS", "FAIL", "ERROR", "UNSUPPORTED", "CRASH", "TIMEOUT", "HARNESS")


@dataclass
class Result:
    case: str
    file: str
    line: int
    op: str
    status: str
    expected_status: str = "PASS"
    message: str = ""
    shape: list[int] | None = None
    expected_shape: list[int] | None = None
    max_abs_err: float | None = None
    err_ratio: float | None = None
    diagnosis: str | None = None
    # "values": the output was compared with the oracle's; "shape": only its shape was (a
    # shape-only adapter: shape inference computes no values).
    judged: str = "values"
    # The framework's whole error message (ERROR, or the refusal of an invalid case), up to
    # ERROR_TEXT_LIMIT characters: ``message`` has its first line, where wrappers such as
    # Keras' "Exception encountered when calling ..." hide the cause.
    error_text: str | None = None
    duration_s: float = 0.0
    # What was judged (SPEC "Gradients"): "output", "grad_input", "grad_weight" or
    # "grad_bias"; files written before gradients have none and read as "output".
    quantity: str = "output"
    # -- beyond the SPEC's minimum ------------------------------------------
    adapter: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)  # Case.params()
    native: dict[str, Any] | None = None  # NativeCall.to_json()
    unsupported_reason: str | None = None  # Unsupported.reason, for the expressibility table
    # From the entry of expectations/<adapter>.yaml that matched (None: no entry).
    expectation_reason: str | None = None
    expectation_link: str | None = None  # the first of expectation_links
    expectation_links: dict[str, str] | None = None  # issue | pr | doc | source -> address
    expectation_kind: str | None = None  # bug | convention | limitation
    expectation_where: str | None = None  # file:line of the entry
    # What this run should give beyond the status (the outcome chosen on the run properties).
    expected_diagnosis: str | None = None
    expected_message: str | None = None
    # Why the result does not meet its expectation (None: it does).
    unexpected: str | None = None
    framework_s: float | None = None  # time inside the framework call
    oracle_s: float | None = None
    # The error in units of the dtype's rounding (``precision.measure``): err_u_magnitude,
    # err_u_value, accumulation_u, n, dtype, format; None where no values were compared.
    precision: dict[str, Any] | None = None
    # Non-PASS results carry what the report draws: 2D slices of expected/actual, the repro.
    details: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        # Field by field: _jsonable copies every container itself (asdict's deep copy before
        # it took a third of the runner's time per result)
        return _jsonable({name: getattr(self, name) for name in self.__dataclass_fields__})

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Result":
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    @property
    def met_expectation(self) -> bool:
        return self.status == self.expected_status and not self.unexpected

    @property
    def key(self) -> str:
        """The case id, with ``::<quantity>`` for a gradient: unique per (case, quantity)."""
        return result_key(self.case, self.quantity)


def result_key(case_id: str, quantity: str = "output") -> str:
    """``case`` for the forward output, ``case::grad_input`` (etc.) for a gradient."""
    return case_id if quantity == "output" else f"{case_id}::{quantity}"


def run_info(
    adapter: str, framework: str, framework_version: str, device: str = "cpu", properties: dict | None = None, **extra
) -> dict[str, Any]:
    """The results file's run_info: the adapter, and the run properties (``properties``:
    OS, CPU and its flags, the framework's build, the kernel-switching variables...) that
    expectations were judged on."""
    from . import __version__
    from .properties import run_properties

    properties = properties or run_properties(framework_version, {}, device)
    return {
        "adapter": adapter,
        "framework": framework,
        **properties,
        "framework_version": framework_version,
        "platform": platform.platform(),
        "machine": platform.node(),
        "device": device,
        "suite_version": __version__,
        **extra,
    }


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def write_results_file(path: str | os.PathLike, info: dict[str, Any], results: list[Result]) -> Path:
    """Write atomically: a reader sees the old file or the new one, never a mix."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"format": FORMAT, "run_info": info, "results": [r.to_json() for r in results]}
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private (0600); a results file is for whoever may read the folder.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            # dumps, not dump: json.dump always takes the pure-Python encoder, dumps the C one
            # (the same text, ten times faster for a results file of thousands of results)
            out.write(json.dumps(payload, allow_nan=False, separators=(",", ":")))
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return path


class ResultsFileError(ValueError):
    pass


def read_results_file(path: str | os.PathLike) -> tuple[dict[str, Any], list[Result]]:
    """(run_info, results); raises ResultsFileError naming the file for anything malformed."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ResultsFileError(f"{path}: cannot read results: {err}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ResultsFileError(f"{path}: not a {FORMAT} file (format: {data.get('format') if isinstance(data, dict) else None!r})")
    try:
        return dict(data["run_info"]), [Result.from_json(r) for r in data["results"]]
    except (KeyError, TypeError, ValueError, AttributeError) as err:  # wrong JSON types inside
        raise ResultsFileError(f"{path}: malformed results: {err!r}") from None


# Exact types (not numpy's subclasses, which go through .item()) that JSON holds as they are.
_PLAIN_JSON = frozenset({str, int, bool, type(None)})


def _jsonable(value):
    """Floats that JSON cannot hold (NaN, Inf) become strings; numpy scalars become Python."""
    kind = type(value)
    if kind in _PLAIN_JSON:  # most leaves: nothing to convert
        return value
    if kind is float:
        return repr(value) if (value != value or value in (float("inf"), float("-inf"))) else value
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return _jsonable(asdict(value))
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return repr(value)
    return value


def python_version() -> str:
    return sys.version.split()[0]
