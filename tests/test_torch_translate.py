"""The torch adapters' parameter translation: pure integer functions, no torch needed."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from conformance.adapters import get_adapter
from conformance.adapters.base import NativeCall, Unsupported
from conformance.adapters.torch_api import (
    ADAPTERS,
    TorchConvModule,
    TorchConvTransposeModule,
    TorchFunctionalConv,
    TorchFunctionalConvTranspose,
    conv_padding_arg,
    conv_transpose_args,
    conv_transpose_axis_args,
    conv_transpose_output_length,
)
from conformance.adapters.canonical import conv_same_total, full_transpose_length
from conformance.case import Case


def transpose_case(length=5, kernel=3, c_in=2, c_out=3, **params) -> Case:
    x = np.zeros((1, c_in, length))
    w = np.zeros((c_in, c_out, kernel))
    return Case.make("t", "conv_transpose", x, w, dtype="float64", **params)


def conv_case(shape=(5,), kernel=(3,), c_in=2, c_out=3, **params) -> Case:
    x = np.zeros((1, c_in, *shape))
    w = np.zeros((c_out, c_in, *kernel))
    return Case.make("c", "conv", x, w, dtype="float64", **params)


# -- output-size models -------------------------------------------------------------------
@pytest.mark.parametrize(
    "length, kernel, stride, padding, output_padding, dilation, expected",
    [
        (5, 3, 2, 1, 1, 1, 10),  # (5-1)*2 - 2 + 2 + 1 + 1
        (4, 3, 1, 0, 0, 2, 8),  # dilation widens the kernel to 5
        (3, 4, 3, 2, 2, 1, 8),  # (3-1)*3 - 4 + 3 + 2 + 1
        (1, 1, 1, 0, 0, 1, 1),
    ],
)
def test_conv_transpose_output_length_is_torchs_formula(
    length, kernel, stride, padding, output_padding, dilation, expected
):
    assert conv_transpose_output_length(length, kernel, stride, padding, output_padding, dilation) == expected


def test_torch_length_at_zero_padding_is_the_canonical_full_result():
    assert conv_transpose_output_length(5, 3, 2, 0, 0, 1) == full_transpose_length(5, 3, 2, 1) == 11
    assert conv_transpose_output_length(4, 2, 3, 0, 0, 3) == full_transpose_length(4, 2, 3, 3) == 13


@pytest.mark.parametrize(
    "length, kernel, stride, dilation, expected",
    [(5, 3, 1, 1, 2), (5, 4, 1, 1, 3), (5, 3, 1, 2, 4), (5, 3, 2, 1, 2), (6, 3, 2, 1, 1), (4, 1, 3, 1, 0)],
)
def test_same_total_padding(length, kernel, stride, dilation, expected):
    assert conv_same_total(length, kernel, stride, dilation) == expected


# -- conv_transpose translation -----------------------------------------------------------
def test_explicit_symmetric_padding_maps_directly():
    assert conv_transpose_axis_args(5, 3, 2, 1, (1, 1), 1, None) == (1, 1)


def test_explicit_padding_larger_after_is_unsupported():
    result = conv_transpose_axis_args(5, 3, 2, 1, (0, 1), 0, None)
    assert isinstance(result, Unsupported)
    assert result.reason == "asymmetric-padding"
    assert "0 before, 1 after" in result.detail


def test_explicit_padding_larger_before_moves_the_difference_to_output_padding():
    # window full[1 : 11 - 0]: torch padding 1 crops one at each end, output_padding 1 re-appends one
    assert conv_transpose_axis_args(5, 3, 2, 1, (1, 0), 0, None) == (1, 1)
    assert conv_transpose_axis_args(5, 3, 2, 1, (2, 1), 1, None) == (2, 2)


def test_valid_is_padding_zero():
    assert conv_transpose_axis_args(5, 3, 2, 1, "valid", 0, None) == (0, 0)


def test_valid_with_output_shape_becomes_output_padding():
    # full = 11; output 12 appends one position
    assert conv_transpose_axis_args(5, 3, 2, 1, "valid", 0, 12) == (0, 1)


@pytest.mark.parametrize("mode", ["same", "same_lower"])
def test_same_with_even_crop_is_symmetric_padding(mode):
    # L=5, k=3, s=1: full 7, O 5, crop 2 -> padding 1 each side
    assert conv_transpose_axis_args(5, 3, 1, 1, mode, 0, None) == (1, 0)


def test_same_with_kernel_shorter_than_stride_appends_output_padding():
    # L=4, k=1, s=3: full 10, O 12 > full: no crop, two positions appended
    assert conv_transpose_axis_args(4, 1, 3, 1, "same", 0, None) == (0, 2)


def test_same_with_odd_crop_is_unsupported():
    # L=5, k=2, s=1: full 6, O 5, crop 1, the odd one after: torch cannot crop more after
    result = conv_transpose_axis_args(5, 2, 1, 1, "same", 0, None)
    assert isinstance(result, Unsupported)
    assert result.reason == "asymmetric-padding"
    assert "crops 0 before and 1 after" in result.detail


def test_same_lower_with_odd_crop_is_padding_plus_output_padding():
    # L=5, k=2, s=1: crop 1 before -> torch padding 1, output_padding 1 (full[1:6])
    assert conv_transpose_axis_args(5, 2, 1, 1, "same_lower", 0, None) == (1, 1)
    # k=3, s=2 (torch's usual upsampling idiom padding=1, output_padding=1) is same_lower
    assert conv_transpose_axis_args(4, 3, 2, 1, "same_lower", 0, None) == (1, 1)


def test_same_with_output_shape_uses_it_as_output_length():
    # L=5, k=3, s=2: full 11; output_shape 9 crops 2 -> padding 1, output_padding 0
    assert conv_transpose_axis_args(5, 3, 2, 1, "same", 0, 9) == (1, 0)
    # output_shape 10 crops 1: odd
    assert isinstance(conv_transpose_axis_args(5, 3, 2, 1, "same", 0, 10), Unsupported)


def test_explicit_padding_with_output_shape_becomes_output_padding():
    # full 11, padding 1 each side -> 9; output_shape 10 -> output_padding 1
    assert conv_transpose_axis_args(5, 3, 2, 1, (1, 1), 0, 10) == (1, 1)


def test_output_shape_with_agreeing_output_padding_is_accepted():
    assert conv_transpose_axis_args(5, 3, 2, 1, (1, 1), 1, 10) == (1, 1)


def test_output_shape_with_disagreeing_output_padding_is_unsupported():
    result = conv_transpose_axis_args(5, 3, 2, 1, (1, 1), 1, 9)
    assert isinstance(result, Unsupported)
    assert result.reason == "output-shape-with-output-padding"


def test_output_shape_below_the_cropped_length_passes_a_negative_output_padding_through():
    # An invalid case: torch itself must refuse output_padding -1.
    assert conv_transpose_axis_args(5, 3, 2, 1, (1, 1), 0, 8) == (1, -1)


def test_conv_transpose_args_builds_torch_parameters():
    args = conv_transpose_args(transpose_case(stride=2, padding=1, output_padding=1, dilation=1))
    assert args == {"stride": [2], "padding": [1], "output_padding": [1], "groups": 1, "dilation": [1]}


def test_output_padding_at_stride_and_dilation_is_asked_not_predicted():
    # ATen refuses output_padding >= stride and >= dilation: torch has the parameter, so the
    # adapter asks and torch's refusal is the result (an expectation, not an UNSUPPORTED).
    args = conv_transpose_args(transpose_case(stride=2, dilation=2, padding=1, output_padding=2))
    assert args["output_padding"] == [2] and args["stride"] == [2] and args["dilation"] == [2]


def test_output_padding_below_dilation_but_not_stride_is_expressible():
    args = conv_transpose_args(transpose_case(stride=1, dilation=3, output_padding=2))
    assert args["output_padding"] == [2]


def test_output_shape_needing_output_padding_beyond_the_rule_is_asked():
    # L=5, k=3, s=2, d=1, valid: full 11; output_shape 13 needs output_padding 2 >= stride and dilation
    args = conv_transpose_args(transpose_case(stride=2, padding="valid", output_shape=13))
    assert (args["padding"], args["output_padding"]) == ([0], [2])


def test_output_padding_with_a_padding_mode_is_unsupported():
    # Invalid canonically (only an `expect: error` case holds it): torch has no modes to ask.
    case = dataclasses.replace(transpose_case(stride=2, output_padding=1), padding="valid")
    result = conv_transpose_args(case)
    assert isinstance(result, Unsupported)
    assert result.reason == "output-padding-with-padding-mode"


@pytest.mark.parametrize("field, value", [("stride", 0), ("dilation", 0), ("padding", -1), ("groups", 0)])
def test_invalid_values_pass_through_unchanged(field, value):
    args = conv_transpose_args(transpose_case(**{field: value}))
    expected = {"stride": [0], "dilation": [0], "padding": [-1], "groups": 0}[field]
    assert args[field] == expected


def test_same_with_zero_stride_reaches_torch():
    args = conv_transpose_args(transpose_case(stride=0, padding="same"))
    assert not isinstance(args, Unsupported)
    assert args["stride"] == [0]


def test_first_unsupported_dim_is_named():
    x, w = np.zeros((1, 2, 5, 5)), np.zeros((2, 3, 3, 3))
    case = Case.make("t", "conv_transpose", x, w, padding=[[1, 1], [1, 2]], dtype="float64")
    result = conv_transpose_args(case)
    assert isinstance(result, Unsupported)
    assert result.detail.startswith("spatial dim 1:")


# -- conv translation ---------------------------------------------------------------------
def test_conv_explicit_symmetric_padding_is_one_int_per_dim():
    assert conv_padding_arg(conv_case(shape=(5, 6), kernel=(3, 3), padding=[1, 2])) == [1, 2]


def test_conv_asymmetric_padding_is_unsupported():
    result = conv_padding_arg(conv_case(padding=[[0, 1]]))
    assert isinstance(result, Unsupported)
    assert result.reason == "asymmetric-padding"


def test_conv_valid_is_torchs_valid():
    assert conv_padding_arg(conv_case(padding="valid")) == "valid"


@pytest.mark.parametrize("kernel", [(2,), (3,)])
def test_conv_same_at_stride_one_is_torchs_same(kernel):
    assert conv_padding_arg(conv_case(kernel=kernel, padding="same")) == "same"


def test_conv_strided_same_with_even_total_is_explicit():
    # L=5, k=3, s=2: O=3, total = 2*2 + 3 - 5 = 2
    assert conv_padding_arg(conv_case(padding="same", stride=2)) == [1]


def test_conv_strided_same_with_odd_total_is_unsupported():
    # L=6, k=3, s=2: O=3, total = 4 + 3 - 6 = 1
    result = conv_padding_arg(conv_case(shape=(6,), padding="same", stride=2))
    assert isinstance(result, Unsupported)
    assert result.reason == "asymmetric-padding"
    assert "stride 1 only" in result.detail


def test_conv_same_lower_even_is_explicit_and_odd_is_unsupported():
    assert conv_padding_arg(conv_case(padding="same_lower")) == [1]
    result = conv_padding_arg(conv_case(kernel=(2,), padding="same_lower"))
    assert isinstance(result, Unsupported)
    assert result.reason == "asymmetric-padding"


def test_conv_same_with_zero_stride_passes_the_mode_to_torch():
    assert conv_padding_arg(conv_case(padding="same", stride=0)) == "same"


# -- adapters: identity, calls, repro text -----------------------------------------------
def test_adapters_are_registered_by_name():
    cpu_names = {
        "torch.nn.functional.conv_transpose",
        "torch.nn.ConvTranspose",
        "torch.nn.functional.conv",
        "torch.nn.Conv",
    }
    assert {cls.name for cls in ADAPTERS} == cpu_names | {name + "@cuda" for name in cpu_names}
    for cls in ADAPTERS:
        assert get_adapter(cls.name) is cls
        assert cls.module == "torch"
        assert (cls.framework, cls.device) == (("torch-cuda", "cuda") if cls.name.endswith("@cuda") else ("torch", "cpu"))
        assert cls.dtypes == {"float64", "float32", "float16", "bfloat16"}


def test_cuda_variants_translate_as_the_cpu_adapters_and_name_the_device_in_the_repro():
    case = transpose_case(stride=2, padding=1, output_padding=1)
    cpu, cuda = TorchFunctionalConvTranspose(), get_adapter("torch.nn.functional.conv_transpose@cuda")()
    assert cuda.express(case) == cpu.express(case)
    source = cuda.repro_source(case, cuda.express(case))
    assert source.startswith("device = 'cuda'\n") and ".to(device)" in source and "out.cpu()" in source


def test_functional_conv_transpose_call():
    case = transpose_case(stride=2, padding=1, output_padding=1)
    call = TorchFunctionalConvTranspose().express(case)
    assert isinstance(call, NativeCall)
    assert call.api == "torch.nn.functional.conv_transpose1d"
    assert call.kwargs["padding"] == [1] and call.kwargs["output_padding"] == [1]
    assert (call.input_layout, call.kernel_layout) == ("NCW", "IOW")


def test_module_conv_transpose_takes_channels_from_the_kernel():
    x, w = np.zeros((1, 4, 5, 5)), np.zeros((4, 3, 2, 3))
    case = Case.make("t", "conv_transpose", x, w, np.zeros(6), groups=2, dtype="float32")
    call = TorchConvTransposeModule().express(case)
    assert call.api == "torch.nn.ConvTranspose2d"
    assert call.kwargs["in_channels"] == 4 and call.kwargs["out_channels"] == 6
    assert call.kwargs["kernel_size"] == [2, 3] and call.kwargs["bias"] is True
    assert "output_size" not in call.kwargs


def test_module_conv_transpose_sends_output_shape_to_forward():
    case = transpose_case(stride=2, padding=1, output_shape=10)
    call = TorchConvTransposeModule().express(case)
    assert call.kwargs["output_size"] == [10]
    assert call.kwargs["output_padding"] == [0]  # the case's own: forward derives it from output_size
    assert "forward" in call.note


def test_module_conv_transpose_keeps_a_disagreeing_output_padding_for_torch_to_judge():
    case = transpose_case(stride=2, output_padding=1, output_shape=11)
    call = TorchConvTransposeModule().express(case)
    assert call.kwargs["output_padding"] == [1] and call.kwargs["output_size"] == [11]
    assert isinstance(TorchFunctionalConvTranspose().express(case), Unsupported)


def test_module_conv_takes_channels_from_the_kernel():
    x, w = np.zeros((1, 4, 5)), np.zeros((6, 2, 3))
    case = Case.make("c", "conv", x, w, groups=2, padding="same", dtype="float32")
    call = TorchConvModule().express(case)
    assert call.api == "torch.nn.Conv1d"
    assert (call.kwargs["in_channels"], call.kwargs["out_channels"]) == (4, 6)
    assert call.kwargs["padding"] == "same" and call.kwargs["bias"] is False


def test_functional_conv_call_3d():
    x, w = np.zeros((1, 2, 4, 5, 6)), np.zeros((3, 2, 1, 2, 3))
    call = TorchFunctionalConv().express(Case.make("c", "conv", x, w, stride=[1, 2, 3], dtype="float16"))
    assert call.api == "torch.nn.functional.conv3d"
    assert call.kwargs["stride"] == [1, 2, 3] and call.kwargs["padding"] == [0, 0, 0]
    assert (call.input_layout, call.kernel_layout) == ("NCDHW", "OIDHW")


@pytest.mark.parametrize("adapter_class", ADAPTERS)
def test_repro_spells_the_native_call_literally(adapter_class):
    adapter = adapter_class()
    if adapter.op == "conv_transpose":
        case = transpose_case(stride=2, padding=1, output_padding=1)
    else:
        case = conv_case(stride=2, padding=1)
    call = adapter.express(case)
    source = adapter.repro_source(case, call)
    assert "conformance" not in source
    assert call.api in source
    assert "stride=[2]" in source and "padding=[1]" in source
    compile(source, "<repro>", "exec")


def test_module_imports_and_translates_without_torch():
    # A subprocess where importing torch fails: listing and translating must still work.
    code = textwrap.dedent(
        """
        import sys
        sys.modules["torch"] = None  # makes `import torch` raise ImportError
        import numpy as np
        from conformance.case import Case
        from conformance.adapters.torch_api import ADAPTERS
        x = np.zeros((1, 2, 5)); wt = np.zeros((2, 3, 3)); wc = np.zeros((3, 2, 3))
        for cls in ADAPTERS:
            case = Case.make("t", cls.op, x, wt if cls.op == "conv_transpose" else wc, stride=2, dtype="float32")
            call = cls().express(case)
            print(cls.name, type(call).__name__, cls.available()[0])
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = done.stdout.split("\n")
    assert "torch.nn.functional.conv_transpose NativeCall False" in lines
    assert "torch.nn.Conv NativeCall False" in lines
