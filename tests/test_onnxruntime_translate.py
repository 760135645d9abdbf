"""onnxruntime.ConvTranspose / onnxruntime.Conv attribute translation, with no framework installed."""

from __future__ import annotations

import numpy as np
import pytest

from conformance.adapters import get_adapter
from conformance.adapters.base import NativeCall
from conformance.adapters.onnxruntime_api import (
    OPSET,
    OrtConv,
    OrtConvTranspose,
    conv_attributes,
    conv_transpose_attributes,
    onnx_auto_pad,
    onnx_pads,
    spec_output_shape_pads,
)
from adapter_checks import conv_case, transpose_case


def test_modes_map_to_auto_pad():
    assert onnx_auto_pad("same") == "SAME_UPPER"
    assert onnx_auto_pad("same_lower") == "SAME_LOWER"
    assert onnx_auto_pad("valid") == "VALID"
    assert onnx_auto_pad(((1, 0), (0, 2))) == "NOTSET"


def test_pads_are_all_begins_then_all_ends():
    assert onnx_pads(((1, 2), (3, 4))) == [1, 3, 2, 4]
    assert onnx_pads(((0, 5),)) == [0, 5]
    assert onnx_pads(((1, 0), (2, 0), (3, 1))) == [1, 2, 3, 0, 0, 1]


@pytest.mark.parametrize(
    "out, auto_pad, pads",
    [
        (8, "NOTSET", (1, 0)),  # F = 9, total 1: the larger half at the start
        (8, "SAME_UPPER", (0, 1)),  # ... at the end
        (8, "SAME_LOWER", (1, 0)),
        (7, "NOTSET", (1, 1)),
        (6, "SAME_UPPER", (1, 2)),
        (9, "NOTSET", (0, 0)),
    ],
)
def test_spec_output_shape_pads(out, auto_pad, pads):
    assert spec_output_shape_pads(4, 3, 2, 1, 0, out, auto_pad) == pads


def test_spec_output_shape_pads_counts_output_padding_and_dilation():
    # F = 3*2 + 2*2 + 1 = 11; total = 11 + 1 - 9 = 3
    assert spec_output_shape_pads(4, 3, 2, 2, 1, 9, "NOTSET") == (2, 1)


@pytest.mark.parametrize(
    "params, attributes",
    [
        ({"stride": 2, "padding": "same"}, {"auto_pad": "SAME_UPPER"}),
        ({"stride": 2, "padding": "same_lower"}, {"auto_pad": "SAME_LOWER"}),
        ({"padding": "valid"}, {"auto_pad": "VALID"}),
        ({"stride": 2, "padding": "same", "output_shape": [7, 8]}, {"auto_pad": "SAME_UPPER", "output_shape": [7, 8]}),
        ({"stride": 3, "padding": "valid", "output_shape": 12}, {"auto_pad": "VALID", "output_shape": [12, 12]}),
        (
            {"stride": 2, "padding": [[1, 0], [2, 1]], "output_padding": 1},
            {"auto_pad": "NOTSET", "pads": [1, 2, 0, 1], "output_padding": [1, 1]},
        ),
    ],
)
def test_conv_transpose_attributes(params, attributes):
    assert conv_transpose_attributes(transpose_case(**params)) == attributes


def test_explicit_output_shape_uses_the_attribute_where_the_spec_split_is_the_case():
    # F = 9; pads (1, 0) with O = 8: total 1, the spec's NOTSET split puts it at the start.
    case = transpose_case(stride=2, padding=[[1, 0], [1, 1]], output_shape=[8, 7])
    assert conv_transpose_attributes(case) == {"auto_pad": "NOTSET", "output_shape": [8, 7]}


def test_explicit_output_shape_falls_back_to_pads_and_implied_output_padding():
    # pads (0, 1): the spec would crop at the start; O = 9 - 1 + 1 -> output_padding 1.
    case = transpose_case(stride=2, padding=[[0, 1], [0, 1]], output_shape=[9, 9])
    assert conv_transpose_attributes(case) == {"auto_pad": "NOTSET", "pads": [0, 0, 1, 1], "output_padding": [1, 1]}


def test_implied_output_padding_counts_the_dilated_kernel():
    # F = (4 - 1) * 2 + 2 * (3 - 1) + 1 = 11; pads (1, 2) leave 8: output_shape 9 and 10 imply 1 and 2.
    case = transpose_case(stride=2, dilation=2, padding=[[1, 2], [1, 2]], output_shape=[9, 10])
    assert conv_transpose_attributes(case) == {"auto_pad": "NOTSET", "pads": [1, 1, 2, 2], "output_padding": [1, 2]}


