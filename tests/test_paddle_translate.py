"""The Paddle adapters' parameter translation: pure functions, no paddle needed."""

from __future__ import annotations

import pytest
from adapter_checks import conv_case, transpose_case

from conformance.adapters import get_adapter
from conformance.adapters.base import NativeCall
from conformance.adapters.paddle_api import (
    ADAPTERS,
    PaddleConvLayer,
    PaddleConvTransposeLayer,
    PaddleFunctionalConv,
    PaddleFunctionalConvNHWC,
    PaddleFunctionalConvTranspose,
    PaddleFunctionalConvTransposeNHWC,
    conv_args,
    conv_transpose_args,
    padding_arg,
)


def test_symmetric_pairs_become_one_int_per_dim():
    assert padding_arg([(1, 1), (2, 2)]) == [1, 2]


def test_asymmetric_pairs_become_the_per_side_form():
    assert padding_arg([(1, 0), (2, 2)]) == [1, 0, 2, 2]


def test_modes_are_paddles_own_strings():
    assert conv_transpose_args(transpose_case(stride=2, padding="same"))["padding"] == "SAME"
    assert conv_transpose_args(transpose_case(stride=2, padding="valid"))["padding"] == "VALID"
    assert conv_args(conv_case(padding="same"))["padding"] == "SAME"


def test_transpose_same_lower_is_the_canonical_window_per_side():
    # L=4, k=4, s=2: F = 10, O = 8, total 2 -> 1 before, 1 after; k=3: F = 9, total 1 -> 1 before
    args = conv_transpose_args(transpose_case(dims=1, kernel=3, stride=2, padding="same_lower"))
    assert args["padding"] == [1, 0]
    assert args["output_size"] is None


def test_transpose_same_lower_past_the_full_result_asks_output_size():
    # L=4, k=1, s=3: F = 10 < O = 12, no crop: only output_size says 12
    args = conv_transpose_args(transpose_case(dims=1, kernel=1, stride=3, padding="same_lower"))
    assert args["padding"] == [0]
    assert args["output_size"] == [12]


def test_transpose_output_padding_is_zero_when_none_is_asked():
    # a list of zeros would count as an output_padding beside output_size, which Paddle refuses
    args = conv_transpose_args(transpose_case(stride=2, padding=1, output_shape=[8, 8]))
    assert args["output_padding"] == 0
    assert args["output_size"] == [8, 8]
    assert conv_transpose_args(transpose_case(stride=2, padding=1, output_padding=1))["output_padding"] == [1, 1]


def test_transpose_explicit_asymmetric_crop_is_expressed():
    args = conv_transpose_args(transpose_case(stride=2, padding=[[0, 1], [2, 1]]))
    assert args["padding"] == [0, 1, 2, 1]


def test_conv_same_lower_puts_the_odd_zero_first():
    # L=6, k=4, s=1: total 3 -> 2 before, 1 after
    assert conv_args(conv_case(dims=1, kernel=4, padding="same_lower"))["padding"] == [2, 1]


@pytest.mark.parametrize("cls", ADAPTERS)
def test_every_adapter_is_registered_and_expresses_every_dtype(cls):
    assert get_adapter(cls.name) is cls
    case = conv_case(dtype="bfloat16") if cls.op == "conv" else transpose_case(dtype="bfloat16")
    assert isinstance(cls().express(case), NativeCall)


def test_channels_last_adapters_say_their_layout_and_relayout():
    call = PaddleFunctionalConvTransposeNHWC().express(transpose_case(dims=3))
    assert call.kwargs["data_format"] == "NDHWC" and call.kernel_layout == "IODHW"
    source = PaddleFunctionalConvNHWC().repro_source(conv_case(dims=1), PaddleFunctionalConvNHWC().express(conv_case(dims=1)))
    assert ".transpose(0, 2, 1)" in source and "data_format='NLC'" in source
    assert PaddleFunctionalConv().express(conv_case()).kwargs["data_format"] == "NCHW"
    assert PaddleFunctionalConvTranspose().express(transpose_case(dims=1)).api == "paddle.nn.functional.conv1d_transpose"


def test_layers_take_channels_from_the_kernel_and_output_size_in_forward():
    case = transpose_case(c_in=4, c_out=6, groups=2, stride=2, padding=1, output_shape=[8, 8])
    call = PaddleConvTransposeLayer().express(case)
    assert (call.api, call.kwargs["in_channels"], call.kwargs["out_channels"]) == ("paddle.nn.Conv2DTranspose", 4, 6)
    source = PaddleConvTransposeLayer().repro_source(case, call)
    assert "layer(xt, output_size=[8, 8])" in source and "output_size" not in source.split("layer(xt")[0]
    conv = PaddleConvLayer().express(conv_case(c_in=4, c_out=6, groups=2, b=[0.0] * 6))
    assert (conv.api, conv.kwargs["in_channels"], conv.kwargs["out_channels"], conv.kwargs["bias_attr"]) == (
        "paddle.nn.Conv2D", 4, 6, None,
    )
    assert PaddleConvLayer().express(conv_case()).kwargs["bias_attr"] is False
