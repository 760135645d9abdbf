"""tf2onnx.* translation, with no TensorFlow, tf2onnx or onnxruntime installed.

The tf2onnx adapters convert the tf.nn call the TensorFlow adapters make: these tests pin that
they ask exactly what tensorflow_api asks (imported, not copied), inherit its UNSUPPORTED
answers, and render the conversion (from_function, the kernel a tf.Variable) and ORT's run.
"""

from __future__ import annotations

import pytest
from adapter_checks import conv_case, transpose_case

from conformance.adapters import default_run_frameworks, get_adapter
from conformance.adapters.base import NativeCall, Unsupported
from conformance.adapters.tensorflow_api import TfConvolution, TfConvTranspose
from conformance.adapters.tf2onnx_api import Tf2OnnxConv, Tf2OnnxConvTranspose


@pytest.mark.parametrize(
    "case",
    [
        transpose_case(stride=2, padding="same"),
        transpose_case(stride=2, padding=[[1, 0], [0, 1]]),
        transpose_case(stride=2, padding="same_lower"),  # 2D: explicit pads TF can take
        transpose_case(dims=1, stride=3, padding="valid", output_shape=[14]),
        transpose_case(dims=3, dilation=2, padding="same"),
    ],
)
def test_conv_transpose_asks_what_tf_nn_asks(case):
    call, source = Tf2OnnxConvTranspose().express(case), TfConvTranspose().express(case)
    assert isinstance(call, NativeCall)
    assert (call.api, call.kwargs, call.input_layout, call.kernel_layout) == (
        source.api, source.kwargs, source.input_layout, source.kernel_layout,
    )  # fmt: skip


def test_conv_transpose_values():
    call = Tf2OnnxConvTranspose().express(transpose_case(stride=2, padding=[[1, 0], [0, 1]]))
    assert call.api == "tf.nn.conv2d_transpose"
    assert call.kwargs == {
        "output_shape": [1, 8, 8, 3],
        "strides": [2, 2],
        "padding": [[0, 0], [1, 0], [0, 1], [0, 0]],
        "dilations": [1, 1],
    }
    assert (call.input_layout, call.kernel_layout) == ("NHWC", "HWOI")


@pytest.mark.parametrize(
    "case, reason",
    [
        (transpose_case(c_in=4, c_out=6, groups=2), "groups"),
        (transpose_case(b=[0.0, 0.0, 0.0]), "bias"),
        (transpose_case(dims=1, padding=[[1, 0]]), "explicit-padding"),
        (transpose_case(dims=3, padding="same_lower"), "padding-mode:same_lower"),
        (transpose_case(stride=2, padding="same", output_padding=1), "output-padding-with-padding-mode"),
    ],
)
def test_conv_transpose_inherits_what_tf_nn_cannot_say(case, reason):
    answer = Tf2OnnxConvTranspose().express(case)
    assert isinstance(answer, Unsupported) and answer.reason == reason


def test_conv_asks_what_tf_nn_asks():
    for case in [conv_case(padding="same"), conv_case(dims=3, kernel=2, groups=2, stride=[1, 2, 3], padding="valid")]:
        call, source = Tf2OnnxConv().express(case), TfConvolution().express(case)
        assert (call.api, call.kwargs) == (source.api, source.kwargs)
    assert Tf2OnnxConv().express(conv_case(padding=[[2, 0], [1, 3]])).reason == "explicit-padding"
    assert Tf2OnnxConv().express(conv_case(c_in=4, w_in=1, groups=2)).reason == "groups-from-kernel"


def test_rendered_call_converts_with_tf2onnx_and_runs_ort():
    case = transpose_case(stride=2, padding="same")
    adapter = Tf2OnnxConvTranspose()
    source = adapter.repro_source(case, adapter.express(case))
    compile(source, "<tf2onnx>", "exec")
    assert "import conformance" not in source
    assert "w_tf = tf.Variable(" in source  # frozen into an initializer, as a trained model's weights
    assert "tf2onnx.convert.from_function(model, input_signature=[tf.TensorSpec(x_nl.shape, x_nl.dtype, name='x')])" in source
    assert "opset=" not in source  # the converter's default opset
    assert "providers=['CPUExecutionProvider']" in source
    assert "return tf.nn.conv2d_transpose(x_tf, w_tf, output_shape=[1, 8, 8, 3]" in source


def test_registered_and_in_the_main_job():
    assert get_adapter("tf2onnx.ConvTranspose") is Tf2OnnxConvTranspose
    assert get_adapter("tf2onnx.Conv") is Tf2OnnxConv
    assert "tf2onnx" in default_run_frameworks()
