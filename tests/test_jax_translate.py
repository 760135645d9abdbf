"""The JAX adapters' parameter translation, with no JAX installed (pure integer arithmetic)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from conformance.adapters import adapters_for_framework, get_adapter
from conformance.adapters.base import NativeCall, Unsupported
from conformance.adapters.jax_api import (
    JaxConvGeneralDilated,
    JaxConvTranspose,
    JaxConvTransposeNoTransposeKernel,
    JaxLhsDilatedConv,
    conv_transpose_padding,
    dilated_input_padding,
    dimension_numbers,
    jax_conv_transpose_mode_length,
)
from conformance.adapters.canonical import full_transpose_length, transpose_window
from conformance.case import Case

TRANSPOSE_ADAPTERS = [JaxConvTranspose(), JaxConvTransposeNoTransposeKernel(), JaxLhsDilatedConv()]


def make_case(op="conv_transpose", dims=2, length=4, kernel=3, c_in=2, c_out=3, groups=1, bias=False, **params):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, c_in) + (length,) * dims)
    w_channels = (c_out, c_in // groups) if op == "conv" else (c_in, c_out // groups)
    w = rng.normal(size=w_channels + (kernel,) * dims)
    b = rng.normal(size=c_out) if bias else None
    return Case.make("t", op, x, w, b, groups=groups, **params)


def jax_output_length(length, kernel, stride, dilation, pair):
    """jax's conv_transpose with explicit pairs: the dilated input, padded, correlated at stride 1."""
    e = dilation * (kernel - 1) + 1
    return (length - 1) * stride + 1 + pair[0] + pair[1] - e + 1


# -- the explicit pairs ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "length, kernel, stride, dilation, before, after, output_padding, expected",
    [
        (4, 3, 1, 1, 0, 0, 0, (2, 2)),  # no crop: pad e-1 on both sides (the 'full' correlation)
        (4, 3, 2, 1, 1, 1, 1, (1, 2)),  # torch's padding=1, output_padding=1
        (4, 3, 2, 2, 2, 0, 0, (2, 4)),  # dilated kernel: e = 5
        (3, 2, 1, 1, 2, 0, 0, (-1, 1)),  # a crop beyond e-1 is a negative pad
        (5, 4, 3, 1, 0, 3, 2, (3, 2)),
    ],
)
def test_dilated_input_padding_is_e_minus_1_minus_the_crop(length, kernel, stride, dilation, before, after, output_padding, expected):
    full = (length - 1) * stride + dilation * (kernel - 1) + 1
    out = full - before - after + output_padding
    pair = dilated_input_padding(length, kernel, stride, dilation, before, out)
    assert pair == expected
    assert jax_output_length(length, kernel, stride, dilation, pair) == out


@pytest.mark.parametrize(
    "padding, output_shape, output_padding, window, pair",
    [
        ("valid", 11, 0, (0, 11), (2, 4)),  # F = (4-1)*2 + 3 = 9; 2 zeros re-appended
        ("same", 7, 0, (1, 7), (1, 1)),  # total 2: one crop each side
        ("same_lower", None, 0, (1, 8), (1, 2)),  # total 1: the odd one first
        ([[1, 2]], None, 0, (1, 6), (1, 0)),
        ([[1, 2]], 7, 0, (1, 7), (1, 1)),
        ([[1, 1]], None, 1, (1, 8), (1, 2)),  # torch's padding=1, output_padding=1
    ],
)
def test_conv_transpose_pairs_give_the_canonical_window(padding, output_shape, output_padding, window, pair):
    """The canonical window (canonical.transpose_window) as jax's pair, and jax's length for it."""
    case = make_case(dims=1, stride=2, padding=padding, output_shape=output_shape, output_padding=output_padding)
    axis_padding = padding if isinstance(padding, str) else tuple(padding[0])
    assert transpose_window(4, 3, 2, 1, axis_padding, output_padding, output_shape) == window
    assert conv_transpose_padding(case, {}) == [list(pair)]
    assert jax_output_length(4, 3, 2, 1, pair) == window[1]


