"""Synthetic results files for the report's benchmark and browser test (no framework needed).

The sizes follow real runs: case ids like ``pad-asym-1-2[stride=2,dilation=1]``, one
results file per adapter, UNSUPPORTED where the real APIs refuse (groups, bias, asymmetric
padding...), and about ``failure_rate`` of the results FAIL/ERROR/CRASH/TIMEOUT with the
details the runner writes: a 2D slice of expected and actual, a standalone repro script
laid out as ``conformance.repro`` writes it (float64 literals, zlib+base64 for large
tensors; a case's tensors the same in each of its adapters' scripts) and a traceback. Deterministic for a seed.

    python benchmarks/make_synthetic_results.py --out /tmp/synthetic [--cases 1700]
"""

from __future__ import annotations

import argparse
import base64
import json
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from conformance.results import Result, write_results_file

HOSTILE_DESCRIPTION = "<script>alert(1)</script> and <img src=x onerror=alert(1)> render as text"
HOSTILE_MESSAGE = "values differ </script><script>alert(2)</script> & \u2028 <b>not bold</b>"

# (name, framework, version, op): six transposed-convolution APIs and one convolution, so
# the matrix has n/a cells (the conv adapter on conv_transpose cases and the reverse).
ADAPTERS = (
    ("torch.nn.functional.conv_transpose", "torch", "2.13.0+cpu", "conv_transpose"),
    ("torch.nn.ConvTranspose", "torch", "2.13.0+cpu", "conv_transpose"),
    ("tf.nn.conv_transpose", "tensorflow", "2.21.0", "conv_transpose"),
    ("keras.layers.ConvTranspose", "keras", "3.15.0", "conv_transpose"),
    ("mxnet.nd.Deconvolution", "mxnet", "1.9.1", "conv_transpose"),
    ("mxnet.gluon.nn.ConvTranspose", "mxnet", "1.9.1", "conv_transpose"),
    ("torch.nn.functional.conv", "torch", "2.13.0+cpu", "conv"),
)
FAMILIES = ("stride", "padding", "dilation", "groups", "output_padding", "output_shape", "bias", "dtype")
DIAGNOSES = (
    "kernel-flipped",
    "kernel-in-out-swapped",
    "spatial-axes-transposed",
    "window-shifted(0,1)",
    "output-padding-at-start",
    "unexplained",
)
LITERAL_LIMIT = 2000


@dataclass
class SyntheticCase:
    id: str
    file: str
    line: int
    op: str
    tags: list[str]
    description: str
    params: dict
    x_shape: tuple[int, ...]
    w_shape: tuple[int, ...]
    out_shape: tuple[int, ...]


