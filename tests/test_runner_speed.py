"""The runner's speed-ups change no answer: the oracle's memo and the compilation-cache record."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from conformance.bound import oracle_quantity
from conformance.loader import load_paths
from conformance.runner.caches import compilation_caches
from conformance.runner.check import OracleMemo

CASES = Path(__file__).parent / "data" / "runner" / "cases.yaml"


@pytest.fixture(scope="module")
def cases():
    loaded = load_paths([CASES])
    assert not loaded.errors
    return [case for case in loaded.cases if case.expect != "error"]


def test_oracle_memo_gives_the_oracles_arrays_once_per_case(cases):
    memo = OracleMemo(size=2)
    first, second = cases[0], cases[1]
    reference, magnitude = memo.references(first, first, "output")
    np.testing.assert_array_equal(reference, oracle_quantity(first, "output"))
    np.testing.assert_array_equal(magnitude, oracle_quantity(first, "output", absolute=True))
    again = memo.references(first, first, "output")
    assert again[0] is reference and again[1] is magnitude  # the next adapter of the case: not recomputed
    other = memo.references(second, second, "output")
    np.testing.assert_array_equal(other[0], oracle_quantity(second, "output"))


def test_oracle_memo_arrays_cannot_be_changed_by_a_judge(cases):
    reference, magnitude = OracleMemo().references(cases[0], cases[0], "output")
    with pytest.raises(ValueError):
        reference[...] = 0
    with pytest.raises(ValueError):
        magnitude[...] = 0


def test_oracle_memo_forgets_the_oldest_beyond_its_size(cases):
    memo = OracleMemo(size=1)
    reference, _ = memo.references(cases[0], cases[0], "output")
    memo.references(cases[1], cases[1], "output")
    assert memo.references(cases[0], cases[0], "output")[0] is not reference


def test_compilation_caches_reads_jax_only_when_imported(monkeypatch):
    monkeypatch.delitem(sys.modules, "jax", raising=False)
    assert compilation_caches() == {}

    class Config:
        jax_compilation_cache_dir = "/tmp/xla-cache"
        jax_enable_compilation_cache = True

    monkeypatch.setitem(sys.modules, "jax", type("jax", (), {"config": Config}))
    assert compilation_caches() == {"xla_compilation_cache": True}
    Config.jax_compilation_cache_dir = None
    assert compilation_caches() == {"xla_compilation_cache": False}


def test_diagnosis_memo_reuses_a_hypothesis_only_for_the_same_oracle_inputs(cases):
    import dataclasses

    from conformance.bound import absolute_case
    from conformance.diagnosis import PairMemo, oracle_fingerprint
    from conformance.oracle import evaluate

    memo = PairMemo()
    case = cases[0]
    flipped = dataclasses.replace(case, w=np.ascontiguousarray(case.w[..., ::-1]))
    value, magnitude = memo.pair(flipped)
    np.testing.assert_array_equal(value, evaluate(flipped))
    np.testing.assert_array_equal(magnitude, evaluate(absolute_case(flipped)))
    with pytest.raises(ValueError):
        value[...] = 0  # shared by the next adapter's search: nobody may change it
    # The same hypothesis built again for the next adapter (a new object, the same content): no oracle run.
    again = dataclasses.replace(case, w=np.ascontiguousarray(case.w[..., ::-1]))
    assert memo.pair(again)[0] is value
    # One element of w, the dtype of x, a parameter: another key, the oracle's own answer.
    nudged = flipped.w.copy()
    nudged.flat[0] += 1.0
    changes = [
        dataclasses.replace(flipped, w=nudged),
        dataclasses.replace(flipped, x=flipped.x.astype(np.float32)),
        dataclasses.replace(flipped, dilation=tuple(d + 1 for d in flipped.dilation)),
    ]
    for changed in changes:
        assert oracle_fingerprint(changed) != oracle_fingerprint(flipped)
    got = memo.pair(changes[0])[0]
    assert got is not value
    np.testing.assert_array_equal(got, evaluate(changes[0]))


def test_diagnosis_memo_keeps_at_most_its_bytes(cases):
    from conformance.diagnosis import PairMemo

    first, second = cases[0], cases[1]
    memo = PairMemo(max_bytes=1)  # nothing fits: every pair is computed, none kept
    assert memo.pair(first)[0] is not memo.pair(first)[0]
    size = sum(array.nbytes for array in PairMemo().pair(first))
    memo = PairMemo(max_bytes=size)
    kept = memo.pair(first)[0]
    assert memo.pair(first)[0] is kept
    memo.pair(second)  # over the limit: the oldest goes
    assert memo.pair(first)[0] is not kept
