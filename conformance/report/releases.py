"""The release view: each case's outcome across the releases (and machines) that were run.

Results files of one adapter at several framework versions (the ``releases`` tox label,
``docs/measured/releases-*``) or devices (``docs/measured/torch-cuda-h100``) form a series,
shown side by side as wpt.fyi shows browsers, the rows whose outcome changed first.
``split_older_releases`` keeps the newest release of each adapter for the page's matrix (two
releases of one adapter are not a conflict, they are a series); every file goes to the view.
A finding (one reason of the expectations files) is listed with the first and last release
it was seen in: the release after its last is where it was fixed, its first (when an older
release was run) is where it came in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..results import Result

# A version number inside a framework_version text: "1.20.1", "2.11.0+cu130 (NVIDIA H100)",
# "keras 3.15.1 (tensorflow 2.21.0)" (every number counts: the TF of a Keras run).
_NUMBER = re.compile(r"\d+(?:\.\d+)+")


def version_order(version: str) -> tuple[tuple[int, ...], ...]:
    """A framework_version text as the tuple of its version numbers, for ordering releases."""
    return tuple(tuple(int(part) for part in number.split(".")) for number in _NUMBER.findall(version or ""))


def family(run_info: dict[str, Any]) -> str:
    """The adapter a run belongs to across devices: ``torch.nn.Conv@cuda`` is ``torch.nn.Conv``
    on another device, so its CUDA column stands beside the CPU releases."""
    adapter = str(run_info.get("adapter") or "")
    device = str(run_info.get("device") or "cpu")
    return adapter[: -len(device) - 1] if device != "cpu" and adapter.endswith("@" + device) else adapter


@dataclass(frozen=True)
class Release:
    """One column: a framework version on a device, with the kernel switches set."""

    version: str
    device: str = "cpu"
    switches: str = ""  # the run's kernel-switching variables, "NAME=value ..."

    @property
    def label(self) -> str:
        return " ".join(part for part in (self.version, "" if self.device == "cpu" else self.device, self.switches) if part)

    def sort_key(self) -> tuple:
        return (self.device != "cpu", self.switches, version_order(self.version), self.version)


# Recorded variables that choose no kernels: the thread count, the backend Keras runs on (the
# adapter's name says it already).
NOT_SWITCHES = ("OMP_NUM_THREADS", "KERAS_BACKEND")


def release_of(run_info: dict[str, Any]) -> Release:
    env = run_info.get("env") or {}
    switches = " ".join(f"{k}={v}" for k, v in sorted(env.items()) if k not in NOT_SWITCHES) if isinstance(env, dict) else ""
    return Release(str(run_info.get("framework_version") or "?"), str(run_info.get("device") or "cpu"), switches)


@dataclass
class ReadFile:
    """One results file as read, before merging."""

    path: str
    run_info: dict[str, Any]
    results: list[Result]


def split_older_releases(files: list[ReadFile]) -> tuple[list[ReadFile], list[ReadFile]]:
    """(the files of each adapter's newest release, the older ones). Devices and kernel switches
    are not releases: each keeps its newest version."""
    newest: dict[tuple[str, str, str], tuple] = {}
    for read in files:
        release = release_of(read.run_info)
        key = (str(read.run_info.get("adapter") or ""), release.device, release.switches)
        newest[key] = max(newest.get(key, ()), version_order(release.version))
    current, older = [], []
    for read in files:
        release = release_of(read.run_info)
        key = (str(read.run_info.get("adapter") or ""), release.device, release.switches)
        (current if version_order(release.version) == newest[key] else older).append(read)
    return current, older


@dataclass(frozen=True)
class Outcome:
    status: str
    diagnosis: str = ""
    message: str = ""  # the first line of the framework's message (ERROR, UNSUPPORTED)

    @property
    def label(self) -> str:
        return f"{self.status} {self.diagnosis}".strip()

    def same_as(self, other: "Outcome") -> bool:
        return (self.status, self.diagnosis) == (other.status, other.diagnosis)


@dataclass
class Row:
    case: str  # the result's key: the case id (with ::<quantity> for a gradient)
    adapter: str  # the family
    outcomes: list[Outcome | None]  # one per column; None: not run there

    @property
    def changed(self) -> bool:
        seen = [o for o in self.outcomes if o is not None]
        return any(not o.same_as(seen[0]) for o in seen[1:])

    @property
    def all_pass(self) -> bool:
        return all(o is None or o.status == "PASS" for o in self.outcomes)


@dataclass
class Finding:
    """One reason of the expectations files, and the columns whose results met it."""

    kind: str
    reason: str
    where: str
    seen: list[int]  # column indices
    first: str = ""
    last: str = ""
    introduced_in: str = ""  # the first release seen, when an older one was run without it
    fixed_in: str = ""  # the release after the last seen, when a newer one was run


@dataclass
class Series:
    family: str
    framework: str
    columns: list[Release]
    rows: list[Row]  # changed first, then the rest in suite order
    findings: list[Finding] = field(default_factory=list)

    @property
    def n_changed(self) -> int:
        return sum(row.changed for row in self.rows)

    @property
    def steady_problems(self) -> list[Row]:
        """Unchanged rows that are not PASS everywhere (a constant finding)."""
        return [row for row in self.rows if not row.changed and not row.all_pass]

    @property
    def n_steady_pass(self) -> int:
        return sum(not row.changed and row.all_pass for row in self.rows)


def outcome(result: Result) -> Outcome:
    return Outcome(result.status, result.diagnosis or "", (result.message or "").splitlines()[0] if result.message else "")


def release_series(files: Iterable[ReadFile]) -> list[Series]:
    """One series per adapter family (an adapter on every device) with two columns or more,
    families in name order."""
    by_family: dict[str, dict[Release, list[Result]]] = {}
    framework_of: dict[str, str] = {}
    for read in files:
        name = family(read.run_info)
        if release_of(read.run_info).device == "cpu" or name not in framework_of:
            framework_of[name] = str(read.run_info.get("framework") or "?")
        columns = by_family.setdefault(name, {})
        columns.setdefault(release_of(read.run_info), []).extend(read.results)
    series = []
    for name, columns in sorted(by_family.items()):
        if len(columns) < 2:
            continue
        order = sorted(columns, key=Release.sort_key)
        series.append(build_series(name, framework_of[name], order, [columns[release] for release in order]))
    return series


def build_series(name: str, framework: str, columns: list[Release], results: list[list[Result]]) -> Series:
    cells: dict[tuple[str, str], list[Outcome | None]] = {}
    place: dict[tuple[str, str], tuple] = {}
    found: dict[tuple[str, str], Finding] = {}
    for index, column in enumerate(results):
        for result in column:
            key = (result.key, name)
            cells.setdefault(key, [None] * len(columns))[index] = outcome(result)
            place.setdefault(key, (result.file, result.line, result.case))
            if result.status != "PASS" and result.expectation_reason and result.met_expectation:
                finding = found.setdefault(
                    (result.expectation_kind or "", result.expectation_reason),
                    Finding(result.expectation_kind or "", result.expectation_reason, result.expectation_where or "", []),
                )
                if index not in finding.seen:
                    finding.seen.append(index)
    rows = [Row(case, adapter, outcomes) for (case, adapter), outcomes in cells.items()]
    rows.sort(key=lambda row: (not row.changed, place[(row.case, row.adapter)]))
    findings = sorted(found.values(), key=lambda f: (min(f.seen), f.kind, f.reason))
    # Releases are the CPU columns without kernel switches; another device is another machine,
    # not a later release, so it neither fixes nor introduces anything.
    axis = [i for i, column in enumerate(columns) if column.device == "cpu" and not column.switches]
    for finding in findings:
        finding.seen.sort()
        on_axis = [i for i in finding.seen if i in axis]
        if not on_axis:
            continue
        finding.first, finding.last = columns[on_axis[0]].label, columns[on_axis[-1]].label
        if on_axis[0] != axis[0]:
            finding.introduced_in = finding.first
        if on_axis[-1] != axis[-1]:
            finding.fixed_in = columns[axis[axis.index(on_axis[-1]) + 1]].label
    return Series(name, framework, columns, rows, findings)


# -- the measured sweep as data (docs/measured/releases-<machine>/) ---------------------------
# What an archived result keeps: what the release view, the matrix and `conformance diff` read.
# The slices, repro scripts, parameters and native calls of each result are left out (they are
# the same in every release and come back with `tox -e <env>`): a release's files shrink ~20x.
ARCHIVED_FIELDS = (
    "case", "file", "line", "op", "status", "expected_status", "message", "shape", "expected_shape",
    "max_abs_err", "err_ratio", "diagnosis", "judged", "quantity", "adapter", "tags",
    "unsupported_reason", "expectation_reason", "expectation_link", "expectation_links", "expectation_kind",
    "expectation_where", "expected_diagnosis", "expected_message", "unexpected",
)


# A PASS that met its expectation keeps only where it is and what it was (its adapter is the
# file's, run_info["adapter"]; expected_status defaults to PASS).
ARCHIVED_PASS_FIELDS = ("case", "file", "line", "op", "status", "quantity")


def archived(data: dict[str, Any], case_files: set[str] | None = None) -> dict[str, Any]:
    """A results file's JSON with each result cut to ARCHIVED_FIELDS (ARCHIVED_PASS_FIELDS for
    an expected PASS) and, given ``case_files``, only the results of those case files."""
    results = [r for r in data["results"] if case_files is None or r.get("file") in case_files]

    def cut(r: dict[str, Any]) -> dict[str, Any]:
        plain = r.get("status") == "PASS" and r.get("expected_status") == "PASS" and not r.get("unexpected")
        return {k: r[k] for k in (ARCHIVED_PASS_FIELDS if plain else ARCHIVED_FIELDS) if r.get(k) not in (None, "", [], {})}

    return {**data, "results": [cut(r) for r in results]}


def main(argv: list[str] | None = None) -> int:
    """python -m conformance.report.releases SRC_DIR... DEST: archive each SRC_DIR/*.json as
    DEST/<SRC_DIR name>/<file>, keeping the results of the case files git tracks."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    *sources, dest = argv if argv is not None else sys.argv[1:]
    tracked = set(subprocess.run(["git", "ls-files", "cases"], capture_output=True, text=True, check=True).stdout.split())
    for source in map(Path, sources):
        for path in sorted(source.glob("*.json")):
            target = Path(dest) / source.name / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            data = archived(json.loads(path.read_text(encoding="utf-8")), tracked)
            target.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
            print(f"{path} -> {target}: {len(data['results'])} results, {target.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
