"""Standalone repro scripts: one failing case as a Python file that needs only the framework and numpy.

``build_repro(case, adapter, call, reference)`` writes the inputs exactly (literal lists
for small tensors, zlib + base64 float64 bytes for large or non-finite ones), the
adapter's own ``repro_source`` lines with the native call spelled out, and a comparison
with the expected output. The script is meant to be pasted into an upstream issue, so it
imports nothing from conformance.

``python -m conformance.repro RESULTS_FILE CASE_ID`` prints the script a results file
stored for a case (the hint the pytest plugin prints under a failure).
"""

from __future__ import annotations

import base64
import json
import platform
import sys
import zlib

import numpy as np

from .bound import error_bound

# Beyond this many elements a tensor is written as packed bytes rather than a literal.
LITERAL_LIMIT = 2000
# Outputs up to this size are printed in full.
PRINT_LIMIT = 256

COMPARE_EXPECTED = '''
y = np.asarray(y, dtype=np.float64)
print("framework output shape:", y.shape)
print("expected output shape: ", expected.shape)
if y.shape != expected.shape:
    print("the shapes differ")
    print("verdict: FAIL (wrong shape)")
else:
    difference = np.abs(y - expected)
    worst = np.unravel_index(int(np.argmax(np.nan_to_num(difference, nan=np.inf))), y.shape)
    print("max abs difference:", repr(float(np.max(difference))), "at", tuple(int(i) for i in worst))
    # bound: the suite's per-element error bound for this case and dtype, rounded up to 3
    # digits (its SPEC.md "Comparing": n u (|x| (op) |w|) + u |expected| + tiny, n the
    # products per output)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = float(np.max(np.where(np.isfinite(expected), difference / bound, 0.0)))
    print("err_ratio:", f"{{ratio:.3g}}", "(max |y - expected| / bound)")
    print("verdict:", "PASS" if ratio <= {factor!r} else "FAIL", "(passes at err_ratio <= {factor!r})")
if y.size <= {limit} and expected.size <= {limit}:
    np.set_printoptions(precision=6, suppress=True, linewidth=120)
    print("framework output:")
    print(y)
    print("expected output:")
    print(expected)
'''

COMPARE_SHAPE = '''
y = tuple(int(size) for size in y)  # a shape-only call: the inferred output shape
print("inferred output shape:", y)
print("expected output shape:", expected.shape)
print("the same shape" if y == expected.shape else "the shapes differ")
'''

COMPARE_SHAPE_REFUSAL = '''
print("the framework accepted the invalid case; inferred output shape:", tuple(int(size) for size in y))
print("expected: an error, because", {why!r})
'''

COMPARE_REFUSAL = '''
y = np.asarray(y, dtype=np.float64)
print("the framework accepted the invalid case; output shape:", y.shape)
print("expected: an error, because", {why!r})
'''


def rounded_up(bound: np.ndarray, digits: int = 3) -> np.ndarray:
    """The bound to ``digits`` significant digits, rounded up: short to print (a report holds
    thousands of repro scripts) and never stricter than the suite's own bound."""
    bound = np.asarray(bound, dtype=np.float64)
    out = bound.copy()
    positive = np.isfinite(bound) & (bound > 0)
    exponent = np.floor(np.log10(bound[positive])) - (digits - 1)
    steps = np.ceil(bound[positive] / 10.0**exponent)
    out[positive] = _decimal(steps, exponent, digits)
    # a value printed from the rounded decimal may still fall a hair below the bound
    low = out < bound
    out[low] = np.nextafter(out[low], np.inf)
    return out


def _decimal(steps: np.ndarray, exponent: np.ndarray, digits: int) -> np.ndarray:
    """The float nearest to ``steps`` x 10**``exponent`` printed to ``digits`` significant
    digits and read back (``float(f"{v:.2e}")``), without a string per element (a large
    output's repro took a tenth of a second to print its bound element by element).

    ``steps`` is an integer below 10**``digits``, so that decimal is ``steps`` x 10**e
    itself; for |e| <= 22, 10**e is an exact float and one multiplication (e >= 0) or
    division (e < 0) rounds that exact decimal once, to nearest: the float that reading the
    string gives. Other elements (steps outside [10**(digits-1), 10**digits], |e| > 22)
    take the string.
    """
    values = steps * 10.0**exponent
    exact = (np.abs(exponent) <= 22) & (steps >= 10 ** (digits - 1)) & (steps <= 10**digits)
    power = 10.0 ** np.abs(np.where(exact, exponent, 0.0))
    out = np.where(exponent >= 0, steps * power, steps / power)
    out[~exact] = [float(f"{value:.{digits - 1}e}") for value in values[~exact]]
    return out


def tensor_source(name: str, array: np.ndarray | None) -> str:
    """``name = ...`` reproducing ``array`` bit for bit (float64)."""
    if array is None:
        return f"{name} = None"
    array = np.asarray(array, dtype=np.float64)
    if array.size <= LITERAL_LIMIT and np.isfinite(array).all():
        # repr of a Python float is the shortest string that reads back as the same float.
        return f"{name} = np.array({array.tolist()!r}, dtype=np.float64).reshape({tuple(array.shape)!r})"
    packed = base64.b64encode(zlib.compress(array.astype("<f8").tobytes(), 1)).decode("ascii")
    lines = [packed[i : i + 100] for i in range(0, len(packed), 100)]
    body = "\n".join(f'    "{line}"' for line in lines)
    return f"{name} = unpack(\n{body},\n    {tuple(array.shape)!r},\n)"


