"""The comparison: the bound, err_ratio, NaN/Inf, the shape message and each diagnosis.

Every "wrong" output below is made deliberately with numpy (a flipped, swapped or
transposed array, a shifted slice of the full result) from cases with random asymmetric
kernels and C_in != C_out, so no two hypotheses can be confused by symmetry.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from conformance.case import Case
from conformance.bound import absolute_case, error_bound, products_per_output, smallest_normal
from conformance.compare import describe_call, judge
from conformance.diagnosis import DIAGNOSES, diagnose, explain, swapped_kernels
from conformance.oracle import evaluate

U32 = 2.0**-24


def random_case(op, x_shape, w_shape, *, seed=0, bias=True, **params) -> Case:
    rng = np.random.default_rng(seed)
    c_out = w_shape[0] if op == "conv" else w_shape[1] * params.get("groups", 1)
    b = rng.normal(size=c_out) if bias else None
    return Case.make("t", op, rng.normal(size=x_shape), rng.normal(size=w_shape), b, **params)


def full_result(case) -> np.ndarray:
    """conv_transpose's untruncated scatter result, without bias."""
    dims = case.spatial_dims
    return evaluate(
        dataclasses.replace(case, b=None, padding=((0, 0),) * dims, output_padding=(0,) * dims, output_shape=None)
    )


def with_bias(y, case):
    return y + case.b.reshape((1, -1) + (1,) * (y.ndim - 2))


# --- the bound ----------------------------------------------------------------------


def test_bound_matches_a_hand_computed_tiny_case():
    # x = [1, -2, 3], w = [-1, 0.5], b = 0.25: outputs -1.75 and 3.75;
    # |x| (conv) |w| + |b| = [2.25, 3.75]; n = 1 channel * 2 taps.
    case = Case.make("tiny", "conv", [[[1.0, -2.0, 3.0]]], [[[-1.0, 0.5]]], [0.25])
    np.testing.assert_array_equal(evaluate(case), [[[-1.75, 3.75]]])
    assert products_per_output(case) == 2
    # the last term: the float64 oracle's own rounding, (n + 1) 2**-53 (|x| (op) |w| + |b|)
    oracle = 3 * 2.0**-53 * np.array([[[2.25, 3.75]]])
    expected = np.array([[[2 * U32 * 2.25 + U32 * 1.75, 2 * U32 * 3.75 + U32 * 3.75]]]) + 2.0**-126 + oracle
    np.testing.assert_array_equal(error_bound(case), expected)


def test_float64_bound_covers_the_oracle_being_one_rounding_off():
    # Both the framework and the float64 oracle may be one rounding from the exact value,
    # in opposite directions: the bound must hold twice the single-side error.
    # y = 0.5 * 0.4 - 0.2 cancels to 0, so u |y| adds nothing and n u (|x| (op) |w|) alone
    # would hold only one side's rounding.
    case = Case.make("f64", "conv", [[[0.5]]], [[[0.4]]], [-0.2], dtype="float64")
    assert evaluate(case)[0, 0, 0] == 0.0
    magnitude = 0.5 * 0.4 + 0.2
    single_side = 1 * 2.0**-53 * magnitude
    assert error_bound(case)[0, 0, 0] >= 2 * single_side


def test_products_per_output_counts_channels_of_one_group_and_taps():
    conv = random_case("conv", (1, 6, 5, 5), (4, 3, 3, 2), groups=2)
    tconv = random_case("conv_transpose", (1, 6, 4, 4), (6, 2, 3, 2), groups=3)
    assert products_per_output(conv) == 3 * 6
    assert products_per_output(tconv) == 2 * 6


@pytest.mark.parametrize(
    "dtype, tiny", [("float64", 2.0**-1022), ("float32", 2.0**-126), ("float16", 2.0**-14), ("bfloat16", 2.0**-126)]
)
def test_smallest_normal_per_dtype(dtype, tiny):
    assert smallest_normal(dtype) == tiny


def test_absolute_case_takes_absolute_values_of_every_array():
    case = random_case("conv_transpose", (1, 3, 3, 3), (3, 2, 2, 2), stride=2)
    magnitude = absolute_case(case)
    for name in ("x", "w", "b"):
        np.testing.assert_array_equal(getattr(magnitude, name), np.abs(getattr(case, name)))
    assert magnitude.stride == case.stride


