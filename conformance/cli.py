"""The ``conformance`` command: one subcommand per module in ``conformance.commands``.

Each command module defines ``HELP``, ``add_arguments(parser)`` and ``main(args) -> int``;
it is imported only when its subcommand runs, so ``conformance validate`` never pays for
pytest or a framework.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = {
    "validate": "check case files",
    "oracle": "print the oracle's output per case",
    "run": "run cases on the adapters of a framework and write results files",
    "report": "merge results files into one HTML page (plus JUnit XML and Markdown)",
    "adapters": "list adapters, whether their framework imports here, and its version",
    "coverage": "show which parameter values and combinations the cases cover",
    "fuzz": "search for disagreements with generated cases and write them as YAML",
    "diff": "what changed per (case, adapter) between two sets of results files",
    "port": "the same layer in other APIs: equivalent call, composition, or why there is none",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="conformance", description="Cross-framework conformance suite for transposed convolution."
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"conformance {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, summary in COMMANDS.items():
        sub.add_parser(name, help=summary, description=summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    # Parse the command name first; only then import that command and let it add options.
    command = next((a for a in argv if not a.startswith("-")), None)
    if command in COMMANDS:
        module = importlib.import_module(f"conformance.commands.{command}")
        sub = parser._subparsers._group_actions[0].choices[command]  # noqa: SLF001 - argparse has no public getter
        module.add_arguments(sub)
        args = parser.parse_args(argv)
        return int(module.main(args) or 0)
    parser.parse_args(argv)  # prints usage / --version / the error for an unknown command
    return 2


if __name__ == "__main__":
    sys.exit(main())
