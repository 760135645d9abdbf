"""ONNX Runtime Web (``onnxruntime-web``, its WebAssembly backend), run by Node: one ONNX
``ConvTranspose`` or ``Conv`` node, the model ``onnxruntime_api`` builds.

1. The model is ``OnnxNodeAdapter``'s: the same attributes from the same pure functions and
   the same onnx.helper text, so the node and initializers fed are those the Python
   onnxruntime, onnx's reference and tract columns run; a difference between the columns is a
   difference between the runtimes on one node. One change, shown in the rendered text:
   onnxruntime-web 1.30 (the newest release) refuses the builder's IR version 14 and opset
   28, so the model is stamped IR 13 and opset 26 (``WEB_IR_VERSION``, ``WEB_OPSET``); Conv
   and ConvTranspose last changed in opset 22, so the node means the same.
2. The rendered call (``repro_source``) serializes the model, writes it base64 into a small
   ES module that creates an ``ort.InferenceSession`` on the ``wasm`` execution provider and
   runs it on ``X`` given as a literal typed array, runs that with ``node`` (``tfjs_api``'s
   ``node_run_lines``) and reads ``Y`` back as JSON: ``print(program)`` in a repro script is
   the JS bug report. The package is pinned in ``js/ortweb/package.json`` (``npm ci`` in the
   ``ortweb`` tox environment). A JS exception ('Can't create a session. ERROR_CODE: ...') is
   raised as a RuntimeError, the framework's answer; node dying of a signal is a CRASH.
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
from .onnxruntime_api import DOCS_CONV, DOCS_CONV_TRANSPOSE, OnnxNodeAdapter
from .tfjs_api import node_json, node_run_lines

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


class _OrtWebNodeAdapter(OnnxNodeAdapter):
    """One ONNX node run by ``ort.InferenceSession`` of onnxruntime-web on the ``wasm`` provider."""

    framework = "ortweb"
    module = "onnxruntime-web"

    @classmethod
    def install_line(cls, version: str | None) -> str:
        """npm's onnxruntime-web (node imports it from npm_folder); onnx and numpy build the model."""
        import numpy as np

        return f'npm install onnxruntime-web@{PACKAGE_VERSION} && pip install "onnx" "numpy=={np.__version__}"'

    pip_extras = ("onnx",)
    framework_modules = ("onnxruntime-web",)  # its exceptions come back as RuntimeError from the rendered call
    dtypes = frozenset({"float64", "float32", "float16"})
    dtype_reasons = {"bfloat16": "onnxruntime-web's JS Tensor has no bfloat16 type: X cannot be fed"}
    runtime_note = "onnxruntime-web's wasm execution provider, run by Node"
    runtime_imports = ("import base64", "import json", "import os", "import subprocess")

    def express(self, case: Case) -> NativeCall | Unsupported:
        """As ``Adapter.express``, with the JS Tensor types as the doc of a dtype refusal."""
        if case.dtype not in self.dtypes:
            return Unsupported(f"dtype:{case.dtype}", self.dtype_reasons.get(case.dtype, ""), DOCS_TENSOR_TYPES)
        return super().express(case)

    @classmethod
    def _probe(cls) -> dict[str, Any]:
        """Versions, and the threads the wasm backend settles on (after a session's init)."""
        return node_json(
            NPM_FOLDER,
            "\n".join(
                [
                    "import * as ort from 'onnxruntime-web';",
                    "try { await ort.InferenceSession.create(new Uint8Array(0), {executionProviders: ['wasm']}); }"
                    " catch (err) { /* an empty model: only the backend's init is wanted */ }",
                    "console.log(JSON.stringify({web: ort.env.versions.web, common: ort.env.versions.common,"
                    " threads: ort.env.wasm.numThreads, simd: ort.env.wasm.simd ?? null,"
                    " node: process.versions.node, v8: process.versions.v8}));",
                ]
            ),
        )

    @classmethod
    def framework_version(cls) -> str:
        return str(cls._probe()["web"])

    @classmethod
    def build_properties(cls) -> dict[str, Any]:
        probe = cls._probe()
        return {
            "backend": "wasm",
            "onnxruntime_common": probe["common"],
            "wasm_threads": probe["threads"],
            "node": probe["node"],
            "v8": probe["v8"],
        }

    def run_lines(self) -> list[str]:
        return [
            "",
            "# ONNX Runtime Web in Node: print(program) is the standalone JS (save it as repro.mjs in npm_folder,",
            f"# then `node repro.mjs`); npm_folder: `npm install onnxruntime-web@{PACKAGE_VERSION}`",
            f"npm_folder = {str(NPM_FOLDER)!r}",
            f"# onnxruntime-web {PACKAGE_VERSION} refuses IR version 14 ('max supported IR version: 13') and opset 28",
            f"# ('official support for domain ai.onnx is till opset {WEB_OPSET}'): the same node and initializers, stamped",
            f"# IR {WEB_IR_VERSION} and opset {WEB_OPSET} (Conv and ConvTranspose last changed in opset 22, so the node means the same)",
            f"model.ir_version = {WEB_IR_VERSION}",
            f"model.opset_import[0].version = {WEB_OPSET}",
            "model_base64 = base64.b64encode(model.SerializeToString()).decode('ascii')",
            f"typed_array = {TYPED_ARRAYS!r}[dtype]",
            "x_ort = x.astype(dtype)",
            "x_values = x_ort.view(np.uint16) if dtype == 'float16' else x_ort  # float16: its bits",
            "program = '\\n'.join([",
            "    \"import * as ort from 'onnxruntime-web';\",",
            "    '',",
            "    'try {',",
            "    f\"  const model = Buffer.from('{model_base64}', 'base64');  // the ONNX model above\",",
            "    \"  const session = await ort.InferenceSession.create(model, {executionProviders: ['wasm']});\",",
            "    f\"  const X = new ort.Tensor('{dtype}', {typed_array}.from({json.dumps(x_values.ravel().tolist())}),"
            " {list(x.shape)});\",",
            "    '  const {Y} = await session.run({X});',",
            "    '  const values = Array.from(Y.data, String);  // float16 in a Uint16Array: its bits',",
            "    '  console.log(JSON.stringify({type: Y.type, array: Y.data.constructor.name, shape: Y.dims, values}));',",
            "    '} catch (err) {',",
            "    '  console.log(JSON.stringify({error: `${err.name}: ${err.message}`}));',",
            "    '}',",
            "])",
            *node_run_lines("ONNX Runtime Web"),
            "if answer['array'] == 'Uint16Array':  # float16 bits",
            "    y = np.array(answer['values'], dtype=np.uint16).view(np.float16).astype(np.float64)",
            "else:",
            "    y = np.array(answer['values'], dtype=np.float64)",
            "y = y.reshape(answer['shape'])",
        ]


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
