"""tf.nn.conv_transpose / tf.nn.convolution parameter translation, with no framework installed."""

from __future__ import annotations

import subprocess
import sys
import types

import numpy as np
import pytest

from conformance.adapters.base import NativeCall, Unsupported
from conformance.adapters.canonical import canonical_transpose_length, full_transpose_length, same_lower_pads
from conformance.adapters.tensorflow_api import (
    TRANSPOSE_OPS,
    TfConvolution,
    TfConvTranspose,
    implied_groups,
    tf_conv_padding,
    tf_transpose_padding,
)
from adapter_checks import conv_case, transpose_case


# -- canonical geometry -> TF's output_shape and explicit pads ------------------------------
@pytest.mark.parametrize(
    "padding, output_padding, output_shape, expected",
    [
        ("same", 0, None, 8),  # L * s
        ("same_lower", 0, None, 8),
        ("valid", 0, None, 9),  # F = (4-1)*2 + 3
        ("same", 0, [7, 7], 7),  # output_shape replaces O
        ([[1, 2], [1, 2]], 0, None, 6),  # F - before - after
        ([[1, 2], [1, 2]], 1, None, 7),  # + output_padding
        ([[1, 0], [1, 0]], 0, [9, 9], 9),
    ],
)
def test_output_shape_is_the_canonical_output_length(padding, output_padding, output_shape, expected):
    case = transpose_case(stride=2, padding=padding, output_padding=output_padding, output_shape=output_shape)
    call = TfConvTranspose().express(case)
    assert isinstance(call, NativeCall)
    assert call.kwargs["output_shape"] == [1, expected, expected, 3]
    pair = padding if isinstance(padding, str) else tuple(padding[0])
    assert canonical_transpose_length(4, 3, 2, 1, pair, output_padding, output_shape and output_shape[0]) == expected


def test_valid_output_shape_is_the_full_scatter_length():
    call = TfConvTranspose().express(transpose_case(dims=3, length=3, kernel=3, stride=2, dilation=2, padding="valid"))
    assert call.kwargs["output_shape"] == [1, 9, 9, 9, 3] and full_transpose_length(3, 3, 2, 2) == 9


@pytest.mark.parametrize(
    "kernel, output_shape, pads",
    [
        (3, None, [1, 0]),  # F = 9, O = 8: the odd crop goes first
        (4, None, [1, 1]),  # F = 10, O = 8: one each side
        (1, None, [0, 0]),  # F = 7 < O = 8: nothing to crop
        (4, [7, 7], [2, 1]),  # F = 10, O = 7
    ],
)
def test_same_lower_pads_put_the_odd_crop_first(kernel, output_shape, pads):
    call = TfConvTranspose().express(transpose_case(kernel=kernel, stride=2, padding="same_lower", output_shape=output_shape))
    assert call.kwargs["padding"] == [[0, 0], pads, pads, [0, 0]]
    out = call.kwargs["output_shape"][1]
    assert list(same_lower_pads(4, kernel, 2, 1, out)) == pads


def test_tf_transpose_padding_forms():
    assert tf_transpose_padding("same", 2) == "SAME"
    assert tf_transpose_padding("valid", 3) == "VALID"
    assert tf_transpose_padding(((0, 0), (0, 0)), 2) == "VALID"
    assert tf_transpose_padding(((0, 0),), 1) == "VALID"
    assert tf_transpose_padding(((1, 2), (0, 3)), 2) == [[0, 0], [1, 2], [0, 3], [0, 0]]
    assert tf_transpose_padding(((1, 1),), 1) is None
    assert tf_transpose_padding(((1, 1),) * 3, 3) is None
    assert tf_transpose_padding("same_lower", 2) is None


def test_tf_conv_padding_and_implied_groups():
    assert tf_conv_padding("same") == "SAME"
    assert tf_conv_padding(((0, 0), (0, 0))) == "VALID"
    assert tf_conv_padding(((1, 0),)) is None
    assert tf_conv_padding("same_lower") is None
    assert implied_groups(4, 2) == 2
    assert implied_groups(4, 3) is None


# -- tf.nn.conv_transpose ------------------------------------------------------------
def test_conv_transpose_same_call_spells_output_shape_nhwc():
    call = TfConvTranspose().express(transpose_case(stride=2, padding="same", c_in=2, c_out=3))
    assert isinstance(call, NativeCall)
    assert call.api == "tf.nn.conv2d_transpose"
    assert call.kwargs == {"output_shape": [1, 8, 8, 3], "strides": [2, 2], "padding": "SAME", "dilations": [1, 1]}
    assert (call.input_layout, call.kernel_layout) == ("NHWC", "HWOI")


