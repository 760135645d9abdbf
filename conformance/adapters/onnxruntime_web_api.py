"""ONNX Runtime Web (``onnxruntime-web``, its WebAssembly backend), run by Node: one ONNX
``ConvTranspose`` or ``Conv`` node, the model ``onnxruntime_api`` builds.

1. The model is ``OnnxNodeAdapter``'s: the same attributes from the same pure functions and
   the same onnx.helper text, so the node and initializers fed are those the Python
   onnxruntime, onnx's reference and tract columns run; a difference between the columns is a
   difference between the runtimes on one node. One change, shown in the rendered text:
   onnxruntime-web 1.30 (the newest release) refuses the builder's IR version 14 and opset
   28, so the model is stamped IR 13 and opset 26 (``WEB_IR_VERSION``, ``WEB_OPSET``); Conv
   and ConvTranspose last changed in opset 22, so the node means the same.
2. The rendered call (``repro_source``) is an ES module (``node_program``): the model,
   serialized when the program is rendered, base64 in the text; an ``ort.InferenceSession``
   on the package's execution provider; ``X`` from ``x`` as the dtype's typed array; ``Y``
   back as ``y``. The runner runs it in its persistent Node child, and the repro is a
   standalone ``.mjs`` embedding the same text. The package is pinned in
   ``js/ortweb/package.json`` (``npm ci`` in the ``ortweb`` tox environment). A JS exception
   ('Can't create a session. ERROR_CODE: ...') is the framework's answer; Node dying is a CRASH.
3. dtypes: the JS ``Tensor`` types (onnxruntime-common's ``Tensor.DataTypeMap``) have
   float32, float64 and float16 (its bits in a ``Uint16Array`` where JS has no
   ``Float16Array``) and no bfloat16: bfloat16 is UNSUPPORTED (no way to feed ``X``); the
   others are asked, and whatever kernels the wasm build lacks is its answer.
4. Build properties: onnxruntime-web's and onnxruntime-common's versions, Node's and V8's,
   and the wasm threads it chose (``env.wasm.numThreads`` defaults to ``min(4, ceil(cpus/2))``
   in Node, so other machines may run more threads).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..case import Case
from .base import NativeCall, Unsupported
from .node_program import NodeProgramAdapter, js
from .onnxruntime_api import DOCS_CONV, DOCS_CONV_TRANSPOSE, OnnxNodeAdapter, model_opset

# The npm project of the onnxruntime_web adapters (package.json + package-lock.json; `npm ci` there).
NPM_FOLDER = Path(__file__).resolve().parents[2] / "js" / "ortweb"
PACKAGE_VERSION = "1.30.0"  # js/ortweb/package.json's pin (a test keeps them equal)
# The newest model IR version and ai.onnx opset onnxruntime-web 1.30 loads (onnx 1.23 writes IR 14,
# and the shared builder stamps opset 28: session creation refuses both).
WEB_IR_VERSION = 13
WEB_OPSET = 26

DOCS_TENSOR_TYPES = (
    "https://github.com/microsoft/onnxruntime/blob/main/js/common/lib/tensor.ts"
    " (Tensor.DataTypeMap: float32, float16, float64, ... no bfloat16)"
)
# JS typed array of each dtype's X (float16: its bits, as onnxruntime-common documents)
TYPED_ARRAYS = {"float32": "Float32Array", "float64": "Float64Array", "float16": "Uint16Array"}


FLOAT16_SOURCE = """\
// float16 has no JS typed array in Node 20: its bits in a Uint16Array, as onnxruntime-common documents.
// Exact for the values float16 represents (the case's values are rounded to float16).
function float16Bits(v) {
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (Number.isNaN(v)) return 0x7e00;
  if (a === Infinity) return sign | 0x7c00;
  if (a < 2 ** -14) return sign | Math.round(a / 2 ** -24);  // zero and subnormals
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e -= 1;
  if (2 ** (e + 1) <= a) e += 1;
  return sign | ((e + 15) << 10) | Math.round((a / 2 ** e - 1) * 1024);
}
function float16Value(h) {
  const sign = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return sign * f * 2 ** -24;
  if (e === 31) return f ? NaN : sign * Infinity;
  return sign * (1 + f / 1024) * 2 ** (e - 15);
}"""


class OnnxJsNodeAdapter(NodeProgramAdapter, OnnxNodeAdapter):
    """One ONNX node run by an ONNX Runtime JavaScript package's ``ort.InferenceSession``: the
    model is ``OnnxNodeAdapter``'s, built by its Python text when the program is rendered
    (``model_bytes``) and embedded base64 in the ES module, which feeds ``X`` and leaves ``y``.
    Subclasses give the package, its execution provider and the model stamps it loads."""

    npm_package: str = ""
    execution_provider: str = ""
    # The stamps the package needs to load the model (None: the builder's own, model_opset())
    ir_version: int | None = WEB_IR_VERSION
    opset: int | None = WEB_OPSET
    pip_extras = ("onnx",)
    dtypes = frozenset({"float64", "float32", "float16"})
    dtype_reasons = {"bfloat16": "the JS Tensor of onnxruntime-common has no bfloat16 type: X cannot be fed"}

    @classmethod
    def install_line(cls, version: str | None) -> str:
        return f"npm install {cls.npm_package}@{cls.npm_packages[cls.npm_package]}"

    def express(self, case: Case) -> NativeCall | Unsupported:
        """As ``Adapter.express``, with the JS Tensor types as the doc of a dtype refusal."""
        if case.dtype not in self.dtypes:
            return Unsupported(f"dtype:{case.dtype}", self.dtype_reasons.get(case.dtype, ""), DOCS_TENSOR_TYPES)
        return super().express(case)

    def run_lines(self) -> list[str]:
        """After the shared builder: the stamps this package loads, if it needs any."""
        if self.ir_version is None:
            return []
        return [f"model.ir_version = {self.ir_version}", f"model.opset_import[0].version = {self.opset}"]

    def model_bytes(self, case: Case, call: NativeCall) -> bytes:
        """The serialized model: ``OnnxNodeAdapter``'s onnx.helper text run here (the node's
        attributes, W and B as initializers in the case's dtype), stamped by ``run_lines``."""
        import numpy as np

        namespace = {"x": case.x, "w": case.w, "b": case.b, "dtype": case.dtype}
        builder = OnnxNodeAdapter.repro_source(self, case, call)
        exec(compile(builder, f"<model of {self.name}>", "exec"), namespace)  # noqa: S102 - the adapter's own text
        assert isinstance(namespace["x"], np.ndarray)
        return namespace["model"].SerializeToString()

    def repro_source(self, case: Case, call: NativeCall) -> str:
        import base64

        model = base64.b64encode(self.model_bytes(case, call)).decode("ascii")
        typed_array = TYPED_ARRAYS[case.dtype]
        feed = "Uint16Array.from(x.data, float16Bits)" if case.dtype == "float16" else f"{typed_array}.from(x.data)"
        inputs = "X, W, B" if case.b is not None else "X, W"
        return "\n".join(
            [
                f"import * as ort from '{self.npm_package}';",
                "",
                *([FLOAT16_SOURCE, ""] if case.dtype == "float16" else []),
                f"// The ONNX model, built with onnx.helper: one {call.api} node ({inputs}) -> Y, attributes {js(call.kwargs)},",
                f"// W{' and B' if case.b is not None else ''} (the w{' and b' if case.b is not None else ''} above) as {case.dtype} initializers,"
                + (f" stamped IR version {self.ir_version}, opset {self.opset}" if self.ir_version else f" opset {model_opset()}"),
                f"const model = Buffer.from('{model}', 'base64');",
                f"const session = await ort.InferenceSession.create(model, {{executionProviders: ['{self.execution_provider}']}});",
                f"const X = new ort.Tensor('{case.dtype}', {feed}, x.shape);  // ONNX is channels first, like x",
                "const { Y } = await session.run({ X });",
                "const y = { shape: Y.dims, data: Y.data instanceof Uint16Array ? Array.from(Y.data, float16Value) : Y.data };"
                if case.dtype == "float16"
                else "const y = { shape: Y.dims, data: Y.data };",
            ]
        )


