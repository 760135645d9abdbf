"""Runs JavaScript adapters in a persistent Node child, isolated like the Python executor child.

One ``NodeExecutor`` per npm folder (``js/<framework>``) per pytest process keeps one
``node node_child.mjs FOLDER`` alive across cases: Node starts and the framework's packages
load once, not per case. It speaks line-delimited JSON (``node_child.mjs``): a request is the
adapter's rendered program (``repro_source``, the text its ``.mjs`` repro embeds) with ``x``,
``w``, ``b`` (and for a gradient ``g``, the upstream gradient) as base64 float64 bytes and the dtype's name; a reply is ``y`` the same way, or
the JavaScript error (name, message, stack, and whether it came from inside an npm package:
the framework's answer, or from the program's own text: HARNESS). Node dying is a CRASH of
that case and hanging past the case timeout a TIMEOUT (``Executor``'s handling: the child's
stderr tail, its exit signal); the next case starts a fresh child.

An adapter whose answers depend on what ran before it in the process (tfjs' wasm
conv3dTranspose reads past its filter into the heap) sets ``node_child_per_case``: its cases
each get a fresh child, started (and its packages loaded) outside the case's clock.

``Executor`` hands an adapter to this class when the adapter says its program is JavaScript
(``repro_language``); ``run_program`` is the same child for ``Adapter.execute`` outside the
runner (the adapters' own tests).
"""

from __future__ import annotations

import base64
import json
import os
import select
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from .executor import (
    DEFAULT_CASE_TIMEOUT_S,
    DEFAULT_IMPORT_TIMEOUT_S,
    Executor,
    Outcome,
    _ChildDied,
    _ChildTimedOut,
    describe_exit,
)
from .frames import write_all

NODE_CHILD = Path(__file__).with_name("node_child.mjs")


def tensor_wire(array) -> dict[str, Any] | None:
    """A float64 array -> ``{shape, base64}`` of its little-endian bytes (None stays None)."""
    if array is None:
        return None
    values = np.ascontiguousarray(array, dtype="<f8")
    return {"shape": list(values.shape), "base64": base64.b64encode(values.tobytes()).decode("ascii")}


def tensor_from_wire(wire: dict[str, Any]) -> np.ndarray:
    values = np.frombuffer(base64.b64decode(wire["base64"]), dtype="<f8")
    return values.reshape([int(size) for size in wire["shape"]]).astype(np.float64)


def is_javascript(cls) -> bool:
    return getattr(cls, "repro_language", "python") == "javascript"