# --- values -------------------------------------------------------------------------


def float32_conv2d(case) -> np.ndarray:
    """A genuine float32 computation (im2col + float32 matmul), padding 'valid', stride 1."""
    x32, w32 = case.x.astype(np.float32), case.w.astype(np.float32)
    kh, kw = w32.shape[2:]
    windows = np.lib.stride_tricks.sliding_window_view(x32, (kh, kw), axis=(2, 3))  # n c i j kh kw
    n, c, i, j = windows.shape[:4]
    patches = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * i * j, c * kh * kw)
    y = patches @ w32.reshape(w32.shape[0], -1).T
    return y.reshape(n, i, j, -1).transpose(0, 3, 1, 2) + case.b.astype(np.float32).reshape(1, -1, 1, 1)


def test_a_float32_result_passes_with_a_ratio_below_one():
    case = random_case("conv", (2, 16, 9, 9), (5, 16, 3, 3), padding="valid", seed=3)
    reference = evaluate(case)
    actual = float32_conv2d(case)
    verdict = judge(case, actual, reference)
    assert verdict.status == "PASS", verdict.message
    assert 0 < verdict.err_ratio <= 1
    assert verdict.max_abs_err == pytest.approx(np.abs(actual - reference).max())
    assert verdict.diagnosis is None and verdict.message == ""


def test_an_error_within_n_ulps_passes_and_a_clear_error_fails():
    case = random_case("conv_transpose", (1, 4, 5, 5), (4, 3, 3, 3), stride=2, padding=1)
    reference = evaluate(case)
    magnitude = evaluate(absolute_case(case))
    n = products_per_output(case)
    # Half of n rounding errors of the largest term, plus one rounding of the result.
    within = reference + 0.5 * n * U32 * magnitude + U32 * np.abs(reference)
    ok = judge(case, within, reference)
    assert ok.status == "PASS" and 0.5 < ok.err_ratio < 1
    off = reference.copy()
    off[0, 1, 2, 3] += 3 * error_bound(case)[0, 1, 2, 3]
    bad = judge(case, off, reference)
    assert bad.status == "FAIL"
    assert bad.err_ratio == pytest.approx(3.0)
    assert "1 of 243 elements outside the bound; worst at (0, 1, 2, 3)" in bad.message
    assert bad.diagnosis == "unexplained"


def test_tolerance_factor_multiplies_the_bound():
    case = random_case("conv", (1, 3, 6, 6), (2, 3, 3, 3))
    reference = evaluate(case)
    actual = reference + 2 * error_bound(case)
    assert judge(case, actual, reference).status == "FAIL"
    looser = dataclasses.replace(case, tolerance_factor=3.0)
    verdict = judge(looser, actual, reference)
    assert verdict.status == "PASS" and verdict.err_ratio == pytest.approx(2.0)


@pytest.mark.parametrize("bad_value", [np.nan, np.inf, -np.inf])
def test_non_finite_output_where_the_oracle_is_finite_fails(bad_value):
    case = random_case("conv_transpose", (1, 3, 3, 4), (3, 2, 2, 3))
    reference = evaluate(case)
    actual = reference.copy()
    actual[0, 1, 2, 3] = bad_value
    actual[0, 1, 3, 0] = bad_value
    verdict = judge(case, actual, reference)
    assert verdict.status == "FAIL"
    assert verdict.message.startswith(
        f"2 non-finite values where the oracle is finite; first at (0, 1, 2, 3): out={bad_value!r}"
    )
    assert verdict.err_ratio == np.inf and verdict.max_abs_err == np.inf
    assert verdict.diagnosis == "unexplained"


def test_positions_where_the_reference_is_not_finite_are_not_judged():
    case = random_case("conv", (1, 2, 4, 4), (3, 2, 2, 2))
    reference = evaluate(case)
    reference[0, 0, 0, 0] = np.inf
    actual = reference.copy()
    actual[0, 0, 0, 0] = np.nan
    verdict = judge(case, actual, reference)
    assert verdict.status == "PASS" and verdict.err_ratio == 0.0


# --- shapes -------------------------------------------------------------------------


