"""Time the oracle against torch's float64 CPU convolutions in one process, same threads.

Run with the torch virtualenv (the oracle itself needs only numpy):

    .tox/torch/bin/python benchmarks/bench_oracle.py [--repeats 30] [--threads N]

torch gets as many intra-op threads as numpy's BLAS has (read with threadpoolctl when it is
installed, else torch's default is kept and both are printed), so the ratio compares the
two implementations, not the thread counts; the two are timed alternately, so that other
processes' load falls on both alike. Prints one line per workload and the environment that
decides BLAS speed (OPENBLAS_CORETYPE, the kernel OpenBLAS picked).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np

from conformance.case import Case
from conformance.oracle import direct, gradients

# The workloads of the brief: a stride-2 upsampling layer and the conv it is the transpose of.
WORKLOADS = {
    "conv_transpose2d": dict(op="conv_transpose", x=(4, 32, 32, 32), w=(32, 32, 4, 4), stride=2, padding=1),
    "conv2d": dict(op="conv", x=(4, 32, 64, 64), w=(32, 32, 4, 4), stride=2, padding=1),
}


def blas_info() -> list[dict]:
    """threadpoolctl's view of the loaded BLAS/OpenMP libraries, or [] without it."""
    try:
        import threadpoolctl
    except ImportError:
        return []
    return threadpoolctl.threadpool_info()


def numpy_blas_threads(info: list[dict]) -> int | None:
    for lib in info:
        if lib.get("user_api") == "blas" and "numpy" in lib.get("filepath", ""):
            return lib["num_threads"]
    return None


def interleaved_medians(first, second, repeats: int) -> tuple[float, float]:
    """Median seconds of two functions timed alternately, so that load from other
    processes falls on both alike (this machine's 2 cores are shared)."""
    first(), second()  # warm-up: first-call allocations and lazy initialisation
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for function, spent in zip((first, second), times):
            start = time.perf_counter()
            function()
            spent.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def make_case(spec: dict) -> Case:
    rng = np.random.default_rng(0)
    return Case.make(
        "bench",
        spec["op"],
        rng.standard_normal(spec["x"]),
        rng.standard_normal(spec["w"]),
        stride=spec["stride"],
        padding=spec["padding"],
        dtype="float64",
    )


def torch_call(torch, case: Case):
    x, w = torch.from_numpy(case.x), torch.from_numpy(case.w)
    stride, padding = case.stride, tuple(p[0] for p in case.padding)
    if case.op == "conv":
        return lambda: torch.nn.functional.conv2d(x, w, stride=stride, padding=padding)
    return lambda: torch.nn.functional.conv_transpose2d(x, w, stride=stride, padding=padding)


def gradient_case(spec: dict) -> tuple[Case, np.ndarray]:
    """The workload with a bias, and an upstream gradient of its output's shape."""
    case = make_case(spec)
    rng = np.random.default_rng(1)
    case = Case.make("bench", case.op, case.x, case.w, rng.standard_normal(case.out_channels),
                     stride=spec["stride"], padding=spec["padding"], dtype="float64")
    return case, rng.standard_normal(direct.evaluate(case).shape)


def torch_backward(torch, case: Case, g: np.ndarray):
    """torch autograd's backward of the layer (forward recorded once, graph retained):
    the gradients w.r.t. input, kernel and bias together, as the oracle computes them."""
    x, w, b = (torch.from_numpy(a).requires_grad_() for a in (case.x, case.w, case.b))
    stride, padding = case.stride, tuple(p[0] for p in case.padding)
    function = torch.nn.functional.conv2d if case.op == "conv" else torch.nn.functional.conv_transpose2d
    y = function(x, w, b, stride=stride, padding=padding)
    upstream = torch.from_numpy(g)
    return lambda: torch.autograd.grad(y, (x, w, b), upstream, retain_graph=True)


def bench_gradients(torch, repeats: int) -> float:
    """One line per workload: the oracle's three gradients against torch's; the worst ratio."""
    worst = 0.0
    for name, spec in WORKLOADS.items():
        case, g = gradient_case(spec)
        backward = torch_backward(torch, case, g)
        theirs = [t.numpy() for t in backward()]
        ours = gradients.gradients(case, g)
        agreement = max(float(np.max(np.abs(a - b))) for a, b in zip(ours, theirs))
        scale = max(float(np.max(np.abs(b))) for b in theirs)
        if any(a.shape != b.shape for a, b in zip(ours, theirs)) or agreement > 1e-9 * scale:
            print(f"{name} gradients: the oracle and torch disagree (max abs diff {agreement:.3g}): not timing",
                  file=sys.stderr)
            return float("inf")
        oracle_s, torch_s = interleaved_medians(lambda: gradients.gradients(case, g), backward, repeats)
        ratio = oracle_s / torch_s
        worst = max(worst, ratio)
        print(
            f"{name} gradients (input, kernel, bias): oracle {oracle_s * 1e3:.2f} ms, "
            f"torch autograd {torch_s * 1e3:.2f} ms, ratio {ratio:.2f} (max |oracle - torch| {agreement:.1e})"
        )
    return worst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument(
        "--threads", type=int, help="limit numpy's BLAS (needs threadpoolctl) and torch to this many threads"
    )
    args = parser.parse_args(argv)

    import torch

    if args.threads is not None:
        import threadpoolctl

        threadpoolctl.threadpool_limits(args.threads, user_api="blas")
    info = blas_info()
    threads = numpy_blas_threads(info)
    if threads is not None:
        torch.set_num_threads(threads)
    print(f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}")
    print(f"cpu: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS"):
        print(f"{name}={os.environ.get(name, '(unset)')}")
    for lib in info:
        if lib.get("user_api") == "blas":
            print(f"blas: {lib['internal_api']} {lib['version']} kernel={lib.get('architecture')} threads={lib['num_threads']}")
    print(f"numpy BLAS threads: {threads if threads is not None else 'unknown (pip install threadpoolctl)'}; "
          f"torch threads: {torch.get_num_threads()}")

    worst = 0.0
    for name, spec in WORKLOADS.items():
        case = make_case(spec)
        reference = torch_call(torch, case)().numpy()
        ours = direct.evaluate(case)
        agreement = float(np.max(np.abs(ours - reference)))
        if ours.shape != reference.shape or agreement > 1e-9 * float(np.max(np.abs(reference))):
            print(f"{name}: the oracle and torch disagree (max abs diff {agreement:.3g}): not timing", file=sys.stderr)
            return 1
        oracle_s, torch_s = interleaved_medians(lambda: direct.evaluate(case), torch_call(torch, case), args.repeats)
        ratio = oracle_s / torch_s
        worst = max(worst, ratio)
        print(
            f"{name}: x{spec['x']} w{spec['w']} stride {spec['stride']} padding {spec['padding']}: "
            f"oracle {oracle_s * 1e3:.2f} ms, torch {torch_s * 1e3:.2f} ms, ratio {ratio:.2f} "
            f"(max |oracle - torch| {agreement:.1e})"
        )
    print(f"worst ratio {worst:.2f} (target <= 1.5)")
    worst_gradients = bench_gradients(torch, args.repeats)
    print(f"worst gradient ratio {worst_gradients:.2f} (target <= 1.5)")
    return 0 if worst_gradients != float("inf") else 1


if __name__ == "__main__":
    sys.exit(main())
