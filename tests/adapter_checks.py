"""Helpers the adapter tests share: random asymmetric cases, running an adapter, the oracle check.

Random normal tensors with C_in != C_out, so a flipped kernel or swapped channels cannot pass.
"""

from __future__ import annotations

import numpy as np

from conformance.adapters.base import NativeCall
from conformance.case import Case
from conformance.compare import judge
from conformance.oracle import evaluate


def make_case(op, dims, length, kernel, c_in=2, c_out=3, groups=1, bias=False, seed=0, dtype="float32", **params):
    """A batch of 2, ``dims`` spatial dims of ``length``, a ``kernel``-sized kernel per dim."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, c_in) + (length,) * dims)
    w_channels = (c_out, c_in // groups) if op == "conv" else (c_in, c_out // groups)
    w = rng.normal(size=w_channels + (kernel,) * dims)
    b = rng.normal(size=c_out) if bias else None
    return Case.make(f"{op}-{dims}d", op, x, w, b, groups=groups, dtype=dtype, **params)


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
