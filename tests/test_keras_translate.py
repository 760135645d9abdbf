"""keras.layers.ConvTranspose / keras.layers.Conv parameter translation, with no framework installed."""

from __future__ import annotations

import numpy as np
import pytest

from conformance.adapters.base import NativeCall, Unsupported
from conformance.adapters.canonical import Axis, axes
from conformance.adapters.keras_api import (
    KerasConv,
    KerasConvTranspose,
    keras_output_padding,
    keras_padding,
    keras_transpose_base_length,
    keras_transpose_default_length,
)
from adapter_checks import conv_case, transpose_case


def test_keras_padding():
    assert keras_padding("same") == "same"
    assert keras_padding("valid") == "valid"
    assert keras_padding(((0, 0), (0, 0))) == "valid"
    assert keras_padding(((0, 1), (0, 0))) is None
    assert keras_padding("same_lower") is None


@pytest.mark.parametrize(
    "kernel, stride, dilation, padding, base, default",
    [
        (3, 2, 1, "valid", 9, 9),  # (L-1)s + e ; default (L-1)s + max(e, s)
        (1, 3, 1, "valid", 10, 12),  # s > e: Keras' default is longer than F
        (3, 2, 1, "same", 7, 8),  # (L-1)s + e%2 ; default L*s
        (4, 2, 1, "same", 6, 8),  # even kernel: base (L-1)s
        (2, 1, 2, "same", 4, 4),  # e = 3
    ],
)
def test_keras_transpose_lengths(kernel, stride, dilation, padding, base, default):
    axis = Axis(4, kernel, stride, dilation, padding, 0, None)
    assert keras_transpose_base_length(axis, padding) == base
    assert keras_transpose_default_length(axis, padding) == default


def test_keras_output_padding_is_none_when_the_default_fits():
    # same, k=3, s=2, L=4: the canonical O = L*s = 8 is Keras' default
    assert keras_output_padding(axes(transpose_case(stride=2, padding="same")), "same") is None
    # valid, k=1, s=3: the canonical O = F = 10, Keras' default L*s = 12; base F, so 0
    assert keras_output_padding(axes(transpose_case(dims=1, kernel=1, stride=3, padding="valid")), "valid") == [0]
    # one dim off the default (O = 7 = base + 0 there) makes every dim explicit: base 7, so [1, 0]
    case_axes = axes(transpose_case(stride=2, padding="same", output_shape=[8, 7]))
    assert keras_output_padding(case_axes, "same") == [1, 0]


def test_conv_transpose_call():
    call = KerasConvTranspose().express(transpose_case(stride=2, padding="same", b=np.zeros(3), dtype="bfloat16"))
    assert isinstance(call, NativeCall)
    assert call.api == "keras.layers.Conv2DTranspose"
    assert call.kwargs == {
        "filters": 3,
        "kernel_size": [3, 3],
        "strides": [2, 2],
        "padding": "same",
        "output_padding": None,
        "dilation_rate": [1, 1],
        "use_bias": True,
        "data_format": "channels_last",
        "dtype": "bfloat16",
    }
    assert call.kernel_layout == "HWOI"


def test_conv_transpose_output_shape_becomes_output_padding():
    # same, k=3, s=2, L=4: Keras O = 6 + 1 + output_padding; O = 7 -> 0
    call = KerasConvTranspose().express(transpose_case(stride=2, padding="same", output_shape=[7, 8]))
    assert call.kwargs["output_padding"] == [0, 1]
    # valid with s > e: the canonical O = F needs output_padding 0, not Keras' default
    call = KerasConvTranspose().express(transpose_case(kernel=1, stride=3, padding="valid"))
    assert call.kwargs["output_padding"] == [0, 0]
    # explicit zero pads with output_padding: 'valid' + output_padding
    call = KerasConvTranspose().express(transpose_case(stride=2, padding=0, output_padding=1))
    assert (call.kwargs["padding"], call.kwargs["output_padding"]) == ("valid", [1, 1])


