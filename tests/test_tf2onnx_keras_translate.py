"""tf2onnx.keras.* / tf2onnx.tf_keras.* translation, with no TensorFlow, Keras, tf2onnx or onnxruntime.

The Keras-layer routes through tf2onnx convert the layer the Keras adapters build: these tests
pin that they ask exactly what keras_api / tf_keras_api ask (inherited, not copied), keep
their UNSUPPORTED answers, and render the Keras adapters' call with its last step - calling
the layer - converted (from_function / from_keras) and run by ONNX Runtime.
"""

from __future__ import annotations

import pytest
from adapter_checks import conv_case, transpose_case

from conformance.adapters import default_run_frameworks, get_adapter
from conformance.adapters.base import NativeCall, Unsupported
from conformance.adapters.keras_api import KerasConv, KerasConvTranspose
from conformance.adapters.tf2onnx_keras_api import (
    Tf2OnnxKerasConv,
    Tf2OnnxKerasConvTranspose,
    Tf2OnnxTfKerasConv,
    Tf2OnnxTfKerasConvTranspose,
)
from conformance.adapters.tf_keras_api import TfKerasConv, TfKerasConvTranspose

PAIRS = [
    (Tf2OnnxKerasConvTranspose, KerasConvTranspose),
    (Tf2OnnxTfKerasConvTranspose, TfKerasConvTranspose),
    (Tf2OnnxKerasConv, KerasConv),
    (Tf2OnnxTfKerasConv, TfKerasConv),
]

CASES = {
    "conv_transpose": [
        transpose_case(stride=2, padding="same"),
        transpose_case(stride=2, padding="valid", output_shape=[10, 10]),  # output_padding 1
        transpose_case(dims=1, stride=3, padding="valid", b=[0.5, -1.0, 2.0]),
        transpose_case(dims=3, dilation=2, padding="same"),
        transpose_case(stride=2, padding="same", output_padding=1),  # taken by Keras natively
    ],
    "conv": [conv_case(padding="same"), conv_case(dims=3, kernel=2, groups=2, stride=[1, 2, 3], padding="valid")],
}


@pytest.mark.parametrize("adapter, source", PAIRS, ids=lambda cls: cls.name)
def test_asks_what_the_keras_layer_asks(adapter, source):
    for case in CASES[adapter.op]:
        call, expected = adapter().express(case), source().express(case)
        assert isinstance(call, NativeCall)
        assert (call.api, call.kwargs, call.input_layout, call.kernel_layout) == (
            expected.api, expected.kwargs, expected.input_layout, expected.kernel_layout,
        )  # fmt: skip


def test_output_padding_values():
    call = Tf2OnnxKerasConvTranspose().express(transpose_case(stride=2, padding="valid", output_shape=[10, 10]))
    assert call.api == "keras.layers.Conv2DTranspose"
    assert call.kwargs["output_padding"] == [1, 1] and call.kwargs["padding"] == "valid"
    call = Tf2OnnxTfKerasConvTranspose().express(transpose_case(stride=2, padding="valid", output_shape=[10, 10]))
    assert call.api == "tf_keras.layers.Conv2DTranspose"


@pytest.mark.parametrize(
    "case, reason",
    [
        (transpose_case(c_in=4, c_out=6, groups=2), "groups"),
        (transpose_case(padding=[[1, 0], [0, 1]]), "explicit-padding"),
        (transpose_case(padding="same_lower"), "padding-mode:same_lower"),
    ],
)
@pytest.mark.parametrize("adapter", [Tf2OnnxKerasConvTranspose, Tf2OnnxTfKerasConvTranspose], ids=lambda cls: cls.name)
def test_keeps_what_the_layer_cannot_say(adapter, case, reason):
    answer = adapter().express(case)
    assert isinstance(answer, Unsupported) and answer.reason == reason


def test_conv_cannot_say_explicit_pads():
    for adapter in (Tf2OnnxKerasConv, Tf2OnnxTfKerasConv):
        assert adapter().express(conv_case(padding=[[2, 0], [1, 3]])).reason == "explicit-padding"


def rendered(adapter, case):
    source = adapter().repro_source(case, adapter().express(case))
    compile(source, f"<{adapter.name}>", "exec")
    assert "import conformance" not in source
    assert "opset=" not in source  # the converter's default opset
    assert "providers=['CPUExecutionProvider']" in source
    # the Keras adapters' rendered layer, its call handed to the converter and ORT
    assert "layer.set_weights([kernel]" in source
    assert "y = tf2onnx_run(lambda x_tf: layer(x_tf), x_native)" in source
    return source


def test_keras3_route_renders_from_function():
    source = rendered(Tf2OnnxKerasConvTranspose, transpose_case(stride=2, padding="same"))
    assert 'os.environ["KERAS_BACKEND"] = "tensorflow"' in source
    assert "layer = keras.layers.Conv2DTranspose(filters=3, kernel_size=[3, 3], strides=[2, 2], padding='same'" in source
    assert "tf2onnx.convert.from_function(tf.function(call_layer), input_signature=signature)" in source
    assert "from_keras" not in source


def test_tf_keras_route_renders_from_keras():
    source = rendered(Tf2OnnxTfKerasConv, conv_case(padding="same"))
    assert "import tf_keras" in source and "import keras\n" not in source
    assert "layer = tf_keras.layers.Conv2D(filters=6" in source
    assert "model = tf_keras.Model(inputs, call_layer(inputs))" in source
    assert "tf2onnx.convert.from_keras(model)" in source
    assert "TF_USE_LEGACY_KERAS" not in source  # the model is tf_keras' own


def test_registered_and_in_the_main_job():
    for adapter, _ in PAIRS:
        assert get_adapter(adapter.name) is adapter
        assert adapter.framework == "tf2onnx" and adapter.kind == "api"
    assert "tf2onnx" in default_run_frameworks()
