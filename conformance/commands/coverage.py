"""``conformance coverage [PATH...] [--markdown]``: which parameter values and combinations
the cases cover (``conformance.coverage``), as plain text or as Markdown for the README.

Load errors are printed to stderr and the cases that loaded are still counted; the exit
status is 1 when a file had errors, so a broken corpus is not mistaken for a small one.
"""

from __future__ import annotations

import argparse
import sys

HELP = "show which parameter values and combinations the cases cover"
DEFAULT_PATH = "cases"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help=f"case files or folders searched for *.yaml/*.yml (default: {DEFAULT_PATH}/)",
    )
    parser.add_argument(
        "--markdown", action="store_true", help="print Markdown tables (for the README) instead of text"
    )


def main(args: argparse.Namespace) -> int:
    from ..coverage import render_markdown, render_text, tally
    from ..loader import load_paths

    loaded = load_paths(args.paths or [DEFAULT_PATH])
    for error in loaded.errors:
        print(error, file=sys.stderr)
    if not loaded.files:
        print(f"no case files under {', '.join(args.paths or [DEFAULT_PATH])}", file=sys.stderr)
        return 1
    coverage = tally(loaded.cases)
    render = render_markdown if args.markdown else render_text
    sys.stdout.write(render(coverage, len(loaded.files)))
    return 1 if loaded.errors else 0