@pytest.mark.parametrize(
    "params",
    [
        {"stride": 2, "output_padding": 2},  # >= stride and >= dilation: ORT refuses it, ORT is asked
        {"stride": 1, "dilation": 2, "output_padding": 1},  # below the dilation only
        {"stride": 1, "output_padding": 1},
    ],
)
def test_every_output_padding_is_passed_to_ort(params):
    attributes = conv_transpose_attributes(transpose_case(padding=0, **params))
    assert attributes["output_padding"] == [params["output_padding"]] * 2


def test_output_shape_with_a_different_output_padding_passes_all_three():
    # output_shape 9 implies output_padding 0 with pads (1, 1); the case says 1: ONNX has both
    # attributes (output_padding then only enters the pads' computation), so ORT is asked.
    case = transpose_case(stride=2, padding=[[1, 1], [1, 1]], output_padding=1, output_shape=[9, 9], expect="error")
    assert conv_transpose_attributes(case) == {
        "auto_pad": "NOTSET",
        "pads": [1, 1, 1, 1],
        "output_padding": [1, 1],
        "output_shape": [9, 9],
    }


def test_invalid_values_pass_through():
    case = transpose_case(stride=2, padding="same", output_padding=1, expect="error")
    assert conv_transpose_attributes(case) == {"auto_pad": "SAME_UPPER", "output_padding": [1, 1]}
    call = OrtConvTranspose().express(transpose_case(stride=0, padding=[[-1, 0], [0, 0]], expect="error"))
    assert call.kwargs["strides"] == [0, 0] and call.kwargs["pads"] == [-1, 0, 0, 0]


def test_conv_attributes():
    assert conv_attributes(conv_case(padding="same")) == {"auto_pad": "SAME_UPPER"}
    assert conv_attributes(conv_case(padding="same_lower")) == {"auto_pad": "SAME_LOWER"}
    assert conv_attributes(conv_case(padding=[[2, 0], [1, 3]])) == {"auto_pad": "NOTSET", "pads": [2, 1, 0, 3]}


def test_native_call_carries_every_attribute_and_canonical_layouts():
    call = OrtConv().express(conv_case(dims=3, kernel=2, groups=2, stride=[1, 2, 3], dilation=2, padding="valid"))
    assert isinstance(call, NativeCall)
    assert call.api == "Conv"
    assert call.kwargs == {
        "auto_pad": "VALID",
        "kernel_shape": [2, 2, 2],
        "strides": [1, 2, 3],
        "dilations": [2, 2, 2],
        "group": 2,
    }
    assert (call.input_layout, call.kernel_layout) == ("NCDHW", "OIDHW")
    assert f"opset <= {OPSET}" in call.note


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
def test_every_dtype_of_the_operators_T_is_asked(dtype):
    # Conv-22 / ConvTranspose-22: T is tensor(bfloat16|float16|float|double). ORT's CPU provider
    # has float kernels only; its NOT_IMPLEMENTED for the others is its answer, not Unsupported.
    for adapter, case in [(OrtConvTranspose(), transpose_case(dtype=dtype)), (OrtConv(), conv_case(dtype=dtype))]:
        assert isinstance(adapter.express(case), NativeCall)


def test_no_case_is_unsupported():
    # The node has an attribute for every canonical parameter: no case is refused by the adapter.
    cases = [
        transpose_case(stride=2, padding=[[2, 0], [0, 3]], output_padding=1),
        transpose_case(stride=2, padding="same_lower", output_shape=[9, 9]),
        transpose_case(dims=1, stride=3, dilation=2, padding="same", output_padding=2, expect="error"),
        transpose_case(dims=3, groups=1, padding="valid"),
    ]
    for case in cases:
        assert isinstance(OrtConvTranspose().express(case), NativeCall)


def test_registered_and_importable_without_onnxruntime():
    assert get_adapter("onnxruntime.ConvTranspose") is OrtConvTranspose
    assert get_adapter("onnxruntime.Conv") is OrtConv
    assert {OrtConvTranspose.framework, OrtConv.framework} == {"onnxruntime"}


def test_repro_source_spells_out_the_node():
    case = transpose_case(stride=2, padding="same", b=np.ones(3))
    source = OrtConvTranspose().repro_source(case, OrtConvTranspose().express(case))
    assert "conformance" not in source
    assert "helper.make_node('ConvTranspose', ['X', 'W', 'B'], ['Y'], auto_pad='SAME_UPPER'" in source
    assert f"make_opsetid('', {OPSET})" in source