@pytest.mark.parametrize(
    "length, kernel, stride, dilation, mode, expected",
    [
        (4, 3, 2, 1, "SAME", 8),
        (4, 3, 2, 1, "VALID", 9),  # s <= e: the full result (L-1)s + e
        (4, 1, 2, 1, "VALID", 8),  # s > e: (L-1)s + s, longer than the canonical F = 7
        (4, 2, 3, 1, "VALID", 12),
        (4, 2, 3, 2, "VALID", 12),  # e = 3 = s
    ],
)
def test_jax_conv_transpose_mode_length(length, kernel, stride, dilation, mode, expected):
    assert jax_conv_transpose_mode_length(length, kernel, stride, dilation, mode) == expected


def test_jax_valid_length_is_the_canonical_full_length_when_the_stride_does_not_exceed_e():
    assert jax_conv_transpose_mode_length(5, 3, 2, 1, "VALID") == full_transpose_length(5, 3, 2, 1) == 11
    assert jax_conv_transpose_mode_length(4, 1, 3, 1, "VALID") == full_transpose_length(4, 1, 3, 1) + 2 == 12


def test_dimension_numbers_are_channels_first():
    assert dimension_numbers(1, "OI") == ["NCW", "OIW", "NCW"]
    assert dimension_numbers(2, "IO") == ["NCHW", "IOHW", "NCHW"]
    assert dimension_numbers(3, "OI") == ["NCDHW", "OIDHW", "NCDHW"]


# -- the calls -----------------------------------------------------------------------------------
def test_conv_transpose_passes_same_and_valid_as_jax_modes():
    for padding, mode in (("same", "SAME"), ("valid", "VALID")):
        call = JaxConvTranspose().express(make_case(stride=2, padding=padding))
        assert isinstance(call, NativeCall)
        assert call.kwargs["padding"] == mode
        assert call.kwargs["transpose_kernel"] is True
        assert call.kwargs["dimension_numbers"] == ["NCHW", "OIHW", "NCHW"]


def test_no_transpose_kernel_labels_the_kernel_by_its_real_channels():
    call = JaxConvTransposeNoTransposeKernel().express(make_case(stride=2, padding="same"))
    assert call.kwargs["transpose_kernel"] is False
    assert call.kwargs["dimension_numbers"] == ["NCHW", "IOHW", "NCHW"]


def test_conv_transpose_turns_same_lower_and_output_shape_into_explicit_pairs():
    same_lower = JaxConvTranspose().express(make_case(stride=2, padding="same_lower"))
    # F = 9, O = 8, before = 1: pairs (e-1-1, e-1-(9-1-8)) = (1, 2)
    assert same_lower.kwargs["padding"] == [[1, 2], [1, 2]]
    with_shape = JaxConvTranspose().express(make_case(stride=2, padding="same", output_shape=[7, 8]))
    assert with_shape.kwargs["padding"] == [[1, 1], [2, 1]]  # crops (1, 1) and (0, 1) of F = 9


def test_conv_transpose_explicit_pairs_with_output_padding():
    call = JaxConvTranspose().express(make_case(stride=2, padding=[[1, 2], [0, 1]], output_padding=1))
    assert call.kwargs["padding"] == [[1, 1], [2, 2]]
    assert call.kwargs["strides"] == [2, 2]


@pytest.mark.parametrize("adapter", TRANSPOSE_ADAPTERS, ids=lambda a: a.name)
def test_every_transpose_adapter_uses_the_same_pairs_for_explicit_padding(adapter):
    call = adapter.express(make_case(stride=3, dilation=2, padding=[[0, 3], [2, 1]], output_padding=[2, 0]))
    # e = 5: (4-0, 4-3+2) and (4-2, 4-1+0)
    assert call.kwargs["padding"] == [[4, 3], [2, 3]]


def test_lhs_dilation_form_always_uses_pairs_and_carries_the_stride_as_lhs_dilation():
    call = JaxLhsDilatedConv().express(make_case(c_in=4, c_out=6, groups=2, stride=2, dilation=2, padding="same"))
    assert call.api == "jax.lax.conv_general_dilated"
    assert call.kwargs["padding"] == [[3, 2], [3, 2]]  # F = 11, O = 8: crop 1 before, 2 after; e = 5
    assert call.kwargs["window_strides"] == [1, 1]
    assert call.kwargs["lhs_dilation"] == [2, 2]
    assert call.kwargs["rhs_dilation"] == [2, 2]
    assert call.kwargs["feature_group_count"] == 2
    assert "flipped" in call.note