def test_shape_mismatch_message_in_the_array_api_tests_style():
    case = random_case("conv_transpose", (1, 3, 4, 3), (3, 2, 3, 3), stride=2, padding="same")
    reference = evaluate(case)
    assert reference.shape == (1, 2, 8, 6)
    # A framework that keeps one row fewer: the first 7 rows of the canonical output.
    verdict = judge(case, reference[:, :, :7], reference)
    assert verdict.status == "FAIL"
    assert verdict.message.startswith(
        "out.shape=(1, 2, 7, 6), but should be (1, 2, 8, 6) [conv_transpose(stride=2, padding=same)]"
    )
    assert verdict.shape == [1, 2, 7, 6] and verdict.expected_shape == [1, 2, 8, 6]
    assert verdict.err_ratio is None
    assert verdict.diagnosis == "window-shifted(0,0)"


def test_shape_mismatch_from_padding_split_is_a_shifted_window():
    case = random_case("conv_transpose", (1, 3, 4, 3), (3, 2, 3, 3), stride=2, padding="same")
    axes_full = full_result(case)  # before = 0 on both axes for this case
    # 7 rows starting one row later: the framework cropped one row at the start.
    actual = with_bias(axes_full[:, :, 1:8, 0:6], case)
    assert judge(case, actual, evaluate(case)).diagnosis == "window-shifted(1,0)"


def test_other_batch_or_channel_count_is_unexplained():
    case = random_case("conv", (1, 3, 5, 5), (4, 3, 3, 3))
    reference = evaluate(case)
    verdict = judge(case, reference[:, :3], reference)
    assert verdict.status == "FAIL" and verdict.diagnosis == "unexplained"


# --- diagnoses ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "op, x_shape, w_shape, params",
    [
        ("conv_transpose", (1, 3, 4, 5), (3, 2, 3, 2), {"stride": 2, "padding": 1, "output_padding": 1}),
        ("conv", (1, 3, 7, 6), (2, 3, 3, 2), {"dilation": 2}),
        ("conv_transpose", (1, 2, 3, 4, 3), (2, 3, 2, 3, 2), {"stride": (1, 2, 1)}),
        ("conv", (1, 3, 9), (5, 3, 4), {"padding": "same"}),
    ],
)
def test_flipped_kernel(op, x_shape, w_shape, params):
    case = random_case(op, x_shape, w_shape, **params)
    spatial = tuple(range(2, case.w.ndim))
    actual = evaluate(dataclasses.replace(case, w=np.flip(case.w, axis=spatial).copy()))
    assert judge(case, actual, evaluate(case)).diagnosis == "kernel-flipped"


@pytest.mark.parametrize(
    "op, x_shape, w_shape, params",
    [
        # OpenCV's Caffe Deconvolution: the output of dilation 1, a different shape
        ("conv_transpose", (1, 3, 4, 5), (3, 2, 3, 2), {"stride": 2, "dilation": (2, 3)}),
        ("conv", (1, 3, 9, 8), (2, 3, 3, 2), {"dilation": 2, "padding": 1}),
    ],
)
def test_dilation_ignored(op, x_shape, w_shape, params):
    case = random_case(op, x_shape, w_shape, **params)
    actual = evaluate(dataclasses.replace(case, dilation=(1,) * case.spatial_dims))
    verdict = judge(case, actual, evaluate(case))
    assert verdict.status == "FAIL"
    assert verdict.diagnosis == "dilation-ignored"


def test_swapped_kernel_across_groups_conv_transpose():
    # C_in = 2, C_out = 4, groups = 2: the kernel (C_in, C_out/g) = (2, 2) swaps into itself.
    case = random_case("conv_transpose", (1, 2, 3, 4), (2, 2, 3, 2), groups=2, stride=2)
    assert case.in_channels != case.out_channels
    actual = evaluate(dataclasses.replace(case, w=np.swapaxes(case.w, 0, 1).copy()))
    assert judge(case, actual, evaluate(case)).diagnosis == "kernel-in-out-swapped"


