"""``conformance diff BEFORE AFTER``: what changed per (case, adapter) between two sets of
results files (two releases, two machines, yesterday and today).

Each side is a results file or a folder searched for them; several per side with commas or
by repeating ``--before`` / ``--after``. Prints a table (``--json`` for the whole diff, and
``--markdown FILE`` writes a summary for a CI job). Exit 1 when the after side has new
non-PASS results that no expectation explains, 2 when a side has no readable results.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HELP = "what changed per (case, adapter) between two sets of results files; exit 1 on unexplained new failures"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("before", help="results file or folder of the earlier run (several: comma-separated)")
    parser.add_argument("after", help="results file or folder of the later run (several: comma-separated)")
    parser.add_argument("--json", action="store_true", help="print the whole diff as JSON instead of the table")
    parser.add_argument("--markdown", metavar="FILE", help="also write a Markdown summary (for a CI job's page)")
    parser.add_argument("--title", default="Conformance diff", help="the Markdown summary's heading")
    parser.add_argument(
        "--limit", type=int, default=200, help="changes listed in the table (default 200; 0 lists all)"
    )


def main(args: argparse.Namespace) -> int:
    from ..diff import diff_runs, format_markdown, format_terminal, to_json

    sides = [[part for part in side.split(",") if part] for side in (args.before, args.after)]
    diff = diff_runs(*sides)
    unreadable = diff.before.file_errors + diff.after.file_errors
    for error in unreadable:
        print(f"error: {error.message}", file=sys.stderr)
    for name, merged in (("before", diff.before), ("after", diff.after)):
        if not merged.runs:
            print(f"error: no results files could be read for {name} ({getattr(args, name)})", file=sys.stderr)
            return 2
    if args.json:
        print(json.dumps(to_json(diff), indent=2))
    else:
        print(format_terminal(diff, limit=None if args.limit == 0 else args.limit))
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(format_markdown(diff, args.title), encoding="utf-8")
    return 1 if diff.gating else 0
