"""``conformance run --framework NAME [--adapter NAME] [PATH...] [-n N] [--results DIR]``.

The same run as ``pytest PATH --framework NAME`` through the project's pytest plugin
(``conformance.runner.plugin``): this command builds that pytest command line and runs
it in-process. Arguments after ``--`` go to pytest unchanged, e.g.
``conformance run --framework torch cases/ -- -k padding -x``.
"""

from __future__ import annotations

import argparse
import sys

HELP = "run cases on the adapters of a framework and write results files"
DEFAULT_PATH = "cases"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--framework", metavar="NAME", help="run every adapter of this framework")
    parser.add_argument(
        "--adapter", action="append", default=[], metavar="NAME", help="a registered adapter name or pkg.module:Class; repeatable"
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help=f"case files or folders (default: {DEFAULT_PATH}/); after '--', arguments for pytest",
    )
    parser.set_defaults(pytest_args=[])
    parser.parse_known_args = _keeping_words_after_dashes(parser.parse_known_args)
    parser.add_argument("-n", dest="workers", metavar="N", help="pytest-xdist workers (a number or 'auto'; default: no xdist)")
    parser.add_argument("--results", metavar="DIR", help="where results files go (default reports/results)")
    parser.add_argument("--expectations", metavar="DIR", help="expectation files (default expectations)")
    parser.add_argument("--case-timeout", metavar="S", type=float, help="seconds per case-check before TIMEOUT (default 60)")


def _keeping_words_after_dashes(parse_known_args):
    """argparse would read the words after '--' as more PATHs (or reject them): this
    parser keeps them aside, unparsed, as ``pytest_args``."""

    def parse(args=None, namespace=None):
        args = list(sys.argv[1:] if args is None else args)
        passthrough = []
        if "--" in args:
            cut = args.index("--")
            args, passthrough = args[:cut], args[cut + 1 :]
        namespace, extras = parse_known_args(args, namespace)
        namespace.pytest_args = passthrough
        return namespace, extras

    return parse


def pytest_command(args: argparse.Namespace) -> list[str]:
    command = list(args.paths or [DEFAULT_PATH])
    if args.framework:
        command += ["--framework", args.framework]
    for name in args.adapter:
        command += ["--adapter", name]
    if args.workers is not None:
        command += ["-n", str(args.workers)]
    if args.results:
        command += ["--results", args.results]
    if args.expectations:
        command += ["--expectations", args.expectations]
    if args.case_timeout is not None:
        command += ["--case-timeout", str(args.case_timeout)]
    # `conformance` is imported before pytest starts, so pytest cannot assertion-rewrite
    # its own plugin module; that is harmless (the plugin asserts nothing) and only noise.
    command += ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
    return command + list(args.pytest_args)


def main(args: argparse.Namespace) -> int:
    if not args.framework and not args.adapter:
        print("conformance run: give --framework NAME or --adapter NAME", file=sys.stderr)
        return 2
    import pytest

    return int(pytest.main(pytest_command(args)))