def test_swapped_kernel_within_each_group_conv():
    # conv (C_out, C_in/g, k) with C_in == C_out = 4, groups = 2: per group (2, 2) transposed.
    case = random_case("conv", (1, 4, 6, 5), (4, 2, 3, 2), groups=2, padding=1)
    grouped = case.w.reshape(2, 2, 2, 3, 2)
    actual = evaluate(dataclasses.replace(case, w=np.swapaxes(grouped, 1, 2).reshape(4, 2, 3, 2).copy()))
    assert judge(case, actual, evaluate(case)).diagnosis == "kernel-in-out-swapped"


def test_swapped_kernel_without_groups_needs_equal_channel_counts():
    # groups = 1: the plain exchange of axes 0 and 1 fits only when C_in == C_out.
    case = random_case("conv_transpose", (1, 3, 4, 5), (3, 3, 2, 3), stride=2, padding=((0, 1), (1, 0)))
    actual = evaluate(dataclasses.replace(case, w=np.swapaxes(case.w, 0, 1).copy()))
    assert judge(case, actual, evaluate(case)).diagnosis == "kernel-in-out-swapped"


def test_swap_is_only_tried_where_the_swapped_kernel_fits():
    assert swapped_kernels(random_case("conv_transpose", (1, 3, 4, 4), (3, 2, 3, 3))) == []
    square_case = random_case("conv_transpose", (1, 3, 4, 4), (3, 3, 3, 3))
    square = swapped_kernels(square_case)
    assert len(square) == 1
    np.testing.assert_array_equal(square[0], np.swapaxes(square_case.w, 0, 1))


def test_output_with_spatial_axes_transposed():
    case = random_case("conv_transpose", (1, 3, 4, 4), (3, 2, 5, 2), stride=(2, 3))
    reference = evaluate(case)
    assert reference.shape[2] == reference.shape[3] == 11
    actual = np.swapaxes(reference, 2, 3)
    assert judge(case, actual, reference).diagnosis == "spatial-axes-transposed"


def test_computed_on_transposed_x_and_w_then_transposed_back():
    # The per-axis parameters land on the wrong axes; here also the output shape differs.
    case = random_case("conv", (1, 3, 8, 7), (2, 3, 3, 2), stride=(2, 1), padding=((1, 1), (0, 0)))
    swapped = Case.make(
        "t", "conv", np.swapaxes(case.x, 2, 3), np.swapaxes(case.w, 2, 3), case.b,
        stride=(2, 1), padding=((1, 1), (0, 0)),
    )
    actual = np.swapaxes(evaluate(swapped), 2, 3)
    reference = evaluate(case)
    assert actual.shape != reference.shape
    assert judge(case, actual, reference).diagnosis == "spatial-axes-transposed"


def test_kernel_with_spatial_axes_transposed():
    # Seed 000's "dkernel.T" hack, as an adapter relayout bug would make it.
    case = random_case("conv_transpose", (1, 3, 4, 4), (3, 2, 3, 3), stride=2)
    actual = evaluate(dataclasses.replace(case, w=np.swapaxes(case.w, 2, 3).copy()))
    assert judge(case, actual, evaluate(case)).diagnosis == "spatial-axes-transposed"


def test_3d_kernel_with_spatial_axes_rotated():
    # (D, H, W) read as (H, W, D): a 3-cycle, not a pairwise swap.
    case = random_case("conv", (1, 2, 6, 5, 7), (3, 2, 2, 3, 2), padding=1)
    rotated = np.ascontiguousarray(case.w.transpose(0, 1, 3, 4, 2))
    actual = evaluate(dataclasses.replace(case, w=rotated))
    assert judge(case, actual, evaluate(case)).diagnosis == "spatial-axes-transposed"


def test_conv_transpose_padding_split_on_the_other_side():
    case = random_case("conv_transpose", (1, 3, 4, 5), (3, 2, 4, 3), stride=2, padding=((1, 2), (1, 1)))
    reference = evaluate(case)
    full = full_result(case)
    # The framework cropped (2, 1) rows and (0, 2) columns: one row more, one column fewer at the start.
    rows, cols = reference.shape[2:]
    actual = with_bias(full[:, :, 2 : 2 + rows, 0:cols], case)
    verdict = judge(case, actual, reference)
    assert verdict.diagnosis == "window-shifted(1,-1)"
    assert "H it put 1 more padding position at the start" in explain(verdict.diagnosis)
    assert "W it put 1 fewer padding position at the start" in explain(verdict.diagnosis)