def make_cases(n_transposed: int, n_conv: int, rng: np.random.Generator, hostile: bool) -> list[SyntheticCase]:
    cases = []
    for index in range(n_transposed + n_conv):
        op = "conv_transpose" if index < n_transposed else "conv"
        family = FAMILIES[index % len(FAMILIES)]
        stride, dilation = int(rng.integers(1, 4)), int(rng.integers(1, 3))
        before = after = int(rng.integers(0, 3))
        if family == "padding" and rng.uniform() < 0.6 and not (hostile and index == 1):
            after = (before + int(rng.integers(1, 3))) % 3  # asymmetric: several APIs cannot say it
        groups = int(rng.choice([1, 1, 1, 2])) if family == "groups" else 1
        c_in, c_out = 2 * groups, 3 * groups
        length = int(rng.integers(3, 9))
        kernel = int(rng.integers(2, 5))
        full = (length - 1) * stride + dilation * (kernel - 1) + 1
        out = (
            max(1, full - before - after)
            if op == "conv_transpose"
            else max(1, (length + before + after - dilation * (kernel - 1) - 1) // stride + 1)
        )
        shape = "asym" if before != after else "sym"
        case_id = f"{family}-{shape}-{before}-{after}-{index}[stride={stride},dilation={dilation}]"
        description = f"{op} with {family} ({before}, {after}) padding, stride {stride}, dilation {dilation}"
        if hostile and index == 1:
            description = HOSTILE_DESCRIPTION
        params = {
            "op": op,
            "dtype": "float16" if family == "dtype" else "float32",
            "input_shape": [1, c_in, length, length],
            "kernel_shape": [c_in, c_out // groups, kernel, kernel]
            if op == "conv_transpose"
            else [c_out, c_in // groups, kernel, kernel],
            "bias": family == "bias",
            "stride": [stride, stride],
            "dilation": [dilation, dilation],
            "padding": [[before, after], [before, after]],
            "output_padding": [0, 0],
            "output_shape": None,
            "groups": groups,
            "expect": "ok",
        }
        cases.append(
            SyntheticCase(
                id=case_id,
                file=f"cases/generated/{op}_{family}.yaml",
                line=3 + 12 * (index // len(FAMILIES)),
                op=op,
                tags=[family, "2d"],
                description=description,
                params=params,
                x_shape=tuple(params["input_shape"]),
                w_shape=tuple(params["kernel_shape"]),
                out_shape=(1, c_out, out, out),
            )
        )
    return cases


def unsupported_reason(adapter: str, case: SyntheticCase) -> str | None:
    """The reasons the real adapters give, on the parameters that cause them."""
    p = case.params
    asymmetric = any(b != a for b, a in p["padding"])
    if adapter == "tf.nn.conv_transpose" and p["groups"] > 1:
        return "groups"
    if adapter == "tf.nn.conv_transpose" and p["bias"]:
        return "bias"
    if adapter.startswith("torch.") and asymmetric:
        return "asymmetric padding"
    if adapter == "keras.layers.ConvTranspose" and asymmetric:
        return "explicit padding"
    if adapter == "keras.layers.ConvTranspose" and max(p["dilation"]) > 1 and max(p["stride"]) > 1:
        return "dilation with stride"
    if adapter.startswith("mxnet.") and p["dtype"] == "float16":
        return "dtype float16"
    if adapter.startswith("mxnet.") and asymmetric:
        return "asymmetric padding"
    return None


def tensor_source(name: str, array: np.ndarray) -> str:
    """As conformance.repro writes tensors: literals when small, packed bytes when large."""
    if array.size <= LITERAL_LIMIT:
        return f"{name} = np.array({array.tolist()!r}, dtype=np.float64).reshape({tuple(array.shape)!r})"
    packed = base64.b64encode(zlib.compress(array.astype("<f8").tobytes(), 9)).decode("ascii")
    body = "\n".join(f'    "{packed[i : i + 100]}"' for i in range(0, len(packed), 100))
    return f"{name} = unpack(\n{body},\n    {tuple(array.shape)!r},\n)"


def float32_values(rng: np.random.Generator, shape) -> np.ndarray:
    return rng.standard_normal(shape).astype(np.float32).astype(np.float64)


def case_tensors(case: SyntheticCase) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The case's x, w and expected output: the same for every adapter's script of the case,
    as conformance.repro writes a case's own tensors and the oracle's one output (float64 with
    every mantissa bit in use, as an output of float32 products summed in float64 is)."""
    rng = np.random.default_rng(zlib.crc32(case.id.encode()))
    return float32_values(rng, case.x_shape), float32_values(rng, case.w_shape), rng.standard_normal(case.out_shape)


def repro_script(adapter: str, framework: str, version: str, case: SyntheticCase, rng: np.random.Generator) -> str:
    x, w, expected = case_tensors(case)
    # the draws the script's tensors once took from the run's generator, still taken: a seed
    # gives the statuses, slices and messages it gave before (the browser tests pick cells by them)
    float32_values(rng, case.x_shape), float32_values(rng, case.w_shape), rng.standard_normal(case.out_shape)
    lines = [
        "#!/usr/bin/env python3",
        f"# Repro: {adapter} on conformance case {case.id!r}",
        f"# case:        {case.id} ({case.file}:{case.line})",
        f"# description: {case.description}",
        f"# parameters:  {json.dumps(case.params, separators=(', ', ': '))}",
        f"# native call: {adapter}(stride={case.params['stride']}, padding={case.params['padding']})",
        f"# framework:   {framework} {version}, numpy 2.4.0, python 3.11.2",
        f'# install:     pip install "{framework}=={version.split("+")[0]}" "numpy==2.4.0"',
        "import base64",
        "import zlib",
        "",
        "import numpy as np",
        "",
        "",
        "def unpack(text, shape):",
        '    return np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype="<f8").reshape(shape).copy()',
        "",
        "",
        f"dtype = {case.params['dtype']!r}",
        tensor_source("x", x),
        tensor_source("w", w),
        "b = None",
        tensor_source("expected", expected),
        "",
        f"import {framework}",
        f"y = {adapter}(x, w, stride={case.params['stride']}, padding={case.params['padding']})",
        "y = np.asarray(y, dtype=np.float64)",
        'print("max abs difference:", float(np.max(np.abs(y - expected))))',
    ]
    return "\n".join(lines) + "\n"


def failing_slice(diagnosis: str, case: SyntheticCase, rng: np.random.Generator) -> dict:
    side = case.out_shape[-1]
    expected = float32_values(rng, (side, side))
    if diagnosis == "kernel-flipped":
        actual = expected[::-1, ::-1].copy()
    elif diagnosis == "spatial-axes-transposed":
        actual = expected.T.copy()
    elif diagnosis.startswith("window-shifted"):
        actual = np.roll(expected, 1, axis=1)
    else:
        actual = expected + rng.standard_normal(expected.shape) * 1e-2
    worst = np.unravel_index(int(np.argmax(np.abs(actual - expected))), expected.shape)
    return {
        "label": "n=0, c=1",
        "index": [0, 1, int(worst[0]), int(worst[1])],
        "origin": [0, 0],
        "expected": expected.tolist(),
        "actual": actual.tolist(),
    }


def traceback_text(adapter: str) -> str:
    return (
        "Traceback (most recent call last):\n"
        '  File "conformance/runner/executor_child.py", line 88, in run\n'
        "    value = adapter.execute(case, call)\n"
        f'  File "conformance/adapters/{adapter.split(".")[0]}_api.py", line 141, in execute\n'
        "    y = fn(x, w, **call.kwargs)\n"
        "RuntimeError: Given transposed=1, weight of size [2, 3, 3, 3], expected input[1, 4, 5, 5] "
        "to have 2 channels, but got 4 channels instead\n"
    )


def synthetic_result(adapter, framework, version, case, rng, failure_rate: float, hostile: bool) -> Result:
    p = case.params
    native = {
        "api": adapter,
        "kwargs": {
            "stride": p["stride"],
            "padding": [b for b, _ in p["padding"]],
            "dilation": p["dilation"],
            "groups": p["groups"],
        },
        "input_layout": "NHWC" if framework in ("tensorflow", "keras") else "NCHW",
        "kernel_layout": "HWOI" if framework in ("tensorflow", "keras") else "IOHW",
        "note": "",
    }
    native["text"] = f"{adapter}(" + ", ".join(f"{k}={v!r}" for k, v in native["kwargs"].items()) + ")"
    result = Result(
        case=case.id,
        file=case.file,
        line=case.line,
        op=case.op,
        status="PASS",
        adapter=adapter,
        description=case.description,
        tags=list(case.tags),
        params=p,
        native=native,
        shape=list(case.out_shape),
        expected_shape=list(case.out_shape),
        max_abs_err=float(abs(rng.normal()) * 1e-7),
        err_ratio=float(rng.uniform(0, 0.4)),
        duration_s=float(rng.uniform(2e-3, 2e-2)),
        framework_s=float(rng.uniform(1e-4, 2e-3)),
        oracle_s=float(rng.uniform(5e-5, 5e-4)),
    )
    reason = unsupported_reason(adapter, case)
    if reason:
        result.status = result.expected_status = "UNSUPPORTED"
        result.message = f"{reason}: {adapter} cannot express {p['padding']}"
        result.unsupported_reason = reason
        result.native = None
        result.shape = result.max_abs_err = result.err_ratio = None
        result.details = {"slice": None, "repro": None, "traceback": None, "doc": "https://example.org/api-docs"}
        return result
    draw = rng.uniform()
    if hostile and case.description == HOSTILE_DESCRIPTION and adapter == ADAPTERS[0][0]:
        draw = 0.0  # the hostile case fails with a hostile message: both reach the page
    if draw >= failure_rate:
        return result
    status = (
        "FAIL"
        if draw < 0.8 * failure_rate
        else ("ERROR" if draw < 0.94 * failure_rate else rng.choice(["CRASH", "TIMEOUT"]))
    )
    result.status = str(status)
    result.details = {"slice": None, "repro": repro_script(adapter, framework, version, case, rng), "traceback": None}
    if result.status == "FAIL":
        result.diagnosis = DIAGNOSES[int(rng.integers(len(DIAGNOSES)))]
        result.max_abs_err = float(rng.uniform(0.1, 3))
        result.err_ratio = float(rng.uniform(1e3, 1e7))
        result.message = (
            f"values differ: max abs error {result.max_abs_err:.3g} at (0, 1, 2, 3), "
            f"err_ratio {result.err_ratio:.3g} > 1"
        )
        if hostile and case.description == HOSTILE_DESCRIPTION:
            result.message = HOSTILE_MESSAGE
        result.details["slice"] = failing_slice(result.diagnosis, case, rng)
    else:
        result.shape = result.max_abs_err = result.err_ratio = None
        result.message = {
            "ERROR": "RuntimeError: expected input to have 2 channels, but got 4 channels instead",
            "CRASH": "the process died: signal 11 (SIGSEGV)",
            "TIMEOUT": "no answer in 60 s",
        }[result.status]
        result.details["traceback"] = traceback_text(adapter)
    if rng.uniform() < 0.7:  # most problems are known and listed in the expectations file
        result.expected_status = result.status
        result.expectation_reason = f"{adapter} {result.status.lower()}s here: known upstream"
        result.expectation_link = "https://github.com/example/framework/issues/1234"
    return result


def adapter_list(n_adapters: int | None) -> list[tuple[str, str, str, str]]:
    """ADAPTERS, or ``n_adapters`` of them: ADAPTERS again and again, each further round's
    names marked ``@r2``, ``@r3``... (a report of 40+ adapters, as issue 11 sizes it, has about
    one conv column for six conv_transpose ones, as ADAPTERS has)."""
    if n_adapters is None:
        return list(ADAPTERS)
    return [
        (name if i < len(ADAPTERS) else f"{name}@r{i // len(ADAPTERS) + 1}", framework, version, op)
        for i, (name, framework, version, op) in ((i, ADAPTERS[i % len(ADAPTERS)]) for i in range(n_adapters))
    ]


def synthetic_runs(
    n_cases: int = 1700,
    n_conv_cases: int = 100,
    failure_rate: float = 0.06,
    seed: int = 0,
    hostile: bool = True,
    n_adapters: int | None = None,
) -> list[tuple[dict, list[Result]]]:
    """(run_info, results) per adapter (ADAPTERS, or ``n_adapters``: see adapter_list); each
    adapter gets the cases of its op."""
    rng = np.random.default_rng(seed)
    cases = make_cases(n_cases, n_conv_cases, rng, hostile)
    runs = []
    for hour, (adapter, framework, version, op) in enumerate(adapter_list(n_adapters)):
        results = [
            synthetic_result(adapter, framework, version, c, rng, failure_rate, hostile) for c in cases if c.op == op
        ]
        info = {
            "adapter": adapter,
            "framework": framework,
            "framework_version": version,
            "python": "3.11.2",
            "numpy": "2.4.0",
            "platform": "Linux-6.1.0-x86_64-with-glibc2.36",
            "machine": "ci-runner-3",
            "device": "cpu",
            "suite_version": "0.1.0",
            "time_start": f"2025-01-01T{hour % 24:02d}:00:00+00:00",
            "time_end": f"2025-01-01T{hour % 24:02d}:03:27+00:00",
        }
        runs.append((info, results))
    return runs


def write_synthetic_results(directory: str | Path, **options) -> list[Path]:
    directory = Path(directory)
    return [
        write_results_file(directory / f"{info['adapter']}.json", info, results)
        for info, results in synthetic_runs(**options)
    ]


def count_results(paths) -> int:
    return sum(len(json.loads(Path(p).read_text())["results"]) for p in paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder for the results files")
    parser.add_argument("--cases", type=int, default=1700, help="conv_transpose cases (6 adapters each)")
    parser.add_argument("--conv-cases", type=int, default=100, help="conv cases (1 adapter each)")
    parser.add_argument("--failure-rate", type=float, default=0.06, help="share of expressed results that do not pass")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--adapters", type=int, help="this many adapters instead of the 7 (six conv_transpose to one conv)")
    args = parser.parse_args()
    paths = write_synthetic_results(
        args.out, n_cases=args.cases, n_conv_cases=args.conv_cases, failure_rate=args.failure_rate, seed=args.seed,
        n_adapters=args.adapters,
    )
    print(f"wrote {count_results(paths)} results in {len(paths)} files under {args.out}")


if __name__ == "__main__":
    main()
