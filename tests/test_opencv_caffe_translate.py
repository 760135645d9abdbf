"""The Caffe-layer adapters' translation: Caffe's size models and pads, no cv2 or protobuf needed."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from conformance.adapters import get_adapter
from conformance.adapters.base import NativeCall, Unsupported
from conformance.adapters.opencv_caffe_api import (
    ADAPTERS,
    OpenCvCaffeConvolution,
    OpenCvCaffeDeconvolution,
    convolution_axis_pad,
    convolution_output_length,
    convolution_pads,
    cpu_capability,
    deconvolution_axis_pad,
    deconvolution_output_length,
    deconvolution_pads,
    prototxt,
)
from conformance.adapters.canonical import Axis
from conformance.case import Case


def deconv_case(spatial=(5,), kernel=(3,), c_in=2, c_out=3, groups=1, bias=False, **params) -> Case:
    x = np.zeros((1, c_in, *spatial))
    w = np.zeros((c_in, c_out // groups, *kernel))
    b = np.zeros(c_out) if bias else None
    return Case.make("t", "conv_transpose", x, w, b, groups=groups, dtype="float32", **params)


def axis(length, kernel, stride, dilation, padding, output_shape=None) -> Axis:
    """One spatial dim as the adapters see it (no output_padding: Caffe has none)."""
    return Axis(length, kernel, stride, dilation, padding, 0, output_shape)


def conv_case(spatial=(5,), kernel=(3,), c_in=2, c_out=3, groups=1, bias=False, **params) -> Case:
    x = np.zeros((1, c_in, *spatial))
    w = np.zeros((c_out, c_in // groups, *kernel))
    b = np.zeros(c_out) if bias else None
    return Case.make("c", "conv", x, w, b, groups=groups, dtype="float32", **params)


# -- Caffe's output-size models ----------------------------------------------------------------
@pytest.mark.parametrize(
    "length, kernel, stride, pad, dilation, expected",
    [
        (2, 3, 2, 0, 1, 5),  # seed 002: 2x2 -> 5x5 with a 3x3 kernel, stride 2
        (5, 4, 2, 1, 1, 10),  # bilinear factor 2: (5-1)*2 + 4 - 2
        (4, 3, 1, 0, 2, 8),  # dilation widens the kernel to 5
        (3, 2, 3, 0, 1, 8),  # kernel below stride: gaps, no overlap
        (1, 1, 1, 0, 1, 1),
    ],
)
def test_deconvolution_output_length_is_caffes_formula(length, kernel, stride, pad, dilation, expected):
    assert deconvolution_output_length(length, kernel, stride, pad, dilation) == expected


@pytest.mark.parametrize(
    "length, kernel, stride, pad, dilation, expected",
    [
        (5, 3, 2, 0, 1, 2),  # seed 002: [(5 - 3 + 0) / 2] + 1
        (6, 3, 2, 0, 1, 2),  # floor((6 - 3) / 2) + 1: Caffe rounds down
        (6, 3, 2, 1, 1, 3),
        (7, 3, 1, 0, 3, 1),  # dilated extent 7
    ],
)
def test_convolution_output_length_rounds_down(length, kernel, stride, pad, dilation, expected):
    assert convolution_output_length(length, kernel, stride, pad, dilation) == expected


@pytest.mark.parametrize("factor", [2, 3, 4, 5])
@pytest.mark.parametrize("length", [1, 4, 7])
def test_caffe_bilinear_upsampling_recipe_scales_by_its_factor(factor, length):
    # Seed 002: kernel_size 2f - f % 2, stride f, pad ceil((f - 1) / 2) gives f * L.
    kernel, pad = 2 * factor - factor % 2, math.ceil((factor - 1) / 2)
    assert deconvolution_output_length(length, kernel, factor, pad, 1) == factor * length
    # ... and it is exactly the canonical 'same' crop, so the 'same' cases translate to it.
    assert deconvolution_axis_pad(axis(length, kernel, factor, 1, "same", None)) == pad


# -- Deconvolution pads --------------------------------------------------------------------------
def test_symmetric_explicit_padding_is_pad():
    assert deconvolution_axis_pad(axis(5, 3, 2, 1, (1, 1))) == 1
    assert deconvolution_axis_pad(axis(5, 3, 2, 1, (2, 2), 7)) == 2  # output_shape that pad gives anyway


@pytest.mark.parametrize(
    "padding, output_shape, reason",
    [
        ((1, 0), None, "asymmetric-padding"),
        ((0, 2), None, "asymmetric-padding"),
        ((1, 1), 10, "output-shape"),  # needs output_padding 1 on top of pad 1 (full 11, O 9)
        ("valid", 12, "output-shape"),  # 'valid' is the full 11 exactly
    ],
)
def test_what_caffe_cannot_express(padding, output_shape, reason):
    result = deconvolution_axis_pad(axis(5, 3, 2, 1, padding, output_shape))
    assert isinstance(result, Unsupported)
    assert result.reason == reason
    assert result.doc


def test_valid_is_pad_zero():
    assert deconvolution_axis_pad(axis(4, 3, 2, 1, "valid", None)) == 0
    assert deconvolution_axis_pad(axis(4, 3, 2, 1, "valid", 9)) == 0  # the full length itself


@pytest.mark.parametrize(
    "length, kernel, stride, mode, output_shape, expected",
    [
        (5, 4, 2, "same", None, 1),  # full 12, O 10: crop 2
        (5, 4, 2, "same_lower", None, 1),  # an even crop splits the same way
        (4, 5, 3, "same", None, 1),  # full 14, O 12
        (3, 3, 1, "same", None, 1),  # full 5, O 3
        (4, 3, 2, "same", 5, 2),  # output_shape replaces O: full 9, crop 4
    ],
)
def test_same_modes_with_an_even_crop_are_a_symmetric_pad(length, kernel, stride, mode, output_shape, expected):
    assert deconvolution_axis_pad(axis(length, kernel, stride, 1, mode, output_shape)) == expected
    # Caffe's window with that pad is the canonical one: O = L * s, or output_shape
    assert deconvolution_output_length(length, kernel, stride, expected, 1) == (output_shape or length * stride)


@pytest.mark.parametrize(
    "length, kernel, stride, mode, output_shape, reason",
    [
        (4, 3, 2, "same", None, "asymmetric-padding"),  # full 9, O 8: crop 1 (odd)
        (4, 3, 2, "same_lower", None, "asymmetric-padding"),
        (4, 2, 3, "same", None, "output-padding"),  # full 11 < O 12: past the full result
        (4, 3, 2, "same", 10, "output-shape"),  # output_shape 10 > full 9
    ],
)
def test_same_modes_caffe_cannot_crop(length, kernel, stride, mode, output_shape, reason):
    result = deconvolution_axis_pad(axis(length, kernel, stride, 1, mode, output_shape))
    assert isinstance(result, Unsupported)
    assert result.reason == reason


def test_invalid_stride_under_a_mode_goes_to_opencv():
    # Stride 0 (an expect: error case): no Unsupported, OpenCV is asked and refuses the stride.
    assert isinstance(deconvolution_axis_pad(axis(4, 3, 0, 1, "same", None)), int)


def test_output_padding_is_unsupported_whatever_its_value():
    for output_padding in (1, -1):
        result = deconvolution_pads(deconv_case(stride=2, padding=1, output_padding=output_padding))
        assert isinstance(result, Unsupported) and result.reason == "output-padding"


def test_deconvolution_pads_name_the_spatial_dim():
    result = deconvolution_pads(deconv_case((4, 5), (3, 3), padding=[[1, 1], [0, 1]]))
    assert isinstance(result, Unsupported)
    assert result.reason == "asymmetric-padding"
    assert result.detail.startswith("spatial dim 1:")


def test_deconvolution_pads_per_dim():
    assert deconvolution_pads(deconv_case((4, 5), (4, 3), stride=[2, 1], padding=[1, 0])) == [1, 0]
    assert deconvolution_pads(deconv_case((5, 4), (4, 4), stride=2, padding="same")) == [1, 1]


# -- Convolution pads ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "length, kernel, stride, dilation, pad",
    [
        (5, 3, 1, 1, 1),  # total 2
        (5, 3, 2, 1, 1),  # O 3: (3 - 1) * 2 + 3 - 5 = 2
        (6, 3, 1, 2, 2),  # dilated extent 5: total 4
        (5, 1, 3, 1, 0),  # O 2: (2 - 1) * 3 + 1 - 5 < 0, no padding
    ],
)
@pytest.mark.parametrize("mode", ["same", "same_lower"])
def test_same_modes_are_half_the_canonical_total_per_side(length, kernel, stride, dilation, pad, mode):
    assert convolution_axis_pad(axis(length, kernel, stride, dilation, mode)) == pad
    # ... which is Caffe's floor output ceil(L / s), the canonical 'same' length
    assert convolution_output_length(length, kernel, stride, pad, dilation) == -(-length // stride)


@pytest.mark.parametrize("length, kernel, stride, dilation", [(5, 2, 1, 1), (6, 3, 2, 1), (7, 4, 3, 1)])
def test_same_modes_with_an_odd_total_are_unsupported(length, kernel, stride, dilation):
    result = convolution_axis_pad(axis(length, kernel, stride, dilation, "same"))
    assert isinstance(result, Unsupported) and result.reason == "asymmetric-padding"
    assert result.detail.startswith("'same' needs total padding ")


def test_convolution_axis_pad_explicit_and_valid():
    assert convolution_axis_pad(axis(5, 3, 2, 1, (2, 2))) == 2
    assert convolution_axis_pad(axis(5, 3, 2, 1, "valid")) == 0
    result = convolution_axis_pad(axis(5, 3, 2, 1, (1, 0)))
    assert isinstance(result, Unsupported) and result.detail == "padding 1 before, 0 after"


def test_convolution_pads():
    assert convolution_pads(conv_case((5, 6), (3, 3), padding=[1, 2])) == [1, 2]
    assert convolution_pads(conv_case((5, 6), (3, 3), padding="valid")) == [0, 0]
    assert convolution_pads(conv_case((5, 7), (3, 5), padding="same")) == [1, 2]
    assert convolution_pads(conv_case((5, 7), (3, 5), padding="same_lower")) == [1, 2]
    assert convolution_pads(conv_case((5,), (3,), stride=0, padding="same")) == [0]  # OpenCV refuses stride 0


def test_convolution_pads_name_the_spatial_dim():
    result = convolution_pads(conv_case((5, 6), (3, 2), padding="same"))  # dim 1: total 1
    assert isinstance(result, Unsupported)
    assert result.detail == "spatial dim 1: 'same' needs total padding 1 with stride 1; Caffe pads both sides equally"


@pytest.mark.parametrize(
    "params, reason",
    [
        (dict(padding=[[1, 0]]), "asymmetric-padding"),
        (dict(kernel=(2,), padding="same"), "asymmetric-padding"),  # total 1 (odd)
        (dict(kernel=(2,), padding="same_lower"), "asymmetric-padding"),
        (dict(spatial=(6,), stride=2, padding="same"), "asymmetric-padding"),  # O 3: total 1
    ],
)
def test_convolution_pads_refusals(params, reason):
    result = convolution_pads(conv_case(**params))
    assert isinstance(result, Unsupported)
    assert result.reason == reason


# -- the Caffe model ----------------------------------------------------------------------------------
def test_deconvolution_translates_seed_002s_upsampling_layer():
    # Seed 002: num_output C, group C, kernel 4, stride 2, pad 1, no bias (factor 2, C 3).
    case = deconv_case((5, 4), (4, 4), c_in=3, c_out=3, groups=3, stride=2, padding=1)
    call = OpenCvCaffeDeconvolution().express(case)
    assert isinstance(call, NativeCall)
    assert call.api == "cv2.dnn.readNetFromCaffe"
    assert call.kwargs == {
        "layer": "Deconvolution",
        "input_shape": [1, 3, 5, 4],
        "convolution_param": {
            "num_output": 3,
            "bias_term": False,
            "kernel_size": [4, 4],
            "stride": [2, 2],
            "pad": [1, 1],
            "dilation": [1, 1],
            "group": 3,
        },
        "target": "DNN_TARGET_CPU",
    }
    assert (call.input_layout, call.kernel_layout) == ("NCHW", "IOHW")
    assert "not Caffe itself" in call.note


def test_convolution_reads_num_output_from_its_weights():
    case = conv_case((6, 5), (3, 2), c_in=4, c_out=6, groups=2, bias=True, stride=[2, 1], dilation=[1, 2])
    call = OpenCvCaffeConvolution().express(case)
    assert call.kwargs["layer"] == "Convolution"
    assert call.kwargs["convolution_param"] == {
        "num_output": 6,
        "bias_term": True,
        "kernel_size": [3, 2],
        "stride": [2, 1],
        "pad": [0, 0],
        "dilation": [1, 2],
        "group": 2,
    }
    assert (call.input_layout, call.kernel_layout) == ("NCHW", "OIHW")


def test_prototxt_text():
    param = {"num_output": 2, "bias_term": True, "kernel_size": [3], "stride": [2], "pad": [1], "group": 1}
    assert prototxt("Deconvolution", (1, 4, 5), param) == textwrap.dedent(
        """\
        name: "conformance"
        layer {
          name: "data"
          type: "Input"
          top: "data"
          input_param { shape { dim: 1 dim: 4 dim: 5 } }
        }
        layer {
          name: "deconvolution"
          type: "Deconvolution"
          bottom: "data"
          top: "deconvolution"
          convolution_param {
            num_output: 2
            bias_term: true
            kernel_size: 3
            stride: 2
            pad: 1
            group: 1
          }
        }
        """
    )


def test_invalid_values_reach_the_prototxt_unchanged():
    # Negative padding (an expect: error case) is written as is; OpenCV's parser refuses the uint32.
    case = deconv_case((4, 4), (3, 3), padding=-1)
    call = OpenCvCaffeDeconvolution().express(case)
    assert call.kwargs["convolution_param"]["pad"] == [-1, -1]
    assert "    pad: -1\n" in OpenCvCaffeDeconvolution().prototxt_text(call)


@pytest.mark.parametrize("dtype", ["float64", "bfloat16"])
def test_no_target_computes_in_float64_or_bfloat16(dtype):
    for cls in ADAPTERS:
        case = Case.make("d", cls.op, np.zeros((1, 2, 4, 4)), np.zeros((2, 2, 3, 3)), dtype=dtype)
        result = cls().express(case)
        assert isinstance(result, Unsupported)
        assert result.reason == f"dtype:{dtype}"
        assert "CV_32F or CV_8U" in result.detail  # setInput's documented depths


@pytest.mark.parametrize("dtype, target", [("float32", "DNN_TARGET_CPU"), ("float16", "DNN_TARGET_CPU_FP16")])
def test_the_dtype_picks_the_target(dtype, target):
    for cls in ADAPTERS:
        case = Case.make("d", cls.op, np.zeros((1, 2, 4, 4)), np.zeros((2, 2, 3, 3)), dtype=dtype)
        call = cls().express(case)
        assert isinstance(call, NativeCall)
        assert call.kwargs["target"] == target
        assert f"cv2.dnn.{target}" in cls().repro_source(case, call)


@pytest.mark.parametrize(
    "line, capability",
    [
        ("SSE SSE2 SSE3 *SSE4.1 *SSE4.2 *AVX *FP16 *AVX2 *AVX512-SKX", "AVX512-SKX"),
        ("SSE SSE2 SSE3 *SSE4.1 *SSE4.2 *AVX *FP16 *AVX2 *AVX512-SKX?", "AVX2"),  # OPENCV_CPU_DISABLE=AVX512-SKX
        ("SSE SSE2 SSE3 *SSE4.1? *SSE4.2? *AVX? *FP16? *AVX2? *AVX512-SKX?", "SSE3"),
        ("NEON FP16 *NEON_DOTPROD *NEON_FP16 *NEON_BF16?", "NEON_FP16"),
    ],
)
def test_cpu_capability_is_the_highest_enabled_dispatch(line, capability):
    assert cpu_capability(line) == capability


def test_registered_under_framework_opencv():
    assert get_adapter("opencv.caffe.Deconvolution") is OpenCvCaffeDeconvolution
    assert get_adapter("opencv.caffe.Convolution") is OpenCvCaffeConvolution
    assert {cls.framework for cls in ADAPTERS} == {"opencv"}
    assert {cls.module for cls in ADAPTERS} == {"cv2"}


def test_module_imports_and_translates_without_cv2_or_protobuf():
    code = textwrap.dedent(
        """
        import sys
        sys.modules["cv2"] = None  # makes `import cv2` raise ImportError
        sys.modules["google"] = None
        sys.modules["google.protobuf"] = None
        import numpy as np
        from conformance.case import Case
        from conformance.adapters.opencv_caffe_api import ADAPTERS
        from conformance.adapters import all_adapters
        assert "opencv.caffe.Deconvolution" in all_adapters()
        x = np.zeros((1, 2, 5, 5)); w = np.zeros((2, 2, 3, 3))
        for cls in ADAPTERS:
            call = cls().express(Case.make("t", cls.op, x, w, stride=2, padding=1, dtype="float32"))
            print(cls.name, type(call).__name__, cls.available()[0])
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == [
        "opencv.caffe.Deconvolution NativeCall False",
        "opencv.caffe.Convolution NativeCall False",
    ]
