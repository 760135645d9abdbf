"""What carrying a result from an xdist worker to the controller costs, per result.

Each item's result rides in its call report's ``user_properties``, which xdist sends
through execnet's serializer (pure Python). Timed on the results of a real run, the two
ways the runner has carried it, each serialized and read back as the controller does:

- **dict**, in the call report and again in the teardown report (pytest copies an item's
  user_properties into every phase's report): the runner before this benchmark;
- **JSON string**, in the call report only (``collect.RESULT_PROPERTY``): the C JSON encoder
  writes the dict, execnet carries one string.

    python benchmarks/bench_result_transport.py RESULTS_DIR... [--repeats 3]

Needs execnet (it comes with pytest-xdist).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from execnet import gateway_base


def as_dict_twice(result: dict) -> None:
    for _phase in ("call", "teardown"):
        sent = gateway_base.dumps_internal({"user_properties": [("conformance_result", result)]})
        gateway_base.loads_internal(sent)


def as_json_once(result: dict) -> None:
    text = json.dumps(result, separators=(",", ":"))
    sent = gateway_base.dumps_internal({"user_properties": [("conformance_result", text)]})
    json.loads(gateway_base.loads_internal(sent)["user_properties"][0][1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="+", type=Path, help="folders of results files (searched recursively)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    results = [r for folder in args.folders for path in sorted(folder.rglob("*.json")) for r in json.loads(path.read_text())["results"]]
    size = statistics.mean(len(json.dumps(r)) for r in results)
    print(f"{len(results)} results, {size:.0f} bytes of JSON each on average")
    for name, carry in (("dict, call and teardown reports", as_dict_twice), ("JSON string, call report", as_json_once)):
        times = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            for result in results:
                carry(result)
            times.append(time.perf_counter() - started)
        best = min(times)
        print(f"{name}: {best:.2f} s, {1000 * best / len(results):.3f} ms a result (best of {args.repeats})")


if __name__ == "__main__":
    main()