@pytest.mark.parametrize(
    "padding, expected",
    [("same", "SAME"), ("same_lower", "SAME_LOWER"), ("valid", "VALID"), ([[0, 2], [1, 0]], [[0, 2], [1, 0]])],
)
def test_conv_padding_is_passed_as_jax_takes_it(padding, expected):
    call = JaxConvGeneralDilated().express(make_case("conv", c_in=4, c_out=6, groups=2, stride=2, padding=padding))
    assert call.kwargs["padding"] == expected
    assert call.kwargs["feature_group_count"] == 2
    assert call.kwargs["dimension_numbers"] == ["NCHW", "OIHW", "NCHW"]


# -- what jax cannot express -------------------------------------------------------------------------
@pytest.mark.parametrize("adapter", [JaxConvTranspose(), JaxConvTransposeNoTransposeKernel()], ids=lambda a: a.name)
def test_conv_transpose_has_no_groups(adapter):
    refusal = adapter.express(make_case(c_in=4, c_out=6, groups=2))
    assert isinstance(refusal, Unsupported) and refusal.reason == "groups"


@pytest.mark.parametrize("adapter", TRANSPOSE_ADAPTERS + [JaxConvGeneralDilated()], ids=lambda a: a.name)
def test_no_adapter_takes_a_bias(adapter):
    refusal = adapter.express(make_case(adapter.op, bias=True))
    assert isinstance(refusal, Unsupported) and refusal.reason == "bias"


@pytest.mark.parametrize(
    "params, reason",
    [
        ({"padding": [[-1, 0], [0, 0]]}, "negative-padding"),
        ({"padding": 1, "output_padding": -1}, "negative-padding"),
        ({"padding": 1, "output_shape": 3}, "negative-padding"),  # below F - 2 = 4
        ({"padding": "valid", "output_shape": 5}, "negative-padding"),  # below F = 6
        ({"padding": 1, "output_padding": 1, "stride": 2, "output_shape": 9}, "output-shape-with-output-padding"),
        ({"padding": "same", "output_padding": 1, "stride": 2}, "output-padding-with-padding-mode"),
    ],
)
@pytest.mark.parametrize("adapter", TRANSPOSE_ADAPTERS, ids=lambda a: a.name)
def test_invalid_crops_jax_pairs_would_make_valid_are_unsupported(adapter, params, reason):
    refusal = adapter.express(make_case(**params))
    assert isinstance(refusal, Unsupported) and refusal.reason == reason


@pytest.mark.parametrize("params", [{"stride": 0}, {"dilation": 0}, {"padding": [[3, 3], [0, 0]]}])
def test_invalid_values_jax_itself_can_refuse_go_through(params):
    call = JaxConvTranspose().express(make_case(length=2, kernel=2, **params))
    assert isinstance(call, NativeCall)


def test_conv_passes_negative_padding_through():
    call = JaxConvGeneralDilated().express(make_case("conv", padding=[[-1, -1], [0, 0]]))
    assert call.kwargs["padding"] == [[-1, -1], [0, 0]]