class NodeExecutor(Executor):
    """``Executor``'s interface and failure handling over a Node child for one npm folder."""

    def __init__(self, npm_folder: Path, case_timeout: float = DEFAULT_CASE_TIMEOUT_S,
                 import_timeout: float = DEFAULT_IMPORT_TIMEOUT_S):  # fmt: skip
        super().__init__(case_timeout=case_timeout, import_timeout=import_timeout)
        self.npm_folder = Path(npm_folder)
        self._buffer = b""
        self._classes: dict[str, type] = {}

    def child_command(self) -> tuple[str, ...]:
        return ("node", str(NODE_CHILD), str(self.npm_folder))

    def child_cwd(self) -> str | None:
        return str(self.npm_folder)

    # -- public -----------------------------------------------------------------
    def warm_up(self, spec: str) -> Outcome:
        """Start Node and load the adapter's packages with its probe program (a version and
        build properties), under the import timeout; ``value`` is the version."""
        if self._alive() and spec in self._versions:
            return Outcome("ok", self._versions[spec], stage="import")
        cls = self._adapter_class(spec)
        self._ensure_child()
        outcome = self._request({"source": cls.probe_source(), "returns": "json"}, self.import_timeout,
                                "loading the adapter's packages")  # fmt: skip
        outcome.stage = "import"
        if outcome.ok:
            probe = outcome.value
            self.known_builds[spec] = cls.build_from_probe(probe)
            outcome.value = self._versions[spec] = self.known_versions[spec] = cls.version_from_probe(probe)
        return outcome

    def execute(self, spec: str, case, call) -> Outcome:
        ready = self.warm_up(spec)
        if not ready.ok:
            return ready
        cls = self._adapter_class(spec)
        try:
            return self.run_source(cls().repro_source(case, call), case)
        finally:
            if getattr(cls, "node_child_per_case", False) and self._alive():
                self.close()  # state that outlives a call changes the next answer: a fresh Node per case

    def run_source(self, source: str, case=None, returns: str = "tensor") -> Outcome:
        """Run one program (an ES module leaving ``y``) on the case's tensors, under the case timeout."""
        self._ensure_child()
        request = {"source": source, "returns": returns}
        if case is not None:
            request.update(x=tensor_wire(case.x), w=tensor_wire(case.w), b=tensor_wire(case.b), dtype=case.dtype)
            if case.quantity != "output":  # a gradient adapter's program also reads g, the upstream gradient
                request.update(g=tensor_wire(case.grad_output))
        return self._request(request, self.case_timeout, "the case")

    # -- the child --------------------------------------------------------------
    def _adapter_class(self, spec: str) -> type:
        if spec not in self._classes:
            from conformance.adapters import get_adapter

            self._classes[spec] = get_adapter(spec)
        return self._classes[spec]

    def _ensure_child(self) -> None:
        if not self._alive():
            self._buffer = b""
        super()._ensure_child()

    def _request(self, message: dict, timeout: float, what: str) -> Outcome:
        deadline = time.monotonic() + timeout
        self._stderr_start = os.fstat(self._stderr.fileno()).st_size
        try:
            try:
                write_all(self._proc.stdin.fileno(), json.dumps(message).encode("utf-8") + b"\n")
            except BrokenPipeError:
                raise _ChildDied() from None
            reply = json.loads(self._read_line(deadline))
        except _ChildDied:
            return self._crashed()
        except _ChildTimedOut:
            return self._timed_out(timeout, what)
        if reply["ok"] and "negative_shape" in reply.get("tensor", {}):
            tensor = reply["tensor"]
            return Outcome("raised", error_type="NegativeShape", by_framework=True,
                           message=f"the framework returned a tensor of shape {tensor['negative_shape']}"
                                   f" (a negative length) holding {tensor['size']} values")  # fmt: skip
        if reply["ok"]:
            try:
                value = tensor_from_wire(reply["tensor"]) if "tensor" in reply else reply.get("value")
            except (ValueError, TypeError, KeyError) as err:  # the program's y is malformed: its own defect
                return Outcome("raised", error_type=type(err).__name__, message=f"the program's y: {err}")
            return Outcome("ok", value=value, seconds=reply.get("seconds"))
        return Outcome(
            "raised",
            error_type=reply["name"],
            message=reply["message"],
            traceback=reply["stack"] or None,
            by_framework=bool(reply["by_framework"]),
            seconds=reply.get("seconds"),
        )

    def _read_line(self, deadline: float) -> bytes:
        fd = self._proc.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise _ChildTimedOut()
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise _ChildDied()
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line


# -- outside the runner: Adapter.execute in this process -------------------------------------
class JavaScriptError(RuntimeError):
    """A JavaScript exception a program threw, as ``Name: message``."""


_SHARED: dict[Path, NodeExecutor] = {}


def run_program(adapter, case, call) -> np.ndarray:
    """``adapter``'s program on the case in this process' Node child for its npm folder; a JS
    exception raises ``JavaScriptError`` (marked as the framework's answer when it came from
    inside an npm package), Node dying or hanging a RuntimeError saying so."""
    from conformance.adapters.base import RAISED_BY_FRAMEWORK
    from conformance.runner.executor import adapter_spec

    folder = Path(type(adapter).npm_folder)
    executor = _SHARED.setdefault(folder, NodeExecutor(folder))
    outcome = executor.execute(adapter_spec(type(adapter)), case, call)
    if outcome.ok:
        return outcome.value
    if outcome.kind == "raised":
        err = JavaScriptError(f"{outcome.error_type}: {outcome.message}")
        setattr(err, RAISED_BY_FRAMEWORK, outcome.by_framework and outcome.stage == "execute")
        raise err
    raise RuntimeError(f"{outcome.kind}: {outcome.message}\n{outcome.traceback or ''}")


def probe_once(cls) -> dict[str, Any]:
    """The adapter's probe program run by a one-off node in its npm folder (``conformance
    adapters``, versions outside a run); raises ImportError when node or the packages are missing."""
    folder = Path(cls.npm_folder)
    with tempfile.TemporaryDirectory(dir=folder if folder.is_dir() else None) as scratch:
        program = Path(scratch) / "probe.mjs"
        program.write_text(cls.probe_source() + "\nconsole.log(JSON.stringify(y));\n")
        try:
            run = subprocess.run(["node", str(program)], cwd=folder, capture_output=True, text=True, timeout=120,
                                 check=False)  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as err:
            raise ImportError(f"node cannot run here: {err}") from err
    if run.returncode != 0 or not run.stdout.strip():
        raise ImportError(
            f"node in {folder} (npm ci there installs the packages) {describe_exit(run.returncode)}:"
            f" {run.stderr.strip()[-1500:]}"
        )
    return json.loads(run.stdout.splitlines()[-1])
