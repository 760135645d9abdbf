"""The oracle on hand-checked examples (exact, integer-valued) and its refusals.

Every formulation (direct, matrix, flipped) must give the seeds' numbers exactly: integer
inputs keep every product and sum exact in float64, so results compare with ``==``.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from conformance.case import Case
from conformance.oracle import InvalidConfiguration, direct, flipped, matrix

CONV_IMPLEMENTATIONS = {"direct": direct.conv, "matrix": matrix.conv}
TRANSPOSE_IMPLEMENTATIONS = {
    "direct": direct.conv_transpose,
    "matrix": matrix.conv_transpose,
    "flipped": flipped.conv_transpose,
}

conv_implementations = pytest.mark.parametrize("conv", CONV_IMPLEMENTATIONS.values(), ids=CONV_IMPLEMENTATIONS.keys())
transpose_implementations = pytest.mark.parametrize(
    "conv_transpose", TRANSPOSE_IMPLEMENTATIONS.values(), ids=TRANSPOSE_IMPLEMENTATIONS.keys()
)


def image(values) -> np.ndarray:
    """A 2-D list as a (1, 1, H, W) tensor."""
    return np.asarray(values, dtype=np.float64)[None, None]


def signal(*channels) -> np.ndarray:
    """1-D lists as a (1, C, L) tensor."""
    return np.asarray(channels, dtype=np.float64)[None]


def assert_exact(actual: np.ndarray, expected) -> None:
    __tracebackhide__ = True
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, f"shape {actual.shape}, but should be {expected.shape}"
    assert (actual == expected).all(), f"\n{actual}\nshould be\n{expected}"


# d2l.ai 12.10 (seed 001): X = K = [[0, 1], [2, 3]].
D2L_X = image([[0, 1], [2, 3]])
D2L_K = image([[0, 1], [2, 3]])

# Seed 000 (and 003): a 4x4 image and an asymmetric 3x3 filter.
SEED_IMAGE = image([[4, 5, 8, 7], [1, 8, 8, 8], [3, 6, 6, 4], [6, 5, 7, 8]])
SEED_KERNEL = image([[10, -4, 10], [10, 0, 30], [30, 30, -1]])
SEED_CONV = image([[614, 764], [591, 660]])
# The seed's 4x16 convolution matrix for the 'valid' conv of the 4x4 image.
SEED_MATRIX = np.array(
    [
        [10, -4, 10, 0, 10, 0, 30, 0, 30, 30, -1, 0, 0, 0, 0, 0],
        [0, 10, -4, 10, 0, 10, 0, 30, 0, 30, 30, -1, 0, 0, 0, 0],
        [0, 0, 0, 0, 10, -4, 10, 0, 10, 0, 30, 0, 30, 30, -1, 0],
        [0, 0, 0, 0, 0, 10, -4, 10, 0, 10, 0, 30, 0, 30, 30, -1],
    ],
    dtype=np.float64,
)


def ct(x, w, b=None, **params) -> Case:
    return Case.make("t", "conv_transpose", x, w, b, dtype="float64", **params)


def cv(x, w, b=None, **params) -> Case:
    return Case.make("c", "conv", x, w, b, dtype="float64", **params)


# --- d2l.ai 12.10 -------------------------------------------------------------------------


@transpose_implementations
def test_d2l_basic_transposed_convolution(conv_transpose):
    assert_exact(conv_transpose(ct(D2L_X, D2L_K)), image([[0, 0, 1], [0, 4, 6], [4, 12, 9]]))


@transpose_implementations
def test_d2l_padding_crops_the_output(conv_transpose):
    assert_exact(conv_transpose(ct(D2L_X, D2L_K, padding=1)), image([[4]]))


@transpose_implementations
def test_d2l_stride_broadcasts_each_input_through_the_kernel(conv_transpose):
    expected = image([[0, 0, 0, 1], [0, 0, 2, 3], [0, 2, 0, 3], [4, 6, 6, 9]])
    assert_exact(conv_transpose(ct(D2L_X, D2L_K, stride=2)), expected)


@conv_implementations
def test_d2l_corr2d(conv):
    x = image(np.arange(9).reshape(3, 3))
    assert_exact(conv(cv(x, D2L_K)), image([[19, 25], [37, 43]]))


# --- seed 000 / 003: the convolution matrix and its transpose ------------------------------


@conv_implementations
def test_seed_valid_conv(conv):
    assert_exact(conv(cv(SEED_IMAGE, SEED_KERNEL, padding="valid")), SEED_CONV)


def test_seed_convolution_matrix_is_the_seeds():
    built = matrix.convolution_matrix(
        SEED_KERNEL, 1, in_sizes=(4, 4), out_sizes=(2, 2), stride=(1, 1), dilation=(1, 1), before=(0, 0)
    )
    assert_exact(built, SEED_MATRIX)


@transpose_implementations
def test_seed_transpose_is_the_matrix_transpose(conv_transpose):
    expected = image(
        [
            [6140, 5184, 3084, 7640],
            [12050, 11876, 21690, 29520],
            [24330, 47940, 40036, 19036],
            [17730, 37530, 19209, -660],
        ]
    )
    assert_exact(expected, (SEED_MATRIX.T @ SEED_CONV.reshape(-1)).reshape(1, 1, 4, 4))
    assert_exact(conv_transpose(ct(SEED_CONV, SEED_KERNEL)), expected)


@transpose_implementations
def test_seed_transpose_stride_2(conv_transpose):
    expected = image(
        [
            [6140, -2456, 13780, -3056, 7640],
            [6140, 0, 26060, 0, 22920],
            [24330, 16056, 34816, 20280, 5836],
            [5910, 0, 24330, 0, 19800],
            [17730, 17730, 19209, 19800, -660],
        ]
    )
    assert_exact(conv_transpose(ct(SEED_CONV, SEED_KERNEL, stride=2)), expected)


@transpose_implementations
def test_seed_transpose_dilation_2(conv_transpose):
    expected = image(
        [
            [6140, 7640, -2456, -3056, 6140, 7640],
            [5910, 6600, -2364, -2640, 5910, 6600],
            [6140, 7640, 0, 0, 18420, 22920],
            [5910, 6600, 0, 0, 17730, 19800],
            [18420, 22920, 18420, 22920, -614, -764],
            [17730, 19800, 17730, 19800, -591, -660],
        ]
    )
    assert_exact(conv_transpose(ct(SEED_CONV, SEED_KERNEL, dilation=2)), expected)


# --- 1-D examples worked by hand -----------------------------------------------------------
# x = [1, 2], w = [1, 10, 100], stride 2: full = [1, 10, 100+2, 20, 200] (length (2-1)*2+3 = 5).

HAND_X = signal([1, 2])
HAND_W = signal([1, 10, 100])


@transpose_implementations
@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, [1, 10, 102, 20, 200]),
        ({"padding": 1}, [10, 102, 20]),
        ({"padding": [[2, 0]]}, [102, 20, 200]),
        ({"padding": [[0, 2]]}, [1, 10, 102]),
        ({"padding": 1, "output_padding": 1}, [10, 102, 20, 200]),
        ({"output_padding": 1}, [1, 10, 102, 20, 200, 0]),
        ({"padding": 2, "output_padding": 1}, [102, 20]),
        ({"padding": 1, "output_shape": 4}, [10, 102, 20, 200]),
        ({"padding": "valid"}, [1, 10, 102, 20, 200]),
        ({"padding": "valid", "output_shape": 7}, [1, 10, 102, 20, 200, 0, 0]),
        # same: O = 2*2 = 4, total = 5 - 4 = 1: the odd one at the end (before 0) or start (1).
        ({"padding": "same"}, [1, 10, 102, 20]),
        ({"padding": "same_lower"}, [10, 102, 20, 200]),
        ({"padding": "same", "output_shape": 3}, [10, 102, 20]),
        ({"padding": "same", "output_shape": 6}, [1, 10, 102, 20, 200, 0]),
    ],
    ids=lambda v: repr(v) if isinstance(v, dict) else None,
)
def test_hand_1d_transpose_windows(conv_transpose, params, expected):
    assert_exact(conv_transpose(ct(HAND_X, HAND_W, stride=2, **params)), signal(expected))


@transpose_implementations
def test_hand_1d_transpose_dilation(conv_transpose):
    # dilation 2: taps land at 0, 2, 4 for x[0] and 1, 3, 5 for x[1].
    assert_exact(conv_transpose(ct(HAND_X, HAND_W, dilation=2)), signal([1, 2, 10, 20, 100, 200]))


@conv_implementations
@pytest.mark.parametrize(
    "x, w, params, expected",
    [
        # xpad = [0, 1, 2, 3, 4, 5, 0], windows at 0, 2, 4.
        ([1, 2, 3, 4, 5], [1, 10, 100], {"stride": 2, "padding": 1}, [210, 432, 54]),
        ([1, 2, 3, 4, 5], [1, 10, 100], {"stride": 2, "padding": "same"}, [210, 432, 54]),
        ([1, 2, 3, 4, 5], [1, 10, 100], {"dilation": 2}, [531]),
        # same, stride 1, k 2: total 1 goes after (same) or before (same_lower).
        ([1, 2, 3], [1, 10], {"padding": "same"}, [21, 32, 3]),
        ([1, 2, 3], [1, 10], {"padding": "same_lower"}, [10, 21, 32]),
        # xpad = [0, 0, 1, 2, 3]: the first window reads only padding.
        ([1, 2, 3], [1, 10], {"padding": [[2, 0]]}, [0, 10, 21, 32]),
    ],
)
def test_hand_1d_conv(conv, x, w, params, expected):
    assert_exact(conv(cv(signal(x), signal(w), **params)), signal(expected))


# --- channels, groups, bias ----------------------------------------------------------------


@conv_implementations
def test_conv_groups_keep_channels_apart(conv):
    # C_in 2, C_out 4, groups 2, 1x1 kernels 1..4: outputs 0,1 read x0; outputs 2,3 read x1.
    x = signal([1, 2], [10, 20])
    w = np.array([1, 2, 3, 4], dtype=np.float64).reshape(4, 1, 1)
    assert_exact(conv(cv(x, w, groups=2)), signal([1, 2], [2, 4], [30, 60], [40, 80]))


@transpose_implementations
def test_conv_transpose_groups_keep_channels_apart(conv_transpose):
    # kernel (C_in 2, C_out/g 2, 1): group 0 writes outputs 0,1 from x0; group 1 outputs 2,3.
    x = signal([1, 2], [10, 20])
    w = np.array([[1, 2], [3, 4]], dtype=np.float64).reshape(2, 2, 1)
    assert_exact(conv_transpose(ct(x, w, groups=2)), signal([1, 2], [2, 4], [30, 60], [40, 80]))


@transpose_implementations
def test_conv_transpose_kernel_is_in_by_out(conv_transpose):
    # kernel (C_in 2, C_out 3, 1): y[m] = x0 * w[0, m] + x1 * w[1, m], plus bias[m].
    x = signal([1, 2], [10, 20])
    w = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float64).reshape(2, 3, 1)
    expected = signal([41 + 7, 82 + 7], [52 + 8, 104 + 8], [63 + 9, 126 + 9])
    assert_exact(conv_transpose(ct(x, w, [7, 8, 9])), expected)


@conv_implementations
def test_conv_kernel_is_out_by_in_with_bias(conv):
    x = signal([1, 2], [10, 20])
    w = np.array([[1, 4], [2, 5], [3, 6]], dtype=np.float64).reshape(3, 2, 1)
    expected = signal([41 + 7, 82 + 7], [52 + 8, 104 + 8], [63 + 9, 126 + 9])
    assert_exact(conv(cv(x, w, [7, 8, 9])), expected)


# --- 1-D and 3-D against a naive nested-loop reference -------------------------------------


def naive_conv(x, w, groups, stride, dilation, pads):
    """SPEC's conv read literally: out length floor((L + before + after - e)/s) + 1."""
    n, c_in = x.shape[:2]
    c_out, c_in_g = w.shape[:2]
    c_out_g = c_out // groups
    kernel = w.shape[2:]
    out = [
        (length + before + after - (d * (k - 1) + 1)) // s + 1
        for length, k, s, d, (before, after) in zip(x.shape[2:], kernel, stride, dilation, pads)
    ]
    y = np.zeros((n, c_out, *out))
    for b, o in itertools.product(range(n), range(c_out)):
        g = o // c_out_g
        for p in itertools.product(*map(range, out)):
            total = 0.0
            for c_local, tap in itertools.product(range(c_in_g), itertools.product(*map(range, kernel))):
                idx = [pi * s + t * d - before for pi, t, s, d, (before, _) in zip(p, tap, stride, dilation, pads)]
                if all(0 <= i < length for i, length in zip(idx, x.shape[2:])):
                    total += x[(b, g * c_in_g + c_local, *idx)] * w[(o, c_local, *tap)]
            y[(b, o, *p)] = total
    return y


