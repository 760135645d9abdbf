"""torch.onnx.* translation, with no torch, onnxscript or onnxruntime installed.

The export adapters export the torch.nn module the torch adapters build: these tests pin
that they ask exactly what torch_api's module adapters ask (imported, not copied), inherit
their UNSUPPORTED answers, and render each exporter and ORT's run lines.
"""

from __future__ import annotations

import dataclasses

import pytest
from adapter_checks import conv_case, transpose_case

from conformance.adapters import default_run_frameworks, get_adapter
from conformance.adapters.base import NativeCall, Unsupported
from conformance.adapters.onnxruntime_api import OrtConvTranspose
from conformance.adapters.torch_api import TorchConvModule, TorchConvTransposeModule
from conformance.adapters.torch_onnx_api import (
    TorchOnnxConv,
    TorchOnnxConvTorchScript,
    TorchOnnxConvTranspose,
    TorchOnnxConvTransposeTorchScript,
    export_lines,
    module_source,
)

TRANSPOSE = [TorchOnnxConvTranspose, TorchOnnxConvTransposeTorchScript]
CONV = [TorchOnnxConv, TorchOnnxConvTorchScript]


def test_registered_as_their_own_framework():
    for cls in TRANSPOSE + CONV:
        assert get_adapter(cls.name) is cls and cls.framework == "torch_onnx"
    assert "torch_onnx" in default_run_frameworks()
    assert [cls.dynamo for cls in TRANSPOSE + CONV] == [True, False, True, False]
    assert {cls.name for cls in TRANSPOSE + CONV} == {
        "torch.onnx.ConvTranspose", "torch.onnx.ConvTranspose@torchscript", "torch.onnx.Conv", "torch.onnx.Conv@torchscript",
    }  # fmt: skip


@pytest.mark.parametrize("cls", TRANSPOSE)
@pytest.mark.parametrize(
    "case",
    [
        transpose_case(stride=2, padding=[[1, 1], [1, 1]], output_padding=[1, 1]),
        transpose_case(stride=2, padding="same_lower"),
        transpose_case(dims=1, stride=3, padding="valid", output_shape=[13]),
        transpose_case(dims=3, c_in=4, c_out=6, groups=2, dilation=2, padding="valid", b=[0.0] * 6),
    ],
)
def test_conv_transpose_asks_what_torch_nn_asks(cls, case):
    call, source = cls().express(case), TorchConvTransposeModule().express(case)
    assert isinstance(call, NativeCall)
    assert (call.api, call.kwargs, call.input_layout, call.kernel_layout) == (
        source.api, source.kwargs, source.input_layout, source.kernel_layout,
    )  # fmt: skip


def test_conv_transpose_values():
    call = TorchOnnxConvTranspose().express(transpose_case(stride=2, padding="same_lower"))
    assert call.api == "torch.nn.ConvTranspose2d"
    assert call.kwargs == {
        "in_channels": 2, "out_channels": 3, "kernel_size": [3, 3], "stride": [2, 2], "padding": [1, 1],
        "output_padding": [1, 1], "groups": 1, "dilation": [1, 1], "bias": False,
    }  # fmt: skip
    assert (call.input_layout, call.kernel_layout) == ("NCHW", "IOHW")


@pytest.mark.parametrize(
    "case, reason",
    [
        (transpose_case(stride=2, padding="same"), "asymmetric-padding"),
        (transpose_case(padding=[[0, 1], [0, 0]]), "asymmetric-padding"),
        (transpose_case(stride=2, padding="valid", output_padding=[1, 1]), "output-padding-with-padding-mode"),
    ],
)
def test_conv_transpose_inherits_what_torch_nn_cannot_say(case, reason):
    for cls in TRANSPOSE:
        answer = cls().express(case)
        assert isinstance(answer, Unsupported) and answer.reason == reason
        assert answer == TorchConvTransposeModule().express(case)


@pytest.mark.parametrize("cls", CONV)
def test_conv_asks_what_torch_nn_asks(cls):
    for case in [conv_case(padding="same"), conv_case(dims=3, kernel=2, groups=2, stride=[1, 2, 3], padding="valid")]:
        call, source = cls().express(case), TorchConvModule().express(case)
        assert (call.api, call.kwargs) == (source.api, source.kwargs)
    assert cls().express(conv_case(padding=[[2, 0], [1, 3]])).reason == "asymmetric-padding"


def test_module_source_is_the_constructor_with_the_torch_adapters_argument_names():
    case = transpose_case(stride=2, padding=[[1, 1], [1, 1]], output_padding=[1, 1])
    call = TorchOnnxConvTranspose().express(case)
    assert module_source(TorchConvTransposeModule, call) == (
        "torch.nn.ConvTranspose2d(in_channels=2, out_channels=3, kernel_size=[3, 3], stride=[2, 2], padding=[1, 1],"
        " output_padding=[1, 1], groups=1, bias=False, dilation=[1, 1])"
    )


def test_export_lines_pass_forward_kwargs_to_each_exporter():
    dynamo = export_lines({"output_size": [7, 7]}, dynamo=True)
    assert "torch.onnx.export(module, (xt,), kwargs={'output_size': [7, 7]}, input_names=['X'], dynamo=True)" in dynamo[1]
    assert dynamo[-1] == "model = onnx_program.model_proto"
    torchscript = export_lines({}, dynamo=False)
    assert "torch.onnx.export(module, (xt,), buffer, input_names=['X'], dynamo=False)" in torchscript[2]
    assert torchscript[-1] == "model = onnx.load_from_string(buffer.getvalue())"


@pytest.mark.parametrize("cls", TRANSPOSE)
def test_rendered_call_exports_then_runs_orts_lines(cls):
    case = transpose_case(dims=1, stride=3, padding="valid", output_shape=[13], b=[0.0, 0.0, 0.0])
    source = cls().repro_source(case, cls().express(case))
    compile(source, "<torch.onnx>", "exec")
    assert "import conformance" not in source
    assert "module = torch.nn.ConvTranspose1d(" in source and "'bias': torch.from_numpy(b)" in source
    assert "kwargs={'output_size': [13]}" in source
    assert f"dynamo={cls.dynamo}" in source
    assert source.endswith("\n".join(OrtConvTranspose().run_lines()))
    assert "import ml_dtypes" not in source
    bf16 = dataclasses.replace(case, dtype="bfloat16")
    assert "import ml_dtypes" in cls().repro_source(bf16, cls().express(bf16))