@pytest.mark.parametrize("padding", ["same", "valid"])
def test_conv_transpose_output_padding_with_a_mode_goes_through_unchanged(padding):
    # An invalid canonical case Keras itself takes (output_padding with 'same'/'valid'):
    # Keras is asked exactly that, not the canonical length's output_padding (None for same).
    case = transpose_case(stride=2, padding=padding, output_padding=1, expect="error")
    call = KerasConvTranspose().express(case)
    assert (call.kwargs["padding"], call.kwargs["output_padding"]) == (padding, [1, 1])
    # output_padding >= stride too: for the layer to refuse, not declined here
    case = transpose_case(stride=2, padding=padding, output_padding=[2, 0], expect="error")
    assert KerasConvTranspose().express(case).kwargs["output_padding"] == [2, 0]


@pytest.mark.parametrize(
    "params, reason",
    [
        ({"groups": 3, "c_in": 3, "c_out": 3}, "groups"),
        ({"padding": 1}, "explicit-padding"),
        ({"padding": [[1, 0], [0, 0]]}, "explicit-padding"),
        ({"padding": "same_lower"}, "padding-mode:same_lower"),
    ],
)
def test_conv_transpose_unsupported(params, reason):
    # Only what the API has no parameter for: no groups argument, no padding amounts.
    refused = KerasConvTranspose().express(transpose_case(**params))
    assert isinstance(refused, Unsupported) and refused.reason == reason
    assert refused.doc.startswith("https://keras.io/")


@pytest.mark.parametrize(
    "params, kwargs",
    [
        # strides > 1 with dilation_rate > 1: documented as incompatible, Keras' constructor says so
        ({"stride": 2, "dilation": 2}, {"strides": [2, 2], "dilation_rate": [2, 2], "output_padding": None}),
        # output_padding >= strides: the length needs it, Keras' constructor refuses it
        ({"stride": 2, "padding": 0, "output_padding": 2}, {"padding": "valid", "output_padding": [2, 2]}),
        # same + even kernel: O = L*s needs output_padding = s in one dim, an explicit value in the other
        ({"kernel": 4, "stride": 2, "padding": "same", "output_shape": [8, 7]}, {"output_padding": [2, 1]}),
        # below Keras' 'same' minimum (L-1)s + e%2 = 7: a negative output_padding
        ({"stride": 2, "padding": "same", "output_shape": [6, 6]}, {"output_padding": [-1, -1]}),
    ],
)
def test_conv_transpose_asks_keras_what_its_constructor_refuses(params, kwargs):
    call = KerasConvTranspose().express(transpose_case(**params))
    assert isinstance(call, NativeCall)
    assert {key: call.kwargs[key] for key in kwargs} == kwargs


def test_conv_call_and_unsupported():
    call = KerasConv().express(conv_case(groups=2, dilation=2, padding="same"))
    assert call.api == "keras.layers.Conv2D"
    assert (call.kwargs["groups"], call.kwargs["dilation_rate"], call.kwargs["use_bias"]) == (2, [2, 2], False)
    assert call.kernel_layout == "HWIO"
    assert KerasConv().express(conv_case(padding=[[1, 0], [0, 0]])).reason == "explicit-padding"
    assert KerasConv().express(conv_case(padding="same_lower")).reason == "padding-mode:same_lower"
    # strides > 1 with dilation_rate > 1 is asked: Keras' constructor answers
    call = KerasConv().express(conv_case(stride=2, dilation=2))
    assert (call.kwargs["strides"], call.kwargs["dilation_rate"]) == ([2, 2], [2, 2])


def test_framework_modules_name_keras_and_its_backend():
    # Keras' own checks raise in keras, the kernels' errors in the backend's packages.
    assert KerasConvTranspose.raising_packages() == ("keras", "tensorflow")
    assert KerasConv.raising_packages() == ("keras", "tensorflow")


def test_conv_passes_invalid_values_through():
    call = KerasConv().express(conv_case(stride=0, expect="error"))
    assert call.kwargs["strides"] == [0, 0]
