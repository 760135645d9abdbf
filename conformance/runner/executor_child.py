"""The child process that runs adapters for the runner: ``python -m conformance.runner.executor_child``.

It reads requests from stdin and answers on the original stdout, one frame each
(``frames``). Before anything else it points fd 1 at fd 2, so whatever a framework prints
lands in stderr (which the parent keeps for crash reports) and cannot corrupt the pipe.
``faulthandler`` writes the Python stack to stderr when the process dies of a signal.

Requests and replies (tuples):
- ``("import", spec, sys_path)`` -> ``("ok", {"version": ..., "build": {...}})``: load the
  adapter class (``pkg.module:Class`` or a registered name), import its framework and read
  what it reports of its build (``Adapter.build_properties``: oneDNN, CPU capability...).
- ``("execute", spec, case, call)`` -> ``("ok", array, seconds)``: ``adapter.execute``.
- Any failure -> ``("raised", type_name, message, traceback_tail, by_framework, seconds)``, where
  ``by_framework`` says whether the framework raised it (``raised_by_framework``) and
  ``seconds`` is the time inside ``adapter.execute`` until it raised (None for an import):
  a refusal's conversion or compilation is the framework's time, not the runner's.
"""

from __future__ import annotations

import faulthandler
import os
import sys
import time
import traceback

from .frames import encode, read_frame, write_all

TRACEBACK_TAIL_LINES = 12


def redirect_stdout_to_stderr():
    """Keep the real stdout (the pipe to the parent) on a new fd; fd 1 becomes stderr.

    Python's own streams then write through: stderr is a file, not a terminal, so they
    would otherwise buffer, and what an adapter printed just before the process dies of a
    signal would be lost from the crash report.
    """
    pipe_out = os.dup(1)
    os.dup2(2, 1)
    sys.stdout.reconfigure(line_buffering=True, write_through=True)
    sys.stderr.reconfigure(line_buffering=True, write_through=True)
    return pipe_out


def raised_by_framework(err: BaseException, packages: tuple[str, ...]) -> bool:
    """Whether the framework raised ``err``: it left an ``adapters.base.framework_call``
    block, its type is defined in one of ``packages``, or its traceback (or that of the
    exception it chains) passes through their modules. Otherwise the adapter's own code
    raised it: a harness error, not the framework's refusal."""
    from conformance.adapters.base import RAISED_BY_FRAMEWORK, RENDERED_CALL_FILE

    def ours(module: str) -> bool:
        return (module or "").split(".")[0] in packages

    rendered_prefix = RENDERED_CALL_FILE.split("{", 1)[0]
    if isinstance(err, RENDERED_TEXT_ERRORS) and _innermost_file(err).startswith(rendered_prefix):
        return False  # the rendered text itself is wrong (a name, a key): the adapter's defect
    seen = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if getattr(err, RAISED_BY_FRAMEWORK, False) or ours(type(err).__module__):
            return True
        tb = err.__traceback__
        while tb is not None:
            if ours(tb.tb_frame.f_globals.get("__name__", "")):
                return True
            tb = tb.tb_next
        err = err.__cause__ or err.__context__
    return False


# Errors of code, not of a framework's answer, when the rendered call's own line raises them.
RENDERED_TEXT_ERRORS = (NameError, SyntaxError, ImportError, KeyError, IndexError, AttributeError)


def _innermost_file(err: BaseException) -> str:
    tb, name = err.__traceback__, ""
    while tb is not None:
        name, tb = tb.tb_frame.f_code.co_filename, tb.tb_next
    return name


def failure(err: BaseException, packages: tuple[str, ...] = (), seconds: float | None = None) -> tuple:
    """The reply for an exception: its type, message, the last lines of its traceback,
    whether the framework (``packages``) raised it, and the seconds ``execute`` ran until then."""
    tb = err.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:  # our own frames say nothing
        tb = tb.tb_next
    lines = traceback.format_exception(type(err), err, tb)
    tail = "".join(lines).rstrip("\n").splitlines()[-TRACEBACK_TAIL_LINES:]
    by_framework = bool(packages) and raised_by_framework(err, packages)
    return ("raised", type(err).__name__, str(err), "\n".join(tail), by_framework, seconds)


class Worker:
    """The adapters loaded in this process, by spec."""

    def __init__(self):
        self.adapters = {}
        self.started: float | None = None  # when the current execute request began

    def handle(self, request: tuple) -> tuple:
        kind = request[0]
        if kind == "import":
            return self.import_adapter(*request[1:])
        if kind == "execute":
            return self.execute(*request[1:])
        return ("raised", "ValueError", f"unknown request {kind!r}", "", False, None)

    def import_adapter(self, spec: str, sys_path: list[str]) -> tuple:
        # The parent may have put paths on sys.path (pytest's rootdir, a conftest's folder)
        # that a third-party adapter module needs; appended, so nothing here is shadowed.
        sys.path.extend(p for p in sys_path if p not in sys.path)
        from conformance.adapters import get_adapter

        cls = get_adapter(spec)
        version = cls.framework_version()
        build = cls.build_properties()
        from conformance.properties import precision_switches
        from conformance.runner.caches import compilation_caches

        build.update(precision_switches())
        build.update(compilation_caches())
        self.adapters[spec] = cls()
        return ("ok", {"version": version, "build": build})

    def execute(self, spec: str, case, call) -> tuple:
        adapter = self.adapters[spec]
        start = self.started = time.perf_counter()
        output = adapter.execute(case, call)
        seconds = time.perf_counter() - start
        import numpy as np

        return ("ok", np.asarray(output), seconds)


    def seconds_so_far(self) -> float | None:
        """How long the current execute request has run (None when it has not started)."""
        return None if self.started is None else time.perf_counter() - self.started

    def raising_packages(self, request: tuple) -> tuple[str, ...]:
        """The framework packages of the adapter an execute request runs (none for imports)."""
        adapter = self.adapters.get(request[1]) if request[0] == "execute" else None
        return type(adapter).raising_packages() if adapter is not None else ()


def serve(requests, replies: int) -> None:
    worker = Worker()
    while True:
        request = read_frame(requests)
        if request is None:  # the parent closed the pipe: we are done
            return
        worker.started = None
        try:
            reply = worker.handle(request)
            frame = encode(reply)
        except Exception as err:  # anything an adapter or framework raises is the answer
            frame = encode(failure(err, worker.raising_packages(request), worker.seconds_so_far()))
        write_all(replies, frame)


def main() -> None:
    replies = redirect_stdout_to_stderr()
    faulthandler.enable()
    serve(sys.stdin.buffer, replies)
    leave()


def leave() -> None:
    """End the process once every answer is sent, without the interpreter's shutdown.

    The frameworks' exit handlers only free what the process's end frees anyway, and some take
    long: JAX's ``api.clean_up`` clears every compiled program, 6.8 s after the 656 cases of
    ``jax.lax.conv_transpose`` (py-spy), longer than the 5 s ``Executor.close`` waits before
    it kills the child. Nothing is left to say: the replies pipe is written unbuffered
    (``write_all``), and stderr (where stdout points) is flushed here.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(0)


if __name__ == "__main__":
    main()
