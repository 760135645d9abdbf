"""pytest collection: a case file becomes one item per (case, adapter of the case's op, quantity).

Item names are ``<case id>[<adapter name>]`` for the forward output, so a node id reads
``cases/padding.yaml::pad-asym-1-2[torch.nn.functional.conv_transpose]``, and
``<case id>[<adapter name>:<quantity>]`` for a gradient (``...[torch.nn.functional.conv.grad:grad_input]``).
An adapter judges the quantities in its ``quantities`` (forward adapters: the output) that
the case's ``check:`` names. A case that does not load becomes a failing item whose report
is the loader's one-line error.
"""

from __future__ import annotations

import json
import os

import pytest

from .check import check
from .failure import UnexpectedResult, assert_expected, format_failure, record_verdict

# The item's result travels to the controller in its call report's user_properties, as one
# JSON string: xdist's serializer (execnet's, pure Python) walks a nested dict value by value,
# slower than the C JSON encoder by an order of magnitude (the report's largest part: every
# number, the note, a non-PASS result's repro script). ``result_of`` reads it back.
RESULT_PROPERTY = "conformance_result"


class CaseLoadError(Exception):
    """A problem in a case file; its message is the loader's one-line error."""


class CaseFile(pytest.File):
    def collect(self):
        from ..loader import load_paths

        run = self.config.pluginmanager.get_plugin("conformance-run")
        # Relative to the working directory, as a user would type it (and the loader opens it).
        loaded = load_paths([os.path.relpath(self.path)])
        names = set()
        for error in loaded.errors:
            name = _unique(f"{error.case_id or 'file'}[line-{error.line}]", names)
            yield CaseErrorItem.from_parent(self, name=name, error=error)
        for case in loaded.cases:
            first = run.first_seen(case)
            if first is not None:
                message = f"{case.file}:{case.line}: case '{case.id}': id: duplicate of the case at {first}"
                yield CaseErrorItem.from_parent(self, name=_unique(f"{case.id}[duplicate]", names), error=message)
                continue
            for chosen in run.adapters:
                if not chosen.instance.applies_to(case):
                    continue
                offered = getattr(chosen.instance, "quantities", ("output",))
                for quantity in (q for q in case.check if q in offered):
                    label = chosen.name if quantity == "output" else f"{chosen.name}:{quantity}"
                    yield CaseItem.from_parent(
                        self, name=_unique(f"{case.id}[{label}]", names), case=case, chosen=chosen, quantity=quantity
                    )


def result_of(report) -> dict | None:
    """The result a call report carries (``CaseItem.runtest``), or None."""
    for key, value in report.user_properties:
        if key == RESULT_PROPERTY:
            return json.loads(value)
    return None


def _unique(name: str, taken: set) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}#{n}"
    taken.add(candidate)
    return candidate


class CaseErrorItem(pytest.Item):
    """A case (or file) that did not load: fails with the one-line error."""

    def __init__(self, *, error, **kwargs):
        super().__init__(**kwargs)
        self.error = error

    def runtest(self):
        raise CaseLoadError(str(self.error))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CaseLoadError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        line = getattr(self.error, "line", 0) or 0
        return self.path, max(line - 1, 0), self.name


class CaseItem(pytest.Item):
    """One case on one adapter, judging one quantity (the output or a gradient)."""

    def __init__(self, *, case, chosen, quantity="output", **kwargs):
        super().__init__(**kwargs)
        self.case = case
        self.chosen = chosen
        self.quantity = quantity

    def runtest(self):
        run = self.config.pluginmanager.get_plugin("conformance-run")
        result = check(self.case, self.chosen.instance, run.executor(), spec=self.chosen.spec, quantity=self.quantity)
        verdict = run.expectations[self.chosen.name].judge(result, run.properties_for(self.chosen))
        record_verdict(result, verdict)
        self.user_properties.append((RESULT_PROPERTY, json.dumps(result.to_json(), separators=(",", ":"))))
        assert_expected(result, verdict, run.results_path(self.chosen.name))
        if result.status == "UNSUPPORTED":
            # Reported at the case's file:line, not at this line of the runner.
            raise pytest.skip.Exception(f"UNSUPPORTED: {result.message}", _use_item_location=True)
        if result.status != "PASS":
            entry = verdict.entry
            pytest.xfail(f"{verdict.expected.describe()} as expected ({entry.where()}, {entry.kind}): {entry.reason}")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, UnexpectedResult):
            err = excinfo.value
            return format_failure(err.result, err.expectation, err.results_file)
        if isinstance(excinfo.value, pytest.xfail.Exception):
            # A known result: its reason is the report. pytest would otherwise format (and
            # parse the source of) the traceback of every expected non-PASS result.
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        label = self.chosen.name if self.quantity == "output" else f"{self.chosen.name}:{self.quantity}"
        return self.path, max(self.case.line - 1, 0), f"{self.case.id} [{label}]"
