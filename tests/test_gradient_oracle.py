"""The oracle's gradients against a second formulation and the adjoint identities.

The second formulation is the explicit matrix ``C`` of ``oracle/matrix.py``: conv is
``y = C x``, so grad_input is ``C.T g``; conv_transpose is ``y = C.T x``, so grad_input is
``C g``. ``C`` is linear in the kernel, ``C(w) = sum_j w_j E_j`` with ``E_j`` the matrix of
the one-hot kernel ``j``, so grad_weight_j is ``<g, E_j x>`` (conv) or ``<x, E_j g>``
(conv_transpose). Configurations are Hypothesis's (the forward property tests'
strategies: 1-3 dims, groups, dilation, every padding form, output_padding,
output_shape); values are small integers, so every sum is exact in float64 and the two
formulations must agree exactly.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
from test_oracle_properties import conv_cases, conv_transpose_cases, describe  # noqa: E402

from conformance.case import Case  # noqa: E402
from conformance.oracle import direct, geometry, gradients, matrix  # noqa: E402

PROFILE = settings(max_examples=150, derandomize=True, database=None, deadline=None)


def integer_case(case: Case, seed: int) -> Case:
    """The same configuration with integer x, w, b in [-3, 3]: every sum exact in float64."""
    rng = np.random.default_rng(seed)
    draw = lambda a: None if a is None else rng.integers(-3, 4, a.shape).astype(np.float64)  # noqa: E731
    return replace(case, x=draw(case.x), w=draw(case.w), b=draw(case.b))


def upstream(case: Case, seed: int) -> np.ndarray:
    return np.random.default_rng(seed + 1).integers(-3, 4, geometry.output_shape(case)).astype(np.float64)


def conv_matrix(case: Case, w: np.ndarray) -> np.ndarray:
    """The ``C`` of matrix.conv (conv) or of matrix.conv_transpose (its ``C.T`` is the op)."""
    axes = geometry.resolve(case)
    if case.op == "conv":
        in_sizes = tuple(a.length for a in axes)
        out_sizes = tuple(a.out for a in axes)
        before = tuple(a.before for a in axes)
    else:
        in_sizes = tuple(a.out for a in axes)
        out_sizes = tuple(a.length for a in axes)
        before = tuple(matrix.matching_conv_padding(a)[0] for a in axes)
    return matrix.convolution_matrix(w, case.groups, in_sizes, out_sizes, case.stride, case.dilation, before)


def matrix_gradients(case: Case, g: np.ndarray):
    """(grad_input, grad_weight) from ``C`` and the one-hot kernels' matrices."""
    n = case.x.shape[0]
    xs = case.x.reshape(n, -1)
    gs = g.reshape(n, -1)
    C = conv_matrix(case, case.w)
    if case.op == "conv":
        grad_x = (C.T @ gs.T).T
    else:
        grad_x = (C @ gs.T).T
    grad_w = np.zeros(case.w.size)
    for j in range(case.w.size):
        one_hot = np.zeros(case.w.size)
        one_hot[j] = 1.0
        E = conv_matrix(case, one_hot.reshape(case.w.shape))
        grad_w[j] = np.sum(gs * (E @ xs.T).T) if case.op == "conv" else np.sum(xs * (E @ gs.T).T)
    return grad_x.reshape(case.x.shape), grad_w.reshape(case.w.shape)


def check_against_matrix(case: Case, seed: int) -> None:
    case = integer_case(case, seed)
    describe(case)
    g = upstream(case, seed)
    ours = gradients.gradients(case, g)
    expected_x, expected_w = matrix_gradients(case, g)
    assert ours.grad_input.shape == case.x.shape
    assert ours.grad_weight.shape == case.w.shape
    np.testing.assert_array_equal(ours.grad_input, expected_x, err_msg=repr(case))
    np.testing.assert_array_equal(ours.grad_weight, expected_w, err_msg=repr(case))
    if case.b is None:
        assert ours.grad_bias is None
    else:
        # Bias b_o adds to every output of channel o: its gradient sums g over them.
        expected_b = np.array([g[:, o].sum() for o in range(g.shape[1])])
        np.testing.assert_array_equal(ours.grad_bias, expected_b)


@PROFILE
@given(conv_cases(), st.integers(0, 2**31))
def test_conv_gradients_match_the_matrix(case, seed):
    check_against_matrix(case, seed)


@PROFILE
@given(conv_transpose_cases(), st.integers(0, 2**31))
def test_conv_transpose_gradients_match_the_matrix(case, seed):
    check_against_matrix(case, seed)


def check_adjoint_identities(case: Case, seed: int) -> None:
    """Linearity in x and in w: <g, y(x) - b> == <grad_input, x> == <grad_weight, w>."""
    case = integer_case(case, seed)
    g = upstream(case, seed)
    unbiased = replace(case, b=None)
    lhs = np.sum(g * direct.evaluate(unbiased))
    ours = gradients.gradients(case, g)
    assert np.sum(ours.grad_input * case.x) == lhs
    assert np.sum(ours.grad_weight * case.w) == lhs
    if case.b is not None:
        assert np.sum(ours.grad_bias * case.b) == np.sum(g * (direct.evaluate(case) - direct.evaluate(unbiased)))


@PROFILE
@given(st.one_of(conv_cases(), conv_transpose_cases()), st.integers(0, 2**31))
def test_adjoint_identities(case, seed):
    check_adjoint_identities(case, seed)


@PROFILE
@given(conv_cases(), st.integers(0, 2**31))
def test_conv_grad_input_is_the_transpose_with_the_same_kernel(case, seed):
    """The issue's relation, stated through the public forward: conv's grad_input is the
    conv_transpose of g with the same kernel array, pinned to the input's shape."""
    case = replace(integer_case(case, seed), b=None)
    g = upstream(case, seed)
    transpose = replace(case, op="conv_transpose", x=g, output_shape=tuple(case.x.shape[2:]))
    try:
        expected = direct.conv_transpose(transpose)
    except geometry.InvalidConfiguration:
        return  # the conv's padding cannot be written as the transpose's crop (same modes)
    np.testing.assert_array_equal(gradients.grad_input(case, g), expected)


def test_output_padding_past_the_full_result_gets_no_gradient():
    """Positions past F (output_padding beyond full) are zeros: g there changes nothing."""
    case = Case.make("op", "conv_transpose", np.ones((1, 1, 2)), np.ones((1, 1, 2)), stride=1, padding=[[0, 0]],
                     output_padding=2, dtype="float64")
    assert direct.evaluate(case).shape == (1, 1, 5)  # F = 3, two appended
    g = np.array([[[1.0, 2.0, 4.0, 100.0, 1000.0]]])
    ours = gradients.gradients(case, g)
    np.testing.assert_array_equal(ours.grad_input, [[[3.0, 6.0]]])
    np.testing.assert_array_equal(ours.grad_weight, [[[3.0, 6.0]]])


def test_upstream_of_the_wrong_shape_is_refused():
    case = Case.make("c", "conv", np.ones((1, 1, 4)), np.ones((1, 1, 2)), dtype="float64")
    with pytest.raises(ValueError, match=r"grad_output shape must be the output's \[1, 1, 3\]"):
        gradients.gradients(case, np.ones((1, 1, 4)))
    with pytest.raises(ValueError, match="has no bias"):
        gradients.quantity(case, "grad_bias", np.ones((1, 1, 3)))
