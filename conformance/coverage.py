"""Which parameter values and combinations a set of cases covers, and which it does not.

Each *feature* reads one aspect of a valid case as a set of labels (a case with strides
(1, 2) counts for stride 1 and stride 2). ``tally(cases)`` counts cases per label and op,
and per pair of labels for the ``PAIRS`` below; every label of a feature's ``domain`` is
shown, so a value no case reaches appears with a zero count ("uncovered"). ``expect:
error`` cases are counted apart: they test refusal, not the valid parameter space.

Padding forms split the modes by the parity of what they add (conv) or crop
(conv_transpose) per dim: ``same (odd)`` is where SAME_UPPER and SAME_LOWER differ, and
where a symmetric-padding API cannot express the case.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from math import prod

from .case import QUANTITIES
from .oracle import InvalidConfiguration, resolve

OPS = ("conv", "conv_transpose")


@dataclass(frozen=True)
class Feature:
    """One parameter as labels: ``read(case, axes) -> labels``; ``domain`` is always shown."""

    name: str
    read: Callable
    domain: tuple[str, ...]
    ops: tuple[str, ...] = OPS  # the ops the parameter exists for


def _values(values: Iterable[int]) -> set[str]:
    return {str(v) for v in values}


def padding_forms(case, axes) -> set[str]:
    """'zero', 'symmetric', 'asymmetric' (explicit), 'valid', or '<mode> (none|even|odd)' per dim."""
    if case.padding_mode == "valid":
        return {"valid"}
    if case.padding_mode is not None:
        forms = set()
        for axis in axes:
            total = axis.before + axis.after
            parity = "none" if total <= 0 else "odd" if total % 2 else "even"
            forms.add(f"{case.padding_mode} ({parity})")
        return forms
    forms = set()
    for before, after in case.explicit_padding:
        forms.add("zero" if before == after == 0 else "symmetric" if before == after else "asymmetric")
    return forms


def groups_kind(case, axes) -> set[str]:
    if case.groups == 1:
        return {"1"}
    return {"depthwise" if case.groups == case.in_channels else "grouped"}


def output_shape_kind(case, axes) -> set[str]:
    return {"none" if case.output_shape is None else "given"}


def kernel_vs_input(case, axes) -> set[str]:
    bigger = any(k > length for k, length in zip(case.kernel_spatial, case.x.shape[2:]))
    return {"kernel > input" if bigger else "kernel <= input"}


def precision_probe(case, axes) -> set[str]:
    """A case tagged ``precision`` (cases/precision.yaml) by its products per output n: a
    kernel computing below its dtype cannot hide on full-mantissa data with small n."""
    if "precision" not in case.tags:
        return {"no"}
    n = case.in_channels // case.groups * prod(case.kernel_spatial)
    return {"n = 1" if n == 1 else "n = 2" if n == 2 else "n 3-8" if n <= 8 else "n > 8"}


FEATURES = (
    Feature("dims", lambda case, axes: {f"{case.spatial_dims}D"}, ("1D", "2D", "3D")),
    Feature("stride", lambda case, axes: _values(case.stride), ("1", "2", "3", "4")),
    Feature("dilation", lambda case, axes: _values(case.dilation), ("1", "2", "3")),
    Feature("kernel size", lambda case, axes: _values(case.kernel_spatial), ("1", "2", "3", "4", "5")),
    Feature(
        "padding",
        padding_forms,
        (
            "zero",
            "symmetric",
            "asymmetric",
            "valid",
            "same (none)",
            "same (even)",
            "same (odd)",
            "same_lower (none)",
            "same_lower (even)",
            "same_lower (odd)",
        ),
    ),
    Feature("output_padding", lambda case, axes: _values(case.output_padding), ("0", "1", "2"), ("conv_transpose",)),
    Feature("output_shape", output_shape_kind, ("none", "given"), ("conv_transpose",)),
    Feature("groups", groups_kind, ("1", "grouped", "depthwise")),
    Feature("bias", lambda case, axes: {"bias" if case.b is not None else "no bias"}, ("no bias", "bias")),
    Feature("batch", lambda case, axes: {"1" if case.x.shape[0] == 1 else ">1"}, ("1", ">1")),
    Feature("dtype", lambda case, axes: {case.dtype}, ("float64", "float32", "float16", "bfloat16")),
    Feature(
        "channels",
        lambda case, axes: {"C_in == C_out" if case.in_channels == case.out_channels else "C_in != C_out"},
        ("C_in != C_out", "C_in == C_out"),
    ),
    Feature("kernel vs input", kernel_vs_input, ("kernel <= input", "kernel > input")),
    Feature("quantity", lambda case, axes: set(case.check), QUANTITIES),
    Feature("precision probe", precision_probe, ("no", "n = 1", "n = 2", "n 3-8", "n > 8")),
    Feature("op", lambda case, axes: {case.op}, OPS),
)
FEATURES_BY_NAME = {feature.name: feature for feature in FEATURES}

# The combinations worth seeing together: (rows, columns). The parameter-values table is
# already every feature x op. A pair involving a conv_transpose-only parameter counts
# conv_transpose cases only.
PAIRS = (
    ("padding", "stride"),
    ("padding", "dims"),
    ("dilation", "output_padding"),
    ("dilation", "stride"),
    ("output_padding", "stride"),
    ("output_shape", "padding"),
    ("groups", "dims"),
    ("groups", "stride"),
    ("dtype", "dims"),
    ("precision probe", "dtype"),
    ("bias", "dims"),
    ("quantity", "padding"),
    ("quantity", "dims"),
)


@dataclass
class Coverage:
    """Counts of valid cases per (feature, label, op) and per pair of labels."""

    cases: int = 0
    valid: int = 0
    invalid_per_op: Counter = field(default_factory=Counter)
    values: dict[str, Counter] = field(default_factory=dict)  # feature -> Counter[(label, op)]
    pairs: dict[tuple[str, str], Counter] = field(default_factory=dict)  # pair -> Counter[(row, col)]

    def labels(self, name: str) -> list[str]:
        """The feature's domain, then any other label seen, in a stable order."""
        domain = list(FEATURES_BY_NAME[name].domain)
        seen = {label for label, _ in self.values[name]}
        return domain + sorted(seen - set(domain), key=_label_order)

    def count(self, name: str, label: str, op: str | None = None) -> int:
        counts = self.values[name]
        return sum(n for (lab, o), n in counts.items() if lab == label and (op is None or o == op))

    def uncovered_values(self) -> list[tuple[str, str, str]]:
        """(feature, label, op) with no valid case, for the ops the feature exists for."""
        missing = []
        for feature in FEATURES:
            if feature.name == "op":
                continue
            for label in self.labels(feature.name):
                for op in feature.ops:
                    if self.count(feature.name, label, op) == 0:
                        missing.append((feature.name, label, op))
        return missing

    def uncovered_pairs(self, pair: tuple[str, str]) -> list[tuple[str, str]]:
        rows, cols = self.labels(pair[0]), self.labels(pair[1])
        counts = self.pairs[pair]
        return [(r, c) for r in rows for c in cols if counts[(r, c)] == 0]


