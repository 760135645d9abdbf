"""The table of ``bench_matrix.sh``'s run: per framework its results, pytest's time, the wall
time and the mean time of a check in the executor; then each adapter over 15 ms a check.

    python benchmarks/bench_matrix_table.py [OUT (reports/bench-matrix)]
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from pathlib import Path

FRAMEWORKS = ("torch", "tensorflow", "mxnet", "jax", "onnxruntime", "opencv", "tf_keras", "keras-jax", "keras-torch")
TARGET_MS = 15.0  # issue 14: per case-check, warm


def main(out: Path) -> None:
    rows, slow = [], []
    for fw in FRAMEWORKS:
        pytest_s = float(re.search(r" in ([\d.]+)s", (out / f"{fw}.log").read_text().splitlines()[-1]).group(1))
        wall_s = float((out / f"{fw}.time").read_text().split()[-1])
        count, durations = 0, []
        for path in sorted((out / fw).glob("*.json")):
            data = json.loads(path.read_text())
            count += len(data["results"])
            ds = [r["duration_s"] for r in data["results"] if r.get("duration_s")]
            durations += ds
            if ds and 1000 * statistics.mean(ds) > TARGET_MS:
                slow.append((data["run_info"]["adapter"], 1000 * statistics.mean(ds), 1000 * statistics.median(ds), len(ds)))
        rows.append((fw, count, pytest_s, wall_s, 1000 * statistics.mean(durations)))
    print("| framework | results | pytest's time (s) | wall (s) | ms per check (mean) |\n|---|---:|---:|---:|---:|")
    for fw, count, pytest_s, wall_s, ms in rows:
        print(f"| {fw} | {count:,} | {pytest_s:.1f} | {wall_s:.1f} | {ms:.1f} |")
    print(f"| **sum** | **{sum(r[1] for r in rows):,}** | **{sum(r[2] for r in rows):.1f}** | **{sum(r[3] for r in rows):.1f}** | |")
    print(f"\nadapters over {TARGET_MS:g} ms a check (mean):")
    for adapter, mean, median, n in sorted(slow, key=lambda t: -t[1]):
        print(f"- {adapter}: {mean:.1f} ms mean, {median:.1f} median ({n} checks)")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "reports/bench-matrix"))
