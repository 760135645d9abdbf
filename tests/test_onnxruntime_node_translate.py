"""onnxruntime_node.* translation, without Node or onnxruntime-node: registered in the main job
under a factor of its own, pinned in js/ortnode, the ONNX node family's attributes (tests/
test_onnx_node_family.py), the model stamps the package loads, and bfloat16 refused (no JS
Tensor type)."""

from __future__ import annotations

import base64
import json
import re

import pytest
from adapter_checks import conv_case, transpose_case

from conformance.adapters import default_run_frameworks, get_adapter
from conformance.adapters.base import Unsupported
from conformance.adapters.onnxruntime_api import OrtConv
from conformance.adapters.onnxruntime_node_api import NPM_FOLDER, PACKAGE_VERSION, OrtNodeConv, OrtNodeConvTranspose
from conformance.adapters.onnxruntime_web_api import DOCS_TENSOR_TYPES


def test_registered_in_the_main_job_with_a_factor_of_its_own():
    assert get_adapter("onnxruntime_node.ConvTranspose").framework == "ortnode"
    assert get_adapter("onnxruntime_node.Conv").framework == "ortnode"
    assert "ortnode" in default_run_frameworks()


def test_the_rendered_version_is_the_npm_pin_and_the_lock_is_committed():
    assert json.loads((NPM_FOLDER / "package.json").read_text())["dependencies"] == {"onnxruntime-node": PACKAGE_VERSION}
    lock = json.loads((NPM_FOLDER / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/onnxruntime-node"]["version"] == PACKAGE_VERSION
    assert OrtNodeConv.install_line(PACKAGE_VERSION) == f"npm install onnxruntime-node@{PACKAGE_VERSION}"


@pytest.mark.parametrize("adapter, case", [(OrtNodeConvTranspose(), transpose_case(dtype="bfloat16")), (OrtNodeConv(), conv_case(dtype="bfloat16"))])
def test_bfloat16_is_unsupported_with_the_js_tensor_types(adapter, case):
    verdict = adapter.express(case)
    assert isinstance(verdict, Unsupported) and (verdict.reason, verdict.doc) == ("dtype:bfloat16", DOCS_TENSOR_TYPES)


def test_the_rendered_call_runs_the_onnx_node_on_the_cpu_provider():
    onnx = pytest.importorskip("onnx")  # the model is serialized when the program is rendered
    case = conv_case(stride=2, padding="same_lower", dtype="float64", b=[0.5] * 6)
    adapter = OrtNodeConv()
    source = adapter.repro_source(case, adapter.express(case))
    assert "import * as ort from 'onnxruntime-node';" in source and "executionProviders: ['cpu']" in source
    assert "new ort.Tensor('float64', Float64Array.from(x.data), x.shape)" in source
    model = onnx.load_from_string(base64.b64decode(re.search(r"Buffer.from\('([^']+)', 'base64'\)", source)[1]))
    assert (model.ir_version, model.opset_import[0].version) == (13, 26)  # what 1.30 loads
    (node,) = model.graph.node
    assert list(node.input) == ["X", "W", "B"] and [i.name for i in model.graph.initializer] == ["W", "B"]
    ort = OrtConv().express(case)
    assert {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute} == {
        key: value.encode() if isinstance(value, str) else value for key, value in ort.kwargs.items()
    }
    assert "conformance" not in source and str(NPM_FOLDER) not in source
