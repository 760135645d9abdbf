"""MindSpore adapters' translation, without mindspore: pad_mode or per-side pads in dim order,
output_padding and output_shape, the 1D cells' one-int padding, and mint's torch signature."""

from __future__ import annotations

import pytest
from adapter_checks import conv_case, transpose_case

from conformance.adapters import get_adapter
from conformance.adapters.base import NativeCall, Unsupported
from conformance.adapters.mindspore_api import (
    MindsporeConvCell,
    MindsporeConvTransposeCell,
    MindsporeMintConvTranspose2d,
    conv_cell_args,
    conv_transpose_cell_args,
    per_side_padding,
)


def test_per_side_padding_is_first_dim_first():
    # (top, bottom, left, right)
    assert per_side_padding([(1, 2), (3, 4)]) == [1, 2, 3, 4]


def test_canonical_same_and_valid_are_the_cells_modes():
    args = conv_transpose_cell_args(transpose_case(stride=2, padding="same"))
    assert (args["pad_mode"], args["padding"], args["output_padding"]) == ("same", 0, [0, 0])
    assert conv_cell_args(conv_case(padding="valid"))["pad_mode"] == "valid"


def test_explicit_pairs_are_pad_mode_with_output_padding_as_given():
    args = conv_transpose_cell_args(transpose_case(stride=2, padding=[[1, 0], [2, 1]], output_padding=1))
    assert args == {
        "stride": [2, 2], "dilation": [1, 1], "group": 1, "pad_mode": "pad", "padding": [1, 0, 2, 1],
        "output_padding": [1, 1],
    }


def test_same_lower_crops_the_odd_one_first():
    # L=4, k=4: F = 7, O = 4, total 3
    args = conv_transpose_cell_args(transpose_case(kernel=4, padding="same_lower"))
    assert (args["pad_mode"], args["padding"], args["output_padding"]) == ("pad", [2, 1, 2, 1], [0, 0])
    # conv: L=6, k=4, s=1: total 3, the odd zero first
    assert conv_cell_args(conv_case(kernel=4, padding="same_lower"))["padding"] == [2, 1, 2, 1]


def test_output_shape_becomes_output_padding():
    # L=4, k=3, s=2: F = 9; 'valid' with output_shape 10 -> output_padding 1; crop 1+1 with 8 -> 1
    valid = conv_transpose_cell_args(transpose_case(stride=2, padding="valid", output_shape=[10, 9]))
    assert (valid["pad_mode"], valid["padding"], valid["output_padding"]) == ("pad", [0, 0, 0, 0], [1, 0])
    explicit = conv_transpose_cell_args(transpose_case(stride=2, padding=1, output_shape=[8, 7]))
    assert explicit["output_padding"] == [1, 0]
    # an invalid output_shape below 'valid' is asked as a negative output_padding
    assert conv_transpose_cell_args(transpose_case(stride=2, padding="valid", output_shape=[8, 8]))["output_padding"] == [-1, -1]


def test_output_padding_with_a_cell_mode_is_passed_for_mindspore_to_answer():
    args = conv_transpose_cell_args(transpose_case(stride=2, padding="same", output_padding=1))
    assert (args["pad_mode"], args["output_padding"]) == ("same", [1, 1])


def test_output_padding_with_same_lower_is_unsupported():
    verdict = conv_transpose_cell_args(transpose_case(stride=2, padding="same_lower", output_padding=1))
    assert isinstance(verdict, Unsupported)
    assert verdict.reason == "output-padding-with-padding-mode"


def test_one_dim_cells_take_one_symmetric_int():
    args = conv_transpose_cell_args(transpose_case(dims=1, stride=2, padding=1))
    assert args == {"stride": 2, "pad_mode": "pad", "padding": 1, "dilation": 1, "group": 1}
    asym = conv_transpose_cell_args(transpose_case(dims=1, padding=[[1, 0]]))
    assert isinstance(asym, Unsupported) and asym.reason == "asymmetric-padding"
    opad = conv_transpose_cell_args(transpose_case(dims=1, stride=2, padding=1, output_padding=1))
    assert isinstance(opad, Unsupported) and opad.reason == "output-padding"
    conv = conv_cell_args(conv_case(dims=1, padding=[[2, 1]]))
    assert isinstance(conv, Unsupported) and conv.reason == "asymmetric-padding"


def test_conv_same_with_a_zero_stride_is_still_asked():
    args = conv_cell_args(conv_case(stride=[1, 0], padding="same_lower"))
    assert (args["pad_mode"], args["stride"]) == ("same", [1, 0])


def test_mint_conv_transpose2d_asks_what_torch_asks_in_2d_only():
    adapter = MindsporeMintConvTranspose2d()
    call = adapter.express(transpose_case(stride=2, padding=[[1, 0], [1, 0]]))
    assert isinstance(call, NativeCall)
    # torch's rule: crop 1 before, 0 after is padding 1 re-appending one position
    assert (call.kwargs["padding"], call.kwargs["output_padding"]) == ([1, 1], [1, 1])
    more_after = adapter.express(transpose_case(padding=[[0, 1], [0, 1]]))
    assert isinstance(more_after, Unsupported) and more_after.reason == "asymmetric-padding"
    verdict = adapter.express(transpose_case(dims=3))
    assert isinstance(verdict, Unsupported) and verdict.reason == "rank:3"


def test_rendered_cell_takes_the_arrays_as_weight_init_and_tuples():
    adapter = MindsporeConvTransposeCell()
    case = transpose_case(stride=2, padding=[[1, 0], [2, 1]], output_padding=1)
    source = adapter.repro_source(case, adapter.express(case))
    assert "mindspore.nn.Conv2dTranspose(in_channels=2, out_channels=3, kernel_size=(3, 3), stride=(2, 2)" in source
    assert "padding=(1, 0, 2, 1), output_padding=(1, 1)" in source
    assert "weight_init=wt, bias_init=bt" in source
    assert "set_context" not in source  # the default (PyNative) mode
    assert "conformance" not in source
    compile(source, "<rendered>", "exec")


def test_registered_by_name():
    assert get_adapter("mindspore.nn.ConvTranspose") is MindsporeConvTransposeCell
    assert get_adapter("mindspore.nn.Conv") is MindsporeConvCell
    assert get_adapter("mindspore.mint.nn.functional.conv_transpose2d") is MindsporeMintConvTranspose2d


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_every_rank_of_the_cells_is_asked(dims):
    assert isinstance(MindsporeConvTransposeCell().express(transpose_case(dims=dims, padding="valid")), NativeCall)
    assert isinstance(MindsporeConvCell().express(conv_case(dims=dims, padding="same")), NativeCall)
