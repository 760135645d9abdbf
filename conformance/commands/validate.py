"""``conformance validate [PATH...]``: check case files, one line per error, exit 1 on any."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "check case files"
DEFAULT_PATH = "cases"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help=f"case files or folders searched for *.yaml/*.yml (default: {DEFAULT_PATH}/)"
    )
    parser.add_argument(
        "--print-schema-path",
        action="store_true",
        help="print the path of the case JSON Schema (for the editor line "
        "'# yaml-language-server: $schema=PATH') and exit",
    )


def main(args: argparse.Namespace) -> int:
    from ..loader import SCHEMA_PATH, load_paths

    if args.print_schema_path:
        print(SCHEMA_PATH)
        return 0
    paths = args.paths or [DEFAULT_PATH]
    result = load_paths(paths)
    for error in result.errors:
        print(error, file=sys.stderr)
    if not args.paths and not Path(DEFAULT_PATH).exists():
        print(f"(validate reads {DEFAULT_PATH}/ of the current directory when given no PATH)", file=sys.stderr)
    if not result.files and not result.errors:
        where = ", ".join(f"{Path(p).as_posix()}/" if Path(p).is_dir() else str(p) for p in paths)
        print(f"no case files (*.yaml, *.yml) under {where}", file=sys.stderr)
    print(f"validated {_count(len(result.cases), 'case')} in {_count(len(result.files), 'file')}: "
          f"{_count(len(result.errors), 'error')}")
    return 1 if result.errors else 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