def _label_order(label: str):
    return (0, int(label), "") if label.isdigit() else (1, 0, label)


def pair_ops(pair: tuple[str, str]) -> tuple[str, ...]:
    """The ops a pair is counted over: those both of its features exist for."""
    ops = [op for op in OPS if all(op in FEATURES_BY_NAME[name].ops for name in pair)]
    return tuple(ops)


def tally(cases) -> Coverage:
    """Count every feature label and every ``PAIRS`` combination over ``cases``."""
    coverage = Coverage(
        values={feature.name: Counter() for feature in FEATURES},
        pairs={pair: Counter() for pair in PAIRS},
    )
    for case in cases:
        coverage.cases += 1
        if case.expect == "error":
            coverage.invalid_per_op[case.op] += 1
            continue
        try:
            axes = resolve(case)
        except InvalidConfiguration:  # only loaded-but-invalid cases get here; they are not coverage
            coverage.invalid_per_op[case.op] += 1
            continue
        coverage.valid += 1
        labels = {feature.name: feature.read(case, axes) for feature in FEATURES if case.op in feature.ops}
        for name, found in labels.items():
            for label in found:
                coverage.values[name][(label, case.op)] += 1
        for pair in PAIRS:
            if case.op not in pair_ops(pair):
                continue
            for row in labels[pair[0]]:
                for col in labels[pair[1]]:
                    coverage.pairs[pair][(row, col)] += 1
    return coverage


