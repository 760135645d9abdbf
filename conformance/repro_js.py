"""Standalone repro scripts of JavaScript adapters: one ``.mjs`` file run with ``node``.

The same parts as ``repro.build_repro``'s Python script, in JavaScript: a header naming the
case, the call, the versions and the ``npm install`` line; the inputs bit for bit (literal
arrays: JSON's shortest round-trip decimals read back as the same doubles; large or
non-finite tensors as zlib + base64 float64 bytes, inflated with node's zlib); the adapter's
``repro_source`` (the text the run executed); the comparison with the expected output under
the suite's bound, ending with the verdict. It imports only node's built-ins and the
framework's packages, so it runs from any folder where the install line was run.
"""

from __future__ import annotations

import base64
import json
import zlib

import numpy as np

from .bound import error_bound
from .repro import LITERAL_LIMIT, PRINT_LIMIT, rounded_up

HELPERS = """\
import zlib from 'node:zlib';

// A float64 tensor: {shape, data: Float64Array}, row-major, the canonical layout.
const tensor = (values, shape) => ({ shape, data: Float64Array.from(values) });
// float64 values stored as zlib-compressed, base64-encoded little-endian bytes.
function unpack(text, shape) {
  const bytes = zlib.inflateSync(Buffer.from(text, 'base64'));
  const data = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(data.buffer).set(bytes);
  return { shape, data };
}"""

SHAPE_TEXT = """\
// A shape as Python prints a tuple, like the suite's other repro scripts.
const shapeText = (shape) => (shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`);
const sameShape = (a, b) => a.length === b.length && a.every((size, i) => size === b[i]);"""

COMPARE_EXPECTED = """
{shape_text}
console.log('framework output shape:', shapeText(y.shape));
console.log('expected output shape: ', shapeText(expected.shape));
if (!sameShape(y.shape, expected.shape)) {{
  console.log('the shapes differ');
  console.log('verdict: FAIL (wrong shape)');
}} else {{
  let worst = 0, at = 0, ratio = 0;
  for (let i = 0; i < expected.data.length; i++) {{
    const difference = Math.abs(Number(y.data[i]) - expected.data[i]);
    if (!(difference <= worst)) {{ worst = difference; at = i; }}  // a NaN difference is the worst
    // bound: the suite's per-element error bound for this case and dtype, rounded up to 3
    // digits (its SPEC.md "Comparing": n u (|x| (op) |w|) + u |expected| + tiny)
    if (Number.isFinite(expected.data[i])) ratio = Math.max(ratio, difference / bound.data[i]);
    if (Number.isNaN(difference) && Number.isFinite(expected.data[i])) ratio = NaN;
  }}
  const index = expected.shape.map((_, d) => Math.floor(at / expected.shape.slice(d + 1).reduce((p, s) => p * s, 1)) % expected.shape[d]);
  console.log('max abs difference:', worst, 'at', shapeText(index));
  console.log('err_ratio:', Number(ratio.toPrecision(3)), '(max |y - expected| / bound)');
  console.log('verdict:', ratio <= {factor} ? 'PASS' : 'FAIL', '(passes at err_ratio <= {factor})');
}}
if (y.data.length <= {limit} && expected.data.length <= {limit}) {{
  console.log('framework output:', Array.from(y.data, Number));
  console.log('expected output: ', Array.from(expected.data));
}}
"""

COMPARE_REFUSAL = """
{shape_text}
console.log('the framework accepted the invalid case; output shape:', shapeText(y.shape));
console.log('expected: an error, because', {why});
"""


def tensor_source(name: str, array: np.ndarray | None) -> str:
    """``const name = ...`` reproducing ``array`` bit for bit (float64)."""
    if array is None:
        return f"const {name} = null;"
    array = np.asarray(array, dtype=np.float64)
    shape = json.dumps(list(array.shape))
    if array.size <= LITERAL_LIMIT and np.isfinite(array).all():
        return f"const {name} = tensor({json.dumps(array.ravel().tolist())}, {shape});"
    packed = base64.b64encode(zlib.compress(array.astype("<f8").tobytes(), 1)).decode("ascii")
    lines = [packed[i : i + 100] for i in range(0, len(packed), 100)]
    body = " +\n".join(f"  '{line}'" for line in lines)
    return f"const {name} = unpack(\n{body},\n  {shape},\n);"


def build_js_repro(case, adapter, call, reference, framework_version, why_invalid="", reference_abs=None,
                   quantity="output") -> str:
    """The ``.mjs`` script for ``case`` on the JavaScript ``adapter`` (``repro.build_repro``'s
    arguments; a gradient's script also defines ``g``, the upstream gradient, and its bound is
    the gradient's)."""
    params = json.dumps(case.params(), separators=(", ", ": "))
    lines = [
        "#!/usr/bin/env node",
        f"// Repro: {adapter.name} on conformance case {case.id!r}",
        f"// case:        {case.id} ({case.file}:{case.line})",
        *([f"// description: {case.description}"] if case.description else []),
        f"// parameters:  {params}",
        "//              (canonical, channels first; conv kernel (C_out, C_in/groups, *k), "
        "conv_transpose kernel (C_in, C_out/groups, *k))",
        f"// native call: {call.describe()}",
        *([f"// judged:      {quantity}, the gradient for the upstream gradient g (the output's shape)"]
          if quantity != "output" else []),
        f"// framework:   {adapter.module} {framework_version}, numpy {np.__version__} wrote the inputs",
        f"// install:     {adapter.install_line(framework_version)}",
        "// run:         save as repro.mjs in the folder of that install (or below it), then `node repro.mjs`",
        "// expected:    the float64 NumPy reference of the canonical semantics (conformance SPEC.md)"
        if reference is not None
        else "// expected:    the framework refuses this invalid case",
        HELPERS,
        "",
        f"const dtype = {json.dumps(case.dtype)};",
        tensor_source("x", case.x),
        tensor_source("w", case.w),
        tensor_source("b", case.b),
        *([tensor_source("g", case.grad_output)] if quantity != "output" else []),
    ]
    if reference is not None:
        lines.append(tensor_source("expected", reference))
        lines.append(tensor_source("bound", rounded_up(error_bound(case, reference_abs, reference, quantity))))
    lines += ["", "// The framework call (canonical layout in, canonical layout out as y):"]
    lines.append(adapter.repro_source(case, call).rstrip("\n"))
    if reference is not None:
        tail = COMPARE_EXPECTED.format(shape_text=SHAPE_TEXT, limit=PRINT_LIMIT, factor=case.tolerance_factor)
    else:
        tail = COMPARE_REFUSAL.format(shape_text=SHAPE_TEXT, why=json.dumps(why_invalid or "the case is invalid"))
    return "\n".join(lines) + "\n" + tail
