"""``conformance validate [PATH...] [--expectations DIR]``: check case files and expectations
files, one line per error (``path:line: ...``), exit 1 on any. With no PATH: ``cases/`` and
``expectations/``; a PATH in (or named) ``expectations/`` is read as expectations."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "check case files and expectations files"
DEFAULT_PATH = "cases"
DEFAULT_EXPECTATIONS = "expectations"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help=f"case files or folders searched for *.yaml/*.yml (default: {DEFAULT_PATH}/)"
    )
    parser.add_argument(
        "--expectations",
        metavar="DIR",
        default=None,
        help=f"expectations files to check too (default: {DEFAULT_EXPECTATIONS}/ when no PATH is given and it exists)",
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
    # A path inside a folder named expectations/ is an expectations file, not a case file.
    expectation_paths = [p for p in args.paths if _is_expectations_path(p)]
    paths = [p for p in args.paths if p not in expectation_paths] or ([] if expectation_paths else [DEFAULT_PATH])
    result = load_paths(paths)
    for error in result.errors:
        print(error, file=sys.stderr)
    # The project check (no PATH) reads expectations/ too; with PATHs, only what is named.
    expectations = args.expectations if (args.expectations is not None or not args.paths) else ""
    expectation_files, expectation_errors = check_expectations(expectations)
    for path in expectation_paths:
        files, errors = check_expectation_path(Path(path))
        expectation_files += files
        expectation_errors += errors
    for error in expectation_errors:
        print(error, file=sys.stderr)
    if not args.paths and not Path(DEFAULT_PATH).exists():
        print(f"(validate reads {DEFAULT_PATH}/ of the current directory when given no PATH)", file=sys.stderr)
    if not result.files and not result.errors and paths:
        where = ", ".join(f"{Path(p).as_posix()}/" if Path(p).is_dir() else str(p) for p in paths)
        print(f"no case files (*.yaml, *.yml) under {where}", file=sys.stderr)
    errors = len(result.errors) + len(expectation_errors)
    checked = f" and {_count(expectation_files, 'expectations file')}" if expectation_files else ""
    print(f"validated {_count(len(result.cases), 'case')} in {_count(len(result.files), 'file')}{checked}: "
          f"{_count(errors, 'error')}")
    return 1 if errors else 0


def _is_expectations_path(path: str) -> bool:
    resolved = Path(path)
    return resolved.name == DEFAULT_EXPECTATIONS or resolved.parent.name == DEFAULT_EXPECTATIONS


def check_expectation_path(path: Path) -> tuple[int, list[str]]:
    """An expectations folder or one expectations file named on the command line."""
    if path.is_dir():
        return check_expectations(str(path))
    if not path.is_file():
        return 0, [f"{path}: no such expectations file"]
    return 1, _parse_errors(path)


def _parse_errors(path: Path) -> list[str]:
    from ..runner.expectations import ExpectationsError, parse_expectations

    try:
        parse_expectations(path.read_text(encoding="utf-8"), str(path))
    except ExpectationsError as err:
        return [str(err)]
    return []


def check_expectations(directory: str | None) -> tuple[int, list[str]]:
    """(files read, one-line errors) for every ``*.yaml`` expectations file of ``directory``."""
    if directory == "":
        return 0, []
    folder = Path(directory or DEFAULT_EXPECTATIONS)
    if not folder.is_dir():
        return 0, ([] if directory is None else [f"{folder}: no such expectations folder"])
    files = sorted(folder.glob("*.yaml"))
    return len(files), [error for path in files for error in _parse_errors(path)]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