# -- rendering -------------------------------------------------------------------------------
def value_rows(coverage: Coverage) -> list[list[str]]:
    """[parameter, value, conv count, conv_transpose count, total] for every feature label."""
    rows = []
    for feature in FEATURES:
        if feature.name == "op":
            continue
        for label in coverage.labels(feature.name):
            counts = [
                str(coverage.count(feature.name, label, op)) if op in feature.ops else "n/a" for op in OPS
            ]
            rows.append([feature.name, label, *counts, str(coverage.count(feature.name, label))])
    return rows


def pair_table(coverage: Coverage, pair: tuple[str, str]) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of one combination table; an uncovered cell is '0'."""
    rows_labels, col_labels = coverage.labels(pair[0]), coverage.labels(pair[1])
    counts = coverage.pairs[pair]
    table = [[row, *(str(counts[(row, col)]) for col in col_labels)] for row in rows_labels]
    return [f"{pair[0]} \\ {pair[1]}", *col_labels], table


def summary_line(coverage: Coverage, files: int) -> str:
    invalid = sum(coverage.invalid_per_op.values())
    per_op = ", ".join(f"{op} {coverage.invalid_per_op[op]}" for op in OPS)
    return (
        f"{coverage.cases} cases in {files} file{'' if files == 1 else 's'}: {coverage.valid} valid, "
        f"{invalid} expect: error ({per_op})"
    )


def _pair_title(pair: tuple[str, str]) -> str:
    ops = pair_ops(pair)
    scope = "" if len(ops) == 2 else f" ({', '.join(ops)} cases)"
    return f"{pair[0]} x {pair[1]}{scope}"


def render_text(coverage: Coverage, files: int) -> str:
    out = [summary_line(coverage, files), "", "Parameter values (valid cases; 0 = uncovered)"]
    out += _aligned(["parameter", "value", *OPS, "total"], value_rows(coverage), indent="  ")
    for pair in PAIRS:
        header, rows = pair_table(coverage, pair)
        out += ["", _pair_title(pair)]
        out += _aligned(header, rows, indent="  ")
        gaps = coverage.uncovered_pairs(pair)
        if gaps:
            out.append("  uncovered: " + "; ".join(f"{r} x {c}" for r, c in gaps))
    missing = coverage.uncovered_values()
    out += ["", "Uncovered values: " + ("; ".join(f"{n} {lab} ({op})" for n, lab, op in missing) or "none")]
    return "\n".join(out) + "\n"


def render_markdown(coverage: Coverage, files: int) -> str:
    out = [f"**Coverage**: {summary_line(coverage, files)}.", "", "Parameter values (valid cases; **0** = uncovered):"]
    out.append("")
    out += _markdown_table(["parameter", "value", *OPS, "total"], value_rows(coverage), label_columns=2)
    for pair in PAIRS:
        header, rows = pair_table(coverage, pair)
        out += ["", f"*{_pair_title(pair)}*", ""]
        out += _markdown_table(header, rows, label_columns=1)
    missing = coverage.uncovered_values()
    out += ["", "Uncovered values: " + ("; ".join(f"{n} `{lab}` ({op})" for n, lab, op in missing) or "none") + "."]
    return "\n".join(out) + "\n"


def _aligned(header: list[str], rows: list[list[str]], indent: str = "") -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(row):
        first = row[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]
        return indent + "  ".join([first, *rest]).rstrip()

    return [line(header), *(line(row) for row in rows)]


def _markdown_table(header: list[str], rows: list[list[str]], label_columns: int) -> list[str]:
    """Counts right-aligned, a zero count in bold; the first ``label_columns`` are labels."""

    def cell(text: str, is_count: bool) -> str:
        text = text.replace("|", "\\|")
        return f"**{text}**" if is_count and text == "0" else text

    lines = ["| " + " | ".join(cell(h, False) for h in header) + " |"]
    lines.append("|" + "|".join(["---"] * label_columns + ["---:"] * (len(header) - label_columns)) + "|")
    for row in rows:
        lines.append("| " + " | ".join(cell(text, i >= label_columns) for i, text in enumerate(row)) + " |")
    return lines
