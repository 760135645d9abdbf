"""``--verify``: the source and each target run in their own framework environment
(``.tox/<framework>``, one subprocess per environment, as the runner isolates frameworks)
on the layer's random tensors, judged against the oracle (``verify_child``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ..adapters import all_adapters

MARKER = "@@PORT-VERIFY@@"
TIMEOUT_S = 600


def environment(framework: str, root: Path = Path(".")) -> Path | None:
    """``.tox/<framework>/bin/python``, the framework's own pins, or None. Never another
    ``.tox/<framework>-*``: those are older releases (``onnxruntime-r1.20``), simulated machines
    (``torch-avx2``) and precision switches (``torch-convbf16``), whose answer is not the one asked."""
    exact = root / ".tox" / framework / "bin" / "python"
    return exact if exact.exists() else None


def verify(layer, seed: int, runs: list[dict], root: Path = Path(".")) -> dict[str, dict]:
    """runs: [{"adapter", "plan"}] -> {adapter: {"status", "max_abs_err", "err_ratio", "message", "env"}}."""
    return verify_many([(layer, seed, runs)], root)[0]


def verify_many(jobs: list, root: Path = Path(".")) -> list[dict[str, dict]]:
    """Several layers at once: one subprocess per framework environment for all of them.
    jobs: [(layer, seed, runs)] -> one {adapter: answer} per job."""
    adapters = all_adapters()
    by_framework: dict[str, list[tuple[int, dict]]] = {}
    for index, (_, _, runs) in enumerate(jobs):
        for run in runs:
            by_framework.setdefault(adapters[run["adapter"]].framework, []).append((index, run))
    answers: list[dict[str, dict]] = [{} for _ in jobs]
    for framework, group in by_framework.items():
        python = environment(framework, root)
        if python is None:
            for index, run in group:
                answers[index][run["adapter"]] = {"status": "NO-ENV", "max_abs_err": None, "err_ratio": None,
                                                  "message": f"no environment .tox/{framework}: `tox -e {framework}` creates it"}
            continue
        request = [{"layer": jobs[index][0].to_json(), "seed": jobs[index][1], "runs": [run], "job": index}
                   for index, run in group]
        env = {**os.environ, "PYTHONPATH": str(Path(root).resolve()) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        try:
            done = subprocess.run([str(python), "-m", "conformance.port.verify_child"], input=json.dumps(request),
                                  text=True, capture_output=True, timeout=TIMEOUT_S * max(1, len(request) // 10 + 1),
                                  cwd=root, env=env)
        except subprocess.TimeoutExpired:
            done = None
        _, marker, payload = (done.stdout if done else "").rpartition(MARKER)
        if not marker:
            if done is None:
                why = f"no answer from {python} in time"
            else:
                tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
                why = f"{python}: {tail[0]}"
            for index, run in group:
                answers[index][run["adapter"]] = {"status": "CRASH", "max_abs_err": None, "err_ratio": None, "message": why}
            continue
        for answer in json.loads(payload):
            answer["env"] = str(python.parent.parent)
            answers[answer.pop("job")][answer.pop("adapter")] = answer
    return answers


if __name__ == "__main__":  # pragma: no cover - the child is verify_child
    sys.exit("run conformance port --verify")
