"""Helpers the adapter tests share: random asymmetric cases, running an adapter, the oracle check.

Random normal tensors with C_in != C_out, so a flipped kernel or swapped channels cannot pass.
"""

from __future__ import annotations

import numpy as np

from conformance.adapters.base import NativeCall
from conformance.case import Case
from conformance.compare import judge
from conformance.oracle import evaluate
from conformance.repro import build_repro


def make_case(op, dims, length, kernel, c_in=2, c_out=3, groups=1, bias=False, seed=0, dtype="float32", **params):
    """A batch of 2, ``dims`` spatial dims of ``length``, a ``kernel``-sized kernel per dim."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, c_in) + (length,) * dims)
    w_channels = (c_out, c_in // groups) if op == "conv" else (c_in, c_out // groups)
    w = rng.normal(size=w_channels + (kernel,) * dims)
    b = rng.normal(size=c_out) if bias else None
    return Case.make(f"{op}-{dims}d", op, x, w, b, groups=groups, dtype=dtype, **params)


def grid_case(op, dims, length, params, **fixed):
    """``make_case`` from one grid row: ``kernel`` defaults to 3 and explicit padding pairs,
    written for one spatial dim, are repeated for every dim."""
    params = {"kernel": 3, **params, **fixed}
    if isinstance(params.get("padding"), list):
        params["padding"] = params["padding"] * dims
    return make_case(op, dims, length, params.pop("kernel"), **params)


def run(adapter, case) -> np.ndarray:
    """The adapter's output for a case it must express."""
    call = adapter.express(case)
    assert isinstance(call, NativeCall), f"{adapter.name} refused {case!r}: {call}"
    return adapter.execute(case, call)


def verdict(adapter, case):
    return judge(case, run(adapter, case), evaluate(case))


def assert_matches_oracle(adapter, case):
    __tracebackhide__ = True
    result = verdict(adapter, case)
    assert result.status == "PASS", f"{adapter.name}: {result.message}"


def assert_repro_reproduces(adapter, case):
    """The adapter's repro lines, run on their own, give exactly what ``execute`` gives."""
    __tracebackhide__ = True
    call = adapter.express(case)
    source = adapter.repro_source(case, call)
    assert "conformance" not in source
    assert call.api in source
    namespace = {"x": case.x, "w": case.w, "b": case.b, "dtype": case.dtype}
    exec(compile(source, "<repro>", "exec"), namespace)
    np.testing.assert_array_equal(namespace["y"], adapter.execute(case, call))


# -- shape-only cases for the pure translation tests (values never computed) ----------------
def transpose_case(dims=2, length=4, kernel=3, c_in=2, c_out=3, **params) -> Case:
    x = np.ones((1, c_in) + (length,) * dims)
    w = np.ones((c_in, c_out // params.get("groups", 1)) + (kernel,) * dims)
    return Case.make("t", "conv_transpose", x, w, params.pop("b", None), **params)


def conv_case(dims=2, length=6, kernel=3, c_in=4, c_out=6, w_in=None, **params) -> Case:
    """``w_in`` overrides the kernel's in-channels (C_in/groups by default)."""
    x = np.ones((1, c_in) + (length,) * dims)
    w = np.ones((c_out, w_in or c_in // params.get("groups", 1)) + (kernel,) * dims)
    return Case.make("c", "conv", x, w, params.pop("b", None), **params)


REPRO_SCRIPT_TIMEOUT_S = 600


def run_script(script: str, tmp_path) -> str:
    """Run a repro script as a user would: its own file, a fresh interpreter isolated from
    this checkout (-I), so it cannot lean on conformance; its stdout."""
    import subprocess
    import sys

    path = tmp_path / "repro.py"
    path.write_text(script)
    # A fresh interpreter imports its framework from cold: TensorFlow took over 60 s while the
    # main job ran 24 environments on 2 cores. The deadline only catches a hang.
    done = subprocess.run(
        [sys.executable, "-I", str(path)], check=False, capture_output=True, text=True, timeout=REPRO_SCRIPT_TIMEOUT_S
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


# Printed between two scripts' outputs by run_scripts; no repro prints it.
SCRIPT_SEPARATOR = "=== conformance: next repro script ==="
# Printed, then the traceback, where a script raised: the scripts after it still run.
SCRIPT_RAISED = "=== conformance: the repro script raised ==="
# Runs each file named on its command line as __main__ (fresh globals, its own sys.argv), in turn.
_RUN_EACH = (
    "import runpy, sys, traceback\n"
    "for path in sys.argv[1:]:\n"
    f"    print({SCRIPT_SEPARATOR!r}, flush=True)\n"
    "    sys.argv = [path]\n"
    "    try:\n"
    "        runpy.run_path(path, run_name='__main__')\n"
    "    except BaseException:\n"
    f"        print({SCRIPT_RAISED!r})\n"
    "        traceback.print_exc(file=sys.stdout)\n"
    "    sys.stdout.flush()\n"
)


def run_scripts(scripts: list[str], tmp_path) -> list[str]:
    """Run several repro scripts of one framework in ONE fresh isolated interpreter, each as its
    own file run as __main__ with fresh globals, so each still has to import what it uses; their
    stdouts in order. One cold framework import instead of one per script: the gradient adapters'
    three scripts each took 5-15 s of a framework environment's tests, nearly all of it importing.
    A script that raises prints SCRIPT_RAISED and its traceback as its output (``assert_ran``
    fails its own test) and the next scripts still run: a module's tests can share one batch."""
    import subprocess
    import sys

    paths = []
    for index, script in enumerate(scripts):
        path = tmp_path / f"repro_{index}.py"
        path.write_text(script)
        paths.append(str(path))
    done = subprocess.run(
        [sys.executable, "-I", "-c", _RUN_EACH, *paths], check=False, capture_output=True, text=True, timeout=REPRO_SCRIPT_TIMEOUT_S
    )
    assert done.returncode == 0, done.stderr
    outputs = done.stdout.split(SCRIPT_SEPARATOR + "\n")[1:]
    assert len(outputs) == len(scripts), done.stdout[-2000:]
    return outputs


def run_repro_scripts(pairs, tmp_path, reference=evaluate) -> list[str]:
    """``run_scripts`` over the repro scripts of (adapter, case) pairs, each built as the runner
    builds it against ``reference(case)`` (the oracle's output; None for a case the framework
    should refuse): the body of a module's shared repro fixture."""
    scripts = [build_repro(case, adapter, adapter.express(case), reference(case)) for adapter, case in pairs]
    return run_scripts(scripts, tmp_path)


def pair_ids(pairs) -> list[str]:
    """Test ids for (adapter, case) pairs: the adapter's name and the case's dtype."""
    return [f"{adapter.name}-{case.dtype}" for adapter, case in pairs]


def assert_ran(output: str) -> str:
    """One output of ``run_scripts``: the script ran to its end; returns what it printed."""
    __tracebackhide__ = True
    assert SCRIPT_RAISED not in output, output[-3000:]
    return output


def assert_repro_script_passes(adapter, case, tmp_path) -> str:
    """The adapter's output passes against the oracle, and its repro script, run on its own as
    a user would, prints that output's shape and the verdict PASS; returns what it printed."""
    __tracebackhide__ = True
    call = adapter.express(case)
    assert isinstance(call, NativeCall)
    y = adapter.execute(case, call)
    reference = evaluate(case)
    assert judge(case, y, reference).status == "PASS"
    out = run_script(build_repro(case, adapter, call, reference), tmp_path)
    assert f"framework output shape: {y.shape}" in out
    assert "verdict: PASS" in out
    return out