def test_conv_transpose_2d_explicit_padding_and_output_padding():
    call = TfConvTranspose().express(transpose_case(stride=2, padding=[[1, 2], [0, 1]], output_padding=1))
    assert call.kwargs["padding"] == [[0, 0], [1, 2], [0, 1], [0, 0]]
    # F = 9: 9 - 1 - 2 + 1 = 7 and 9 - 0 - 1 + 1 = 9
    assert call.kwargs["output_shape"] == [1, 7, 9, 3]


def test_conv_transpose_same_lower_is_explicit_in_2d_only():
    call = TfConvTranspose().express(transpose_case(stride=2, padding="same_lower"))
    assert call.kwargs["padding"] == [[0, 0], [1, 0], [1, 0], [0, 0]]
    assert call.kwargs["output_shape"][1:3] == [8, 8]
    refused = TfConvTranspose().express(transpose_case(dims=1, stride=2, padding="same_lower"))
    assert isinstance(refused, Unsupported) and refused.reason == "padding-mode:same_lower"


@pytest.mark.parametrize("dims", [1, 3])
def test_conv_transpose_explicit_padding_outside_2d_is_unsupported_but_zero_is_valid(dims):
    refused = TfConvTranspose().express(transpose_case(dims=dims, padding=1))
    assert isinstance(refused, Unsupported) and refused.reason == "explicit-padding"
    call = TfConvTranspose().express(transpose_case(dims=dims, stride=2, padding=0, output_padding=1))
    assert call.kwargs["padding"] == "VALID"
    assert call.kwargs["output_shape"][1:-1] == [10] * dims  # F + output_padding
    assert call.api == f"tf.nn.conv{dims}d_transpose"


@pytest.mark.parametrize(
    "params, reason",
    [
        ({"groups": 3, "c_in": 3, "c_out": 3}, "groups"),
        ({"b": np.zeros(3)}, "bias"),
    ],
)
def test_conv_transpose_unsupported(params, reason):
    refused = TfConvTranspose().express(transpose_case(**params))
    assert isinstance(refused, Unsupported) and refused.reason == reason
    assert refused.doc.startswith("https://www.tensorflow.org/")


@pytest.mark.parametrize(
    "params, output_shape",
    [
        # output_padding >= stride: F - 1 - 1 + 2 = 9, whose conv with pads (1, 1) gives 5, not L = 4
        ({"stride": 2, "padding": [[1, 1], [1, 1]], "output_padding": 2}, [9, 9]),
        # 'VALID' beyond F + s - 1 and 'SAME' outside ((L-1)s, Ls]: TF's own check answers
        ({"stride": 2, "padding": "valid", "output_shape": [11, 11]}, [11, 11]),
        ({"stride": 2, "padding": "same", "output_shape": [9, 9]}, [9, 9]),
        ({"stride": 2, "padding": "same", "output_shape": [6, 6]}, [6, 6]),
    ],
)
def test_conv_transpose_asks_tf_about_any_output_shape(params, output_shape):
    # No prediction of TF's gradient-of-conv check: the call goes to TF, whose refusal is
    # the result (an ERROR with an expectation entry).
    call = TfConvTranspose().express(transpose_case(**params))
    assert isinstance(call, NativeCall)
    assert call.kwargs["output_shape"] == [1, *output_shape, 3]


def test_conv_transpose_same_output_shape_inside_range_is_expressed():
    # ceil(7 / 2) == 4 == L: TF takes it and crops as SAME does.
    call = TfConvTranspose().express(transpose_case(stride=2, padding="same", output_shape=[7, 8]))
    assert call.kwargs["output_shape"] == [1, 7, 8, 3]


@pytest.mark.parametrize("padding", ["same", "valid"])
def test_conv_transpose_output_padding_with_a_mode_is_unsupported_not_folded_into_output_shape(padding):
    # An invalid case: TF has no output_padding, so output_shape = L*s or F + 1 would ask
    # TF a different, valid question.
    refused = TfConvTranspose().express(transpose_case(stride=2, padding=padding, output_padding=1, expect="error"))
    assert isinstance(refused, Unsupported) and refused.reason == "output-padding-with-padding-mode"
    assert f"padding {padding!r} with output_padding [1, 1]" in refused.detail


def test_conv_transpose_passes_invalid_values_through():
    call = TfConvTranspose().express(transpose_case(stride=0, expect="error"))
    assert call.kwargs["strides"] == [0, 0]
    call = TfConvTranspose().express(transpose_case(padding=[[-1, -1], [0, 0]], expect="error"))
    assert call.kwargs["padding"] == [[0, 0], [-1, -1], [0, 0], [0, 0]]


# -- tf.nn.convolution ----------------------------------------------------------------
def test_convolution_call_with_groups_in_the_filter_shape():
    call = TfConvolution().express(conv_case(groups=2, stride=2, padding="same"))
    assert call.api == "tf.nn.convolution"
    assert call.kwargs == {"strides": [2, 2], "padding": "SAME", "dilations": [1, 1]}
    assert call.kernel_layout == "HWIO"


