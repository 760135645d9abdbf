"""Measure the runner: case-checks per second and the harness overhead per case-check.

Runs ``pytest PATH... --adapter A`` in a subprocess once per worker count (default
``-n 0`` and ``-n 2``), plus once with every item deselected (start-up, collection and the
framework check only), then reads the results files:

- checks/s: case-checks over the run's wall time (start-up included);
- in-check overhead: mean of ``duration_s - framework_s - oracle_s`` per result (the pipe
  round trip, judging, building the result);
- total overhead per check: worker-seconds of the run beyond the empty run and beyond
  framework and oracle time, per check:
  ``(workers * (wall - wall_empty) - sum(framework_s + oracle_s)) / checks``. This is
  what pytest itself, the executor and the plugin cost per case-check (target <= 2 ms).

Without PATH it writes a synthetic corpus of small random cases (``--cases N``). Examples:

    python benchmarks/bench_runner.py                                   # fake numpy adapter
    /tmp/venvs/torch/bin/python benchmarks/bench_runner.py --framework torch cases/
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ADAPTER = "tests.fake_adapters:NumpyLoops"


def synthetic_corpus(folder: Path, count: int) -> Path:
    """``count`` small 1D/2D conv_transpose cases (stride x dilation x seed sweeps)."""
    strides, dilations = [1, 2, 3], [1, 2]
    seeds = max(1, -(-count // (2 * len(strides) * len(dilations))))
    lines = ["defaults: {op: conv_transpose, dtype: float32}", "cases:"]
    for dims, (x_shape, w_shape) in {1: ([1, 2, 6], [2, 3, 3]), 2: ([1, 2, 4, 5], [2, 3, 2, 3])}.items():
        lines += [
            f"  - id: bench-{dims}d",
            f"    input: {{shape: {x_shape}, random: {{seed: 1, distribution: normal}}}}",
            f"    kernel: {{shape: {w_shape}, random: {{seed: 2, distribution: normal}}}}",
            "    padding: 1",
            "    tolerance: {factor: 1}",
            f"    sweep: {{stride: {strides}, dilation: {dilations}, output_padding: {list(range(seeds))}}}",
        ]
    path = folder / "bench_cases.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def plugin_option() -> list[str]:
    """``-p conformance.runner.plugin`` where the package is not installed (a bare checkout):
    installed, pytest loads it through its pytest11 entry point, and naming it again fails."""
    from importlib.metadata import entry_points

    installed = any(ep.value == "conformance.runner.plugin" for ep in entry_points(group="pytest11"))
    return [] if installed else ["-p", "conformance.runner.plugin"]


def run_pytest(paths, selection, workers, results: Path, extra) -> float:
    command = [sys.executable, "-m", "pytest", *plugin_option(), *map(str, paths), *selection,
               "--results", str(results), "-p", "no:cacheprovider", "-q", "-n", str(workers), *extra]
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, check=False, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1, 5):  # 1: some unexpected results is fine for timing
        sys.exit(f"pytest failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return wall


def read_results(folder: Path) -> list[dict]:
    rows = []
    for path in sorted(folder.glob("*.json")):
        rows += json.loads(path.read_text())["results"]
    return rows


def measure(paths, selection, workers: int, scratch: Path) -> dict:
    empty_dir, full_dir = scratch / f"empty-{workers}", scratch / f"full-{workers}"
    wall_empty = run_pytest(paths, selection, workers, empty_dir, ["-k", "no_case_has_this_name"])
    wall = run_pytest(paths, selection, workers, full_dir, [])
    rows = read_results(full_dir)
    checks = len(rows)
    inner = sum((r["framework_s"] or 0) + (r["oracle_s"] or 0) for r in rows)
    in_check = [r["duration_s"] - (r["framework_s"] or 0) - (r["oracle_s"] or 0) for r in rows]
    parallel = max(workers, 1)
    return {
        "workers": workers,
        "checks": checks,
        "statuses": {s: sum(r["status"] == s for r in rows) for s in sorted({r["status"] for r in rows})},
        "wall_s": round(wall, 3),
        "wall_empty_s": round(wall_empty, 3),
        "checks_per_s": round(checks / wall, 1),
        "checks_per_s_after_startup": round(checks / max(wall - wall_empty, 1e-9), 1),
        "framework_plus_oracle_ms_per_check": round(1e3 * inner / checks, 3),
        "in_check_overhead_ms": round(1e3 * statistics.mean(in_check), 3),
        "total_overhead_ms_per_check": round(1e3 * (parallel * (wall - wall_empty) - inner) / checks, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="case files or folders (default: a synthetic corpus)")
    parser.add_argument("--adapter", action="append", default=[], help=f"default {DEFAULT_ADAPTER}")
    parser.add_argument("--framework", help="every adapter of this framework instead of --adapter")
    parser.add_argument("--workers", default="0,2", help="comma-separated -n values (default 0,2)")
    parser.add_argument("--cases", type=int, default=480, help="size of the synthetic corpus (default 480)")
    args = parser.parse_args()
    selection = ["--framework", args.framework] if args.framework else []
    for name in args.adapter or ([] if args.framework else [DEFAULT_ADAPTER]):
        selection += ["--adapter", name]
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        paths = args.paths or [synthetic_corpus(scratch, args.cases)]
        print(f"# corpus: {', '.join(map(str, paths))}; selection: {' '.join(selection)}; python {sys.executable}")
        for workers in (int(w) for w in args.workers.split(",")):
            print(json.dumps(measure(paths, selection, workers, scratch)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
