"""``--verify`` on the real layers of tests/port_layers.py: the source and every target with
an equivalent or a composition run in their framework environments (``.tox/<framework>``)
against the oracle, all layers at once (one subprocess per environment).

Minutes of framework time: runs only with CONFORMANCE_PORT_VERIFY=1 and skips a target
whose environment is absent (``tox -e <framework>`` creates it), so ``tox -e tests`` skips it.
"""

from __future__ import annotations

import os
import time

import pytest

from conformance.adapters import all_adapters
from conformance.port.porting import parse_shape
from conformance.port.sources import read_source
from conformance.port.targets import answer
from conformance.port.verify import environment, verify_many
from port_layers import LAYERS, expected

pytestmark = pytest.mark.skipif(os.environ.get("CONFORMANCE_PORT_VERIFY") != "1",
                                reason="runs frameworks for minutes: set CONFORMANCE_PORT_VERIFY=1")


@pytest.fixture(scope="module")
def verified():
    """(layer name, adapter) -> (verdict, verify answer), for every layer and target; and the timing."""
    jobs, meta = [], []
    for name, call, input_shape, weight_shape, verdicts in LAYERS:
        source, layer = read_source(call, parse_shape(input_shape, "-"), parse_shape(weight_shape, "-"))
        runs = [{"adapter": source.adapter, "plan": {"case": "same", "flip": source.kernel_flipped}}]
        found = {}
        for adapter in expected(verdicts, layer.op):
            result = answer(source, layer, adapter)
            found[adapter] = result
            if result.plan is not None and result.verdict != "none":
                runs.append({"adapter": adapter, "plan": result.plan})
        jobs.append((layer, 0, runs))
        meta.append((name, source, found))
    started = time.perf_counter()
    answers = verify_many(jobs)
    seconds = time.perf_counter() - started
    table = {}
    for (name, source, found), got in zip(meta, answers):
        table[(name, "source")] = ("source", got.get(source.adapter))
        for adapter, result in found.items():
            table[(name, adapter)] = (result.verdict, got.get(adapter))
    print(f"\nport --verify: {len(jobs)} layers, {sum(len(r) for _, _, r in jobs)} runs in {seconds:.0f} s")
    counts: dict = {}
    for (name, adapter), (verdict, got) in table.items():
        if got is not None:
            counts.setdefault(adapter, {}).setdefault(got["status"], 0)
            counts[adapter][got["status"]] += 1
    for adapter, by_status in sorted(counts.items()):
        print(f"  {adapter}: {by_status}")
    return table


@pytest.mark.parametrize("name", [entry[0] for entry in LAYERS])
def test_layer_verifies(verified, name):
    rows = {adapter: value for (layer, adapter), value in verified.items() if layer == name}
    problems = []
    for adapter, (verdict, got) in rows.items():
        if got is None:
            continue  # a none verdict: nothing to run
        if got["status"] == "NO-ENV":
            framework = all_adapters()[adapter].framework if adapter in all_adapters() else adapter
            assert environment(framework) is None
            continue
        if got["status"] != "PASS":
            problems.append(f"{adapter} ({verdict}): {got['status']} {got.get('message', '')[:300]}")
    assert not problems, "\n".join(problems)
