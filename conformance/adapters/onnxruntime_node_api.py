"""ONNX Runtime for Node (``onnxruntime-node``, the native library behind a Node-API binding):
one ONNX ``ConvTranspose`` or ``Conv`` node, the model ``onnxruntime_api`` builds.

1. The model and the program are ``onnxruntime_web_api.OnnxJsNodeAdapter``'s: the same node
   and initializers the Python onnxruntime, onnx's reference, tract and onnxruntime-web
   columns run, embedded base64 in an ES module run by the runner's Node child (the text the
   ``.mjs`` repro embeds), here on the ``cpu`` execution provider. onnxruntime-node 1.30 is
   the release of onnxruntime-web 1.30 and refuses the builder's model the same way
   ('Unsupported model IR version: 14, max supported IR version: 13'; 'official support for
   domain ai.onnx is till opset 26'), so the model carries the same stamps (IR 13, opset 26);
   Conv and ConvTranspose last changed in opset 22, so the node means the same.
2. The package ships its CPU binaries for linux/darwin/win32 in the npm tarball; its install
   script only downloads the optional CUDA/TensorRT providers, skipped with
   ``ONNXRUNTIME_NODE_INSTALL=skip`` (and ``npm ci --ignore-scripts``) in the ``ortnode`` tox
   environment. Pinned in ``js/ortnode/package.json``.
3. dtypes: as onnxruntime-web (the JS Tensor types: no bfloat16); what the CPU provider has no
   kernel for (float64) is its answer, in its words.
4. Build properties: onnxruntime-node's and onnxruntime-common's versions, Node's and V8's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .onnxruntime_api import DOCS_CONV, DOCS_CONV_TRANSPOSE
from .onnxruntime_web_api import OnnxJsNodeAdapter

# The npm project of the onnxruntime_node adapters (package.json + package-lock.json; `npm ci` there).
NPM_FOLDER = Path(__file__).resolve().parents[2] / "js" / "ortnode"
PACKAGE_VERSION = "1.30.0"  # js/ortnode/package.json's pin (a test keeps them equal)


class _OrtNodeJsAdapter(OnnxJsNodeAdapter):
    """One ONNX node run by ``ort.InferenceSession`` of onnxruntime-node on the ``cpu`` provider."""

    framework = "ortnode"
    module = "onnxruntime-node"
    framework_modules = ("onnxruntime-node",)
    npm_folder = NPM_FOLDER
    npm_package = "onnxruntime-node"
    npm_packages = {"onnxruntime-node": PACKAGE_VERSION}
    execution_provider = "cpu"
    runtime_note = "onnxruntime-node's cpu execution provider, run by Node"

    @classmethod
    def probe_source(cls) -> str:
        return "\n".join(
            [
                "import * as ort from 'onnxruntime-node';",
                "const y = {node_binding: ort.env.versions.node, common: ort.env.versions.common,"
                " node: process.versions.node, v8: process.versions.v8};",
            ]
        )

    @classmethod
    def version_from_probe(cls, probe: dict[str, Any]) -> str:
        return str(probe["node_binding"])

    @classmethod
    def build_from_probe(cls, probe: dict[str, Any]) -> dict[str, Any]:
        return {"backend": "cpu", "onnxruntime_common": probe["common"], **super().build_from_probe(probe)}


class OrtNodeConvTranspose(_OrtNodeJsAdapter):
    """ONNX ``ConvTranspose`` on onnxruntime-node's cpu provider."""

    name = "onnxruntime_node.ConvTranspose"
    op = "conv_transpose"
    docs = DOCS_CONV_TRANSPOSE
    node_op = "ConvTranspose"


class OrtNodeConv(_OrtNodeJsAdapter):
    """ONNX ``Conv`` on onnxruntime-node's cpu provider."""

    name = "onnxruntime_node.Conv"
    op = "conv"
    docs = DOCS_CONV
    node_op = "Conv"


ADAPTERS = [OrtNodeConvTranspose, OrtNodeConv]