@pytest.mark.parametrize(
    "params, reason",
    [
        ({"padding": 1}, "explicit-padding"),
        ({"padding": "same_lower"}, "padding-mode:same_lower"),
        ({"b": np.zeros(6)}, "bias"),
        # groups=3 does not divide C_in=4; TF would read the (6, 4, ...) kernel as groups=1:
        # with no groups argument, the API cannot say this case
        ({"groups": 3, "w_in": 4, "expect": "error"}, "groups-from-kernel"),
    ],
)
def test_convolution_unsupported(params, reason):
    refused = TfConvolution().express(conv_case(**params))
    assert isinstance(refused, Unsupported) and refused.reason == reason
    assert refused.doc.startswith("https://www.tensorflow.org/")


def test_convolution_passes_stride_with_dilation_to_tf():
    # Both parameters exist; TF's own ValueError is the answer, not a prediction here.
    call = TfConvolution().express(conv_case(stride=2, dilation=2))
    assert isinstance(call, NativeCall)
    assert call.kwargs == {"strides": [2, 2], "padding": "VALID", "dilations": [2, 2]}


def test_convolution_passes_a_kernel_tf_cannot_group_through():
    call = TfConvolution().express(conv_case(w_in=3, expect="error"))
    assert isinstance(call, NativeCall)


# -- the rendered call (the run and the repro script) ---------------------------------------
class FakeTensorFlow(types.ModuleType):
    """Just enough of ``tensorflow`` to run the rendered text without TF: constants stay
    numpy arrays, the op records what it was given and hands back a channels-last marker."""

    def __init__(self):
        super().__init__("tensorflow")
        self.calls = []
        self.nn = types.SimpleNamespace(**{op.rsplit(".", 1)[1]: self._op(op) for op in [*TRANSPOSE_OPS.values(), "tf.nn.convolution"]})

    @staticmethod
    def as_dtype(name):
        return types.SimpleNamespace(as_numpy_dtype={"float16": np.float16, "float32": np.float32, "float64": np.float64}[name])

    @staticmethod
    def constant(value):
        return value

    def _op(self, api):
        def op(x, w, **kwargs):
            self.calls.append((api, x, w, kwargs))
            shape = kwargs.get("output_shape", [x.shape[0], *x.shape[1:-1], w.shape[-1]])
            return types.SimpleNamespace(numpy=lambda: np.arange(np.prod(shape), dtype=x.dtype).reshape(shape))

        return op


@pytest.mark.parametrize(
    "adapter, case, x_axes, w_axes",
    [
        (TfConvTranspose(), transpose_case(dims=1, stride=2, padding="same", dtype="float16"), (0, 2, 1), (2, 1, 0)),
        (TfConvTranspose(), transpose_case(dims=2, padding="valid", dtype="float64"), (0, 2, 3, 1), (2, 3, 1, 0)),
        (TfConvolution(), conv_case(dims=3, groups=2, padding="same", dtype="float32"), (0, 2, 3, 4, 1), (2, 3, 4, 1, 0)),
    ],
    ids=["conv1d_transpose-float16", "conv2d_transpose-float64", "convolution-3d-float32"],
)
def test_rendered_call_relayouts_casts_and_reads_back(adapter, case, x_axes, w_axes, monkeypatch):
    fake = FakeTensorFlow()
    monkeypatch.setitem(sys.modules, "tensorflow", fake)
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=case.x.shape), rng.normal(size=case.w.shape)
    call = adapter.express(case)
    source = adapter.repro_source(case, call)
    assert "conformance" not in source and f"y = {call.api}(x_tf, w_tf, " in source
    namespace = {"x": x, "w": w, "b": None, "dtype": case.dtype}
    exec(compile(source, "<rendered call>", "exec"), namespace)
    [(api, x_tf, w_tf, kwargs)] = fake.calls
    assert api == call.api and kwargs == call.kwargs
    # channels last, cast by numpy to the case's dtype (the rounding the oracle applies)
    np.testing.assert_array_equal(x_tf, np.transpose(x, x_axes).astype(case.dtype))
    np.testing.assert_array_equal(w_tf, np.transpose(w, w_axes).astype(case.dtype))
    assert x_tf.dtype == w_tf.dtype == np.dtype(case.dtype)
    # back to channels first, float64
    y = namespace["y"]
    channels_last = np.transpose(y, (0, *range(2, y.ndim), 1))
    assert y.dtype == np.float64 and y.shape[1] == (call.kwargs["output_shape"][-1] if "output_shape" in kwargs else case.w.shape[0])
    np.testing.assert_array_equal(channels_last.ravel(), np.arange(y.size))


def test_adapter_modules_import_without_their_framework():
    code = (
        "import sys, conformance.adapters.tensorflow_api, conformance.adapters.keras_api; "
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
