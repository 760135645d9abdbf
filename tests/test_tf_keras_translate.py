"""tf_keras.layers.* translation (Keras 2), with no framework installed.

The output-size arithmetic is keras_api's (tested in test_keras_translate.py); here: the
Keras 2 layer names, the Keras 2 documentation links, and the documented dilation gaps,
which are asked (the layers take a dilation_rate per dim), not declined.
"""

from __future__ import annotations

import numpy as np
import pytest

from conformance.adapters import adapters_for_framework
from conformance.adapters.base import NativeCall, Unsupported
from conformance.adapters.keras_api import KerasConvTranspose
from conformance.adapters.tf_keras_api import (
    TfKerasConv,
    TfKerasConvTranspose,
    keras2_call,
)
from adapter_checks import conv_case, transpose_case


def test_keras2_call_renames_the_layer_and_keeps_the_arguments():
    case = transpose_case(stride=2, padding="same", output_shape=7)
    keras3 = KerasConvTranspose().express(case)
    keras2 = keras2_call(keras3, "doc")
    assert keras2.api == "tf_keras.layers.Conv2DTranspose"
    assert keras2.kwargs == keras3.kwargs and keras2.kwargs["output_padding"] == [0, 0]
    refused = keras2_call(Unsupported("groups", "detail", "keras3-doc"), "keras2-doc")
    assert refused == Unsupported("groups", "detail", "keras2-doc")


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_layer_names(dims):
    call = TfKerasConvTranspose().express(transpose_case(dims=dims, stride=2, padding="valid"))
    assert isinstance(call, NativeCall) and call.api == f"tf_keras.layers.Conv{dims}DTranspose"
    call = TfKerasConv().express(conv_case(dims=dims, groups=2, padding="same"))
    assert call.api == f"tf_keras.layers.Conv{dims}D" and call.kwargs["groups"] == 2


def test_conv1d_transpose_dilation_is_asked():
    # Documented 'not currently supported', but Conv1DTranspose takes dilation_rate: the layer answers.
    call = TfKerasConvTranspose().express(transpose_case(dims=1, dilation=2, padding="valid"))
    assert isinstance(call, NativeCall) and call.kwargs["dilation_rate"] == [2]


def test_conv2d_transpose_per_dim_dilation_is_asked():
    # Documented as not supported, but dilation_rate is a pair: the layer answers.
    call = TfKerasConvTranspose().express(transpose_case(dilation=[1, 2], padding="valid"))
    assert isinstance(call, NativeCall) and call.kwargs["dilation_rate"] == [1, 2]


def test_conv3d_transpose_dilation_is_asked():
    # documented as a parameter (only 'incompatible with stride != 1'): the layer is asked
    call = TfKerasConvTranspose().express(transpose_case(dims=3, dilation=[1, 2, 3], padding="valid"))
    assert call.kwargs["dilation_rate"] == [1, 2, 3]


def test_keras_refusals_carry_the_keras2_documentation():
    refused = TfKerasConvTranspose().express(transpose_case(groups=3, c_in=3, c_out=3, padding="valid"))
    assert isinstance(refused, Unsupported) and refused.reason == "groups"
    assert "tf-keras" in refused.doc
    refused = TfKerasConv().express(conv_case(padding="same_lower"))
    assert refused.reason == "padding-mode:same_lower" and "tf-keras" in refused.doc


def test_output_padding_beyond_the_stride_is_asked():
    # valid, k=3, s=2, L=4: O = 11 needs output_padding 2 >= stride; the Keras 2 layer refuses it itself
    call = TfKerasConvTranspose().express(transpose_case(stride=2, padding="valid", output_shape=11))
    assert call.kwargs["output_padding"] == [2, 2]


def test_registered_under_the_tf_keras_framework():
    assert set(adapters_for_framework("tf_keras")) == {TfKerasConvTranspose, TfKerasConv}
    assert {TfKerasConvTranspose.module, TfKerasConv.module} == {"tf_keras"}
    # Keras 2's checks raise in tf_keras, the kernels' errors in tensorflow
    assert TfKerasConvTranspose.raising_packages() == TfKerasConv.raising_packages() == ("tf_keras", "tensorflow")


def test_rendered_call_is_keras3s_with_keras2s_imports_and_tensors():
    # Pure: one rendering of a Keras layer (keras_api.keras_layer_source) for Keras 2 and 3.
    case = transpose_case(stride=2, padding="same", output_shape=7, b=np.zeros(3), dtype="bfloat16")
    keras3 = KerasConvTranspose().repro_source(case, KerasConvTranspose().express(case))
    keras2 = TfKerasConvTranspose().repro_source(case, TfKerasConvTranspose().express(case))
    imports, body = keras2.split("\n\n", 1)
    assert imports.splitlines() == ["import ml_dtypes  # numpy's bfloat16", "import numpy as np", "import tensorflow as tf", "import tf_keras"]
    assert "os.environ" not in keras2 and "import keras\n" not in keras2
    as_keras3 = (
        body.replace("tf_keras.layers.", "keras.layers.")
        .replace("layer(tf.constant(x_native)).numpy()", "keras.ops.convert_to_numpy(layer(keras.ops.convert_to_tensor(x_native)))")
    )
    assert keras3.endswith("\n" + as_keras3)
    assert "layer = tf_keras.layers.Conv2DTranspose(filters=3, kernel_size=[3, 3], strides=[2, 2], padding='same', output_padding=[0, 0]," in body
