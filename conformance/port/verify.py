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
    """``.tox/<framework>/bin/python``, else a variant of it (``.tox/<framework>-avx2``...)."""
    exact = root / ".tox" / framework / "bin" / "python"
    if exact.exists():
        return exact
    variants = sorted((root / ".tox").glob(f"{framework}-*/bin/python"))
    return variants[0] if variants else None


def verify(layer, seed: int, runs: list[dict], root: Path = Path(".")) -> dict[str, dict]:
    """runs: [{"adapter", "plan"}] -> {adapter: {"status", "max_abs_err", "err_ratio", "message", "env"}}."""
    adapters = all_adapters()
    by_framework: dict[str, list[dict]] = {}
    for run in runs:
        by_framework.setdefault(adapters[run["adapter"]].framework, []).append(run)
    answers: dict[str, dict] = {}
    for framework, group in by_framework.items():
        python = environment(framework, root)
        if python is None:
            for run in group:
                answers[run["adapter"]] = {"status": "NO-ENV", "max_abs_err": None, "err_ratio": None,
                                           "message": f"no environment .tox/{framework}: `tox -e {framework}` creates it"}
            continue
        request = json.dumps({"layer": layer.to_json(), "seed": seed, "runs": group})
        env = {**os.environ, "PYTHONPATH": str(Path(root).resolve()) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        try:
            done = subprocess.run([str(python), "-m", "conformance.port.verify_child"], input=request, text=True,
                                  capture_output=True, timeout=TIMEOUT_S, cwd=root, env=env)
        except subprocess.TimeoutExpired:
            for run in group:
                answers[run["adapter"]] = {"status": "TIMEOUT", "max_abs_err": None, "err_ratio": None,
                                           "message": f"no answer from {python} within {TIMEOUT_S} s"}
            continue
        _, marker, payload = done.stdout.rpartition(MARKER)
        if not marker:
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
            for run in group:
                answers[run["adapter"]] = {"status": "CRASH", "max_abs_err": None, "err_ratio": None,
                                           "message": f"{python}: {tail[0]}"}
            continue
        for answer in json.loads(payload):
            answer["env"] = str(python.parent.parent)
            answers[answer.pop("adapter")] = answer
    return answers


if __name__ == "__main__":  # pragma: no cover - the child is verify_child
    sys.exit("run conformance port --verify")
