"""``conformance adapters``: every adapter, whether its framework imports here, and its version.

Built-in adapters and those of the ``conformance.adapters`` entry point group. Each
framework module is imported once, in this process, with its output silenced (TensorFlow
and MXNet print at import); a module that fails to import shows its error instead.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys

HELP = "list adapters, whether their framework imports here, and its version"
COLUMNS = ("adapter", "framework", "op", "kind", "imports", "version / import error")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object per adapter and line")


@contextlib.contextmanager
def silenced_fds():
    """Point fds 1 and 2 at /dev/null: native code prints around Python's sys.stdout."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved + [devnull]:
            os.close(fd)


def availability(classes) -> dict[tuple[str, str], tuple[bool, str]]:
    """(framework, module) -> (imports, version or error), each pair tried once.

    Keyed by the pair, not the module: keras runs as the tensorflow, keras-jax and
    keras-torch frameworks, and only one of them (the backend keras was imported on) is
    available in one process, each with its own version line.
    """
    found: dict[tuple[str, str], tuple[bool, str]] = {}
    for cls in classes:
        key = (cls.framework, cls.module)
        if key not in found:
            with silenced_fds():
                found[key] = cls.available()
    return found


def rows(classes) -> list[dict]:
    status = availability(classes)
    table = []
    for cls in sorted(classes, key=lambda c: (c.framework, c.name)):
        ok, version = status[(cls.framework, cls.module)]
        table.append(
            {"adapter": cls.name, "framework": cls.framework, "op": cls.op, "kind": cls.kind, "imports": ok, "version": version}
        )
    return table


def format_table(table: list[dict]) -> str:
    cells = [COLUMNS] + [
        (r["adapter"], r["framework"], r["op"], r["kind"], "yes" if r["imports"] else "no", _one_line(r["version"]))
        for r in table
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS) - 1)]
    lines = []
    for row in cells:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1])
    return "\n".join(line.rstrip() for line in lines)


def _one_line(text: str, limit: int = 100) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= limit else first[: limit - 3] + "..."


def main(args: argparse.Namespace) -> int:
    from ..adapters import all_adapters

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up chatter
    table = rows(all_adapters().values())
    if args.json:
        for row in table:
            print(json.dumps(row))
    else:
        print(format_table(table))
    return 0
