"""The inverse of every adapter's translation: canonical -> express -> inverse -> canonical
is the identity (in the normal form: per-dim windows, stride, dilation, kernel, groups,
channels) wherever ``express`` gives a NativeCall. Derandomized, no framework needed."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.adapters import all_adapters
from conformance.adapters.base import NativeCall
from conformance.adapters.layout import canonical_input_layout, canonical_kernel_layout
from conformance.case import Case
from conformance.port.inverse import InverseError, canonical_from_native
from conformance.port.inverse.common import normal_layout
from conformance.port.layer import layer_of_case

ADAPTERS = sorted(all_adapters())

# Where an adapter passes a canonical mode as the API's own mode to ask whether the API
# agrees (a divergence is a result), and the API's documented window differs, the inverse
# returns the API's documented window: MXNet picks pad itself from target_shape, the odd
# crop first, whatever the case's mode.
ASKS_A_MODE = {"mxnet.nd.Deconvolution.target_shape": ("same", "valid")}


def native_shapes(case: Case, call: NativeCall):
    """The case's tensor shapes in the call's layouts."""
    dims = case.spatial_dims
    src_x = canonical_input_layout(dims)
    x_shape = tuple(case.x.shape[src_x.index(c)] for c in normal_layout(call.input_layout)) if call.input_layout else None
    w_shape = case.w.shape
    kernel_layout = canonical_kernel_layout(case.op, dims)
    if call.api.startswith("mx.conv_transpose"):  # MLX's weight is the conv layout (C_out, C_in/g, *k)
        w_shape = (case.out_channels, case.in_channels // case.groups, *case.kernel_spatial)
        kernel_layout = canonical_kernel_layout("conv", dims)
    w_native = tuple(w_shape[kernel_layout.index(c)] for c in normal_layout(call.kernel_layout)) if call.kernel_layout else None
    return x_shape, w_native


@st.composite
def cases(draw, op: str):
    dims = draw(st.integers(1, 3))
    groups = draw(st.sampled_from([1, 1, 2]))
    c_in = groups * draw(st.integers(1, 2))
    c_out = groups * draw(st.integers(1, 2))
    kernel = [draw(st.integers(1, 4)) for _ in range(dims)]
    stride = [draw(st.integers(1, 3)) for _ in range(dims)]
    dilation = [draw(st.sampled_from([1, 1, 2])) for _ in range(dims)]
    lengths = [draw(st.integers(2, 6)) for _ in range(dims)]
    mode = draw(st.sampled_from(["same", "valid", "same_lower", "explicit", "explicit"]))
    padding = mode
    output_padding = [0] * dims
    output_shape = None
    if mode == "explicit":
        padding = [[draw(st.integers(0, k - 1)), draw(st.integers(0, k - 1))] for k in kernel]
        if op == "conv_transpose":
            output_padding = [draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation)]
    if op == "conv_transpose" and draw(st.booleans()):
        # an output_shape the window of another explicit crop gives (a valid case)
        full = [(n - 1) * s + d * (k - 1) + 1 for n, s, d, k in zip(lengths, stride, dilation, kernel)]
        output_shape = [f - draw(st.integers(0, min(2, f - 1))) for f in full]
        if mode == "explicit":
            padding = [[0, 0]] * dims if draw(st.booleans()) else padding
            output_padding = [0] * dims
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, c_in, *lengths))
    w_shape = (c_out, c_in // groups, *kernel) if op == "conv" else (c_in, c_out // groups, *kernel)
    b = rng.standard_normal(c_out) if draw(st.booleans()) else None
    return Case.make(
        "roundtrip", op, x, rng.standard_normal(w_shape), b, stride=stride, dilation=dilation, padding=padding,
        output_padding=output_padding, output_shape=output_shape, groups=groups,
    )


def round_trip(name: str, case: Case):
    adapter = all_adapters()[name]()
    if not adapter.applies_to(case):
        return None
    call = adapter.express(case)
    if not isinstance(call, NativeCall):
        return None
    x_shape, w_shape = native_shapes(case, call)
    try:
        back = canonical_from_native(call, x_shape, w_shape)
    except InverseError as err:
        pytest.fail(f"{name}: {call.describe()}: {err}")
    return layer_of_case(case), back.with_input(layer_of_case(case).input_shape) if back.input_shape is None else back, call


def compare(name, case, original, back, call):
    want, got = original.normal_form(), back.normal_form()
    if name in ASKS_A_MODE and case.padding in ASKS_A_MODE[name]:
        want["windows"] = [(None, out) for _, out in want["windows"]]
        got["windows"] = [(None, out) for _, out in got["windows"]]
    assert got == want, f"{name}: {case!r}\n  call: {call.describe()}\n  back: {back}"


@pytest.mark.parametrize("name", ADAPTERS)
@settings(derandomize=True, max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_round_trip(name, data):
    op = all_adapters()[name].op
    case = data.draw(cases(op))
    found = round_trip(name, case)
    if found is not None:
        compare(name, case, *found)


@pytest.mark.parametrize("name", ADAPTERS)
def test_every_adapter_has_an_inverse(name):
    """At least one case each adapter expresses, read back (so no adapter is skipped silently)."""
    op = all_adapters()[name].op
    rng = np.random.default_rng(1)
    w = rng.standard_normal((2, 4, 3, 3) if op == "conv" else (4, 2, 3, 3))
    for padding in ("same", "valid", [[1, 1], [1, 1]], [[0, 0], [0, 0]]):
        for stride in (1, 2):
            case = Case.make("one", op, rng.standard_normal((1, 4, 5, 5)), w, None, stride=stride, padding=padding)
            found = round_trip(name, case)
            if found is not None:
                compare(name, case, *found)
                return
    pytest.fail(f"{name} expressed none of the simple cases")


def test_inverse_names_the_argument():
    call = NativeCall("torch.nn.ConvTranspose2d", {"in_channels": 4, "out_channels": 2, "kernel_size": [3, 3],
                                                   "stride": [2, 2, 2]}, "NCHW", "IOHW")
    with pytest.raises(InverseError, match="argument stride"):
        canonical_from_native(call)


def test_unknown_api_is_an_error():
    with pytest.raises(InverseError, match="no inverse knows"):
        canonical_from_native(NativeCall("foo.Conv", {}, "NCHW", "OIHW"))


@pytest.mark.parametrize("api, kwargs, layout, kernel_layout, x, w, stride, dilation, padding", [
    # one entry per input dim in data_format's order: NCHW's strides [1, 1, s_h, s_w] (was read [1, s_h])
    ("tf.nn.conv2d_transpose", {"strides": [1, 1, 2, 3], "padding": "SAME", "output_shape": [1, 8, 16, 24]},
     "NCHW", "HWOI", (1, 4, 8, 8), (3, 3, 8, 4), (2, 3), (1, 1), "same"),
    ("tf.nn.conv2d_transpose", {"strides": [1, 2, 3, 1], "padding": "SAME", "output_shape": [1, 16, 24, 8]},
     "NHWC", "HWOI", (1, 8, 8, 4), (3, 3, 8, 4), (2, 3), (1, 1), "same"),
    ("tf.nn.convolution", {"strides": [1, 1, 1, 2, 2], "dilations": [1, 1, 2, 1, 1], "padding": "VALID"},
     "NCDHW", "DHWIO", (1, 4, 8, 8, 8), (3, 3, 3, 4, 8), (1, 2, 2), (2, 1, 1), "valid"),
    ("tf.nn.convolution", {"strides": [1, 1, 3], "dilations": [1, 1, 2], "padding": "VALID"},
     "NCW", "WIO", (1, 4, 16), (3, 4, 8), (3,), (2,), "valid"),
    # explicit padding: one pair per input dim in data_format's order (NCHW: N, C first)
    ("tf.nn.convolution", {"strides": 1, "padding": [[0, 0], [0, 0], [1, 2], [3, 4]]},
     "NCHW", "HWIO", (1, 4, 8, 8), (3, 3, 4, 8), (1, 1), (1, 1), ((1, 2), (3, 4))),
])
def test_tf_per_dim_arguments_follow_data_format(api, kwargs, layout, kernel_layout, x, w, stride, dilation, padding):
    got = canonical_from_native(NativeCall(api, kwargs, layout, kernel_layout), x, w)
    assert (got.stride, got.dilation, got.padding) == (stride, dilation, padding)


@pytest.mark.parametrize("kwargs, argument", [
    ({"strides": [1, 2, 2, 1], "padding": "VALID"}, "strides"),  # NHWC's form under NCHW: C's stride 2
    ({"strides": 1, "dilations": [2, 1, 1, 1], "padding": "VALID"}, "dilations"),
    ({"strides": 1, "padding": [[0, 0], [1, 1], [1, 1], [0, 0]]}, "padding"),  # NHWC's pairs under NCHW
])
def test_tf_batch_and_channel_entries_must_be_neutral(kwargs, argument):
    """TF takes 1 (strides, dilations) and [0, 0] (padding) for N and C only; another value is named."""
    with pytest.raises(InverseError, match=f"argument {argument}: .*batch and channel"):
        canonical_from_native(NativeCall("tf.nn.convolution", kwargs, "NCHW", "HWIO"), (1, 4, 8, 8), (3, 3, 4, 8))
