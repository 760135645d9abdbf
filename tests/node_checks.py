"""Helpers the JavaScript adapters' tests share: a ``.mjs`` repro run as a user would run it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from adapter_checks import evaluate, judge
from conformance.adapters.base import NativeCall
from conformance.repro import build_repro


def run_js_repro(script: str, npm_folder: Path, tmp_path: Path) -> str:
    """The script saved as repro.mjs in a folder of its own whose node_modules holds the pinned
    packages (a link to ``npm_folder``'s: what `npm install` of the install line leaves), run
    with node from another folder; its stdout."""
    folder = tmp_path / "user"
    folder.mkdir()
    (folder / "node_modules").symlink_to(Path(npm_folder) / "node_modules")
    (folder / "repro.mjs").write_text(script)
    done = subprocess.run(["node", str(folder / "repro.mjs")], cwd=tmp_path, check=False, capture_output=True,
                          text=True, timeout=600)  # fmt: skip  (a deadline for a hang only: a loaded machine is slow)
    assert done.returncode == 0, done.stderr
    return done.stdout


def assert_js_repro_passes(adapter, case, tmp_path) -> str:
    """The adapter's output passes against the oracle, and its .mjs repro, run on its own,
    prints that output's shape and the verdict PASS; returns what it printed."""
    __tracebackhide__ = True
    call = adapter.express(case)
    assert isinstance(call, NativeCall)
    y = adapter.execute(case, call)
    reference = evaluate(case)
    assert judge(case, y, reference).status == "PASS"
    script = build_repro(case, adapter, call, reference)
    assert script.startswith("#!/usr/bin/env node") and adapter.repro_source(case, call) in script  # one source
    out = run_js_repro(script, adapter.npm_folder, tmp_path)
    assert f"framework output shape: {y.shape}" in out
    assert "verdict: PASS" in out
    return out
