"""One ONNX node, many runtimes and compilers: every adapter built on ``OnnxNodeAdapter``
(onnx.reference, onnx.shape_inference, tract, OpenVINO's ONNX frontend, TVM, IREE,
onnxruntime-web) asks exactly what ONNX Runtime's adapter asks, on every corpus case it
expresses - so a difference between their columns is a difference between the runtimes."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.adapters import all_adapters
from conformance.adapters.base import NativeCall
from conformance.adapters.onnxruntime_api import (
    OnnxNodeAdapter,
    OrtConv,
    OrtConvTranspose,
)
from conformance.loader import load_paths

CASES = load_paths([Path(__file__).resolve().parents[1] / "cases"]).cases
FAMILY = sorted(
    name
    for name, cls in all_adapters().items()
    if issubclass(cls, OnnxNodeAdapter)
    and not issubclass(cls, (OrtConv, OrtConvTranspose))
)


def test_the_family_is_the_onnx_node_adapters():
    frameworks = {all_adapters()[name].framework for name in FAMILY}
    assert {
        "onnx-reference",
        "tract",
        "openvinoonnx",
        "tvm",
        "iree",
        "ortweb",
    } <= frameworks


@pytest.mark.parametrize("name", FAMILY)
def test_asks_what_onnx_runtime_asks_on_every_case(name):
    adapter = all_adapters()[name]()
    ort = OrtConvTranspose() if adapter.op == "conv_transpose" else OrtConv()
    asked = 0
    for case in CASES:
        if not adapter.applies_to(case):
            continue
        ours = adapter.express(case)
        if not isinstance(
            ours, NativeCall
        ):  # the adapter's own Unsupported (a dtype), tested in its file
            continue
        theirs = ort.express(case)
        assert isinstance(theirs, NativeCall), case.id
        assert (ours.api, ours.kwargs, ours.input_layout, ours.kernel_layout) == (
            theirs.api,
            theirs.kwargs,
            theirs.input_layout,
            theirs.kernel_layout,
        ), case.id
        asked += 1
    assert asked >= 200
