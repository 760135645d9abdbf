"""``conformance report [DIR...] [-o reports/index.html]``: merge results files into one page.

Also writes JUnit XML per adapter (``<output dir>/junit/<adapter>.xml``) and a Markdown
summary (``<output dir>/summary.md``). Unreadable files and conflicting results are named
in the terminal and on the page; the rest still renders. Exit 1 when no results could be
read at all.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "merge results files into one HTML page (plus JUnit XML and Markdown)"
DEFAULT_DIR = "reports/results"
DEFAULT_OUTPUT = "reports/index.html"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="DIR",
        help=f"results files, or folders searched for *.json results files, subfolders too (default: {DEFAULT_DIR})",
    )
    parser.add_argument(
        "-o", "--output", default=DEFAULT_OUTPUT, help=f"the HTML page to write (default: {DEFAULT_OUTPUT})"
    )
    parser.add_argument("--title", default="Conformance report", help="the page title")
    parser.add_argument(
        "--expect",
        metavar="FRAMEWORK,...",
        default=None,
        help="the frameworks whose adapters the run meant to cover: the page names those with no results "
        "(default: the frameworks of `tox p -m conformance`; '' for none)",
    )
    junit = parser.add_mutually_exclusive_group()
    junit.add_argument(
        "--junit-dir", help="folder for JUnit XML, one <adapter>.xml each (default: junit/ beside the page)"
    )
    junit.add_argument("--no-junit", action="store_true", help="write no JUnit XML")
    markdown = parser.add_mutually_exclusive_group()
    markdown.add_argument(
        "--markdown", metavar="FILE", help="the Markdown summary to write (default: summary.md beside the page)"
    )
    markdown.add_argument("--no-markdown", action="store_true", help="write no Markdown summary")


def main(args: argparse.Namespace) -> int:
    from ..report.html import write_html
    from ..report.junit import write_junit
    from ..report.markdown import write_markdown
    from ..report.merge import merge_files
    from ..report.summary import adapter_summaries, format_rate, missing_adapters

    paths = args.paths or [DEFAULT_DIR]
    merged = merge_files(paths, expected_adapters(args.expect))
    for error in merged.file_errors:
        print(f"error: {error.message}", file=sys.stderr)
    for conflict in merged.conflicts:
        print(f"conflict: {conflict.describe()}", file=sys.stderr)

    output = Path(args.output)
    page = write_html(merged, output, args.title)
    written = [str(page)]
    if not args.no_junit:
        junit_dir = Path(args.junit_dir or output.parent / "junit")
        junit_files = write_junit(merged, junit_dir)
        written.append(f"{len(junit_files)} JUnit XML file(s) in {junit_dir}")
    if not args.no_markdown:
        written.append(
            str(write_markdown(merged, args.markdown or output.parent / "summary.md", args.title, str(page)))
        )

    missing = missing_adapters(merged)
    if missing:
        print(f"no results from {len(missing)} adapter(s) the run meant to cover: {', '.join(missing)}", file=sys.stderr)
    for summary in adapter_summaries(merged):
        counts = ", ".join(f"{n} {status}" for status, n in summary.counts.items() if n)
        print(
            f"{summary.adapter}: {counts}; pass rate {format_rate(summary.pass_rate)}; {summary.unexpected} unexpected"
        )
    print(
        f"{merged.n_results} results from {len(merged.runs)} file(s)"
        f"{f', {len(merged.file_errors)} unreadable' if merged.file_errors else ''}"
        f"{f', {len(merged.conflicts)} conflicting' if merged.conflicts else ''}"
    )
    for path in written:
        print(f"wrote {path}")
    if not merged.n_results:
        where = ", ".join(map(str, paths))
        print(f"error: no readable results in {where}", file=sys.stderr)
        return 1
    return 0


def expected_adapters(frameworks: str | None) -> list[str]:
    """The adapters of the named frameworks (default: the main job's), in registry order."""
    from ..adapters import all_adapters, default_run_frameworks

    names = default_run_frameworks() if frameworks is None else [f.strip() for f in frameworks.split(",") if f.strip()]
    return [name for name, cls in all_adapters().items() if cls.framework in names]
