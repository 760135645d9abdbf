"""``defaults:`` merged into a case, and ``sweep:`` expanded into one case per combination."""

from __future__ import annotations

import itertools
import math
from typing import Any, Mapping

from .errors import CaseProblem

# A sweep multiplies quickly; beyond this many combinations it is a mistake, not a suite.
MAX_SWEEP_CASES = 4096


def merge_defaults(case: Mapping[str, Any], defaults: Mapping[str, Any] | None) -> dict[str, Any]:
    """The case's keys win; ``tags`` are the defaults' then the case's, each once."""
    merged = dict(case)
    for key, value in (defaults or {}).items():
        if key not in merged:
            merged[key] = value
        elif key == "tags" and isinstance(value, list) and isinstance(merged[key], list):
            merged[key] = [*value, *merged[key]]
    if isinstance(merged.get("tags"), list):
        merged["tags"] = list(dict.fromkeys(merged["tags"]))
    return merged


def expand_sweep(merged: Mapping[str, Any], own_keys) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """[(spec, swept values)] for a schema-valid case: one entry, or one per sweep combination.

    The cartesian product runs in the sweep's key order; each id is
    ``<id>[key=value,...]``. ``own_keys`` are the keys written on the case itself: a field
    set there and swept too is ambiguous (one from ``defaults:`` is simply replaced).
    """
    base = {key: value for key, value in merged.items() if key != "sweep"}
    sweep = merged.get("sweep")
    if not sweep:
        return [(base, {})]
    for key in sweep:
        if key in own_keys:
            raise CaseProblem(f"sweep.{key}", f"is also set on the case ({key}: ...): set it in one place", sweep[key])
    count = math.prod(len(values) for values in sweep.values())
    if count > MAX_SWEEP_CASES:
        raise CaseProblem("sweep", f"makes {count} cases, over the limit of {MAX_SWEEP_CASES}")
    expanded = []
    for combination in itertools.product(*sweep.values()):
        chosen = dict(zip(sweep, combination))
        label = ",".join(f"{key}={compact(value)}" for key, value in chosen.items())
        expanded.append(({**base, **chosen, "id": f"{base['id']}[{label}]"}, chosen))
    return expanded


def compact(value: Any) -> str:
    """A swept value as it appears in an id: ``2``, ``same``, ``[1,2]``, ``[[0,1],[1,0]]``."""
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(compact(v) for v in value) + "]"
    return str(value)
