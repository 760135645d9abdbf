"""``conformance oracle [PATH...] [--json]``: the oracle's output for each case.

Plain mode prints each case's id, op and shape, then its values (compact, NumPy's
formatting); ``--json`` prints one JSON object per line: ``{"id", "shape", "values"}``, or
``{"id", "error"}`` for an invalid case. A case with ``expected`` also says whether the
oracle matches it, judged by ``compare.judge`` as a framework's output would be. Exit 1 on
a load error, an expected output the oracle does not match, or a case whose validity is
not what its ``expect`` says.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from ..report.safejson import finite_json

HELP = "print the oracle's output per case"
DEFAULT_PATH = "cases"

# Compact printing: big tensors are summarised with '...' (--json always has every value).
PRINT_OPTIONS = dict(precision=4, suppress_small=True, threshold=256, edgeitems=3, max_line_width=100)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help=f"case files or folders searched for *.yaml/*.yml (default: {DEFAULT_PATH}/)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per case and line")


def main(args: argparse.Namespace) -> int:
    from ..loader import load_paths

    loaded = load_paths(args.paths or [DEFAULT_PATH])
    for error in loaded.errors:
        print(error, file=sys.stderr)
    failed = bool(loaded.errors)
    for case in loaded.cases:
        outcome = evaluate_case(case)
        print(json_line(outcome) if args.json else plain_text(outcome))
        failed |= not outcome["consistent"] or outcome.get("matches_expected") is False
        if not outcome["consistent"]:
            print(f"{case.file}:{case.line}: case '{case.id}': expect: {case.expect}, but {outcome['why']}", file=sys.stderr)
    return 1 if failed else 0


def evaluate_case(case) -> dict:
    """The oracle's answer for one case, and how it stands against ``expect``/``expected``."""
    from ..oracle import InvalidConfiguration, evaluate

    try:
        values = evaluate(case)
    except InvalidConfiguration as invalid:
        return {
            "case": case,
            "error": str(invalid),
            "consistent": case.expect == "error",
            "why": "the oracle refuses it",
        }
    outcome = {
        "case": case,
        "values": values,
        "consistent": case.expect != "error",
        "why": "the oracle computes it",
    }
    if case.expected is not None:
        from ..compare import judge

        # An error against an all-zero reference has a bound of 2**-1022: the ratio
        # overflows to inf, which is the answer, not a problem to warn about.
        with np.errstate(over="ignore", divide="ignore"):
            verdict = judge(case, case.expected, values)
        outcome.update(
            matches_expected=verdict.status == "PASS",
            max_abs_diff=verdict.max_abs_err,
            err_ratio=verdict.err_ratio,
            mismatch=verdict.message,
        )
    return outcome


def json_line(outcome: dict) -> str:
    case = outcome["case"]
    if "error" in outcome:
        record = {"id": case.id, "error": outcome["error"]}
    else:
        values = outcome["values"]
        record = {"id": case.id, "shape": list(values.shape), "values": finite_json(values.tolist())}
        if "matches_expected" in outcome:
            record.update(
                matches_expected=outcome["matches_expected"],
                max_abs_diff=finite_json(outcome["max_abs_diff"]),
                err_ratio=finite_json(outcome["err_ratio"]),
            )
    return json.dumps(record, allow_nan=False, separators=(",", ":"))


def plain_text(outcome: dict) -> str:
    case = outcome["case"]
    if "error" in outcome:
        return f"{case.id}: {case.op}: invalid: {outcome['error']}"
    values = outcome["values"]
    lines = [f"{case.id}: {case.op}: shape {list(values.shape)}", np.array2string(values, **PRINT_OPTIONS)]
    if "matches_expected" in outcome:
        if outcome["matches_expected"]:
            lines.append(f"matches expected: yes (max abs diff {outcome['max_abs_diff']:.3g})")
        elif outcome["max_abs_diff"] is None:
            lines.append(f"matches expected: no ({outcome['mismatch']})")
        else:
            lines.append(
                f"matches expected: no (max abs diff {outcome['max_abs_diff']:.3g}, "
                f"err_ratio {outcome['err_ratio']:.3g}; {outcome['mismatch']})"
            )
    return "\n".join(lines)

