"""torch.onnx.* adapters against the oracle: torch.nn Conv modules exported by both
exporters (dynamo, TorchScript), run on ONNX Runtime's CPU provider.

Also pins the behaviours expectations/torch.onnx.*.yaml record: when an exporter or ORT
changes one, its test here says so. The dynamo exporter takes seconds per export, so the
cases here are few.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("onnxruntime")
pytest.importorskip("onnxscript")

from adapter_checks import assert_matches_oracle, assert_repro_reproduces, make_case  # noqa: E402

from conformance.adapters.base import NativeCall  # noqa: E402
from conformance.adapters.torch_onnx_api import (  # noqa: E402
    TorchOnnxConv,
    TorchOnnxConvTorchScript,
    TorchOnnxConvTranspose,
    TorchOnnxConvTransposeTorchScript,
)

TRANSPOSE = [TorchOnnxConvTranspose, TorchOnnxConvTransposeTorchScript]
CONV = [TorchOnnxConv, TorchOnnxConvTorchScript]


@pytest.mark.parametrize("cls", TRANSPOSE + CONV, ids=lambda c: c.name)
def test_build_properties_name_the_exporter_and_the_opset_it_emits(cls):
    props = cls.build_properties()
    assert props["exporter"] == ("dynamo" if cls.dynamo else "torchscript")
    assert isinstance(props["opset"], int) and props["opset"] >= 17
    assert props["onnxruntime"] and props["onnx"]
    assert bool(props["onnxscript"]) == cls.dynamo


@pytest.mark.parametrize("cls", TRANSPOSE, ids=lambda c: c.name)
@pytest.mark.parametrize(
    "dims, params",
    [
        (2, {"stride": 2, "padding": [[1, 1], [1, 1]], "output_padding": [1, 1], "bias": True}),
        (1, {"stride": 3, "padding": "valid", "output_shape": [12]}),  # forward(output_size=...) as kwargs
        (3, {"stride": 2, "padding": "same_lower", "c_in": 4, "c_out": 2, "groups": 2}),
    ],
)
def test_conv_transpose_matches_oracle(cls, dims, params):
    assert_matches_oracle(cls(), make_case("conv_transpose", dims, 4, 3, **params))


@pytest.mark.parametrize("cls", CONV, ids=lambda c: c.name)
def test_conv_matches_oracle(cls):
    assert_matches_oracle(cls(), make_case("conv", 2, 6, 3, stride=2, padding=[[1, 1], [1, 1]], dilation=2))


def exported_model(cls, case):
    """The adapter's rendered text up to the export: the ModelProto the exporter writes."""
    adapter = cls()
    call = adapter.express(case)
    assert isinstance(call, NativeCall)
    source = adapter.repro_source(case, call)
    namespace = {"x": case.x, "w": case.w, "b": case.b, "dtype": case.dtype}
    exec(compile(source[: source.index("session = onnxruntime")], "<export>", "exec"), namespace)
    return namespace["model"]


@pytest.mark.parametrize("cls", TRANSPOSE, ids=lambda c: c.name)
def test_float64_model_is_valid_but_ort_has_no_cpu_kernel(cls):
    """expectations: float64 is ORT's refusal; onnx.reference computes the same exported model."""
    import onnx.reference

    case = make_case("conv_transpose", 2, 4, 3, stride=2, padding="valid", dtype="float64")
    model = exported_model(cls, case)
    opset = next(entry.version for entry in model.opset_import if entry.domain in ("", "ai.onnx"))
    assert opset == cls.build_properties()["opset"]
    y = onnx.reference.ReferenceEvaluator(model).run(None, {"X": case.x})[0]
    assert y.dtype == np.float64 and y.shape == (2, 3, 9, 9)
    with pytest.raises(Exception, match="Could not find an implementation for ConvTranspose"):
        cls().execute(case, cls().express(case))


@pytest.mark.parametrize("cls", TRANSPOSE, ids=lambda c: c.name)
def test_bfloat16_model_is_invalid_onnx(cls):
    """expectations: the exporters write bfloat16 at an opset whose ConvTranspose does not take it."""
    import onnx.checker

    case = make_case("conv_transpose", 2, 4, 3, stride=2, padding="valid", dtype="bfloat16")
    with pytest.raises(Exception, match="unsupported type: tensor\\(bfloat16\\)"):
        onnx.checker.check_model(exported_model(cls, case), full_check=True)
    with pytest.raises(Exception, match="Type 'tensor\\(bfloat16\\)' of input parameter"):
        cls().execute(case, cls().express(case))


def test_dynamo_exports_what_eager_torch_refuses_and_ort_refuses_it():
    """expectations: output_padding >= stride and >= dilation; eager torch and the TorchScript
    exporter refuse it (ATen), the dynamo exporter writes it and ORT refuses the model."""
    case = make_case("conv_transpose", 2, 4, 3, stride=1, padding=[[1, 0], [1, 0]])
    node = exported_model(TorchOnnxConvTranspose, case).graph.node
    assert [n.op_type for n in node] == ["ConvTranspose"]
    assert [list(a.ints) for a in node[0].attribute if a.name == "output_padding"] == [[1, 1]]
    with pytest.raises(Exception, match="must be less than max\\(stride, dilation\\)"):
        TorchOnnxConvTranspose().execute(case, TorchOnnxConvTranspose().express(case))
    with pytest.raises(Exception, match="output padding must be smaller than either stride or dilation"):
        TorchOnnxConvTransposeTorchScript().execute(case, TorchOnnxConvTransposeTorchScript().express(case))


def test_torchscript_writes_same_as_auto_pad_and_dynamo_as_pads():
    """expectations: Conv@torchscript meets ORT's SAME_* + dilation refusal; the dynamo one does not."""
    case = make_case("conv", 1, 6, 3, padding="same", dilation=2)
    attributes = {a.name: a for a in exported_model(TorchOnnxConvTorchScript, case).graph.node[0].attribute}
    assert attributes["auto_pad"].s == b"SAME_UPPER"
    with pytest.raises(Exception, match="Dilation not supported for AutoPadType::SAME_UPPER"):
        TorchOnnxConvTorchScript().execute(case, TorchOnnxConvTorchScript().express(case))
    assert_matches_oracle(TorchOnnxConv(), case)


def test_repro_reproduces():
    assert_repro_reproduces(
        TorchOnnxConvTransposeTorchScript(), make_case("conv_transpose", 2, 4, 3, stride=2, padding="same_lower")
    )
