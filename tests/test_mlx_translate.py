"""The MLX adapters' parameter translation, with no MLX installed (pure integer arithmetic)."""

from __future__ import annotations

import pytest

from adapter_checks import conv_case, transpose_case
from conformance.adapters.base import NativeCall, Unsupported
from conformance.adapters.mlx_api import (
    MlxConv,
    MlxConvGeneral,
    MlxConvTranspose,
    conv_padding_pairs,
    conv_transpose_args,
    mlx_weight_layout,
    symmetric_conv_padding,
)


@pytest.mark.parametrize(
    "params, padding, output_padding",
    [
        ({"kernel": 4, "stride": 2, "padding": "same"}, 1, 0),  # F = 10, O = 8: crop 1 and 1
        ({"kernel": 3, "stride": 2, "padding": "same_lower"}, 1, 1),  # F = 9, O = 8: 1 before, 0 after
        ({"kernel": 3, "stride": 2, "padding": "valid"}, 0, 0),
        ({"kernel": 3, "stride": 2, "padding": [[2, 1]]}, 2, 1),  # more before: re-append one
        ({"kernel": 3, "stride": 2, "padding": [[1, 1]], "output_padding": 1}, 1, 1),
        ({"kernel": 3, "stride": 2, "padding": "same", "output_shape": [9]}, 0, 0),  # F = 9: nothing cropped
    ],
)
def test_conv_transpose_window_as_symmetric_crop_and_output_padding(params, padding, output_padding):
    args = conv_transpose_args(transpose_case(dims=1, **params))
    assert (args["padding"], args["output_padding"]) == ([padding], [output_padding])


@pytest.mark.parametrize(
    "params, code",
    [
        ({"kernel": 3, "stride": 2, "padding": "same"}, "asymmetric-padding"),  # F = 9, O = 8: 0 before, 1 after
        ({"kernel": 3, "stride": 2, "padding": [[0, 1]]}, "asymmetric-padding"),
        ({"kernel": 3, "stride": 2, "padding": "same", "output_padding": 1}, "output-padding-with-padding-mode"),
        ({"kernel": 3, "stride": 2, "padding": [[1, 1]], "output_padding": 1, "output_shape": [9]},
         "output-shape-with-output-padding"),
    ],
)
def test_conv_transpose_refusals_are_worded_for_mlx(params, code):
    refusal = conv_transpose_args(transpose_case(dims=1, **params))
    assert isinstance(refusal, Unsupported) and refusal.reason == code
    assert "torch" not in refusal.detail and "mlx" in refusal.detail
    assert refusal.doc.startswith("https://ml-explore.github.io/mlx/")


def test_conv_transpose_call_takes_ints_in_1d_and_tuples_otherwise():
    call_1d = MlxConvTranspose().translate(transpose_case(dims=1, stride=2, padding=[[1, 1]]))
    assert call_1d.api == "mx.conv_transpose1d"
    assert call_1d.kwargs == {"stride": 2, "padding": 1, "dilation": 1, "output_padding": 0, "groups": 1}
    call_3d = MlxConvTranspose().translate(transpose_case(dims=3, kernel=4, stride=2, padding="same"))
    assert call_3d.api == "mx.conv_transpose3d"
    assert call_3d.kwargs["padding"] == (1, 1, 1) and call_3d.kernel_layout == "ODHWI"
    assert call_3d.input_layout == "NDHWC"


def test_no_bias_argument():
    assert MlxConvTranspose().translate(transpose_case(b=[1.0, 2.0, 3.0])).reason == "bias"
    assert MlxConv().translate(conv_case(b=[0.0] * 6)).reason == "bias"
    assert MlxConvGeneral().translate(conv_case(b=[0.0] * 6)).reason == "bias"


def test_weight_layout_is_out_spatial_in():
    assert [mlx_weight_layout(d) for d in (1, 2, 3)] == ["OWI", "OHWI", "ODHWI"]


@pytest.mark.parametrize(
    "params, pairs",
    [
        ({"kernel": 3, "stride": 1, "padding": "same"}, [(1, 1)]),
        ({"kernel": 2, "stride": 1, "padding": "same"}, [(0, 1)]),  # the odd zero after
        ({"kernel": 2, "stride": 1, "padding": "same_lower"}, [(1, 0)]),  # ... or before
        ({"kernel": 3, "stride": 2, "padding": "same"}, [(0, 1)]),  # L = 6: ceil(6/2) = 3 outputs, total 1
        ({"kernel": 3, "stride": 2, "padding": "valid"}, [(0, 0)]),
        ({"kernel": 3, "padding": [[2, 0]]}, [(2, 0)]),
    ],
)
def test_conv_padding_pairs(params, pairs):
    assert conv_padding_pairs(conv_case(dims=1, **params)) == pairs


def test_conv_takes_symmetric_padding_only_and_conv_general_every_pair():
    symmetric = conv_case(dims=2, kernel=3, padding="same")
    assert symmetric_conv_padding(symmetric) == [1, 1]
    odd = conv_case(dims=2, kernel=2, padding="same")
    refusal = MlxConv().translate(odd)
    assert isinstance(refusal, Unsupported) and refusal.reason == "asymmetric-padding"
    call = MlxConvGeneral().translate(odd)
    assert isinstance(call, NativeCall) and call.api == "mx.conv_general"
    assert call.kwargs["padding"] == ([0, 0], [1, 1])
    assert call.kwargs["kernel_dilation"] == [1, 1] and call.kwargs["groups"] == 1


def test_grouped_transpose_kernel_is_swapped_within_each_group():
    case = transpose_case(dims=2, c_in=4, c_out=6, groups=2, stride=2, padding="valid")
    adapter = MlxConvTranspose()
    source = adapter.repro_source(case, adapter.translate(case))
    assert "groups = 2" in source and "np.swapaxes(w.reshape(groups" in source
    assert "mx.conv_transpose2d(xm, wm, stride=(2, 2), padding=(0, 0)" in source
    assert "conformance" not in source
    # An invalid grouping (C_in 4 in 3 groups) has no per-group swap: MLX's own check answers.
    invalid = transpose_case(dims=2, c_in=4, c_out=6, groups=3, stride=2, padding="valid")
    assert "np.swapaxes(w, 0, 1)" in adapter.repro_source(invalid, adapter.translate(invalid))