def naive_conv_transpose(x, w, groups, stride, dilation, pads, output_padding):
    """SPEC's scatter form read literally, then the window [before, before + O)."""
    n, c_in = x.shape[:2]
    c_in_g, c_out_g = c_in // groups, w.shape[1]
    kernel = w.shape[2:]
    full_sizes = [(length - 1) * s + d * (k - 1) + 1 for length, k, s, d in zip(x.shape[2:], kernel, stride, dilation)]
    out = [f - before - after + op for f, (before, after), op in zip(full_sizes, pads, output_padding)]
    full = {}
    for b, c in itertools.product(range(n), range(c_in)):
        g = c // c_in_g
        for i in itertools.product(*map(range, x.shape[2:])):
            for m_local, tap in itertools.product(range(c_out_g), itertools.product(*map(range, kernel))):
                key = (b, g * c_out_g + m_local, *(ii * s + t * d for ii, t, s, d in zip(i, tap, stride, dilation)))
                full[key] = full.get(key, 0.0) + x[(b, c, *i)] * w[(c, m_local, *tap)]
    y = np.zeros((n, groups * c_out_g, *out))
    for index in itertools.product(*map(range, y.shape)):
        key = (index[0], index[1], *(j + before for j, (before, _) in zip(index[2:], pads)))
        y[index] = full.get(key, 0.0)
    return y


