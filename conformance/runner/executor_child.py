"""The child process that runs adapters for the runner: ``python -m conformance.runner.executor_child``.

It reads requests from stdin and answers on the original stdout, one frame each
(``frames``). Before anything else it points fd 1 at fd 2, so whatever a framework prints
lands in stderr (which the parent keeps for crash reports) and cannot corrupt the pipe.
``faulthandler`` writes the Python stack to stderr when the process dies of a signal.

Requests and replies (tuples):
- ``("import", spec, sys_path)`` -> ``("ok", framework_version)``: load the adapter class
  (``pkg.module:Class`` or a registered name) and import its framework.
- ``("execute", spec, case, call)`` -> ``("ok", array, seconds)``: ``adapter.execute``.
- Any failure -> ``("raised", type_name, message, traceback_tail)``.
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


def failure(err: BaseException) -> tuple:
    """The reply for an exception: its type, message and the last lines of its traceback."""
    tb = err.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:  # our own frames say nothing
        tb = tb.tb_next
    lines = traceback.format_exception(type(err), err, tb)
    tail = "".join(lines).rstrip("\n").splitlines()[-TRACEBACK_TAIL_LINES:]
    return ("raised", type(err).__name__, str(err), "\n".join(tail))


class Worker:
    """The adapters loaded in this process, by spec."""

    def __init__(self):
        self.adapters = {}

    def handle(self, request: tuple) -> tuple:
        kind = request[0]
        if kind == "import":
            return self.import_adapter(*request[1:])
        if kind == "execute":
            return self.execute(*request[1:])
        return ("raised", "ValueError", f"unknown request {kind!r}", "")

    def import_adapter(self, spec: str, sys_path: list[str]) -> tuple:
        # The parent may have put paths on sys.path (pytest's rootdir, a conftest's folder)
        # that a third-party adapter module needs; appended, so nothing here is shadowed.
        sys.path.extend(p for p in sys_path if p not in sys.path)
        from conformance.adapters import get_adapter

        cls = get_adapter(spec)
        version = cls.framework_version()
        self.adapters[spec] = cls()
        return ("ok", version)

    def execute(self, spec: str, case, call) -> tuple:
        adapter = self.adapters[spec]
        start = time.perf_counter()
        output = adapter.execute(case, call)
        seconds = time.perf_counter() - start
        import numpy as np

        return ("ok", np.asarray(output), seconds)


def serve(requests, replies: int) -> None:
    worker = Worker()
    while True:
        request = read_frame(requests)
        if request is None:  # the parent closed the pipe: we are done
            return
        try:
            reply = worker.handle(request)
            frame = encode(reply)
        except Exception as err:  # anything an adapter or framework raises is the answer
            frame = encode(failure(err))
        write_all(replies, frame)


def main() -> None:
    replies = redirect_stdout_to_stderr()
    faulthandler.enable()
    serve(sys.stdin.buffer, replies)


if __name__ == "__main__":
    main()