@pytest.mark.parametrize(
    "op, stride, x_shape, w_shape",
    [
        ("conv", 1, (1, 3, 7, 6), (2, 3, 4, 4)),  # total = k - 1 = 3
        ("conv", 2, (1, 3, 7, 5), (2, 3, 4, 4)),  # total = 2 (ceil(L/2) - 1) + 4 - L = 3
        ("conv_transpose", 1, (1, 3, 4, 5), (3, 2, 4, 4)),  # total = e - s = 3
        ("conv_transpose", 2, (1, 3, 4, 5), (3, 2, 5, 3)),  # total = 3 and 1
    ],
)
def test_same_lower_for_same_is_a_window_one_later(op, stride, x_shape, w_shape):
    # SAME padding with an odd total: SAME_LOWER puts the odd position at the start.
    case = random_case(op, x_shape, w_shape, stride=stride, padding="same")
    lower = dataclasses.replace(case, padding="same_lower")
    reference, actual = evaluate(case), evaluate(lower)
    assert not np.allclose(reference, actual)
    assert judge(case, actual, reference).diagnosis == "window-shifted(1,1)"


def test_output_padding_at_the_start():
    case = random_case("conv_transpose", (1, 3, 4, 5), (3, 2, 3, 2), stride=2, padding=1, output_padding=1)
    reference = evaluate(case)
    full = full_result(case)
    rows, cols = reference.shape[2:]
    # y[j] = full[j + before - output_padding]: before = 1, output_padding = 1 -> full[j].
    actual = with_bias(full[:, :, :rows, :cols], case)
    assert judge(case, actual, reference).diagnosis == "output-padding-at-start"


def test_unexplained_when_nothing_reproduces_the_output():
    case = random_case("conv_transpose", (1, 3, 4, 4), (3, 2, 3, 3), stride=2)
    reference = evaluate(case)
    actual = reference + np.random.default_rng(9).normal(size=reference.shape)
    assert judge(case, actual, reference).diagnosis == "unexplained"


def test_batched_case_is_diagnosed_on_one_sample_and_confirmed_on_all():
    case = random_case("conv_transpose", (3, 3, 4, 4), (3, 2, 3, 2), stride=2)
    flipped = evaluate(dataclasses.replace(case, w=case.w[:, :, ::-1, ::-1].copy()))
    reference = evaluate(case)
    assert diagnose(case, flipped, reference) == "kernel-flipped"
    # Only the first sample is flipped: the confirmation on the batch rejects it.
    partly = reference.copy()
    partly[0] = flipped[0]
    assert diagnose(case, partly, reference) == "unexplained"


# --- words --------------------------------------------------------------------------


def test_every_code_has_plain_words():
    for code in DIAGNOSES:
        assert explain(code) == DIAGNOSES[code]
    assert "same start" not in explain("window-shifted(0,0)")
    assert "another size" in explain("window-shifted(0,0)")
    assert "D it put 2 more padding positions" in explain("window-shifted(2,0,0)")
    with pytest.raises(KeyError, match="unknown diagnosis code 'kernel-rotated'"):
        explain("kernel-rotated")


@pytest.mark.parametrize(
    "params, text",
    [
        ({}, "conv_transpose()"),
        ({"stride": 2, "padding": "same"}, "conv_transpose(stride=2, padding=same)"),
        ({"stride": (2, 1), "dilation": 2, "padding": 1}, "conv_transpose(stride=(2, 1), dilation=2, padding=1)"),
        (
            {"padding": ((0, 1), (1, 1)), "output_padding": 1},
            "conv_transpose(padding=((0, 1), (1, 1)), output_padding=1)",
        ),
        ({"padding": "valid", "output_shape": (6, 7)}, "conv_transpose(padding=valid, output_shape=(6, 7))"),
    ],
)
def test_describe_call_names_the_non_default_parameters(params, text):
    case = random_case("conv_transpose", (1, 2, 3, 3), (2, 2, 2, 2), **params)
    assert describe_call(case) == text


def test_describe_call_shows_groups():
    case = random_case("conv", (1, 4, 5, 5), (6, 2, 3, 3), groups=2)
    assert describe_call(case) == "conv(groups=2)"
