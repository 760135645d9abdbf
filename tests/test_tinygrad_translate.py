"""tinygrad adapters' translation, without tinygrad: the per-side padding order, the window as
padding and output_padding, conv's explicit 'same' pads, and the rendered call."""

from __future__ import annotations

import pytest
from adapter_checks import conv_case, transpose_case

from conformance.adapters import get_adapter
from conformance.adapters.base import NativeCall, Unsupported
from conformance.adapters.tinygrad_api import (
    TinygradConv,
    TinygradConvTranspose,
    conv_args,
    conv_padding_pairs,
    conv_transpose_args,
    per_side_padding,
)


def test_per_side_padding_is_last_dim_first_before_then_after():
    # tinygrad's (left, right, top, bottom): W's pair first, then H's
    assert per_side_padding([(1, 2), (3, 4)]) == [3, 4, 1, 2]
    assert per_side_padding([(1, 2), (3, 4), (5, 6)]) == [5, 6, 3, 4, 1, 2]
    assert per_side_padding([(0, 2)]) == [0, 2]


def test_explicit_pairs_pass_per_side_with_output_padding():
    args = conv_transpose_args(transpose_case(stride=2, padding=[[1, 0], [2, 1]], output_padding=1))
    assert args == {"groups": 1, "stride": [2, 2], "dilation": [1, 1], "padding": [2, 1, 1, 0], "output_padding": [1, 1]}


def test_output_shape_becomes_output_padding():
    # L=4, k=3, s=2: F = 9; crops (1, 1) leave 7, output_shape 8 -> output_padding 1
    args = conv_transpose_args(transpose_case(stride=2, padding=1, output_shape=[8, 7]))
    assert args["padding"] == [1, 1, 1, 1]
    assert args["output_padding"] == [1, 0]


def test_output_shape_below_the_crop_is_asked_as_negative_output_padding():
    # an invalid case: tinygrad is asked, not predicted
    assert conv_transpose_args(transpose_case(stride=2, padding=1, output_shape=[6, 6]))["output_padding"] == [-1, -1]


def test_output_shape_disagreeing_with_output_padding_is_unsupported():
    verdict = conv_transpose_args(transpose_case(stride=3, padding=1, output_padding=1, output_shape=[12, 12]))
    assert isinstance(verdict, Unsupported)
    assert verdict.reason == "output-shape-with-output-padding"


def test_same_splits_the_odd_crop_after_and_same_lower_before():
    # L=4, k=4, s=1: F = 7, O = 4, total 3
    same = conv_transpose_args(transpose_case(kernel=4, padding="same", dims=1))
    lower = conv_transpose_args(transpose_case(kernel=4, padding="same_lower", dims=1))
    assert (same["padding"], same["output_padding"]) == ([1, 2], [0])
    assert (lower["padding"], lower["output_padding"]) == ([2, 1], [0])


def test_window_past_the_full_result_becomes_output_padding():
    # k=1 < s=3, 'same': F = 10, O = 12 -> no crop, output_padding 2
    same = conv_transpose_args(transpose_case(dims=1, kernel=1, stride=3, padding="same"))
    assert (same["padding"], same["output_padding"]) == ([0, 0], [2])
    # 'valid' with output_shape 11 > F = 9
    valid = conv_transpose_args(transpose_case(dims=1, stride=2, padding="valid", output_shape=[11]))
    assert (valid["padding"], valid["output_padding"]) == ([0, 0], [2])


def test_output_padding_with_a_mode_is_unsupported():
    verdict = conv_transpose_args(transpose_case(stride=2, padding="same", output_padding=1))
    assert isinstance(verdict, Unsupported)
    assert verdict.reason == "output-padding-with-padding-mode"


def test_conv_modes_become_explicit_pads():
    # L=6, k=3, s=2: out 3, total max(2*2+3-6, 0) = 1
    assert conv_padding_pairs(conv_case(stride=2, padding="same")) == [(0, 1), (0, 1)]
    assert conv_padding_pairs(conv_case(stride=2, padding="same_lower")) == [(1, 0), (1, 0)]
    assert conv_padding_pairs(conv_case(padding="valid")) == [(0, 0), (0, 0)]
    assert conv_args(conv_case(padding=[[2, 0], [1, 3]]))["padding"] == [1, 3, 2, 0]


def test_conv_same_with_a_zero_stride_is_still_asked():
    # no 'same' total exists; the invalid stride is what tinygrad is asked about
    args = conv_args(conv_case(stride=[1, 0], padding="same"))
    assert args["stride"] == [1, 0]
    assert args["padding"] == [0, 0, 0, 0]


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_every_rank_is_asked(dims):
    for adapter, case in [
        (TinygradConvTranspose(), transpose_case(dims=dims, dtype="bfloat16")),
        (TinygradConv(), conv_case(dims=dims, dtype="float16")),
    ]:
        assert isinstance(adapter.express(case), NativeCall)


def test_rendered_call_puts_every_tensor_on_the_cpu_device():
    adapter = TinygradConvTranspose()
    case = transpose_case(stride=2, padding=[[1, 0], [2, 1]], b=[0.0, 0.0, 0.0])
    call = adapter.express(case)
    source = adapter.repro_source(case, call)
    assert "device = 'CPU'" in source
    assert source.count("device=device") == 3
    assert "Tensor.conv_transpose2d(xt, wt, bt, groups=1, stride=[2, 2], dilation=[1, 1], padding=[2, 1, 1, 0]" in source
    assert "conformance" not in source
    compile(source, "<rendered>", "exec")


def test_registered_by_name():
    assert get_adapter("tinygrad.Tensor.conv_transpose2d") is TinygradConvTranspose
    assert get_adapter("tinygrad.Tensor.conv2d") is TinygradConv
