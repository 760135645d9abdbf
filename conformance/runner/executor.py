"""Runs adapters in a persistent child process, so a crash or a hang costs one case, not the run.

One ``Executor`` per pytest process (per xdist worker) keeps one child alive across cases:
no per-check spawn, no per-check import. The first request for an adapter imports its
framework with its own generous timeout (TensorFlow takes seconds), so import time never
counts against a case. When the child dies (abort, segfault, ``os._exit``) the case gets a
CRASH with the exit code or signal and the child's last stderr lines (faulthandler puts the
Python stack there); when it exceeds the case timeout it is killed and the case gets a
TIMEOUT. Either way the next case starts a fresh child.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

from .frames import HEADER, decode, encode, write_all

DEFAULT_CASE_TIMEOUT_S = 60.0
DEFAULT_IMPORT_TIMEOUT_S = 600.0
STDERR_TAIL_LINES = 20
# Enough of the child's stderr for the last lines and a faulthandler stack.
STDERR_TAIL_BYTES = 16384
# What a failed request printed, kept for a CRASH entry's message pattern: its first and last
# halves of this, since a native abort's words (a Rust panic) come before long stack dumps.
PRINTED_BYTES = 4000
CHILD_COMMAND = (sys.executable, "-m", "conformance.runner.executor_child")
# The pipes to and from the child, widened from Linux's 64 KiB (F_SETPIPE_SZ, up to the
# unprivileged limit of 1 MiB): a case's tensors and output cross in a few writes instead of
# one context switch per 64 KiB (a 64-sample case's frames are megabytes).
PIPE_BYTES = 1 << 20


@dataclass
class Outcome:
    """What one request came to.

    ``kind``: ``ok`` (``value`` holds the reply's payload), ``raised`` (the adapter or
    framework raised: ``error_type``, ``message``, ``traceback``), ``crash`` (the child
    died: ``message`` says how, ``traceback`` holds its last stderr lines) or ``timeout``.
    ``by_framework``: for ``raised``, whether the framework raised it (not the adapter's code).
    """

    kind: str
    value: object = None
    stage: str = "execute"  # "import" (loading the adapter, importing the framework) or "execute"
    seconds: float | None = None
    error_type: str = ""
    message: str = ""
    traceback: str | None = None
    by_framework: bool = False
    # crash/timeout: what the request printed on stderr, its first and last PRINTED_BYTES / 2
    stderr: str | None = None

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


class _ChildDied(Exception):
    pass


class _ChildTimedOut(Exception):
    pass


def adapter_spec(cls) -> str:
    """``module:Class`` for an adapter class: how the child loads it without the registry."""
    return f"{cls.__module__}:{cls.__qualname__}"


def widen_pipe(fd: int, size: int = PIPE_BYTES) -> None:
    """Ask for a ``size``-byte pipe buffer where the system has the call (Linux); elsewhere,
    or beyond the system's limit, the pipe keeps its size: only the number of writes changes."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, size)
    except (ImportError, AttributeError, OSError):
        pass


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = "an unknown signal"
        return f"killed by {name} (signal {-returncode})"
    return f"exited with code {returncode}"


class Executor:
    """Executes ``adapter.execute(case, call)`` in a child process, one request at a time."""

    def __init__(self, case_timeout: float = DEFAULT_CASE_TIMEOUT_S, import_timeout: float = DEFAULT_IMPORT_TIMEOUT_S):
        self.case_timeout = case_timeout
        self.import_timeout = import_timeout
        self._proc: subprocess.Popen | None = None
        self._stderr = None
        self._versions: dict[str, str] = {}  # spec -> framework version, in the current child
        self.known_versions: dict[str, str] = {}  # spec -> framework version, any child so far
        self.known_builds: dict[str, dict] = {}  # spec -> what the framework reports of its build
        self.children_started = 0
        self._nodes: dict = {}  # npm folder -> NodeExecutor, for JavaScript adapters
        self._spec_folders: dict[str, object] = {}  # spec -> its npm folder, or None (a Python adapter)

    # -- public -----------------------------------------------------------------
    def warm_up(self, spec: str) -> Outcome:
        """Load the adapter and import its framework in the child; ``value`` is the version."""
        node = self._node_executor(spec)
        if node is not None:  # a JavaScript adapter: its own Node child (node_executor)
            return node.warm_up(spec)
        if self._alive() and spec in self._versions:
            return Outcome("ok", self._versions[spec], stage="import")
        self._ensure_child()
        outcome = self._request(("import", spec, list(sys.path)), self.import_timeout, "importing the adapter")
        outcome.stage = "import"
        if outcome.ok:
            self.known_builds[spec] = outcome.value.get("build") or {}
            outcome.value = self._versions[spec] = self.known_versions[spec] = outcome.value["version"]
        return outcome

    def execute(self, spec: str, case, call) -> Outcome:
        """Run one case; ``value`` is the output array and ``seconds`` the time inside execute."""
        node = self._node_executor(spec)
        if node is not None:
            return node.execute(spec, case, call)
        ready = self.warm_up(spec)
        if not ready.ok:
            return ready
        return self._request(("execute", spec, case, call), self.case_timeout, "the case")

    def close(self) -> None:
        """Ask the child to finish (end of its input), then make sure it is gone."""
        for node in self._nodes.values():
            node.close()
        proc = self._proc
        if proc is None:
            return
        try:
            proc.stdin.close()
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        self._discard()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- the child --------------------------------------------------------------
    def child_command(self) -> tuple[str, ...]:
        return CHILD_COMMAND

    def child_cwd(self) -> str | None:
        return None

    def _node_executor(self, spec: str):
        """The Node child's executor for a JavaScript adapter (one per npm folder), else None."""
        from .node_executor import NodeExecutor, is_javascript

        if spec not in self._spec_folders:
            from conformance.adapters import get_adapter

            try:
                cls = get_adapter(spec)
            except Exception:  # not loadable here: the Python child reports why
                cls = None
            self._spec_folders[spec] = cls.npm_folder if cls is not None and is_javascript(cls) else None
        folder = self._spec_folders[spec]
        if folder is None:
            return None
        if folder not in self._nodes:
            node = NodeExecutor(folder, case_timeout=self.case_timeout, import_timeout=self.import_timeout)
            node.known_versions, node.known_builds = self.known_versions, self.known_builds  # shared with the runner
            self._nodes[folder] = node
        return self._nodes[folder]

    def _alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _ensure_child(self) -> None:
        if self._alive():
            return
        if self._proc is not None:
            self._discard()
        self._stderr = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(
            self.child_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, bufsize=0,
            cwd=self.child_cwd(),
        )
        for pipe in (self._proc.stdin, self._proc.stdout):
            widen_pipe(pipe.fileno())
        self._versions = {}
        self.children_started += 1

    def _discard(self) -> None:
        proc, self._proc = self._proc, None
        self._versions = {}
        if proc is not None:
            for pipe in (proc.stdin, proc.stdout):
                try:
                    pipe.close()
                except OSError:
                    pass
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def _request(self, message: tuple, timeout: float, what: str) -> Outcome:
        deadline = time.monotonic() + timeout
        # What this request prints starts here (fstat: seeking would move the offset the child writes at).
        self._stderr_start = os.fstat(self._stderr.fileno()).st_size
        try:
            try:
                write_all(self._proc.stdin.fileno(), encode(message))
            except BrokenPipeError:
                raise _ChildDied() from None
            reply = decode(self._read(HEADER.unpack(self._read(HEADER.size, deadline))[0], deadline))
        except _ChildDied:
            return self._crashed()
        except _ChildTimedOut:
            return self._timed_out(timeout, what)
        if reply[0] == "ok":
            return Outcome("ok", value=reply[1], seconds=reply[2] if len(reply) > 2 else None)
        _, error_type, text, tail, by_framework, seconds = reply
        return Outcome(
            "raised", error_type=error_type, message=text, traceback=tail, by_framework=by_framework, seconds=seconds
        )

    def _read(self, size: int, deadline: float) -> bytes:
        fd = self._proc.stdout.fileno()
        chunks, missing = [], size
        while missing:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise _ChildTimedOut()
            chunk = os.read(fd, missing)
            if not chunk:
                raise _ChildDied()
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)

    def _crashed(self) -> Outcome:
        try:
            returncode = self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # closed its pipe but lingers: finish it
            self._proc.kill()
            returncode = self._proc.wait()
        tail, stderr = self._stderr_tail()
        self._discard()
        return Outcome(
            "crash", message=f"the process running the adapter {describe_exit(returncode)}", traceback=tail, stderr=stderr
        )

    def _timed_out(self, timeout: float, what: str) -> Outcome:
        self._proc.kill()
        self._proc.wait()
        tail, stderr = self._stderr_tail()
        self._discard()
        return Outcome(
            "timeout",
            message=f"{what} gave no answer within {timeout:g} s; its process was killed",
            traceback=tail,
            stderr=stderr,
        )

    def _stderr_tail(self) -> tuple[str | None, str | None]:
        """(the last STDERR_TAIL_LINES lines of the child's stderr, what the failed request
        printed: its first and last PRINTED_BYTES / 2)."""
        stream = self._stderr
        stream.flush()
        size = stream.seek(0, os.SEEK_END)
        stream.seek(max(0, size - STDERR_TAIL_BYTES))
        text = stream.read().decode("utf-8", errors="replace")
        lines = text.splitlines()[-STDERR_TAIL_LINES:]
        start = min(getattr(self, "_stderr_start", 0), size)
        half = PRINTED_BYTES // 2
        stream.seek(start)
        printed = stream.read(half).decode("utf-8", errors="replace")
        if size - start > half:
            stream.seek(max(start + half, size - half))
            printed += "\n[...]\n" + stream.read().decode("utf-8", errors="replace")
        return ("\n".join(lines) if lines else None), (printed or None)