class _OrtWebNodeAdapter(OnnxJsNodeAdapter):
    """One ONNX node run by ``ort.InferenceSession`` of onnxruntime-web on the ``wasm`` provider."""

    framework = "ortweb"
    module = "onnxruntime-web"
    framework_modules = ("onnxruntime-web",)
    npm_folder = NPM_FOLDER
    npm_package = "onnxruntime-web"
    npm_packages = {"onnxruntime-web": PACKAGE_VERSION}
    execution_provider = "wasm"
    runtime_note = "onnxruntime-web's wasm execution provider, run by Node"

    @classmethod
    def probe_source(cls) -> str:
        """Versions, and the threads the wasm backend settles on (after a session's init)."""
        return "\n".join(
            [
                "import * as ort from 'onnxruntime-web';",
                "try { await ort.InferenceSession.create(new Uint8Array(0), {executionProviders: ['wasm']}); }"
                " catch (err) { /* an empty model: only the backend's init is wanted */ }",
                "const y = {web: ort.env.versions.web, common: ort.env.versions.common,"
                " threads: ort.env.wasm.numThreads, node: process.versions.node, v8: process.versions.v8};",
            ]
        )

    @classmethod
    def version_from_probe(cls, probe: dict[str, Any]) -> str:
        return str(probe["web"])

    @classmethod
    def build_from_probe(cls, probe: dict[str, Any]) -> dict[str, Any]:
        return {
            "backend": "wasm",
            "onnxruntime_common": probe["common"],
            "wasm_threads": probe["threads"],
            **super().build_from_probe(probe),
        }


class OrtWebConvTranspose(_OrtWebNodeAdapter):
    """ONNX ``ConvTranspose`` on onnxruntime-web's wasm provider."""

    name = "onnxruntime_web.ConvTranspose"
    op = "conv_transpose"
    docs = DOCS_CONV_TRANSPOSE
    node_op = "ConvTranspose"


class OrtWebConv(_OrtWebNodeAdapter):
    """ONNX ``Conv`` on onnxruntime-web's wasm provider."""

    name = "onnxruntime_web.Conv"
    op = "conv"
    docs = DOCS_CONV
    node_op = "Conv"


ADAPTERS = [OrtWebConvTranspose, OrtWebConv]