def integers(rng, shape):
    return rng.integers(-5, 6, size=shape).astype(np.float64)


NAIVE_CONFIGS = {
    "1d-stride3-dil2-pad(2,1)-groups2": dict(
        x=(2, 4, 7), groups=2, c_out=6, k=(3,), stride=(3,), dilation=(2,), pads=((2, 1),), output_padding=(1,)
    ),
    "1d-depthwise-stride2": dict(
        x=(1, 3, 5), groups=3, c_out=3, k=(2,), stride=(2,), dilation=(1,), pads=((0, 1),), output_padding=(1,)
    ),
    "3d-mixed": dict(
        x=(2, 2, 3, 4, 3),
        groups=1,
        c_out=3,
        k=(2, 3, 2),
        stride=(2, 1, 3),
        dilation=(1, 2, 1),
        pads=((1, 0), (0, 2), (1, 1)),
        output_padding=(1, 0, 2),
    ),
    "3d-groups2": dict(
        x=(1, 4, 3, 3, 2),
        groups=2,
        c_out=2,
        k=(2, 2, 2),
        stride=(1, 2, 2),
        dilation=(2, 1, 1),
        pads=((0, 0), (1, 1), (0, 1)),
        output_padding=(0, 1, 1),
    ),
}


@conv_implementations
@pytest.mark.parametrize("config", NAIVE_CONFIGS.values(), ids=NAIVE_CONFIGS.keys())
def test_conv_matches_naive_loops(conv, config):
    rng = np.random.default_rng(7)
    c_in = config["x"][1]
    x = integers(rng, config["x"])
    w = integers(rng, (config["c_out"], c_in // config["groups"], *config["k"]))
    params = dict(groups=config["groups"], stride=config["stride"], dilation=config["dilation"])
    expected = naive_conv(x, w, pads=config["pads"], **params)
    assert_exact(conv(cv(x, w, padding=[list(p) for p in config["pads"]], **params)), expected)


@transpose_implementations
@pytest.mark.parametrize("config", NAIVE_CONFIGS.values(), ids=NAIVE_CONFIGS.keys())
def test_conv_transpose_matches_naive_loops(conv_transpose, config):
    rng = np.random.default_rng(8)
    c_in = config["x"][1]
    x = integers(rng, config["x"])
    w = integers(rng, (c_in, config["c_out"] // config["groups"], *config["k"]))
    params = dict(groups=config["groups"], stride=config["stride"], dilation=config["dilation"])
    expected = naive_conv_transpose(x, w, pads=config["pads"], output_padding=config["output_padding"], **params)
    case = ct(x, w, padding=[list(p) for p in config["pads"]], output_padding=config["output_padding"], **params)
    assert_exact(conv_transpose(case), expected)


def count_matmul_calls(monkeypatch) -> list:
    calls = []
    real_matmul = np.matmul
    monkeypatch.setattr(np, "matmul", lambda *args: calls.append(args) or real_matmul(*args))
    return calls


# 3d-mixed: 12 taps; stride (2, 1, 3) and dilation (1, 2, 1) put them in 4 stride phases
# (t0 mod 2, t2 mod 3 for t0, t2 in {0, 1}) of 3 taps each.
@pytest.mark.parametrize(
    "product_bytes, products",
    [(1, 12), (None, 1), ("5 taps", 3)],
    ids=["one-tap-per-product", "one-product", "5-5-2-taps"],
)
def test_conv_transpose_in_blocks_of_taps(monkeypatch, product_bytes, products):
    """A product memory limit splits the taps into blocks; the result does not change."""
    config = NAIVE_CONFIGS["3d-mixed"]
    rng = np.random.default_rng(9)
    x = integers(rng, config["x"])
    w = integers(rng, (config["x"][1], config["c_out"], *config["k"]))
    if product_bytes == "5 taps":
        product_bytes = 5 * config["c_out"] * x.shape[0] * int(np.prod(x.shape[2:])) * 8
    if product_bytes is not None:
        monkeypatch.setattr(direct, "PRODUCT_BYTES", product_bytes)
    params = dict(groups=1, stride=config["stride"], dilation=config["dilation"])
    case = ct(x, w, padding=[list(p) for p in config["pads"]], output_padding=config["output_padding"], **params)
    calls = count_matmul_calls(monkeypatch)
    actual = direct.conv_transpose(case)
    monkeypatch.undo()
    assert len(calls) == products
    expected = naive_conv_transpose(x, w, pads=config["pads"], output_padding=config["output_padding"], **params)
    assert_exact(actual, expected)


@pytest.mark.parametrize("product_bytes, products", [(1, 12), (None, 4)], ids=["one-tap-per-product", "one-per-phase"])
def test_conv_in_blocks_of_taps_per_phase(monkeypatch, product_bytes, products):
    config = NAIVE_CONFIGS["3d-mixed"]
    rng = np.random.default_rng(10)
    x = integers(rng, config["x"])
    w = integers(rng, (config["c_out"], config["x"][1], *config["k"]))
    if product_bytes is not None:
        monkeypatch.setattr(direct, "PRODUCT_BYTES", product_bytes)
    params = dict(groups=1, stride=config["stride"], dilation=config["dilation"])
    calls = count_matmul_calls(monkeypatch)
    actual = direct.conv(cv(x, w, padding=[list(p) for p in config["pads"]], **params))
    monkeypatch.undo()
    assert len(calls) == products
    assert_exact(actual, naive_conv(x, w, pads=config["pads"], **params))


def test_evaluate_dispatches_on_op():
    assert_exact(direct.evaluate(cv(SEED_IMAGE, SEED_KERNEL)), SEED_CONV)
    assert_exact(direct.evaluate(ct(D2L_X, D2L_K, padding=1)), image([[4]]))


# --- invalid configurations ----------------------------------------------------------------

X1 = signal([1, 2, 3, 4])  # (1, 1, 4)
W1 = signal([1, 2])  # (1, 1, 2)

INVALID = {
    "conv-stride-0": ("stride", cv(X1, W1, stride=0)),
    "conv_transpose-stride-negative": ("stride", ct(X1, W1, stride=-1)),
    "conv-dilation-0": ("dilation", cv(X1, W1, dilation=0)),
    "conv-negative-padding": ("padding", cv(X1, W1, padding=[[-1, 0]])),
    "conv_transpose-negative-padding": ("padding", ct(X1, W1, padding=-1)),
    "conv-kernel-longer-than-padded-input": ("padding", cv(X1, signal([1, 2, 3, 4, 5]))),
    "conv-valid-kernel-too-long": ("padding", cv(X1, signal([1] * 5), padding="valid")),
    "conv_transpose-cropped-to-nothing": ("padding", ct(signal([1]), W1, padding=1)),
    "conv_transpose-negative-output_padding": ("output_padding", ct(X1, W1, output_padding=-1)),
    "conv_transpose-output_padding-with-same": ("output_padding", ct(X1, W1, padding="same", output_padding=1)),
    "conv_transpose-output_padding-with-valid": ("output_padding", ct(X1, W1, padding="valid", output_padding=1)),
    "conv_transpose-output_shape-below-full-valid": ("output_shape", ct(X1, W1, padding="valid", output_shape=4)),
    "conv_transpose-output_shape-below-cropped": ("output_shape", ct(X1, W1, padding=1, output_shape=2)),
    "conv_transpose-output_shape-conflicts-output_padding": (
        "output_shape",
        ct(X1, W1, padding=1, output_padding=1, output_shape=5),
    ),
    "conv_transpose-output_shape-0-same": ("output_shape", ct(X1, W1, padding="same", output_shape=0)),
    "conv-output_shape": ("output_shape", cv(X1, W1, output_shape=3)),
    "conv-output_padding": ("output_padding", cv(X1, W1, output_padding=1)),
    "conv-groups-do-not-divide-input": ("groups", cv(signal([1], [2], [3]), np.ones((2, 1, 1)), groups=2)),
    "conv-groups-do-not-divide-output": ("groups", cv(signal([1], [2]), np.ones((3, 1, 1)), groups=2)),
    "conv_transpose-groups-do-not-divide-input": ("groups", ct(signal([1], [2], [3]), np.ones((3, 1, 1)), groups=2)),
    "conv-groups-0": ("groups", cv(X1, W1, groups=0)),
    "conv-kernel-wrong-input-channels": ("kernel", cv(signal([1], [2]), np.ones((1, 1, 1)))),
    "conv_transpose-kernel-wrong-input-channels": ("kernel", ct(signal([1], [2]), np.ones((1, 2, 1)))),
    "conv-kernel-wrong-rank": ("kernel", cv(X1, np.ones((1, 1, 2, 2)))),
    "conv-bias-wrong-length": ("bias", cv(X1, W1, [1, 2])),
    "conv_transpose-bias-wrong-length": ("bias", ct(signal([1], [2]), np.ones((2, 3, 1)), [1, 2], groups=2)),
    "input-four-spatial-dims": ("input", cv(np.ones((1, 1, 2, 2, 2, 2)), np.ones((1, 1, 1, 1, 1, 1)))),
    "input-empty-spatial-dim": ("input", cv(np.ones((1, 1, 0)), W1)),
    "op-unknown": ("op", replace(cv(X1, W1), op="deconv")),
    "padding-mode-unknown": ("padding", replace(cv(X1, W1), padding="full")),
    "stride-wrong-count": ("stride", replace(cv(X1, W1), stride=(1, 1))),
    "output_shape-wrong-count": ("output_shape", replace(ct(X1, W1), output_shape=(4, 4))),
}


@pytest.mark.parametrize("field, case", INVALID.values(), ids=INVALID.keys())
def test_invalid_configuration_names_the_field(field, case):
    with pytest.raises(InvalidConfiguration) as raised:
        direct.evaluate(case)
    assert raised.value.field == field, str(raised.value)
    assert str(raised.value).startswith(f"{field}: ")


def test_invalid_configuration_message_names_dim_and_value():
    case = cv(image([[1, 2, 3]]), np.ones((1, 1, 1, 1)), stride=(1, 0))
    with pytest.raises(InvalidConfiguration, match=r"^stride: spatial dim 1: must be >= 1 \(got 0\)$"):
        direct.evaluate(case)


# --- `conformance oracle` ------------------------------------------------------------------

ORACLE_CASES = """\
defaults: {op: conv_transpose, dtype: float64}
cases:
  - id: d2l-basic
    input:  {shape: [1, 1, 2, 2], values: [[[[0, 1], [2, 3]]]]}
    kernel: {shape: [1, 1, 2, 2], values: [[[[0, 1], [2, 3]]]]}
    expected: {shape: [1, 1, 3, 3], values: [[[[0, 0, 1], [0, 4, 6], [4, 12, 9]]]]}
  - id: seed-conv
    op: conv
    input:  {shape: [1, 1, 4, 4], values: [[[[4, 5, 8, 7], [1, 8, 8, 8], [3, 6, 6, 4], [6, 5, 7, 8]]]]}
    kernel: {shape: [1, 1, 3, 3], values: [[[[10, -4, 10], [10, 0, 30], [30, 30, -1]]]]}
  - id: stride-zero
    expect: error
    stride: 0
    input:  {shape: [1, 1, 2, 2], values: [[[[0, 1], [2, 3]]]]}
    kernel: {shape: [1, 1, 2, 2], values: [[[[0, 1], [2, 3]]]]}
"""

# The d2l example computed with the kernel flipped to [[3, 2], [1, 0]] (by hand: x[0,1],
# x[1,0], x[1,1] scatter 1, 2 and 3 times it): what a framework that convolves would give.
FLIPPED_EXPECTED = """\
cases:
  - id: d2l-flipped-expected
    op: conv_transpose
    dtype: float64
    input:  {shape: [1, 1, 2, 2], values: [[[[0, 1], [2, 3]]]]}
    kernel: {shape: [1, 1, 2, 2], values: [[[[0, 1], [2, 3]]]]}
    expected: {shape: [1, 1, 3, 3], values: [[[[0, 3, 2], [6, 14, 6], [2, 3, 0]]]]}
"""


def run_oracle_command(capsys, *argv):
    from conformance.cli import main

    status = main(["oracle", *map(str, argv)])
    out, err = capsys.readouterr()
    return status, out, err


def test_oracle_command_json_lines(tmp_path, capsys):
    import json

    (tmp_path / "cases.yaml").write_text(ORACLE_CASES)
    status, out, err = run_oracle_command(capsys, tmp_path, "--json")
    assert (status, err) == (0, "")
    records = [json.loads(line) for line in out.splitlines()]
    assert records == [
        {
            "id": "d2l-basic",
            "shape": [1, 1, 3, 3],
            "values": [[[[0, 0, 1], [0, 4, 6], [4, 12, 9]]]],
            "matches_expected": True,
            "max_abs_diff": 0.0,
            "err_ratio": 0.0,
        },
        {"id": "seed-conv", "shape": [1, 1, 2, 2], "values": [[[[614, 764], [591, 660]]]]},
        {"id": "stride-zero", "error": "stride: spatial dim 0: must be >= 1 (got 0)"},
    ]


def test_oracle_command_plain_text(tmp_path, capsys):
    (tmp_path / "cases.yaml").write_text(ORACLE_CASES)
    status, out, err = run_oracle_command(capsys, tmp_path / "cases.yaml")
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "d2l-basic: conv_transpose: shape [1, 1, 3, 3]",
        "[[[[ 0.  0.  1.]",
        "   [ 0.  4.  6.]",
        "   [ 4. 12.  9.]]]]",
        "matches expected: yes (max abs diff 0)",
        "seed-conv: conv: shape [1, 1, 2, 2]",
        "[[[[614. 764.]",
        "   [591. 660.]]]]",
        "stride-zero: conv_transpose: invalid: stride: spatial dim 0: must be >= 1 (got 0)",
    ]


def test_oracle_command_reports_a_mismatched_expected(tmp_path, capsys):
    import json

    (tmp_path / "flipped.yaml").write_text(FLIPPED_EXPECTED)
    status, out, _ = run_oracle_command(capsys, tmp_path)
    assert status == 1
    verdict = out.splitlines()[-1]
    assert verdict.startswith("matches expected: no (max abs diff 10, err_ratio inf;"), verdict
    assert verdict.endswith("diagnosis: kernel-flipped)"), verdict

    status, out, _ = run_oracle_command(capsys, tmp_path, "--json")
    record = json.loads(out)
    assert status == 1
    assert (record["matches_expected"], record["max_abs_diff"], record["err_ratio"]) == (False, 10.0, "inf")


def test_oracle_command_prints_load_errors_and_runs_the_rest(tmp_path, capsys):
    (tmp_path / "a.yaml").write_text(ORACLE_CASES)
    (tmp_path / "b.yaml").write_text(
        "cases:\n"
        "  - id: three-strides\n"
        "    op: conv\n"
        "    stride: [1, 2, 3]\n"
        "    input:  {shape: [1, 1, 2, 2], fill: 1}\n"
        "    kernel: {shape: [1, 1, 1, 1], fill: 1}\n"
    )
    status, out, err = run_oracle_command(capsys, tmp_path, "--json")
    assert status == 1
    assert err.splitlines() == [
        f"{tmp_path / 'b.yaml'}:4: case 'three-strides': stride: needs 2 entries, one per spatial dim (got [1, 2, 3])"
    ]
    assert len(out.splitlines()) == 3