def pip_line(adapter, version: str | None) -> str:
    """``pip install`` of the adapter's distribution at the version that ran, its extras and
    numpy; an adapter whose framework is not a Python package (npm) gives its own line."""
    own = adapter.install_line(version)
    if own:
        return own
    package = adapter.pip_package or adapter.module.split(".")[0]
    # A local version label (torch's "+cpu") names a build, not a release on PyPI.
    pinned = f'"{package}=={version.split("+")[0]}"' if version and version != "unknown" else package
    extras = "".join(f' "{extra}"' for extra in adapter.pip_extras)
    return f'pip install {pinned}{extras} "numpy=={np.__version__}"'


def build_repro(
    case,
    adapter,
    call,
    reference,
    framework_version: str | None = None,
    why_invalid: str = "",
    reference_abs=None,
    quantity: str = "output",
) -> str:
    """The script for ``case`` on ``adapter`` with the expressed ``call``.

    ``reference`` is the oracle's output, or None for an ``expect: error`` case (then the
    script reports that the framework accepted it; ``why_invalid`` says what is wrong).
    ``framework_version`` defaults to importing the framework here. ``reference_abs`` (the
    oracle on ``|x|``, ``|w|``: the bound's magnitude) is computed when the caller has none.
    ``quantity`` is what ``reference`` is: the output or a gradient (SPEC "Gradients"); a
    gradient's script also defines ``g``, the upstream gradient, and its rendered call
    leaves the gradient as ``y``.
    """
    if framework_version is None:
        framework_version = adapter.framework_version()
    if getattr(adapter, "repro_language", "python") == "javascript":  # a .mjs file run with node
        from .repro_js import build_js_repro

        return build_js_repro(case, adapter, call, reference, framework_version, why_invalid, reference_abs, quantity)
    params = json.dumps(case.params(), separators=(", ", ": "))
    gradient_words = f": its {quantity}" if quantity != "output" else ""
    header = [
        "#!/usr/bin/env python3",
        f"# Repro: {adapter.name} on conformance case {case.id!r}",
        f"# case:        {case.id} ({case.file}:{case.line})",
    ]
    if case.description:
        header.append(f"# description: {case.description}")
    header += [
        f"# parameters:  {params}",
        (
            "#              (canonical, channels first; conv kernel (C_out, C_in/groups, *k), "
            "conv_transpose kernel (C_in, C_out/groups, *k))"
        ),
        f"# native call: {call.describe()}",
        *([f"# judged:      {quantity}, the gradient for the upstream gradient g (the output's shape)"]
          if quantity != "output" else []),
        (
            f"# framework:   {adapter.module} {framework_version}, numpy {np.__version__}, "
            f"python {platform.python_version()}"
        ),
        f"# install:     {pip_line(adapter, framework_version)}",
        f"# expected:    the float64 NumPy reference of the canonical semantics (conformance SPEC.md){gradient_words}"
        if reference is not None
        else "# expected:    the framework refuses this invalid case",
        "import base64",
        "import zlib",
        "",
        "import numpy as np",
        "",
        "",
        "def unpack(text, shape):",
        '    """float64 values stored as zlib-compressed, base64-encoded little-endian bytes."""',
        '    return np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype="<f8").reshape(shape).copy()',
        "",
        "",
        f"dtype = {case.dtype!r}",
        tensor_source("x", case.x),
        tensor_source("w", case.w),
        tensor_source("b", case.b),
        *([tensor_source("g", case.grad_output)] if quantity != "output" else []),
    ]
    if reference is not None:
        header.append(tensor_source("expected", reference))
        if getattr(adapter, "judges", "values") == "values":
            header.append(tensor_source("bound", rounded_up(error_bound(case, reference_abs, reference, quantity))))
    body = ["", "# The framework call (canonical layout in, canonical layout out as y):"]
    body.append(adapter.repro_source(case, call).rstrip("\n"))
    shape_only = getattr(adapter, "judges", "values") == "shape"
    if reference is not None:
        tail = COMPARE_SHAPE if shape_only else COMPARE_EXPECTED.format(limit=PRINT_LIMIT, factor=case.tolerance_factor)
    else:
        refusal = COMPARE_SHAPE_REFUSAL if shape_only else COMPARE_REFUSAL
        tail = refusal.format(why=why_invalid or "the case is invalid")
    return "\n".join(header + body) + "\n" + tail


def main(argv: list[str] | None = None) -> int:
    """Print the repro stored for CASE_ID in RESULTS_FILE. CASE_ID may be a report row's id,
    ``<case>::<quantity>``, for one gradient of a gradient adapter's file; a plain case id
    takes that case's first result."""
    from .results import ResultsFileError, read_results_file

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m conformance.repro RESULTS_FILE CASE_ID", file=sys.stderr)
        return 2
    path, case_id = args
    try:
        _, results = read_results_file(path)
    except ResultsFileError as err:
        print(err, file=sys.stderr)
        return 1
    by_row = [r for r in results if r.key == case_id]
    found = by_row or [r for r in results if r.case == case_id]
    if not found:
        print(f"{path}: no result for case {case_id!r}", file=sys.stderr)
        return 1
    result = found[0]
    script = (result.details or {}).get("repro")
    if not script:
        print(f"{path}: case {case_id!r} ({result.status}) has no repro script", file=sys.stderr)
        return 1
    sys.stdout.write(script)
    return 0


if __name__ == "__main__":
    sys.exit(main())
