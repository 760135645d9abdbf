"""openvino.ConvolutionBackpropData / openvino.Convolution translation, with no framework installed."""

from __future__ import annotations

import numpy as np
import pytest

from conformance.adapters.base import NativeCall, Unsupported
from conformance.adapters.openvino_api import (
    OpenVinoConvolution,
    OpenVinoConvolutionBackpropData,
    conv_attributes,
    conv_transpose_attributes,
    group_kernel_shape,
    spec_output_shape_pads,
)
from adapter_checks import conv_case, transpose_case


@pytest.mark.parametrize(
    "auto_pad, pads",
    [("same_upper", (1, 0)), ("same_lower", (0, 1)), ("explicit", (0, 1)), ("valid", (0, 1))],
)
def test_the_documented_split_puts_the_larger_half_first_for_same_upper_only(auto_pad, pads):
    assert spec_output_shape_pads(7, 0, 6, auto_pad) == pads  # total 1
    assert spec_output_shape_pads(7, 0, 3, auto_pad) == (2, 2)  # even totals split evenly


def test_modes_go_with_output_shape_and_the_auto_pad_whose_split_is_canonical():
    same = conv_transpose_attributes(transpose_case(dims=1, length=3, stride=2, padding="same"))
    assert same == {"auto_pad": "same_lower", "pads_begin": [0], "pads_end": [0], "output_padding": [0],
                    "output_shape": [6]}
    lower = conv_transpose_attributes(transpose_case(dims=1, length=3, stride=2, padding="same_lower"))
    assert lower["auto_pad"] == "same_upper" and lower["output_shape"] == [6]
    valid = conv_transpose_attributes(transpose_case(dims=2, length=3, stride=2, padding="valid"))
    assert valid["auto_pad"] == "valid" and valid["output_shape"] == [7, 7]


def test_explicit_pairs_are_pads_and_output_padding():
    attrs = conv_transpose_attributes(transpose_case(dims=1, stride=2, padding=[[2, 0]], output_padding=1))
    assert attrs == {"auto_pad": "explicit", "pads_begin": [2], "pads_end": [0], "output_padding": [1]}


def test_explicit_output_shape_is_output_shape_alone_only_where_the_split_is_openvinos():
    # L=4, k=3, s=2: F = 9; O = 8 -> total 1, OpenVINO's explicit split (0, 1)
    alone = conv_transpose_attributes(transpose_case(dims=1, stride=2, padding=[[0, 1]], output_shape=[8]))
    assert alone["output_shape"] == [8] and alone["pads_begin"] == [0]
    implied = conv_transpose_attributes(transpose_case(dims=1, stride=2, padding=[[1, 0]], output_shape=[8]))
    assert implied == {"auto_pad": "explicit", "pads_begin": [1], "pads_end": [0], "output_padding": [0]}


def test_conv_modes_and_pairs():
    assert conv_attributes(conv_case(dims=1, padding="same"))["auto_pad"] == "same_upper"
    assert conv_attributes(conv_case(dims=1, padding="same_lower"))["auto_pad"] == "same_lower"
    assert conv_attributes(conv_case(dims=2, padding=[[1, 0], [0, 2]])) == {
        "auto_pad": "explicit", "pads_begin": [1, 0], "pads_end": [0, 2]}


def test_groups_pick_the_group_op_and_split_the_kernel():
    call = OpenVinoConvolutionBackpropData().express(transpose_case(c_in=4, c_out=6, groups=2))
    assert isinstance(call, NativeCall) and call.api == "ops.group_convolution_backprop_data"
    assert call.kwargs["group_kernel_shape"] == [2, -1, 3, 3, 3]
    conv = OpenVinoConvolution().express(conv_case(groups=2))
    assert conv.api == "ops.group_convolution" and group_kernel_shape(conv_case()) is None


def test_bias_is_unsupported():
    b = np.zeros(3)
    result = OpenVinoConvolutionBackpropData().express(transpose_case(b=b))
    assert isinstance(result, Unsupported) and result.reason == "bias"
    assert OpenVinoConvolution().express(conv_case(c_out=3, b=b)).reason == "bias"
