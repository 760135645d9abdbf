"""One adapter's fuzz run: explore with Hypothesis, then shrink each new disagreement class.

1. Explore: ``examples`` generated valid cases that the adapter expresses (a case its
   ``express`` declares UNSUPPORTED is counted and replaced, so every example reaches the
   framework), each run through the runner's ``check`` (the framework executes in the
   executor's child process, so a crash costs one example). Every disagreement is
   counted by class, with the first example of each class kept.
2. Shrink: for each class no expectation explains, Hypothesis runs again with the same
   seed and fails exactly on that class; the generated sequence is the exploration's, so
   it reaches the class at the same example and shrinks it to a minimal case. Shrinking
   is bounded by ``shrink_calls`` framework checks: after that, only examples already seen
   count as failing, so Hypothesis settles on the smallest one found (deterministically).
   When the class does not recur (it depended on something outside the case), the first
   example found is written unshrunk and says so.

``@seed`` with ``database=None`` makes a run a function of its arguments: the same seed
gives the same examples, the same shrinks and the same files.

A gradient adapter (``quantities`` other than the output) is searched on its gradients:
each example checks every quantity it offers (grad_bias where the case has a bias), with
the case's default upstream gradient; a class is a quantity's class (``FAIL values
kernel-flipped::grad_weight``), and its finding is written with that ``check:``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis.errors import Flaky, Unsatisfiable

from ..adapters.base import Unsupported
from ..runner.check import check
from .classes import disagreement_class, explaining_entry
from .progress import Progress
from .space import DEFAULT_DTYPES, build, case_specs
from .writer import Finding

SEARCH_ID = "fuzz"
DEFAULT_SHRINK_CALLS = 300


@dataclass
class ClassTally:
    klass: str
    count: int = 0
    explained_by: Any = None  # the expectations Entry, or None: a new class
    first_spec: dict[str, Any] | None = None
    first_result: Any = None


@dataclass
class AdapterRun:
    adapter: str
    framework_version: str
    examples: int = 0
    statuses: Counter = field(default_factory=Counter)
    classes: dict[str, ClassTally] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def disagreements(self) -> int:
        return sum(t.count for t in self.classes.values())

    @property
    def new_classes(self) -> list[ClassTally]:
        return [t for t in self.classes.values() if t.explained_by is None]


class _Found(Exception):
    """Raised inside the Hypothesis test when an example falls in the class being shrunk."""


def _run_hypothesis(test: Callable[[dict], None], strategy, run_seed: int, examples: int, shrink: bool) -> None:
    phases = (Phase.generate, Phase.shrink) if shrink else (Phase.generate,)

    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
    )
    @seed(run_seed)
    @given(strategy)
    def hypothesis_test(spec):
        test(spec)

    hypothesis_test()


def fuzz_adapter(
    adapter,
    executor,
    expectations,
    *,
    examples: int,
    run_seed: int,
    framework_version: str,
    dtypes: tuple[str, ...] = DEFAULT_DTYPES,
    shrink_calls: int = DEFAULT_SHRINK_CALLS,
    progress: Progress | None = None,
    case_id_for: Callable[[str], str] = lambda klass: SEARCH_ID,
) -> AdapterRun:
    """Explore and shrink on one adapter; ``case_id_for(klass)`` is the id a finding will get
    (matched against the expectations' ids and globs)."""
    progress = progress or Progress(enabled=False)
    run = AdapterRun(adapter.name, framework_version)
    strategy = expressible_specs(adapter, dtypes, run.statuses)

    def explore(spec: dict) -> None:
        run.examples += 1
        for result in checked(adapter, executor, spec):
            run.statuses[result.status] += 1
            klass = quantity_class(result)
            if klass is None:
                continue
            tally = run.classes.get(klass)
            if tally is None:
                entry = explaining_entry(expectations, case_id_for(klass), result)
                tally = run.classes[klass] = ClassTally(klass, explained_by=entry, first_spec=spec, first_result=result)
            tally.count += 1
        progress.show(f"fuzz {adapter.name}", run.examples, examples, f"{run.disagreements} disagreements")

    try:
        _run_hypothesis(explore, strategy, run_seed, examples, shrink=False)
    except Unsatisfiable:  # the adapter expresses almost nothing of the space: report what ran
        pass
    # The same filter (its count discarded) gives the exploration's sequence again.
    shrink_strategy = expressible_specs(adapter, dtypes, Counter())
    for tally in run.new_classes:
        run.findings.append(
            _shrink(adapter, executor, shrink_strategy, tally, run, examples, run_seed, shrink_calls, progress)
        )
    progress.clear()
    return run


def expressible_specs(adapter, dtypes, unsupported_count: Counter):
    specs = case_specs(adapter.op, dtypes).map(lambda spec: with_quantities(adapter, spec))
    return specs.filter(lambda spec: expressible(adapter, spec, unsupported_count))


def with_quantities(adapter, spec: dict) -> dict:
    """The spec with ``check:`` the gradients a gradient adapter offers (a forward adapter's
    spec is left as it is: it checks the output)."""
    offered = [q for q in getattr(adapter, "quantities", ("output",)) if q != "output"]
    if not offered:
        return spec
    return {**spec, "check": [q for q in offered if q != "grad_bias" or "bias" in spec]}


def checked(adapter, executor, spec: dict) -> list:
    """The results of every quantity the spec checks."""
    case = build(spec, SEARCH_ID)
    return [check(case, adapter, executor, quantity=quantity) for quantity in case.check]


def quantity_class(result) -> str | None:
    """The disagreement class, with ``::<quantity>`` for a gradient."""
    klass = disagreement_class(result)
    quantity = getattr(result, "quantity", "output")
    return klass if klass is None or quantity == "output" else f"{klass}::{quantity}"


def expressible(adapter, spec: dict, statuses: Counter) -> bool:
    """Whether the adapter's API expresses the case; an UNSUPPORTED one is counted, not run.

    ``express`` is pure and cheap. One that raises is kept: ``check`` reports it as ERROR.
    """
    try:
        call = adapter.express(build(spec, SEARCH_ID))
    except Exception:  # an adapter bug is a finding too, reported by check
        return True
    if isinstance(call, Unsupported):
        statuses["UNSUPPORTED"] += 1
        return False
    return True


def _shrink(
    adapter, executor, strategy, tally: ClassTally, run: AdapterRun, examples, run_seed, shrink_calls, progress
) -> Finding:
    seen: dict[str, tuple[bool, Any]] = {}
    state = {"calls": 0, "last": None}

    def falls_in_class(spec: dict) -> None:
        key = json.dumps(spec, sort_keys=True)
        if key not in seen:
            if state["last"] is not None and state["calls"] >= shrink_calls:
                return  # budget spent: an example not seen before counts as not failing
            results = checked(adapter, executor, spec)
            if state["last"] is not None:
                state["calls"] += 1
                progress.show(f"shrink {adapter.name}: {tally.klass}", state["calls"], shrink_calls)
            found = [r for r in results if quantity_class(r) == tally.klass]
            seen[key] = (bool(found), found[0] if found else results[0])
        failing, result = seen[key]
        if failing:
            state["last"] = (spec, result)
            raise _Found()

    try:
        _run_hypothesis(falls_in_class, strategy, run_seed, examples, shrink=True)
    except (_Found, Flaky, Unsatisfiable):
        pass
    shrunk = state["last"] is not None
    spec, result = state["last"] if shrunk else (tally.first_spec, tally.first_result)
    return Finding(
        adapter=adapter.name,
        framework_version=run.framework_version,
        klass=tally.klass,
        spec=spec,
        status=result.status,
        diagnosis=result.diagnosis,
        err_ratio=result.err_ratio,
        message=result.message,
        occurrences=tally.count,
        shrunk=shrunk,
    )
