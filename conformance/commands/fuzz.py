"""``conformance fuzz --framework NAME [--adapter NAME] --examples N --seed S --out DIR``.

Generates valid cases with Hypothesis, runs them on each adapter of the framework (or the
named ones) through the runner's ``check`` in the executor's child process, and shrinks
each disagreement class no expectation explains to a minimal case file in DIR (see
``conformance.fuzz``). Prints a summary; exit status 1 when a new class was written,
0 when everything agreed or was explained, 2 when an adapter could not be loaded.
"""

from __future__ import annotations

import argparse
import os
import sys

from ..dtypes import DTYPE_NAMES
from ..fuzz.search import DEFAULT_SHRINK_CALLS
from ..fuzz.space import DEFAULT_DTYPES

HELP = "search for disagreements with generated cases and write them as YAML"
DEFAULT_EXAMPLES = 200
DEFAULT_OUT = "reports/fuzz"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--framework", metavar="NAME", help="fuzz every adapter of this framework")
    add("--adapter", action="append", default=[], metavar="NAME",
        help="a registered adapter name or pkg.module:Class; repeatable")
    add("--examples", type=int, default=DEFAULT_EXAMPLES, metavar="N",
        help=f"examples run per adapter (default {DEFAULT_EXAMPLES})")
    add("--seed", type=int, default=0, metavar="S", help="the same seed gives the same run and files (default 0)")
    add("--out", default=DEFAULT_OUT, metavar="DIR", help=f"where case files go (default {DEFAULT_OUT})")
    add("--dtypes", default=",".join(DEFAULT_DTYPES), metavar="LIST",
        help=f"comma-separated dtypes to draw from (default {','.join(DEFAULT_DTYPES)}; any of "
             f"{', '.join(DTYPE_NAMES)})")
    add("--expectations", default="expectations", metavar="DIR", help="expectation files (default expectations)")
    add("--shrink-calls", type=int, default=DEFAULT_SHRINK_CALLS, metavar="N",
        help=f"framework checks allowed per shrink (default {DEFAULT_SHRINK_CALLS})")
    add("--case-timeout", type=float, default=60.0, metavar="S", help="seconds per check before TIMEOUT (default 60)")


def parse_dtypes(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in DTYPE_NAMES]
    if not names or unknown:
        given = ", ".join(unknown) or "(none given)"
        raise ValueError(f"--dtypes: unknown dtype(s) {given}; known: {', '.join(DTYPE_NAMES)}")
    return names


def chosen_adapters(args) -> list[tuple[str, type]]:
    """(the name to reproduce it by, the adapter class) for each adapter to fuzz."""
    from ..adapters import adapters_for_framework, get_adapter

    # A pkg.module:Class path resolves from the current folder too, as under `python -m`.
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    if args.adapter:
        return [(name, get_adapter(name)) for name in args.adapter]
    return [(cls.name, cls) for cls in adapters_for_framework(args.framework)]


def reproduce_command(adapter_name: str, args, dtypes: tuple[str, ...]) -> str:
    return (
        f"conformance fuzz --adapter {adapter_name} --examples {args.examples} --seed {args.seed} "
        f"--dtypes {','.join(dtypes)}"
    )


def main(args: argparse.Namespace) -> int:
    if not args.framework and not args.adapter:
        print("conformance fuzz: give --framework NAME or --adapter NAME", file=sys.stderr)
        return 2
    if args.examples < 1:
        print(f"conformance fuzz: --examples must be >= 1 (got {args.examples})", file=sys.stderr)
        return 2
    try:
        dtypes = parse_dtypes(args.dtypes)
        chosen = chosen_adapters(args)
    except (ValueError, LookupError, ImportError) as err:
        print(f"conformance fuzz: {err}", file=sys.stderr)
        return 2

    from ..fuzz.classes import slug
    from ..fuzz.progress import Progress
    from ..fuzz.search import fuzz_adapter
    from ..fuzz.writer import write
    from ..runner.executor import Executor, adapter_spec
    from ..runner.expectations import ExpectationsError, load_expectations

    print(f"fuzz: seed {args.seed}, {args.examples} examples per adapter, dtypes {', '.join(dtypes)}")
    progress = Progress()
    runs, written, broken = [], [], []
    with Executor(case_timeout=args.case_timeout) as executor:
        for given_name, cls in chosen:
            adapter = cls()
            ready = executor.warm_up(adapter_spec(cls))
            if not ready.ok:
                broken.append(cls.name)
                print(f"{cls.name}: cannot load: {ready.error_type or ready.kind}: {ready.message}", file=sys.stderr)
                continue
            try:
                expectations = load_expectations(args.expectations, cls.name)
            except ExpectationsError as err:
                print(f"conformance fuzz: {err}", file=sys.stderr)
                return 2
            run = fuzz_adapter(
                adapter,
                executor,
                expectations,
                examples=args.examples,
                run_seed=args.seed,
                framework_version=str(ready.value),
                dtypes=dtypes,
                shrink_calls=args.shrink_calls,
                progress=progress,
                case_id_for=lambda klass, name=cls.name: f"fuzz-{slug(name)}-{slug(klass)}",
            )
            runs.append(run)
            for finding in run.findings:
                written.append(write(finding, args.out, reproduce_command(given_name, args, dtypes)))
            print_adapter_summary(run, args.out)
    print_total(runs, written)
    if broken:
        return 2
    return 1 if written else 0


def print_adapter_summary(run, out: str) -> None:
    unsupported = run.statuses.get("UNSUPPORTED", 0)
    head = (
        f"{run.adapter} ({run.framework_version}): {plural(run.examples, 'example')} run "
        f"({unsupported} more generated were UNSUPPORTED and skipped)"
    )
    if not run.classes:
        print(f"{head}; found nothing in {run.examples} examples")
        return
    print(f"{head}; {plural(run.disagreements, 'disagreement')} in {plural(len(run.classes), 'class')}:")
    files = {finding.klass: finding for finding in run.findings}
    for tally in sorted(run.classes.values(), key=lambda t: (-t.count, t.klass)):
        if tally.explained_by is not None:
            entry = tally.explained_by
            where = f"{entry.file}:{entry.line} '{entry.pattern}'"
            print(f"  {tally.klass}: {plural(tally.count, 'example')}, explained by {where}")
        else:
            finding = files[tally.klass]
            how = "shrunk" if finding.shrunk else "not shrunk: it did not recur"
            path = os.path.join(out, finding.file_name)
            print(f"  {tally.klass}: {plural(tally.count, 'example')}, NEW -> {path} ({how})")


def print_total(runs, written) -> None:
    examples = sum(run.examples for run in runs)
    disagreements = sum(run.disagreements for run in runs)
    explained = sum(t.count for run in runs for t in run.classes.values() if t.explained_by is not None)
    new_classes = sum(len(run.new_classes) for run in runs)
    print(
        f"total: {plural(examples, 'example')} on {plural(len(runs), 'adapter')}, "
        f"{plural(disagreements, 'disagreement')} ({explained} explained by expectations, "
        f"{disagreements - explained} new in {plural(new_classes, 'class')}), {plural(len(written), 'file')} written"
    )


def plural(n: int, noun: str) -> str:
    if n == 1:
        return f"1 {noun}"
    return f"{n} {noun}{'es' if noun.endswith('s') else 's'}"