def test_modules_import_without_their_frameworks():
    code = (
        "import sys\n"
        "import conformance.adapters.jax_api, conformance.adapters.keras_backends\n"
        "print(sorted(m for m in ('jax', 'keras', 'torch', 'tensorflow') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_registry_knows_the_adapters_and_their_frameworks():
    assert get_adapter("jax.lax.conv_general_dilated.lhs_dilation") is JaxLhsDilatedConv
    assert {cls.name for cls in adapters_for_framework("jax")} == {
        "jax.lax.conv_transpose",
        "jax.lax.conv_transpose.no_transpose_kernel",
        "jax.lax.conv_general_dilated.lhs_dilation",
        "jax.lax.conv_general_dilated",
        # the gradients of the two API adapters (conformance/adapters/jax_grad_api.py)
        "jax.lax.conv_transpose.grad",
        "jax.lax.conv_general_dilated.grad",
    }
    assert {cls.name for cls in adapters_for_framework("keras-torch")} == {
        "keras.layers.ConvTranspose@torch",
        "keras.layers.Conv@torch",
        "keras.layers.ConvTranspose@torch.grad",
        "keras.layers.Conv@torch.grad",
    }
    assert {cls.name for cls in adapters_for_framework("keras-jax")} == {
        "keras.layers.ConvTranspose@jax",
        "keras.layers.Conv@jax",
        "keras.layers.ConvTranspose@jax.grad",
        "keras.layers.Conv@jax.grad",
    }


def test_valid_note_names_jax_s_longer_valid_output():
    note = JaxConvTranspose().express(make_case(dims=1, kernel=1, stride=2, padding="valid")).note
    assert note.endswith("; jax's 'VALID' gives (L-1)s + max(e, s) = [8] positions, the full result [7]")
    assert "VALID" not in JaxConvTranspose().express(make_case(dims=1, kernel=3, stride=2, padding="valid")).note


# -- the rendered call (the run and the repro are this text) ---------------------------------------
def test_only_the_lhs_dilation_form_is_a_recipe():
    assert JaxLhsDilatedConv.kind == "recipe"
    assert JaxLhsDilatedConv.__doc__.startswith("A recipe, not an API")
    assert {cls.kind for cls in (JaxConvTranspose, JaxConvTransposeNoTransposeKernel, JaxConvGeneralDilated)} == {"api"}


@pytest.mark.parametrize("adapter", TRANSPOSE_ADAPTERS + [JaxConvGeneralDilated()], ids=lambda a: a.name)
def test_the_rendered_call_casts_enables_x64_calls_and_reads_back(adapter):
    case = make_case(adapter.op, dims=1, c_in=4, c_out=6, stride=2, padding="valid", dtype="bfloat16")
    call = adapter.express(case)
    source = adapter.repro_source(case, call)
    compile(source, "<rendered>", "exec")
    lines = source.splitlines()
    assert 'jax.config.update("jax_enable_x64", True)' in lines[2]
    # the casts are numpy's, on the host (the oracle's rounding), device_put compiles no program
    assert "np_dtype = jnp.dtype(dtype)" in lines
    assert "xj = jax.device_put(x.astype(np_dtype))" in lines
    assert not any("dtype=dtype" in line for line in lines)
    assert lines[-2].startswith(f"out = {call.api}(xj, wj, ")
    assert "dimension_numbers=('NCW', " in lines[-2]  # a tuple: lax hashes it
    assert lines[-1] == "y = np.asarray(out).astype(np.float64)"
    assert "conformance" not in source


def test_the_recipe_text_flips_and_swaps_the_kernel_per_group():
    case = make_case(c_in=4, c_out=6, groups=2, stride=2, padding="same")
    adapter = JaxLhsDilatedConv()
    source = adapter.repro_source(case, adapter.express(case))
    assert "groups = 2\n" in source
    assert "w_conv = np.swapaxes(w.reshape(groups, c_in // groups, c_out_g, *k), 1, 2)\n" in source
    assert "w_conv = np.flip(w_conv, axis=(2, 3))\n" in source
    assert "feature_group_count=2)" in source and "lhs_dilation=[2, 2]" in source


@pytest.mark.parametrize("c_in, groups", [(3, 2), (2, 0), (2, -1)])
def test_the_recipe_text_leaves_an_invalid_grouping_to_lax(c_in, groups):
    """The per-group swap cannot be formed: the text flips only and asks lax, never reshapes."""
    x, w = np.ones((1, c_in, 3, 3)), np.ones((c_in, 2, 3, 3))
    case = Case.make("bad-groups", "conv_transpose", x, w, groups=groups)
    adapter = JaxLhsDilatedConv()
    call = adapter.express(case)
    source = adapter.repro_source(case, call)
    assert "reshape" not in source and "swapaxes" not in source
    assert "w_conv = np.flip(w, axis=(2, 3))\n" in source
    assert f"feature_group_count={groups})" in source


@pytest.mark.parametrize("quantity, argument", [("grad_input", "xj"), ("grad_weight", "wj")])
@pytest.mark.parametrize("name", ["jax.lax.conv_transpose.grad", "jax.lax.conv_general_dilated.grad"])
def test_the_gradient_text_differentiates_only_the_judged_argument(name, quantity, argument):
    adapter = get_adapter(name)()
    case = make_case(adapter.op, stride=2, padding="valid", check=("grad_input", "grad_weight")).judging(quantity)
    call = adapter.express(case)
    source = adapter.repro_source(case, call)
    compile(source, "<rendered>", "exec")
    assert f"out, backward = jax.vjp(lambda {argument}: {call.api}(xj, wj, " in source
    assert source.rstrip().endswith(f", {argument})\n(grad,) = backward(gj)\ny = np.asarray(grad).astype(np.float64)")
    assert "gj = jax.device_put(g.astype(np_dtype))" in source
