"""onnxruntime_web.* translation, with neither onnx, Node nor onnxruntime-web installed.

The node is onnxruntime_api's (one ONNX node, several runtimes): these tests pin that the web
adapters ask exactly what the ORT ones ask (tests/test_onnx_node_family.py, over the corpus), render the Node run of onnxruntime-web's wasm
backend with the model's IR/opset stamps it loads, and refuse bfloat16 (no JS Tensor type).
"""

from __future__ import annotations

import json

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


def test_the_rendered_call_builds_the_onnx_node_then_runs_it_on_the_wasm_provider_with_node():
    case = transpose_case(stride=2, padding="same", dtype="float16")
    adapter = OrtWebConvTranspose()
    source = adapter.repro_source(case, adapter.express(case))
    compile(source, "<rendered>", "exec")
    ort_source = OrtConvTranspose().repro_source(case, OrtConvTranspose().express(case))
    # the model-building lines are ORT's own, then the web runtime's
    model_lines = ort_source.split("session = onnxruntime.InferenceSession")[0].replace("import onnxruntime\n", "")
    assert all(line in source for line in model_lines.splitlines() if line)
    assert f"model.ir_version = {WEB_IR_VERSION}" in source and f"model.opset_import[0].version = {WEB_OPSET}" in source
    assert "executionProviders: ['wasm']" in source
    assert "subprocess.run(['node', '--input-type=module', '-']" in source
    assert "x_ort.view(np.uint16) if dtype == 'float16'" in source
