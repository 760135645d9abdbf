"""tf2onnx.keras.* and tf2onnx.tf_keras.* against the oracle: Keras layers converted by tf2onnx
(Keras 3 through from_function, Keras 2 through from_keras), run by ONNX Runtime (CPU).

Also pins the converter behaviours expectations/tf2onnx.{keras,tf_keras}.*.yaml record, and
why from_function is the Keras 3 route: tf2onnx 1.17's from_keras raises on a Keras 3 model
(onnx/tensorflow-onnx#2448). Nothing here depends on the machine.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402

pytest.importorskip("tensorflow")
pytest.importorskip("tf2onnx")
pytest.importorskip("onnxruntime")
pytest.importorskip("tf_keras")

from adapter_checks import assert_matches_oracle, assert_repro_reproduces, make_case, run  # noqa: E402

from conformance.adapters.tf2onnx_keras_api import (  # noqa: E402
    Tf2OnnxKerasConv,
    Tf2OnnxKerasConvTranspose,
    Tf2OnnxTfKerasConv,
    Tf2OnnxTfKerasConvTranspose,
)

TRANSPOSE = [Tf2OnnxKerasConvTranspose, Tf2OnnxTfKerasConvTranspose]
CONV = [Tf2OnnxKerasConv, Tf2OnnxTfKerasConv]


@pytest.mark.parametrize("adapter", TRANSPOSE, ids=lambda cls: cls.name)
@pytest.mark.parametrize(
    "dims, params",
    [
        (2, {"padding": "valid"}),
        (2, {"stride": 2, "padding": "same"}),
        (1, {"stride": 2, "padding": "same", "bias": True}),
        (2, {"stride": 1, "padding": "valid", "dilation": 2}),
    ],
)
def test_conv_transpose_matches_oracle(adapter, dims, params):
    assert_matches_oracle(adapter(), make_case("conv_transpose", dims, 4, 3, **params))


def test_keras3_3d_dilation_matches_oracle():
    # Keras 2's Conv3DTranspose drops dilation_rate itself (expectations/tf_keras.layers.ConvTranspose.yaml)
    assert_matches_oracle(Tf2OnnxKerasConvTranspose(), make_case("conv_transpose", 3, 4, 3, padding="valid", dilation=2))


@pytest.mark.parametrize("adapter", CONV, ids=lambda cls: cls.name)
@pytest.mark.parametrize("dims", [1, 2, 3])
def test_conv_matches_oracle(adapter, dims):
    assert_matches_oracle(adapter(), make_case("conv", dims, 6, 3, stride=2, padding="same"))


@pytest.mark.parametrize("adapter", TRANSPOSE, ids=lambda cls: cls.name)
def test_repro_reproduces(adapter):
    assert_repro_reproduces(adapter(), make_case("conv_transpose", 2, 4, 3, stride=2, padding="same"))


# -- the converter behaviours recorded as expectations -------------------------------------------
@pytest.mark.parametrize("adapter", TRANSPOSE, ids=lambda cls: cls.name)
def test_output_padding_becomes_negative_pads(adapter):
    # 'valid', L=4, s=2, k=3: O=10 is Keras' output_padding 1, above F=9; tf2onnx writes pads F - O < 0
    case = make_case("conv_transpose", 2, 4, 3, stride=2, padding="valid", output_shape=[10, 10])
    assert adapter().express(case).kwargs["output_padding"] == [1, 1]
    with pytest.raises(Exception, match="Attribute pads must not contain negative values"):
        run(adapter(), case)


@pytest.mark.parametrize("adapter", CONV, ids=lambda cls: cls.name)
def test_grouped_conv_is_left_as_a_function_call(adapter):
    # Keras runs grouped convs in a nested tf.function(jit_compile=True), which tf2onnx does not inline
    case = make_case("conv", 2, 6, 3, c_in=4, c_out=6, groups=2, padding="valid")
    with pytest.raises(Exception, match="No Op registered for (Stateful)?PartitionedCall"):
        run(adapter(), case)


def test_from_keras_refuses_a_keras3_model():
    # Why the Keras 3 route is from_function: from_keras looks Keras 3's output names
    # (keras_tensor_N) up among the traced tensors' names (onnx/tensorflow-onnx#2448).
    import keras
    import tensorflow as tf
    import tf2onnx

    layer = keras.layers.Conv2DTranspose(filters=2, kernel_size=3, strides=2, padding="same")
    model = keras.Sequential([keras.Input((4, 4, 3), batch_size=1), layer])
    with pytest.raises(KeyError, match="keras_tensor"):
        tf2onnx.convert.from_keras(model, input_signature=[tf.TensorSpec((1, 4, 4, 3), tf.float32, name="x")])
