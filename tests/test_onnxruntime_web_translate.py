"""onnxruntime_web.* translation, with neither onnx, Node nor onnxruntime-web installed.

The node is onnxruntime_api's (one ONNX node, several runtimes): these tests pin that the web
adapters ask exactly what the ORT ones ask (tests/test_onnx_node_family.py, over the corpus), render the Node run of onnxruntime-web's wasm
backend with the model's IR/opset stamps it loads, and refuse bfloat16 (no JS Tensor type).
"""

from __future__ import annotations

import base64
import json
import re

import pytest
from adapter_checks import conv_case, transpose_case

from conformance.adapters import default_run_frameworks, get_adapter
from conformance.adapters.base import Unsupported
from conformance.adapters.onnxruntime_api import OrtConvTranspose
from conformance.adapters.onnxruntime_web_api import (
    DOCS_TENSOR_TYPES,
    NPM_FOLDER,
    PACKAGE_VERSION,
    WEB_IR_VERSION,
    WEB_OPSET,
    OrtWebConv,
    OrtWebConvTranspose,
)


def test_registered_in_the_main_job_with_a_factor_of_its_own():
    assert get_adapter("onnxruntime_web.ConvTranspose").framework == "ortweb"
    assert get_adapter("onnxruntime_web.Conv").framework == "ortweb"
    assert "ortweb" in default_run_frameworks()


def test_the_rendered_version_is_the_npm_pin():
    assert json.loads((NPM_FOLDER / "package.json").read_text())["dependencies"] == {"onnxruntime-web": PACKAGE_VERSION}
    assert (NPM_FOLDER / "package-lock.json").is_file()


@pytest.mark.parametrize("adapter, case", [(OrtWebConvTranspose(), transpose_case(dtype="bfloat16")), (OrtWebConv(), conv_case(dtype="bfloat16"))])
def test_bfloat16_is_unsupported_with_the_js_tensor_types(adapter, case):
    verdict = adapter.express(case)
    assert isinstance(verdict, Unsupported)
    assert (verdict.reason, verdict.doc) == ("dtype:bfloat16", DOCS_TENSOR_TYPES)


def test_the_rendered_call_embeds_the_onnx_node_and_runs_it_on_the_wasm_provider():
    onnx = pytest.importorskip("onnx")  # the model is serialized when the program is rendered
    case = transpose_case(stride=2, padding="same", dtype="float16")
    adapter = OrtWebConvTranspose()
    call = adapter.express(case)
    source = adapter.repro_source(case, call)
    assert adapter.repro_language == "javascript"
    assert "import * as ort from 'onnxruntime-web';" in source and "executionProviders: ['wasm']" in source
    assert "Uint16Array.from(x.data, float16Bits)" in source  # float16: its bits
    model = onnx.load_from_string(base64.b64decode(re.search(r"Buffer.from\('([^']+)', 'base64'\)", source)[1]))
    assert (model.ir_version, model.opset_import[0].version) == (WEB_IR_VERSION, WEB_OPSET)
    (node,) = model.graph.node
    ort = OrtConvTranspose().express(case)
    assert node.op_type == "ConvTranspose" and {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute} == {
        key: value.encode() if isinstance(value, str) else value for key, value in ort.kwargs.items()
    }
    assert "conformance" not in source and str(NPM_FOLDER) not in source
