"""Where a JAX check's time goes: the eager dispatch's programs, lowered one by one (issue 14).

Runs each adapter's checks over the corpus in this process, as the executor's child runs
them (``adapter.execute`` on the case: the rendered call), twice:

1. **first pass**: every program is new to this process, as in the corpus run; XLA's
   persistent cache (``JAX_COMPILATION_CACHE_DIR``) spares the compiles it holds;
2. **second pass**: the same checks again, every program in JAX's in-memory caches: what a
   check costs without lowering or loading anything (the floor of the eager call).

During the first pass it counts, by wrapping JAX's internal functions (here only, never in
the suite): the programs lowered (``pxla.lower_sharding_computation``), the time in
``mlir.make_ir_context`` (a new MLIR context per lowering), in the whole lowering, in
reading the persistent cache and in compiling what it did not hold.

``--jit`` adds, for the adapters that pass the canonical kernel to one lax call
(``lax.conv_transpose`` in both conventions, ``lax.conv_general_dilated``), the same call
wrapped in ``jax.jit`` (one program per check instead of one per primitive): its first-pass
time and whether its outputs equal the eager call's bit for bit. The suite does not run it:
a jitted call is another program (XLA may fuse the kernel flip into the convolution).
Run the benchmark twice so that the persistent cache holds the jitted programs too.

    JAX_COMPILATION_CACHE_DIR=.tox/jax/xla-cache JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS=0 \\
        .tox/jax/bin/python benchmarks/bench_jax_dispatch.py --framework jax
    KERAS_BACKEND=jax JAX_COMPILATION_CACHE_DIR=.tox/keras-jax/xla-cache ... \\
        .tox/keras-jax/bin/python benchmarks/bench_jax_dispatch.py --framework keras-jax
"""

from __future__ import annotations

import argparse
import collections
import functools
import platform
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class Meter:
    """Seconds and calls of the wrapped JAX functions, while ``on``."""

    def __init__(self):
        self.seconds = collections.Counter()
        self.calls = collections.Counter()
        self.on = False

    def wrap(self, module, attribute: str, label: str) -> None:
        original = getattr(module, attribute)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            if not self.on:
                return original(*args, **kwargs)
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started
                self.calls[label] += 1

        setattr(module, attribute, timed)

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()


def instrument(meter: Meter) -> None:
    from jax._src import compiler
    from jax._src.interpreters import mlir, pxla

    meter.wrap(mlir, "make_ir_context", "mlir context")
    meter.wrap(pxla, "lower_sharding_computation", "lowering")
    meter.wrap(compiler, "_cache_read", "cache read")
    meter.wrap(compiler, "_compile_and_write_cache", "compile")


def checks(adapter, cases):
    """(case as judged, call) for every check the corpus run gives this adapter a value for."""
    from conformance.adapters.base import Unsupported

    quantities = getattr(adapter, "quantities", ("output",))
    for case in cases:
        if case.op != adapter.op or case.dtype not in adapter.dtypes or case.expect == "error":
            continue
        for quantity in case.check:
            if quantity not in quantities:
                continue
            judged = case.judging(quantity)
            call = adapter.express(judged)
            if not isinstance(call, Unsupported):
                yield judged, call


def timed_pass(adapter, work) -> tuple[list[float], list]:
    """(seconds per check, each check's output or None where the framework refused it)."""
    seconds, outputs = [], []
    for case, call in work:
        started = time.perf_counter()
        try:
            outputs.append(adapter.execute(case, call))
        except Exception:  # a refusal is a check too: its time counts as the run's does
            outputs.append(None)
        seconds.append(time.perf_counter() - started)
    return seconds, outputs


def jit_pass(adapter, work, eager_outputs):
    """(seconds per check, checks whose jitted output is not the eager one bit for bit) where
    the adapter is one lax call on the canonical kernel; None for the others."""
    import jax
    import numpy as np

    from conformance.adapters.jax_api import (
        JaxConvGeneralDilated,
        JaxConvTranspose,
        JaxConvTransposeNoTransposeKernel,
        lax_kwargs,
    )

    if type(adapter) not in (JaxConvTranspose, JaxConvTransposeNoTransposeKernel, JaxConvGeneralDilated):
        return None
    seconds, differ = [], []
    for (case, call), eager in zip(work, eager_outputs):
        started = time.perf_counter()
        try:
            dtype = jax.numpy.dtype(case.dtype)
            x, w = jax.device_put(case.x.astype(dtype)), jax.device_put(case.w.astype(dtype))
            function = getattr(jax.lax, call.api.rpartition(".")[2])
            out = np.asarray(jax.jit(functools.partial(function, **lax_kwargs(call)))(x, w)).astype(np.float64)
        except Exception:
            out = None
        seconds.append(time.perf_counter() - started)
        if (eager is None) != (out is None) or (out is not None and not np.array_equal(eager, out, equal_nan=True)):
            differ.append(case.id)
    return seconds, differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--framework", default="jax", help="jax or keras-jax (KERAS_BACKEND=jax)")
    parser.add_argument("--adapter", action="append", default=[], help="only these adapters (repeatable)")
    parser.add_argument("--jit", action="store_true", help="also time the lax calls wrapped in jax.jit")
    parser.add_argument("paths", nargs="*", default=[str(ROOT / "cases")])
    args = parser.parse_args()

    import jax
    import jaxlib

    from conformance.adapters import adapters_for_framework
    from conformance.loader import load_paths

    meter = Meter()
    instrument(meter)
    cases = load_paths(args.paths).cases
    chosen = [cls() for cls in adapters_for_framework(args.framework) if not args.adapter or cls.name in args.adapter]
    print(f"jax {jax.__version__}, jaxlib {jaxlib.__version__}, {platform.processor() or platform.machine()}, "
          f"{len(cases)} cases; persistent cache: {jax.config.jax_compilation_cache_dir or 'off'}")
    print("\n| adapter | checks | ms/check, first pass | programs lowered/check | ms in MLIR context | ms lowering"
          " (context included) | ms cache read | ms compile | ms/check, second pass |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for adapter in chosen:
        work = list(checks(adapter, cases))
        if not work:
            continue
        meter.reset()
        meter.on = True
        first, _ = timed_pass(adapter, work)
        meter.on = False
        second, outputs = timed_pass(adapter, work)
        print(row(adapter.name, first, meter, f"{1000 * statistics.mean(second):.1f}"), flush=True)
        if args.jit:
            meter.reset()
            meter.on = True
            jitted = jit_pass(adapter, work, outputs)
            meter.on = False
            if jitted is not None:
                seconds, differ = jitted
                last = f"({len(differ)} outputs not the eager call's{': ' + ', '.join(differ) if differ else ''})"
                print(row(f"{adapter.name} in jax.jit", seconds, meter, last), flush=True)


def row(name: str, seconds: list[float], meter: Meter, last: str) -> str:
    """One table row: the metered pass's time per check, what the meter counted, ``last``."""
    n = len(seconds)
    per = {label: 1000 * meter.seconds[label] / n for label in ("mlir context", "lowering", "cache read", "compile")}
    return (
        f"| {name} | {n} | {1000 * statistics.mean(seconds):.1f} | {meter.calls['lowering'] / n:.2f} |"
        f" {per['mlir context']:.1f} | {per['lowering']:.1f} | {per['cache read']:.1f} | {per['compile']:.1f} | {last} |"
    )


if __name__ == "__main__":
    main()
