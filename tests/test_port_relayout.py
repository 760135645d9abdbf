"""The printed weight expressions, evaluated: the source's array becomes exactly the array
the target takes (relayout, the flip where one side flips, MLX's per-group swap)."""

from __future__ import annotations

import numpy as np
import pytest

from conformance.adapters.layout import relayout
from conformance.port.relayout import transpose_expr, weight_expr


def evaluate(expr: str, w: np.ndarray) -> np.ndarray:
    return eval(expr, {"np": np, "w": w, "x": w, "y": w})  # noqa: S307 - our own expression, tested


CANONICAL_T = "IOHW"  # conv_transpose: (C_in, C_out/g, kh, kw)


@pytest.mark.parametrize("src, dst", [("HWOI", "IOHW"), ("IOHW", "HWOI"), ("IOHW", "IOHW"), ("HWOI", "HWIO"), ("IODHW", "DHWOI")])
def test_relayout_expressions(src, dst):
    rng = np.random.default_rng(0)
    canonical = rng.standard_normal((2, 3, 4, 5, 6)[: len(src)])
    canonical_layout = "IO" + src.replace("I", "").replace("O", "")
    source = relayout(canonical, canonical_layout, src)
    got = evaluate(weight_expr(src, False, dst, False), source)
    np.testing.assert_array_equal(got, relayout(canonical, canonical_layout, dst))


def test_flip_when_one_side_flips():
    rng = np.random.default_rng(1)
    canonical = rng.standard_normal((2, 3, 4, 5))
    source = relayout(canonical, CANONICAL_T, "HWOI")
    expr = weight_expr("HWOI", False, "HWIO", True)  # flax transpose_kernel=False takes it flipped
    assert expr.startswith("np.flip(")
    want = np.flip(relayout(canonical, CANONICAL_T, "HWIO"), axis=(0, 1))
    np.testing.assert_array_equal(evaluate(expr, source), want)
    assert "flip" not in weight_expr("HWIO", True, "HWIO", True)  # both flip: none


@pytest.mark.parametrize("groups", [1, 2])
def test_mlx_per_group_swap(groups):
    """MLX's transposed-conv weight is (C_out, *k, C_in/g): in/out swapped within each group."""
    c_in, c_out_g, k = 4, 3, (2, 5)
    rng = np.random.default_rng(2)
    canonical = rng.standard_normal((c_in, c_out_g, *k))
    w_conv = np.swapaxes(canonical.reshape(groups, c_in // groups, c_out_g, *k), 1, 2).reshape(groups * c_out_g, c_in // groups, *k)
    want = relayout(w_conv, "OIHW", "OHWI")
    expr = weight_expr("IOHW", False, "OHWI", False, groups, True, (c_in, c_out_g * groups))
    np.testing.assert_array_equal(evaluate(expr, canonical), want)


def test_input_expression():
    assert transpose_expr("x", "NHWC", "NCHW") == "x.transpose(0, 3, 1, 2)"
    assert transpose_expr("x", "NCL", "NCW") == "x"  # Paddle's 1-D 'L' is the suite's 'W'
